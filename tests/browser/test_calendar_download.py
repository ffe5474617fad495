"""The calendar files of a protected portal download, decrypted, after unlocking (Chromium)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
import pytest
from playwright.sync_api import expect

from mapsite.pipeline.build import build
from tests.browser.helpers import ACME, assert_clean, log_in
from tests.helpers import PASSWORDS, TODAY

pytestmark = pytest.mark.browser


def test_unlocking_acme_then_clicking_the_calendar_links_saves_readable_ics_files(
    example_site, static_server, open_page
):
    out = build(example_site, today=dt.date.fromisoformat(TODAY)).out
    url = static_server(out)
    page, watch = open_page(url + "acme/#calendar")
    log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"])
    expect(page.locator("h1")).to_have_text(ACME)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the whole plan (.ics)").click()
    assert download.value.suggested_filename == "plan.ics"
    calendar = icalendar.Calendar.from_ical(Path(download.value.path()).read_bytes())
    summaries = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert summaries["Milestone: Security Review Complete"].decoded("DTSTART") == dt.date(2027, 4, 12)
    assert len(summaries) == 23

    # One person's file sits behind "Only what one person owns" (issue 15: a shorter page).
    person = page.get_by_role("link", name="InfoSec Team (calendar file)")
    expect(person).to_be_hidden()
    page.locator("#calendar summary", has_text="Only what one person owns").click()
    with page.expect_download() as download:
        person.click()
    assert download.value.suggested_filename == "infosec.ics"
    mine = icalendar.Calendar.from_ical(Path(download.value.path()).read_bytes())
    assert sorted(str(e["SUMMARY"]) for e in mine.walk("VEVENT")) == [
        "Action: Complete security questionnaire",
        "Milestone: Security Review Complete",
        "Milestone: Security Review Submitted",
    ]
    assert_clean(watch)
