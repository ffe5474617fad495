"""``.mapsite/inbox.json``: which update codes the inbox has already dealt with.

A code can arrive twice (a reader sends again, a mail is forwarded, someone replays it), and
the same change must never be applied twice. Each code is named by its deal, sender, device
and sequence number (docs/updates.md); the ledger keeps, per code, the day it was processed, when
it was sent, and the outcome of each of its changes by id: ``accepted``, ``declined``,
``skipped`` (offered again next time), or the whole code ``refused``, and the sender's side (so
``status`` can count a buyer's update as buyer activity). It holds no change's text, no name and
no key: what the readers wrote is deal content and lives in the deal file only. The file's format
is defined in read/ledger_file.py, below every stage that reads it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from mapsite.atomic import write_atomic
from mapsite.errors import MapsiteError
from mapsite.paths import site_display
from mapsite.read.ledger_file import LEDGER_VERSION, ledger_path, read_codes
from mapsite.read.ledger_file import code_key as code_key  # the inbox names codes as the file does

OUTCOMES = ("accepted", "declined", "skipped", "moot")  # moot: nothing left to do (already done)


@dataclass
class Ledger:
    """The codes seen, by ``code_key``: ``{"date", "sent", "side", "refused"?, "changes": {id: outcome}}``."""

    path: Path
    codes: dict[str, dict] = field(default_factory=dict)

    def outcome(self, key: str, change_id: str) -> str | None:
        """What became of one change of a code already processed, if anything."""
        return self.codes.get(key, {}).get("changes", {}).get(change_id)

    def refused(self, key: str) -> str | None:
        """The day a code was refused, if it was."""
        entry = self.codes.get(key, {})
        return entry.get("date") if entry.get("refused") else None

    def processed_on(self, key: str) -> str | None:
        return self.codes.get(key, {}).get("date")

    def record(self, key: str, day: str, sent: str, changes: dict[str, str], side: str | None = None) -> None:
        entry = self.codes.setdefault(key, {"changes": {}})
        entry["date"], entry["sent"] = day, sent
        if side:
            entry["side"] = side
        entry["changes"].update({cid: outcome for cid, outcome in changes.items() if outcome in OUTCOMES})

    def record_refused(self, key: str, day: str) -> None:
        self.codes[key] = {"date": day, "refused": True, "changes": {}}

    def save(self) -> None:
        body = {"version": LEDGER_VERSION, "codes": dict(sorted(self.codes.items()))}
        write_atomic(self.path, json.dumps(body, indent=1) + "\n", private=True)


def load_ledger(site_dir: Path) -> Ledger:
    """The ledger, or an empty one; a damaged file is an error naming it, never a silent reset
    (that would let every old code be applied again)."""
    path = ledger_path(site_dir)
    try:
        codes = read_codes(path)
    except ValueError:
        raise MapsiteError(
            f"{site_display(path, site_dir)} is damaged or of another mapsite version",
            hint="restore it from a backup; deleting it makes the inbox offer every old code again",
        ) from None
    return Ledger(path, codes)
