"""The last buyer activity the rep's machine knows of, per deal: ``.mapsite/activity.json``.

``mapsite views`` learns when a deal was last opened only from the logs it is given, and those
come and go (hosts rotate them); it records the latest open of each deal here, so ``status`` and
the team dashboard can say "last buyer activity" without the logs at hand. Local state, like the
KDF cache: not a secret, never published. ``mapsite inbox`` keeps its own ledger; the latest of
the two is what counts (see ``last_activity``).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from mapsite.atomic import write_atomic
from mapsite.layout import STATE_DIR

ACTIVITY_FILE = "activity.json"


def activity_path(site_dir: Path) -> Path:
    return site_dir / STATE_DIR / ACTIVITY_FILE


def load_activity(site_dir: Path) -> dict[str, dt.datetime]:
    """The latest open of each deal; an unreadable file counts as none (it is only a record)."""
    try:
        data = json.loads(activity_path(site_dir).read_text("utf-8"))
        return {slug: dt.datetime.fromisoformat(when) for slug, when in data.get("opened", {}).items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def record_activity(site_dir: Path, opened: dict[str, dt.datetime]) -> None:
    """Keep, per deal, the later of what was recorded and what these logs say."""
    merged = load_activity(site_dir)
    for slug, when in opened.items():
        if slug not in merged or when > merged[slug]:
            merged[slug] = when
    text = json.dumps({"opened": {slug: when.isoformat() for slug, when in sorted(merged.items())}}, indent=2)
    activity_path(site_dir).parent.mkdir(parents=True, exist_ok=True)
    write_atomic(activity_path(site_dir), text + "\n")
