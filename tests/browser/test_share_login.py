"""The login as a reader meets it, in a real Chromium (docs/protection.md, "In the browser").

A share-link reader has no password: once logged out (or in a new tab, from a bookmark) they must
be told to open their link again, and a remembered link login must let them in like a remembered
password login. The form itself keeps a mistyped password, can show it, focuses itself on a
desktop but not on a phone, and tells a link cut short from a revoked one. "Log out" on a phone
asks first and leaves the sticky bar to the sections.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from mapsite.pipeline.build import build
from tests.browser.helpers import (
    ARTIFACTS,
    PageWatch,
    assert_clean,
    log_in,
    read_envelope,
    save_screenshot,
    write_envelope,
)
from tests.helpers import PASSWORDS, SiteFactory

pytestmark = pytest.mark.browser

TITLE = "Buyer Co x Northwind"
PASSWORD = PASSWORDS["TEST_PORTAL_PASSWORD"]
# The browser's day: the share link below is valid until LINK_EXPIRES.
NOW = dt.datetime(2027, 2, 22, 10, 0)
LINK_EXPIRES = "2027-03-01"
REOPEN = "You opened this deal room on this device with a link. To come back in, open that link again."
INCOMPLETE = (
    "This link looks incomplete: part of it is missing or was changed. "
    "Copy the whole link from the message you received and open it again."
)
WRONG = "Wrong password. Please try again."
PHONE = {"width": 375, "height": 812}
LAPTOP = {"width": 1280, "height": 800}


@dataclass
class Portal:
    out: Path
    url: str
    secret: str

    def link(self, fragment: str | None = None) -> str:
        return f"{self.url}buyer-co/#share={self.secret if fragment is None else fragment}"


@pytest.fixture(scope="module")
def sealed(tmp_path_factory) -> Portal:
    """tests.helpers' minimal deal built once with protection on: a password and a share link."""
    site = SiteFactory(tmp_path_factory.mktemp("share-login") / "site").make()
    secret = base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode()
    share = {"deal": "buyer-co", "label": "buying team", "secret": secret, "created": "2027-02-01"}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TEST_PORTAL_PASSWORD", PASSWORD)
        patch.setenv("MAPSITE_SECRET", base64.urlsafe_b64encode(bytes(range(32))).rstrip(b"=").decode())
        patch.setenv("MAPSITE_SHARES", json.dumps({"shares": [{**share, "expires": LINK_EXPIRES}]}))
        out = build(site, today=dt.date(2027, 2, 22)).out
    return Portal(out, "", secret)


@pytest.fixture
def portal(sealed, static_server, tmp_path) -> Portal:
    """This test's own copy of the output (a test may edit it), served on loopback."""
    out = tmp_path / "output"
    shutil.copytree(sealed.out, out)
    return Portal(out, static_server(out), sealed.secret)


def stored(page) -> list[dict]:
    """What the page keeps in IndexedDB and localStorage, as text a test can search."""
    keys = page.evaluate(
        """async () => {
          const db = await new Promise((done) => { const r = indexedDB.open("mapsite"); r.onsuccess = () => done(r.result); });
          const read = (r) => new Promise((done) => { r.onsuccess = () => done(r.result); });
          const store = db.transaction("keys").objectStore("keys");
          const [names, values] = await Promise.all([read(store.getAllKeys()), read(store.getAll())]);
          db.close();
          return names.map((name, i) => ({ name, fields: Object.keys(values[i]).sort(),
            extractable: values[i].key.extractable || Boolean(values[i].sender?.extractable), days: (values[i].expires - Date.now()) / 864e5 }));
        }"""
    )
    local = page.evaluate("Object.entries(localStorage)")
    return [*keys, *({"name": name, "value": value} for name, value in local)]


def stored_names(page) -> set[str]:
    """Beside the build generation (docs/protection.md), which every opened deal records."""
    return {entry["name"] for entry in stored(page)} - {"mapsite-generation:buyer-co"}


def expect_reopen_notice(page) -> None:
    """What a logged-out link reader sees: the notice, no password form, a way to one."""
    expect(page.locator("#mapsite-status")).to_have_text(REOPEN)
    expect(page.get_by_label("Password", exact=True)).to_be_hidden()
    expect(page.get_by_role("button", name="Use a password instead")).to_be_visible()
    expect(page.locator("h1")).to_have_text("Private deal room")


# ------------------------------------------------------------------ share-link readers


