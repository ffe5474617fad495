"""Calendar files of a portal: RFC 5545 that parses back, right dates, stable UIDs, one per person."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from mapsite.errors import MapsiteError
from mapsite.pipeline.build import build
from mapsite.pipeline.readable import render_all
from mapsite.render.cadence import Recurrence, parse_cadence
from mapsite.render.calendars import plan_calendar
from tests.helpers import MINIMAL_DEAL, REPO, TODAY, run
from tests.htmltree import parse

ACME_PEOPLE = [
    ("vp-marketing", "Dana Whitfield"),
    ("cfo", "Raj Patel"),
    ("it-manager", "Lena Okafor"),
    ("infosec", "InfoSec Team"),
    ("procurement", "Procurement"),
    ("legal-counsel", "Marta Silva"),
    ("ae", "Sam Carter"),
    ("se", "Priya Nair"),
    ("vp-sales", "Tom Reyes"),
    ("csm", "Ana Costa"),
]


@pytest.fixture(scope="module")
def acme(tmp_path_factory) -> dict[str, bytes]:
    """The calendar files of the example site's acme deal, rendered once: path -> bytes."""
    site = tmp_path_factory.mktemp("calendars") / "example"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy2(REPO / "mapsite.yml", site / "mapsite.yml")
    shutil.copytree(REPO / "assets", site / "assets")
    result = render_all(site, dt.date.fromisoformat(TODAY))
    return {p.path: p.content for p in result.pages if p.path.startswith("acme/")}


def events(content: bytes) -> dict[str, icalendar.Event]:
    """SUMMARY -> VEVENT of a parsed calendar (summaries are unique in the example deal)."""
    calendar = icalendar.Calendar.from_ical(content)
    found = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert len(found) == len(calendar.walk("VEVENT"))
    return found


def test_the_plan_file_has_every_item_as_an_all_day_event_on_its_due_date(acme):
    plan = events(acme["acme/calendar/plan.ics"])
    # 15 milestones, 7 actions (all dated), 1 meeting whose time reads ("Tuesdays 10:00 PT").
    assert len(plan) == 23
    expected = {
        # security-submit (Thu 2027-04-01) + 7bd: Apr 2, 5, 6, 7, 8, 9, 12.
        "Milestone: Security Review Complete": dt.date(2027, 4, 12),
        # close (Fri 2027-04-30) - 8bd: Apr 29, 28, 27, 26, 23, 22, 21, 20.
        "Milestone: Contract Negotiation": dt.date(2027, 4, 20),
        "Milestone: Contract Signature": dt.date(2027, 4, 30),
        # signature + 3bd: May 3, 4, 5.
        "Milestone: Kickoff Call": dt.date(2027, 5, 5),
        "Action: Complete security questionnaire": dt.date(2027, 4, 1),
        "Action: Provide POC environment access (done)": dt.date(2027, 2, 18),
    }
    for summary, due in expected.items():
        event = plan[summary]
        assert event.decoded("DTSTART") == due and type(event.decoded("DTSTART")) is dt.date
        assert event.decoded("DTEND") == due + dt.timedelta(days=1)
        assert event["TRANSP"] == "TRANSPARENT"
    raw = acme["acme/calendar/plan.ics"]
    assert b"DTSTART;VALUE=DATE:20270412\r\nDTEND;VALUE=DATE:20270413\r\n" in raw
    assert raw.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//mapsite//Mutual action plan//EN\r\n")
    assert raw.endswith(b"END:VEVENT\r\nEND:VCALENDAR\r\n")


def test_descriptions_name_the_owners_with_their_company_and_the_status(acme):
    plan = events(acme["acme/calendar/plan.ics"])
    assert str(plan["Milestone: Security Review Complete"]["DESCRIPTION"]).split("\n") == [
        "Acme x Northwind: Marketing Automation Rollout",
        "Phase: Procurement",
        "Owners: InfoSec Team (Acme Corp), Priya Nair (Northwind Software)",
        "Status: At risk",
        "After: Security Review Submitted",
        "Notes: Typical 7-10 day review",
    ]
    assert str(plan["Action: Deliver ROI benchmark analysis"]["DESCRIPTION"]).split("\n") == [
        "Acme x Northwind: Marketing Automation Rollout",
        "Owner: Sam Carter (Northwind Software)",
        "Milestone: ROI Analysis Complete",
        "Status: Open",
    ]
    # Done items stay (a re-import updates the copy in someone's calendar) and say so.
    done = plan["Milestone: Initial Discovery Complete (done)"]
    assert "Status: Done" in str(done["DESCRIPTION"]) and done["STATUS"] == "CONFIRMED"


