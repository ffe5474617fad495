"""A spreadsheet's rows -> milestones, stakeholders and one message per row it could not use.

Spreadsheets are forgiving and deal files are not, so everything the deal would reject is
settled here: a row without a name or a readable date is skipped and reported by its row
number, with what is wrong with that cell; a dependency that names nothing, or one that would
make the plan impossible (due after the step that waits for it, or a cycle), is left out and
reported. What remains passes check. An open step due on a day nobody works (a weekend, or a
holiday or blackout of mapsite.yml's calendar) is imported as written, with a warning.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from mapsite.errors import MapsiteError
from mapsite.exchange.cell_dates import MonthDay, date_problem, prefers_day_first, read_date, read_month_day
from mapsite.exchange.people import People, Person
from mapsite.exchange.statuses import read_status
from mapsite.exchange.table import OWNER_SIDES, Header, RawTable, cell_text, find_header
from mapsite.exchange.years import YearChoice, choose_years
from mapsite.model.dates import Calendar
from mapsite.names import slugify
from mapsite.read.fields import ID_PATTERN

RESERVED_IDS = ("close", "go_live")
# Columns that templates fill in ahead (numbers, phases, a status drop-down) on rows nobody used.
_PREFILLED = ("ref", "phase", "status")
_NUMBER = re.compile(r"^#?\s*(\d+)$")
_REF_SEPARATORS = re.compile(r"[;,\n]")


@dataclass(frozen=True)
class Problem:
    """Something the import could not take over as written; ``row`` None is about the file."""

    row: int | None
    message: str


@dataclass
class ImportedMilestone:
    row: int
    id: str
    phase: str | None
    name: str
    owners: list[str]
    due: dt.date
    status: str
    notes: str | None
    duration: int | None = None  # business days
    depends_on: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ImportedPlan:
    milestones: tuple[ImportedMilestone, ...]
    people: tuple[Person, ...]
    problems: tuple[Problem, ...]
    data_rows: int
    year_summary: str | None = None  # which year dates written without one were given, and why


@dataclass
class _Entry:
    """One data row, readable or not: dependencies may point at any row by name or number."""

    row: int
    position: int
    ref: str
    name: str
    depends: str
    milestone: ImportedMilestone | None = None


@dataclass
class _Reader:
    """What reading one row needs from the rest of the file."""

    day_first: bool
    years: YearChoice | None
    calendar: Calendar
    people: People = field(default_factory=People)
    problems: list[Problem] = field(default_factory=list)


def read_plan(table: RawTable, calendar: Calendar, close: dt.date | None, today: dt.date) -> ImportedPlan:
    """The plan a table holds; ``close`` and ``today`` place dates written without a year."""
    header = find_header(table)
    if header is None:
        raise MapsiteError(
            f"{table.name}: no header row with a Milestone column in the first rows",
            hint="name the columns, e.g. Phase, Milestone, Owner (Customer), Owner (Vendor), "
            "Due Date, Status",
        )
    if "due" not in header.columns:
        raise MapsiteError(
            f"{table.name} row {header.row}: the header has no due-date column",
            hint="name the column with the dates Due Date or Target Date",
        )
    problems: list[Problem] = []
    if header.ignored:
        problems.append(Problem(None, f"ignored columns: {', '.join(header.ignored)}"))
    if "owner_any" in header.columns:
        problems.append(
            Problem(
                None,
                "the Owner column does not say whose side each person is on; they were added as "
                "buyer-side stakeholders (use Owner (Customer) and Owner (Vendor) columns, "
                "or fix side: in the deal)",
            )
        )
    body = [(number, cells) for number, cells in table.rows if number > header.row]
    day_first = prefers_day_first(cell_text(header.cell(cells, "due")) for _, cells in body)
    years, example = _year_choice(header, body, day_first, close, today)
    reader = _Reader(day_first, years, calendar, problems=problems)
    entries: list[_Entry] = []
    phase: str | None = None
    for number, cells in body:
        text = {key: cell_text(header.cell(cells, key)) for key in header.columns}
        phase = text.get("phase") or phase
        if not any(value for key, value in text.items() if key not in _PREFILLED):
            continue  # blank, a heading naming the phase of the rows below, or an unused template row
        entry = _Entry(
            number,
            len(entries) + 1,
            text.get("ref", ""),
            text.get("milestone", ""),
            text.get("depends_on", ""),
        )
        entry.milestone = _milestone(number, text, header.cell(cells, "due"), phase, reader)
        entries.append(entry)
    _assign_ids(entries)
    _link_dependencies(entries, problems)
    return ImportedPlan(
        milestones=tuple(e.milestone for e in entries if e.milestone),
        people=tuple(reader.people.people),
        problems=tuple(sorted(problems, key=lambda p: p.row or 0)),
        data_rows=len(entries),
        year_summary=years.summary(example) if years and years.years else None,
    )


def _year_choice(
    header: Header,
    body: list[tuple[int, tuple[object, ...]]],
    day_first: bool,
    close: dt.date | None,
    today: dt.date,
) -> tuple[YearChoice | None, str]:
    """How the file's dates without a year get one, and the first such cell; None without any."""
    steps: list[tuple[str, str, MonthDay | dt.date | None]] = []
    example = ""
    phase = ""
    for _, cells in body:
        phase = cell_text(header.cell(cells, "phase")) or phase
        due_cell = header.cell(cells, "due")
        due = read_date(due_cell, day_first) or read_month_day(due_cell, day_first)
        if isinstance(due, MonthDay) and not example:
            example = cell_text(due_cell)
        steps.append((phase, cell_text(header.cell(cells, "milestone")), due))
    if not example:
        return None, ""
    return choose_years(steps, close, today), example


