"""`mapsite serve` in a real Chromium: pages update by themselves while a rep edits the files.

The test never reloads a page: every change on screen comes from the preview's own LiveReload
connection. Each page is watched for console errors and for requests to any other host.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, PageWatch, save_screenshot
from tests.helpers import REPO
from tests.preview.helpers import (
    ACME,
    ACME_BAD_LINE,
    ACME_GOOD_LINE,
    ACME_TITLE,
    GLOBEX_TITLE,
    MS,
    Serve,
    edit,
    rebuilt,
)

pytestmark = pytest.mark.browser

RED_OUTLINE = "body { outline: 7px solid rgb(255, 0, 0) }"
HAS_RED_OUTLINE = """() => {
  const style = getComputedStyle(document.body);
  return style.outlineColor === 'rgb(255, 0, 0)' && style.outlineWidth === '7px';
}"""
H1_HAS = "text => { const h1 = document.querySelector('h1'); return !!h1 && h1.textContent.includes(text); }"
WAIT_MS = 15_000


class LivePage:
    """A page in its own browser context, with its LiveReload sockets and every load counted."""

    def __init__(self, browser, url: str, width: int = 1280, height: int = 900):
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.host = urlsplit(url).netloc
        self.watch = PageWatch(self.page, self.host)
        self.console: list[tuple[str, str]] = []  # (text, url of the source) of console errors
        self.sockets: list = []
        self.greeted: set[int] = set()  # sockets whose server said hello
        self.loads = 0
        self.page.on("websocket", self._socket)
        self.page.on("load", self._loaded)
        self.page.on(
            "console",
            lambda msg: msg.type == "error" and self.console.append((msg.text, msg.location.get("url", ""))),
        )
        self.page.goto(url)
        self.wait_connected()

    def _loaded(self, _page) -> None:
        self.loads += 1

    def _socket(self, socket) -> None:
        self.sockets.append(socket)

        def frame(payload) -> None:
            text = payload if isinstance(payload, str) else bytes(payload).decode("utf-8", "replace")
            if '"hello"' in text:
                self.greeted.add(id(socket))

        socket.on("framereceived", frame)

    def connected(self) -> bool:
        return any(id(s) in self.greeted and not s.is_closed() for s in self.sockets)

    def wait_connected(self, timeout: float = 10) -> None:
        """Until the page's LiveReload socket is open and the server has said hello."""
        deadline = time.monotonic() + timeout
        while not self.connected():
            if time.monotonic() > deadline:
                urls = [s.url for s in self.sockets]
                pytest.fail(f"{self.page.url}: no LiveReload hello within {timeout} s (sockets: {urls})")
            self.page.wait_for_timeout(50)  # lets Playwright deliver the socket's events

    def check_clean(self, allow_document_status: int | None = None) -> None:
        """No console error but the socket's own, nothing fetched from another host."""
        errors = []
        for text, source in self.console:
            if "websocket" in text.lower():
                continue
            if (
                allow_document_status
                and f"status of {allow_document_status}" in text
                and urlsplit(source).path.rstrip("/") == urlsplit(self.page.url).path.rstrip("/")
            ):
                continue
            errors.append(f"{text} ({source})")
        errors += [e for e in self.watch.errors if e not in {t for t, _ in self.console}]
        assert errors == [], errors
        assert self.watch.foreign == []
        for socket in self.sockets:
            parts = urlsplit(socket.url)
            assert parts.netloc == self.host and parts.path == "/livereload", socket.url


@pytest.fixture
def live(browser) -> Iterator:
    pages: list[LivePage] = []

    def opener(url: str, width: int = 1280, height: int = 900) -> LivePage:
        page = LivePage(browser, url, width, height)
        pages.append(page)
        return page

    yield opener
    for page in pages:
        page.context.close()


@pytest.fixture
def server(tmp_path) -> Iterator:
    started: list[Serve] = []

    def start(site: Path) -> Serve:
        process = Serve(site, "--port", "0", tmpdir=tmp_path / "tmp")
        started.append(process)
        return process.started()

    yield start
    for process in started:
        process.stop()


