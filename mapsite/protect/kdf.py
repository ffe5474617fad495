"""PBKDF2 for key slots: cached across builds, run in parallel when cold.

600,000 iterations cost about 70 ms each. A site with hundreds of deals would pay that on every
rebuild; the cache (git-ignored, owner-only) keeps the derived key per (password, salt,
iterations), keyed by an HMAC under the site secret so the file lists no passwords.

The derived keys open the portals without any password, so each is sealed (AES-GCM) under a key
derived from the site secret: the file alone names no password, skips no PBKDF2 and cannot be
forged (an entry that fails its tag is derived again). That is what lets CI keep it between runs
(``MAPSITE_KDF_CACHE``: a path outside the checkout, restored by the CI's cache) instead of paying
one PBKDF2 per password on every push. Version 1 kept the keys in the clear; such a file is
ignored and overwritten.

A build's worker processes each get a copy of the cache (``parallel=False``: they already run
one per core), derive what they miss, and hand back ``fresh`` and ``used`` for the build to
merge and save once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from mapsite.layout import STATE_DIR
from mapsite.protect.envelope import b64, password_root, unb64
from mapsite.protect.secrets import private_write

CACHE_FILE = "kdf-cache.json"
CACHE_ENV = "MAPSITE_KDF_CACHE"
FORMAT = 2
Request = tuple[str, bytes, int]


def cache_path(site_dir: Path) -> Path:
    """``MAPSITE_KDF_CACHE`` (relative to the folder mapsite runs in), else the site's own."""
    configured = os.environ.get(CACHE_ENV, "").strip()
    if configured:
        return Path(configured).expanduser().absolute()
    return site_dir / STATE_DIR / CACHE_FILE


def _subkey(site_secret: bytes, purpose: str) -> bytes:
    return hmac.new(site_secret, f"mapsite:kdf-cache:{purpose}".encode(), hashlib.sha256).digest()


class KdfCache:
    def __init__(self, site_dir: Path, site_secret: bytes, parallel: bool = True):
        self.path = cache_path(site_dir)
        self.id_key = _subkey(site_secret, "id")
        self.seal_key = _subkey(site_secret, "seal")
        self.parallel = parallel
        self.entries: dict[str, str] = {}  # id -> sealed derived key
        self.fresh: dict[str, str] = {}  # derived by this process, not yet saved
        self.used: set[str] = set()
        self.outdated = False  # a file in another format, rewritten on save
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("entries"), dict):
            self.entries = {k: v for k, v in data["entries"].items() if isinstance(v, str)}
        else:
            self.outdated = True

    def _key(self, password: str, salt: bytes, iterations: int) -> str:
        message = b"%d:" % iterations + salt + b":" + password.encode("utf-8")
        return hmac.new(self.id_key, message, hashlib.sha256).hexdigest()

    def _seal(self, entry_id: str, derived: bytes) -> str:
        nonce = os.urandom(12)  # random: the file is never published, so it need not rebuild alike
        return b64(nonce + AESGCM(self.seal_key).encrypt(nonce, derived, entry_id.encode()))

    def _open(self, entry_id: str, sealed: str) -> bytes | None:
        try:
            data = unb64(sealed)
            return AESGCM(self.seal_key).decrypt(data[:12], data[12:], entry_id.encode())
        except (ValueError, InvalidTag):
            return None

    def derive_all(self, requests: Iterable[Request]) -> dict[Request, bytes]:
        """KEKs for every request; uncached ones run on all cores at once."""
        wanted = list(dict.fromkeys(requests))
        results: dict[Request, bytes] = {}
        missing = []
        for request in wanted:
            entry_id = self._key(*request)
            self.used.add(entry_id)
            sealed = self.entries.get(entry_id)
            opened = self._open(entry_id, sealed) if sealed else None
            if opened is not None:
                results[request] = opened
            else:
                missing.append(request)
        if len(missing) == 1 or not self.parallel:
            results.update((request, password_root(*request)) for request in missing)
        elif missing:
            workers = min(len(missing), os.cpu_count() or 1)
            with ProcessPoolExecutor(max_workers=workers) as pool:
                derived = pool.map(password_root, *zip(*missing, strict=True))
                results.update(zip(missing, derived, strict=True))
        for request in missing:
            entry_id = self._key(*request)
            self.fresh[entry_id] = self.entries[entry_id] = self._seal(entry_id, results[request])
        return results

    def merge(self, fresh: dict[str, str], used: Iterable[str]) -> None:
        """Take in what a worker derived and used."""
        self.entries.update(fresh)
        self.fresh.update(fresh)
        self.used.update(used)

    def save(self, prune: bool = False) -> None:
        """Write the cache. ``prune`` (a run that used every password of the site: a full build,
        the preview) keeps only the entries it used, so old passwords leave the disk; any other
        run (``build --only``, ``inbox``) keeps every entry, or the next full build would pay
        one PBKDF2 per password again."""
        pruned = {k: v for k, v in self.entries.items() if k in self.used} if prune else self.entries
        if self.fresh or self.outdated or pruned != self.entries or not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            data = {"format": FORMAT, "entries": pruned}
            private_write(self.path, json.dumps(data, sort_keys=True, indent=1) + "\n")
        self.entries = pruned
        self.fresh = {}
        self.outdated = False
