"""Update codes (docs/updates.md, format version 1), Python side: their keys, sealing and opening.

A reader of an unlocked portal answers the plan by sending the rep an update code: a small JSON
payload sealed in the browser (themes/default/static/update-code.js) under the deal's update key
``U`` and authenticated with the sender key ``A`` of the credential the reader logged in with.
This module is the rep's half: it derives the same keys from the site secret and the credentials,
checks a code's MAC against every sender the deal has had, and says plainly why a code is refused
(damaged, cut short, for another deal, from a revoked link or a removed password, under a key
this machine never built). ``seal_code`` is the browser's algorithm again, so tests can make
codes without a browser and compare the two.

Nothing here prints or logs ``U``, ``L`` or ``A``: they only ever leave as bytes to the caller.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import zlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from mapsite.errors import MapsiteError
from mapsite.protect.envelope import PREFIX, hkdf, hmac_sha256

CODE_VERSION = 1
KID_BYTES = 8
SENDER_BYTES = 8
IV_BYTES = 12
TAG_BYTES = 16  # AES-GCM's tag, at the end of ct
MAC_BYTES = 16
HEADER_BYTES = 1 + KID_BYTES + SENDER_BYTES
SMALLEST_CODE = HEADER_BYTES + IV_BYTES + TAG_BYTES + MAC_BYTES
MAX_PAYLOAD = 1 << 20  # what a code may inflate to: a deflate bomb stops here


def update_key(content_key: bytes) -> bytes:
    """``U``: seals updates so that only holders of the deal's current key read them."""
    return hkdf(content_key, f"{PREFIX}updates")


def pending_key(site_secret: bytes, deal: str) -> bytes:
    """``L``: encrypts a reader's unsent changes on their own device; survives re-keys."""
    return hmac_sha256(site_secret, f"{PREFIX}pending:{deal}")


def sender_key(root: bytes) -> bytes:
    """``A``: the HMAC key of one credential (password or share link) of one deal."""
    return hkdf(root, f"{PREFIX}update-auth")


def sender_id(key: bytes) -> str:
    """The public name of a sender key: 16 hex characters that name no person."""
    return hmac_sha256(key, f"{PREFIX}sender-id")[:SENDER_BYTES].hex()


@dataclass(frozen=True)
class Sender:
    """One credential a code may come from, as the rep's machine knows it.

    ``state`` is ``active``, ``revoked`` or ``expired`` (a share link, ``since`` its date), or
    ``removed`` (known only from the update-key history: no current access entry or link).
    """

    id: str
    key: bytes
    label: str
    kind: str  # "password" | "share"
    side: str
    state: str = "active"
    since: str | None = None

    def __repr__(self) -> str:  # the key stays out of every log and traceback
        return f"Sender({self.kind} {self.label!r}, {self.side}, {self.state})"

    @property
    def described(self) -> str:
        what = "the access entry" if self.kind == "password" else "the share link"
        return f"{what} '{self.label}'"


@dataclass(frozen=True)
class Keyring:
    """What opens a deal's codes: its current key id, every ``(kid, U)`` built, every sender."""

    deal: str
    kid: str
    update_keys: dict[str, bytes]
    senders: tuple[Sender, ...]

    def __repr__(self) -> str:
        counts = f"{len(self.update_keys)} keys, {len(self.senders)} senders"
        return f"Keyring({self.deal!r}, kid={self.kid}, {counts})"


@dataclass(frozen=True)
class OpenedUpdate:
    deal: str
    kid: str
    sender: Sender
    payload: dict
    old_key: bool  # sealed on a page built before the deal's last re-key


class UpdateRefused(MapsiteError):
    """A code the inbox will not apply; the message says why and what to ask the sender."""


def _aad(deal: str, kid: bytes, sender: bytes) -> bytes:
    return f"{PREFIX}update:{deal}:{kid.hex()}:{sender.hex()}".encode()


def _mac(key: bytes, deal: str, body: bytes) -> bytes:
    return hmac_sha256(key, f"{PREFIX}update-mac:{deal}:".encode() + body)[:MAC_BYTES]


