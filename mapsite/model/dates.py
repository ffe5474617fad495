"""Dates as reps write them: ISO dates, or offsets from an anchor such as ``close - 10bd``.

Working backwards from the close date is how a mutual plan is built, so relative dates are
first-class. Business days skip weekends and the site calendar's holidays and blackouts.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cached_property

_RELATIVE = re.compile(
    r"^\s*(?P<anchor>[a-z0-9][a-z0-9_-]*)\s*(?:(?P<sign>[+-])\s*(?P<amount>\d{1,4})\s*(?P<unit>bd|d|w)\s*)?$"
)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Calendar:
    """Non-working days of the site: weekends always, plus holidays and blackout ranges.

    Plans ask for thousands of spans (slack of every milestone, every deal, every build), so
    counting is arithmetic rather than a walk over the days: whole weeks give five business days
    each, and the holidays and blackouts are merged once into sorted day ranges that are looked
    up by bisection.
    """

    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    blackouts: tuple[tuple[dt.date, dt.date], ...] = ()

    def is_business_day(self, day: dt.date) -> bool:
        if day.weekday() >= 5 or day in self.holidays:
            return False
        return not any(start <= day <= end for start, end in self.blackouts)

    def add_business_days(self, start: dt.date, amount: int) -> dt.date:
        """Step ``amount`` business days from ``start`` (negative steps go backwards).

        Zero business days from a non-working day moves to the previous business day, so a
        deadline never lands on a day nobody works.
        """
        if amount == 0:
            if self.is_business_day(start):
                return start
            # The last business day before the day after ``start``: ``start`` itself or earlier.
            return _from_day_number(self._off_days.before(_day_number(start) + 1, 1))
        if amount > 0:
            return _from_day_number(self._off_days.after(_day_number(start) + 1, amount))
        return _from_day_number(self._off_days.before(_day_number(start), -amount))

    def business_days_between(self, start: dt.date, end: dt.date) -> int:
        """Business days after ``start`` up to and including ``end`` (negative when end < start)."""
        low, high = _day_number(start) + 1, _day_number(end) + 1
        if high >= low:
            return self._off_days.business_days(low, high)
        return -self._off_days.business_days(high, low)

    @cached_property
    def _off_days(self) -> _OffDays:
        """The holidays and blackouts as merged day ranges; built on first use, once per calendar."""
        ranges = [(_day_number(day), _day_number(day) + 1) for day in self.holidays]
        ranges += [
            (_day_number(first), _day_number(last) + 1) for first, last in self.blackouts if first <= last
        ]
        return _OffDays.merged(ranges)


def _day_number(day: dt.date) -> int:
    """Days since Monday 0001-01-01: day n is a weekend day when n % 7 >= 5."""
    return day.toordinal() - 1


def _from_day_number(number: int) -> dt.date:
    """The date of a day number; OverflowError beyond the calendar, as date arithmetic raises."""
    if not 0 <= number < dt.date.max.toordinal():
        raise OverflowError("date value out of range")
    return dt.date.fromordinal(number + 1)


def _weekdays_before(number: int) -> int:
    """Monday-to-Friday days among day numbers 0 .. number - 1."""
    weeks, rest = divmod(number, 7)
    return weeks * 5 + min(rest, 5)


def _weekday_number(index: int) -> int:
    """The day number of the weekday with this 0-based index among all weekdays."""
    weeks, rest = divmod(index, 5)
    return weeks * 7 + rest


@dataclass(frozen=True)
class _OffDays:
    """Non-working weekdays as sorted, disjoint half-open day-number ranges [start, end).

    ``counted[i]`` is the number of weekdays in the ranges before range ``i``, so the weekdays
    off between two days take two bisections and a few subtractions.
    """

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    counted: tuple[int, ...]

    @classmethod
    def merged(cls, ranges: list[tuple[int, int]]) -> _OffDays:
        merged: list[list[int]] = []
        for start, end in sorted(ranges):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        counted = [0]
        for start, end in merged:
            counted.append(counted[-1] + _weekdays_before(end) - _weekdays_before(start))
        return cls(tuple(s for s, _ in merged), tuple(e for _, e in merged), tuple(counted))

    def business_days(self, low: int, high: int) -> int:
        """Business days among day numbers low .. high - 1 (low <= high)."""
        first = bisect_right(self.ends, low)  # the first range ending after ``low``
        stop = bisect_left(self.starts, high)  # ranges from ``stop`` on start at or after ``high``
        off = 0
        if first < stop:
            off = self.counted[stop] - self.counted[first]
            # The outer ranges may stick out of [low, high): take their outside weekdays back.
            off -= max(0, _weekdays_before(low) - _weekdays_before(self.starts[first]))
            off -= max(0, _weekdays_before(self.ends[stop - 1]) - _weekdays_before(high))
        return _weekdays_before(high) - _weekdays_before(low) - off

    def after(self, day: int, count: int) -> int:
        """The ``count``-th business day (count >= 1) at or after day number ``day``."""
        index = bisect_right(self.ends, day)  # the first range that ends after ``day``
        while True:
            if index < len(self.starts) and self.starts[index] <= day:
                day = self.ends[index]  # inside a range: resume where it ends
                index += 1
                continue
            found = _weekday_number(_weekdays_before(day) + count - 1)
            if index == len(self.starts) or found < self.starts[index]:
                return found
            count -= _weekdays_before(self.starts[index]) - _weekdays_before(day)
            day = self.ends[index]
            index += 1

    def before(self, day: int, count: int) -> int:
        """The ``count``-th business day (count >= 1) before day number ``day``, going backwards."""
        index = bisect_left(self.starts, day) - 1  # the last range that starts before ``day``
        while True:
            if index >= 0 and self.ends[index] >= day:
                day = self.starts[index]  # the day before ``day`` is off: resume before the range
                index -= 1
                continue
            found = _weekday_number(_weekdays_before(day) - count)
            if index < 0 or found >= self.ends[index]:
                return found
            count -= _weekdays_before(day) - _weekdays_before(self.ends[index])
            day = self.starts[index]
            index -= 1


@dataclass(frozen=True)
class DateExpr:
    """A date as written: absolute (``on``) or ``anchor ± amount unit``; ``text`` is the source."""

    text: str
    on: dt.date | None = None
    anchor: str | None = None
    amount: int = 0
    unit: str = "d"

    def apply(self, anchor_date: dt.date, calendar: Calendar) -> dt.date:
        if self.unit == "bd":
            return calendar.add_business_days(anchor_date, self.amount)
        days = self.amount * (7 if self.unit == "w" else 1)
        return anchor_date + dt.timedelta(days=days)


class DateSyntaxError(ValueError):
    """The text is neither an ISO date nor a relative date; the message says which part is off."""


def parse_iso(value: object) -> dt.date:
    """Accept a YAML date or an ISO ``YYYY-MM-DD`` string."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not _ISO.match(text):
        raise DateSyntaxError(f"'{text}' is not a date; write it as YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise DateSyntaxError(f"'{text}' is not a real date ({exc})") from None


def parse_date_expr(value: object) -> DateExpr:
    """Read ``2027-04-30``, ``close``, ``close - 10bd``, ``go_live + 2w``, ``security-review + 3bd``."""
    if isinstance(value, (dt.date, dt.datetime)):
        return DateExpr(text=parse_iso(value).isoformat(), on=parse_iso(value))
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise DateSyntaxError(f"'{value}' is not a date; write YYYY-MM-DD or e.g. 'close - 10bd'")
    text = str(value).strip()
    if _ISO.match(text) or re.match(r"^\d{4}-\d", text):
        return DateExpr(text=text, on=parse_iso(text))
    match = _RELATIVE.match(text)
    if not match:
        raise DateSyntaxError(
            f"'{text}' is not a date; write YYYY-MM-DD or ANCHOR ± N d|bd|w, e.g. 'close - 10bd'"
        )
    amount = int(match["amount"] or 0)
    if match["sign"] == "-":
        amount = -amount
    anchor = match["anchor"]
    if anchor == "close_date":
        anchor = "close"
    return DateExpr(text=text, anchor=anchor, amount=amount, unit=match["unit"] or "d")


# Durations: how long a milestone takes, and how far a what-if moves one.

WEEK_DAYS = 5
MAX_DURATION = 500
_DURATION = re.compile(r"^\s*(?P<amount>\d{1,4})\s*(?P<unit>bd|w|d)?\s*$")
# "security-review +5bd": a minus needs a space before it, so "poc-2" stays an id.
_SLIP = re.compile(r"^\s*(?P<target>.*?\S)\s*(?P<sign>\+|(?<=\s)-)\s*(?P<amount>\d{1,4}\s*(?:bd|w|d)?)\s*$")


class DurationSyntaxError(ValueError):
    """A duration that is not ``N``, ``Nbd`` or ``Nw``; the message says how to write it."""


def parse_duration(value: object) -> int:
    """``7bd`` -> 7, ``2w`` -> 10, ``3`` -> 3 business days.

    Calendar days (``3d``) are refused: work happens on business days, and a rep who writes
    ``3d`` means either 3 business days or "by the weekend", which only they can say.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise DurationSyntaxError(
            f"'{value}' is not a duration; write business days, e.g. 7bd, or weeks, e.g. 2w"
        )
    match = _DURATION.match(str(value))
    if not match:
        raise DurationSyntaxError(
            f"'{value}' is not a duration; write business days, e.g. 7bd, or weeks, e.g. 2w"
        )
    amount = int(match["amount"])
    if match["unit"] == "d":
        raise DurationSyntaxError(
            f"'{value}' counts calendar days; a duration counts working time: write {amount}bd "
            "(business days) or weeks, e.g. 1w"
        )
    days = amount * (WEEK_DAYS if match["unit"] == "w" else 1)
    if not 1 <= days <= MAX_DURATION:
        raise DurationSyntaxError(
            f"'{value}' is {days} business days; a milestone takes from 1 to {MAX_DURATION} business days"
        )
    return days


def parse_slip(text: str) -> tuple[str, int]:
    """``security-review +5bd`` -> ("security-review", 5); ``legal-review - 1w`` -> (..., -5)."""
    match = _SLIP.match(text)
    if not match:
        raise DurationSyntaxError(
            "write a milestone id, + or -, and business days, e.g. 'security-review +5bd'"
        )
    days = parse_duration(match["amount"])
    return match["target"], -days if match["sign"] == "-" else days
