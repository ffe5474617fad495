"""``mapsite init`` and ``mapsite new``: a working site, and a new deal planned backwards.

A new deal starts from a blueprint (``render/blueprints.py``) whose dates are all relative to
``close``, so its plan fits its close date the moment it is written.

A new deal's file is named after the buyer, for the rep (deal files are never published), but
its portal gets a random ``slug:``: a readable URL would tell anyone who tries
``/contoso-pharmaceuticals/`` that Contoso is a customer. The slug is written into the file
rather than derived from the site secret, so it never changes and needs no secret to read.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from mapsite.errors import MapsiteError
from mapsite.layout import SITE_FILE
from mapsite.names import SLUG_COMMENT, opaque_slug, password_env_name, slugify
from mapsite.protect.secrets import ensure_local_password, passwords_path
from mapsite.read.site import Site
from mapsite.render.blueprints import render_blueprint

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
# pdf/ holds readable plans printed by mapsite pdf: they stay on the rep's machine.
GITIGNORE = "output/\n.mapsite/\npdf/\n"


def init_site(folder: Path, today: dt.date) -> tuple[list[Path], str]:
    """Create a new site in ``folder`` with one sample deal; refuses to overwrite a site.

    Returns the files written and the sample portal's URL folder.

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
    text = render_blueprint("smb", SAMPLE_BUYER, close, "Your Company", today)
    slug = opaque_slug()
    deal_path.write_text(with_slug(text, slug), "utf-8")
    written.append(deal_path)
    ensure_local_password(folder, password_env_name(slugify(SAMPLE_BUYER)))
    written.append(passwords_path(folder))
    return written, slug


def with_slug(deal_text: str, slug: str) -> str:
    """``deal_text`` with ``slug: <slug>`` after its ``title:`` line (a blueprint's first field)."""
    lines = deal_text.split("\n")
    title = next(i for i, line in enumerate(lines) if line.startswith("title:"))
    lines[title + 1 : title + 1] = [SLUG_COMMENT, f"slug: {slug}"]
    return "\n".join(lines)


@dataclass(frozen=True)
class NewDeal:
    """The file written, the URL folder of its portal, and the variable holding its password
    (``password_created`` when a new random one was put into ``.mapsite/passwords``)."""

    path: Path
    slug: str
    password_env: str
    password_created: bool


def new_deal(
    site: Site,
    buyer_name: str,
    blueprint: str,
    close: dt.date,
    today: dt.date,
    slug: str | None = None,
) -> NewDeal:
    """Write ``content/deals/<name>.md``: named ``slug`` if given, else after the buyer.

    Without ``slug`` the portal's URL folder is random (``opaque_slug``); with it, the rep's
    choice stands, and ``check`` warns if it names the buyer. Its password is random and kept in
    ``.mapsite/passwords``, as ``init`` does, so the deal builds at once.
    """
    name = slug or slugify(buyer_name)
    if not name or (slug is not None and slugify(slug) != slug):
        raise MapsiteError(f"'{name}' cannot be a slug", hint="pass --slug with only a-z, 0-9 and dashes")
    target = site.deals_dir / f"{name}.md"
    if target.exists() or (site.deals_dir / name).exists():
        raise MapsiteError(
            f"a deal named '{name}' already exists in content/deals",
            hint="pick another name with --slug",
        )
    text = render_blueprint(blueprint, buyer_name, close, site.seller.name, today)
    url = slug or opaque_slug()
    site.deals_dir.mkdir(parents=True, exist_ok=True)
    target.write_text(text if slug else with_slug(text, url), "utf-8")
    variable = password_env_name(slugify(buyer_name))  # as render_blueprint names it
    return NewDeal(target, url, variable, ensure_local_password(site.dir, variable))
