"""PBKDF2 for key slots: cached across builds, run in parallel when cold.

600,000 iterations cost about 70 ms each. A site with hundreds of deals would pay that on every
rebuild; the cache (git-ignored, owner-only) keeps the derived key per (password, salt,
iterations), keyed by an HMAC under the site secret so the file lists no passwords.

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

from mapsite.layout import STATE_DIR
from mapsite.protect.envelope import b64, password_root, unb64
from mapsite.protect.secrets import _private_write

CACHE_FILE = "kdf-cache.json"
Request = tuple[str, bytes, int]


class KdfCache:
    def __init__(self, site_dir: Path, site_secret: bytes, parallel: bool = True):
        self.path = site_dir / STATE_DIR / CACHE_FILE
        self.site_secret = site_secret
        self.parallel = parallel
        self.entries: dict[str, str] = {}
        self.fresh: dict[str, str] = {}  # derived by this process, not yet saved
        self.used: set[str] = set()
        try:
            self.entries = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            self.entries = {}

    def _key(self, password: str, salt: bytes, iterations: int) -> str:
        message = b"%d:" % iterations + salt + b":" + password.encode("utf-8")
        return hmac.new(self.site_secret, message, hashlib.sha256).hexdigest()

    def derive_all(self, requests: Iterable[Request]) -> dict[Request, bytes]:
        """KEKs for every request; uncached ones run on all cores at once."""
        wanted = list(dict.fromkeys(requests))
        results: dict[Request, bytes] = {}
        missing = []
        for request in wanted:
            self.used.add(self._key(*request))
            cached = self.entries.get(self._key(*request))
            if cached:
                results[request] = unb64(cached)
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
            self.fresh[self._key(*request)] = self.entries[self._key(*request)] = b64(results[request])
        return results

    def merge(self, fresh: dict[str, str], used: Iterable[str]) -> None:
        """Take in what a worker derived and used."""
        self.entries.update(fresh)
        self.fresh.update(fresh)
        self.used.update(used)

    def save(self, keep: Iterable[Request] | None = None) -> None:
        """Write the cache, keeping only entries still in use (default: used by this build), so
        old passwords leave the disk."""
        keep_keys = self.used if keep is None else {self._key(*request) for request in keep}
        pruned = {k: v for k, v in self.entries.items() if k in keep_keys}
        if self.fresh or pruned != self.entries or not self.path.exists():
            _private_write(self.path, json.dumps(pruned, sort_keys=True, indent=1) + "\n")
        self.entries = pruned
        self.fresh = {}
