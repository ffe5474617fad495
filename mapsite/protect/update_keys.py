"""The update-key history: every ``(kid, U)`` this machine built, so older pages' codes still open.

A reader may send an update from a page built before the deal was re-keyed (a colleague's
password changed meanwhile). The inbox then needs that page's update key, which no current
credential gives back, and, to say who sent it, the senders of that build: a password removed
since is known only from here ("no current access entry"). So each protected build records its
deal's ``(kid, U, senders)`` in ``.mapsite/update-keys.json``.

The file lets whoever holds it open updates and forge codes as any recorded sender, so each
entry is sealed like the KDF cache's (protect/kdf.py): AES-GCM under a key from the site secret,
random nonce, the entry's name (``deal:kid``, both public) as associated data. The file alone
gives away how many keys each deal had, nothing more. A build records all its deals at once, in
its parent process; a build and a preview may still run together, so the read-modify-write is
under an exclusive lock.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from mapsite.layout import STATE_DIR
from mapsite.protect.envelope import b64, unb64
from mapsite.protect.kdf import KdfCache
from mapsite.protect.keys import DealKeys, Guarded, derive_deal_keys
from mapsite.protect.secrets import Share, private_write
from mapsite.protect.updates import Keyring, Sender

HISTORY_FILE = "update-keys.json"
FORMAT = 1


def history_path(site_dir: Path) -> Path:
    return site_dir / STATE_DIR / HISTORY_FILE


def _seal_key(site_secret: bytes) -> bytes:
    return hmac.new(site_secret, b"mapsite:update-keys:seal", hashlib.sha256).digest()


@contextmanager
def _locked(site_dir: Path) -> Iterator[None]:
    lock = history_path(site_dir).with_suffix(".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _entries(site_dir: Path) -> dict[str, str]:
    try:
        data = json.loads(history_path(site_dir).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if (
        not isinstance(data, dict)
        or data.get("format") != FORMAT
        or not isinstance(data.get("entries"), dict)
    ):
        return {}
    return {name: value for name, value in data["entries"].items() if isinstance(value, str)}


def update_key_record(keys: DealKeys) -> tuple[str, str]:
    """What a build remembers of the deal's keys: the entry's name and its plaintext, sealed only
    by ``record_update_keys`` (the workers that seal the pages hand it to the parent)."""
    senders = [
        {"id": s.id, "key": b64(s.key), "label": s.label, "kind": s.kind, "side": s.side}
        for s in keys.senders
    ]
    plain = json.dumps({"update": b64(keys.update_key), "senders": senders}, sort_keys=True)
    return f"{keys.deal}:{keys.kid}", plain


def record_update_keys(site_dir: Path, site_secret: bytes, records: Iterable[tuple[str, str]]) -> None:
    """Remember the ``(kid, U, senders)`` of every deal of this build (once per kid): one read and
    at most one write per build, where a record per deal rewrote the whole file per deal."""
    records = list(records)
    if not records:
        return
    with _locked(site_dir):
        entries = _entries(site_dir)
        changed = False
        for name, plain in records:
            if _open(site_secret, name, entries.get(name)) == json.loads(plain):
                continue
            nonce = os.urandom(12)  # never published: it need not rebuild alike
            sealed = AESGCM(_seal_key(site_secret)).encrypt(nonce, plain.encode(), name.encode())
            entries[name], changed = b64(nonce + sealed), True
        if changed:
            text = json.dumps({"format": FORMAT, "entries": entries}, indent=1, sort_keys=True) + "\n"
            private_write(history_path(site_dir), text)


def _open(site_secret: bytes, name: str, sealed: str | None) -> dict | None:
    if sealed is None:
        return None
    try:
        data = unb64(sealed)
        opened = json.loads(AESGCM(_seal_key(site_secret)).decrypt(data[:12], data[12:], name.encode()))
    except (ValueError, InvalidTag):
        return None  # another site's secret, or an edited entry: as if never recorded
    return opened if isinstance(opened, dict) else None


def update_keyring(
    deal: Guarded,
    site_dir: Path,
    site_secret: bytes,
    today: dt.date,
    cache: KdfCache | None = None,
    shares: list[Share] | None = None,
) -> Keyring:
    """What opens ``deal``'s update codes: its current keys and senders, and every earlier build's.

    A sender known only from an earlier build (its password removed or changed, its link
    deleted) is ``removed``; the current senders' states (revoked, expired) win over the history.
    """
    current = derive_deal_keys([deal], site_dir, site_secret, today, cache, shares)[deal.slug]
    update_keys = {current.kid: current.update_key}
    senders = {sender.id: sender for sender in current.senders}
    prefix = f"{deal.slug}:"
    for name, sealed in sorted(_entries(site_dir).items()):
        opened = _open(site_secret, name, sealed) if name.startswith(prefix) else None
        if opened is None:
            continue
        update_keys.setdefault(name[len(prefix) :], unb64(opened["update"]))
        for item in opened["senders"]:
            if item["id"] not in senders:
                senders[item["id"]] = Sender(
                    item["id"], unb64(item["key"]), item["label"], item["kind"], item["side"], "removed"
                )
    return Keyring(deal.slug, current.kid, update_keys, tuple(senders.values()))