def test_uids_and_stamps_are_derived_from_the_deal_not_the_clock(acme):
    plan = events(acme["acme/calendar/plan.ics"])
    uids = {summary: str(e["UID"]) for summary, e in plan.items()}
    assert uids["Milestone: Security Review Complete"] == "milestone-security-review@acme.mapsite"
    assert (
        uids["Milestone: Initial Discovery Complete (done)"]
        == "milestone-initial-discovery-complete@acme.mapsite"
    )
    assert (
        uids["Action: Complete security questionnaire"]
        == "action-security-submit-complete-security-questionnaire@acme.mapsite"
    )
    assert uids["Action: Obtain CFO budget approval"] == "action-obtain-cfo-budget-approval@acme.mapsite"
    assert uids["Meeting: Weekly MAP review"] == "meeting-weekly-map-review@acme.mapsite"
    assert len(set(uids.values())) == 23
    # updated: 2027-02-19 -> midnight UTC; SEQUENCE = days since 1970-01-01 = 57*365 + 14 leap days + 49.
    for event in plan.values():
        assert event.decoded("DTSTAMP") == dt.datetime(2027, 2, 19, tzinfo=dt.UTC)
        assert event.decoded("LAST-MODIFIED") == dt.datetime(2027, 2, 19, tzinfo=dt.UTC)
        assert event["SEQUENCE"] == 20868


def test_two_builds_give_identical_files_and_a_moved_date_keeps_its_uid(example_site, tmp_path):
    def calendars(out: Path) -> dict[str, bytes]:
        return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.glob("*/calendar/*.ics"))}

    build(example_site, out=tmp_path / "one", today=dt.date(2027, 2, 22), protect=False)
    build(example_site, out=tmp_path / "two", today=dt.date(2027, 2, 23), protect=False)
    one, two = calendars(tmp_path / "one"), calendars(tmp_path / "two")
    assert len(one) == 11 + 5 + 13 and one == two  # acme, bluebird-bakery, globex

    deal = example_site / "content/deals/acme/index.md"
    deal.write_text(deal.read_text("utf-8").replace("due: 2027-04-15,", "due: 2027-04-16,"), "utf-8")
    build(example_site, out=tmp_path / "three", today=dt.date(2027, 2, 22), protect=False)
    before = events(one["acme/calendar/plan.ics"])
    after = events((tmp_path / "three/acme/calendar/plan.ics").read_bytes())
    assert {str(e["UID"]) for e in after.values()} == {str(e["UID"]) for e in before.values()}
    moved = after["Milestone: Procurement Review"]
    assert str(moved["UID"]) == "milestone-procurement-review@acme.mapsite"
    assert moved.decoded("DTSTART") == dt.date(2027, 4, 16)


def test_each_person_gets_a_file_with_only_what_they_own(acme):
    files = sorted(p for p in acme if p.startswith("acme/calendar/"))
    assert files == sorted(
        ["acme/calendar/plan.ics", *(f"acme/calendar/{pid}.ics" for pid, _ in ACME_PEOPLE)]
    )
    assert set(events(acme["acme/calendar/infosec.ics"])) == {
        "Milestone: Security Review Submitted",
        "Milestone: Security Review Complete",
        "Action: Complete security questionnaire",
    }
    assert set(events(acme["acme/calendar/it-manager.ics"])) == {
        "Milestone: Technical Demo (done)",
        "Milestone: Demo Follow-Up Q&A (done)",
        "Milestone: POC Scope Agreement (done)",
        "Milestone: POC Environment Setup",
        "Action: Provide data sample for POC",
    }
    assert set(events(acme["acme/calendar/vp-sales.ics"])) == {
        "Milestone: Contract Signature",
        "Action: Schedule executive-to-executive call",
    }
    # The weekly review lists no attendees: it is the whole plan's, in nobody's own file.
    plan = acme["acme/calendar/plan.ics"]
    for person_id, name in ACME_PEOPLE:
        calendar = icalendar.Calendar.from_ical(acme[f"acme/calendar/{person_id}.ics"])
        assert str(calendar["X-WR-CALNAME"]) == f"Acme x Northwind: Marketing Automation Rollout ({name})"
        for event in calendar.walk("VEVENT"):
            assert not str(event["SUMMARY"]).startswith("Meeting:")
            # The same event, byte for byte, as in the plan file, plus the person's own reminder.
            event.subcomponents = [c for c in event.subcomponents if c.name != "VALARM"]
            assert event.to_ical() in plan