def test_a_logged_out_link_reader_is_told_to_open_the_link_again(portal, tabs):
    page, watch = tabs(portal.url)
    page.goto(portal.link())
    expect(page.locator("h1")).to_have_text(TITLE)
    page.get_by_role("button", name="Log out").click()
    expect_reopen_notice(page)

    # A bookmark (the portal's address, the fragment long gone) says the same.
    page.goto(portal.url + "buyer-co/")
    expect_reopen_notice(page)
    everything = json.dumps(stored(page))
    assert portal.secret not in everything and portal.secret[:8] not in everything
    assert stored_names(page) == {"mapsite-link:buyer-co"}, "log out kept the key"

    # Opening the link again, even pasted into this very tab, lets them in.
    page.goto(portal.link())
    expect(page.locator("h1")).to_have_text(TITLE)
    assert page.evaluate("location.hash") == ""
    page.get_by_role("button", name="Log out").click()
    expect_reopen_notice(page)

    # A reader who also has a password can still use it; then the form is what comes back.
    page.get_by_role("button", name="Use a password instead").click()
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    expect(page.locator("#mapsite-status")).to_have_text("")
    log_in(page, PASSWORD)
    expect(page.locator("h1")).to_have_text(TITLE)
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_label("Password", exact=True)).to_be_visible()
    expect(page.locator("#mapsite-status")).to_have_text("")
    assert_clean(watch)


def test_a_remembered_link_login_opens_a_new_tab(portal, tabs):
    page, watch = tabs(portal.url)
    page.goto(portal.link())
    expect(page.locator("h1")).to_have_text(TITLE)

    other = page.context.new_page()
    other_watch = PageWatch(other, urlsplit(portal.url).netloc)
    other.goto(portal.url + "buyer-co/")
    expect(other.locator("h1")).to_have_text(TITLE)
    (key,) = [entry for entry in stored(other) if entry["name"] == "remember:buyer-co"]
    # The sender key of update codes (docs/updates.md) is kept beside the content key, as non-extractable.
    assert key["fields"] == ["expires", "key", "kid", "sender", "slot"] and key["extractable"] is False
    # Remembered no longer than the link is valid: to the end of 1 March, not for 30 days.
    end_of_link = (dt.datetime(2027, 3, 2) - NOW) / dt.timedelta(days=1)
    assert end_of_link - 0.01 < key["days"] <= end_of_link
    assert portal.secret not in json.dumps(stored(other))
    assert_clean(watch)
    assert_clean(other_watch)


def test_without_remembering_a_new_tab_says_to_open_the_link_again(portal, tabs):
    """A site that turns "Remember me" off (remember_days: 0) remembers no link login either."""
    for shell in portal.out.glob("buyer-co/**/index.html"):
        write_envelope(shell, {**read_envelope(shell), "remember_days": 0})
    page, watch = tabs(portal.url)
    page.goto(portal.link())
    expect(page.locator("h1")).to_have_text(TITLE)
    other = page.context.new_page()
    other.goto(portal.url + "buyer-co/")
    expect_reopen_notice(other)
    assert stored_names(other) == {"mapsite-link:buyer-co"}
    assert_clean(watch)


# ------------------------------------------------------------------ log out on a phone


def test_log_out_on_a_phone_asks_first_and_leaves_the_bar_to_the_sections(portal, tabs):
    page, watch = tabs(portal.url, PHONE, has_touch=True)
    page.goto(portal.link())
    expect(page.locator("h1")).to_have_text(TITLE)
    button = page.locator(".toc").get_by_role("button", name="Log out")
    expect(button).to_be_visible()
    bar = page.locator(".toc").bounding_box()
    logout_cell = page.locator(".toc-logout").bounding_box()
    assert logout_cell["width"] <= 0.16 * bar["width"], f"Log out takes {logout_cell['width']}px"

    button.click()
    dialog = page.get_by_role("dialog", name="Log out of this deal room?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("To come back in, you will need to open your link again.")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(page.locator("h1")).to_have_text(TITLE)

    button.click()
    page.get_by_role("dialog").get_by_role("button", name="Log out").click()
    expect_reopen_notice(page)
    assert_clean(watch)


def test_log_out_on_a_desktop_needs_no_confirmation(portal, tabs):
    page, watch = tabs(portal.url)
    page.goto(portal.url + "buyer-co/")
    log_in(page, PASSWORD)
    expect(page.locator("h1")).to_have_text(TITLE)
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_label("Password", exact=True)).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert_clean(watch)


# ------------------------------------------------------------------ the password form


