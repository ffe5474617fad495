"""Links between output pages are relative (sub-path hosting) and computed without the working
folder: ``relative_url`` must give the link ``posixpath.relpath`` gives, for every pair of the
paths a build links (pages, folders, assets, calendars, the site root)."""

from __future__ import annotations

import itertools
import posixpath

from mapsite.paths import relative_url

PAGES = ["index.html", "acme/index.html", "acme/3f9a2c/index.html", "_team/index.html", "404.html"]
TARGETS = [
    "",
    "acme/",
    "acme/index.html",
    "acme/3f9a2c/",
    "acme/calendar/plan.ics",
    "assets/site.0a1b2c.css",
    "assets/unlock.9f8e7d.js",
    "globex/",
    "acme/files/a b.pdf",
    "acmecorp/",
]


def _expected(from_page: str, to_path: str) -> str:
    link = posixpath.relpath(to_path.rstrip("/") or ".", posixpath.dirname(from_page) or ".")
    if to_path.endswith("/") or not to_path:
        return "./" if link == "." else link + "/"
    return link


def test_every_link_is_what_relpath_gives():
    for page, target in itertools.product(PAGES, TARGETS):
        assert relative_url(page, target) == _expected(page, target), (page, target)


def test_links_read_as_a_rep_expects():
    assert relative_url("acme/index.html", "assets/site.0a1b2c.css") == "../assets/site.0a1b2c.css"
    assert relative_url("acme/3f9a2c/index.html", "acme/") == "../"
    assert relative_url("acme/index.html", "acme/") == "./"
    assert relative_url("index.html", "") == "./"
    assert relative_url("acme/index.html", "acmecorp/") == "../acmecorp/"
