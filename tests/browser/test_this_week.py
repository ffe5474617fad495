""" "This week" above the fold (issue 15, "First screen and length"): what the reader's side owes
comes first, on a laptop and a phone, light and dark, in Debian's chromium.

The block is #next-up in themes/default/templates/partials/this_week.html; the reader's side is
<html data-reader-side> (unlock.js sets it from the password or link used; absent = the buyer)
and the stylesheet alone orders and words the groups from it. live-dates.js recounts the block for
the browser's day, set here with page.clock.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from mapsite.pipeline.build import build
from mapsite.pipeline.readable import render_all
from mapsite.schedule.portal import portal_view
from tests.browser.helpers import assert_clean, log_in, save_screenshot
from tests.helpers import MINIMAL_DEAL, PASSWORDS

pytestmark = pytest.mark.browser

BUILT = dt.date(2027, 2, 22)
LATER = BUILT + dt.timedelta(days=30)
# Due-date syntax a buyer must never read: "poc-scope + 3bd", "close - 8bd", "go_live".
FORMULA = re.compile(r"\d\s*bd\b|\b(close|go_live)\s*[-+]|\bgo_live\b|\+\s*\d+\s*(bd|d)\b")
SIZES = [(1280, 800), (375, 812)]


def _noon(day: dt.date) -> dt.datetime:
    # Noon on the reader's day: the same calendar day in any time zone the browser may run in.
    return dt.datetime.combine(day, dt.time(12))


def _open(browser, url: str, width: int, height: int, scheme: str = "light", day: dt.date = BUILT):
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = context.new_page()
    page.clock.set_fixed_time(_noon(day))
    page.goto(url)
    return context, page


def _inside_first_screen(page, locator) -> None:
    box = locator.bounding_box()
    viewport = page.viewport_size
    assert page.evaluate("window.scrollY") == 0
    assert box is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], (box, viewport)
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (box, viewport)


def _you(company: str) -> re.Pattern:
    """The reader's group heading as shown: the company in small capitals over "You owe"."""
    return re.compile(rf"^{re.escape(company)}\s*:\s*You owe$", re.IGNORECASE)


def _visible_groups(page) -> list[str]:
    """The side of each visible group of the block, in reading order (top to bottom, then left
    to right)."""
    boxes = []
    for group in page.locator("#next-up .next-group").filter(visible=True).all():
        box = group.bounding_box()
        side = re.search(r"side-(\w+)", group.get_attribute("class")).group(1)
        boxes.append((round(box["y"]), round(box["x"]), side))
    return [side for _, _, side in sorted(boxes)]


@pytest.fixture
def example_url(example_site, static_server) -> str:
    return static_server(build(example_site, today=BUILT, protect=False).out)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width, height", SIZES, ids=["laptop", "phone"])
def test_the_first_open_buyer_item_is_on_the_first_screen(browser, example_url, scheme, width, height):
    """Acme opened on its build day: "This week" is the first block, the buyer's group first and
    called "you", its first open item whole on the first screen, the next meeting named, no due
    date written as a formula."""
    context, page = _open(browser, example_url + "acme/", width, height, scheme)
    try:
        block = page.locator("#next-up")
        expect(block.locator("h2")).to_have_text("This week")
        # The first thing under the header and navigation: before The outcome and Key dates.
        block_top = block.bounding_box()["y"]
        assert block_top < page.locator(".overview").bounding_box()["y"]
        buyer = block.locator(".next-group.side-buyer")
        expect(buyer.locator("h3")).to_have_text(_you("Acme Corp"), use_inner_text=True)
        first = buyer.locator(".next-item").filter(visible=True).first
        expect(first.locator(".next-title")).to_have_text("POC Environment Setup")
        _inside_first_screen(page, first)
        # It links to its place in the plan.
        target = first.locator(".next-title a").get_attribute("href")
        assert target == "#ms-poc-setup"
        assert page.locator(target).count() == 1
        assert _visible_groups(page)[0] == "buyer"
        # Northwind has nothing due in the next 14 days, and the block says so.
        expect(block.locator(".tw-idle.side-seller")).to_be_visible()
        expect(block.locator(".tw-idle.side-seller")).to_have_text(
            "Northwind Software owes nothing in the next 14 days.", use_inner_text=True
        )
        meeting = block.locator(".tw-meeting")
        expect(meeting).to_be_visible()
        expect(meeting).to_contain_text("Weekly MAP review")
        expect(meeting).to_contain_text("Tuesdays 10:00 PT")
        expect(block.locator(".tw-alert .badge-overdue")).to_have_text("!Overdue: 2")
        text = block.inner_text()
        assert not FORMULA.search(text), FORMULA.search(text)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        save_screenshot(page, f"this-week-acme-{width}-{scheme}.png")
    finally:
        context.close()