def seal_code(payload: dict, deal: str, kid: str, update: bytes, sender: bytes) -> bytes:
    """The browser's sealing, for tests and tools: the same bytes update-code.js makes."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    plain = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    z = deflater.compress(plain) + deflater.flush()
    kid_bytes, sender_bytes = bytes.fromhex(kid), bytes.fromhex(sender_id(sender))
    iv = hmac_sha256(sender, f"{PREFIX}update-iv:".encode() + z)[:IV_BYTES]
    ct = AESGCM(update).encrypt(iv, z, _aad(deal, kid_bytes, sender_bytes))
    body = bytes([CODE_VERSION]) + kid_bytes + sender_bytes + iv + ct
    return body + _mac(sender, deal, body)


def open_code(code: bytes, keyring: Keyring) -> OpenedUpdate:
    """Check and open one code for ``keyring``'s deal, or raise ``UpdateRefused`` saying why."""
    deal = keyring.deal
    if len(code) < SMALLEST_CODE:
        raise UpdateRefused(
            f"this update code is cut short ({len(code)} bytes, at least {SMALLEST_CODE} expected)",
            hint="copy the whole block, from BEGIN MAPSITE UPDATE to END, or ask the sender to send it again",
        )
    if code[0] != CODE_VERSION:
        raise UpdateRefused(
            f"this update code is of format version {code[0]}, which this mapsite does not read",
            hint="update mapsite, or ask the sender to send it again from the portal",
        )
    kid, sender_bytes = code[1 : 1 + KID_BYTES], code[1 + KID_BYTES : HEADER_BYTES]
    body, mac = code[:-MAC_BYTES], code[-MAC_BYTES:]
    sender = _authentic_sender(keyring, sender_bytes.hex(), body, mac)
    _refuse_lost_access(sender, deal)
    update = keyring.update_keys.get(kid.hex())
    if update is None:
        raise UpdateRefused(
            f"this update for deal '{deal}' was sealed under key {kid.hex()}, which this machine never built",
            hint="the deal was re-keyed and rebuilt elsewhere (CI): ask the sender to reload the portal and "
            "send the update again, or build the deal here first",
        )
    iv, ct = body[HEADER_BYTES : HEADER_BYTES + IV_BYTES], body[HEADER_BYTES + IV_BYTES :]
    try:
        z = AESGCM(update).decrypt(iv, ct, _aad(deal, kid, sender_bytes))
    except InvalidTag:
        raise _damaged(deal) from None
    payload = _payload(z, deal)
    if payload.get("deal") != deal or payload.get("sender") != sender.id:
        raise _damaged(deal)
    return OpenedUpdate(deal, kid.hex(), sender, payload, old_key=kid.hex() != keyring.kid)


def _authentic_sender(keyring: Keyring, wanted: str, body: bytes, mac: bytes) -> Sender:
    """The sender the code names, once its MAC checks (in constant time) with that sender's key."""
    for sender in keyring.senders:
        if sender.id == wanted and hmac.compare_digest(_mac(sender.key, keyring.deal, body), mac):
            return sender
    if any(sender.id == wanted for sender in keyring.senders):
        raise _damaged(keyring.deal)
    raise UpdateRefused(
        f"this update code was not sealed by any reader of deal '{keyring.deal}': "
        "it is for another deal, or it was changed on the way",
        hint="check the deal it names, or ask the sender to send it again from the portal",
    )


def _refuse_lost_access(sender: Sender, deal: str) -> None:
    new_link = "if the sender should still have access, give them a new link"
    if sender.state == "revoked":
        raise UpdateRefused(
            f"this update for deal '{deal}' comes from {sender.described}, "
            f"which was revoked on {sender.since}",
            hint=f"nothing from a revoked link is applied; {new_link}",
        )
    if sender.state == "expired":
        raise UpdateRefused(
            f"this update for deal '{deal}' comes from {sender.described}, which expired on {sender.since}",
            hint=f"nothing from an expired link is applied; {new_link}",
        )
    if sender.state == "removed":
        raise UpdateRefused(
            f"this update for deal '{deal}' comes from {sender.described}, which is no current access entry "
            "or link of the deal",
            hint="its password was removed or changed (or its link deleted): nothing from it is applied",
        )


def _damaged(deal: str) -> UpdateRefused:
    return UpdateRefused(
        f"this update code for deal '{deal}' is damaged: it was changed or cut short on the way",
        hint="ask the sender to send it again, or to use 'Download update file' and attach the file",
    )


def _payload(z: bytes, deal: str) -> dict:
    inflater = zlib.decompressobj(-15)
    try:
        plain = inflater.decompress(z, MAX_PAYLOAD)
        if inflater.unconsumed_tail or not inflater.eof:
            raise UpdateRefused(f"this update for deal '{deal}' is larger than mapsite opens (1 MiB)")
        payload = json.loads(plain.decode("utf-8"))
    except (zlib.error, ValueError):
        raise _damaged(deal) from None
    if not isinstance(payload, dict) or payload.get("v") != CODE_VERSION:
        raise UpdateRefused(
            f"this update for deal '{deal}' is not of a format this mapsite reads",
            hint="update mapsite, or ask the sender to send it again from the portal",
        )
    return payload


def code_id(code: bytes) -> str:
    """Names a code's parts: ``hex(SHA-256(code)[:4])``."""
    return hashlib.sha256(code).digest()[:4].hex()