def test_the_preview_is_readable_and_says_it_is_not_protected(server, live, example_site):
    serve = server(example_site)
    acme = live(serve.link("acme/"))
    assert acme.page.locator("h1").inner_text() == ACME_TITLE
    banner = acme.page.get_by_text("Preview, not protected")
    assert banner.count() >= 1 and banner.first.is_visible()
    assert acme.page.get_by_text("Q1 budget freeze").first.is_visible()
    acme.check_clean()
    save_screenshot(acme.page, "serve-acme-preview.png")


def test_an_edit_reloads_its_own_page_keeping_the_scroll_and_no_other_page(server, live, example_site):
    serve = server(example_site)
    acme = live(serve.link("acme/"))
    globex = live(serve.link("globex/"))
    acme.page.evaluate("window.scrollTo(0, 900)")
    acme.page.wait_for_function("() => Math.abs(window.scrollY - 900) < 2", timeout=WAIT_MS)
    scrolled = acme.page.evaluate("window.scrollY")
    globex.page.evaluate("window.__marker = 1")
    globex_loads = globex.loads

    new_title = "Acme x Northwind: Marketing Automation Rollout, phase 2"
    path = example_site / ACME
    text = path.read_text("utf-8")
    text = text.replace(ACME_TITLE, new_title, 1).replace(
        "name: Technical Demo,", "name: Technical Deep Dive,"
    )
    mark = serve.mark()
    path.write_text(text, "utf-8")

    acme.page.wait_for_function(H1_HAS, arg=new_title, timeout=WAIT_MS)
    acme.page.get_by_text("Technical Deep Dive").first.wait_for(state="attached", timeout=WAIT_MS)
    assert acme.page.get_by_text("Technical Demo", exact=True).count() == 0
    # The reader stays where they were (a reload may restore the position a moment after load).
    acme.page.wait_for_function("y => Math.abs(window.scrollY - y) <= 120", arg=scrolled, timeout=5_000)
    serve.wait_for_line(rebuilt("acme"), since=mark)

    # globex got the same notification at the same moment; give it time to (wrongly) reload.
    globex.page.wait_for_timeout(1_500)
    assert globex.page.evaluate("window.__marker") == 1, "the globex page reloaded"
    assert globex.loads == globex_loads
    assert globex.page.locator("h1").inner_text() == GLOBEX_TITLE
    assert globex.connected()
    acme.check_clean()
    globex.check_clean()


def test_a_new_buyer_logo_shows_in_the_open_page(server, live, example_site):
    """A deal's own image is part of its page: replacing it updates the open page."""
    serve = server(example_site)
    acme = live(serve.link("acme/"))
    natural_width = "() => document.querySelector('img[alt=\"Acme Corp logo\"]').naturalWidth"
    assert acme.page.evaluate(natural_width) == 160
    edit(
        example_site / "content/deals/acme/acme-logo.svg",
        'width="160" height="48"',
        'width="320" height="96"',
    )
    acme.page.wait_for_function(f"() => ({natural_width})() === 320", timeout=WAIT_MS)
    acme.check_clean()


def test_a_broken_file_shows_the_error_in_the_open_page_until_it_is_fixed(server, live, example_site):
    serve = server(example_site)
    acme = live(serve.link("acme/"))
    path = example_site / ACME
    mark = serve.mark()
    edit(path, ACME_GOOD_LINE, ACME_BAD_LINE, atomic=True)

    where = acme.page.get_by_text("content/deals/acme/index.md:4", exact=False).first
    where.wait_for(state="visible", timeout=WAIT_MS)
    assert acme.page.get_by_text("YAML syntax error", exact=False).first.is_visible()
    bad = acme.page.locator(".error-line")
    assert bad.count() == 1, bad.count()
    # The open bracket is reported at its own line, marked among its neighbours.
    assert "name: [Acme Corp" in bad.inner_text() and "4" in bad.inner_text()
    assert bad.is_visible()
    assert acme.page.get_by_text("name: [Acme Corp", exact=False).first.is_visible()
    serve.wait_for_line(r"^build failed: ", since=mark)
    save_screenshot(acme.page, "serve-error-page.png")
    acme.wait_connected()  # the error page listens for the fix, too

    mark = serve.mark()
    edit(path, ACME_BAD_LINE, ACME_GOOD_LINE, atomic=True)
    acme.page.wait_for_function(H1_HAS, arg=ACME_TITLE, timeout=WAIT_MS)
    acme.page.locator(".error-line").wait_for(state="detached", timeout=WAIT_MS)
    assert acme.page.get_by_text("Q1 budget freeze").first.is_visible()
    serve.wait_for_line(rebuilt("acme"), since=mark)
    assert serve.alive()
    acme.check_clean(allow_document_status=500)


