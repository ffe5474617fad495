"""A portal opened weeks after its build counts to the reader's day (issue 15, "Figures frozen at
build time"): live-dates.js against Python's portal_view in Debian's chromium.

The browser's clock is set with Playwright's page.clock; the page runs under its own CSP.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from mapsite.model.deal import Deal
from mapsite.pipeline.build import build
from mapsite.pipeline.readable import render_all
from mapsite.render.formatting import long_date
from mapsite.render.timeline import render_timeline
from mapsite.schedule.overdue import overdue_by_side
from mapsite.schedule.portal import portal_view
from tests.browser.helpers import assert_clean, log_in, save_screenshot
from tests.helpers import PASSWORDS

pytestmark = pytest.mark.browser

BUILT = dt.date(2027, 2, 22)
LATER = BUILT + dt.timedelta(days=30)
# Noon on the reader's day: the same calendar day in any time zone the browser may run in.
LATER_NOON = dt.datetime.combine(LATER, dt.time(12))


def _deals(site: Path) -> dict[str, Deal]:
    return {deal.slug: deal for deal in render_all(site, BUILT).deals}


def _island(page) -> dict:
    return json.loads(page.locator("#mapsite-live").text_content())


def _line_x(svg: str, css: str) -> str:
    return re.search(f'<line class="{css}" x1="([0-9.]+)"', svg).group(1)


def _visible(page, selector: str) -> int:
    return page.locator(selector).filter(visible=True).count()


def test_the_browser_twin_agrees_with_python_for_90_days(example_site, static_server, open_page):
    """Every figure the script recounts, for each day from 20 days before the build to 70 after,
    as schedule/portal.py and schedule/overdue.py compute it for that day."""
    out = build(example_site, today=BUILT, protect=False).out
    url = static_server(out)
    days = [BUILT + dt.timedelta(days=n) for n in range(-20, 70)]
    for slug, deal in _deals(example_site).items():
        page, watch = open_page(f"{url}{slug}/")
        data = _island(page)
        browser = page.evaluate(
            "([data, days]) => days.map((day) => ({...window.mapsiteLiveDates.view(data, day),"
            " longDate: window.mapsiteLiveDates.longDate(day)}))",
            [data, [day.isoformat() for day in days]],
        )
        for day, figures in zip(days, browser, strict=True):
            plan = portal_view(deal, day)
            python = {
                "daysToClose": plan.days_to_close,
                "closePhrase": plan.close_phrase,
                "overdue": plan.overdue_count,
                "overdueBySide": {side: n for side, n in overdue_by_side(deal, day).items() if n},
                "soonBySide": {group.side: len(group.items) for group in plan.next_up},
                "longDate": long_date(day),
            }
            assert {key: figures[key] for key in python} == python, f"{slug} on {day}"
        assert_clean(watch)


@pytest.fixture
def protected_url(example_site, static_server) -> str:
    return static_server(build(example_site, today=BUILT).out)


def _open_later(browser, url: str, width: int, height: int, scheme: str = "light"):
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = context.new_page()
    page.clock.set_fixed_time(LATER_NOON)
    page.goto(url)
    log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"])
    expect(page.locator("h1")).to_contain_text("Acme x Northwind")
    return context, page


def _assert_counted_to(page, deal: Deal, day: dt.date) -> None:
    """What a buyer reads that depends on the day, as Python computes it for that day."""
    plan = portal_view(deal, day)
    expect(page.locator("[data-live=countdown]")).to_have_text(plan.close_phrase.capitalize())
    expect(page.locator("[data-live=as-of]")).to_have_text(
        f"Figures as of today, {long_date(day)}. Plan published {long_date(BUILT)}."
    )
    expect(page.locator("#progress .badge-overdue")).to_have_text(f"!Overdue: {plan.overdue_count}")
    overdue_milestones = sum(1 for phase in plan.phases for m in phase.milestones if m.overdue)
    assert _visible(page, "li.milestone.is-overdue") == overdue_milestones
    assert _visible(page, "li.milestone.is-overdue .ms-badges .badge-overdue") == overdue_milestones
    # The timeline's markers (on a laptop) and its list by phase (on a phone).
    assert page.locator("svg .tl-milestone .tl-marker.tl-overdue").count() == overdue_milestones
    assert page.locator("svg .tl-milestone .tl-label.tl-overdue").count() == overdue_milestones
    assert page.locator(".tl-list li .badge-overdue").count() == overdue_milestones
    assert page.locator("svg .tl-milestone title").filter(has_text="(overdue)").count() == overdue_milestones
    expect(page.locator("svg.timeline desc")).to_contain_text(f"today is {long_date(day)}.")
    overdue_actions = sum(
        1 for phase in plan.phases for m in phase.milestones for a in m.actions if a.overdue
    )
    assert _visible(page, "#plan li.check.is-overdue .badge-overdue") == overdue_actions
    listed = [item.title for group in plan.next_up for item in group.items]
    shown = page.locator("#next-up .next-item").filter(visible=True).locator(".next-title")
    assert sorted(shown.all_text_contents()) == sorted(listed)
    overdue_listed = sum(1 for group in plan.next_up for item in group.items if item.overdue)
    assert _visible(page, "#next-up .next-item.is-overdue .badge-overdue") == overdue_listed


def test_a_protected_portal_counts_to_the_browsers_day(browser, protected_url, example_site):
    """Opened 30 days after its build: days to close, overdue marks and count, Next up and the
    today line follow the browser's day, also after moving to an extra page and back."""
    acme = _deals(example_site)["acme"]
    built_plan, later_plan = portal_view(acme, BUILT), portal_view(acme, LATER)
    # The day matters: the figures of the build day are not those of 30 days later.
    assert (built_plan.close_phrase, built_plan.overdue_count) != (
        later_plan.close_phrase,
        later_plan.overdue_count,
    )
    context, page = _open_later(browser, protected_url + "acme/", 1280, 800)
    try:
        _assert_counted_to(page, acme, LATER)
        expect(page.locator("svg .tl-today-label")).to_have_text(f"Today · Mar {LATER.day}")
        # As drawn at build time, the today line sat at built_x; 30 of the 67 days to close later,
        # it is that much of the way to the close line.
        drawn = str(render_timeline(built_plan))
        built_x, close_x = (float(_line_x(drawn, css)) for css in ("tl-today", "tl-close"))
        expected = built_x + (close_x - built_x) * 30 / built_plan.days_to_close
        today_x = float(page.locator("svg line.tl-today").get_attribute("x1"))
        assert abs(today_x - expected) < 0.1
        page.get_by_role("link", name="Security review pack", exact=True).click()
        expect(page.locator("h1")).not_to_contain_text("Acme x Northwind")
        page.go_back()
        expect(page.locator("#next-up")).to_be_visible()
        _assert_counted_to(page, acme, LATER)
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width, height", [(1280, 800), (375, 812)], ids=["laptop", "phone"])
def test_the_counted_page_reads_well(browser, protected_url, scheme, width, height):
    context, page = _open_later(browser, protected_url + "acme/", width, height, scheme)
    try:
        expect(page.locator("[data-live=as-of]")).to_contain_text("Figures as of today")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        save_screenshot(page, f"live-dates-acme-{width}-{scheme}.png")
    finally:
        context.close()