@pytest.mark.parametrize("width, height", SIZES, ids=["laptop", "phone"])
def test_the_readers_side_comes_first_and_is_called_you(browser, example_site, static_server, width, height):
    """Globex has a partner: on the partner's page the partner's group comes first and says
    "You owe", the buyer's says "Globex Logistics owes"; the seller reading sees the seller's
    first; no attribute at all is the buyer's page."""
    url = static_server(build(example_site, today=BUILT, protect=False).out) + "globex/"
    context, page = _open(browser, url, width, height)
    try:
        assert _visible_groups(page) == ["buyer", "seller", "partner"]
        for side, company in [("partner", "Initech Consulting"), ("seller", "Northwind Software")]:
            page.evaluate("side => { document.documentElement.dataset.readerSide = side; }", side)
            groups = _visible_groups(page)
            assert groups[0] == side, groups
            expect(page.locator(f"#next-{side}")).to_have_text(_you(company), use_inner_text=True)
            expect(page.locator("#next-buyer")).to_have_text("Globex Logistics owes", use_inner_text=True)
            first = page.locator(f"#next-up .next-group.side-{side} .next-item").filter(visible=True).first
            _inside_first_screen(page, first)
            for other in {"buyer", "seller", "partner"} - {side}:
                assert "You owe" not in page.locator(f"#next-{other}").inner_text()
        save_screenshot(page, f"this-week-globex-seller-{width}.png")
    finally:
        context.close()


def test_a_partner_login_opens_on_the_partners_own_work(browser, example_site, static_server):
    """The real path: the Initech password (side: partner in the deal file) unlocks a page that
    lists Initech's work first, as "You owe"."""
    url = static_server(build(example_site, today=BUILT).out) + "globex/"
    context, page = _open(browser, url, 375, 812)
    try:
        log_in(page, PASSWORDS["INITECH_PARTNER_PASSWORD"])
        expect(page.locator("#next-partner")).to_have_text(_you("Initech Consulting"), use_inner_text=True)
        assert _visible_groups(page)[0] == "partner"
    finally:
        context.close()


def test_nothing_due_soon_names_the_next_item_and_its_date(site_factory, static_server, open_page):
    """A deal whose next item is weeks away says so, and names it with its date."""
    deal = MINIMAL_DEAL.replace("due: 2027-03-01", "due: 2027-03-29")
    out = build(site_factory.make({"buyer-co.md": deal}), today=BUILT, protect=False).out
    page, watch = open_page(static_server(out) + "buyer-co/", 375, 812)
    empty = page.locator("#next-up [data-live=next-empty]")
    expect(empty).to_have_text("Nothing due in the next 14 days. Next: Technical Demo, Mon, Mar 29, 2027.")
    _inside_first_screen(page, empty)
    expect(empty.locator("a")).to_have_attribute("href", "#ms-demo")
    empty.locator("a").click()
    expect(page.locator("#ms-demo")).to_be_in_viewport()
    assert page.locator("#next-up .next-group").filter(visible=True).count() == 0
    # No "nothing due" line per side on top of the block's own.
    assert page.locator("#next-up .tw-idle").filter(visible=True).count() == 0
    assert_clean(watch)


@pytest.mark.parametrize("width, height", SIZES, ids=["laptop", "phone"])
def test_thirty_days_later_the_block_recounts(browser, example_site, example_url, width, height):
    """Opened 30 days after its build: the block lists what is overdue or due within 14 days of
    the browser's day, marks the overdue as overdue and counts them, as Python does for that day."""
    [acme] = [d for d in render_all(example_site, BUILT).deals if d.slug == "acme"]
    plan = portal_view(acme, LATER)
    assert plan.overdue_count != portal_view(acme, BUILT).overdue_count
    context, page = _open(browser, example_url + "acme/", width, height, day=LATER)
    try:
        block = page.locator("#next-up")
        expect(block.locator(".tw-alert .badge-overdue")).to_have_text(f"!Overdue: {plan.overdue_count}")
        listed = {item.title: item.overdue for group in plan.next_up for item in group.items}
        shown = block.locator(".next-item").filter(visible=True)
        assert sorted(shown.locator(".next-title").all_text_contents()) == sorted(listed)
        overdue = block.locator(".next-item.is-overdue").filter(visible=True)
        assert sorted(overdue.locator(".next-title").all_text_contents()) == sorted(
            title for title, late in listed.items() if late
        )
        assert overdue.locator(".badge-overdue").count() == overdue.count()
        first = block.locator(".next-group.side-buyer .next-item").filter(visible=True).first
        _inside_first_screen(page, first)
        save_screenshot(page, f"this-week-acme-later-{width}.png")
    finally:
        context.close()
