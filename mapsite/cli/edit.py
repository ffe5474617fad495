"""``mapsite done``, ``mapsite mark`` and ``mapsite move``: the updates a rep makes after a call,
one command each, editing only the lines concerned in the deal file.

(``mapsite status`` is the pipeline table, so setting an item's status is ``mark``.)
Stages are imported inside the commands (see cli/main.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mapsite.cli.app import as_date, main, read_site, site_option
from mapsite.cli.lookup import one_deal
from mapsite.clock import resolve_today

if TYPE_CHECKING:
    from mapsite.edit.items import PlanItem
    from mapsite.edit.update import Edit
    from mapsite.model.deal import Deal


@main.command(name="done")
@click.argument("deal_name", metavar="DEAL")
@click.argument("item", metavar="ITEM")
@click.option(
    "--on",
    "on",
    metavar="DATE",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day it was done (YYYY-MM-DD); default: today.",
)
@site_option
def done_command(deal_name: str, item: str, on: dt.datetime | None, site_dir: Path) -> None:
    """Mark a milestone or an action done.

    Writes status: done and completed: (a milestone) or done: true (an action), and the deal's
    updated: date; nothing else in the file changes. ITEM is a milestone's id, or a part of a
    milestone's name or of an action's task that only one item has.

    Example: mapsite done acme "security review" --on 2027-03-02
    """
    from mapsite.edit.update import mark_done

    _update(
        site_dir,
        deal_name,
        item,
        lambda text, _deal, found, today: mark_done(text, found, as_date(on), today),
    )


@main.command(name="mark")
@click.argument("deal_name", metavar="DEAL")
@click.argument("item", metavar="ITEM")
@click.argument("status", metavar="STATUS")
@site_option
def mark_command(deal_name: str, item: str, status: str, site_dir: Path) -> None:
    """Set a milestone's status: done, in_progress, pending, blocked, at_risk or skipped.

    Also writes the deal's updated: date; leaving done removes the completed: date. An action is
    only done or pending. ITEM is a milestone's id, or a part of a milestone's name or of an
    action's task that only one item has.

    Example: mapsite mark acme security-review blocked
    """
    from mapsite.edit.update import parse_status, set_status

    wanted = parse_status(status)
    _update(
        site_dir, deal_name, item, lambda text, _deal, found, today: set_status(text, found, wanted, today)
    )


@main.command(name="move", context_settings={"ignore_unknown_options": True})
@click.argument("deal_name", metavar="DEAL")
@click.argument("item", metavar="ITEM")
@click.argument("when", metavar="DATE|SHIFT")
@site_option
def move_command(deal_name: str, item: str, when: str, site_dir: Path) -> None:
    """Move a milestone or an action to another due date.

    DATE is YYYY-MM-DD; SHIFT moves it from its current due date: +5bd or -2bd (business days),
    +3d (days), +1w (weeks). An item due relative to another (poc + 3bd) gets the new date
    written as a fixed date, with a note. Items due relative to this one move along and are
    listed. The file is not written if the new date breaks the plan (e.g. before a dependency).
    ITEM is a milestone's id, or a part of a milestone's name or of an action's task that only
    one item has.

    Example: mapsite move acme security-review +5bd
    """
    from mapsite.edit.update import move

    _update(site_dir, deal_name, item, lambda text, deal, found, today: move(text, deal, found, when, today))


def _update(
    site_dir: Path,
    deal_name: str,
    query: str,
    change: Callable[[str, Deal, PlanItem, dt.date], Edit],
) -> None:
    """Find the deal and the item, make the edit, and write it if the deal stays valid."""
    from mapsite.edit.items import find_item
    from mapsite.edit.update import save

    site = read_site(site_dir)
    today = resolve_today(None, site.today)
    deal = one_deal(site, deal_name, today)
    text = deal.source.read_bytes().decode("utf-8")
    item = find_item(deal, query)
    edit = change(text, deal, item, today)
    if edit.text == text:
        click.echo(edit.summary)
        return
    saved = save(site, deal, edit, text)
    click.echo(f"{edit.summary}.")
    for note in edit.notes:
        click.echo(f"Note: {note}.")
    for moved in (moved for moved in saved.moved if moved.entry.key != item.key):
        click.echo(f"Moved along: {moved.entry.name}: {moved.old.isoformat()} -> {moved.new.isoformat()}")
    click.echo(saved.wrote)
