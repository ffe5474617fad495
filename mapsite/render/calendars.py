"""A deal's plan as iCalendar (RFC 5545) files: the whole plan, and one per stakeholder.

Buyers live in their calendars, not in the portal, so every due date should land there and stay
current. Re-importing a newer file must update the events it imported before instead of adding
copies, which is why everything here is stable and deterministic:

- UIDs come from the deal and the item, never from a counter or the clock:
  ``milestone-<id>@<slug>.mapsite``, ``action-<milestone id>-<task words>@<slug>.mapsite`` (a
  top-level action without a milestone drops that part; a second identical task gets ``-2``),
  ``meeting-<name words>@<slug>.mapsite`` (a second meeting of the same name gets ``-2``).
  Rewording a task or renaming a meeting gives it a new UID; moving its date keeps the UID.
- DTSTAMP and LAST-MODIFIED are midnight UTC of the plan's ``updated`` date (else its close date),
  and SEQUENCE counts the days from 1970-01-01 to that date: it grows with every review of the
  plan, as RFC 5545 asks of revisions, and two builds of the same plan give the same bytes.
- Due dates are all-day, free-time events (DTSTART;VALUE=DATE and DTEND the next day).
  Done milestones and actions stay in the file, marked "(done)" (with the ``completed`` date when
  given), so a re-import updates the copy already in someone's calendar; skipped milestones are
  CANCELLED.
  Actions without a due date have no place in a calendar and are left out.
- A meeting of ``cadence`` becomes a weekly recurring event when its ``when`` reads reliably:
  weekdays ("Tuesdays", "Mon and Thu", "weekdays", "daily" = Monday to Friday), optionally
  "every other" / "fortnightly" / "every N weeks", a start time ("10:00", "3pm", "9:30 am") with
  an optional end ("10:00-10:45"; else 30 minutes), and optionally one zone (PT, MT, CT, ET with
  their S/D forms, UTC, GMT, UK, BST, CET, CEST; none means each reader's local time). Any other
  word makes it unreadable ("bi-weekly" can mean twice a week). It recurs from the first such
  day on or after the plan's ``updated`` date until the plan's last date (close or the last
  milestone). Meetings that do not read reliably are listed in the calendar's description.

A stakeholder's file holds the milestones they own, the actions they own and the meetings that
list them as attendees; meetings without attendees belong to the whole plan's file only.

A person's file reminds them of their own due dates: each open milestone and action they own
carries a VALARM at 9:00 (their local time) some business days before it is due (``reminders:
{days_before: N}`` in mapsite.yml, 2 by default; ``reminders: off`` for none). The trigger is
relative to the event's start, so a moved date moves its reminder. The whole plan's file has no
alarms: whoever imports it would be reminded of everyone's work. Done and skipped items and
meetings have none either (a meeting's own calendar entry is the reminder).

Events are written line by line by ``mapsite.render.ical`` (the same bytes icalendar writes, without its
per-property objects); icalendar writes the VTIMEZONE components, once per zone and date range.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import icalendar

from mapsite.errors import MapsiteError
from mapsite.layout import CALENDAR_DIR
from mapsite.model.deal import Action, Cadence, Deal, Milestone, Stakeholder
from mapsite.names import slugify
from mapsite.render import ical
from mapsite.render.cadence import DAY_CODES, Recurrence, parse_cadence
from mapsite.schedule.portal import STATUS_LABELS, side_company

PRODID = "-//mapsite//Mutual action plan//EN"
PLAN_FILE = "plan.ics"
EPOCH = dt.date(1970, 1, 1)
TASK_UID_CHARS = 60
REMINDER_HOUR = 9


@dataclass(frozen=True)
class CalendarFile:
    """One .ics file of a deal: its path inside the deal, whose it is (None: the whole plan)."""

    relpath: str
    person: Stakeholder | None
    content: bytes


def deal_calendars(deal: Deal, reminder_days: int | None = None) -> tuple[CalendarFile, ...]:
    """The whole plan's file, then one per stakeholder who has something in it; () when empty.

    ``reminder_days``: business days before each of a person's open due dates that their own
    file reminds them; None for no reminders.
    """
    entries = _entries(deal, reminder_days)
    if not entries:
        return ()
    files = [CalendarFile(f"{CALENDAR_DIR}/{PLAN_FILE}", None, _calendar(deal, None, entries))]
    for person in deal.stakeholders:
        if mine := [e for e in entries if person.id in e.people]:
            files.append(CalendarFile(person_calendar_path(person.id), person, _calendar(deal, person, mine)))
    return tuple(files)


def person_calendar_path(stakeholder_id: str) -> str:
    """``calendar/<id>.ics``; a person with the id ``plan`` gets ``plan_.ics`` (ids have no ``_``)."""
    name = f"{stakeholder_id}_" if f"{stakeholder_id}.ics" == PLAN_FILE else stakeholder_id
    return f"{CALENDAR_DIR}/{name}.ics"


def plan_calendar(deal: Deal, stakeholder_id: str | None = None, reminder_days: int | None = None) -> bytes:
    """The deal's milestones, actions and meetings as iCalendar bytes, optionally one person's only.

    Raises MapsiteError when the stakeholder is unknown or the calendar would have no event
    (RFC 5545 requires at least one).
    """
    person = deal.stakeholder(stakeholder_id) if stakeholder_id else None
    if stakeholder_id and person is None:
        known = ", ".join(s.id for s in deal.stakeholders)
        raise MapsiteError(
            f"deal '{deal.slug}' has no stakeholder '{stakeholder_id}'", hint=f"stakeholder ids: {known}"
        )
    entries = [e for e in _entries(deal, reminder_days) if person is None or person.id in e.people]
    if not entries:
        whose = f"{person.name} owns" if person else "the plan has"
        raise MapsiteError(
            f"{whose} no dated milestone, action or meeting in deal '{deal.slug}': no calendar to make",
            hint="the whole plan's calendar has every item" if person else "add milestones to the deal",
        )
    return _calendar(deal, person, entries)


@dataclass(frozen=True)
class _Entry:
    """One event, serialized once per deal: a person's file reuses the plan file's bytes.

    ``ical`` is the event's content lines without BEGIN and END, so that a person's file can add
    the ``alarm`` (a VALARM component, or nothing) inside it.
    """

    ical: bytes
    people: frozenset[str]  # owners, or a meeting's attendees
    zone: str | None = None  # the IANA zone of a meeting's times
    alarm: bytes = b""

    def event(self, person: Stakeholder | None) -> bytes:
        return ical.component("VEVENT", (self.ical, self.alarm if person else b""))


@dataclass(frozen=True)
class _Revision:
    """The DTSTAMP, SEQUENCE and LAST-MODIFIED lines, the same in every event of a deal."""

    dtstamp: bytes
    sequence: bytes
    last_modified: bytes

    @classmethod
    def of(cls, deal: Deal) -> _Revision:
        stamp = _stamp(deal)
        return cls(
            ical.datetime_line("DTSTAMP", stamp),
            ical.content_line("SEQUENCE", str((stamp.date() - EPOCH).days)),
            ical.datetime_line("LAST-MODIFIED", stamp),
        )


def _entries(deal: Deal, reminder_days: int | None) -> list[_Entry]:
    """Milestones, then dated actions, then the meetings whose ``when`` reads reliably."""
    revision = _Revision.of(deal)
    entries = [
        _Entry(
            _milestone_event(deal, m, revision),
            frozenset(m.owners),
            alarm=_alarm(deal, f"Milestone: {m.name}", m.due, reminder_days) if not m.is_closed else b"",
        )
        for m in deal.milestones
    ]
    seen: dict[str, int] = {}
    for action in deal.all_actions:
        # Numbered over all actions, dated or not, so a person's file and the plan's agree.
        uid = _unique(f"action-{_action_key(action)}", seen)
        if action.due:
            event = _action_event(deal, action, f"{uid}@{deal.slug}.mapsite", action.due, revision)
            alarm = b"" if action.done else _alarm(deal, f"Action: {action.task}", action.due, reminder_days)
            entries.append(_Entry(event, frozenset(filter(None, [action.owner])), alarm=alarm))
    for meeting in deal.cadence:
        uid = _unique(f"meeting-{slugify(meeting.name) or _digest(meeting.name)}", seen)
        recurrence = parse_cadence(meeting.when)
        if recurrence and (
            series := _meeting_event(deal, meeting, recurrence, f"{uid}@{deal.slug}.mapsite", revision)
        ):
            entries.append(_Entry(series, frozenset(meeting.attendees), recurrence.zone))
    return entries


def _unique(key: str, seen: dict[str, int]) -> str:
    """``key``, then ``key-2``, ``key-3``... for items that read the same."""
    seen[key] = seen.get(key, 0) + 1
    return key if seen[key] == 1 else f"{key}-{seen[key]}"


def _calendar(deal: Deal, person: Stakeholder | None, entries: list[_Entry]) -> bytes:
    """The calendar's properties, its time zones, then the entries' event bytes.

    Properties come in the order icalendar writes a VCALENDAR's (its canonical order).
    """
    # NAME and DESCRIPTION are RFC 7986; Google and Outlook read the X-WR- forms, as text.
    name = f"{deal.title} ({person.name})" if person else deal.title
    description = _calendar_description(deal, person.id if person else None)
    first, last = _stamp(deal).date(), _plan_end(deal) + dt.timedelta(days=1)
    zones = sorted({e.zone for e in entries if e.zone and e.zone != "UTC"})
    return ical.component(
        "VCALENDAR",
        [
            _HEAD,
            ical.text_line("DESCRIPTION", description),
            ical.text_line("X-WR-CALDESC", description),
            ical.text_line("NAME", name),
            ical.text_line("X-WR-CALNAME", name),
            *(_timezone(zone, first, last) for zone in zones),
            *(e.event(person) for e in entries),
        ],
    )


_HEAD = b"".join(
    (
        ical.text_line("VERSION", "2.0"),
        ical.text_line("PRODID", PRODID),
        ical.text_line("CALSCALE", "GREGORIAN"),
        ical.text_line("METHOD", "PUBLISH"),
    )
)


@lru_cache(maxsize=64)
def _timezone(zone: str, first: dt.date, last: dt.date) -> bytes:
    """A VTIMEZONE covering ``first`` to ``last``: many deals share one, so it is made once."""
    return icalendar.Timezone.from_tzinfo(ZoneInfo(zone), zone, first, last).to_ical()


def _milestone_event(deal: Deal, milestone: Milestone, revision: _Revision) -> bytes:
    status = STATUS_LABELS[milestone.status]
    if milestone.status == "done" and milestone.completed:
        status += f" (completed {milestone.completed:%Y-%m-%d})"
    lines = [deal.title, f"Phase: {milestone.phase}", f"Owners: {_people(deal, milestone.owners)}"]
    lines.append(f"Status: {status}")
    after = [m.name for d in milestone.depends_on if (m := deal.milestone(d))]
    if after:
        lines.append(f"After: {', '.join(after)}")
    if milestone.notes:
        lines.append(f"Notes: {milestone.notes}")
    suffix = {"done": " (done)", "skipped": " (skipped)"}.get(milestone.status, "")
    return _all_day(
        f"milestone-{milestone.id}@{deal.slug}.mapsite",
        f"Milestone: {milestone.name}{suffix}",
        "\n".join(lines),
        milestone.due,
        "CANCELLED" if milestone.status == "skipped" else "CONFIRMED",
        revision,
    )


def _action_event(deal: Deal, action: Action, uid: str, due: dt.date, revision: _Revision) -> bytes:
    lines = [deal.title]
    if action.owner:
        lines.append(f"Owner: {_people(deal, (action.owner,))}")
    if milestone := deal.milestone(action.milestone):
        lines.append(f"Milestone: {milestone.name}")
    lines.append(f"Status: {'Done' if action.done else 'Open'}")
    return _all_day(
        uid,
        f"Action: {action.task}{' (done)' if action.done else ''}",
        "\n".join(lines),
        due,
        "CONFIRMED",
        revision,
    )


def _meeting_event(
    deal: Deal, meeting: Cadence, recurrence: Recurrence, uid: str, revision: _Revision
) -> bytes | None:
    """A weekly recurring event, or None when the plan ends before the first meeting."""
    anchor = _stamp(deal).date()
    first = next(
        anchor + dt.timedelta(days=n)
        for n in range(7)
        if DAY_CODES[(anchor + dt.timedelta(days=n)).weekday()] in recurrence.days
    )
    last = _plan_end(deal)
    if first > last:
        return None
    zone = _zone(recurrence.zone)
    start = dt.datetime.combine(first, recurrence.start, zone)
    until = dt.datetime.combine(last, dt.time(23, 59, 59), zone)
    lines = [deal.title, f"When: {meeting.when}"]
    if meeting.attendees:
        lines.append(f"With: {_people(deal, meeting.attendees)}")
    rule = ical.weekly_rule(recurrence.days, recurrence.interval, until.astimezone(dt.UTC) if zone else until)
    # In icalendar's order: its canonical properties first, then the others alphabetically.
    return b"".join(
        (
            ical.text_line("SUMMARY", f"Meeting: {meeting.name}"),
            ical.datetime_line("DTSTART", start),
            ical.content_line("DURATION", ical.duration_value(dt.timedelta(minutes=recurrence.minutes))),
            revision.dtstamp,
            ical.text_line("UID", uid),
            revision.sequence,
            ical.content_line("RRULE", rule),
            ical.text_line("DESCRIPTION", "\n".join(lines)),
            revision.last_modified,
            ical.text_line("STATUS", "CONFIRMED"),
        )
    )


def _all_day(
    uid: str, summary: str, description: str, day: dt.date, status: str, revision: _Revision
) -> bytes:
    """A free-time, all-day event's lines (DTEND is the next day), in the order icalendar writes them."""
    return b"".join(
        (
            ical.text_line("SUMMARY", summary),
            ical.date_line("DTSTART", day),
            ical.date_line("DTEND", day + dt.timedelta(days=1)),
            revision.dtstamp,
            ical.text_line("UID", uid),
            revision.sequence,
            ical.text_line("DESCRIPTION", description),
            revision.last_modified,
            ical.text_line("STATUS", status),
            ical.text_line("TRANSP", "TRANSPARENT"),
        )
    )


