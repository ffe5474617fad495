"""The plan's later phases, settled risks and the projection's assumption fold (issue 15,
"Shorter page"), and nothing in a fold is lost: Show opens it, and a later phase whose first due
date passes while the page is read says so on its folded line (live-dates.js)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from mapsite.pipeline.build import build
from tests.helpers import REPO

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def acme(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("dense") / "example"
    site.mkdir()
    shutil.copy2(REPO / "mapsite.yml", site / "mapsite.yml")
    shutil.copytree(REPO / "content", site / "content")
    shutil.copytree(REPO / "assets", site / "assets")
    return build(site, today=dt.date(2027, 2, 22), only="acme", protect=False).out


def _open(browser, url: str, day: dt.datetime, width: int = 1280, height: int = 800):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.clock.set_fixed_time(day)
    page.goto(url)
    expect(page.locator("h1")).to_contain_text("Acme x Northwind")
    return context, page


@pytest.mark.parametrize("width", [1280, 375])
def test_a_later_phase_is_one_line_and_show_opens_it(browser, static_server, acme, width):
    context, page = _open(browser, static_server(acme) + "acme/", dt.datetime(2027, 2, 22, 10), width)
    try:
        # The phase being worked on and the next one are open.
        expect(page.locator("#ms-roi")).to_be_visible()
        procurement = page.locator("#plan .phase", has=page.locator("h3", has_text="Procurement"))
        summary = procurement.locator("summary")
        expect(summary).to_contain_text("0 of 3 done")
        expect(summary).to_contain_text("From Apr 1")
        expect(summary).to_contain_text("1 at risk")
        expect(summary.get_by_text("Overdue inside")).to_be_hidden()
        review = page.locator("#ms-security-review")
        expect(review).to_be_hidden()
        summary.get_by_text("Show").click()
        expect(review).to_be_visible()
        expect(review).to_contain_text("At risk")
    finally:
        context.close()


def test_a_later_phase_overdue_on_the_reading_day_says_so_folded(browser, static_server, acme):
    # 45 days after the build, Procurement's first milestone (due Apr 1) is overdue.
    context, page = _open(browser, static_server(acme) + "acme/", dt.datetime(2027, 4, 8, 10))
    try:
        procurement = page.locator("#plan .phase", has=page.locator("h3", has_text="Procurement"))
        expect(procurement.locator("summary").get_by_text("Overdue inside")).to_be_visible()
        legal = page.locator("#plan .phase", has=page.locator("h3", has_text="Legal"))
        expect(legal.locator("summary").get_by_text("Overdue inside")).to_be_hidden()
    finally:
        context.close()


def test_settled_risks_and_the_assumption_fold(browser, static_server, acme):
    context, page = _open(browser, static_server(acme) + "acme/", dt.datetime(2027, 2, 22, 10), 375, 812)
    try:
        risks = page.locator("#risks")
        expect(risks.get_by_text("Q1 budget freeze")).to_be_visible()
        settled = risks.get_by_text("Legal redlines on liability")
        expect(settled).to_be_hidden()
        fold = risks.locator("summary")
        expect(fold).to_have_accessible_name("1 mitigated · Show")
        fold.get_by_text("Show").click()
        expect(settled).to_be_visible()
        why = page.locator(".key-dates .why-fold")
        assumption = why.locator(".schedule-assumption")
        expect(assumption).to_be_hidden()
        expect(why.locator("summary")).to_contain_text("Projected signature: Apr 16")
        why.locator("summary").get_by_text("Why").click()
        expect(assumption).to_contain_text("assumes 1 business day")
        expect(assumption).to_be_visible()
    finally:
        context.close()
