"""Turning a deal's readable pages into sealed output: login shells and opaque file blobs.

Every page of a protected deal becomes a public shell (the theme's login page) carrying the
encrypted page in its envelope; every file becomes ``<deal>/_files/<hmac>.bin``, padded, so
neither its name nor its size says what it is. The readable pages get a map from file paths to
blobs so the browser can fetch and decrypt them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import mimetypes
import posixpath
from collections.abc import Callable
from functools import cache
from pathlib import Path

from mapsite.layout import ASSET_DIR, FILES_DIR
from mapsite.protect import envelope
from mapsite.protect.keys import DealKeys
from mapsite.protect.views import view_maps
from mapsite.render.minify import minified
from mapsite.render.pages import Page

UNLOCK_SCRIPT = Path(__file__).with_name("unlock.js")
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' blob: data:; connect-src 'self'; font-src 'self'; base-uri 'none'; "
    "form-action 'none'; object-src 'none'"
)
ShellRenderer = Callable[[str, str], bytes]


@cache
def unlock_asset() -> Page:
    """The browser side of the envelope, published once with a content-hashed name."""
    content = minified(UNLOCK_SCRIPT.name, UNLOCK_SCRIPT.read_bytes(), own=True)
    digest = hashlib.sha256(content).hexdigest()[:10]
    return Page(f"{ASSET_DIR}/unlock.{digest}.js", content)


def seal_deal(
    pages: list[Page],
    keys: DealKeys,
    render_shell: ShellRenderer,
    remember_days: int,
    generation: str,
    views: bytes | None = None,
    updates: bool = False,
    updates_to: tuple[str | None, str] | None = None,
) -> list[Page]:
    """The deal's pages as shells and blobs; ``render_shell(path, envelope_json)`` draws a shell.

    With a ``views`` key (``analytics: access_log``), each page carries its map of view files
    and the files are published with the deal (see protect/views.py).

    ``generation`` is the build's day: every page is bound to it, and a browser that has opened a
    later generation of the deal refuses an older page served in its place.

    With ``updates`` (a deal, not the team dashboard), each page carries the update island
    (docs/updates.md): the deal's kid, ``U``, ``L``, the update address (``updates_to``: name or
    None, e-mail) and the generation, for update-code.js. Inside the sealed page only: the public
    shell must never hold ``U`` or ``L``.
    """
    deal = keys.deal
    documents = [p for p in pages if p.document]
    files = [p for p in pages if not p.document and p.bundle is None]
    bundles: dict[str, list[Page]] = {}
    for page in pages:
        if page.bundle is not None and not page.document:
            bundles.setdefault(page.bundle, []).append(page)
    file_map = {}
    sealed: list[Page] = []
    for file in files:
        blob = envelope.file_blob_name(keys.key, file.path)
        content = envelope.encrypt_file(keys.key, deal, file.path, file.content)
        file_map[file.path] = _file_entry(file.path, blob, hashlib.sha256(content).hexdigest())
        sealed.append(Page(f"{deal}/{FILES_DIR}/{blob}", content, deal))
    for bundle, members in sorted(bundles.items()):
        blob = envelope.file_blob_name(keys.key, bundle)
        texts = {member.path: member.content.decode("utf-8") for member in members}
        plaintext = json.dumps(texts, sort_keys=True, ensure_ascii=False).encode("utf-8")
        content = envelope.encrypt_file(keys.key, deal, bundle, plaintext)
        digest = hashlib.sha256(content).hexdigest()  # once: a deal's calendars are ~11 members
        for member in members:
            file_map[member.path] = {**_file_entry(member.path, blob, digest), "bundle": bundle}
        sealed.append(Page(f"{deal}/{FILES_DIR}/{blob}", content, deal))
    published = {page.path: published_path(keys.paths, page.path) for page in documents}
    script = (
        _json_script("mapsite-files", file_map)
        + _json_script("mapsite-pages", {path: name for path, name in published.items() if name != path})
        + _json_script("mapsite-readers", {envelope.slot_id(slot): slot.side for slot in keys.slots})
    )
    if updates:
        script += _json_script("mapsite-updates", _update_island(keys, generation, updates_to))
    view_map: dict[str, dict[str, str]] = {}
    if views is not None:
        view_map, view_files = view_maps(views, deal, keys.slots, [page.path for page in documents])
        sealed += view_files
    for page in documents:
        path = published[page.path]
        island = _json_script("mapsite-views", view_map[page.path]) if views is not None else b""
        iv, ciphertext = envelope.encrypt_page(
            keys.key, deal, generation, path, _inject(page.content, script + island)
        )
        payload = {
            "v": envelope.VERSION,
            "deal": deal,
            "gen": generation,
            "path": path,
            "root": _root_of(path),
            "kid": keys.kid,
            "kdf": {"name": "PBKDF2-SHA256", "iterations": keys.iterations, "salt": envelope.b64(keys.salt)},
            "slots": [slot.as_json() for slot in keys.slots],
            "remember_days": remember_days,
            "iv": envelope.b64(iv),
            "ct": "",  # filled in after the rest is encoded
        }
        envelope_json = _with_ciphertext(script_safe_json(payload), envelope.b64(ciphertext))
        sealed.append(Page(path, render_shell(path, envelope_json), deal, document=True))
    return sealed


def _update_island(keys: DealKeys, generation: str, updates_to: tuple[str | None, str] | None) -> dict:
    to = {"name": updates_to[0], "email": updates_to[1]} if updates_to else None
    return {
        "deal": keys.deal,
        "kid": keys.kid,
        "U": envelope.b64(keys.update_key),
        "L": envelope.b64(keys.pending_key),
        "to": to,
        "generation": generation,
    }


def published_path(path_key: bytes, path: str) -> str:
    """Where a page of a protected deal is published: an extra page's folder gets an opaque name
    (``layoffs.md`` must not become ``/<deal>/layoffs/``), the same in every build
    (``path_key`` is the deal's ``envelope.path_key``)."""
    deal, _, rest = path.partition("/")
    folder, _, name = rest.rpartition("/")
    if not folder:
        return path
    opaque = hmac.new(path_key, folder.encode("utf-8"), hashlib.sha256).hexdigest()[:16]
    return f"{deal}/{opaque}/{name}"


# Types a browser shows without running anything: images it decodes, PDF in its viewer, text.
# Anything else (HTML, SVG opened as a document, XML, unknown) is handed out as opaque bytes.
INERT_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/avif",
        "application/pdf",
        "text/plain",
        "text/csv",
        "text/calendar",
    }
)


