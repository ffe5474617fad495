"""Issue 17, the manager's view in Chromium: the team page's filters (plan status, owner, close
quarter) change the visible deals and the pipeline totals, on a laptop (table) and a phone (cards),
and the page stays axe clean. Figures by hand: Bluebird (Mia Chen, 2027-Q1, on track, 12,000 USD),
Acme (Sam Carter, 2027-Q2, at risk, 48,000 USD), Globex (Jordan Blake, 2027-Q2, at risk, 30,000 EUR).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.browser.helpers import PageWatch, assert_clean, save_screenshot
from tests.helpers import REPO, TODAY, run

pytestmark = pytest.mark.browser
AXE = REPO / "tests" / "browser" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AMOUNTS = {
    "bluebird-bakery.md": "12000\ncurrency: USD",
    "acme/index.md": "48000\ncurrency: USD",
    "globex/index.md": "30000\ncurrency: EUR",
}
ALL = [
    "2027-Q1 · On track: 1 deal, 12,000 USD",
    "2027-Q2 · At risk: 2 deals, 30,000 EUR + 48,000 USD (mixed currencies)",
]


@pytest.fixture
def team_url(example_site: Path, static_server) -> str:
    for name, amount in AMOUNTS.items():
        deal = example_site / "content/deals" / name
        text = deal.read_text("utf-8")
        deal.write_text(text.replace("\nclose_date:", f"\namount: {amount}\nclose_date:", 1), "utf-8")
    result = run("build", "--no-protect", "--today", TODAY, "--site", str(example_site))
    assert result.returncode == 0, result.stderr
    return static_server(example_site / "output") + "_team/"


def visible(page, selector: str) -> list[str]:
    return [el.get_attribute("data-owner") or "" for el in page.locator(selector).all() if el.is_visible()]


def totals(page) -> list[str]:
    return [text.strip() for text in page.locator("ul.team-totals li").all_inner_texts()]


def settle(page, selector: str, owners: list[str]) -> None:
    """Polls from Python (the CSP forbids wait_for_function with a string), bounded."""
    deadline = time.monotonic() + 5
    while sorted(visible(page, selector)) != sorted(owners) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(visible(page, selector)) == sorted(owners)


@pytest.mark.parametrize(("width", "selector"), [(1280, "table.team-table tbody tr"), (375, "li.team-card")])
def test_filters_change_the_deals_and_the_totals(browser, team_url, width, selector):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    watch = PageWatch(page, team_url.split("/")[2])
    try:
        page.goto(team_url)
        settle(page, selector, ["Mia Chen", "Sam Carter", "Jordan Blake"])
        assert totals(page) == ALL
        page.get_by_label("Owner").select_option("Sam Carter")
        settle(page, selector, ["Sam Carter"])
        assert totals(page) == ["2027-Q2 · At risk: 1 deal, 48,000 USD"]
        assert page.locator(".team-shown").inner_text() == "1 of 3 deals shown"
        page.get_by_label("Owner").select_option("")
        page.get_by_label("Close quarter").select_option("2027-Q1")
        settle(page, selector, ["Mia Chen"])
        assert totals(page) == ["2027-Q1 · On track: 1 deal, 12,000 USD"]
        page.get_by_label("Close quarter").select_option("")
        page.get_by_label("Plan status").select_option("at_risk")
        settle(page, selector, ["Sam Carter", "Jordan Blake"])
        assert totals(page) == [ALL[1]]
        page.get_by_label("Plan status").select_option("stalled")
        settle(page, selector, [])
        assert totals(page) == ["No open deals match."]
        save_screenshot(page, f"team-filters-{width}.png")
        assert_clean(watch)
    finally:
        context.close()


def test_without_scripts_every_deal_and_all_totals_show(browser, team_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(team_url)
        assert len(visible(page, "table.team-table tbody tr")) == 3
        assert totals(page) == ALL
        assert not page.locator("form.team-filters").is_visible()
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_the_filtered_team_page_is_axe_clean(browser, team_url, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(team_url)
        page.get_by_label("Plan status").select_option("at_risk")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        assert [v["id"] for v in result["violations"]] == []
    finally:
        context.close()
