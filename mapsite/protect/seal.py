"""Turning a deal's readable pages into sealed output: login shells and opaque file blobs.

Every page of a protected deal becomes a public shell (the theme's login page) carrying the
encrypted page in its envelope; every file becomes ``<deal>/_files/<hmac>.bin``, padded, so
neither its name nor its size says what it is. The readable pages get a map from file paths to
blobs so the browser can fetch and decrypt them.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import posixpath
from collections.abc import Callable
from functools import cache
from pathlib import Path

from mapsite.protect import envelope
from mapsite.protect.keys import DealKeys
from mapsite.render.pages import Page
from mapsite.render.theme import ASSET_DIR

UNLOCK_SCRIPT = Path(__file__).with_name("unlock.js")
FILES_DIR = "_files"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' blob: data:; connect-src 'self'; font-src 'self'; base-uri 'none'; "
    "form-action 'none'; object-src 'none'"
)
ShellRenderer = Callable[[str, str], bytes]


@cache
def unlock_asset() -> Page:
    """The browser side of the envelope, published once with a content-hashed name."""
    content = UNLOCK_SCRIPT.read_bytes()
    digest = hashlib.sha256(content).hexdigest()[:10]
    return Page(f"{ASSET_DIR}/unlock.{digest}.js", content)


def seal_deal(
    pages: list[Page], keys: DealKeys, render_shell: ShellRenderer, remember_days: int
) -> list[Page]:
    """The deal's pages as shells and blobs; ``render_shell(path, envelope_json)`` draws a shell."""
    deal = keys.deal
    html_pages = [p for p in pages if p.path.endswith(".html")]
    files = [p for p in pages if not p.path.endswith(".html") and p.bundle is None]
    bundles: dict[str, list[Page]] = {}
    for page in pages:
        if page.bundle is not None and not page.path.endswith(".html"):
            bundles.setdefault(page.bundle, []).append(page)
    file_map = {}
    sealed: list[Page] = []
    for file in files:
        blob = envelope.file_blob_name(keys.key, file.path)
        file_map[file.path] = _file_entry(file.path, blob)
        content = envelope.encrypt_file(keys.key, deal, file.path, file.content)
        sealed.append(Page(f"{deal}/{FILES_DIR}/{blob}", content, deal))
    for bundle, members in sorted(bundles.items()):
        blob = envelope.file_blob_name(keys.key, bundle)
        texts = {member.path: member.content.decode("utf-8") for member in members}
        for member in members:
            file_map[member.path] = {**_file_entry(member.path, blob), "bundle": bundle}
        plaintext = json.dumps(texts, sort_keys=True, ensure_ascii=False).encode("utf-8")
        sealed.append(
            Page(f"{deal}/{FILES_DIR}/{blob}", envelope.encrypt_file(keys.key, deal, bundle, plaintext), deal)
        )
    files_script = _json_script("mapsite-files", file_map)
    for page in html_pages:
        plaintext = _inject(page.content, files_script)
        iv, ciphertext = envelope.encrypt(keys.key, deal, page.path, plaintext)
        payload = {
            "v": envelope.VERSION,
            "deal": deal,
            "path": page.path,
            "root": _root_of(page.path),
            "kid": keys.kid,
            "kdf": {"name": "PBKDF2-SHA256", "iterations": keys.iterations, "salt": envelope.b64(keys.salt)},
            "slots": [slot.as_json() for slot in keys.slots],
            "remember_days": remember_days,
            "iv": envelope.b64(iv),
            "ct": envelope.b64(ciphertext),
        }
        sealed.append(Page(page.path, render_shell(page.path, _script_safe(payload)), deal))
    return sealed


def _file_entry(path: str, blob: str) -> dict[str, str]:
    return {
        "url": f"{FILES_DIR}/{blob}",
        "type": mimetypes.guess_type(path)[0] or "application/octet-stream",
        "name": posixpath.basename(path),
    }


def _root_of(path: str) -> str:
    depth = path.count("/")
    return "../" * depth if depth else "./"


def _script_safe(data: dict) -> str:
    """JSON that cannot end the <script> element it sits in."""
    return json.dumps(data, separators=(",", ":"), sort_keys=True).replace("</", "<\\/")


def _json_script(element_id: str, data: dict) -> bytes:
    return f'<script type="application/json" id="{element_id}">{_script_safe(data)}</script>\n'.encode()


def _inject(html: bytes, snippet: bytes) -> bytes:
    marker = html.rfind(b"</body>")
    return html[:marker] + snippet + html[marker:] if marker >= 0 else html + snippet
