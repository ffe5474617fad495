"""Which icon a page's browser tab shows: the site seller's logo when it reads at tab size, else
the theme's neutral ``favicon.svg``.

Only the site seller's logo qualifies: it is public already (every login page shows it), while a
deal's own logos are sealed with the deal. A protected page's public shell and the page it opens
to then show the same icon, and the icon can say nothing about the buyer. A logo is used only when
the browser draws it as a tab icon (SVG or PNG) and it is roughly square: a wide wordmark squeezed
into 16 pixels is a smudge, and the neutral icon is better than that.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable
from dataclasses import dataclass

TAB_ICON_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}
# Wider (or taller) than this and the logo is drawn too thin to recognise in a tab.
MAX_ASPECT = 1.6
NEUTRAL_ICON = "favicon.svg"

_SVG_TAG = re.compile(rb"<svg\b[^>]*>", re.IGNORECASE)
_VIEWBOX = re.compile(rb"""\bviewBox\s*=\s*["']\s*[-\d.e]+[\s,]+[-\d.e]+[\s,]+([\d.e]+)[\s,]+([\d.e]+)""")
_LENGTH = re.compile(rb"""\b(width|height)\s*=\s*["']\s*([\d.]+)(?:px)?\s*["']""")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Favicon:
    url: str
    type: str


def favicon(
    logo_path: str | None, logo: bytes | None, url: str | None, asset: Callable[[str], str]
) -> Favicon:
    """The icon for a page: ``url`` (where the page links the seller logo at ``logo_path``) when
    the logo reads at tab size, else the theme's neutral icon through ``asset``."""
    suffix = "." + logo_path.rpartition(".")[2].lower() if logo_path else ""
    if url and logo is not None and suffix in TAB_ICON_TYPES:
        size = _png_size(logo) if suffix == ".png" else _svg_size(logo)
        if size and max(size) <= MAX_ASPECT * min(size):
            return Favicon(url, TAB_ICON_TYPES[suffix])
    return Favicon(asset(NEUTRAL_ICON), TAB_ICON_TYPES[".svg"])


def _png_size(content: bytes) -> tuple[float, float] | None:
    """Width and height from the PNG header (the IHDR chunk comes first, by the format's rule)."""
    if not content.startswith(_PNG_SIGNATURE) or len(content) < 24:
        return None
    width, height = struct.unpack(">II", content[16:24])
    return (width, height) if width and height else None


def _svg_size(content: bytes) -> tuple[float, float] | None:
    """The drawing's proportions from the root element's viewBox, else its width and height."""
    tag = _SVG_TAG.search(content[:4096])
    if tag is None:
        return None
    try:
        if box := _VIEWBOX.search(tag.group()):
            size = (float(box.group(1)), float(box.group(2)))
        else:
            lengths = {name: float(value) for name, value in _LENGTH.findall(tag.group())}
            size = (lengths[b"width"], lengths[b"height"])
    except (KeyError, ValueError):
        return None
    return size if min(size) > 0 else None
