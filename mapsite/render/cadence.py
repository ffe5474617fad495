"""Meeting rhythms written as free text ("Tuesdays 10:00 CET, 30 min", "every other Monday")
read into recurrences the calendars can carry; what cannot be read stays text on the page."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_CLOCK = r"(?P<{0}h>\d{{1,2}})(?::(?P<{0}m>\d{{2}}))?\s*(?P<{0}ap>[ap]\.?m\.?)?"


DEFAULT_MINUTES = 30
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WORKWEEK = DAY_CODES[:5]
ZONES = {
    **dict.fromkeys(("pt", "pst", "pdt"), "America/Los_Angeles"),
    **dict.fromkeys(("mt", "mst", "mdt"), "America/Denver"),
    **dict.fromkeys(("ct", "cst", "cdt"), "America/Chicago"),
    **dict.fromkeys(("et", "est", "edt"), "America/New_York"),
    **dict.fromkeys(("uk", "bst"), "Europe/London"),
    **dict.fromkeys(("cet", "cest"), "Europe/Berlin"),
    **dict.fromkeys(("utc", "gmt"), "UTC"),
}
FILLERS = frozenset(("every", "each", "on", "at", "and", "weekly", "from"))
_DAY_WORDS = {
    word: code
    for name, code in zip(_DAY_NAMES, DAY_CODES, strict=True)
    for word in (name, name + "s", name[:3], name[:3] + "s")
} | {"tues": "TU", "thur": "TH", "thurs": "TH"}
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4}
_TIME = re.compile(
    r"(?<![\w:])" + _CLOCK.format("s") + r"(?:\s*(?:-|\u2013|to)\s*" + _CLOCK.format("e") + r")?(?![\w:])"
)
_INTERVAL = re.compile(r"\bevery\s+(?:(?P<other>other)|(?P<n>\d{1,2}|one|two|three|four)\s+weeks?)\b")


@dataclass(frozen=True)
class Recurrence:
    """A meeting rhythm read from free text: weekdays, start time, length, zone, week interval."""

    days: tuple[str, ...]
    start: dt.time
    minutes: int
    zone: str | None
    interval: int = 1


@lru_cache(maxsize=1024)
def parse_cadence(when: str) -> Recurrence | None:
    """Read "Tuesdays 10:00 PT" and the like (see the module docstring); None when unsure.

    Cached: every calendar of a deal asks again, and many deals share their meeting rhythm.
    """
    text = when.lower().strip()
    # A number is a time only with minutes or am/pm: "every 2 weeks" and "24 hours" are not.
    times = [m for m in _TIME.finditer(text) if m["sm"] or m["sap"] or m["eap"]]
    if len(times) != 1:
        return None
    match = times[0]
    start = clock_time(match["sh"], match["sm"], match["sap"] or match["eap"])
    end = clock_time(match["eh"], match["em"], match["eap"]) if match["eh"] else None
    if start is None or (match["eh"] and (end is None or end <= start)):
        return None
    minutes = minutes_of(end) - minutes_of(start) if end else DEFAULT_MINUTES
    rest = text[: match.start()] + " " + text[match.end() :]
    interval = 1
    if every := _INTERVAL.search(rest):
        interval = 2 if every["other"] else int(_NUMBER_WORDS.get(every["n"], every["n"]))
        rest = rest[: every.start()] + " " + rest[every.end() :]
    days: set[str] = set()
    zones: list[str] = []
    for word in re.split(r"[\s,&/]+", rest.replace(".", " ")):
        if word in _DAY_WORDS:
            days.add(_DAY_WORDS[word])
        elif word in ("weekdays", "weekday", "daily"):
            days.update(WORKWEEK)
        elif word == "fortnightly":
            interval = 2
        elif word in ZONES:
            zones.append(ZONES[word])
        elif word and word not in FILLERS:
            return None
    if not days or len(zones) > 1 or not 1 <= interval <= 52:
        return None
    ordered = tuple(code for code in DAY_CODES if code in days)
    return Recurrence(ordered, start, minutes, zones[0] if zones else None, interval)


def clock_time(hours: str, minutes: str | None, meridiem: str | None) -> dt.time | None:
    """Hours, minutes and am/pm as written ("3", "30", "pm" -> 15:30); None when impossible or a
    bare hour without am/pm."""
    hour, minute = int(hours), int(minutes or 0)
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem.startswith("p") else 0)
    elif minutes is None:
        return None
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


def minutes_of(time: dt.time) -> int:
    return time.hour * 60 + time.minute
