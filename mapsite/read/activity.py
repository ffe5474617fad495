"""The last buyer activity the rep's machine knows of, per deal, for ``status`` and ``/_team/``.

Two local records say when a buyer last did something, and neither is published:

- ``.mapsite/activity.json``: ``mapsite views`` learns when a deal was last opened only from the
  logs it is given, and those come and go (hosts rotate them), so it keeps the latest open of
  each deal here: ``{"opened": {slug: ISO time}}``, counting only opens with a buyer-side or
  partner-side password or share link (the seller's own ways in are not the buyer's activity).
- ``.mapsite/inbox.json``: the inbox's ledger (read/ledger_file.py) names each update code
  ``mapsite inbox --apply`` processed, when it was sent and the side of the password or share
  link that sent it; a code from a buyer or partner side counts, a refused one does not.

``last_buyer_activity`` is the later of the two per deal: "viewed" or "update".
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from mapsite.atomic import write_atomic
from mapsite.errors import Finding
from mapsite.layout import STATE_DIR
from mapsite.read.ledger_file import key_deal, ledger_path, read_codes

ACTIVITY_FILE = "activity.json"
BUYER_SIDES = ("buyer", "partner")


@dataclass(frozen=True)
class BuyerActivity:
    """The latest thing a buyer did on a deal: opened it (``viewed``) or sent an ``update``."""

    when: dt.datetime  # UTC
    kind: str  # "viewed" | "update"

    @property
    def day(self) -> dt.date:
        return self.when.date()

    def as_json(self) -> dict:
        return {"date": self.day.isoformat(), "kind": self.kind}


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


def last_buyer_activity(site_dir: Path) -> tuple[dict[str, BuyerActivity], list[Finding]]:
    """Per deal, the later of its last buyer view and its last applied buyer update; and a warning
    when the inbox's ledger cannot be read (its updates then do not count)."""
    latest = {slug: BuyerActivity(_utc(when), "viewed") for slug, when in load_activity(site_dir).items()}
    try:
        codes = read_codes(ledger_path(site_dir))
    except ValueError:
        warning = Finding(
            f"{STATE_DIR}/{ledger_path(site_dir).name}",
            None,
            "warning",
            "the inbox's ledger is damaged or of another mapsite version: updates are left out of "
            "the last buyer activity",
            "restore it from a backup; mapsite inbox says the same until it is",
        )
        return latest, [warning]
    for key, entry in codes.items():
        when = _update_time(entry)
        if when is None or entry.get("refused") or entry.get("side") not in BUYER_SIDES:
            continue
        slug = key_deal(key)
        if slug not in latest or when >= latest[slug].when:
            latest[slug] = BuyerActivity(when, "update")
    return latest, []


def _update_time(entry: dict) -> dt.datetime | None:
    """When a code was sent: its time (the reader's clock), never after the day it was processed."""
    try:
        processed = dt.datetime.combine(dt.date.fromisoformat(str(entry["date"])), dt.time(), dt.UTC)
    except (KeyError, ValueError):
        return None
    try:
        sent = _utc(dt.datetime.fromisoformat(str(entry.get("sent"))))
    except ValueError:
        return processed
    return sent if sent.date() <= processed.date() else processed


def _utc(when: dt.datetime) -> dt.datetime:
    return when.astimezone(dt.UTC) if when.tzinfo else when.replace(tzinfo=dt.UTC)