def _file_entry(path: str, blob: str, sha256: str) -> dict[str, str]:
    """How the browser finds, checks and hands out a sealed file.

    ``sha256`` (of the blob) pins the blob the page was sealed with, so an older blob served in its place is
    refused. ``type`` is never one that runs script: an SVG is declared ``image/svg+xml`` only
    for ``<img>`` (where it cannot run script) and saved, never opened, as a link.
    """
    guessed = mimetypes.guess_type(path)[0] or ""
    kind = guessed if guessed in INERT_TYPES or guessed == "image/svg+xml" else "application/octet-stream"
    return {
        "url": f"{FILES_DIR}/{blob}",
        "type": kind,
        "name": posixpath.basename(path),
        "sha256": sha256,
    }


def _root_of(path: str) -> str:
    depth = path.count("/")
    return "../" * depth if depth else "./"


def script_safe_json(data: dict) -> str:
    """JSON that cannot end, comment out or otherwise escape the <script> element it sits in:
    ``<``, ``>`` and ``&`` are written as JSON escapes, which parse back to the same text."""
    text = json.dumps(data, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _with_ciphertext(envelope_json: str, ciphertext: str) -> str:
    """The envelope's JSON with its ``ct`` (empty in ``envelope_json``) set to ``ciphertext``.

    A page's ciphertext is base64url (``envelope.b64``): JSON and the <script> element take it as
    it is, so it is put in after the rest is encoded. Through ``script_safe_json`` with the rest,
    a bench deal's 175 KB of base64 took 0.47 ms a page (json.dumps scans every character for
    escapes, then three replaces): about 4% of the CPU a build spends on the deal.
    """
    head, slot, tail = envelope_json.partition('"ct":""')
    if not slot or slot in tail:
        raise ValueError("the envelope must hold one empty ct field")
    return f'{head}"ct":"{ciphertext}"{tail}'


def _json_script(element_id: str, data: dict) -> bytes:
    return f'<script type="application/json" id="{element_id}">{script_safe_json(data)}</script>\n'.encode()


def _inject(html: bytes, snippet: bytes) -> bytes:
    marker = html.rfind(b"</body>")
    return html[:marker] + snippet + html[marker:] if marker >= 0 else html + snippet
