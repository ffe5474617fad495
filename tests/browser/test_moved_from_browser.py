""" "moved from" in Debian's chromium on a phone (issue 17, slip history): a protected portal built
from a real git repository where the demo moved twice. The public login page says nothing of it;
once unlocked, the plan's row and This week show the mark inside the 375px screen."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from mapsite.pipeline.build import build
from tests.browser.helpers import PageWatch, assert_clean, log_in, save_screenshot
from tests.helpers import MINIMAL_DEAL, PASSWORDS, git_commit

pytestmark = pytest.mark.browser

BUILT = dt.date(2027, 2, 22)
DEAL = "content/deals/buyer-co.md"


def test_a_phone_shows_moved_from_inside_the_unlocked_page_only(site_factory, static_server, browser):
    site = site_factory.make({"buyer-co.md": MINIMAL_DEAL})
    git_commit(site, {DEAL: MINIMAL_DEAL}, "first plan")
    git_commit(site, {DEAL: MINIMAL_DEAL.replace("due: 2027-03-01}", "due: 2027-03-04}")}, "demo moves")
    git_commit(site, {DEAL: MINIMAL_DEAL.replace("due: 2027-03-01}", "due: 2027-03-08}")}, "again")
    out = build(site, today=BUILT).out
    shell = (out / "buyer-co" / "index.html").read_text("utf-8")
    assert "moved" not in shell.lower() and "Mar 4" not in shell

    context = browser.new_context(viewport={"width": 375, "height": 812})
    try:
        page = context.new_page()
        # Noon on the build day: This week lists the demo (live-dates.js counts from the browser's day).
        page.clock.set_fixed_time(dt.datetime.combine(BUILT, dt.time(12)))
        url = static_server(out) + "buyer-co/"
        watch = PageWatch(page, urlsplit(url).netloc)
        page.goto(url)
        log_in(page, PASSWORDS["TEST_PORTAL_PASSWORD"])
        _marks_fit(page)
        assert_clean(watch)
    finally:
        context.close()


def _marks_fit(page) -> None:
    """The demo's mark in the plan and in This week, whole inside the phone's width; none on the
    signature, which never moved."""
    row = page.locator("#ms-demo .moved-from")
    expect(row).to_have_text("↷moved from Mar 4 · 2 times, first Mar 1")
    week = page.locator("#next-up .next-item").filter(has_text="Technical Demo").locator(".moved-from")
    expect(week).to_have_text("↷moved from Mar 4 · 2 times, first Mar 1")
    expect(page.locator("#ms-signature .moved-from")).to_have_count(0)
    for mark in (row, week):
        mark.scroll_into_view_if_needed()
        box = mark.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, box
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    save_screenshot(page, "moved-from-phone.png")
