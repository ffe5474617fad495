"""``mapsite init`` and ``mapsite new``: a working site, and a new deal planned backwards.

Blueprints are deal files whose dates are all relative to ``close``, so a new deal's plan fits
its close date the moment it is written. Values are inserted as YAML-escaped text, so a buyer
called ``O'Brien & "Sons"`` cannot break the file.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from pathlib import Path
from string import Template

from mapsite.config import SITE_FILE
from mapsite.content.fields import slugify
from mapsite.errors import MapsiteError
from mapsite.protect.secrets import PASSWORDS_FILE, STATE_DIR, add_local_password

BLUEPRINT_DIR = Path(__file__).resolve().parent / "blueprints"
BLUEPRINTS = ("enterprise", "smb", "partner")
SAMPLE_BUYER = "Example Corp"
SAMPLE_CLOSE_IN_DAYS = 45

SITE_TEMPLATE = """\
# The site file of your deal rooms: see docs/deal-format.md in mapsite's repository.
title: {title}
seller:
  name: {seller}
  accent: "#2F5BEA"
# base_url: https://deals.example.com/
calendar:
  holidays: []
  blackouts: []
# Where `mapsite deploy` publishes output/ (git, s3, rsync, sftp or folder); no credentials here.
# deploy:
#   pages: {{type: git, remote: origin, branch: gh-pages}}
"""
GITIGNORE = "output/\n.mapsite/\n"


def render_blueprint(
    blueprint: str, buyer_name: str, close: dt.date, seller_name: str, today: dt.date
) -> str:
    if blueprint not in BLUEPRINTS:
        raise MapsiteError(f"unknown blueprint '{blueprint}'", hint=f"choose one of: {', '.join(BLUEPRINTS)}")
    template = Template((BLUEPRINT_DIR / f"{blueprint}.md").read_text("utf-8"))
    slug = slugify(buyer_name)
    values = {
        "title": f"{buyer_name} x {seller_name}: Mutual Action Plan",
        "buyer_name": buyer_name,
        "close_date": close.isoformat(),
        "updated": today.isoformat(),
        "password_env": password_env_name(slug),
        "partner_name": "Partner (name)",
    }
    return template.substitute({key: _yaml_text(value) for key, value in values.items()})


def _yaml_text(value: str) -> str:
    """Escape for a YAML double-quoted string (JSON's escapes are valid there)."""
    return json.dumps(value, ensure_ascii=False)[1:-1]


def init_site(folder: Path, today: dt.date) -> list[Path]:
    """Create a new site in ``folder`` with one sample deal; refuses to overwrite a site.

    The sample deal's password is random and kept in the git-ignored ``.mapsite/passwords``, so
    the new site builds protected at once.
    """
    if (folder / SITE_FILE).exists():
        raise MapsiteError(f"{folder / SITE_FILE} already exists", hint="this folder is already a site")
    deal_path = folder / "content" / "deals" / f"{slugify(SAMPLE_BUYER)}.md"
    deal_path.parent.mkdir(parents=True, exist_ok=True)
    site_file = folder / SITE_FILE
    site_file.write_text(
        SITE_TEMPLATE.format(title=json.dumps("Deal rooms"), seller=json.dumps("Your Company")),
        "utf-8",
    )
    written = [site_file]
    gitignore = folder / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text(GITIGNORE, "utf-8")
        written.append(gitignore)
    close = today + dt.timedelta(days=SAMPLE_CLOSE_IN_DAYS)
    deal_path.write_text(render_blueprint("smb", SAMPLE_BUYER, close, "Your Company", today), "utf-8")
    written.append(deal_path)
    add_local_password(folder, password_env_name(slugify(SAMPLE_BUYER)), secrets.token_urlsafe(12))
    written.append(folder / STATE_DIR / PASSWORDS_FILE)
    return written


def password_env_name(slug: str) -> str:
    return f"{slug.replace('-', '_').upper()}_PORTAL_PASSWORD"


def new_deal(
    site_root: Path,
    buyer_name: str,
    blueprint: str,
    close: dt.date,
    seller_name: str,
    today: dt.date,
    slug: str | None = None,
) -> Path:
    slug = slug or slugify(buyer_name)
    if not slug or slugify(slug) != slug:
        raise MapsiteError(f"'{slug}' cannot be a slug", hint="pass --slug with only a-z, 0-9 and dashes")
    deals = site_root / "content" / "deals"
    target = deals / f"{slug}.md"
    if target.exists() or (deals / slug).exists():
        raise MapsiteError(
            f"a deal named '{slug}' already exists in content/deals",
            hint="pick another name with --slug",
        )
    deals.mkdir(parents=True, exist_ok=True)
    target.write_text(render_blueprint(blueprint, buyer_name, close, seller_name, today), "utf-8")
    return target
