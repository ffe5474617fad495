"""The Python side of the envelope and the key handling around it."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest
from cryptography.exceptions import InvalidTag

from mapsite.protect import envelope
from mapsite.protect.kdf import KdfCache
from mapsite.protect.secrets import add_share, load_shares, revoke_share, site_secret
from tests import envelope_reader

SECRET = bytes(range(32))


def _key(*roots: bytes, revoked: tuple[str, ...] = ()) -> bytes:
    return envelope.content_key(SECRET, "acme", envelope.access_fingerprint(list(roots), list(revoked)))


def test_page_round_trip_and_binding_to_deal_generation_and_path():
    key = _key(b"r" * 32)
    iv, ct = envelope.encrypt_page(key, "acme", "2026-11-29", "acme/index.html", b"<p>plan</p>")
    assert (
        envelope_reader.decrypt_page(key, "acme", "2026-11-29", "acme/index.html", iv, ct) == b"<p>plan</p>"
    )
    for deal, generation, path in [
        ("acme", "2026-11-29", "acme/security/index.html"),
        ("globex", "2026-11-29", "acme/index.html"),
        ("acme", "2026-11-30", "acme/index.html"),  # a page cannot claim another build
    ]:
        with pytest.raises(InvalidTag):
            envelope_reader.decrypt_page(key, deal, generation, path, iv, ct)
    tampered = bytes([ct[0] ^ 1]) + ct[1:]
    with pytest.raises(InvalidTag):
        envelope_reader.decrypt_page(key, "acme", "2026-11-29", "acme/index.html", iv, tampered)


def test_pages_are_padded_so_their_size_says_little():
    key = os.urandom(32)
    short = envelope.encrypt_page(key, "d", "2026-11-29", "d/index.html", b"x" * 10)[1]
    longer = envelope.encrypt_page(key, "d", "2026-11-29", "d/index.html", b"x" * 4000)[1]
    assert len(short) == len(longer) == 4096 + 16


def test_ivs_are_deterministic_and_unique_per_plaintext():
    key = os.urandom(32)
    first = envelope.encrypt_page(key, "d", "g", "d/index.html", b"one")
    assert envelope.encrypt_page(key, "d", "g", "d/index.html", b"one") == first
    ivs = {
        envelope.encrypt_page(key, "d", "g", path, text)[0]
        for path in ("d/a", "d/b")
        for text in (b"one", b"two")
    }
    assert len(ivs) == 4


def test_password_slot_opens_only_with_its_password():
    salt = envelope.deal_salt(SECRET, "acme")
    key = os.urandom(32)
    slot = envelope.wrap_key(envelope.password_root("right", salt), key, "acme", "password")
    assert envelope_reader.unwrap_key(envelope.password_root("right", salt), slot, "acme") == key
    with pytest.raises(InvalidTag):
        envelope_reader.unwrap_key(envelope.password_root("wrong", salt), slot, "acme")


def test_share_slot_needs_no_slow_kdf_and_its_expiry_cannot_be_edited():
    salt = envelope.deal_salt(SECRET, "acme")
    key, share = os.urandom(32), os.urandom(16)
    slot = envelope.wrap_key(envelope.share_root(share, salt), key, "acme", "share", "2027-05-01")
    assert slot.as_json()["expires"] == "2027-05-01"
    assert envelope_reader.unwrap_key(envelope.share_root(share, salt), slot, "acme") == key
    extended = envelope.Slot(slot.type, slot.iv, slot.ct, "2099-01-01")
    with pytest.raises(InvalidTag):
        envelope_reader.unwrap_key(envelope.share_root(share, salt), extended, "acme")


def test_content_key_changes_exactly_when_access_changes():
    a, b = b"a" * 32, b"b" * 32
    base = _key(a, b)
    assert _key(b, a) == base
    assert _key(a) != base
    assert _key(a, b, revoked=("x1",)) != base
    assert envelope.content_key(SECRET, "globex", envelope.access_fingerprint([a, b], [])) != base


@pytest.mark.parametrize("size", [0, 1, 4087, 4088, 4089, 100_000])
def test_files_are_padded_to_buckets(size):
    key = os.urandom(32)
    data = os.urandom(size)
    blob = envelope.encrypt_file(key, "d", "d/files/x.pdf", data)
    padded = len(blob) - 12 - 16
    assert padded >= size + 8 and padded >= 4096 and padded & (padded - 1) == 0
    assert envelope_reader.decrypt_file(key, "d", "d/files/x.pdf", blob) == data


def test_site_secret_is_created_private_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv("MAPSITE_SECRET", raising=False)
    secret, created = site_secret(tmp_path)
    path = tmp_path / ".mapsite" / "secret"
    assert created and len(secret) == 32
    assert path.stat().st_mode & 0o777 == 0o600
    assert site_secret(tmp_path) == (secret, False)
    monkeypatch.setenv("MAPSITE_SECRET", envelope.b64(SECRET))
    assert site_secret(tmp_path) == (SECRET, False)


def test_site_secret_from_environment_must_be_long_enough(tmp_path, monkeypatch):
    from mapsite.errors import MapsiteError

    monkeypatch.setenv("MAPSITE_SECRET", "c2hvcnQ")
    with pytest.raises(MapsiteError, match="MAPSITE_SECRET must be at least 32 random bytes"):
        site_secret(tmp_path)


def test_kdf_cache_skips_work_and_forgets_old_passwords(tmp_path, monkeypatch):
    cache = KdfCache(tmp_path, SECRET)
    request = ("hunter2", b"s" * 16, envelope.ITERATIONS)
    kek = cache.derive_all([request])[request]
    assert kek == envelope.password_root("hunter2", b"s" * 16)
    cache.save(prune=True)  # a run that used every password keeps what it used
    stored = (tmp_path / ".mapsite" / "kdf-cache.json").read_text("utf-8")
    assert "hunter2" not in stored
    monkeypatch.setattr("mapsite.protect.kdf.password_root", lambda *_args: pytest.fail("cache miss"))
    assert KdfCache(tmp_path, SECRET).derive_all([request])[request] == kek
    fresh = KdfCache(tmp_path, SECRET)
    fresh.save(prune=True)  # ... and forgets the rest
    assert json.loads((tmp_path / ".mapsite" / "kdf-cache.json").read_text("utf-8")) == {
        "format": 2,
        "entries": {},
    }


def test_cold_kdfs_run_in_parallel_and_agree(tmp_path):
    cache = KdfCache(tmp_path, SECRET)
    requests = [(f"pw{i}", b"salt-salt-salt-1", envelope.ITERATIONS) for i in range(3)]
    results = cache.derive_all(requests)
    assert results[requests[2]] == envelope.password_root("pw2", b"salt-salt-salt-1")


def test_shares_are_stored_privately_and_revoked_by_label(tmp_path, monkeypatch):
    monkeypatch.delenv("MAPSITE_SHARES", raising=False)
    today = dt.date(2027, 2, 22)
    share = add_share(tmp_path, "acme", "Dana (VP Marketing)", today, dt.date(2027, 3, 1))
    assert len(envelope.unb64(share.secret)) == 16
    assert (tmp_path / ".mapsite" / "shares.json").stat().st_mode & 0o777 == 0o600
    [loaded] = load_shares(tmp_path)
    assert loaded == share and loaded.active(today) and not loaded.active(dt.date(2027, 3, 2))
    revoke_share(tmp_path, "Dana (VP Marketing)", today, "acme")
    [revoked] = load_shares(tmp_path)
    assert revoked.revoked == "2027-02-22" and not revoked.active(today)
