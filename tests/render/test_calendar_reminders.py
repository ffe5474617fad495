"""Reminders in the per-person calendars: a VALARM some business days before each of that
person's open due dates, read back with icalendar as a calendar app would read it."""

from __future__ import annotations

import datetime as dt

import icalendar

from mapsite.pipeline.readable import render_all
from mapsite.render.calendars import plan_calendar
from tests.helpers import MINIMAL_DEAL, SITE_YML, TODAY, run

# The demo is due Monday 2027-03-01 and done; an action of the champion is due Friday
# 2027-03-05 and open; another, done, is due the same day.
DEAL = MINIMAL_DEAL.replace(
    "due: 2027-03-01}", "due: 2027-03-01, status: done, completed: 2027-03-01}"
).replace(
    "---\nThe shared plan.",
    "actions:\n"
    "  - {task: Send the data sample, owner: champ, due: 2027-03-01}\n"
    "  - {task: Book the legal review, owner: champ, due: 2027-03-05, done: true}\n"
    "---\nThe shared plan.",
)


def calendars(site, today: str = TODAY) -> dict[str, icalendar.Calendar]:
    pages = render_all(site, dt.date.fromisoformat(today)).pages
    return {
        p.path.rsplit("/", 1)[1]: icalendar.Calendar.from_ical(p.content)
        for p in pages
        if p.path.endswith(".ics")
    }


def alarms(calendar: icalendar.Calendar) -> dict[str, tuple[dt.datetime, str]]:
    """SUMMARY -> (the moment the alarm fires, its description), for events with an alarm."""
    found = {}
    for event in calendar.walk("VEVENT"):
        for alarm in event.walk("VALARM"):
            assert str(alarm["ACTION"]) == "DISPLAY"
            start = dt.datetime.combine(event.decoded("DTSTART"), dt.time())
            found[str(event["SUMMARY"])] = (start + alarm.decoded("TRIGGER"), str(alarm["DESCRIPTION"]))
    return found


def test_each_person_is_reminded_two_business_days_before_their_open_due_dates(site_factory):
    site = site_factory.make({"buyer-co.md": DEAL})
    files = calendars(site)
    # The signature (Fri 2027-04-30) is owned by eb and ae; 2 business days before is Wednesday.
    for person in ("eb.ics", "ae.ics"):
        assert alarms(files[person]) == {
            "Milestone: Contract Signature": (
                dt.datetime(2027, 4, 28, 9, 0),
                "Milestone: Contract Signature is due on Fri Apr 30 (Buyer Co x Northwind)",
            )
        }
    # Monday's action: the reminder is the Thursday before, over the weekend. Done items and the
    # done demo get none.
    assert alarms(files["champ.ics"]) == {
        "Action: Send the data sample": (
            dt.datetime(2027, 2, 25, 9, 0),
            "Action: Send the data sample is due on Mon Mar 1 (Buyer Co x Northwind)",
        )
    }
    assert "Milestone: Technical Demo (done)" in {
        str(e["SUMMARY"]) for e in files["champ.ics"].walk("VEVENT")
    }
    # Whoever imports the whole plan is not reminded of everyone's work.
    assert files["plan.ics"].walk("VALARM") == []


def test_reminder_days_come_from_mapsite_yml_in_business_days_and_can_be_off(site_factory):
    holiday = SITE_YML.replace("[2027-05-31]", "[2027-04-29]") + "reminders: {days_before: 3}\n"
    site = site_factory.make({"buyer-co.md": DEAL}, holiday)
    # Three business days before Fri Apr 30 with Thursday a holiday: Tue 27, Mon 26.
    assert alarms(calendars(site)["eb.ics"])["Milestone: Contract Signature"][0] == dt.datetime(
        2027, 4, 26, 9
    )

    same_day = site_factory.make({"buyer-co.md": DEAL}, SITE_YML + "reminders: {days_before: 0}\n")
    moment, text = alarms(calendars(same_day)["eb.ics"])["Milestone: Contract Signature"]
    assert moment == dt.datetime(2027, 4, 30, 9)
    assert text == "Milestone: Contract Signature is due today (Buyer Co x Northwind)"

    off = site_factory.make({"buyer-co.md": DEAL}, SITE_YML + "reminders: off\n")
    assert all(not c.walk("VALARM") for c in calendars(off).values())


def test_a_calendar_with_alarms_comes_back_byte_for_byte_through_icalendar(site_factory):
    site = site_factory.make({"buyer-co.md": DEAL})
    pages = render_all(site, dt.date.fromisoformat(TODAY)).pages
    person = next(p.content for p in pages if p.path.endswith("/champ.ics"))
    assert b"BEGIN:VALARM" in person
    assert icalendar.Calendar.from_ical(person).to_ical() == person


def test_a_moved_date_moves_its_reminder(site_factory):
    site = site_factory.make(
        {"buyer-co.md": DEAL.replace("close_date: 2027-04-30", "close_date: 2027-05-07")}
    )
    assert alarms(calendars(site)["eb.ics"])["Milestone: Contract Signature"][0] == dt.datetime(2027, 5, 5, 9)


def test_a_bad_reminder_setting_is_one_clear_error_at_its_line(site_factory):
    site = site_factory.make({"buyer-co.md": DEAL}, SITE_YML + "reminders:\n  days_before: two\n")
    result = run("check", "--site", str(site))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    line = len(SITE_YML.splitlines()) + 2
    assert f"mapsite.yml:{line}" in result.stdout + result.stderr
    assert "'days_before' in reminders is 'two'" in result.stdout + result.stderr


def test_plan_calendar_for_one_person_can_carry_reminders(site_factory):
    site = site_factory.make({"buyer-co.md": DEAL})
    deal = next(d for d in render_all(site, dt.date.fromisoformat(TODAY)).deals)
    assert b"VALARM" not in plan_calendar(deal, "eb")
    assert b"TRIGGER:-P1DT15H" in plan_calendar(deal, "eb", 2)  # Wed 9:00 before Fri
