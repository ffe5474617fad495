"""The login page of a deal opened only by share links (``access: links``), in a real Chromium.

Such a deal has no password slot, so a password form could never work: the page says the deal
room opens from its share link and whom to ask, names nothing of the deal, and the link opens it.
A deal with passwords beside it keeps its form. The site is built by the real ``mapsite`` command.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_clean, save_screenshot
from tests.helpers import MINIMAL_DEAL, TODAY, SiteFactory, mapsite_ok

pytestmark = pytest.mark.browser

PASSWORD_ACCESS = "access:\n  - {label: Buying team, password_env: TEST_PORTAL_PASSWORD}\n"
TITLE = "Links Co x Northwind"
LINKS_DEAL = (
    MINIMAL_DEAL.replace(PASSWORD_ACCESS, "access: links\n")
    .replace("Buyer Co x Northwind", TITLE)
    .replace("name: Buyer Co,", "name: Links Co,")
)
ASK = (
    "This deal room opens from its share link. If you don't have the link, "
    "ask your contact at Northwind Software to send it."
)
REOPEN = "You opened this deal room on this device with a link. To come back in, open that link again."
REVOKED = "This link is no longer valid: it was revoked or has expired. Ask your contact for a new one."


def share(site: Path, label: str) -> str:
    printed = mapsite_ok(site, "share", "links-co", "--label", label, "--expires", "never").stdout
    return re.search(r"#share=([A-Za-z0-9_-]{22})$", printed, re.M).group(1)


def expect_no_password_form(page) -> None:
    expect(page.get_by_label("Password", exact=True)).to_be_hidden()
    expect(page.get_by_role("button", name="Open deal room")).to_be_hidden()
    expect(page.get_by_role("button", name="Use a password instead")).to_be_hidden()
    expect(page.get_by_text("Each deal room has its own password")).to_be_hidden()


def test_the_login_page_asks_for_the_link_and_the_link_opens_the_deal(
    site_factory: SiteFactory, static_server, tabs
):
    site = site_factory.make({"buyer-co.md": MINIMAL_DEAL, "links-co.md": LINKS_DEAL})
    secret = share(site, "Buying team")
    mapsite_ok(site, "build", "--today", TODAY)
    url = static_server(site / "output")

    # Without the link: no form that could never work, the way in said, nothing of the deal.
    page, watch = tabs(url)
    page.goto(url + "links-co/")
    expect(page.locator("#mapsite-links-only")).to_have_text(ASK)
    expect_no_password_form(page)
    expect(page.locator("#mapsite-status")).to_have_text("")
    body = page.locator("body").inner_text()
    assert "Links Co" not in body and "links-co" not in body.lower()
    save_screenshot(page, "links-only-login.png")

    # The link opens it; logged out, the reader is told to open the link again, and no password
    # form is offered.
    page.goto(url + f"links-co/#share={secret}")
    expect(page.locator("h1")).to_have_text(TITLE)
    page.get_by_role("button", name="Log out").click()
    expect(page.locator("#mapsite-status")).to_have_text(REOPEN)
    expect_no_password_form(page)
    assert_clean(watch)

    # A deal with a password keeps its form, without the links-only words.
    page, watch = tabs(url)
    page.goto(url + "buyer-co/")
    expect(page.get_by_label("Password", exact=True)).to_be_visible()
    expect(page.locator("#mapsite-links-only")).to_be_hidden()
    assert_clean(watch)


def test_a_revoked_link_is_refused_without_offering_a_password(
    site_factory: SiteFactory, static_server, tabs
):
    site = site_factory.make({"links-co.md": LINKS_DEAL})
    secret = share(site, "Buying team")
    mapsite_ok(site, "share", "links-co", "--revoke", "Buying team")
    mapsite_ok(site, "build", "--today", TODAY)
    url = static_server(site / "output")

    page, watch = tabs(url)
    page.goto(url + f"links-co/#share={secret}")
    expect(page.locator("#mapsite-status")).to_have_text(REVOKED)
    expect(page.locator("#mapsite-links-only")).to_have_text(ASK)
    expect_no_password_form(page)
    assert_clean(watch)
