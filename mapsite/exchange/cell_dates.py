"""Due-date cells in the forms spreadsheets hold them: ISO, US, European, Excel dates and serials.

``3/4/2027`` is March 4 in New York and April 3 in Berlin. A file is read one way throughout:
month first (US) unless one of its slash dates only makes sense day first (``15/03/2027``).
Dotted and dashed dates (``15.03.2027``) are always day first, as everywhere they are used.

The widely used MAP templates write dates without a year ("Feb 1"); those are read here as a
month and a day, and years.py decides the year. A cell that is no date gets a reason naming
what is wrong with it (not set yet, no such month, no such day, a form mapsite does not read),
so the rep fixes that cell rather than guessing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

EXCEL_EPOCH = dt.date(1899, 12, 30)
# Day numbers Excel gives 1990-01-01 and 2099-12-31: a plan's "3" is a week number, not 1900-01-02.
EXCEL_SERIALS = range(32_874, 73_051)
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}.*)?$")
_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[.-](\d{1,2})[.-](\d{4}|\d{2})\.?$")
_TIME = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?$", re.IGNORECASE)
_WEEKDAY = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE)
_WORD_FORMATS = ("%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y", "%d-%b-%Y", "%d-%b-%y", "%b %d %y")
# Without a year: "Feb 1", "February 1st", "1 Feb", "1-Feb", "2/1" (month first unless the file
# is day first) and the German "1.2.".
_MONTH_WORD_DAY = re.compile(
    r"^(?P<month>[a-z]{3,9})\.?[\s-]+(?P<day>\d{1,2})(?:st|nd|rd|th)?$", re.IGNORECASE
)
_DAY_MONTH_WORD = re.compile(
    r"^(?P<day>\d{1,2})(?:st|nd|rd|th)?\.?[\s-]+(?:of\s+)?(?P<month>[a-z]{3,9})\.?$", re.IGNORECASE
)
_SLASH_NO_YEAR = re.compile(r"^(\d{1,2})/(\d{1,2})$")
_DOTTED_NO_YEAR = re.compile(r"^(\d{1,2})\.(\d{1,2})\.$")
MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december",
)  # fmt: skip
# Cells a template leaves for "not decided yet".
NOT_SET = {"tbd", "tbc", "tba", "n/a", "na", "?", "-", "--", "\u2013", "\u2014", "asap", "pending", "none"}
LEAP_YEAR = 2000


@dataclass(frozen=True)
class MonthDay:
    """A date written without its year: which year it is depends on the plan (see years.py)."""

    month: int
    day: int


def prefers_day_first(cells: Iterable[str]) -> bool:
    """True when some slash date of the file reads only day first and none only month first."""
    day_first = month_first = False
    for cell in cells:
        match = _SLASH.match(_bare(cell)) or _SLASH_NO_YEAR.match(_bare(cell))
        if match:
            first, second = int(match[1]), int(match[2])
            day_first |= first > 12 >= second
            month_first |= second > 12 >= first
    return day_first and not month_first


def read_date(value: object, day_first: bool) -> dt.date | None:
    """The date a cell holds, or None when it holds no date (the caller says which row)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # A date cell without a date format reaches us as Excel's day count.
        if int(value) in EXCEL_SERIALS:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        return None
    text = _bare(str(value))
    if match := _ISO.match(text):
        return _date(int(match[1]), int(match[2]), int(match[3]))
    if match := _SLASH.match(text):
        first, second = int(match[1]), int(match[2])
        day, month = (first, second) if day_first else (second, first)
        return _date(_year(match[3]), month, day)
    if match := _DAY_FIRST.match(text):
        return _date(_year(match[3]), int(match[2]), int(match[1]))
    words = text.replace(",", " ").replace(".", " ")
    words = " ".join(words.split())
    for form in _WORD_FORMATS:
        try:
            return dt.datetime.strptime(words, form).date()
        except ValueError:
            continue
    return None


def read_month_day(value: object, day_first: bool) -> MonthDay | None:
    """The month and day of a cell written without a year ("Feb 1"), or None."""
    if not isinstance(value, str):
        return None
    text = _bare(value)
    if match := _MONTH_WORD_DAY.match(text) or _DAY_MONTH_WORD.match(text):
        month, day = _month_number(match["month"]), int(match["day"])
    elif match := _SLASH_NO_YEAR.match(text):
        first, second = int(match[1]), int(match[2])
        month, day = (second, first) if day_first else (first, second)
    elif match := _DOTTED_NO_YEAR.match(text):
        month, day = int(match[2]), int(match[1])
    else:
        return None
    if month is None or _date(LEAP_YEAR, month, day) is None:
        return None
    return MonthDay(month, day)


def date_problem(value: object, day_first: bool) -> str:
    """What is wrong with a cell that ``read_date`` and ``read_month_day`` could not read."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "is a number, not a date"
    text = _bare(str(value))
    if text.casefold() in NOT_SET:
        return "is not set yet"
    fields = _numbered_fields(text, day_first)
    if fields:
        month, day = fields
        if not 1 <= month <= 12:
            return f"has no month {month}"
        return f"has day {day}, which {MONTHS[month - 1].title()} does not have"
    if match := _MONTH_WORD_DAY.match(text) or _DAY_MONTH_WORD.match(text):
        month_number = _month_number(match["month"])
        if month_number is None:
            return f"has '{match['month']}', which is not a month"
        return f"has day {int(match['day'])}, which {MONTHS[month_number - 1].title()} does not have"
    return "is not a date mapsite reads (write it like 2027-03-15, 3/15/2027, 15.03.2027 or Mar 15)"


def _numbered_fields(text: str, day_first: bool) -> tuple[int, int] | None:
    """(month, day) of a date written in numbers only, valid or not."""
    if match := _ISO.match(text):
        return int(match[2]), int(match[3])
    if match := _SLASH.match(text) or _SLASH_NO_YEAR.match(text):
        first, second = int(match[1]), int(match[2])
        return (second, first) if day_first else (first, second)
    if match := _DAY_FIRST.match(text) or _DOTTED_NO_YEAR.match(text):
        return int(match[2]), int(match[1])
    return None


def _month_number(word: str) -> int | None:
    """1-12 for an English month name or its abbreviation (three letters, or "Sept")."""
    word = word.casefold()
    for number, name in enumerate(MONTHS, 1):
        if word == name or word == name[:3] or (number == 9 and word == "sept"):
            return number
    return None


def _bare(text: str) -> str:
    """Without a leading weekday or a trailing time of day, which some exports add."""
    text = _WEEKDAY.sub("", text.strip())
    return _TIME.sub("", text)


def _year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