def test_a_meeting_with_a_time_recurs_weekly_and_the_others_are_noted(acme):
    calendar = icalendar.Calendar.from_ical(acme["acme/calendar/plan.ics"])
    [meeting] = [e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == "Meeting: Weekly MAP review"]
    # The first Tuesday on or after updated (Fri 2027-02-19), 10:00 Pacific, 30 minutes.
    assert meeting.decoded("DTSTART") == dt.datetime(
        2027, 2, 23, 10, 0, tzinfo=ZoneInfo("America/Los_Angeles")
    )
    assert meeting.decoded("DURATION") == dt.timedelta(minutes=30)
    # Until the plan's last date (the kickoff, 2027-05-05) 23:59:59 PDT, in UTC.
    assert meeting["RRULE"].to_ical() == b"FREQ=WEEKLY;UNTIL=20270506T065959Z;BYDAY=TU"
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "America/Los_Angeles"
    assert str(calendar["DESCRIPTION"]) == (
        "Milestones, actions and meetings of this mutual action plan. Also agreed, not scheduled here: "
        "Blocker escalation (within 24 hours of identification); "
        "Executive update (bi-weekly email to all stakeholders)."
    )


@pytest.mark.parametrize(
    "when, expected",
    [
        ("Tuesdays 10:00 PT", Recurrence(("TU",), dt.time(10), 30, "America/Los_Angeles")),
        ("Mon and Thu 9:30am-10:15am ET", Recurrence(("MO", "TH"), dt.time(9, 30), 45, "America/New_York")),
        ("every other Friday at 3pm", Recurrence(("FR",), dt.time(15), 30, None, 2)),
        ("every 3 weeks on Wednesday 16:00 UTC", Recurrence(("WE",), dt.time(16), 30, "UTC", 3)),
        ("weekdays 8:45-9:00", Recurrence(("MO", "TU", "WE", "TH", "FR"), dt.time(8, 45), 15, None)),
        ("Tue/Thu 12pm CET", Recurrence(("TU", "TH"), dt.time(12), 30, "Europe/Berlin")),
        ("within 24 hours of identification", None),
        ("bi-weekly email to all stakeholders", None),
        ("Thursdays 15:00 ET, after the afternoon bake", None),
        ("Tuesdays 10", None),
        ("Tuesdays 25:00", None),
        ("Tuesdays 11:00-10:00", None),
        ("Tuesdays 10:00 PT or ET", None),
        ("monthly", None),
    ],
)
def test_cadence_text_becomes_a_recurrence_only_when_it_reads_reliably(when, expected):
    assert parse_cadence(when) == expected


