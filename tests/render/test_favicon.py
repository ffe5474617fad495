"""The tab icon (issue 15, "A favicon (the seller's, or a neutral one)"): the site seller's logo
when a browser can draw it readably at tab size, else the theme's neutral icon; on a protected
deal's public shell never anything of the buyer."""

from __future__ import annotations

import datetime as dt
import re
import struct
from pathlib import Path

import pytest

from mapsite.pipeline.build import build
from mapsite.render.favicon import favicon

SQUARE_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><circle cx="32" cy="32" r="30"/></svg>'
)
WIDE_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="220" height="48"><rect width="220" height="48"/></svg>'
)


def _png(width: int, height: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I4sII", 13, b"IHDR", width, height) + b"\x08\x06\x00\x00\x00"


def _neutral(name: str) -> str:
    return f"assets/{name}"


@pytest.mark.parametrize(
    ("path", "content", "used"),
    [
        ("logo.svg", SQUARE_SVG, True),
        ("logo.SVG", SQUARE_SVG, True),
        ("logo.svg", WIDE_SVG, False),
        ("logo.png", _png(128, 128), True),
        ("logo.png", _png(400, 100), False),
        ("logo.png", b"not a png at all", False),
        ("logo.svg", b"<html>not an svg</html>", False),
        ("logo.jpg", b"\xff\xd8\xff", False),
    ],
)
def test_the_seller_logo_is_the_icon_only_when_it_reads_at_tab_size(path, content, used):
    icon = favicon(path, content, "brand/" + path, _neutral)
    assert icon.url == ("brand/" + path if used else "assets/favicon.svg")
    assert icon.type == ("image/png" if used and path.endswith(".png") else "image/svg+xml")


def _icon(html: str) -> str:
    return re.search(r'<link rel="icon" href="([^"]+)"', html).group(1)


def test_a_square_seller_logo_marks_every_page_and_the_shell_names_no_buyer(example_site: Path):
    (example_site / "assets" / "mark.svg").write_bytes(SQUARE_SVG)
    config = example_site / "mapsite.yml"
    config.write_text(config.read_text("utf-8").replace("assets/northwind.svg", "assets/mark.svg"), "utf-8")
    out = build(example_site, today=dt.date(2027, 2, 22)).out
    shell = (out / "acme" / "index.html").read_text("utf-8")
    href = _icon(shell)
    assert re.fullmatch(r"\.\./assets/brand/mark\.[0-9a-f]{10}\.svg", href)
    assert (out / "acme" / href).read_bytes() == SQUARE_SVG
    assert "acme" not in href.lower()
    assert _icon((out / "index.html").read_text("utf-8")) == href.removeprefix("../")
    assert _icon((out / "404.html").read_text("utf-8")) == "/" + href.removeprefix("../")


def test_a_wordmark_leaves_the_neutral_icon(example_site: Path):
    out = build(example_site, today=dt.date(2027, 2, 22), protect=False).out
    href = _icon((out / "acme" / "index.html").read_text("utf-8"))
    assert re.fullmatch(r"\.\./assets/favicon\.[0-9a-f]{10}\.svg", href)
    assert (out / "acme" / href).read_bytes().startswith(b"<svg")
