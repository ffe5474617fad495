"""Dates as reps write them: ISO dates, or offsets from an anchor such as ``close - 10bd``.

Working backwards from the close date is how a mutual plan is built, so relative dates are
first-class. Business days skip weekends and the site calendar's holidays and blackouts.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

_RELATIVE = re.compile(
    r"^\s*(?P<anchor>[a-z0-9][a-z0-9_-]*)\s*(?:(?P<sign>[+-])\s*(?P<amount>\d{1,4})\s*(?P<unit>bd|d|w)\s*)?$"
)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
UNIT_NAMES = {"d": "calendar days", "bd": "business days", "w": "weeks"}


@dataclass(frozen=True)
class Calendar:
    """Non-working days of the site: weekends always, plus holidays and blackout ranges."""

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
        step = 1 if amount >= 0 else -1
        day = start
        if amount == 0:
            while not self.is_business_day(day):
                day -= dt.timedelta(days=1)
            return day
        remaining = abs(amount)
        while remaining:
            day += dt.timedelta(days=step)
            if self.is_business_day(day):
                remaining -= 1
        return day

    def business_days_between(self, start: dt.date, end: dt.date) -> int:
        """Business days after ``start`` up to and including ``end`` (negative when end < start)."""
        if end == start:
            return 0
        sign = 1 if end > start else -1
        low, high = (start, end) if sign > 0 else (end, start)
        count = 0
        day = low + dt.timedelta(days=1)
        while day <= high:
            count += self.is_business_day(day)
            day += dt.timedelta(days=1)
        return sign * count


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
