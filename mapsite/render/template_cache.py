"""Compiled templates kept between runs in ``.mapsite/templates/``, each sealed with a site key.

Compiling the theme's templates is the one step of every build, ``build --only`` and preview
start that does not depend on the deals: 0.13 s on this project's machine for the default
theme's 17 templates, against 0.004 s to load them compiled (Jinja's bytecode cache,
measured). On a site of a few deals that is a good part of a build.

Jinja's own ``FileSystemBytecodeCache`` would load whatever it finds: a cache file is a pickle
and marshalled code, so one planted in the folder (a shared CI cache, a copied ``.mapsite/``)
would run in the build, next to the site secret and the deals' passwords. Here each file
carries an HMAC-SHA256 of its template's cache key and its bytes, under a key derived from
the site secret; a file without the right one is ignored and replaced, never unpickled.
Jinja itself rejects a file whose template source has changed since (the checksum it keeps).

The cache only ever saves time: a file that cannot be read or written is compiled anew.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

from mapsite.atomic import write_atomic

MAC_BYTES = 32


class SealedBytecodeCache(jinja2.BytecodeCache):
    """A Jinja bytecode cache in ``folder`` whose files must carry an HMAC under ``key``."""

    def __init__(self, folder: Path, key: bytes) -> None:
        self.folder = folder
        self.key = key

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            data = self._path(bucket).read_bytes()
        except OSError:
            return
        mac, body = data[:MAC_BYTES], data[MAC_BYTES:]
        if hmac.compare_digest(mac, self._mac(bucket, body)):
            bucket.bytecode_from_string(body)

    def dump_bytecode(self, bucket: Bucket) -> None:
        body = bucket.bytecode_to_string()
        with contextlib.suppress(OSError):  # then the next run compiles the template again
            write_atomic(self._path(bucket), self._mac(bucket, body) + body, private=True)

    def _path(self, bucket: Bucket) -> Path:
        return self.folder / f"{bucket.key}.cache"  # key: a SHA-1 in hex, from Jinja

    def _mac(self, bucket: Bucket, body: bytes) -> bytes:
        return hmac.digest(self.key, bucket.key.encode("ascii") + b"\0" + body, hashlib.sha256)
