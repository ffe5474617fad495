"""The versioned crypto envelope (docs/protection.md), Python side: sealing only.

The buyer's browser is the one reader (unlock.js); the tests read published output with their
own opener, tests/envelope_reader.py.

Everything here is deterministic given its inputs: the same site secret, passwords, build day and
plaintext give the same bytes, so rebuilds are reproducible and deploys upload only what really
changed. Determinism is safe only because every AES-GCM nonce is synthetic: a PRF, under a key
used for nothing else, of the associated data and the plaintext itself. A (key, nonce) pair can
then never encrypt two different plaintexts, whatever sequence of builds happens; version 1 gave
each key slot a fixed nonce, so re-keying a deal let a revoked reader recover the new key.

Nothing public is a fast function of a password: the content key and everything derived from
it come from the site secret and the slow KDF's output, never from the password itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

VERSION = 2
PREFIX = f"mapsite:v{VERSION}:"
ITERATIONS = 600_000
FIRST_BUCKET = 4096


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hmac_sha256(key: bytes, message: str | bytes) -> bytes:
    """HMAC-SHA256 as docs/protection.md writes it; the update codes (updates.py) use it too."""
    data = message.encode("utf-8") if isinstance(message, str) else message
    return hmac.new(key, data, hashlib.sha256).digest()


def hkdf(material: bytes, info: str, salt: bytes | None = None) -> bytes:
    """HKDF-SHA256 to 32 bytes, the one way a key is derived from another (here and in updates.py)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info.encode()).derive(material)


def deal_salt(site_secret: bytes, deal: str) -> bytes:
    return hmac_sha256(site_secret, f"{PREFIX}salt:{deal}")[:16]


def path_key(site_secret: bytes, deal: str) -> bytes:
    """Names the published folders of a deal's extra pages; stable across re-keys."""
    return hmac_sha256(site_secret, f"{PREFIX}paths:{deal}")


# ------------------------------------------------------------------ credentials


def password_root(password: str, salt: bytes, iterations: int = ITERATIONS) -> bytes:
    """The slow step: PBKDF2-SHA256. Everything a password opens is derived from this output."""
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=iterations)
    return kdf.derive(password.encode("utf-8"))


def share_root(share_secret: bytes, salt: bytes) -> bytes:
    """A share link's 128 random bits need no slow KDF."""
    return hkdf(share_secret, f"{PREFIX}share", salt)


def credential_fingerprint(root: bytes) -> str:
    """Stands for a password in the access fingerprint: costs a guess the full KDF."""
    return hkdf(root, f"{PREFIX}fingerprint").hex()


def access_fingerprint(password_roots: list[bytes], revoked_shares: list[str]) -> str:
    """Changes exactly when the set of passwords changes or a share is revoked or expires."""
    lines = sorted(
        [f"password:{credential_fingerprint(root)}" for root in password_roots]
        + [f"revoked:{share}" for share in revoked_shares]
    )
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def content_key(site_secret: bytes, deal: str, fingerprint: str) -> bytes:
    return hmac_sha256(site_secret, f"{PREFIX}content-key:{deal}:{fingerprint}")


def key_id(key: bytes) -> str:
    return hmac_sha256(key, f"{PREFIX}kid")[:8].hex()


# ------------------------------------------------------------------ key slots


@dataclass(frozen=True)
class Slot:
    """The content key wrapped for one password or share link; JSON-ready via ``as_json``."""

    type: str
    iv: bytes
    ct: bytes
    expires: str | None = None
    side: str = "buyer"  # told to the reader inside the sealed page only, never in the envelope
    # Which way in this is ("entry:<label>", "link:<share id>"), stable across re-keys: it names
    # the slot's view files (protect/views.py); never in the envelope.
    credential: str = ""

    def as_json(self) -> dict:
        data = {"type": self.type, "iv": b64(self.iv), "ct": b64(self.ct)}
        if self.expires:
            data["expires"] = self.expires
        return data


def slot_id(slot: Slot) -> str:
    """Names a slot in the sealed page's map of reader sides: the first 16 bytes of its
    ciphertext, which unlock.js reads from the envelope the same way."""
    return b64(slot.ct)[:22]


def slot_aad(deal: str, slot_type: str, expires: str | None) -> bytes:
    """Binds a slot to its deal, its kind and its expiry date: none can be edited on the host."""
    return f"{PREFIX}slot:{deal}:{slot_type}:{expires or ''}".encode()


def wrap_key(root: bytes, key: bytes, deal: str, slot_type: str, expires: str | None = None) -> Slot:
    """AES-GCM under a key derived from the credential, with a nonce synthesised from the content
    key: a new content key gets a new nonce, the same one the same bytes."""
    aad = slot_aad(deal, slot_type, expires)
    iv = hmac_sha256(hkdf(root, f"{PREFIX}slot-iv"), aad + b"\x00" + key)[:12]
    ct = AESGCM(hkdf(root, f"{PREFIX}slot-key")).encrypt(iv, key, aad)
    return Slot(slot_type, iv, ct, expires)


# ------------------------------------------------------------------ pages and files


def page_aad(deal: str, generation: str, path: str) -> bytes:
    return f"{PREFIX}page:{deal}:{generation}:{path}".encode()


def file_aad(deal: str, path: str) -> bytes:
    return f"{PREFIX}file:{deal}:{path}".encode()


def _seal(key: bytes, aad: bytes, plaintext: bytes) -> tuple[bytes, bytes]:
    iv = hmac_sha256(hmac_sha256(key, f"{PREFIX}iv"), aad + b"\x00" + plaintext)[:12]
    return iv, AESGCM(key).encrypt(iv, plaintext, aad)


def encrypt_page(key: bytes, deal: str, generation: str, path: str, html: bytes) -> tuple[bytes, bytes]:
    """(iv, ciphertext+tag) of the padded page, bound to its deal, build generation and path."""
    return _seal(key, page_aad(deal, generation, path), pad(html))


def pad(data: bytes) -> bytes:
    """Length prefix and zero padding up to the size bucket (4 KiB, then powers of two)."""
    needed = len(data) + 8
    bucket = FIRST_BUCKET
    while bucket < needed:
        bucket *= 2
    return struct.pack(">Q", len(data)) + data + b"\x00" * (bucket - needed)


def file_blob_name(key: bytes, path: str) -> str:
    return hmac_sha256(key, f"{PREFIX}file:{path}")[:16].hex() + ".bin"


def encrypt_file(key: bytes, deal: str, path: str, content: bytes) -> bytes:
    """A file blob on disk: iv (12 bytes) || ciphertext+tag of the padded content.

    Files carry no generation (a PDF unchanged for months keeps its bytes, so deploys skip it);
    the page that links a file pins the blob's SHA-256, and the page is bound to its generation.
    """
    iv, ciphertext = _seal(key, file_aad(deal, path), pad(content))
    return iv + ciphertext
