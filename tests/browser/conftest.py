"""Real-browser fixtures: Debian's chromium driven by Playwright, a static server on loopback.

What the browser tests import by name (the chromium path, PageWatch, screenshots, logging in) is
in tests/browser/helpers.py.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, UPDATES_DAY, PageWatch


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


@pytest.fixture
def static_server() -> Iterator:
    """Serve a folder on 127.0.0.1 on a free port; yields a function folder -> base URL."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def serve(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.fail("Debian's chromium is not installed: run scripts/install-test-deps.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser):
    """Open a URL in a fresh context of the given size; returns (page, watch)."""
    contexts = []

    def opener(url: str, width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        watch = PageWatch(page, urlsplit(url).netloc)
        page.goto(url)
        return page, watch

    yield opener
    for context in contexts:
        context.close()


@pytest.fixture
def tabs(browser):
    """A fresh browser profile per call, its clock on the example's day (``UPDATES_DAY``);
    returns (page, watch) unopened, for tests that go to the page themselves."""
    contexts = []

    def open_tab(url: str, size: dict | None = None, **options):
        context = browser.new_context(viewport=size or {"width": 1280, "height": 800}, **options)
        contexts.append(context)
        page = context.new_page()
        page.clock.set_fixed_time(UPDATES_DAY)
        return page, PageWatch(page, urlsplit(url).netloc)

    yield open_tab
    for context in contexts:
        context.close()
