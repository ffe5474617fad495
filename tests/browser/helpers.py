"""What the Chromium tests import by name: where chromium is, how it is started, a watch on what a
page logs and fetches, screenshots, and the steps of opening a protected portal.

Fixtures (the browser, a page opener, a static server) are in conftest.py, which pytest injects.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import expect

from mapsite.protect import envelope
from mapsite.protect.seal import published_path
from tests.helpers import PASSWORDS, REPO

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]
ACME = "Acme x Northwind: Marketing Automation Rollout"
DAMAGED = "This page could not be opened: it was altered or damaged. Ask your contact for a fresh link."
ENVELOPE = re.compile(r'(<script type="application/json" id="mapsite-envelope">)(.*?)(</script>)', re.S)


class PageWatch:
    """Console errors, page errors and every host the page tried to reach."""

    def __init__(self, page, allowed_host: str):
        self.errors: list[str] = []
        self.foreign: list[str] = []
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        # The console says a resource failed, not which: assert_clean names the addresses.
        self.failed: list[str] = []
        page.on(
            "response",
            lambda response: (
                response.status >= 400 and self.failed.append(f"{response.status} {response.url}")
            ),
        )

        def route(route):
            url = route.request.url
            host = urlsplit(url).netloc
            if url.startswith(("data:", "blob:")) or host == allowed_host:
                route.continue_()
            else:
                self.foreign.append(url)
                route.abort()

        page.route("**/*", route)


def save_screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def pages_of(pdf: bytes, name: str) -> tuple[int, str]:
    """Page count and text of a PDF, kept in test-artifacts/ for a look."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1)), text


def published(readable: str, site_secret: bytes = bytes(range(32))) -> str:
    """The URL path of a protected deal's page: extra pages live in opaque folders
    ("acme/security/" is published as "acme/<16 hex>/"). The default secret is the one
    test_protection.py builds with (its SITE_SECRET)."""
    deal = readable.split("/")[0]
    path = published_path(envelope.path_key(site_secret, deal), readable + "index.html")
    return path.removesuffix("index.html")


def log_in(page, password: str, remember: bool = False) -> None:
    expect(page.locator("#mapsite-password")).to_be_visible()
    page.get_by_label("Password").fill(password)
    if remember:
        page.get_by_label("Remember me on this device for 30 days").check()
    page.get_by_role("button", name="Open deal room").click()


def assert_clean(watch: PageWatch) -> None:
    assert watch.errors == [], watch.errors + watch.failed
    assert watch.foreign == []


def read_envelope(path: Path) -> dict:
    return json.loads(ENVELOPE.search(path.read_text("utf-8")).group(2))


def write_envelope(path: Path, data: dict) -> None:
    text = json.dumps(data, separators=(",", ":")).replace("<", "\\u003c")
    path.write_text(ENVELOPE.sub(lambda m: m.group(1) + text + m.group(3), path.read_text("utf-8")), "utf-8")


def flip_byte(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


# ------------------------------------------------------------------ the reader's update controls

# An item's own Update menu (beside its name), not the menus of the actions listed inside it.
OWN_MENU = ":scope > .ms-main > .ms-head > details.upd-menu, :scope > .check-body > details.upd-menu"
UPDATES_DAY = dt.datetime(2027, 2, 22, 10, 0)  # the example's day, on the browser's clock


def open_updates_portal(context, url: str, log_in_first: bool = True):
    """Acme's portal in ``context`` (a persistent profile keeps its first page), logged in with
    Remember me, once the update controls are in; returns (page, watch)."""
    page = context.pages[0] if context.pages else context.new_page()
    page.clock.set_fixed_time(UPDATES_DAY)
    watch = PageWatch(page, urlsplit(url).netloc)
    page.goto(url)
    if log_in_first:
        log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"], remember=True)
    expect(page.locator("[data-upd-bar]")).to_be_attached()
    return page, watch


def use_menu(page, item: str, choice: str) -> None:
    """Open the Update menu of the row ``item`` (a selector) and choose ``choice``."""
    row = page.locator(item)
    row.locator(f"{OWN_MENU} > summary").click()
    row.locator(OWN_MENU).get_by_role("button", name=choice).click()


def save_change(page, name: str = "Save") -> None:
    """Confirm the open change dialog with its button ``name``; it closes."""
    page.get_by_role("dialog").get_by_role("button", name=name, exact=True).click()
    expect(page.get_by_role("dialog")).to_have_count(0)
