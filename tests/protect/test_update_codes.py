"""Update codes (docs/updates.md) attacked as the published output and a lost credential allow.

Every site here is built by the real `mapsite` command; the reader's side is played with what a
reader really has: the sealed page (opened with their password or link) and their credential.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from mapsite.pipeline.readable import render_all
from mapsite.protect import envelope, updates
from mapsite.protect.secrets import load_shares, site_secret
from mapsite.protect.update_keys import history_path, update_keyring
from mapsite.protect.updates import UpdateRefused, open_code, seal_code
from tests import envelope_reader
from tests.helpers import PASSWORDS, TODAY, mapsite_ok

ENVELOPE = re.compile(r'<script type="application/json" id="mapsite-envelope">(.*?)</script>', re.S)
ISLAND = re.compile(r'<script type="application/json" id="mapsite-updates">(.*?)</script>', re.S)
GLOBEX = "content/deals/globex/index.md"
INITECH_ENTRY = (
    "  - label: Initech partner team\n    password_env: INITECH_PARTNER_PASSWORD\n"
    "    side: partner      # the partner's own work comes first on the page they open\n"
)


def build(site: Path, out: Path) -> Path:
    mapsite_ok(site, "build", "--today", TODAY, "--out", str(out))
    return out


def shell(out: Path, deal: str) -> dict:
    return json.loads(ENVELOPE.search((out / deal / "index.html").read_text("utf-8")).group(1))


def password_root(page: dict, variable: str) -> bytes:
    salt = envelope.unb64(page["kdf"]["salt"])
    return envelope.password_root(PASSWORDS[variable], salt, page["kdf"]["iterations"])


def island(page: dict, root: bytes) -> dict:
    """What the reader's browser holds once the page is open: the update island."""
    _key, html = envelope_reader.open_envelope(page, root)
    return json.loads(ISLAND.search(html.decode("utf-8")).group(1))


def payload(deal: str, sender_key: bytes, seq: int = 1, **extra) -> dict:
    return {
        "v": 1,
        "deal": deal,
        "sender": updates.sender_id(sender_key),
        "device": "a1b2c3d4",
        "seq": seq,
        "name": "Dana Whitfield",
        "time": "2027-02-22T10:03:00Z",
        "generation": TODAY,
        "changes": [{"id": f"{seq}.1", "op": "done", "item": "poc-setup"}, *extra.get("changes", [])],
    }


def reader_code(page: dict, root: bytes, seq: int = 1) -> bytes:
    """A code as the reader's page seals it: U from the island, A from their credential."""
    held = island(page, root)
    a = updates.sender_key(root)
    return seal_code(payload(held["deal"], a, seq), held["deal"], held["kid"], envelope.unb64(held["U"]), a)


def keyring(site: Path, slug: str) -> updates.Keyring:
    today = dt.date.fromisoformat(TODAY)
    [deal] = [d for d in render_all(site, today).deals if d.slug == slug]
    return update_keyring(deal, site, site_secret(site)[0], today)


def refusal(code: bytes, ring: updates.Keyring) -> str:
    with pytest.raises(UpdateRefused) as caught:
        open_code(code, ring)
    return caught.value.message


@pytest.fixture
def built(example_site: Path, tmp_path: Path) -> Path:
    return build(example_site, tmp_path / "out")


def test_a_code_sealed_with_the_page_opens_for_the_rep_with_its_sender(example_site, built):
    page = shell(built, "acme")
    root = password_root(page, "ACME_PORTAL_PASSWORD")
    opened = open_code(reader_code(page, root, seq=3), keyring(example_site, "acme"))
    assert opened.payload == payload("acme", updates.sender_key(root), seq=3)
    assert (opened.sender.label, opened.sender.kind, opened.sender.side) == (
        "Acme buying team",
        "password",
        "buyer",
    )
    assert opened.kid == page["kid"] and not opened.old_key
    # The seller's own password is another sender, named as such.
    team = password_root(page, "NORTHWIND_TEAM_PASSWORD")
    assert (
        open_code(reader_code(page, team), keyring(example_site, "acme")).sender.label
        == "Northwind deal team"
    )


def test_the_island_is_inside_the_sealed_page_only(built):
    page = shell(built, "acme")
    held = island(page, password_root(page, "ACME_PORTAL_PASSWORD"))
    assert held["deal"] == "acme" and held["kid"] == page["kid"] and held["generation"] == TODAY
    assert held["to"]["email"]  # the example's account executive
    public = b"".join(path.read_bytes() for path in built.rglob("*") if path.is_file())
    shells = b"".join(path.read_bytes() for path in built.rglob("*.html"))
    assert b'id="mapsite-envelope"' in shells and b'id="mapsite-updates"' not in shells
    for secret in (held["U"], held["L"]):
        assert secret.encode() not in public
    # The team dashboard is the seller's: no update controls, so no island.
    team = shell(built, "_team")
    _key, html = envelope_reader.open_envelope(team, password_root(team, "MAPSITE_TEAM_PASSWORD"))
    assert b"mapsite-updates" not in html


