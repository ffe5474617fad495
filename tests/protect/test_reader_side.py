"""Whose side a credential is on travels inside the sealed page, never in the public envelope.

The portal puts the reader's own work first (docs/protection.md, "Reader sides"): the partner's
password opens a page that knows it is read by the partner. What side each password or link is on
says who the deal's readers are, so the public shell must not tell it; only a reader holding a
credential learns the map, from the decrypted page.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

from cryptography.exceptions import InvalidTag

from mapsite.protect import envelope
from tests import envelope_reader
from tests.helpers import PASSWORDS, TODAY, mapsite_ok

ENVELOPE = re.compile(r'<script type="application/json" id="mapsite-envelope">(.*?)</script>', re.S)
READERS = re.compile(rb'<script type="application/json" id="mapsite-readers">(.*?)</script>', re.S)


def opened_by(page: dict, root: bytes) -> tuple[str, bytes]:
    """The id of the slot ``root`` opens (as unlock.js names it) and the page it opens."""
    for item in page["slots"]:
        slot = envelope.Slot(
            item["type"], envelope.unb64(item["iv"]), envelope.unb64(item["ct"]), item.get("expires")
        )
        try:
            envelope_reader.unwrap_key(root, slot, page["deal"])
        except InvalidTag:
            continue
        return item["ct"][:22], envelope_reader.open_envelope(page, root)[1]
    raise AssertionError("no slot opens")


def test_each_credential_learns_its_side_and_the_public_shell_tells_nobody(
    example_site, tmp_path, monkeypatch
):
    for name, value in PASSWORDS.items():
        monkeypatch.setenv(name, value)
    link = mapsite_ok(
        example_site, "share", "globex", "--label", "Sam (Northwind SE)", "--side", "seller"
    ).stdout
    secret = re.search(r"#share=(\S+)", link).group(1)
    out = tmp_path / "out"
    mapsite_ok(example_site, "build", "--today", TODAY, "--out", str(out))

    shell = (out / "globex" / "index.html").read_text("utf-8")
    page = json.loads(ENVELOPE.search(shell).group(1))
    # Public: three slots and nothing about whose they are.
    assert len(page["slots"]) == 3
    assert all(set(slot) <= {"type", "iv", "ct", "expires"} for slot in page["slots"])
    for word in ("partner", "seller", "mapsite-readers"):
        assert word not in shell

    salt = envelope.unb64(page["kdf"]["salt"])
    credentials = {
        "buyer": envelope.password_root(PASSWORDS["GLOBEX_PORTAL_PASSWORD"], salt),
        "partner": envelope.password_root(PASSWORDS["INITECH_PARTNER_PASSWORD"], salt),
        "seller": envelope.share_root(envelope.unb64(secret), salt),
    }
    for side, root in credentials.items():
        slot_id, html = opened_by(page, root)
        readers = json.loads(READERS.search(html).group(1))
        assert readers[slot_id] == side
        assert sorted(readers.values()) == ["buyer", "partner", "seller"]


def test_a_partner_side_entry_on_a_deal_without_a_partner_is_pointed_out(example_site):
    deal = example_site / "content" / "deals" / "bluebird-bakery.md"
    text = deal.read_text("utf-8")
    entry = re.search(r"  - label: [^\n]*\n    password_env: [A-Z_]+\n", text)
    assert entry, "the bluebird example has a password entry"
    deal.write_text(text.replace(entry.group(0), entry.group(0) + "    side: partner\n", 1), "utf-8")
    line = text[: entry.end()].count("\n") - 1
    result = subprocess.run(
        [sys.executable, "-m", "mapsite", "check", "--site", str(example_site)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert f"bluebird-bakery.md:{line}: warning: the access entry" in result.stdout + result.stderr
    assert "names no partner" in result.stdout + result.stderr


def test_a_share_link_for_the_partner_side_needs_a_partner(example_site):
    result = subprocess.run(
        [sys.executable, "-m", "mapsite", "share", "bluebird-bakery", "--label", "X", "--side", "partner"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=example_site,
    )
    assert result.returncode != 0
    assert "names no partner" in result.stderr
    assert "Traceback" not in result.stderr
    assert (
        not (example_site / ".mapsite" / "shares.json").exists()
        or "bluebird" not in (example_site / ".mapsite" / "shares.json").read_text()
    )
