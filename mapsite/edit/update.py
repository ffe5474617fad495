"""The routine updates of a plan after a call, as edits of the deal file's text: an item done,
an item's status, an item moved to another day.

Each update says in words what it did, and every one also stamps the deal's ``updated:`` (the
day the plan was last reviewed, which the portal shows). The file is only written when the
edited deal is valid: a move that puts a milestone before one it depends on is refused with
validation's own message, and the file stays as it was.

A move of an item whose due date is relative (``poc-scope + 3bd``) writes the new absolute date
and says so: the rep asked for that day, and a command that stops to ask a question cannot be
scripted. The note names the old expression and what the item no longer follows.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from mapsite.atomic import write_atomic
from mapsite.edit.editor import EditError, remove_field, set_field
from mapsite.edit.items import PlanItem
from mapsite.errors import MapsiteError
from mapsite.model.dates import DateExpr, DateSyntaxError, parse_date_expr, parse_iso
from mapsite.model.deal import MILESTONE_STATUSES, Deal
from mapsite.paths import site_display
from mapsite.pipeline.from_text import deal_from_text
from mapsite.read.site import Site
from mapsite.schedule.changes import Moved, moves
from mapsite.validate.plan_items import STATUS_MEANING

_SHIFT = re.compile(r"^\s*(?P<sign>[+-])\s*(?P<amount>\d{1,4})\s*(?P<unit>bd|d|w)?\s*$")
# Where a new key goes in an item (after the first of these it has) and in the deal.
_AFTER = {
    "status": ("due", "duration"),
    "completed": ("status", "due"),
    "done": ("due", "owner", "task"),
    "updated": ("stage", "go_live", "close_date"),
}


@dataclass(frozen=True)
class Edit:
    """A deal file's new text and what the change means, in the rep's words."""

    text: str
    summary: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Saved:
    """An edit written: the file as the rep knows it, its changed lines, the items whose due date
    changed (the one moved and those due relative to it)."""

    display: str
    lines: tuple[int, ...]
    moved: tuple[Moved, ...]

    @property
    def wrote(self) -> str:
        """``Wrote content/deals/acme.md (lines 12, 40).``"""
        lines = ", ".join(map(str, self.lines))
        return f"Wrote {self.display} (line{'s' * (len(self.lines) != 1)} {lines})."


def mark_done(text: str, item: PlanItem, on: dt.date | None, today: dt.date) -> Edit:
    """Milestone: ``status: done`` and ``completed: ON`` (default today); action: ``done: true``.

    A milestone already done keeps its completed date unless ``on`` says otherwise: "today"
    would be a wrong fact about a step done last week.
    """
    if item.action:
        if item.action.done:
            return Edit(text, f"{item.label} was already done; nothing changed")
        return Edit(stamp_updated(_set(text, item, "done", True), today), f"{item.label} is done")
    milestone = item.milestone
    assert milestone is not None
    if milestone.status == "done" and (on is None or milestone.completed == on):
        when = f" on {milestone.completed.isoformat()}" if milestone.completed else ""
        hint = "" if milestone.completed else " (give --on DATE to record when)"
        return Edit(text, f"{item.label} was already done{when}; nothing changed{hint}")
    day = on or today
    edited = _set(_set(text, item, "status", "done"), item, "completed", day)
    return Edit(stamp_updated(edited, today), f"{item.label} is done, completed {day.isoformat()}")


def set_status(text: str, item: PlanItem, status: str, today: dt.date) -> Edit:
    """A milestone's ``status`` (``completed`` goes when it is no longer done); an action is done or not."""
    if status == "done":
        return mark_done(text, item, None, today)
    if item.action:
        if status != "pending":
            raise MapsiteError(
                f"an action is done or not; '{status}' is for milestones",
                hint="use done, or pending to undo it",
            )
        if not item.action.done:
            return Edit(text, f"{item.label} is already pending; nothing changed")
        return Edit(stamp_updated(_set(text, item, "done", False), today), f"{item.label} is pending again")
    milestone = item.milestone
    assert milestone is not None
    if milestone.status == status:
        return Edit(text, f"{item.label} is already {status}; nothing changed")
    edited = _set(text, item, "status", status)
    notes: tuple[str, ...] = ()
    if milestone.completed:
        edited = guard_edit(lambda: remove_field(edited, item.path, "completed"))
        notes = (f"removed completed: {milestone.completed.isoformat()} (it is no longer done)",)
    return Edit(stamp_updated(edited, today), f"{item.label} is now {status} (was {milestone.status})", notes)


