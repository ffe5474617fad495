"""The team dashboard in Chromium: locked, opened with the team password, sortable by column."""

from __future__ import annotations

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
