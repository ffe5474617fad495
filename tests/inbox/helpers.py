"""What the inbox tests share: codes sealed as a reader's page seals them, and the command run
in a real process at 80 columns.

Codes are sealed by protect/updates.seal_code (twin-tested against the browser) with the keys
the rep's machine derives for the example's acme deal, signed by one of its access entries.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from mapsite.pipeline.load import load_deals
from mapsite.protect.secrets import site_secret
from mapsite.protect.update_keys import update_keyring
from mapsite.protect.updates import seal_code
from mapsite.read.site import load_site
from tests.helpers import TODAY

DEAL = "content/deals/acme/index.md"


def run(
    site: Path, *args: str, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mapsite", *args, "--site", str(site)],
        capture_output=True, text=True, input=stdin if stdin is not None else "", timeout=300,
        env={**os.environ, "COLUMNS": "80"}, cwd=cwd,
    )  # fmt: skip


def reader_code(site: Path, seq: int, changes: list[dict], label: str = "Acme buying team") -> bytes:
    today = dt.date.fromisoformat(TODAY)
    [deal] = [d for d in load_deals(load_site(site)[0], today).deals if d.slug == "acme"]
    ring = update_keyring(deal, site, site_secret(site)[0], today)
    [sender] = [s for s in ring.senders if s.label == label]
    payload = {
        "v": 1, "deal": "acme", "sender": sender.id, "device": "a1b2c3d4", "seq": seq,
        "name": "Dana Whitfield", "time": "2027-02-22T10:03:00Z", "generation": TODAY, "changes": changes,
    }  # fmt: skip
    return seal_code(payload, "acme", ring.kid, ring.update_keys[ring.kid], sender.key)


FIRST = [
    {"id": "1.1", "op": "done", "item": "poc-setup/Provide data sample for POC"},
    {"id": "1.2", "op": "date", "item": "poc-review", "from": "2027-03-15", "to": "2027-03-19", "reason": "CFO travels"},
    {"id": "1.3", "op": "comment", "item": None, "text": "Can we add SSO to the pilot?"},
    {"id": "1.4", "op": "colleague", "name": "Lee Chen", "title": "Procurement Lead", "email": "lee@acme.example", "role": "procurement"},
    {"id": "1.5", "op": "agree", "name": "Dana Whitfield"},
]  # fmt: skip
SECOND = [
    {"id": "2.1", "op": "date", "item": "roi", "from": "2027-03-10", "to": "2027-03-24", "reason": "Budget week"},
    {"id": "2.2", "op": "done", "item": "demo"},
    {"id": "2.3", "op": "blocked", "item": "security-submit", "reason": "Waiting for the questionnaire"},
]  # fmt: skip
