"""The versioned crypto envelope (docs/protection.md), Python side.

Everything here is deterministic given its inputs: the same site secret, passwords and
plaintext give the same bytes, so rebuilds are reproducible and deploys upload only what really
changed. IVs are derived from the key and the plaintext (never reused for two plaintexts).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import struct
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

VERSION = 1
PREFIX = f"mapsite:v{VERSION}:"
ITERATIONS = 600_000
FIRST_BUCKET = 4096


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _hmac(key: bytes, message: str | bytes) -> bytes:
    data = message.encode("utf-8") if isinstance(message, str) else message
    return hmac.new(key, data, hashlib.sha256).digest()


def deal_salt(site_secret: bytes, deal: str) -> bytes:
    return _hmac(site_secret, f"{PREFIX}salt:{deal}")[:16]


def access_fingerprint(passwords: list[str], revoked_shares: list[str]) -> str:
    """Changes exactly when someone loses access; see docs/protection.md."""
    lines = sorted([f"password:{p}" for p in passwords] + [f"revoked:{s}" for s in revoked_shares])
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def content_key(site_secret: bytes, deal: str, fingerprint: str) -> bytes:
    return _hmac(site_secret, f"{PREFIX}content-key:{deal}:{fingerprint}")


def key_id(key: bytes) -> str:
    return _hmac(key, f"{PREFIX}kid")[:8].hex()


def password_kek(password: str, salt: bytes, iterations: int = ITERATIONS) -> bytes:
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=iterations)
    return kdf.derive(password.encode("utf-8"))


def share_kek(share_secret: bytes, salt: bytes) -> bytes:
    kdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=f"{PREFIX}share".encode())
    return kdf.derive(share_secret)


@dataclass(frozen=True)
class Slot:
    """The content key wrapped for one password or share link; JSON-ready via ``as_json``."""

    type: str
    iv: bytes
    ct: bytes
    expires: str | None = None

    def as_json(self) -> dict:
        data = {"type": self.type, "iv": b64(self.iv), "ct": b64(self.ct)}
        if self.expires:
            data["expires"] = self.expires
        return data


def wrap_key(kek: bytes, key: bytes, deal: str, slot_type: str, expires: str | None = None) -> Slot:
    iv = _hmac(kek, f"{PREFIX}slot-iv")[:12]
    ct = AESGCM(kek).encrypt(iv, key, f"{PREFIX}slot:{deal}".encode())
    return Slot(slot_type, iv, ct, expires)


def unwrap_key(kek: bytes, slot: Slot, deal: str) -> bytes:
    """Raises cryptography's InvalidTag when the KEK does not open this slot."""
    return AESGCM(kek).decrypt(slot.iv, slot.ct, f"{PREFIX}slot:{deal}".encode())


def associated_data(deal: str, path: str) -> bytes:
    return f"{PREFIX}{deal}:{path}".encode()


def encrypt(key: bytes, deal: str, path: str, plaintext: bytes) -> tuple[bytes, bytes]:
    """(iv, ciphertext+tag) of ``plaintext`` bound to the deal and output path."""
    aad = associated_data(deal, path)
    iv = _hmac(key, aad + b"\x00" + plaintext)[:12]
    return iv, AESGCM(key).encrypt(iv, plaintext, aad)


def decrypt(key: bytes, deal: str, path: str, iv: bytes, ciphertext: bytes) -> bytes:
    return AESGCM(key).decrypt(iv, ciphertext, associated_data(deal, path))


def pad(data: bytes) -> bytes:
    """Length prefix and zero padding up to the size bucket (4 KiB, then powers of two)."""
    needed = len(data) + 8
    bucket = FIRST_BUCKET
    while bucket < needed:
        bucket *= 2
    return struct.pack(">Q", len(data)) + data + b"\x00" * (bucket - needed)


def unpad(padded: bytes) -> bytes:
    (length,) = struct.unpack(">Q", padded[:8])
    return padded[8 : 8 + length]


def file_blob_name(key: bytes, path: str) -> str:
    return _hmac(key, f"{PREFIX}file:{path}")[:16].hex() + ".bin"


def encrypt_file(key: bytes, deal: str, path: str, content: bytes) -> bytes:
    """A file blob on disk: iv (12 bytes) || ciphertext+tag of the padded content."""
    iv, ciphertext = encrypt(key, deal, path, pad(content))
    return iv + ciphertext


def decrypt_file(key: bytes, deal: str, path: str, blob: bytes) -> bytes:
    return unpad(decrypt(key, deal, path, blob[:12], blob[12:]))


def open_file(key: bytes, deal: str, path: str, info: dict, blob: bytes) -> bytes:
    """A deal file from its blob, as the browser opens it: alone, or out of its bundle."""
    if "bundle" in info:
        texts = json.loads(decrypt_file(key, deal, info["bundle"], blob))
        return texts[path].encode("utf-8")
    return decrypt_file(key, deal, path, blob)