def test_every_flipped_bit_and_every_cut_is_refused(example_site, built):
    page = shell(built, "acme")
    code = reader_code(page, password_root(page, "ACME_PORTAL_PASSWORD"))
    ring = keyring(example_site, "acme")
    for index in range(len(code)):
        for bit in (0x01, 0x80):
            tampered = bytearray(code)
            tampered[index] ^= bit
            message = refusal(bytes(tampered), ring)
            assert "damaged" in message or "not sealed by any reader" in message or "version" in message
    for length in (0, 10, len(code) // 2, len(code) - 1):
        message = refusal(code[:length], ring)
        assert "cut short" in message
    assert "damaged" in refusal(code + b"\x00", ring)


def test_a_code_for_another_deal_or_an_unknown_key_is_refused(example_site, built):
    globex = shell(built, "globex")
    code = reader_code(globex, password_root(globex, "GLOBEX_PORTAL_PASSWORD"))
    message = refusal(code, keyring(example_site, "acme"))
    assert "not sealed by any reader of deal 'acme'" in message and "another deal" in message

    # A reader with a real credential, under a key the rep's machine never built (a re-key made
    # and replaced in CI only).
    page = shell(built, "acme")
    root = password_root(page, "ACME_PORTAL_PASSWORD")
    a = updates.sender_key(root)
    foreign = seal_code(payload("acme", a), "acme", "00" * 8, bytes(32), a)
    message = refusal(foreign, keyring(example_site, "acme"))
    assert "key 0000000000000000, which this machine never built" in message


def test_a_revoked_share_link_and_a_removed_password_cannot_send(example_site, tmp_path):
    mapsite_ok(example_site, "share", "globex", "--label", "Dana")
    before = build(example_site, tmp_path / "before")
    page = shell(before, "globex")
    [dana] = [s for s in load_shares(example_site) if s.label == "Dana"]
    link_root = envelope.share_root(envelope.unb64(dana.secret), envelope.unb64(page["kdf"]["salt"]))
    partner_root = password_root(page, "INITECH_PARTNER_PASSWORD")
    from_link, from_partner = reader_code(page, link_root), reader_code(page, partner_root)
    assert open_code(from_link, keyring(example_site, "globex")).sender.kind == "share"
    assert open_code(from_partner, keyring(example_site, "globex")).sender.side == "partner"

    # The link is revoked and the partner's password removed; the site is rebuilt (re-keyed).
    mapsite_ok(example_site, "share", "globex", "--revoke", "Dana")
    text = (example_site / GLOBEX).read_text("utf-8")
    (example_site / GLOBEX).write_text(text.replace(INITECH_ENTRY, ""), "utf-8")
    after = build(example_site, tmp_path / "after")
    assert shell(after, "globex")["kid"] != page["kid"]
    ring = keyring(example_site, "globex")
    [revoked] = [s for s in load_shares(example_site) if s.label == "Dana"]
    assert f"the share link 'Dana', which was revoked on {revoked.revoked}" in refusal(from_link, ring)
    # The removed partner, with the old page, seals a new code: refused by name, old key or not.
    assert "'Initech partner team', which is no current access entry" in refusal(from_partner, ring)
    later = reader_code(page, partner_root, seq=2)
    assert "no current access entry" in refusal(later, ring)
    # A current reader's code from the page before the re-key still opens, flagged.
    current = reader_code(page, password_root(page, "GLOBEX_PORTAL_PASSWORD"))
    assert open_code(current, ring).old_key


def test_the_history_names_no_key_and_another_secret_opens_nothing(example_site, built):
    text = history_path(example_site).read_text("utf-8")
    page = shell(built, "acme")
    held = island(page, password_root(page, "ACME_PORTAL_PASSWORD"))
    assert held["U"] not in text and "Acme buying team" not in text
    assert f"acme:{page['kid']}" in text
    ring = keyring(example_site, "acme")
    assert set(ring.update_keys) == {page["kid"]}
    assert "update_keys" not in repr(ring) and held["U"] not in repr(ring)


def test_a_build_records_each_deals_key_once_and_a_rebuild_keeps_the_file(example_site, built, tmp_path):
    """The workers hand their deals' keys to the build, which records them in one write; a
    rebuild that re-keys nothing leaves the file as it was, byte for byte."""
    entries = json.loads(history_path(example_site).read_text("utf-8"))["entries"]
    protected = {
        deal: json.loads(ENVELOPE.search(page.read_text("utf-8")).group(1))["kid"]
        for page in built.glob("*/index.html")
        if ENVELOPE.search(page.read_text("utf-8")) and (deal := page.parent.name) != "_team"
    }
    assert protected and set(entries) == {f"{deal}:{kid}" for deal, kid in protected.items()}
    before = history_path(example_site).read_bytes()
    build(example_site, tmp_path / "again")
    assert history_path(example_site).read_bytes() == before


def test_no_two_codes_share_a_nonce(built):
    """The IV is synthetic: distinct plaintexts under one U never meet the same IV."""
    page = shell(built, "acme")
    held = island(page, password_root(page, "ACME_PORTAL_PASSWORD"))
    u, ivs = envelope.unb64(held["U"]), {}
    for variable in ("ACME_PORTAL_PASSWORD", "NORTHWIND_TEAM_PASSWORD"):
        a = updates.sender_key(password_root(page, variable))
        for seq in range(1, 301):
            code = seal_code(payload("acme", a, seq), "acme", held["kid"], u, a)
            iv = code[updates.HEADER_BYTES : updates.HEADER_BYTES + updates.IV_BYTES]
            assert ivs.setdefault(iv, code) == code
    assert len(ivs) == 600
