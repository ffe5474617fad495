"""Can the plan still make its close date? Earliest finishes, slack and the critical path.

A mutual plan is only useful while both sides can trust its target date. This module schedules
the open work forward from today (each milestone takes its ``duration`` in business days and
starts after the milestones it depends on) and says when the signature can realistically land.

API, used by the portal, ``check``, ``mapsite plan`` and the pipeline views::

    result = feasibility(deal, calendar, today)              # Feasibility
    result.projected_close     # date the signature can land (see "the signature" below)
    result.days_late           # business days after close_date at the earliest
    result.on_track            # not late, nothing it waits for overdue, all work fits
    result.target_phrase       # "on track", "8 business days after the target", "at risk: ..."
    result.concerns            # why the close is at risk besides days_late, in plain words
    result.assumption          # "assumes 1 business day for each of the 5 open milestones ..."
    result.critical_path       # milestone ids, first to last, that decide projected_close
    result.milestones["poc"]   # MilestoneFeasibility: earliest_start, earliest_finish,
                               #   slack_due (business days), critical

    feasibility(deal, calendar, today, extra={"security-review": 5})   # a what-if slip

The rules, in the order they apply:

- An open milestone (not done, not skipped) starts on the first business day that is on or after
  today and after every dependency has finished; it finishes ``duration - 1`` business days after
  it starts (``duration`` defaults to 1: a one-day milestone finishes the day it starts).
- A done milestone finished on its ``completed`` date (without one, it holds nothing up).
  A skipped milestone takes no time: it finishes when its own dependencies have.
- Slack is counted in business days from the earliest finish to the due date (``slack_due``);
  negative slack means the milestone will be late.
- The signature is the milestone due on ``close_date`` (of several, the one finishing last, the
  first in the file on a tie); without one, the last milestone of the phase named Close. When it
  is done, ``projected_close`` is its completion date and the deal is on track. A plan with
  neither has no signature milestone: the close can happen once every milestone due by
  ``close_date`` has finished.
- The critical path is found backwards from the signature: at each milestone, the open or skipped
  dependency that finishes last (the first listed on a tie) decides its start. Only open
  milestones are on the path; it stops where nothing open holds the start back.

Earliest finishes are a best case: work runs in parallel wherever ``depends_on`` allows, and a
milestone without a ``duration`` takes one day. So a plan is on track only when, as well:

- nothing the signature waits for is overdue: no open milestone it depends on (directly or
  through others; itself included) is overdue or has an overdue action (see schedule/overdue.py).
  Without a signature milestone, what the close waits for is the open work due by ``close_date``;
- every open milestone due by ``close_date`` can finish by it (``cannot_fit``: those the close
  does not wait for; the others are in ``days_late``);
- nobody owns more open items (milestones and actions) due by ``close_date`` than there are
  business days left until it (``overloaded``): each item takes its owner at least a day. A
  ``duration`` is elapsed time (a security review runs for weeks while its owner does other
  work), so it does not count against the owner.

Only the standard library: the dependency graph is small and already checked for cycles.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from graphlib import TopologicalSorter

from mapsite.model.dates import Calendar
from mapsite.model.deal import Deal, Milestone
from mapsite.schedule.overdue import is_overdue

CLOSE_PHASE = "close"


@dataclass(frozen=True)
class MilestoneFeasibility:
    """Where one milestone lands if everyone works from today; None where it does not apply.

    Open milestones have every field. Done ones have only ``earliest_finish`` (their completion
    date, if given); skipped ones have none.
    """

    milestone: Milestone
    duration: int
    earliest_start: dt.date | None = None
    earliest_finish: dt.date | None = None
    slack_due: int | None = None
    critical: bool = False

    @property
    def late(self) -> bool:
        """Open and finishing after its due date at the earliest."""
        return self.slack_due is not None and self.slack_due < 0


@dataclass(frozen=True)
class Feasibility:
    """The deal's schedule as of ``today``: when the signature can land, and what decides it."""

    today: dt.date
    close_date: dt.date
    projected_close: dt.date
    days_late: int
    critical_path: tuple[str, ...]
    milestones: Mapping[str, MilestoneFeasibility]
    signature: str | None
    overdue_critical: tuple[str, ...] = ()  # names of open milestones the close waits for, overdue
    cannot_fit: tuple[str, ...] = ()  # names of open milestones due by close that finish after it
    overloaded: tuple[tuple[str, int], ...] = ()  # (person, open items due by close) > days left
    days_left: int = 0  # business days from today to close_date, both counted
    one_day: int = 0  # open milestones counted as one business day of work

    @property
    def on_track(self) -> bool:
        return self.days_late == 0 and not (self.overdue_critical or self.cannot_fit or self.overloaded)

    @property
    def target_phrase(self) -> str:
        """How the projected close compares with the target, in words for any reader."""
        if self.days_late:
            return f"{self.days_late} business day{'s' * (self.days_late != 1)} after the target"
        if self.overdue_critical:
            return f"at risk: {_count(len(self.overdue_critical), 'overdue milestone')} it waits for"
        if self.cannot_fit:
            return f"at risk: {_count(len(self.cannot_fit), 'milestone')} due by close cannot finish by it"
        if self.overloaded:
            return "at risk: more open items than business days left"
        return "on track"

    @property
    def concerns(self) -> tuple[str, ...]:
        """Why the target is at risk besides ``days_late``: one sentence each, with names."""
        said = []
        if self.overdue_critical:
            said.append(f"Overdue work holds up the signature: {', '.join(self.overdue_critical)}.")
        if self.cannot_fit:
            said.append(f"Due by the target close but cannot finish by it: {', '.join(self.cannot_fit)}.")
        for person, items in self.overloaded:
            said.append(
                f"{person} has {_count(items, 'open item')} due by the target close, and "
                f"{_count(self.days_left, 'business day')} {'is' if self.days_left == 1 else 'are'} left."
            )
        return tuple(said)

    @property
    def assumption(self) -> str | None:
        """What the projection took for granted, said wherever it is shown."""
        if not self.one_day:
            return None
        each = "the open milestone" if self.one_day == 1 else f"each of the {self.one_day} open milestones"
        return f"assumes 1 business day for {each} without a longer duration"


