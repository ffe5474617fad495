"""``mapsite open DEAL``: the running preview's page, else the published portal, in the browser;
the preview's token never reaches a command line or the terminal (issue 14)."""

from __future__ import annotations

import concurrent.futures
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS
from tests.helpers import SITE_YML
from tests.preview.helpers import GLOBEX_TITLE, Serve


def open_deal(site: Path, deal: str, browser: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """``mapsite open`` in a real process whose only browser is ``browser`` (a command)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER")}
    empty = tmp_path / "no-programs"
    empty.mkdir(exist_ok=True)
    env.update(BROWSER=browser, PATH=str(empty), COLUMNS="250")
    return subprocess.run(
        [sys.executable, "-m", "mapsite", "open", deal, "--site", str(site)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


@pytest.fixture
def recorder(tmp_path: Path) -> tuple[str, Path]:
    """A stand-in browser that writes down the command line it was started with."""
    log = tmp_path / "browser.log"
    script = tmp_path / "browser.sh"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\n', "utf-8")
    script.chmod(0o755)
    return str(script), log


def test_without_a_preview_the_published_portal_opens(example_site, recorder, tmp_path):
    browser, log = recorder
    result = open_deal(example_site, "acme", browser, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Opened https://deals.northwind.example/acme/ in your browser.\n"
    assert log.read_text("utf-8") == "https://deals.northwind.example/acme/\n"


def test_without_a_browser_the_address_is_printed(example_site, tmp_path):
    result = open_deal(example_site, "globex", str(tmp_path / "no-such-browser"), tmp_path)
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout == "No browser found here: the portal is at https://deals.northwind.example/globex/\n"
    )


def test_no_base_url_and_no_preview_says_what_to_do(site_factory, recorder, tmp_path):
    site = site_factory.make(site_yml=SITE_YML)
    result = open_deal(site, "buyer-co", recorder[0], tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        "error: no preview of this site is running, and mapsite.yml sets no base_url to find the portal at "
        "(hint: start one with: mapsite serve (in another terminal), or set base_url in mapsite.yml)\n"
    )
    assert not recorder[1].exists()


def test_a_stale_preview_file_is_not_a_running_preview(example_site, recorder, tmp_path):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    state = example_site / ".mapsite"
    state.mkdir(exist_ok=True)
    (state / "preview.json").write_text(json.dumps({"link": f"http://127.0.0.1:{port}/?token=old"}))
    result = open_deal(example_site, "acme", recorder[0], tmp_path)
    assert result.stdout == "Opened https://deals.northwind.example/acme/ in your browser.\n"


@pytest.mark.browser
def test_a_running_preview_opens_in_chromium_without_its_token_on_a_command_line(
    example_site, recorder, tmp_path
):
    browser, log = recorder
    serve = Serve(example_site, "--port", "0", tmpdir=tmp_path / "serve").started()
    try:
        result = open_deal(example_site, "globex", browser, tmp_path)
        assert result.returncode == 0, result.stderr
        assert result.stdout == f"Opened the preview of globex ({serve.base}globex/) in your browser.\n"
        [opened] = log.read_text("utf-8").splitlines()
        forward = example_site / ".mapsite" / "open-preview.html"
        assert opened == forward.resolve().as_uri()
        assert serve.token not in opened + result.stdout + result.stderr
        assert forward.stat().st_mode & 0o777 == 0o600
        assert (example_site / ".mapsite/preview.json").stat().st_mode & 0o777 == 0o600

        # What the browser was given takes it into the preview of globex. Playwright's sync API runs
        # in a thread of its own: an earlier test of the session may leave an event loop on this one.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            assert pool.submit(_title_after_opening, opened).result(timeout=60) == GLOBEX_TITLE
    finally:
        assert serve.stop() == 0
    # A stopped preview takes its file with it: open goes to the published portal again.
    assert not (example_site / ".mapsite/preview.json").exists()
    again = open_deal(example_site, "globex", browser, tmp_path)
    assert again.stdout == "Opened https://deals.northwind.example/globex/ in your browser.\n"


def _title_after_opening(url: str) -> str:
    """The title Chromium shows once ``url`` has led it where it goes (or after 15 s)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = chromium.new_page()
            page.goto(url)
            deadline = time.monotonic() + 15
            while page.title() != GLOBEX_TITLE and time.monotonic() < deadline:
                time.sleep(0.1)
            return page.title()
        finally:
            chromium.close()
