"""mapsite.render.ical writes the very bytes icalendar writes for the same values, only faster.

icalendar is the reference here: each writer is compared with it on awkward and random values
(escapes, multi-byte characters and backslashes at the folding boundary, every zone a meeting may
name), and whole calendars must come back byte for byte when icalendar parses and rewrites them.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import icalendar
import pytest

from mapsite.pipeline.readable import render_all
from mapsite.render import ical
from mapsite.render.cadence import ZONES
from tests.helpers import MINIMAL_DEAL, TODAY

# Characters that matter to escaping and folding: TEXT escapes, RFC 6868's caret, line breaks,
# and characters of 2, 3 and 4 UTF-8 octets.
ALPHABET = "ab N;,\\^\n\r\t:\"'é€株☃𝄞"


def icalendar_event(name: str, value: object) -> bytes:
    """The bytes icalendar writes for a VEVENT holding only this property."""
    event = icalendar.Event()
    event.add(name, value)
    return event.to_ical()


def written(line: bytes) -> bytes:
    return ical.component("VEVENT", [line])


def random_texts(count: int) -> list[str]:
    rng = random.Random(20270222)
    texts = ["", "plain", "a\\Nb", "\\", "x" * 73 + "\\n", "x" * 72 + "\\;tail", "é" * 40, "𝄞" * 30]
    # Backslashes and carets on every position around the 75-octet boundary.
    texts += ["x" * n + "\\" + "y" * 80 for n in range(60, 80)]
    texts += ["é" * n + "^" + "z" * 40 for n in range(28, 40)]
    texts += ["".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 260))) for _ in range(count)]
    return texts


@pytest.mark.parametrize("text", random_texts(400))
def test_text_lines_match_icalendar(text):
    assert written(ical.text_line("SUMMARY", text)) == icalendar_event("summary", text)


def test_folded_lines_are_at_most_75_octets_and_unfold_to_the_original():
    line = "DESCRIPTION:" + "株式会社 Ünïcødé\\, " * 20
    folded = ical.fold(line).encode("utf-8")
    # 74 octets of content; a continuation line adds its leading space.
    assert all(len(piece) <= 75 for piece in folded.split(b"\r\n"))
    assert folded.replace(b"\r\n ", b"").decode("utf-8") == line


def test_dates_match_icalendar():
    for day in (dt.date(2027, 2, 22), dt.date(1999, 12, 31), dt.date(1, 1, 1)):
        assert written(ical.date_line("DTSTART", day)) == icalendar_event("dtstart", day)


@pytest.mark.parametrize("zone", [None, "UTC", *sorted(set(ZONES.values()))])
def test_date_times_match_icalendar_in_every_zone_a_meeting_may_name(zone):
    tzinfo = None if zone is None else dt.UTC if zone == "UTC" else ZoneInfo(zone)
    for moment in (dt.datetime(2027, 1, 5, 9, 30), dt.datetime(2027, 7, 6, 23, 59, 59)):
        moment = moment.replace(tzinfo=tzinfo)
        assert written(ical.datetime_line("DTSTART", moment)) == icalendar_event("dtstart", moment)


def test_a_zone_without_a_plain_iana_name_is_refused():
    with pytest.raises(ValueError, match="no TZID"):
        ical.tzid_param(dt.datetime(2027, 1, 5, tzinfo=dt.timezone(dt.timedelta(hours=2))))


@pytest.mark.parametrize("minutes", [1, 30, 45, 59, 60, 61, 75, 120, 1439, 1440, 1441, 3000, -30, -1440])
def test_durations_match_icalendar(minutes):
    for delta in (dt.timedelta(minutes=minutes), dt.timedelta(minutes=minutes, seconds=7)):
        line = ical.content_line("DURATION", ical.duration_value(delta))
        assert written(line) == icalendar_event("duration", delta)


@pytest.mark.parametrize("interval", [1, 2, 3])
@pytest.mark.parametrize(
    "until", [dt.datetime(2027, 10, 16, 6, 59, 59, tzinfo=dt.UTC), dt.datetime(2027, 10, 15)]
)
def test_weekly_rules_match_icalendar(interval, until):
    days = ["MO", "TH"]
    rule: dict[str, object] = {"freq": "weekly", "byday": days}
    if interval > 1:
        rule["interval"] = interval
    rule["until"] = until
    line = ical.content_line("RRULE", ical.weekly_rule(days, interval, until))
    assert written(line) == icalendar_event("rrule", rule)


AWKWARD_DEAL = (
    MINIMAL_DEAL.replace(
        "title: Buyer Co x Northwind", 'title: "Büyer; Co, \\"long\\" — ☃ x Northwind ' + "é" * 30 + '"'
    )
    .replace("name: Dana Whitfield", 'name: "Zoë Ł\'Étoile\\\\Ñúñez, Jr."')
    .replace(
        "---\nThe shared plan.",
        "cadence:\n"
        "  - {name: Review, when: 'Tuesdays 10:00 PT', attendees: [champ]}\n"
        "  - {name: Review, when: 'every other Thursday 3pm-4:15pm CET', attendees: [eb]}\n"
        "  - {name: Stand-up, when: 'weekdays 9:30 am UTC'}\n"
        "  - {name: Sync, when: 'Mon and Thu 16:00-17:00 ET', attendees: [ae]}\n"
        "  - {name: Floating, when: 'every 3 weeks on Friday 11:00'}\n"
        "  - {name: 'Unclear; call', when: 'bi-weekly, as needed'}\n"
        "actions:\n"
        "  - {task: 'Send the contract; twice, with \\\\ backslash', owner: champ, due: 2027-03-02}\n"
        "---\nThe shared plan.",
    )
)


def test_whole_calendars_come_back_byte_for_byte_through_icalendar(site_factory):
    root = site_factory.make({"buyer-co.md": AWKWARD_DEAL})
    pages = {p.path: p.content for p in render_all(root, dt.date.fromisoformat(TODAY)).pages}
    files = {path: content for path, content in pages.items() if path.endswith(".ics")}
    assert set(files) == {f"buyer-co/calendar/{name}.ics" for name in ("plan", "champ", "eb", "ae")}
    for content in files.values():
        assert icalendar.Calendar.from_ical(content).to_ical() == content
    plan = icalendar.Calendar.from_ical(files["buyer-co/calendar/plan.ics"])
    assert len(plan.walk("VTIMEZONE")) == 3  # Los Angeles, Berlin, New York; UTC needs none
    assert len(plan.walk("VEVENT")) == 2 + 1 + 5