def _count(amount: int, noun: str) -> str:
    return f"{amount} {noun}{'s' * (amount != 1)}"


# The last plain schedule: lint, the plan and the status row of one deal all ask for the same.
_last: list = []


def feasibility(
    deal: Deal, calendar: Calendar, today: dt.date, extra: Mapping[str, int] | None = None
) -> Feasibility:
    """Schedule the deal's open work from ``today``.

    ``extra`` adds business days to milestones' durations (a what-if); a duration never drops
    below one business day.
    """
    if extra:
        return _schedule(deal, calendar, today, extra)
    if _last and _last[0] is deal and _last[1] is calendar and _last[2] == today:
        return _last[3]
    result = _schedule(deal, calendar, today, {})
    _last[:] = [deal, calendar, today, result]
    return result


def _schedule(deal: Deal, calendar: Calendar, today: dt.date, extra: Mapping[str, int]) -> Feasibility:
    by_id = {m.id: m for m in deal.milestones}
    first_day = calendar.add_business_days(today - dt.timedelta(days=1), 1)
    # ``finish`` is what a dependent waits for; None: holds nothing up.
    finish: dict[str, dt.date | None] = {}
    driver: dict[str, str | None] = {}
    start: dict[str, dt.date] = {}

    def start_finish(milestone_id: str) -> dt.date:
        """Earliest finish of an open milestone (always set once it is scheduled)."""
        ends = finish[milestone_id]
        assert ends is not None
        return ends

    order = TopologicalSorter({m.id: m.depends_on for m in deal.milestones}).static_order()
    for milestone_id in order:
        milestone = by_id[milestone_id]
        deciding = _last_finishing(milestone.depends_on, finish)
        driver[milestone_id] = deciding
        waits_for = finish[deciding] if deciding else None
        if milestone.status == "done":
            finish[milestone_id] = milestone.completed
        elif milestone.status == "skipped":
            finish[milestone_id] = waits_for
        else:
            begins = first_day
            if waits_for is not None:
                begins = max(begins, calendar.add_business_days(waits_for, 1))
            start[milestone_id] = begins
            duration = max(1, milestone.duration + extra.get(milestone_id, 0))
            finish[milestone_id] = calendar.add_business_days(begins, duration - 1)

    signature = _signature(deal, finish)
    skipped = {m.id for m in deal.milestones if m.status == "skipped"}
    if signature is None:
        # No signature milestone: the close waits for the open work due by close_date.
        due_by_close = [m.id for m in deal.milestones if m.id in start and m.due <= deal.close_date]
        last = max(due_by_close, key=start_finish, default=None)
        projected = start_finish(last) if last else deal.close_date
        path = _path_to(last, driver, start, skipped)
    elif signature in start:
        projected = start_finish(signature)
        path = _path_to(signature, driver, start, skipped)
    else:
        signed = by_id[signature]
        projected = signed.completed or signed.due
        path = ()
    late = calendar.business_days_between(deal.close_date, projected) if path else 0

    def view(milestone: Milestone) -> MilestoneFeasibility:
        duration = max(1, milestone.duration + extra.get(milestone.id, 0))
        if milestone.id not in start:
            done = milestone.completed if milestone.status == "done" else None
            return MilestoneFeasibility(milestone, duration, earliest_finish=done)
        ends = start_finish(milestone.id)
        return MilestoneFeasibility(
            milestone,
            duration,
            earliest_start=start[milestone.id],
            earliest_finish=ends,
            slack_due=calendar.business_days_between(ends, milestone.due),
            critical=milestone.id in path,
        )

    views = {m.id: view(m) for m in deal.milestones}
    days_left = calendar.business_days_between(first_day, deal.close_date) + 1
    open_by_close = [m for m in deal.milestones if m.id in start and m.due <= deal.close_date]
    roots = [signature] if signature else [m.id for m in open_by_close]
    waited = _waited_for(deal, roots)
    return Feasibility(
        today=today,
        close_date=deal.close_date,
        projected_close=projected,
        days_late=max(late, 0),
        critical_path=path,
        milestones=views,
        signature=signature,
        overdue_critical=tuple(by_id[m].name for m in waited if m in start and _has_overdue(by_id[m], today)),
        # What the close waits for is in days_late already.
        cannot_fit=tuple(
            m.name for m in open_by_close if m.id not in waited and start_finish(m.id) > deal.close_date
        ),
        overloaded=_overloaded(deal, max(days_left, 0)),
        days_left=max(days_left, 0),
        one_day=sum(1 for m in deal.milestones if m.id in start and views[m.id].duration == 1),
    )


