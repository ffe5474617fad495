"""Published stylesheets and scripts lose comments and layout whitespace (render/minify.py),
never a character of what they say: mapsite's own scripts have no template literal nested in
another (rjsmin's documented limit), and a site theme's script is published as written."""

from __future__ import annotations

from mapsite.protect.seal import UNLOCK_SCRIPT, unlock_asset
from mapsite.render.minify import NESTED_TEMPLATE, minified
from mapsite.render.theme import Theme, default_theme_dir
from tests.helpers import add_site_theme


def test_mapsites_own_scripts_are_published_minified():
    scripts = [*sorted((default_theme_dir() / "static").glob("*.js")), UNLOCK_SCRIPT]
    assert [s.name for s in scripts if NESTED_TEMPLATE.search(s.read_text("utf-8"))] == []
    assets = Theme.for_site(None).assets
    for script in scripts[:-1]:
        published = assets[script.name].content
        assert len(published) < 0.8 * script.stat().st_size, script.name
        assert b"\n  " not in published  # no indentation left
    assert len(unlock_asset().content) < 0.8 * UNLOCK_SCRIPT.stat().st_size


def test_template_text_keeps_every_space():
    source = b"// a note\nconst said = `  two  spaces ${who}  and a tab\t`;\n"
    assert minified("x.js", source, own=True) == b"const said=`  two  spaces ${who}  and a tab\t`;"


def test_a_site_themes_script_is_published_as_written_and_its_css_minified(site_factory):
    site = site_factory.make()
    static = add_site_theme(site, "brand").parent / "static"
    static.mkdir()
    script = b"// ours\nconst s = `a ${x ? ` b` : ''} c`;\n"
    (static / "brand.js").write_bytes(script)
    (static / "brand.css").write_bytes(b"/* ours */\n.brand {\n  color: #123456;\n}\n")
    assets = Theme.for_site(site / "themes" / "brand").assets
    assert assets["brand.js"].content == script
    assert assets["brand.css"].content == b".brand{color:#123456}"
