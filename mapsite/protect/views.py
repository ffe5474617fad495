"""Who opened what: the opaque view files of ``analytics: access_log`` (docs/views.md).

A static host runs no code, but most hosts keep an access log. With analytics on, every page of a
protected deal carries, inside its sealed content, a map from each key slot to one file name;
once a reader has unlocked the page, unlock.js requests ``<deal>/_v/<name>.gif`` for the slot
that opened it, and the host's log records that request. Only the rep can say whose it was:

    name = hex(HMAC(HMAC(site secret, P2 + "views"), deal + ":" + credential + ":" + page))[:24]

``credential`` is the way in (``entry:<label>`` for an access entry, ``link:<share id>`` for a
share link), never the slot, so a name stays the same across re-keys and a log spanning months
reads as one history. The name says nothing without the site secret: no label, no key, no page.
The build writes each file (a 43-byte GIF), so the log shows 200s rather than 404s that a host or
a monitor would flag. ``mapsite views`` recomputes every name to read the log back.
"""

from __future__ import annotations

import hashlib
import hmac

from mapsite.layout import VIEWS_DIR
from mapsite.protect import envelope
from mapsite.render.pages import Page

# A 1x1 transparent GIF89a, the smallest image every host serves with the right type.
VIEW_GIF = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)
NAME_CHARS = 24


def views_key(site_secret: bytes) -> bytes:
    """The key of every view name of a site: from the site secret, for this use only."""
    return hmac.new(site_secret, f"{envelope.PREFIX}views".encode(), hashlib.sha256).digest()


def view_name(key: bytes, deal: str, credential: str, page: str) -> str:
    """The opaque name of one (deal, credential, page): 24 hex characters."""
    message = f"{deal}:{credential}:{page}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:NAME_CHARS]


def view_path(deal: str, name: str) -> str:
    """Where a view file is published, inside the deal's folder like everything of the deal."""
    return f"{deal}/{VIEWS_DIR}/{name}.gif"


def view_maps(
    key: bytes, deal: str, slots: tuple[envelope.Slot, ...], pages: list[str]
) -> tuple[dict[str, dict[str, str]], list[Page]]:
    """Per readable page path, the map from slot id to view name its sealed content carries;
    and the view files to publish, one per (credential, page)."""
    maps: dict[str, dict[str, str]] = {}
    files: dict[str, Page] = {}
    for page in pages:
        names = {envelope.slot_id(slot): view_name(key, deal, slot.credential, page) for slot in slots}
        maps[page] = names
        for name in names.values():
            path = view_path(deal, name)
            files[path] = Page(path, VIEW_GIF, deal)
    return maps, [files[path] for path in sorted(files)]
