"""Due-date cells in the forms spreadsheets hold them: ISO, US, European, Excel dates and serials.

``3/4/2027`` is March 4 in New York and April 3 in Berlin. A file is read one way throughout:
month first (US) unless one of its slash dates only makes sense day first (``15/03/2027``).
Dotted and dashed dates (``15.03.2027``) are always day first, as everywhere they are used.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

EXCEL_EPOCH = dt.date(1899, 12, 30)
# Day numbers Excel gives 1990-01-01 and 2099-12-31: a plan's "3" is a week number, not 1900-01-02.
EXCEL_SERIALS = range(32_874, 73_051)
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}.*)?$")
_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[.-](\d{1,2})[.-](\d{4}|\d{2})\.?$")
_TIME = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?$", re.IGNORECASE)
_WEEKDAY = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE)
_WORD_FORMATS = ("%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y", "%d-%b-%Y", "%d-%b-%y", "%b %d %y")


def prefers_day_first(cells: Iterable[str]) -> bool:
    """True when some slash date of the file reads only day first and none only month first."""
    day_first = month_first = False
    for cell in cells:
        match = _SLASH.match(_bare(cell))
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
