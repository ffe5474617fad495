"""Slip history: how often and how far each item's due date moved over a deal's versions.

A plan whose dates keep moving is the first thing a sales manager asks about, and a buyer
deserves to see that a date moved rather than find it silently changed. The versions come from
the deal file's git history (read by the pipeline); here they are only compared, one pair of
neighbours at a time, as resolved dates: a milestone due ``close - 5bd`` slips when the close
date does although its own line never changed. Each version is reduced to its ``DueDates`` and
folded into a ``SlipState`` oldest first, so the pipeline can keep the state of the committed
versions and fold only what is new: the next commit, and the file as it is now.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mapsite.model.deal import Deal
from mapsite.schedule.changes import plan_entries

# "The close date is becoming fiction": check warns from this many moves of close_date.
CLOSE_MOVES_WARNING = 3


@dataclass(frozen=True)
class Slip:
    """One item's due-date history: ``moves`` changes, ``days`` business days net (later is +)."""

    name: str
    first: dt.date
    current: dt.date
    moves: int
    days: int
    previous: dt.date  # the date before the latest move: "moved from Apr 30"


@dataclass(frozen=True)
class SlipHistory:
    """The items whose due date moved, by ``changes.PlanEntry`` key, and the close date's."""

    items: dict[str, Slip]
    close: Slip | None = None

    @property
    def count(self) -> int:
        """Every move of every item and of the close date: a deal's slip count."""
        return sum(s.moves for s in self.items.values()) + (self.close.moves if self.close else 0)


NO_SLIPS = SlipHistory({})


@dataclass(frozen=True)
class DueDates:
    """What one version of a deal says of its dates: all that comparing versions needs, small
    enough for the pipeline to keep between builds instead of validating old versions again."""

    close: dt.date
    items: dict[str, tuple[str, dt.date]]  # ``changes.PlanEntry`` key -> (name, due), plan order


@dataclass(frozen=True)
class SlipState:
    """The slips over the versions folded so far, and the newest one's dates to compare the next
    with. Slips here carry no business days yet: those count from the deal as it is now."""

    items: dict[str, Slip]
    close: Slip | None
    last: DueDates


def due_dates(deal: Deal) -> DueDates:
    """The dates of ``deal`` that a later version may move (items without a date cannot)."""
    entries = plan_entries(deal).values()
    return DueDates(deal.close_date, {e.key: (e.name, e.due) for e in entries if e.due})


def fold(state: SlipState | None, version: DueDates) -> SlipState:
    """``state`` with the next version (oldest first) compared to the one before it."""
    if state is None:
        return SlipState({}, None, version)
    items = dict(state.items)
    for key, (name, due) in version.items.items():
        was = state.last.items.get(key)
        if was and was[1] != due:
            items[key] = _moved(items.get(key), name, was[1], due)
    close = state.close
    if state.last.close != version.close:
        close = _moved(close, "Close date", state.last.close, version.close)
    return SlipState(items, close, version)


def slip_history(state: SlipState | None, now: Deal) -> SlipHistory:
    """The slips of the committed versions folded into ``state`` and of ``now``, the deal as it
    is (an uncommitted edit is a version too); None when it has no committed version."""
    if state is None:
        return NO_SLIPS
    final = fold(state, due_dates(now))
    current = {key: due for key, (_, due) in final.last.items.items()}
    # An item that left the plan (or lost its date) has no slips to show.
    kept = {key: _rebased(slip, now, due) for key, slip in final.items.items() if (due := current.get(key))}
    return SlipHistory(kept, _rebased(final.close, now, now.close_date) if final.close else None)


def _moved(slip: Slip | None, name: str, old: dt.date, new: dt.date) -> Slip:
    first = slip.first if slip else old
    return Slip(name, first, new, (slip.moves if slip else 0) + 1, 0, old)


def _rebased(slip: Slip, deal: Deal, day: dt.date) -> Slip:
    """The slip with its current date and net business days from the deal as it is now."""
    days = deal.calendar.business_days_between(slip.first, day)
    return Slip(slip.name, slip.first, day, slip.moves, days, slip.previous)
