"""The login page a sealed page stands behind is drawn once per folder depth and filled with each
page's envelope (pipeline/deal.py): every shell must be byte for byte what drawing it for its
own page gives, and a theme whose login page shows the page's path is drawn for every page."""

from __future__ import annotations

import json
from pathlib import Path

from mapsite.pipeline.deal import shell_renderer
from mapsite.protect.seal import CSP, unlock_asset
from mapsite.read.site import load_site
from mapsite.render.pages import render_shell
from mapsite.render.theme import Theme

PATHS = ["acme/index.html", "globex/index.html", "acme/pricing/index.html", "globex/notes/index.html"]


def _envelope(n: int) -> str:
    return json.dumps({"v": 1, "slots": [{"type": "password", "ct": f"c{n}" * 40}], "ct": "x" * (n + 1)})


def _shells(site_dir: Path) -> tuple[list[bytes], list[bytes]]:
    site, _ = load_site(site_dir)
    theme = Theme.for_site(site.theme_dir)
    unlock = unlock_asset().path
    shell = shell_renderer(site, theme, unlock)
    drafted = [shell(path, _envelope(n)) for n, path in enumerate(PATHS)]
    direct = [render_shell(site, theme, path, _envelope(n), unlock, CSP) for n, path in enumerate(PATHS)]
    return drafted, direct


def test_each_shell_is_what_drawing_it_for_its_own_page_gives(site_factory):
    drafted, direct = _shells(site_factory.make())
    assert drafted == direct
    assert all(_envelope(n).encode() in page for n, page in enumerate(drafted))
    assert drafted[2].count(b'src="../../assets/') and drafted[0].count(b'src="../assets/')


def test_a_theme_that_shows_the_path_gets_each_pages_own(site_factory):
    site_dir = site_factory.make(site_yml="title: Rooms\nseller: {name: Northwind}\ntheme: mytheme\n")
    default = Path(__file__).resolve().parents[2] / "themes" / "default" / "templates" / "login.html"
    templates = site_dir / "themes" / "mytheme" / "templates"
    templates.mkdir(parents=True)
    login = default.read_text("utf-8").replace(
        '<script type="application/json"',
        '<p class="where">{{ page.path }}</p>\n<script type="application/json"',
        1,
    )
    (templates / "login.html").write_text(login, "utf-8")
    drafted, direct = _shells(site_dir)
    assert drafted == direct
    assert [
        f'<p class="where">{path}</p>'.encode() in page for path, page in zip(PATHS, drafted, strict=True)
    ] == [True] * len(PATHS)