def _milestone(
    row: int, text: dict[str, str], due_cell: object, phase: str | None, reader: _Reader
) -> ImportedMilestone | None:
    problems = reader.problems
    name = " ".join(text.get("milestone", "").split())
    if not name:
        problems.append(Problem(row, "no milestone name; skipped"))
        return None
    if not text.get("due"):
        problems.append(Problem(row, f"'{name}' has no due date; skipped"))
        return None
    due = _due(due_cell, reader)
    if isinstance(due, str):
        problems.append(Problem(row, f"due date '{text['due']}' {due}; skipped"))
        return None
    status = read_status(text.get("status", ""))
    if status is None:
        problems.append(
            Problem(row, f"status '{text['status']}' is not one mapsite knows; imported as pending")
        )
        status = "pending"
    owners: list[str] = []
    durations: list[int] = []
    for key, side in (*OWNER_SIDES.items(), ("owner_any", "buyer")):
        ids, duration = reader.people.owners(text.get(key, ""), side)
        owners += [person for person in ids if person not in owners]
        durations += [duration] if duration else []
    if not owners:
        nobody = reader.people.placeholder("buyer")
        owners = [nobody.id]
        problems.append(Problem(row, f"'{name}' has no owner; assigned to '{nobody.name}'"))
    if status not in ("done", "skipped") and (day_off := _day_off(due, reader.calendar)):
        problems.append(Problem(row, f"'{name}' is due on {due:%a %Y-%m-%d}, {day_off}; imported as written"))
    notes = " ".join(text.get("notes", "").split()) or None
    return ImportedMilestone(row, "", phase, name, owners, due, status, notes, max(durations, default=None))


def _due(cell: object, reader: _Reader) -> dt.date | str:
    """The date of a due-date cell, or what is wrong with the cell."""
    due = read_date(cell, reader.day_first)
    if due is not None:
        return due
    month_day = read_month_day(cell, reader.day_first)
    if month_day is None:
        return date_problem(cell, reader.day_first)
    assert reader.years is not None, "a file with a date without a year has a YearChoice"
    return reader.years.place(month_day) or "has no leap year near the close to fall in"


def _day_off(day: dt.date, calendar: Calendar) -> str | None:
    """Why nobody works on ``day``, or None on a business day."""
    if day.weekday() >= 5:
        return "a weekend day"
    if day in calendar.holidays:
        return "a holiday in mapsite.yml"
    if not calendar.is_business_day(day):
        return "in a blackout of mapsite.yml"
    return None


def _assign_ids(entries: list[_Entry]) -> None:
    """Ids from the Id column when it holds ids (not numbers), else from names; unique."""
    taken: set[str] = set()
    for entry in entries:
        if entry.milestone is None:
            continue
        ref = entry.ref.strip()
        base = ref if ID_PATTERN.match(ref) and not ref.isdigit() else slugify(entry.name)
        base = base or f"row-{entry.row}"
        if base in RESERVED_IDS:
            base = f"{base}-milestone"
        candidate, number = base, 2
        while candidate in taken:
            candidate, number = f"{base}-{number}", number + 1
        taken.add(candidate)
        entry.milestone.id = candidate


def _link_dependencies(entries: list[_Entry], problems: list[Problem]) -> None:
    numbered = any(_NUMBER.match(e.ref) for e in entries)
    by_id = {e.milestone.id: e for e in entries if e.milestone}

    def find(reference: str) -> _Entry | None:
        wanted = " ".join(reference.split()).casefold()
        for entry in entries:
            if entry.name.casefold() == wanted:
                return entry
        if wanted in by_id:
            return by_id[wanted]
        number = _NUMBER.match(wanted)
        return next((e for e in entries if number_of(e) == int(number[1])), None) if number else None

    def number_of(entry: _Entry) -> int | None:
        """A row's number: its # column when the file has one, else its place among the rows."""
        if not numbered:
            return entry.position
        own = _NUMBER.match(entry.ref)
        return int(own[1]) if own else None

    for entry in entries:
        milestone = entry.milestone
        if milestone is None or not entry.depends.strip():
            continue
        whole = find(entry.depends)
        references = (
            [entry.depends] if whole else [p for p in _REF_SEPARATORS.split(entry.depends) if p.strip()]
        )
        for reference in references:
            target = whole or find(reference)
            problem = _dependency_problem(entry, reference.strip(), target, by_id)
            if problem:
                problems.append(Problem(entry.row, problem))
            elif target and target.milestone and target.milestone.id not in milestone.depends_on:
                milestone.depends_on.append(target.milestone.id)


def _dependency_problem(
    entry: _Entry, reference: str, target: _Entry | None, by_id: dict[str, _Entry]
) -> str | None:
    """Why this dependency cannot be kept, or None when it can."""
    if target is None:
        return f"dependency '{reference}' names no milestone in the file; left out"
    if target is entry:
        return f"'{entry.name}' depends on itself; left out"
    if target.milestone is None:
        return f"depends on row {target.row}, which was skipped; left out"
    assert entry.milestone is not None
    if target.milestone.due > entry.milestone.due:
        return (
            f"depends on '{target.name}', due {target.milestone.due:%Y-%m-%d}, after this step "
            f"({entry.milestone.due:%Y-%m-%d}); left out"
        )
    if _reaches(target.milestone.id, entry.milestone.id, by_id):
        return f"depending on '{target.name}' would make a cycle; left out"
    return None


def _reaches(start: str, goal: str, by_id: dict[str, _Entry]) -> bool:
    """Does ``start`` already depend, directly or not, on ``goal``?"""
    seen, stack = set(), [start]
    while stack:
        current = stack.pop()
        if current == goal:
            return True
        if current not in seen:
            seen.add(current)
            milestone = by_id[current].milestone
            stack.extend(milestone.depends_on if milestone else ())
    return False
