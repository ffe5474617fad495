"""The manifest a target keeps of what was last published there, sealed with the site secret.

A host that serves the site also serves this file, and a plain list of paths would name every
deal, including those whose slug was made random to hide the buyer. So the state is encrypted
(AES-256-GCM, a fresh random IV each time) under a key derived from the site secret, which
every machine that builds the site already has. A state that cannot be opened (another secret,
a damaged file) is simply treated as absent: the next deploy compares by listing and re-sends.
"""

from __future__ import annotations

import json
import os
import zlib

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from mapsite.write.manifest import FileEntry

STATE_NAME = ".mapsite-deploy-state"
HEADER = b"mapsite-deploy-state:v1\n"


def _key(site_secret: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"mapsite deploy state v1").derive(
        site_secret
    )


def seal_state(entries: dict[str, FileEntry], site_secret: bytes) -> bytes:
    rows = {
        path: [entry.size, entry.sha256, entry.content_type, entry.cache_control]
        for path, entry in sorted(entries.items())
    }
    plaintext = zlib.compress(json.dumps({"files": rows}, separators=(",", ":")).encode("utf-8"))
    iv = os.urandom(12)
    return HEADER + iv + AESGCM(_key(site_secret)).encrypt(iv, plaintext, HEADER)


def open_state(blob: bytes | None, site_secret: bytes) -> dict[str, FileEntry] | None:
    if not blob or not blob.startswith(HEADER) or len(blob) < len(HEADER) + 28:
        return None
    body = blob[len(HEADER) :]
    try:
        plaintext = AESGCM(_key(site_secret)).decrypt(body[:12], body[12:], HEADER)
        rows = json.loads(zlib.decompress(plaintext))["files"]
        return {
            path: FileEntry(path, int(size), str(sha), str(ctype), str(cache))
            for path, (size, sha, ctype, cache) in rows.items()
        }
    except (InvalidTag, ValueError, KeyError, TypeError, zlib.error):
        return None