def test_show_password_reveals_and_hides_what_was_typed(portal, tabs):
    page, watch = tabs(portal.url)
    page.goto(portal.url + "buyer-co/")
    field = page.get_by_label("Password", exact=True)
    field.fill("harbor lantern")
    toggle = page.get_by_role("button", name="Show password")
    toggle.click()
    expect(field).to_have_attribute("type", "text")
    expect(field).to_have_value("harbor lantern")
    expect(page.get_by_role("button", name="Hide password")).to_be_visible()
    page.get_by_role("button", name="Hide password").click()
    expect(field).to_have_attribute("type", "password")
    # Shown or not, it still opens the deal.
    field.fill(PASSWORD)
    page.get_by_role("button", name="Show password").click()
    page.get_by_role("button", name="Open deal room").click()
    expect(page.locator("h1")).to_have_text(TITLE)
    assert_clean(watch)


def test_a_wrong_password_stays_in_the_field_selected(portal, tabs):
    page, watch = tabs(portal.url)
    page.goto(portal.url + "buyer-co/")
    log_in(page, PASSWORD + "x")
    expect(page.locator("#mapsite-status")).to_have_text(WRONG)
    field = page.get_by_label("Password", exact=True)
    expect(field).to_have_value(PASSWORD + "x")
    expect(field).to_be_focused()
    assert field.evaluate("input => [input.selectionStart, input.selectionEnd]") == [0, len(PASSWORD) + 1]
    # Fixing the slip in place opens the deal.
    field.press("End")
    field.press("Backspace")
    page.get_by_role("button", name="Open deal room").click()
    expect(page.locator("h1")).to_have_text(TITLE)
    assert_clean(watch)


@pytest.mark.parametrize(
    "size, touch, focused", [(LAPTOP, False, True), (PHONE, True, False)], ids=["desktop", "phone"]
)
def test_the_password_field_is_focused_on_a_desktop_only(portal, tabs, size, touch, focused):
    page, watch = tabs(portal.url, size, has_touch=touch)
    page.goto(portal.url + "buyer-co/")
    field = page.get_by_label("Password", exact=True)
    expect(field).to_be_visible()
    if focused:
        expect(field).to_be_focused()
    else:
        page.wait_for_timeout(300)  # time for a (wrong) focus to land
        expect(field).not_to_be_focused()
    assert_clean(watch)


# ------------------------------------------------------------------ mangled links


@pytest.mark.parametrize("mangle", ["cut short", "cut to nothing", "one character changed", "line break"])
def test_a_mangled_link_says_it_looks_incomplete(portal, tabs, mangle):
    secret = portal.secret
    last = "B" if secret[-1] != "B" else "C"  # never one of A, Q, g, w: no 16-byte secret ends so
    fragment = {
        "cut short": secret[:15],
        "cut to nothing": "",
        "one character changed": secret[:-1] + last,
        "line break": secret[:10] + "%0A" + secret[10:],
    }[mangle]
    page, watch = tabs(portal.url)
    page.goto(portal.link(fragment))
    expect(page.locator("#mapsite-status")).to_have_text(INCOMPLETE)
    assert page.evaluate("location.hash") == ""
    assert "Buyer Co" not in page.content()
    assert_clean(watch)


def test_a_link_pasted_with_trailing_punctuation_still_opens(portal, tabs):
    page, watch = tabs(portal.url)
    page.goto(portal.link(portal.secret + ")."))
    expect(page.locator("h1")).to_have_text(TITLE)
    assert page.evaluate("location.hash") == ""
    assert_clean(watch)


# ------------------------------------------------------------------ how it looks


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_login_states_read_well(portal, tabs, scheme, size):
    phone = size is PHONE
    page, watch = tabs(portal.url, size, color_scheme=scheme, has_touch=phone)
    width = size["width"]

    def shot(state: str) -> None:
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{state}: the page scrolls sideways by {overflow}px at {width}px"
        save_screenshot(page, f"share-login-{state}-{scheme}-{width}.png")

    page.goto(portal.url + "buyer-co/")
    field = page.get_by_label("Password", exact=True)
    field.fill("not the password")
    page.get_by_role("button", name="Show password").click()
    page.get_by_role("button", name="Open deal room").click()
    expect(page.locator("#mapsite-status")).to_have_text(WRONG)
    shot("wrong-password")

    page.goto(portal.link(portal.secret[:12]))
    expect(page.locator("#mapsite-status")).to_have_text(INCOMPLETE)
    shot("incomplete-link")

    page.goto(portal.link())
    expect(page.locator("h1")).to_have_text(TITLE)
    page.get_by_role("button", name="Log out").click()
    if phone:
        dialog = page.get_by_role("dialog")
        expect(dialog).to_be_visible()
        ARTIFACTS.mkdir(exist_ok=True)  # the screen as seen: a whole-page shot misplaces a modal
        page.screenshot(path=str(ARTIFACTS / f"share-login-confirm-{scheme}-{width}.png"))
        dialog.get_by_role("button", name="Log out").click()
    expect_reopen_notice(page)
    shot("reopen")
    assert_clean(watch)
