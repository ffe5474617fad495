"""The envelope attacked as the published output allows: by a reader whose access was taken away,
holding the pages from before (a browser cache, the git deploy history, an archive), and by someone
holding the site secret who guesses passwords.

Every build here is the real `mapsite` command on a copy of the example site.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from mapsite.pipeline.readable import render_all
from mapsite.protect import envelope
from mapsite.protect.kdf import KdfCache
from mapsite.protect.keys import derive_deal_keys
from mapsite.protect.secrets import site_secret
from tests import envelope_reader
from tests.helpers import PASSWORDS, TODAY, mapsite_ok

ENVELOPE = re.compile(r'<script type="application/json" id="mapsite-envelope">(.*?)</script>', re.S)
GLOBEX = "content/deals/globex/index.md"
INITECH_ENTRY = (
    "  - label: Initech partner team\n    password_env: INITECH_PARTNER_PASSWORD\n"
    "    side: partner      # the partner's own work comes first on the page they open\n"
)
ADDED_AFTER_REMOVAL = "Pricing concession approved by the CFO after the partner left the deal"


def build(site: Path, out: Path, today: str = TODAY) -> Path:
    mapsite_ok(site, "build", "--today", today, "--out", str(out))
    return out


def envelopes(out: Path) -> list[dict]:
    return [
        json.loads(ENVELOPE.search(p.read_text("utf-8")).group(1))
        for p in sorted(out.rglob("*.html"))
        if ENVELOPE.search(p.read_text("utf-8"))
    ]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def globex_page(out: Path) -> dict:
    return json.loads(ENVELOPE.search((out / "globex" / "index.html").read_text("utf-8")).group(1))


def root_of(password: str, page: dict) -> bytes:
    return envelope.password_root(password, envelope.unb64(page["kdf"]["salt"]), page["kdf"]["iterations"])


@pytest.fixture
def series(example_site, tmp_path, monkeypatch) -> list[Path]:
    """Outputs of one site across every kind of re-key, in order."""
    outs = [build(example_site, tmp_path / "0-start")]
    # A password removed: the partner leaves the deal, and the plan then says something new.
    edit(example_site / GLOBEX, INITECH_ENTRY, "")
    edit(example_site / GLOBEX, "\n---\n", f"\n---\n{ADDED_AFTER_REMOVAL}.\n\n")
    outs.append(build(example_site, tmp_path / "1-password-removed"))
    # A password changed.
    monkeypatch.setenv("GLOBEX_PORTAL_PASSWORD", "globex changed password")
    outs.append(build(example_site, tmp_path / "2-password-changed"))
    # A share link added, then revoked; another one left to expire.
    mapsite_ok(example_site, "share", "globex", "--label", "Dana")
    mapsite_ok(example_site, "share", "globex", "--label", "Raj", "--expires", "2027-02-25")
    outs.append(build(example_site, tmp_path / "3-shared"))
    mapsite_ok(example_site, "share", "globex", "--revoke", "Dana")
    outs.append(build(example_site, tmp_path / "4-share-revoked"))
    outs.append(build(example_site, tmp_path / "5-share-expired", today="2027-02-26"))
    # The team page changes password too.
    monkeypatch.setenv("MAPSITE_TEAM_PASSWORD", "a new team password for leadership")
    outs.append(build(example_site, tmp_path / "6-team-rekeyed", today="2027-02-26"))
    return outs


def test_no_nonce_ever_encrypts_two_different_plaintexts_across_rekeys(series):
    """Whatever the sequence of builds: a slot IV under two kids, or one (kid, IV) with two
    ciphertexts, would be AES-GCM nonce reuse."""
    kids_of_slot_iv: dict[str, set[str]] = defaultdict(set)
    ciphertext_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    kids_per_deal: dict[str, set[str]] = defaultdict(set)
    for out in series:
        for page in envelopes(out):
            kids_per_deal[page["deal"]].add(page["kid"])
            for slot in page["slots"]:
                kids_of_slot_iv[slot["iv"]].add(page["kid"])
            ciphertext_of[(page["kid"], page["iv"])].add(page["ct"])
        for blob in out.glob("*/_files/*.bin"):
            data = blob.read_bytes()
            ciphertext_of[(blob.parent.parent.name, data[:12].hex())].add(data[12:].hex())
    # The series really re-keyed: globex four times (removed, changed, revoked, expired), the team once.
    assert len(kids_per_deal["globex"]) == 5
    assert len(kids_per_deal["_team"]) == 2
    reused = {iv: kids for iv, kids in kids_of_slot_iv.items() if len(kids) > 1}
    assert reused == {}, f"slot IVs reused under another key: {reused}"
    assert all(len(cts) == 1 for cts in ciphertext_of.values())


def test_a_removed_partner_with_the_old_page_learns_nothing_new(series):
    """The v1 attack: K_new = K_old xor ct_old xor ct_new for slots sharing a KEK and IV. With the
    old password, the old page and the new page, no new key and no new text comes out."""
    old_page, new_page = globex_page(series[0]), globex_page(series[1])
    assert new_page["kid"] != old_page["kid"]
    old_root = root_of(PASSWORDS["INITECH_PARTNER_PASSWORD"], old_page)
    old_key, old_html = envelope_reader.open_envelope(old_page, old_root)
    assert ADDED_AFTER_REMOVAL.encode() not in old_html

    # The removed password opens nothing new.
    with pytest.raises(ValueError, match="no key slot opens"):
        envelope_reader.open_envelope(new_page, old_root)
    # Neither does the old key.
    with pytest.raises(InvalidTag):
        envelope_reader.decrypt_page(
            old_key,
            "globex",
            new_page["gen"],
            new_page["path"],
            envelope.unb64(new_page["iv"]),
            envelope.unb64(new_page["ct"]),
        )
    # Nor any keystream arithmetic between old and new slots (v1 shared IVs made one pair work).
    candidates = []
    for old_slot in old_page["slots"]:
        for new_slot in new_page["slots"]:
            old_ct, new_ct = envelope.unb64(old_slot["ct"])[:32], envelope.unb64(new_slot["ct"])[:32]
            candidates.append(bytes(a ^ b ^ c for a, b, c in zip(old_key, old_ct, new_ct, strict=True)))
    assert not any(
        old_slot["iv"] == new_slot["iv"] for old_slot in old_page["slots"] for new_slot in new_page["slots"]
    )
    for candidate in candidates:
        assert envelope.key_id(candidate) != new_page["kid"]
        with pytest.raises(InvalidTag):
            AESGCM(candidate).decrypt(
                envelope.unb64(new_page["iv"]),
                envelope.unb64(new_page["ct"]),
                envelope.page_aad("globex", new_page["gen"], new_page["path"]),
            )
    # The remaining members still read the new text.
    remaining = root_of(PASSWORDS["GLOBEX_PORTAL_PASSWORD"], new_page)  # changed only in the next build
    assert ADDED_AFTER_REMOVAL.encode() in envelope_reader.open_envelope(new_page, remaining)[1]


def test_a_revoked_or_expired_share_link_opens_nothing_after_the_rebuild(series, example_site):
    shares = {
        s["label"]: s for s in json.loads((example_site / ".mapsite/shares.json").read_text())["shares"]
    }
    for label, out in (("Dana", series[4]), ("Raj", series[5])):
        page = globex_page(out)
        salt = envelope.unb64(page["kdf"]["salt"])
        root = envelope.share_root(envelope.unb64(shares[label]["secret"]), salt)
        with pytest.raises(ValueError, match="no key slot opens"):
            envelope_reader.open_envelope(page, root)
        # While it was live, it opened the deal.
        envelope_reader.open_envelope(globex_page(series[3]), root)


def test_with_the_site_secret_a_password_guess_still_costs_the_full_kdf(example_site, tmp_path, monkeypatch):
    """Everything public depends on a password only through PBKDF2's output: replace PBKDF2 by a
    function that gives two different passwords the same output, and the published envelopes are
    the same bytes. A fast function of the password anywhere (v1 fed SHA-256(password) into the key
    and so the kid) would tell them apart, and a guess could skip the KDF."""
    out = build(example_site, tmp_path / "real")
    page = globex_page(out)
    assert page["kdf"] == {"name": "PBKDF2-SHA256", "iterations": 600_000, "salt": page["kdf"]["salt"]}
    secret = site_secret(example_site, create=False)[0]

    # v1's shortcut: content key and kid from the site secret and a hash of the passwords.
    lines = sorted(
        f"password:{PASSWORDS[name]}" for name in ("GLOBEX_PORTAL_PASSWORD", "INITECH_PARTNER_PASSWORD")
    )
    fingerprint = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    for prefix in ("mapsite:v1:", envelope.PREFIX):
        fast_key = hmac.new(
            secret, f"{prefix}content-key:globex:{fingerprint}".encode(), hashlib.sha256
        ).digest()
        assert envelope.key_id(fast_key) != page["kid"]

    # The password reaches the output only through the KDF: give a second password the first
    # one's KDF output (through the KDF cache, as a warm build takes it) and the deal's published
    # key material (kid and slots, on which every page depends) is the same.
    salt = envelope.deal_salt(secret, "globex")
    other = "a different globex password"
    [deal] = [d for d in render_all(example_site, dt.date.fromisoformat(TODAY)).deals if d.slug == "globex"]
    real = (PASSWORDS["GLOBEX_PORTAL_PASSWORD"], salt, envelope.ITERATIONS)
    cache = KdfCache(example_site, secret, parallel=False)
    root = cache.derive_all([real])[real]
    assert envelope_reader.open_envelope(page, root)  # the real password's KDF output opens the page
    entry_id = cache._key(other, salt, envelope.ITERATIONS)
    cache.entries[entry_id] = cache._seal(entry_id, root)
    monkeypatch.setenv("GLOBEX_PORTAL_PASSWORD", other)
    faked = derive_deal_keys([deal], example_site, secret, dt.date.fromisoformat(TODAY), cache)["globex"]
    assert faked.kid == page["kid"]
    assert [slot.as_json() for slot in faked.slots] == page["slots"]
    # And the same password with its own KDF output is another key.
    fresh = KdfCache(example_site, secret, parallel=False)
    fresh.entries = {}
    honest = derive_deal_keys([deal], example_site, secret, dt.date.fromisoformat(TODAY), fresh)["globex"]
    assert honest.kid != page["kid"]
