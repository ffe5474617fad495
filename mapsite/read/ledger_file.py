"""The format of ``.mapsite/inbox.json``, the inbox's ledger: its one definition.

``mapsite inbox`` writes the ledger (inbox/ledger.py) and needs it to refuse replays; ``status``
and the team dashboard read it for "last buyer activity". Those readers sit below the inbox in
the stages, so the file's name, version and shape are defined here, in the lowest stage that
reads it, and the inbox builds on them.

Version 1: ``{"version": 1, "codes": {key: entry}}``. A code's ``key`` is
``<deal>:<sender id>:<device>:<seq>`` (docs/updates.md); its entry is ``{"date": day processed,
"sent": the payload's time, "side": the sender's side, "refused"?: true, "changes": {change id:
outcome}}``. ``side`` (``buyer``, ``seller`` or ``partner``, of the access entry or share link
that sent the code) was added within version 1: an entry without it names no side.
"""

from __future__ import annotations

import json
from pathlib import Path

from mapsite.layout import STATE_DIR

LEDGER_FILE = "inbox.json"
LEDGER_VERSION = 1


def ledger_path(site_dir: Path) -> Path:
    return site_dir / STATE_DIR / LEDGER_FILE


def code_key(deal: str, sender: str, device: str, seq: int) -> str:
    """How the ledger names a code: ``acme:3f09c1d2a4b5e6f7:a1b2c3d4:3``."""
    return f"{deal}:{sender}:{device}:{seq}"


def key_deal(key: str) -> str:
    """The deal a ledger key names (a slug holds no ``:``)."""
    return key.split(":", 1)[0]


def read_codes(path: Path) -> dict[str, dict]:
    """The ledger's codes; {} when there is no ledger. A file of another shape or version raises
    ValueError: what to do about it is the caller's to say (the inbox stops, status reads on)."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise ValueError(str(error)) from None
    try:
        data = json.loads(text)
    except ValueError:
        raise ValueError("not JSON") from None
    if not isinstance(data, dict) or data.get("version") != LEDGER_VERSION:
        raise ValueError("another version")
    codes = data.get("codes")
    if not isinstance(codes, dict) or not all(
        isinstance(entry, dict) and isinstance(entry.get("changes", {}), dict) for entry in codes.values()
    ):
        raise ValueError("codes of another shape")
    return codes
