"""Moving between the pages of an unlocked deal in Chromium: in place, with the key in memory.

Once a buyer has opened Acme's plan, its "Security review pack" page opens without a new document
load (unlock.js fetches the page's sealed shell and decrypts it); everything else, such as another
deal's page, a damaged page or a login ended in another tab, loads as usual. A window marker set
before a click tells the two apart: a new document never has it.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from mapsite.pipeline.build import build
from mapsite.protect import envelope
from mapsite.protect.secrets import site_secret
from tests.browser.helpers import (
    ACME,
    DAMAGED,
    assert_clean,
    flip_byte,
    log_in,
    published,
    read_envelope,
    write_envelope,
)
from tests.helpers import PASSWORDS, TODAY

pytestmark = pytest.mark.browser

SECURITY = "Security review pack"
# Text of the security page that must not be in the DOM once the deal is locked again.
SECURITY_TEXT = "How the security review works"
MARKER = "window.mapsiteSameDocument"


@pytest.fixture
def out(example_site) -> Path:
    """The example site's output, built with protection on."""
    return build(example_site, today=dt.date.fromisoformat(TODAY)).out


@pytest.fixture
def url(out, static_server) -> str:
    """The base URL of the output served on loopback."""
    return static_server(out)


@pytest.fixture
def security(example_site, out) -> str:  # noqa: ARG001 - the build of `out` creates the site secret
    """Where the security page is published: an opaque folder of the deal."""
    return published("acme/security/", site_secret(example_site, create=False)[0])


def open_acme(open_page, url: str):
    """Acme's plan, unlocked with its password, marked so that a new document load shows."""
    page, watch = open_page(url + "acme/")
    log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"])
    expect(page.locator("h1")).to_have_text(ACME)
    page.evaluate(f"{MARKER} = true")
    return page, watch


def same_document(page) -> bool:
    return page.evaluate(MARKER) is True


def follow(link, keys: str = "Enter") -> None:
    """Open a link from the keyboard. A mouse click may miss: the plan's lazy diagram, loading as
    the link scrolls into view, moves it between Playwright's aim and its click."""
    link.focus()
    link.press(keys)


def security_link(page):
    return page.locator("#pages").get_by_role("link", name=SECURITY)


def test_a_page_of_the_deal_opens_in_place_and_back_returns_to_the_plan(url, open_page, security):
    page, watch = open_acme(open_page, url)
    link = security_link(page)
    link.scroll_into_view_if_needed()
    for image in page.locator("img").all():  # loaded, so that nothing moves under the pointer
        expect(image).to_have_js_property("complete", True)
    plan_scroll = page.evaluate("window.scrollY")
    assert plan_scroll > 0

    link.click()
    expect(page.locator("h1")).to_have_text(SECURITY)
    expect(page.get_by_text(SECURITY_TEXT)).to_be_visible()
    assert page.url == url + security
    assert page.title() == f"{SECURITY} · {ACME}"
    assert same_document(page), "the page was loaded as a new document"
    # As after a load: at the top, and a screen reader starts at the page's main content.
    assert page.evaluate("window.scrollY") == 0
    assert page.evaluate("document.activeElement.id") == "main"
    logo = page.locator("img[alt='Acme Corp logo']")
    expect(logo).to_have_attribute("src", re.compile(r"^blob:"))
    assert logo.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0

    page.go_back()
    expect(page.locator("h1")).to_have_text(ACME)
    assert page.url == url + "acme/"
    assert same_document(page)
    # Where the reader was, give or take the lazy diagram above it, which loads again. The scroll
    # comes back once the page's own scripts have run (they change its height), a moment after
    # its heading shows: polled, with a bound.
    deadline = time.monotonic() + 5
    while abs(page.evaluate("window.scrollY") - plan_scroll) >= 200 and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert abs(page.evaluate("window.scrollY") - plan_scroll) < 200
    page.go_forward()
    expect(page.locator("h1")).to_have_text(SECURITY)
    follow(page.get_by_role("link", name="Back to the plan"))
    expect(page.locator("h1")).to_have_text(ACME)
    assert page.url == url + "acme/"
    assert same_document(page)
    assert_clean(watch)


def test_the_page_opened_in_place_reloads_and_logs_out(url, open_page, security):
    page, watch = open_acme(open_page, url)
    follow(security_link(page))
    expect(page.locator("h1")).to_have_text(SECURITY)
    assert same_document(page)

    page.reload()  # a new document: a login without Remember me lives in memory only
    log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"])
    expect(page.locator("h1")).to_have_text(SECURITY)
    assert not same_document(page)
    follow(page.get_by_role("link", name="Back to the plan"))
    expect(page.locator("h1")).to_have_text(ACME)
    page.evaluate(f"{MARKER} = true")
    follow(security_link(page))
    expect(page.locator("h1")).to_have_text(SECURITY)
    assert same_document(page)

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_label("Password")).to_be_visible()
    assert page.url == url + security
    assert SECURITY_TEXT not in page.content()
    page.go_back()
    expect(page.get_by_label("Password")).to_be_visible()
    assert ACME not in page.content()
    assert_clean(watch)


def test_log_out_in_another_tab_locks_this_one_at_once(url, open_page, security):
    page, watch = open_acme(open_page, url)
    follow(security_link(page))
    expect(page.locator("h1")).to_have_text(SECURITY)
    other_tab = page.context.new_page()
    other_tab.goto(url + "acme/")
    log_in(other_tab, PASSWORDS["ACME_PORTAL_PASSWORD"])
    other_tab.get_by_role("button", name="Log out").click()
    expect(other_tab.get_by_label("Password")).to_be_visible()

    expect(page.get_by_label("Password")).to_be_visible()
    assert page.url == url + security
    assert SECURITY_TEXT not in page.content()
    assert ACME not in page.content()
    assert_clean(watch)


def test_another_deals_page_and_a_new_tab_load_as_usual(url, open_page, security):
    page, watch = open_acme(open_page, url)
    with page.context.expect_page() as new_tab:
        follow(security_link(page), "ControlOrMeta+Enter")
    new_tab.value.wait_for_load_state()
    assert new_tab.value.url == url + security
    new_tab.value.close()
    assert page.url == url + "acme/"
    assert same_document(page)

    # The plan has no link to another deal: give it one, as a rep's Markdown could.
    page.locator("main").evaluate(
        "main => main.prepend(Object.assign(document.createElement('a'), {href: '../globex/', textContent: 'Globex'}))"
    )
    follow(page.get_by_role("link", name="Globex", exact=True))
    expect(page.get_by_label("Password")).to_be_visible()
    assert page.url == url + "globex/"
    assert not same_document(page)
    assert_clean(watch)


def test_a_damaged_page_is_not_opened_in_place(out, url, open_page, security):
    shell = out / security / "index.html"
    data = read_envelope(shell)
    data["ct"] = envelope.b64(flip_byte(envelope.unb64(data["ct"]), 100))
    write_envelope(shell, data)
    page, watch = open_acme(open_page, url)

    follow(security_link(page))
    # Said in place: a load would only ask for the password first (the key lives in memory).
    expect(page.locator("#mapsite-status")).to_have_text(DAMAGED)
    assert page.url == url + security
    assert ACME not in page.content()
    assert_clean(watch)