def test_meetings_with_attendees_go_to_their_files_and_skipped_milestones_are_cancelled(site_factory):
    deal = MINIMAL_DEAL.replace(
        "due: 2027-03-01}",
        "due: 2027-03-01, status: skipped}",
    ).replace(
        "---\nThe shared plan.",
        "cadence:\n  - {name: Pilot sync, when: 'Wednesdays 9:00', attendees: [champ]}\n"
        "actions:\n  - {task: Send the notes, owner: ae, due: 2027-03-02}\n"
        "  - {task: Send the notes, owner: ae, due: 2027-03-09}\n---\nThe shared plan.",
    )
    root = site_factory.make({"buyer-co.md": deal})
    pages = {p.path: p.content for p in render_all(root, dt.date.fromisoformat(TODAY)).pages}
    champ = events(pages["buyer-co/calendar/champ.ics"])
    assert set(champ) == {"Milestone: Technical Demo (skipped)", "Meeting: Pilot sync"}
    assert champ["Milestone: Technical Demo (skipped)"]["STATUS"] == "CANCELLED"
    # Floating time (no zone written): 9:00 wherever the reader is, from Wed 2027-02-24 (updated 02-20).
    assert champ["Meeting: Pilot sync"].decoded("DTSTART") == dt.datetime(2027, 2, 24, 9, 0)
    assert set(events(pages["buyer-co/calendar/eb.ics"])) == {"Milestone: Contract Signature"}
    ae = icalendar.Calendar.from_ical(pages["buyer-co/calendar/ae.ics"])
    assert [(str(e["SUMMARY"]), str(e["UID"])) for e in ae.walk("VEVENT")] == [
        ("Milestone: Technical Demo (skipped)", "milestone-demo@buyer-co.mapsite"),
        ("Milestone: Contract Signature", "milestone-signature@buyer-co.mapsite"),
        ("Action: Send the notes", "action-send-the-notes@buyer-co.mapsite"),
        ("Action: Send the notes", "action-send-the-notes-2@buyer-co.mapsite"),
    ]


def test_plan_calendar_says_what_is_wrong_for_an_unknown_or_idle_stakeholder(site_factory):
    deal = MINIMAL_DEAL.replace(
        "side: seller, role: account_executive}",
        "side: seller, role: account_executive}\n  - {id: plan, name: Pat Lane, side: buyer}"
        "\n  - {id: idle, name: Ida Le, side: buyer}\nactions:\n  - {task: Book the room, owner: plan, due: 2027-03-02}",
    )
    root = site_factory.make({"buyer-co.md": deal})
    result = render_all(root, dt.date.fromisoformat(TODAY))
    pages = {p.path: p.content for p in result.pages}
    # A person whose id is "plan" cannot take the whole plan's file name.
    assert set(events(pages["buyer-co/calendar/plan_.ics"])) == {"Action: Book the room"}
    assert len(events(pages["buyer-co/calendar/plan.ics"])) == 3
    assert "buyer-co/calendar/idle.ics" not in pages
    [loaded] = result.deals
    with pytest.raises(MapsiteError) as unknown:
        plan_calendar(loaded, "nobody")
    assert unknown.value.message == "deal 'buyer-co' has no stakeholder 'nobody'"
    assert unknown.value.hint == "stakeholder ids: champ, eb, ae, plan, idle"
    with pytest.raises(MapsiteError) as idle:
        plan_calendar(loaded, "idle")
    assert idle.value.message == (
        "Ida Le owns no dated milestone, action or meeting in deal 'buyer-co': no calendar to make"
    )


def test_the_portal_offers_the_whole_plan_and_each_person(acme):
    page = parse(acme["acme/index.html"].decode())
    section = page.by_id("calendar")
    assert section.find_all("h2")[0].text() == "Add to your calendar"
    links = section.find_all("a")
    assert [(a.attrs["href"], "download" in a.attrs) for a in links] == [
        ("calendar/plan.ics", True),
        *((f"calendar/{pid}.ics", True) for pid, _ in ACME_PEOPLE),
    ]
    assert links[0].text() == "↓ Download the whole plan (.ics)"
    assert links[0].find_all("span", **{"class": "resource-icon"})[0].attrs["aria-hidden"] == "true"
    assert links[1].text() == "Dana Whitfield VP Marketing (calendar file)"
    assert [a.find_all("span", **{"class": "calendar-person"})[0].text() for a in links[1:]] == [
        name for _, name in ACME_PEOPLE
    ]
    assert page.find_all("a", href="#calendar")[0].text() == "Calendar"


def test_calendars_are_sealed_like_every_file_and_the_audit_stays_clean(example_site):
    result = build(example_site, today=dt.date.fromisoformat(TODAY))
    out = result.out
    assert not list(out.rglob("*.ics")) and not list(out.rglob("calendar"))
    # 3 files of the deal folder (logo, PDF, SVG) and one blob for plan.ics and 10 people's files.
    assert len(list((out / "acme" / "_files").iterdir())) == 4
    for path in out.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert b"VCALENDAR" not in content and b"acme.mapsite" not in content, path
    audit = run("audit", "--site", str(example_site))
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "no plaintext of 3 protected deals found." in audit.stdout
