"""A small, exact writer of iCalendar (RFC 5545) content lines for the events mapsite publishes.

icalendar builds an object per property, per parameter and per value, then sorts and folds them:
for a thousand deals of eleven calendars each, that machinery costs more than rendering the
portals. The events mapsite writes use a handful of value types (TEXT, DATE, DATE-TIME,
DURATION, INTEGER and a weekly RRULE), so this module writes their lines directly. The bytes are
those icalendar 7 writes for the same values, which tests/render/test_ical.py checks against icalendar
itself: TEXT escaping (backslash, semicolon, comma, line breaks), folding before a line reaches 75
octets without splitting a UTF-8 sequence or a backslash escape, TZID parameters and ``Z`` for
UTC. icalendar stays in charge of what is not simple, such as VTIMEZONE from a tzinfo.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from zoneinfo import ZoneInfo

LINE_OCTETS = 75
FOLD = "\r\n "
CRLF = b"\r\n"
# A TZID this module writes without quoting or RFC 6868 escaping (IANA zone names are like this).
_PLAIN_TZID = re.compile(r"[A-Za-z0-9/_+-]+")


def escape_text(text: str) -> str:
    r"""A TEXT value escaped as icalendar escapes it (the order of the replacements matters).

    A written ``\N`` is read as a line break first, as icalendar does; CR LF, LF and a lone CR
    all become ``\n``.
    """
    return (
        text.replace("\\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line into pieces of at most 74 octets, joined by CRLF and a space.

    A piece never ends in a backslash or caret (that character starts the next piece instead),
    so an escape sequence stays whole for clients that unfold naively.
    """
    if line.isascii():
        if len(line) < LINE_OCTETS:
            return line
        return _fold_ascii(line)
    if len(line.encode("utf-8")) < LINE_OCTETS:
        return line
    return _fold_unicode(line)


def _fold_ascii(line: str) -> str:
    pieces = []
    start, size = 0, LINE_OCTETS - 1
    while len(line) - start > size:
        end = start + size
        if line[end - 1] in "\\^":
            end -= 1
        pieces.append(line[start:end])
        start = end
    pieces.append(line[start:])
    return FOLD.join(pieces)


def _fold_unicode(line: str) -> str:
    """Character by character: a piece ends before the character that would make it 75 octets."""
    pieces: list[str] = []
    start, octets = 0, 0
    for index, char in enumerate(line):
        width = len(char.encode("utf-8"))
        if index > start and octets + width >= LINE_OCTETS:
            if line[index - 1] in "\\^" and index - 1 > start:
                pieces.append(line[start : index - 1])
                start, octets = index - 1, 1
            else:
                pieces.append(line[start:index])
                start, octets = index, 0
        octets += width
    pieces.append(line[start:])
    return FOLD.join(pieces)


def content_line(name: str, value: str, params: str = "") -> bytes:
    """``NAME;PARAMS:value``, folded, with its CRLF; ``value`` is already in its iCalendar form."""
    head = f"{name};{params}" if params else name
    return fold(f"{head}:{value}").encode("utf-8") + CRLF


def text_line(name: str, text: str) -> bytes:
    """A property with a TEXT value."""
    return content_line(name, escape_text(text))


def date_line(name: str, day: dt.date) -> bytes:
    """A property with a DATE value (``VALUE=DATE``), e.g. an all-day DTSTART."""
    return content_line(name, date_value(day), "VALUE=DATE")


def datetime_line(name: str, moment: dt.datetime) -> bytes:
    """A property with a DATE-TIME value: UTC with ``Z``, a zone with TZID, else floating."""
    return content_line(name, datetime_value(moment), tzid_param(moment))


def date_value(day: dt.date) -> str:
    return f"{day.year:04}{day.month:02}{day.day:02}"


def datetime_value(moment: dt.datetime) -> str:
    """``YYYYMMDDTHHMMSS`` in the moment's own zone, with ``Z`` when that zone is UTC."""
    text = f"{date_value(moment)}T{moment.hour:02}{moment.minute:02}{moment.second:02}"
    return text + "Z" if _is_utc(moment.tzinfo) else text


def tzid_param(moment: dt.datetime) -> str:
    """``TZID=<IANA name>`` for a ZoneInfo time, nothing for UTC and floating times."""
    zone = moment.tzinfo
    if zone is None or _is_utc(zone):
        return ""
    if not isinstance(zone, ZoneInfo) or not _PLAIN_TZID.fullmatch(zone.key):
        raise ValueError(f"no TZID to write for the time zone {zone!r}")
    return f"TZID={zone.key}"


def _is_utc(zone: dt.tzinfo | None) -> bool:
    return zone is dt.UTC or (isinstance(zone, ZoneInfo) and zone.key == "UTC")


def duration_value(delta: dt.timedelta) -> str:
    """``PT1H15M``, ``P2D``, ``-PT30M``: days, then hours, minutes and seconds that are not zero."""
    sign = ""
    if delta.days < 0:
        sign, delta = "-", -delta
    hours, rest = divmod(delta.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    time = ""
    if delta.seconds:
        time = "T" + (f"{hours}H" if hours else "")
        time += f"{minutes}M" if minutes or (hours and seconds) else ""
        time += f"{seconds}S" if seconds else ""
    if delta.days == 0 and time:
        return f"{sign}P{time}"
    return f"{sign}P{delta.days}D{time}"


def weekly_rule(days: Iterable[str], interval: int, until: dt.datetime) -> str:
    """An RRULE value ``FREQ=WEEKLY;UNTIL=...;INTERVAL=n;BYDAY=MO,TH`` (INTERVAL only above 1)."""
    parts = ["FREQ=WEEKLY", f"UNTIL={datetime_value(until)}"]
    if interval > 1:
        parts.append(f"INTERVAL={interval}")
    parts.append(f"BYDAY={','.join(days)}")
    return ";".join(parts)


def component(name: str, lines: Iterable[bytes]) -> bytes:
    """``BEGIN:<name>``, the content lines as given, ``END:<name>``."""
    return b"BEGIN:%s\r\n%s" % (name.encode(), b"".join(lines)) + b"END:%s\r\n" % name.encode()