def test_without_javascript_the_page_says_which_day_it_is_as_of(example_site, static_server, browser):
    out = build(example_site, today=BUILT, protect=False).out
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.clock.set_fixed_time(LATER_NOON)
        page.goto(static_server(out) + "acme/")
        plan = portal_view(_deals(example_site)["acme"], BUILT)
        expect(page.locator("[data-live=as-of]")).to_have_text(
            f"Figures as of {long_date(BUILT)}, the day this plan was published."
        )
        expect(page.locator("[data-live=countdown]")).to_have_text(plan.close_phrase.capitalize())
        listed = [item.title for group in plan.next_up for item in group.items]
        shown = page.locator("#next-up .next-item").filter(visible=True).locator(".next-title")
        assert sorted(shown.all_text_contents()) == sorted(listed)
    finally:
        context.close()


def test_the_timeline_recounts_from_its_dates_when_built_on_the_close_day(
    example_site, static_server, browser
):
    """Built on Acme's close day, the build's today and close lines are one line: the timeline's
    marks come from each marker's data-due (render/timeline.py), so 30 days later the milestones
    due after close are marked overdue on the drawing too, and the today line has moved on."""
    acme = _deals(example_site)["acme"]
    built, later = acme.close_date, acme.close_date + dt.timedelta(days=30)
    url = static_server(build(example_site, today=built, protect=False).out) + "acme/"
    built_plan, later_plan = portal_view(acme, built), portal_view(acme, later)
    overdue = sorted(m.milestone.name for phase in later_plan.phases for m in phase.milestones if m.overdue)
    assert len(overdue) > sum(1 for phase in built_plan.phases for m in phase.milestones if m.overdue)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.clock.set_fixed_time(dt.datetime.combine(later, dt.time(12)))
        page.goto(url)
        expect(page.locator("svg .tl-today-label")).to_have_text(f"Today · May {later.day}")
        marked = page.locator("svg .tl-milestone:has(.tl-marker.tl-overdue) .tl-label.tl-overdue")
        assert sorted(marked.all_text_contents()) == overdue
        # The today line sits where Python's x_of puts the reader's day.
        drawn = str(render_timeline(later_plan))
        today_x = float(page.locator("svg line.tl-today").get_attribute("x1"))
        assert abs(today_x - float(_line_x(drawn, "tl-today"))) < 0.1
    finally:
        context.close()
