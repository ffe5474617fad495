"""Slip history: how often and how far each item's due date moved over a deal's versions.

A plan whose dates keep moving is the first thing a sales manager asks about, and a buyer
deserves to see that a date moved rather than find it silently changed. The versions come from
the deal file's git history (read by the pipeline); here they are only compared, one pair of
neighbours at a time with ``changes.moves``, so a milestone due ``close - 5bd`` slips when the
close date does although its own line never changed.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from mapsite.model.deal import Deal
from mapsite.schedule.changes import moves, plan_entries

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


def slip_history(versions: Sequence[Deal]) -> SlipHistory:
    """The slips across ``versions`` (oldest first, the deal as it is now last)."""
    if not versions:
        return NO_SLIPS
    items: dict[str, Slip] = {}
    close: Slip | None = None
    for old, new in itertools.pairwise(versions):
        for moved in moves(old, new):
            items[moved.entry.key] = _moved(
                items.get(moved.entry.key), moved.entry.name, moved.old, moved.new
            )
        if old.close_date != new.close_date:
            close = _moved(close, "Close date", old.close_date, new.close_date)
    now = versions[-1]
    current = {key: entry.due for key, entry in plan_entries(now).items()}
    # An item that left the plan (or lost its date) has no slips to show.
    kept = {key: _rebased(slip, now, due) for key, slip in items.items() if (due := current.get(key))}
    return SlipHistory(kept, _rebased(close, now, now.close_date) if close else None)


def _moved(slip: Slip | None, name: str, old: dt.date, new: dt.date) -> Slip:
    first = slip.first if slip else old
    return Slip(name, first, new, (slip.moves if slip else 0) + 1, 0, old)


def _rebased(slip: Slip, deal: Deal, day: dt.date) -> Slip:
    """The slip with its current date and net business days from the deal as it is now."""
    days = deal.calendar.business_days_between(slip.first, day)
    return Slip(slip.name, slip.first, day, slip.moves, days, slip.previous)
