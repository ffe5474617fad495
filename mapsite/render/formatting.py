"""How values read on the page: dates the way people say them, roles in plain words.

Locale-independent on purpose: the same build gives the same bytes on any machine.
"""

from __future__ import annotations

import datetime as dt

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def long_date(day: dt.date | None) -> str:
    """``Tue, Apr 30, 2027``."""
    if day is None:
        return ""
    return f"{_DAYS[day.weekday()]}, {_MONTHS[day.month - 1]} {day.day}, {day.year}"


def short_date(day: dt.date | None) -> str:
    """``Apr 30``: for tables and the timeline, where the year is obvious from context."""
    if day is None:
        return ""
    return f"{_MONTHS[day.month - 1]} {day.day}"


def iso_date(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def role_label(role: str | None) -> str:
    """``economic_buyer`` -> ``Economic buyer``."""
    return role.replace("_", " ").capitalize() if role else ""


def month_label(day: dt.date, *, with_year: bool) -> str:
    """``Apr`` or ``Apr 2027``: a month tick of the timeline (``strftime``'s ``%b`` follows LC_TIME)."""
    month = _MONTHS[day.month - 1]
    return f"{month} {day.year}" if with_year else month


FILTERS = {
    "longdate": long_date,
    "shortdate": short_date,
    "isodate": iso_date,
    "role_label": role_label,
}