def move(text: str, deal: Deal, item: PlanItem, target: str, today: dt.date) -> Edit:
    """``due`` set to a date, or shifted from the current one by ``+5bd``, ``-2bd``, ``+3d``, ``+1w``."""
    current = item.milestone.due if item.milestone else item.action.due if item.action else None
    written = item.milestone.due_text if item.milestone else item.action.due_text if item.action else None
    new = _target_date(target, current, deal, item)
    if new == current:
        return Edit(text, f"{item.label} is already due {new.isoformat()}; nothing changed")
    notes: tuple[str, ...] = ()
    expression = parse_date_expr(written) if written else None
    if expression and expression.anchor:
        notes = (
            f"its due date was '{written}'; it is now the fixed date {new.isoformat()} and no longer "
            f"follows {expression.anchor} (write '{written}' back into the file to undo)",
        )
    was = f"was {current.isoformat()}" if current else "had no due date"
    return Edit(
        stamp_updated(_set(text, item, "due", new), today),
        f"{item.label} is due {new.isoformat()} ({was})",
        notes,
    )


def save(site: Site, deal: Deal, edit: Edit, old_text: str) -> Saved:
    """Write ``edit`` over the deal's file if the deal it gives is valid; else raise, writing nothing."""
    display = site_display(deal.source, site.dir)
    edited, findings = deal_from_text(site, deal, edit.text)
    errors = [f for f in findings if f.is_error]
    if edited is None or errors:
        raise MapsiteError(
            f"the change would make {display} invalid, so nothing was written",
            errors,
            hint="the lines above are those of the file as it would have been",
        )
    write_atomic(deal.source, edit.text)
    matcher = difflib.SequenceMatcher(None, old_text.splitlines(), edit.text.splitlines(), autojunk=False)
    lines = tuple(
        number + 1
        for tag, _a1, _a2, b1, b2 in matcher.get_opcodes()
        if tag != "equal"
        for number in range(b1, b2)
    )
    return Saved(display, lines, tuple(moves(deal, edited)))


def parse_status(text: str) -> str:
    """``in-progress``, ``In Progress`` -> ``in_progress``; anything else: the list and a guess."""
    status = "_".join(text.replace("-", " ").split()).casefold()
    if status in MILESTONE_STATUSES:
        return status
    meant = STATUS_MEANING.get(status.replace("_", " "))  # what check suggests for it in a file
    close = [meant] if meant else difflib.get_close_matches(status, MILESTONE_STATUSES, n=1, cutoff=0.5)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise MapsiteError(
        f"'{text}' is no status", hint=f"{hint}a status is one of: {', '.join(MILESTONE_STATUSES)}"
    )


def _target_date(target: str, current: dt.date | None, deal: Deal, item: PlanItem) -> dt.date:
    shift = _SHIFT.match(target)
    if shift is None:
        try:
            return parse_iso(target)
        except DateSyntaxError as exc:
            if re.match(r"^\s*\d{4}-", target):
                raise MapsiteError(str(exc)) from None
            raise MapsiteError(
                f"'{target}' is neither a date nor a shift",
                hint="write YYYY-MM-DD, or +5bd / -2bd (business days), +3d (days), +1w (weeks)",
            ) from None
    if current is None:
        raise MapsiteError(f"{item.label} has no due date to shift", hint="give the date: YYYY-MM-DD")
    amount = int(shift["amount"]) * (-1 if shift["sign"] == "-" else 1)
    return DateExpr(target, anchor="due", amount=amount, unit=shift["unit"] or "bd").apply(
        current, deal.calendar
    )


def _set(text: str, item: PlanItem, key: str, value: str | bool | dt.date) -> str:
    return guard_edit(lambda: set_field(text, item.path, key, value, _AFTER.get(key, ())))


def stamp_updated(text: str, today: dt.date) -> str:
    """``text`` with ``updated: today``: every edit of a deal stamps it, the rep's commands as
    well as the inbox and ``mapsite answer``, so they share this one way of writing it."""
    return guard_edit(lambda: set_field(text, (), "updated", today, _AFTER["updated"]))


def guard_edit(change: Callable[[], str]) -> str:
    """Run an editor call; its refusal becomes a message (the file is not written).

    Public because every writer of deal files (the rep's commands, the inbox) refuses alike."""
    try:
        return change()
    except EditError as exc:
        raise MapsiteError(f"{exc}; nothing was written") from None
