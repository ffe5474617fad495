"""Blueprints: deal files whose dates are all relative to ``close``, filled in for one buyer.

``mapsite new`` writes them; the leak audit reads them too, as wording of mapsite's own that
is never a leak. Values are inserted as YAML-escaped text, so a buyer called
``O'Brien & "Sons"`` cannot break the file.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from string import Template

from mapsite.errors import MapsiteError
from mapsite.names import password_env_name, slugify

BLUEPRINT_DIR = Path(__file__).resolve().parent.parent / "blueprints"
BLUEPRINTS = ("enterprise", "smb", "partner")


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
