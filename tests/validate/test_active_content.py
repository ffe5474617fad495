"""Issue 12, finding 3: no deal file runs script in the portal's origin (build-time side).

Hostile SVGs and active file types are refused by ``check`` and ``build`` with the file, the line
and what to delete; the logos real drawing programs write pass untouched. The Chromium side is in
tests/browser/test_active_content_browser.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from mapsite.errors import MapsiteError
from mapsite.pipeline.build import build
from mapsite.pipeline.check import check
from mapsite.validate.active import svg_problems
from tests.helpers import MINIMAL_DEAL, REPO, SITE_YML, TODAY

DAY = dt.date.fromisoformat(TODAY)
SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
PNG_DATA = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)

# ------------------------------------------------------------------ logos as editors write them

INKSCAPE = """\
<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with Inkscape (http://www.inkscape.org/) -->
<svg
   width="160mm"
   height="48mm"
   viewBox="0 0 160 48"
   version="1.1"
   id="svg5"
   inkscape:version="1.2.2 (b0a8486541, 2022-12-01)"
   sodipodi:docname="contoso-logo.svg"
   xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
   xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
   xmlns:xlink="http://www.w3.org/1999/xlink"
   xmlns="http://www.w3.org/2000/svg"
   xmlns:svg="http://www.w3.org/2000/svg"
   xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
   xmlns:cc="http://creativecommons.org/ns#"
   xmlns:dc="http://purl.org/dc/elements/1.1/">
  <sodipodi:namedview
     id="namedview7"
     pagecolor="#ffffff"
     bordercolor="#666666"
     inkscape:zoom="1.2"
     inkscape:current-layer="layer1" />
  <defs id="defs2">
    <linearGradient inkscape:collect="always" id="linearGradient1">
      <stop style="stop-color:#0a66c2;stop-opacity:1" offset="0" id="stop1" />
      <stop style="stop-color:#5b2a86;stop-opacity:1" offset="1" id="stop2" />
    </linearGradient>
    <linearGradient xlink:href="#linearGradient1" id="linearGradient3" x1="0" y1="0" x2="40"
       y2="40" gradientUnits="userSpaceOnUse" />
  </defs>
  <metadata id="metadata1">
    <rdf:RDF>
      <cc:Work rdf:about="">
        <dc:format>image/svg+xml</dc:format>
        <dc:type rdf:resource="http://purl.org/dc/dcmitype/StillImage" />
        <dc:title>Contoso</dc:title>
      </cc:Work>
    </rdf:RDF>
  </metadata>
  <g inkscape:label="Layer 1" inkscape:groupmode="layer" id="layer1">
    <path style="fill:url(#linearGradient3);fill-opacity:1;stroke:none;stroke-width:0.26"
       d="M 6,40 22,8 38,40 Z" id="path1" sodipodi:nodetypes="cccc" />
    <text xml:space="preserve" style="font-size:24px;font-family:sans-serif;fill:#0a66c2"
       x="46" y="33" id="text1"><tspan sodipodi:role="line" id="tspan1" x="46" y="33">Contoso</tspan></text>
  </g>
</svg>
"""

ILLUSTRATOR = f"""\
<?xml version="1.0" encoding="utf-8"?>
<!-- Generator: Adobe Illustrator 27.0.0, SVG Export Plug-In . SVG Version: 6.00 Build 0)  -->
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg version="1.1" id="Layer_1" xmlns="http://www.w3.org/2000/svg"
\t xmlns:xlink="http://www.w3.org/1999/xlink" x="0px" y="0px" viewBox="0 0 220 48"
\t style="enable-background:new 0 0 220 48;" xml:space="preserve">
<style type="text/css">
\t.st0{{fill:#5B2A86;}}
\t.st1{{fill:url(#SVGID_1_);}}
\t.st2{{font-family:'Helvetica Neue', Arial, sans-serif; font-size:24px;}}
</style>
<linearGradient id="SVGID_1_" gradientUnits="userSpaceOnUse" x1="4" y1="4" x2="44" y2="44">
\t<stop  offset="0" style="stop-color:#5B2A86"/>
\t<stop  offset="1" style="stop-color:#2E1544"/>
</linearGradient>
<circle class="st1" cx="24" cy="24" r="19"/>
<image width="16" height="16" transform="translate(16 16)" xlink:href="{PNG_DATA}"/>
<text transform="matrix(1 0 0 1 54 32)" class="st0 st2">Northwind</text>
</svg>
"""

FIGMA = """\
<svg width="120" height="40" viewBox="0 0 120 40" fill="none" xmlns="http://www.w3.org/2000/svg"
     role="img" aria-labelledby="t d">
<title id="t">Fabrikam</title>
<desc id="d">The Fabrikam wordmark</desc>
<g clip-path="url(#clip0_1_2)" filter="url('#shadow')">
<path id="a" d="M10 30L20 10L30 30H10Z" fill="#1E7D4F"/>
<use href="#a" x="24" opacity="0.5"/>
<rect x="60" y="12" width="50" height="16" rx="4" fill="url(#paint0_linear)"/>
</g>
<defs>
<filter id="shadow" x="0" y="0" width="120" height="40" filterUnits="userSpaceOnUse"
        color-interpolation-filters="sRGB">
<feDropShadow dx="0" dy="1" stdDeviation="1" flood-opacity="0.2"/>
</filter>
<linearGradient id="paint0_linear" x1="60" y1="12" x2="110" y2="28" gradientUnits="userSpaceOnUse">
<stop stop-color="#1E7D4F"/>
<stop offset="1" stop-color="#145A38"/>
</linearGradient>
<clipPath id="clip0_1_2"><rect width="120" height="40" fill="white"/></clipPath>
</defs>
<a href="#a"><circle cx="5" cy="5" r="2" fill="#ccc"/></a>
<animate attributeName="opacity" xlink:href="#a" values="1;0.8;1" dur="3s"
         xmlns:xlink="http://www.w3.org/1999/xlink"/>
</svg>
"""

REAL_LOGOS = {
    "inkscape": INKSCAPE,
    "illustrator": ILLUSTRATOR,
    "figma": FIGMA,
    "example-acme": (REPO / "content/deals/acme/acme-logo.svg").read_text("utf-8"),
    "example-northwind": (REPO / "assets/northwind.svg").read_text("utf-8"),
}


@pytest.mark.parametrize("name", REAL_LOGOS)
def test_logos_drawing_programs_write_pass(name):
    assert svg_problems(REAL_LOGOS[name].encode("utf-8")) == []


# ------------------------------------------------------------------ what an SVG must not hold


def hostile(body: str) -> bytes:
    """An SVG with ``body`` on line 3, where the prefixes xlink: and h: (HTML) are declared."""
    xlink = ' xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:h="http://www.w3.org/1999/xhtml"'
    return f'<?xml version="1.0"?>\n{SVG_OPEN[:-1]}{xlink}>\n{body}\n</svg>\n'.encode()


HOSTILE = {
    "script": (
        "<script>top.name='pwned'</script>",
        "the SVG contains a <script> element, which would run as code on the portal's site",
        "delete the <script> element and everything inside it",
    ),
    "script-cdata-prefixed": (
        '<svg:script xmlns:svg="http://www.w3.org/2000/svg"><![CDATA[alert(1)]]></svg:script>',
        "the SVG contains a <script> element, which would run as code on the portal's site",
        "delete the <script> element and everything inside it",
    ),
    "html-script": (
        "<h:script>alert(1)</h:script>",
        "the SVG contains a <script> element, which would run as code on the portal's site",
        "delete the <script> element and everything inside it",
    ),
    "onload": (
        '<rect width="1" height="1" onload="alert(1)"/>',
        "the <rect> element has the event handler onload=, which runs code",
        'delete the onload="..." attribute',
    ),
    "onclick-uppercase": (
        '<g ONCLICK="alert(1)"/>',
        "the <g> element has the event handler ONCLICK=, which runs code",
        'delete the ONCLICK="..." attribute',
    ),
    "foreign-object": (
        '<foreignObject width="10" height="10"></foreignObject>',
        "the SVG contains a <foreignObject> element, which embeds HTML that can run code",
        "delete the <foreignObject> element and everything inside it "
        "(from Illustrator: save without 'Preserve Illustrator Editing Capabilities')",
    ),
    "html-element": (
        '<h:img src="x" />',
        "the SVG contains an HTML <img> element, which can run code in an SVG",
        "delete the <img> element; an image needs SVG shapes only",
    ),
    "iframe": (
        '<iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example/"/>',
        "the SVG contains an <iframe> element, which loads another document",
        "delete the <iframe> element and everything inside it",
    ),
    "handler": (
        '<handler type="application/ecmascript">alert(1)</handler>',
        "the SVG contains a <handler> element, which holds event-handling code",
        "delete the <handler> element and everything inside it",
    ),
    "set-href": (
        '<a><set attributeName="href" to="#x"/><text>x</text></a>',
        "the <set> animation changes the attribute 'href', which can make it run code",
        "delete the <set> element",
    ),
    "animate-handler": (
        '<animate attributeName="onbegin" values="#" dur="1s"/>',
        "the <animate> animation changes the attribute 'onbegin', which can make it run code",
        "delete the <animate> element",
    ),
    "javascript-href": (
        '<a xlink:href=" jav&#x09;ascript:alert(1)"><text>x</text></a>',
        "the xlink:href= attribute of <a> holds a javascript: URL, which runs code",
        "delete the xlink:href= attribute",
    ),
    "javascript-in-animation": (
        '<a><animate attributeName="x" values="javascript:alert(1)"/></a>',
        "the values= attribute of <animate> holds a javascript: URL, which runs code",
        "delete the values= attribute",
    ),
    "external-link": (
        '<a href="https://evil.example/"><text>x</text></a>',
        "the <a> element links to 'https://evil.example/'; an SVG may only refer to #ids in the "
        "same file or embed PNG, JPEG, GIF or WebP data: images",
        "delete the href= attribute (or the element), or embed the picture it points to",
    ),
    "external-use": (
        '<use href="sprite.svg#logo"/>',
        "the <use> element links to 'sprite.svg#logo'; an SVG may only refer to #ids in the "
        "same file or embed PNG, JPEG, GIF or WebP data: images",
        "delete the href= attribute (or the element), or embed the picture it points to",
    ),
    "svg-data-image": (
        '<image href="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="/>',
        "the <image> element links to 'data:image/svg+xml;base64,PHN2Zz48L3N2Zz4='; an SVG may "
        "only refer to #ids in the same file or embed PNG, JPEG, GIF or WebP data: images",
        "delete the href= attribute (or the element), or embed the picture it points to",
    ),
    "style-import": (
        "<style>@import 'https://evil.example/x.css';</style>",
        "the <style> element imports a stylesheet with @import",
        "delete that rule from the <style> element",
    ),
    "style-url-escaped": (
        "<style>rect { fill: u\\72 l(https://evil.example/x) }</style>",
        "the <style> element loads url(https://evil.example/x), which is not an #id in the same file",
        "delete that rule from the <style> element",
    ),
    "style-url-split-by-reference": (
        "<style>rect { background: ur&#108;(//evil.example/x) }</style>",
        "the <style> element loads url(//evil.example/x), which is not an #id in the same file",
        "delete that rule from the <style> element",
    ),
    "style-attribute-url": (
        '<rect style="fill: URL(&quot;https://evil.example/p&quot;)"/>',
        "the style= attribute of <rect> loads url(https://evil.example/p), which is not an #id in "
        "the same file",
        "delete that from style=",
    ),
    "presentation-url": (
        '<rect cursor="url(https://evil.example/c.cur), auto"/>',
        "the cursor= attribute of <rect> loads url(https://evil.example/c.cur), which is not an #id "
        "in the same file",
        "delete that from cursor=",
    ),
    "image-set": (
        "<style>g { background: image-set('https://evil.example/a.png' 1x) }</style>",
        "the <style> element loads images with image-set()",
        "delete that rule from the <style> element",
    ),
    "xml-base": (
        '<g xml:base="https://evil.example/"/>',
        "the <g> element sets xml:base, which moves where its links point",
        "delete the xml:base attribute",
    ),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_svg_is_refused_at_its_line_with_what_to_delete(name):
    body, message, hint = HOSTILE[name]
    [problem] = svg_problems(hostile(body))
    assert (problem.line, problem.message, problem.hint) == (3, message, hint)


def test_every_problem_of_a_file_is_reported_at_once():
    data = hostile('<script>alert(1)</script>\n<rect onload="x()"/>\n<foreignObject/>')
    assert [(p.line, p.message.split(",")[0]) for p in svg_problems(data)] == [
        (3, "the SVG contains a <script> element"),
        (4, "the <rect> element has the event handler onload="),
        (5, "the SVG contains a <foreignObject> element"),
    ]


def test_an_attribute_is_found_on_its_own_line_of_a_long_start_tag():
    data = (
        f'{SVG_OPEN[:-1]}\n     width="10"\n     title="no onload= here"\n     onload="alert(1)">\n</svg>'
    ).encode()
    [problem] = svg_problems(data)
    assert (problem.line, problem.message) == (
        4,
        "the <svg> element has the event handler onload=, which runs code",
    )


def test_doctype_with_entities_is_refused_before_they_expand():
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg [\n<!ENTITY x "<script>alert(1)</script>">\n]>\n'
        + SVG_OPEN.encode()
        + b"&x;</svg>"
    )
    [problem] = svg_problems(data)
    assert (problem.line, problem.message) == (
        2,
        "the SVG's <!DOCTYPE> declares entities or attributes, which can hide markup",
    )
    assert problem.hint == "delete the <!DOCTYPE ... [ ... ]> block at the top of the file"


def test_undefined_entity_and_stylesheet_instruction_are_refused():
    data = (
        b'<?xml version="1.0"?>\n<?xml-stylesheet href="https://evil.example/x.xsl"?>\n'
        b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "svg11.dtd">\n'
        + SVG_OPEN.encode()
        + b"\n&nbsp;</svg>"
    )
    assert [(p.line, p.message) for p in svg_problems(data)] == [
        (
            2,
            "the SVG contains the processing instruction <?xml-stylesheet ...?>, which can load a stylesheet",
        ),
        (5, "the SVG uses the undefined entity &nbsp;"),
    ]


@pytest.mark.parametrize(
    "data, line, message",
    [
        (SVG_OPEN.encode() + b"<rect></svg>", 1, "the SVG is not well-formed XML (mismatched tag)"),
        (
            "<svg>é</svg>".encode("latin-1"),
            1,
            "the SVG is not UTF-8 text",
        ),
        (
            b'<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
            1,
            "the file's root element is <html>, not <svg>: this is no SVG image",
        ),
        (b"<svg/>", 1, "the <svg> element is not in the SVG namespace, so browsers show it as text"),
    ],
    ids=["malformed", "latin-1", "html-root", "no-namespace"],
)
def test_what_is_not_a_plain_svg_is_refused(data, line, message):
    problems = svg_problems(data)
    assert (problems[0].line, problems[0].message) == (line, message)


# ------------------------------------------------------------------ check and build


HOSTILE_LOGO = f"""\
<?xml version="1.0"?>
{SVG_OPEN}
  <title>Buyer Co</title>
  <script>localStorage.setItem('pwned', '1')</script>
  <rect width="10" height="10" fill="#0A66C2"/>
</svg>
"""
HOSTILE_CHART = f"""\
{SVG_OPEN}
  <rect width="10" height="10" onload="top.name = 'pwned'"/>
</svg>
"""


def folder_deal(public: bool) -> str:
    deal = MINIMAL_DEAL.replace(
        'buyer: {name: Buyer Co, accent: "#0A66C2"}',
        'buyer: {name: Buyer Co, logo: logo.svg, accent: "#0A66C2"}',
    ).replace("stakeholders:", "resources:\n  - {title: Rollout chart, file: files/chart.svg}\nstakeholders:")
    if public:
        deal = deal.replace(
            "access:\n  - {label: Buying team, password_env: TEST_PORTAL_PASSWORD}\n", "public: true\n"
        )
    return deal


def site_with(site_factory, files: dict[str, str], public: bool = False, site_yml: str = SITE_YML) -> Path:
    root = site_factory.make({"buyer-co/index.md": folder_deal(public)}, site_yml)
    deal = root / "content/deals/buyer-co"
    (deal / "files").mkdir(exist_ok=True)
    (deal / "logo.svg").write_text(files.pop("logo.svg", INKSCAPE), "utf-8")
    (deal / "files/chart.svg").write_text(files.pop("files/chart.svg", FIGMA), "utf-8")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return root


def errors(root: Path) -> list[str]:
    return [f.format() for f in check(root, DAY).findings if f.is_error]


@pytest.mark.parametrize("public", [True, False], ids=["public", "protected"])
def test_mapsite_check_names_the_file_line_and_fix(site_factory, public):
    root = site_with(site_factory, {"logo.svg": HOSTILE_LOGO, "files/chart.svg": HOSTILE_CHART}, public)
    result = subprocess.run(
        [sys.executable, "-m", "mapsite", "check", "--site", str(root), "--today", TODAY],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert (
        "content/deals/buyer-co/files/chart.svg:2: error: the <rect> element has the event handler "
        'onload=, which runs code (hint: delete the onload="..." attribute)'
    ) in output
    assert (
        "content/deals/buyer-co/logo.svg:4: error: the SVG contains a <script> element, which would "
        "run as code on the portal's site (hint: delete the <script> element and everything inside it)"
    ) in output
    assert "Traceback" not in output


def tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_failed_build_leaves_the_output_untouched(site_factory):
    root = site_with(site_factory, {}, public=True)
    build(root, today=DAY)
    before = tree(root / "output")
    assert "buyer-co/logo.svg" in before
    (root / "content/deals/buyer-co/logo.svg").write_text(HOSTILE_LOGO, "utf-8")
    with pytest.raises(MapsiteError) as stopped:
        build(root, today=DAY)
    assert stopped.value.message == "build stopped: 1 error; the previous output was left untouched"
    assert [f.format() for f in stopped.value.findings if f.is_error] == [
        "content/deals/buyer-co/logo.svg:4: error: the SVG contains a <script> element, which would "
        "run as code on the portal's site (hint: delete the <script> element and everything inside it)"
    ]
    assert tree(root / "output") == before


PAGE = "<!doctype html><title>Proposal</title><script>localStorage.pwned = 1</script>\n"


@pytest.mark.parametrize(
    "name",
    ["files/proposal.html", "files/terms.XHTML", "files/feed.xml", "files/deck.mht", "files/logo.svgz"],
)
def test_public_deal_refuses_active_attachments(site_factory, name):
    root = site_with(site_factory, {f"content/deals/buyer-co/{name}": PAGE}, public=True)
    [error] = errors(root)
    filename = name.rpartition("/")[2]
    assert error.startswith(
        f"content/deals/buyer-co/{name}: error: a public deal cannot publish {filename}: "
    )
    assert error.endswith(
        "and a browser would run it as a page of the portal's site (hint: attach it as PDF instead, "
        "or protect the deal (remove public: true) so it is sealed and offered only as a download)"
    )


def test_public_deal_refuses_markup_in_a_file_of_unknown_type(site_factory):
    root = site_with(site_factory, {"content/deals/buyer-co/files/notes.proposal": PAGE}, public=True)
    assert errors(root) == [
        "content/deals/buyer-co/files/notes.proposal: error: a public deal cannot publish notes.proposal: "
        "the file starts like HTML or XML markup and has no type a host would know, and a browser would "
        "run it as a page of the portal's site (hint: attach it as PDF instead, or protect the deal "
        "(remove public: true) so it is sealed and offered only as a download)"
    ]


def test_protected_deal_seals_an_html_attachment(site_factory):
    root = site_with(site_factory, {"content/deals/buyer-co/files/proposal.html": PAGE}, public=False)
    assert errors(root) == []
    build(root, today=DAY)
    published = [
        p.relative_to(root / "output").as_posix() for p in (root / "output").rglob("*") if p.is_file()
    ]
    assert not [p for p in published if p.endswith((".html", ".svg")) and p.startswith("buyer-co/files")]
    assert all(
        b"localStorage.pwned" not in p.read_bytes() for p in (root / "output").rglob("*") if p.is_file()
    )


def test_public_deal_publishes_inert_files(site_factory):
    text = "Quarterly numbers\n"
    root = site_with(site_factory, {"content/deals/buyer-co/files/notes.txt": text}, public=True)
    assert errors(root) == []


def test_site_logo_and_theme_svgs_are_checked(site_factory):
    site_yml = (
        SITE_YML.replace(
            'seller: {name: Northwind Software, accent: "#5B2A86"}',
            'seller: {name: Northwind Software, logo: assets/northwind.svg, accent: "#5B2A86"}',
        )
        + "theme: house\n"
    )
    files = {
        "assets/northwind.svg": HOSTILE_CHART,
        "themes/house/static/icons/arrow.svg": HOSTILE_LOGO,
        "themes/house/static/house.js": "console.log('the theme is the site owner\\'s own code')\n",
    }
    root = site_with(site_factory, files, public=False, site_yml=site_yml)
    assert errors(root) == [
        "assets/northwind.svg:2: error: the <rect> element has the event handler onload=, which runs "
        'code (hint: delete the onload="..." attribute)',
        "themes/house/static/icons/arrow.svg:4: error: the SVG contains a <script> element, which "
        "would run as code on the portal's site (hint: delete the <script> element and everything "
        "inside it)",
    ]


def test_example_site_passes(example_site):
    assert errors(example_site) == []
