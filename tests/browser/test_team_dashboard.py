"""The team dashboard in Chromium: locked, opened with the team password, sortable by column."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PageWatch, save_screenshot
from tests.helpers import PASSWORDS, TODAY, run

pytestmark = pytest.mark.browser
BUYERS = ["Bluebird Bakery", "Acme Corp", "Globex Logistics"]  # by close date: Mar 12, Apr 30, Jun 15


@pytest.fixture
def dashboard(example_site, static_server, browser):
    result = run("build", "--today", TODAY, "--site", str(example_site))
    assert result.returncode == 0, result.stderr
    url = static_server(example_site / "output") + "_team/"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = PageWatch(page, url.split("/")[2])
    page.goto(url)
    yield page, watch
    context.close()


def log_in(page, password: str) -> None:
    expect(page.locator("#mapsite-password")).to_be_visible()
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Open deal room").click()


def buyer_column(page) -> list[str]:
    return [
        text.strip() for text in page.locator("table.team-table tbody tr td:first-child a").all_inner_texts()
    ]


def test_the_dashboard_shows_nothing_before_the_team_password(dashboard):
    page, watch = dashboard
    log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"])
    expect(page.locator("#mapsite-status")).to_have_text("Wrong password. Please try again.")
    html = page.content()
    for buyer in BUYERS:
        assert buyer not in html
    assert watch.errors == []


def test_the_team_password_opens_a_sortable_pipeline(dashboard):
    page, watch = dashboard
    log_in(page, PASSWORDS["MAPSITE_TEAM_PASSWORD"])
    expect(page.locator("h1")).to_have_text("Pipeline")
    assert buyer_column(page) == BUYERS
    page.get_by_role("button", name="Days to close").click()
    expect(page.locator("th", has_text="Days to close")).to_have_attribute("aria-sort", "ascending")
    assert buyer_column(page) == BUYERS
    page.get_by_role("button", name="Days to close").click()
    expect(page.locator("th", has_text="Days to close")).to_have_attribute("aria-sort", "descending")
    assert buyer_column(page) == list(reversed(BUYERS))
    page.get_by_role("button", name="Deal").click()
    assert buyer_column(page) == sorted(BUYERS)
    save_screenshot(page, "team-dashboard.png")
    page.get_by_role("link", name="Acme Corp").click()
    expect(page.locator("#mapsite-password")).to_be_visible()  # each portal keeps its own password
    assert watch.errors == []
    assert watch.foreign == []


# Issue 15: readable on a phone (a card per deal), the sortable table with its cue on a laptop.
CARD_FACTS = {  # buyer: (close date, days to close) on TODAY, as the status rows compute them
    "Bluebird Bakery": ("Mar 12", "In 18 days"),
    "Acme Corp": ("Apr 30", "In 67 days"),
    "Globex Logistics": ("Jun 15", "In 113 days"),
}


@pytest.fixture
def team_url(example_site, static_server) -> str:
    result = run("build", "--no-protect", "--today", TODAY, "--site", str(example_site))
    assert result.returncode == 0, result.stderr
    return static_server(example_site / "output") + "_team/"


def _open(browser, url: str, width: int, height: int, scheme: str = "light", clock=None):
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = context.new_page()
    if clock:
        page.clock.set_fixed_time(clock)
    watch = PageWatch(page, url.split("/")[2])
    page.goto(url)
    expect(page.locator("h1")).to_have_text("Pipeline")
    return context, page, watch


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_phone_reads_each_deal_as_a_card(browser, team_url, scheme):
    context, page, watch = _open(browser, team_url, 375, 812, scheme)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") == 375
        expect(page.locator("table.team-table")).to_be_hidden()  # and out of the a11y tree
        expect(page.get_by_role("table")).to_have_count(0)
        cards = page.locator(".team-card").filter(visible=True)
        expect(cards).to_have_count(3)
        assert [h.strip() for h in cards.locator("h2").all_inner_texts()] == BUYERS
        for index, buyer in enumerate(BUYERS):
            card = cards.nth(index)
            close, days = CARD_FACTS[buyer]
            expect(card.locator(".team-card-close")).to_have_text(f"Close {close} · {days}")
            for label in ("Stage", "Done", "Overdue", "Projected close", "Next milestone", "Updated"):
                expect(card.locator("dt", has_text=label)).to_be_visible()
            box = card.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 375, buyer
        expect(cards.nth(1).locator("dd").nth(2)).to_have_text("2 (buyer 2)")  # Acme's overdue
        expect(page.get_by_text("click a column heading")).to_be_hidden()
        save_screenshot(page, f"team-dashboard-375-{scheme}.png")
        page.get_by_role("link", name="Acme Corp").click()
        expect(page.locator("h1")).to_contain_text("Acme x Northwind")
        assert watch.errors == []
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_laptop_reads_the_whole_table_with_its_sort_cue(browser, team_url, scheme):
    context, page, watch = _open(browser, team_url, 1280, 800, scheme)
    try:
        expect(page.locator(".team-cards")).to_be_hidden()
        table = page.get_by_role("table")
        expect(table).to_be_visible()
        # Every column is in sight: nothing cut off to the right of the card.
        scroller = page.locator(".team .table-scroll")
        assert scroller.evaluate("(box) => box.scrollWidth <= box.clientWidth")
        assert page.evaluate("document.documentElement.scrollWidth") == 1280
        close = page.get_by_role("button", name="Close", exact=True)
        cue = close.evaluate("(b) => getComputedStyle(b, '::after').content")
        assert "▲" in cue
        other = page.get_by_role("button", name="Stage", exact=True).evaluate(
            "(b) => getComputedStyle(b, '::after').content"
        )
        assert "↕" in other
        expect(page.get_by_text("click a column heading to sort by it")).to_be_visible()
        save_screenshot(page, f"team-dashboard-1280-{scheme}.png")
        assert watch.errors == []
    finally:
        context.close()


def test_the_team_page_is_as_of_its_build_day(browser, team_url):
    """The team page has no live dates (live-dates.js is the portal's): 30 days later its cards
    still count from the build day, and its lead says which day that is."""
    later = dt.datetime(2027, 3, 24, 12)
    context, page, _watch = _open(browser, team_url, 375, 812, clock=later)
    try:
        expect(page.locator(".team-lead")).to_contain_text("As of Mon, Feb 22, 2027")
        expect(page.locator(".team-card-close").first).to_have_text("Close Mar 12 · In 18 days")
    finally:
        context.close()
