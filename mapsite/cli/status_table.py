"""The terminal table of ``mapsite status``: the pipeline at a glance, worst news in colour."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from rich import box
from rich.console import JustifyMethod
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from mapsite.schedule.status import DealStatus

COLUMNS: tuple[tuple[str, JustifyMethod], ...] = (
    ("Deal", "left"),
    ("Buyer", "left"),
    ("Stage", "left"),
    ("Close", "left"),
    ("Days", "right"),
    ("Done", "right"),
    ("Overdue", "left"),
    ("Next milestone", "left"),
    ("Projected", "left"),
    ("Updated", "right"),
    ("High risks", "right"),
)


def projected_text(row: DealStatus) -> Text:
    from mapsite.render.formatting import short_date

    if row.on_track:
        return Text(f"{short_date(row.projected_close)} on track", style="green")
    days = row.business_days_late
    return Text(f"{short_date(row.projected_close)} +{days} bd", style="bold red")


def overdue_text(row: DealStatus) -> Text:
    parts = [f"{side} {count}" for side, count in row.overdue.items() if count]
    return Text(", ".join(parts) or "none", style="red" if parts else "dim")


def status_table(rows: list[DealStatus], today: dt.date) -> Table:
    from mapsite.render.formatting import short_date

    table = Table(box=box.SIMPLE_HEAD, title=f"Pipeline as of {today.isoformat()}", title_justify="left")
    for header, justify in COLUMNS:
        table.add_column(header, justify=justify, no_wrap=True)
    for row in rows:
        upcoming = row.next_milestone
        table.add_row(
            row.slug,
            row.buyer,
            row.stage,
            short_date(row.close_date),
            str(row.days_to_close),
            f"{row.percent_done}% ({row.milestones_done}/{row.milestones_total})",
            overdue_text(row),
            f"{upcoming.name} ({short_date(upcoming.due)})" if upcoming else "—",
            projected_text(row),
            f"{row.days_since_update} d ago" if row.days_since_update is not None else "—",
            Text(str(row.open_high_risks), style="red" if row.open_high_risks else ""),
        )
    if not rows:
        table.caption = "No deals match."
    return table
