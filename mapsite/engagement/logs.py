"""Reading hosts' access logs for the view files of ``analytics: access_log`` (docs/views.md).

A rep downloads whatever their host keeps and hands the files over as they are: nginx or Apache
"combined" lines, Amazon S3 server access logs, CloudFront standard logs (tab-separated, with a
``#Fields:`` header), each plain or gzipped. Each line is recognised on its own, so a folder of
mixed files reads in one go. Only successful GETs of a view file (``<deal>/_v/<24 hex>.gif``) are
kept: the rest of the log (pages, assets, robots) says nothing about who opened a deal.
"""

from __future__ import annotations

import datetime as dt
import gzip
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from mapsite.errors import Finding

VIEW_PATH = re.compile(r"/_v/([0-9a-f]{24})\.gif$")
# host ident user [time] "request" status ...   (nginx and Apache "combined" and "common")
COMBINED = re.compile(r'^\S+ \S+ .*?\[([^\]]+)\] "(\S+) (\S+)[^"]*" (\d{3}) ')
# owner bucket [time] remote-ip requester request-id operation key "request" status ...
S3 = re.compile(r'^\S+ \S+ \[([^\]]+)\] \S+ \S+ \S+ \S+ \S+ "(\S+) (\S+)[^"]*" (\d{3}) ')
CLOUDFRONT_FIELDS = [
    "date",
    "time",
    "x-edge-location",
    "sc-bytes",
    "c-ip",
    "cs-method",
    "cs(Host)",
    "cs-uri-stem",
    "sc-status",
]
OK = {200, 203, 206, 304}
KINDS = "nginx/Apache combined, S3 server access logs or CloudFront standard logs"


@dataclass(frozen=True)
class Hit:
    """One successful request of a view file: when (UTC) and its name."""

    time: dt.datetime
    name: str


def read_logs(paths: list[Path]) -> tuple[list[Hit], list[Finding]]:
    """Every view-file hit in these files; a file that is no log we know is a finding, not a stop."""
    hits: list[Hit] = []
    findings: list[Finding] = []
    for path in paths:
        try:
            lines = list(_lines(path))
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            findings.append(Finding(str(path), None, "error", f"cannot read {path}: {exc}"))
            continue
        known, found = _hits(lines)
        hits += found
        if lines and not known:
            findings.append(
                Finding(
                    str(path),
                    1,
                    "warning",
                    f"{path} holds no line of an access log mapsite reads",
                    f"give it {KINDS}, plain or gzipped",
                )
            )
    return sorted(hits, key=lambda hit: hit.time), findings


def _lines(path: Path) -> Iterator[str]:
    with path.open("rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
    opener = gzip.open if gzipped else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
        yield from (line.rstrip("\r\n") for line in handle)


def _hits(lines: list[str]) -> tuple[int, list[Hit]]:
    """How many lines were a known log's, and the view-file hits among them."""
    known = 0
    hits: list[Hit] = []
    fields = CLOUDFRONT_FIELDS
    for line in lines:
        if line.startswith("#"):
            if line.startswith("#Fields:"):
                fields = line.split(":", 1)[1].split()
                known += 1
            elif line.startswith("#Version:"):
                known += 1
            continue
        parsed = _cloudfront(line, fields) if "\t" in line else _spaced(line)
        if parsed is None:
            continue
        known += 1
        time, method, target, status = parsed
        match = VIEW_PATH.search(unquote(urlsplit(target).path))
        if match and method == "GET" and status in OK:
            hits.append(Hit(time, match.group(1)))
    return known, hits


def _spaced(line: str) -> tuple[dt.datetime, str, str, int] | None:
    match = S3.match(line) or COMBINED.match(line)
    if match is None:
        return None
    try:
        time = dt.datetime.strptime(match.group(1), "%d/%b/%Y:%H:%M:%S %z")
    except ValueError:
        return None
    return time.astimezone(dt.UTC), match.group(2), match.group(3), int(match.group(4))


def _cloudfront(line: str, fields: list[str]) -> tuple[dt.datetime, str, str, int] | None:
    values = dict(zip(fields, line.split("\t"), strict=False))
    try:
        time = dt.datetime.fromisoformat(f"{values['date']}T{values['time']}+00:00")
        return time, values["cs-method"], values["cs-uri-stem"], int(values["sc-status"])
    except (KeyError, ValueError):
        return None