def _alarm(deal: Deal, summary: str, due: dt.date, days_before: int | None) -> bytes:
    """A VALARM at 9:00 ``days_before`` business days before ``due`` (the due day itself for 0).

    The trigger is relative to the all-day event's start (midnight of ``due``), in the order
    icalendar writes an alarm's properties (alphabetical).
    """
    if days_before is None:
        return b""
    day = deal.calendar.add_business_days(due, -days_before) if days_before else due
    trigger = dt.datetime.combine(day, dt.time(REMINDER_HOUR)) - dt.datetime.combine(due, dt.time())
    when = "today" if day == due else f"on {due:%a %b} {due.day}"
    return ical.component(
        "VALARM",
        (
            ical.text_line("ACTION", "DISPLAY"),
            ical.text_line("DESCRIPTION", f"{summary} is due {when} ({deal.title})"),
            ical.content_line("TRIGGER", ical.duration_value(trigger)),
        ),
    )


def _calendar_description(deal: Deal, stakeholder_id: str | None) -> str:
    text = "Milestones, actions and meetings of this mutual action plan."
    if stakeholder_id:
        text = "The milestones and actions you own and the meetings you attend in this mutual action plan."
    unread = [
        f"{m.name} ({m.when})"
        for m in deal.cadence
        if parse_cadence(m.when) is None and (stakeholder_id is None or stakeholder_id in m.attendees)
    ]
    if unread:
        text += " Also agreed, not scheduled here: " + "; ".join(unread) + "."
    return text


def _people(deal: Deal, ids: tuple[str, ...]) -> str:
    """Names with their company, e.g. "Dana Whitfield (Acme Corp), Sam Carter (Northwind Software)"."""
    names = []
    for person_id in ids:
        person = deal.stakeholder(person_id)
        company = side_company(deal, person.side) if person else None
        names.append(f"{person.name} ({company.name})" if person and company else person_id)
    return ", ".join(names)


def _action_key(action: Action) -> str:
    words = slugify(action.task)[:TASK_UID_CHARS].strip("-") or _digest(action.task)
    return f"{action.milestone}-{words}" if action.milestone else words


def _digest(text: str) -> str:
    """A stable stand-in for text with no a-z/0-9 words (e.g. a task written in Japanese)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _zone(name: str | None) -> dt.tzinfo | None:
    """UTC is written as ...Z rather than with a VTIMEZONE; no name means floating local time."""
    if name is None:
        return None
    return dt.UTC if name == "UTC" else ZoneInfo(name)


def _stamp(deal: Deal) -> dt.datetime:
    return dt.datetime.combine(deal.updated or deal.close_date, dt.time(), dt.UTC)


def _plan_end(deal: Deal) -> dt.date:
    return max([deal.close_date, *(m.due for m in deal.milestones)])
