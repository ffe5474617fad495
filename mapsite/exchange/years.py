"""Which year a date written without one ("Feb 1") is in, as the people on the deal would read it.

The widely used MAP templates leave the year out because everyone on the call knows it. A plan
leads up to its close, so each such date takes the year that puts it nearest before the close:
the ``--close`` the rep gave, or else the plan's own close step (its signature row) at its next
occurrence from today, since a plan being imported is one still to be signed. Steps a template
puts after the close (kickoff, go-live) stay after it when they fall within ``AFTER_CLOSE`` of it.

A guess must be visible, so the import summary names the year or years it chose and why.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from mapsite.exchange.cell_dates import MonthDay

# The steps that are the signature, found by their phase or name.
SIGNATURE = re.compile(r"\b(close|closing|signature|signing|signed)\b", re.IGNORECASE)
AFTER_CLOSE = dt.timedelta(days=90)


@dataclass
class YearChoice:
    """The close the years are counted back from, why that day, and the years given out so far."""

    close: dt.date
    reason: str
    years: set[int] = field(default_factory=set)

    def place(self, month_day: MonthDay) -> dt.date | None:
        """The latest such day no later than ``AFTER_CLOSE`` after the close; None for a Feb 29
        that has no leap year in reach."""
        limit = self.close + AFTER_CLOSE
        for year in range(limit.year, limit.year - 2, -1):
            try:
                day = dt.date(year, month_day.month, month_day.day)
            except ValueError:
                continue
            if day <= limit:
                self.years.add(day.year)
                return day
        return None

    def summary(self, example: str) -> str:
        """One line for the rep: the year or years chosen, and from which close."""
        years = " and ".join(str(year) for year in sorted(self.years))
        return f"Dates without a year, like '{example}', are read in {years}: {self.reason}."


def choose_years(
    steps: Sequence[tuple[str, str, MonthDay | dt.date | None]], close: dt.date | None, today: dt.date
) -> YearChoice:
    """How to place the year-less dates of a plan.

    ``steps`` holds each row's phase, name and the date read from its cell, in the order of the
    file; at least one of them has a date without a year.
    """
    after = f"or up to {AFTER_CLOSE.days} days after it"
    if close is not None:
        return YearChoice(close, f"each on the last such day before --close {close:%Y-%m-%d}, {after}")
    dated = [(name, due) for phase, name, due in steps if due is not None]
    signing = [(name, due) for phase, name, due in steps if due and SIGNATURE.search(f"{phase} {name}")]
    name, due = (signing or dated)[-1]
    if isinstance(due, dt.date):
        return YearChoice(due, f"each on the last such day before '{name}' ({due:%Y-%m-%d}), {after}")
    step = "" if signing else " (the last step)"
    day = _next_occurrence(due, today)
    return YearChoice(
        day, f"'{name}'{step} on the next {day:%b} {day.day} from today, the others before it, {after}"
    )


def _next_occurrence(month_day: MonthDay, today: dt.date) -> dt.date:
    """The first such day on or after today (a Feb 29 waits for the next leap year)."""
    for year in range(today.year, today.year + 9):
        try:
            day = dt.date(year, month_day.month, month_day.day)
        except ValueError:
            continue
        if day >= today:
            return day
    raise AssertionError("a month and day read by read_month_day exists in a leap year")
