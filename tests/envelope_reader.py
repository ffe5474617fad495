"""Published envelopes opened the way unlock.js opens them, for tests that read the built output.

mapsite itself only seals: the buyer's browser is the one reader of the envelope. The tests need
a second reader in Python to check what was published, and it lives here, written from the
envelope's description (docs/protection.md); of the sealing side it takes only the labels and
associated data.
"""

from __future__ import annotations

import hashlib
import json
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from mapsite.protect.envelope import PREFIX, Slot, file_aad, page_aad, slot_aad, unb64


def unwrap_key(root: bytes, slot: Slot, deal: str) -> bytes:
    """The content key in ``slot``; raises InvalidTag when the credential does not open it."""
    wrapping = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"{PREFIX}slot-key".encode())
    key = wrapping.derive(root)
    return AESGCM(key).decrypt(slot.iv, slot.ct, slot_aad(deal, slot.type, slot.expires))


def decrypt_page(key: bytes, deal: str, generation: str, path: str, iv: bytes, ciphertext: bytes) -> bytes:
    return _unpad(AESGCM(key).decrypt(iv, ciphertext, page_aad(deal, generation, path)))


def decrypt_file(key: bytes, deal: str, path: str, blob: bytes) -> bytes:
    """A file blob: iv (12 bytes) || ciphertext+tag of the padded content."""
    return _unpad(AESGCM(key).decrypt(blob[:12], blob[12:], file_aad(deal, path)))


def open_file(key: bytes, deal: str, path: str, info: dict, blob: bytes) -> bytes:
    """A deal file from its blob, as the browser opens it: alone, or out of its bundle."""
    if hashlib.sha256(blob).hexdigest() != info["sha256"]:
        raise ValueError(f"the blob of {path} is not the one its page was sealed with")
    if "bundle" in info:
        texts = json.loads(decrypt_file(key, deal, info["bundle"], blob))
        return texts[path].encode("utf-8")
    return decrypt_file(key, deal, path, blob)


def open_envelope(data: dict, root: bytes) -> tuple[bytes, bytes]:
    """(content key, page HTML) of a published envelope, opened with a credential's root;
    raises ValueError when no slot opens or the page does not decrypt."""
    for item in data["slots"]:
        slot = Slot(item["type"], unb64(item["iv"]), unb64(item["ct"]), item.get("expires"))
        try:
            key = unwrap_key(root, slot, data["deal"])
        except InvalidTag:
            continue
        try:
            html = decrypt_page(
                key, data["deal"], data["gen"], data["path"], unb64(data["iv"]), unb64(data["ct"])
            )
        except InvalidTag:
            raise ValueError(f"the page {data['path']} does not decrypt: altered or damaged") from None
        return key, html
    raise ValueError("no key slot opens with this credential")


def _unpad(padded: bytes) -> bytes:
    """Drop the 8-byte length prefix and the zero padding up to the size bucket."""
    (length,) = struct.unpack(">Q", padded[:8])
    return padded[8 : 8 + length]
