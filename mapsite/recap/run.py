"""One deal's recap run: where it starts, what changed since, the messages, and the record.

A recap covers the days since the last one: ``--since`` when given, else the deal's
``last_recap:`` date, else a week ago. What changed comes from git (the deal file as committed
before that day, compared as a deal with the file now); without such a version the recap still
goes out and says so. After a send, the day is written into the deal file as ``last_recap:``
with the format-preserving editor, so teammates see it in git and the next recap starts there.
Recording a recap is not a plan update, so ``updated:`` is left alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mapsite.atomic import write_atomic
from mapsite.edit.editor import EditError, set_field
from mapsite.errors import MapsiteError
from mapsite.model.deal import Deal
from mapsite.paths import site_display
from mapsite.pipeline.from_text import deal_from_text
from mapsite.read import history
from mapsite.read.site import Site
from mapsite.recap.content import DealRecap, deal_recap
from mapsite.schedule.changes import PlanChanges, plan_changes

DEFAULT_DAYS = 7


@dataclass(frozen=True)
class Start:
    day: dt.date
    why: str  # "--since", "last recap" or "a week ago"


def start(deal: Deal, since: dt.date | None, today: dt.date) -> Start:
    if since is not None:
        return Start(since, "--since")
    if deal.last_recap is not None:
        return Start(deal.last_recap, "last recap")
    return Start(today - dt.timedelta(days=DEFAULT_DAYS), "a week ago")


def facts(site: Site, deal: Deal, since: dt.date, today: dt.date) -> DealRecap:
    return deal_recap(deal, today, since, _changes(site, deal, since))


def _changes(site: Site, deal: Deal, since: dt.date) -> PlanChanges | None:
    """What changed from the deal as committed before ``since`` to the deal now; None without one."""
    try:
        version = history.version_before(deal.source, since)
    except MapsiteError:  # not a git repository: the recap says there is nothing to compare with
        return None
    text = history.text_at(deal.source, version) if version else None
    if text is None:
        return None
    old, problems = deal_from_text(site, deal, text)
    if old is None or any(f.is_error for f in problems):
        return None
    return plan_changes(old, deal)


def record(site: Site, deal: Deal, today: dt.date) -> None:
    """Write ``last_recap: today`` into the deal file, touching nothing else in it."""
    display = site_display(deal.source, site.dir)
    text = deal.source.read_bytes().decode("utf-8")
    try:
        edited = set_field(text, (), "last_recap", today, after=("updated", "stage", "close_date"))
    except EditError as exc:
        raise MapsiteError(
            f"{display}: could not record the recap date: {exc}", hint="add last_recap: by hand"
        ) from None
    if edited != text:
        write_atomic(deal.source, edited)