def test_a_theme_css_change_restyles_every_open_page(server, live, example_site):
    # The theme exists before the server starts: creating it is a change of its own.
    css = example_site / "themes" / "brand" / "static" / "mapsite.css"
    css.parent.mkdir(parents=True)
    shutil.copy2(REPO / "themes" / "default" / "static" / "mapsite.css", css)
    site_yml = example_site / "mapsite.yml"
    site_yml.write_text(site_yml.read_text("utf-8") + "\ntheme: brand\n", "utf-8")

    serve = server(example_site)
    pages = [live(serve.link("acme/")), live(serve.link("globex/"))]
    for page in pages:
        assert not page.page.evaluate(HAS_RED_OUTLINE)

    mark = serve.mark()
    css.write_text(css.read_text("utf-8") + "\n" + RED_OUTLINE + "\n", "utf-8")
    for page in pages:
        page.page.wait_for_function(HAS_RED_OUTLINE, timeout=WAIT_MS)
    serve.wait_for_line(rf"^rebuilt all 3 deals in {MS} \(\d+ pages? changed\)$", since=mark)
    assert pages[0].page.locator("h1").inner_text() == ACME_TITLE
    assert pages[1].page.locator("h1").inner_text() == GLOBEX_TITLE
    for page in pages:
        page.check_clean()


# --- who may read the preview (issue 12, finding 5) -----------------------------------------------

SOCKET_OPENS = """url => new Promise(done => {
  const socket = new WebSocket(url);
  socket.onopen = () => { socket.close(); done("opened"); };
  socket.onerror = () => done("refused");
  setTimeout(() => done("no answer"), 5000);
})"""


def test_the_printed_url_lets_this_browser_in_and_leaves_the_address_bar(server, live, browser, example_site):
    serve = server(example_site)
    acme = live(serve.link("acme/"))
    assert acme.page.url == serve.base + "acme/"  # the token is gone from the address bar
    assert acme.page.locator("h1").inner_text() == ACME_TITLE
    [cookie] = acme.context.cookies()
    assert cookie["name"] == f"mapsite_preview_{serve.port}", cookie
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict", cookie
    assert acme.page.evaluate("document.cookie") == ""  # no script of the page reads it
    acme.check_clean()

    # Another browser (or profile) without the printed URL is sent to the terminal.
    context = browser.new_context()
    try:
        page = context.new_page()
        response = page.goto(serve.base + "acme/")
        assert response is not None and response.status == 403
        assert "Open the link printed in the terminal" in page.locator("h1").inner_text()
        assert ACME_TITLE not in page.content() and "Q1 budget freeze" not in page.content()
        assert page.evaluate(SOCKET_OPENS, f"ws://127.0.0.1:{serve.port}/livereload") == "refused"
    finally:
        context.close()


def test_a_page_on_a_rebound_name_reads_nothing(server, browser, example_site):
    """DNS rebinding, for real: Chromium resolves evil.example to 127.0.0.1, as an attacker's DNS would."""
    serve = server(example_site)
    rebinding = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP evil.example 127.0.0.1"],
    )
    try:
        # The rep's browser holds the preview's cookie: the attacker's page runs in the same profile.
        context = rebinding.new_context()
        page = context.new_page()
        page.goto(serve.link("acme/"))
        assert page.locator("h1").inner_text() == ACME_TITLE
        evil = f"http://evil.example:{serve.port}"
        response = page.goto(f"{evil}/acme/")
        assert response is not None and response.status == 421
        assert ACME_TITLE not in page.content() and "Q1 budget freeze" not in page.content()
        # What the attacker's script could fetch from its own (rebound) origin: refusals only.
        for path in ("/acme/", "/globex/", "/", f"/acme/?token={serve.token}"):
            status, text = page.evaluate("p => fetch(p).then(async r => [r.status, await r.text()])", path)
            assert status == 421 and ACME_TITLE not in text and GLOBEX_TITLE not in text, (path, status)
        assert page.evaluate(SOCKET_OPENS, f"ws://evil.example:{serve.port}/livereload") == "refused"
        context.close()
    finally:
        rebinding.close()
