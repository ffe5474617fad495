"""Issue 12, finding 3 in a real Chromium: no deal file runs script in the portal's origin.

A site with a public and a protected deal, each with an SVG logo and an SVG attachment (shown as
an image in the deal's text and offered as a download). The hostile files carry the three ways an
SVG runs script (``<script>``, ``onload``, ``<foreignObject>`` with HTML); each run would leave a
mark: ``window.name`` and the title set, a localStorage flag, a request to the test server. The
tests open every file the ways a buyer can (inline, as a link, in a new tab, following the blob:
URL the protected page uses) and look for the marks.

A control test first proves the payload is live: with the build check switched off, the public
deal's logo opened in a tab does run it. Without that, "no mark" would prove nothing.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import functools
import hashlib
import http.server
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from mapsite.pipeline import load as loader
from mapsite.pipeline.build import build
from tests.browser.helpers import save_screenshot
from tests.helpers import SITE_YML

pytestmark = pytest.mark.browser

TODAY = "2027-02-22"
PASSWORD = "sealed-room-password-2027"
SITE_SECRET = base64.urlsafe_b64encode(bytes(range(32))).rstrip(b"=").decode()
MARK = "PWNED"


def payload(beacon: str, where: str) -> str:
    """Script leaving every mark it can; ``where`` says which copy ran."""
    return (
        f"document.title='{MARK}';try{{top.name='{MARK}'}}catch(e){{}};"
        f"try{{localStorage.setItem('{MARK}','{where}')}}catch(e){{}};"
        f"new Image().src='{beacon}?{where}';try{{fetch('{beacon}?{where}-fetch')}}catch(e){{}}"
    )


def filler(name: str) -> str:
    """Most of each file's bytes its own: the leak audit rightly stops a public deal that shows
    the files of a protected one, and these files are otherwise alike."""
    return hashlib.sha256(name.encode()).hexdigest() * 40


def hostile_svg(beacon: str, name: str, colour: str) -> str:
    """A logo with a script, an onload handler and a foreignObject holding HTML that runs script."""
    return textwrap.dedent(f"""\
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40" width="120" height="40"
             onload="{payload(beacon, name + "-onload")}">
          <title>{name}</title>
          <rect width="120" height="40" fill="{colour}"/>
          <script>{payload(beacon, name + "-script")}</script>
          <foreignObject width="1" height="1">
            <img xmlns="http://www.w3.org/1999/xhtml" src="x:" onerror="{payload(beacon, name + "-html")}"/>
          </foreignObject>
          <metadata>{filler(name)}</metadata>
        </svg>
        """)


def clean_svg(name: str, colour: str) -> str:
    """The same picture as the rep sends it after sanitising: gradients, <use>, a same-file link."""
    return textwrap.dedent(f"""\
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40" width="120" height="40">
          <title>{name}</title>
          <defs>
            <linearGradient id="g"><stop offset="0" stop-color="{colour}"/><stop offset="1" stop-color="#fff"/></linearGradient>
            <path id="a" d="M4 36 L20 4 L36 36 Z"/>
          </defs>
          <style>.mark {{ fill: url(#g); }}</style>
          <rect class="mark" width="120" height="40"/>
          <a href="#a"><use href="#a" fill="{colour}"/></a>
          <animate href="#a" attributeName="opacity" values="1;0.9;1" dur="2s"/>
          <metadata>{filler(name)}</metadata>
        </svg>
        """)


DEAL = """\
---
title: {title}
buyer: {{name: {buyer}, logo: logo.svg, accent: "#0A66C2"}}
close_date: 2027-04-30
{access}
value_summary: {buyer} cuts onboarding time in half.
stakeholders:
  - {{id: champ, name: {person}, title: VP Marketing, side: buyer, role: champion}}
  - {{id: eb, name: {payer}, title: CFO, side: buyer, role: economic_buyer}}
  - {{id: ae, name: Sam Carter, title: Account Executive, side: seller, role: account_executive}}
milestones:
  - {{phase: Evaluation, id: demo, name: Technical Demo, owners: [champ, ae], due: 2027-03-01}}
  - {{phase: Close, id: signature, name: Contract Signature, owners: [eb, ae], due: close, depends_on: [demo]}}
resources:
  - {{title: Rollout chart, file: files/chart.svg}}
---
{story}

![Rollout chart](files/chart.svg)
"""
DEALS = {
    "open-room": dict(
        title="Open Co x Northwind",
        buyer="Open Co",
        person="Ola Nordmann",
        payer="Kari Hansen",
        story="Open Co's rollout, drawn for everyone:",
        access="public: true",
    ),
    "sealed-room": dict(
        title="Sealed Co x Northwind",
        buyer="Sealed Co",
        person="Dana Whitfield",
        payer="Raj Patel",
        story="The confidential rollout at a glance:",
        access="access:\n  - {label: Buying team, password_env: SEALED_ROOM_PASSWORD}",
    ),
}
# Each deal's two SVGs: (file, name in the payload, colour). Colours differ so no two files match.
SVGS = {
    "open-room": [("logo.svg", "open-logo", "#0A66C2"), ("files/chart.svg", "open-chart", "#1E7D4F")],
    "sealed-room": [("logo.svg", "sealed-logo", "#5B2A86"), ("files/chart.svg", "sealed-chart", "#C2410C")],
}


class _Recorder(http.server.SimpleHTTPRequestHandler):
    """Serves the output folder and records every path asked for."""

    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        super().do_GET()

    def log_message(self, format: str, *args) -> None:
        pass


@dataclass
class Site:
    dir: Path
    url: str
    requests: list[str]

    @property
    def beacon(self) -> str:
        return self.url + "beacon"

    def marks(self) -> list[str]:
        return [path for path in self.requests if path.startswith("/beacon")]


@pytest.fixture
def site(tmp_path, monkeypatch) -> Iterator[Site]:
    """An empty site served (once built) from its output folder on loopback, requests recorded."""
    root = tmp_path / "site"
    (root / "output").mkdir(parents=True)
    (root / "mapsite.yml").write_text(SITE_YML, "utf-8")
    requests: list[str] = []
    handler = type("Handler", (_Recorder,), {"requests": requests})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(root / "output"))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("SEALED_ROOM_PASSWORD", PASSWORD)
    monkeypatch.setenv("MAPSITE_SECRET", SITE_SECRET)
    yield Site(root, f"http://127.0.0.1:{server.server_address[1]}/", requests)
    server.shutdown()
    server.server_close()


def write_deals(site: Site, hostile: bool) -> None:
    for slug, fields in DEALS.items():
        folder = site.dir / "content" / "deals" / slug
        (folder / "files").mkdir(parents=True, exist_ok=True)
        (folder / "index.md").write_text(DEAL.format(**fields), "utf-8")
        for name, label, colour in SVGS[slug]:
            text = hostile_svg(site.beacon, label, colour) if hostile else clean_svg(label, colour)
            (folder / name).write_text(text, "utf-8")


def build_unchecked(site: Site, monkeypatch) -> None:
    """Build as if the check did not exist, as output from before it would be."""
    monkeypatch.setattr(loader, "deal_file_findings", lambda _deal, _root: [])
    monkeypatch.setenv("MAPSITE_WORKERS", "1")
    build(site.dir, today=dt.date.fromisoformat(TODAY))


def log_in(page) -> None:
    expect(page.locator("#mapsite-password")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Open deal room").click()
    expect(page.locator("h1")).to_have_text("Sealed Co x Northwind")


def drawn(img) -> None:
    """Wait for an image to be decoded and drawn (polled from Python: the CSP forbids eval)."""
    img.scroll_into_view_if_needed()  # images below the fold load lazily
    deadline = time.monotonic() + 10
    while not img.evaluate("img => img.complete && img.naturalWidth > 0"):
        assert time.monotonic() < deadline, f"the image {img} was never drawn"
        time.sleep(0.05)


def settle(page) -> None:
    """Give scripts a moment to run (onload, a failing <img> in a foreignObject)."""
    page.wait_for_timeout(500)


def assert_no_mark(site: Site, pages: list) -> None:
    for page in pages:
        if page.is_closed():
            continue
        assert page.evaluate("document.title") != MARK, page.url
        assert page.evaluate("window.name") != MARK, page.url
    probe = pages[0].context.new_page()
    probe.goto(site.url + "robots.txt")
    assert probe.evaluate(f"localStorage.getItem('{MARK}')") is None
    probe.close()
    assert site.marks() == []


# ------------------------------------------------------------------ the build refuses


def test_the_build_refuses_hostile_svgs_in_public_and_protected_deals(site):
    write_deals(site, hostile=True)
    before = sorted((site.dir / "output").iterdir())
    result = subprocess.run(
        [sys.executable, "-m", "mapsite", "build", "--site", str(site.dir), "--today", TODAY],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    terminal = result.stdout + result.stderr
    for slug in DEALS:
        for name in ("logo.svg", "files/chart.svg"):
            path = f"content/deals/{slug}/{name}"
            assert (
                f"{path}:2: error: the <svg> element has the event handler onload=, which runs code "
                '(hint: delete the onload="..." attribute)'
            ) in terminal
            assert (
                f"{path}:5: error: the SVG contains a <script> element, which would run as code on the "
                "portal's site (hint: delete the <script> element and everything inside it)"
            ) in terminal
            assert (
                f"{path}:6: error: the SVG contains a <foreignObject> element, which embeds HTML that "
                "can run code (hint: delete the <foreignObject> element and everything inside it"
            ) in terminal
            assert f"{path}:7: error: the SVG contains an HTML <img> element" in terminal
    assert "error: build stopped: 20 errors; the previous output was left untouched" in terminal
    assert "Traceback" not in terminal
    assert sorted((site.dir / "output").iterdir()) == before == []


# ------------------------------------------------------------------ the payload is live


def test_control_without_the_check_a_public_svg_runs_its_script(site, browser, monkeypatch):
    """Output as it was published before the check: the same tab-opening test finds the marks."""
    write_deals(site, hostile=True)
    build_unchecked(site, monkeypatch)
    context = browser.new_context()
    try:
        tab = context.new_page()
        tab.goto(site.url + "open-room/logo.svg")
        settle(tab)
        assert tab.evaluate("document.title") == MARK
        assert tab.evaluate(f"localStorage.getItem('{MARK}')") is not None
        assert site.marks(), "the payload called the test server"
    finally:
        context.close()


# ------------------------------------------------------------------ what passes is inert


def test_svgs_that_pass_are_drawn_and_run_nothing_wherever_they_are_opened(site, browser):
    write_deals(site, hostile=False)
    build(site.dir, today=dt.date.fromisoformat(TODAY))
    context = browser.new_context(accept_downloads=True)
    try:
        # The public deal: files published as they are.
        page = context.new_page()
        page.goto(site.url + "open-room/")
        for img in (page.locator("img[alt='Rollout chart']"), page.locator("img[src$='logo.svg']").first):
            drawn(img)
        pages = [page]
        for name in ("logo.svg", "files/chart.svg"):
            tab = context.new_page()
            tab.goto(site.url + f"open-room/{name}")
            expect(tab.locator("svg")).to_have_count(1)  # it is shown, as the picture it is
            settle(tab)
            pages.append(tab)
        # The protected deal: decrypted in the page, shown through blob: URLs.
        sealed = context.new_page()
        sealed.goto(site.url + "sealed-room/")
        log_in(sealed)
        blobs = opened_blobs(sealed, context, pages)
        assert len(blobs) == 2
        with sealed.expect_download() as download:
            sealed.get_by_role("link", name="Rollout chart").click()
        assert download.value.suggested_filename == "chart.svg"
        settle(sealed)
        pages.append(sealed)
        save_screenshot(sealed, "active-content-sealed.png")
        assert_no_mark(site, pages)
    finally:
        context.close()


def opened_blobs(sealed, context, pages: list) -> list[str]:
    """Every image of the unlocked page drawn, then each blob: URL it used opened in a new tab."""
    images = sealed.locator("img[src^='blob:']")
    expect(images.first).to_be_visible()
    urls = []
    for index in range(images.count()):
        img = images.nth(index)
        drawn(img)
        url = img.get_attribute("src")
        tab = context.new_page()
        with contextlib.suppress(PlaywrightError):  # a revoked blob: URL fails to load
            tab.goto(url)
        settle(tab)
        pages.append(tab)
        urls.append(url)
    return urls


# ------------------------------------------------------------------ the browser side on its own


def test_a_hostile_svg_sealed_past_the_check_stays_inert_in_the_browser(site, browser, monkeypatch):
    """The protected path alone: an SVG that reached a sealed deal (output from before the
    check, or a check someone switched off) runs nothing, inline, downloaded or in a new tab."""
    write_deals(site, hostile=True)
    build_unchecked(site, monkeypatch)
    published = [p for p in (site.dir / "output" / "sealed-room").rglob("*") if p.is_file()]
    assert all(MARK.encode() not in p.read_bytes() for p in published), "the SVGs are sealed"
    context = browser.new_context(accept_downloads=True)
    try:
        sealed = context.new_page()
        sealed.goto(site.url + "sealed-room/")
        log_in(sealed)
        pages = [sealed]
        opened_blobs(sealed, context, pages)
        with sealed.expect_download() as download:
            sealed.get_by_role("link", name="Rollout chart").click()
        saved = Path(download.value.path()).read_bytes()
        source = site.dir / "content/deals/sealed-room/files/chart.svg"
        assert hashlib.sha256(saved).digest() == hashlib.sha256(source.read_bytes()).digest()
        # The download link's own address, opened in a tab, is no file on the host.
        href = sealed.get_by_role("link", name="Rollout chart").get_attribute("href")
        tab = context.new_page()
        tab.goto(sealed.url.rsplit("/", 1)[0] + "/" + href)
        settle(tab)
        pages.append(tab)
        settle(sealed)
        assert_no_mark(site, pages)
    finally:
        context.close()
