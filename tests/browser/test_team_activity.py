"""Issue 16: the team dashboard shows each deal's last buyer activity, on a laptop and a phone.

The rep's machine holds the two records in their documented formats (read/activity.py,
read/ledger_file.py): Acme was opened by the buyer three days before the build, Globex's
partner sent an update that was applied, and a seller-side update on Acme, later than the view,
does not count.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PageWatch, save_screenshot
from tests.helpers import TODAY, run

pytestmark = pytest.mark.browser
EXPECTED = {  # buyer: what the dashboard says, by close date
    "Bluebird Bakery": "—",
    "Acme Corp": "3 days ago · viewed",
    "Globex Logistics": "Feb 9 · update",
}


@pytest.fixture
def team_url(example_site, static_server) -> str:
    state = example_site / ".mapsite"
    state.mkdir()
    (state / "activity.json").write_text(
        json.dumps({"opened": {"acme": "2027-02-19T16:30:00+00:00"}}), "utf-8"
    )
    codes = {
        "globex:0123456789abcdef:a1b2c3d4:1": {
            "date": "2027-02-10", "sent": "2027-02-09T08:00:00Z", "side": "partner", "changes": {"1.1": "accepted"},
        },
        "acme:fedcba9876543210:0badc0de:4": {
            "date": "2027-02-21", "sent": "2027-02-21T09:00:00Z", "side": "seller", "changes": {"4.1": "accepted"},
        },
    }  # fmt: skip
    (state / "inbox.json").write_text(json.dumps({"version": 1, "codes": codes}), "utf-8")
    result = run("build", "--no-protect", "--today", TODAY, "--site", str(example_site))
    assert result.returncode == 0, result.stderr
    return static_server(example_site / "output") + "_team/"


def _open(browser, url: str, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    watch = PageWatch(page, url.split("/")[2])
    page.goto(url)
    expect(page.locator("h1")).to_have_text("Pipeline")
    return context, page, watch


def test_a_phone_card_says_when_the_buyer_last_did_something(browser, team_url):
    context, page, watch = _open(browser, team_url, 375, 812)
    try:
        cards = page.locator(".team-card").filter(visible=True)
        expect(cards).to_have_count(3)
        for index, (buyer, said) in enumerate(EXPECTED.items()):
            card = cards.nth(index)
            expect(card.locator("h2")).to_have_text(buyer)
            fact = card.locator(
                ".team-card-facts > div", has=page.locator("dt", has_text="Last buyer activity")
            )
            expect(fact.locator("dd")).to_have_text(said)
            box = card.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 375, buyer
        assert page.evaluate("document.documentElement.scrollWidth") == 375
        save_screenshot(page, "team-activity-375.png")
        assert watch.errors == []
    finally:
        context.close()


@pytest.mark.parametrize("width", [1240, 1280])  # 1240: the narrowest window that gets the table
def test_the_laptop_table_has_the_column_and_sorts_by_it(browser, team_url, width):
    context, page, watch = _open(browser, team_url, width, 800)
    try:
        table = page.get_by_role("table")
        expect(table).to_be_visible()
        headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
        column = headers.index("Last buyer activity")
        cells = table.locator(f"tbody tr td:nth-child({column + 1})")
        expect(cells).to_have_text(list(EXPECTED.values()))
        scroller = page.locator(".team .table-scroll")
        assert scroller.evaluate("(box) => box.scrollWidth <= box.clientWidth"), (
            "nothing cut off to the right"
        )
        page.get_by_role("button", name="Last buyer activity").click()  # most recent first, none last
        expect(cells).to_have_text(["3 days ago · viewed", "Feb 9 · update", "—"])
        save_screenshot(page, f"team-activity-{width}.png")
        assert watch.errors == []
    finally:
        context.close()
