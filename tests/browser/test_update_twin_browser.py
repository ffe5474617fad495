"""Twin test of update codes (docs/updates.md): sealed in Chromium, opened by the rep in Python.

The example site is built by the real `mapsite` command and served on loopback; a partner logs in
with their password and a buyer opens a share link, each page's update-code.js seals a code with
the sender key unlock.js derived at login, and protect/updates.py must name that sender. Then the
link is revoked and the partner's password removed, and their codes (the ones sent, and a new one
sealed on the old page still open in the browser) are refused by name.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from mapsite.pipeline.readable import render_all
from mapsite.protect import updates
from mapsite.protect.armour import parse_armour
from mapsite.protect.secrets import load_shares, site_secret
from mapsite.protect.update_keys import update_keyring
from mapsite.protect.updates import UpdateRefused, open_code
from tests.browser.helpers import assert_clean, log_in
from tests.helpers import PASSWORDS, TODAY, mapsite_ok

pytestmark = pytest.mark.browser

GLOBEX = "content/deals/globex/index.md"
INITECH_ENTRY = (
    "  - label: Initech partner team\n    password_env: INITECH_PARTNER_PASSWORD\n"
    "    side: partner      # the partner's own work comes first on the page they open\n"
)
CHANGES = [
    {"id": "1.1", "op": "done", "item": "sandbox-access"},
    {"id": "1.2", "op": "comment", "item": None, "text": "Ünïcödé ✓: can we add SSO to the pilot?"},
]
SEAL = """async (payload) => {
  const code = await MapsiteUpdateCode.seal(payload);
  return {
    armour: MapsiteUpdateCode.armour(code),
    parts: await MapsiteUpdateCode.split(code, 300),
    summary: MapsiteUpdateCode.summary(payload),
    sender: mapsiteSender.id,
  };
}"""


def seal_in(page, seq: int) -> dict:
    """Wait for the page's scripts (polled from here: the CSP forbids eval), then seal."""
    deadline = time.monotonic() + 20
    ready = "() => Boolean(globalThis.MapsiteUpdateCode && globalThis.mapsiteSender)"
    while not page.evaluate(ready):
        assert time.monotonic() < deadline, "update-code.js or mapsiteSender never arrived"
        time.sleep(0.1)
    payload = {"device": "a1b2c3d4", "seq": seq, "name": "Raj", "time": "2027-02-22T10:03:00Z",
               "generation": TODAY, "changes": CHANGES}  # fmt: skip
    return page.evaluate(SEAL, payload)


def code_of(text: str) -> bytes:
    [found] = parse_armour(text)
    assert found.problem is None and found.deal == "globex"
    return found.code


def keyring(site: Path) -> updates.Keyring:
    today = dt.date.fromisoformat(TODAY)
    [deal] = [d for d in render_all(site, today).deals if d.slug == "globex"]
    return update_keyring(deal, site, site_secret(site)[0], today)


def refusal(code: bytes, ring: updates.Keyring) -> str:
    with pytest.raises(UpdateRefused) as caught:
        open_code(code, ring)
    return caught.value.message


def test_codes_sealed_in_chromium_open_in_python_with_their_sender(
    example_site, tmp_path, static_server, open_page
):
    mapsite_ok(example_site, "share", "globex", "--label", "Dana", "--side", "buyer")
    out = tmp_path / "out"
    mapsite_ok(example_site, "build", "--today", TODAY, "--out", str(out))
    url = static_server(out)
    [dana] = [s for s in load_shares(example_site) if s.label == "Dana"]

    partner, partner_watch = open_page(url + "globex/")
    log_in(partner, PASSWORDS["INITECH_PARTNER_PASSWORD"])
    from_partner = seal_in(partner, 1)
    reader, reader_watch = open_page(f"{url}globex/#share={dana.secret}")
    from_link = seal_in(reader, 1)
    assert from_partner["sender"] != from_link["sender"]
    assert from_partner["summary"] == "1 done, 1 question"

    ring = keyring(example_site)
    for sealed, expected in ((from_partner, ("Initech partner team", "password", "partner")),
                             (from_link, ("Dana", "share", "buyer"))):  # fmt: skip
        opened = open_code(code_of(sealed["armour"]), ring)
        assert (opened.sender.label, opened.sender.kind, opened.sender.side) == expected
        assert opened.payload["changes"] == CHANGES and opened.payload["deal"] == "globex"
        assert opened.payload["sender"] == sealed["sender"] and not opened.old_key
        # Split for mail links: every part fits, and the parts join to the same code.
        assert len(sealed["parts"]) > 1 and all(len(part) <= 300 for part in sealed["parts"])
        assert code_of("\n> ".join(reversed(sealed["parts"]))) == code_of(sealed["armour"])
    # Two codes of one page differ (seq), and the page logged nothing of its keys.
    assert seal_in(partner, 2)["armour"] != from_partner["armour"]
    for page, watch in ((partner, partner_watch), (reader, reader_watch)):
        assert_clean(watch)
        assert page.evaluate("() => Object.isFrozen(mapsiteSender) && !('key' in mapsiteSender)")

    # The link is revoked and the partner's password removed; the rep rebuilds (re-keyed).
    mapsite_ok(example_site, "share", "globex", "--revoke", "Dana")
    text = (example_site / GLOBEX).read_text("utf-8")
    (example_site / GLOBEX).write_text(text.replace(INITECH_ENTRY, ""), "utf-8")
    mapsite_ok(example_site, "build", "--today", TODAY, "--out", str(tmp_path / "rebuilt"))
    ring = keyring(example_site)
    [revoked] = [s for s in load_shares(example_site) if s.label == "Dana"]
    assert f"'Dana', which was revoked on {revoked.revoked}" in refusal(code_of(from_link["armour"]), ring)
    assert "no current access entry" in refusal(code_of(from_partner["armour"]), ring)
    # The removed partner keeps the old page open and seals another code: refused all the same.
    later = seal_in(partner, 3)
    assert "'Initech partner team', which is no current access entry" in refusal(
        code_of(later["armour"]), ring
    )
