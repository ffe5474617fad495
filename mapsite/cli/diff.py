"""``mapsite diff``: what changed in a deal's plan since a day or a commit, from git, in lines a rep
can paste into the weekly update.

Stages are imported inside the command (see cli/main.py).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mapsite.cli.app import as_date, main, read_site, site_option, today_option
from mapsite.cli.lookup import one_deal
from mapsite.clock import resolve_today
from mapsite.errors import MapsiteError

if TYPE_CHECKING:
    from mapsite.model.deal import Deal
    from mapsite.read.history import Version
    from mapsite.schedule.changes import Moved, PlanChanges, PlanEntry

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DEFAULT_DAYS = 7


@main.command(name="diff")
@click.argument("deal_name", metavar="DEAL")
@click.option(
    "--since",
    metavar="DATE|REV",
    default=None,
    help="Compare with the deal as committed before this day (YYYY-MM-DD), or at this git "
    "revision (a commit, a tag, HEAD~3). Default: a week ago.",
)
@today_option
@site_option
def diff_command(deal_name: str, since: str | None, today: dt.datetime | None, site_dir: Path) -> None:
    """What changed in a deal's plan: items done, dates moved, items and people added or removed.

    Compares the deal file now (uncommitted edits included) with its version in git, as deals,
    not text: a milestone due close - 5bd moves when the close date moves.

    Example: mapsite diff acme --since 2027-02-15
    """
    from mapsite.paths import site_display
    from mapsite.pipeline.from_text import deal_from_text
    from mapsite.read import history
    from mapsite.schedule.changes import plan_changes

    site = read_site(site_dir)
    day = resolve_today(as_date(today), site.today)
    deal = one_deal(site, deal_name, day)
    path = deal.source
    display = site_display(path, site.dir)
    found = history.committed(path, display)
    since = since or (day - dt.timedelta(days=DEFAULT_DAYS)).isoformat()
    version, label = _baseline(path, display, since, first=found[-1])
    text = history.text_at(path, version)
    if text is None:
        raise MapsiteError(
            f"{display} did not exist at commit {version.short} ({version.day.isoformat()})",
            hint="give a later --since",
        )
    old, problems = deal_from_text(site, deal, text)
    errors = [f for f in problems if f.is_error]
    if old is None or errors:
        raise MapsiteError(
            f"the deal at commit {version.short} has errors, so it cannot be compared",
            errors,
            hint="the lines above are those of that version; try another --since",
        )
    uncommitted = history.text_at(path, found[0]) != path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    for line in diff_lines(deal, plan_changes(old, deal), label, uncommitted):
        click.echo(line)


def _baseline(path: Path, display: str, since: str, first: Version) -> tuple[Version, str]:
    """The version to compare with, and how the header names it (``first``: the file's first)."""
    from mapsite.model.dates import DateSyntaxError, parse_iso
    from mapsite.read import history

    if _DATE.match(since.strip()):
        try:
            day = parse_iso(since)
        except DateSyntaxError as exc:
            raise MapsiteError(f"--since {since}: {exc}") from None
        version = history.version_before(path, day)
        if version is None:
            raise MapsiteError(
                f"{display} has no version before {day.isoformat()}: its first commit is of "
                f"{first.day.isoformat()}",
                hint=f"use --since {first.day.isoformat()} or a later day, or a commit",
            )
        return version, f"{day.isoformat()} (commit {version.short} of {version.day.isoformat()})"
    version = history.version_at(path, since)
    return version, f"{since} (commit {version.short} of {version.day.isoformat()})"


def diff_lines(deal: Deal, changes: PlanChanges, since: str, uncommitted: bool) -> list[str]:
    """The report, wrapped to the terminal (at most 100 columns), one change per bullet."""
    width = max(40, min(shutil.get_terminal_size((80, 24)).columns, 100))
    lines = [deal.title, f"Changes since {since}{', with uncommitted edits' if uncommitted else ''}:"]
    if not changes.count:
        return [*lines, "  No changes to the plan."]
    sections: list[tuple[str, list[str]]] = [
        (
            "Done",
            [
                f"{_label(e)}" + (f", completed {e.completed.isoformat()}" if e.completed else "")
                for e in changes.done
            ],
        ),
        ("Status changed", [f"{_label(c.entry)}: {c.old} -> {c.entry.status}" for c in changes.status]),
        ("Dates moved", [_moved(m) for m in changes.moved]),
        ("Added", [_label(e) + (f", due {e.due.isoformat()}" if e.due else "") for e in changes.added]),
        ("Removed", [_label(e) for e in changes.removed]),
        ("People added", [_person(s.name, s.title, s.side) for s in changes.people_added]),
        ("People removed", [_person(s.name, s.title, s.side) for s in changes.people_removed]),
        ("Close date", [_moved(changes.close)] if changes.close else []),
        ("Stage", [f"{changes.stage[0]} -> {changes.stage[1]}"] if changes.stage else []),
    ]
    for title, entries in sections:
        if entries:
            lines.append(f"{title}:")
            for entry in entries:
                lines.extend(textwrap.wrap(entry, width, initial_indent="  - ", subsequent_indent="    "))
    return lines


def _label(entry: PlanEntry) -> str:
    if entry.kind == "milestone":
        return f"{entry.name} ({entry.key})"
    return f"action '{entry.name}'"


def _moved(moved: Moved) -> str:
    label = "" if moved.entry.kind == "close" else f"{_label(moved.entry)}: "
    return f"{label}{moved.old.isoformat()} -> {moved.new.isoformat()} ({moved.shift:+d}bd)"


def _person(name: str, title: str | None, side: str) -> str:
    return f"{name}, {title} ({side})" if title else f"{name} ({side})"