def _waited_for(deal: Deal, roots: list[str]) -> list[str]:
    """``roots`` and every milestone they depend on, directly or through others, in file order."""
    depends = {m.id: m.depends_on for m in deal.milestones}
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(depends[current])
    return [m.id for m in deal.milestones if m.id in seen]


def _has_overdue(milestone: Milestone, today: dt.date) -> bool:
    """The milestone, or one of its open actions, is overdue."""
    return is_overdue(milestone.due, milestone.is_closed, today) or any(
        is_overdue(a.due, a.done, today) for a in milestone.actions
    )


def _overloaded(deal: Deal, days_left: int) -> tuple[tuple[str, int], ...]:
    """People who own more open items due by close than there are business days left, with
    how many they own."""
    load: dict[str, int] = {}
    for milestone in deal.milestones:
        if not milestone.is_closed and milestone.due <= deal.close_date:
            for owner in milestone.owners:
                load[owner] = load.get(owner, 0) + 1
    for action in deal.all_actions:
        if action.owner and not action.done and action.due and action.due <= deal.close_date:
            load[action.owner] = load.get(action.owner, 0) + 1
    names = {s.id: s.name for s in deal.stakeholders}
    return tuple((names.get(who, who), days) for who, days in load.items() if days > days_left)


def _signature_candidates(deal: Deal) -> list[Milestone]:
    """Milestones that may be the signature, by the rule in the module docstring."""
    on_close = [m for m in deal.milestones if m.due == deal.close_date and m.status != "skipped"]
    if on_close:
        return on_close
    in_close = [m for m in deal.milestones if m.phase.lower() == CLOSE_PHASE and m.status != "skipped"]
    return in_close[-1:]


def _signature(deal: Deal, finish: Mapping[str, dt.date | None]) -> str | None:
    candidates = _signature_candidates(deal)
    if not candidates:
        return None
    # max() keeps the first of equal keys: the first in the file wins a tie.
    return max(candidates, key=lambda m: finish[m.id] or m.due).id


def _last_finishing(depends_on: tuple[str, ...], finish: Mapping[str, dt.date | None]) -> str | None:
    """The dependency that finishes last (the first listed on a tie): it decides the start."""
    deciding: str | None = None
    latest = dt.date.min
    for dep in depends_on:
        ends = finish[dep]
        if ends is not None and (deciding is None or ends > latest):
            deciding, latest = dep, ends
    return deciding


def _path_to(
    last: str | None, driver: Mapping[str, str | None], start: Mapping[str, dt.date], skipped: set[str]
) -> tuple[str, ...]:
    """Follow the deciding dependencies back from ``last``: open milestones are on the path,
    skipped ones pass the chain through, a done one ends it."""
    path: list[str] = []
    current = last
    while current is not None and (current in start or current in skipped):
        if current in start:
            path.append(current)
        current = driver[current]
    return tuple(reversed(path))
