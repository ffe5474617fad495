"""The terminal table of ``mapsite status``: the pipeline at a glance, worst news in colour.

It must read in an 80-column terminal, where twelve columns do not fit: rich would then cut
every column, headers included, to an ellipsis. So the columns have a priority, and the table
drops the least useful ones (amount, owner, slips, days to close, last update, high risks, next
milestone, stage, last buyer activity, buyer) until what is left fits, letting the columns of free text wrap
instead of being cut. What always stays: the deal, its close date with the year, progress,
overdue items, the projected close and the plan status (on track, at risk, stalled).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich import box
from rich.cells import cell_len
from rich.console import Console, JustifyMethod
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from mapsite.schedule.status import DealStatus


@dataclass(frozen=True)
class Column:
    header: str
    cell: Callable[[DealStatus], Text]
    justify: JustifyMethod = "left"
    wrap: int = 0  # free text may wrap, down to this width; other columns keep one line
    whole: bool = False  # wraps at exactly ``wrap`` or not at all (a list: one item a line)
    drop: int = 0  # 0: always shown; otherwise the higher, the earlier it goes when space is short


def year_date(day: dt.date) -> str:
    from mapsite.render.formatting import short_date

    return f"{short_date(day)} {day.year}"


def projected_text(row: DealStatus) -> Text:
    from mapsite.render.formatting import short_date

    if row.on_track:
        return Text(f"{short_date(row.projected_close)} on track", style="green")
    days = row.business_days_late
    if not days:
        return Text(f"{short_date(row.projected_close)} at risk", style="bold red")
    return Text(f"{short_date(row.projected_close)} +{days} bd", style="bold red")


PLAN_STYLES = {"on_track": "green", "at_risk": "bold red", "stalled": "bold yellow"}


def plan_text(row: DealStatus) -> Text:
    if row.plan_status is None:
        return Text("—", style="dim")
    return Text(row.plan_status.replace("_", " "), style=PLAN_STYLES.get(row.plan_status, ""))


def overdue_text(row: DealStatus) -> Text:
    parts = [f"{side} {count}" for side, count in row.overdue.items() if count]
    return Text(", ".join(parts) or "none", style="red" if parts else "dim")


def next_text(row: DealStatus) -> Text:
    from mapsite.render.formatting import short_date

    upcoming = row.next_milestone
    # Text, not str: a "[" in a name is the rep's text, not rich markup.
    return Text(f"{upcoming.name} ({short_date(upcoming.due)})" if upcoming else "—")


def activity_text(row: DealStatus) -> Text:
    from mapsite.render.formatting import activity_label

    found = row.last_buyer_activity
    return Text(activity_label(found, row.days_since_buyer_activity), style="" if found else "dim")


def amount_text(row: DealStatus) -> Text:
    if row.amount is None:
        return Text("—", style="dim")
    return Text(f"{row.amount:,} {row.currency}")


ACTIVITY = Column("Last buyer activity", activity_text, wrap=len("3 days ago"), drop=2)
OWNER = Column("Owner", lambda row: Text(row.owner or "—", style="" if row.owner else "dim"), wrap=10, drop=9)
AMOUNT = Column("Amount", amount_text, "right", drop=10)
SLIPS = Column(
    "Slips", lambda row: Text(str(row.slip_count), style="yellow" if row.slip_count else ""), "right", drop=8
)
# Columns a site may have no data for: without any, the table has no column of dashes.
OPTIONAL: dict[str, Callable[[DealStatus], object]] = {
    ACTIVITY.header: lambda row: row.last_buyer_activity,
    OWNER.header: lambda row: row.owner,
    AMOUNT.header: lambda row: row.amount is not None,
}
COLUMNS = (
    Column("Deal", lambda row: Text(row.slug)),
    Column("Buyer", lambda row: Text(row.buyer), wrap=10, drop=1),
    Column("Stage", lambda row: Text(row.stage), drop=3),
    Column("Close", lambda row: Text(year_date(row.close_date))),
    Column("Days", lambda row: Text(str(row.days_to_close)), "right", drop=7),
    Column(
        "Done",
        lambda row: Text(f"{row.percent_done}% ({row.milestones_done}/{row.milestones_total})"),
        "right",
    ),
    Column("Overdue", overdue_text, wrap=len("partner 9"), whole=True),
    Column("Next milestone", next_text, wrap=20, drop=4),
    Column("Projected", projected_text),
    Column("Plan", plan_text),
    Column(
        "Updated",
        lambda row: Text(f"{row.days_since_update} d ago" if row.days_since_update is not None else "—"),
        "right",
        drop=6,
    ),
    ACTIVITY,
    Column(
        "High risks",
        lambda row: Text(str(row.open_high_risks), style="red" if row.open_high_risks else ""),
        "right",
        drop=5,
    ),
    SLIPS,
    OWNER,
    AMOUNT,
)


def status_table(rows: list[DealStatus], today: dt.date, width: int | None = None) -> Table:
    """The table for ``rows``; with a ``width``, only the columns that fit in it."""
    # A site that keeps no record of buyer activity (no views read, no updates applied), no
    # account executives or no amounts gets no column of dashes.
    columns = [c for c in COLUMNS if c.header not in OPTIONAL or any(map(OPTIONAL[c.header], rows))]
    if width is None:
        return _table(rows, today, columns, {})
    least = {c.header: _width(rows, c, wrapped=True) for c in columns if c.wrap}
    for dropped in sorted((c for c in columns if c.drop), key=lambda c: -c.drop):
        if needed_width(_table(rows, today, columns, least)) <= width:
            break
        columns.remove(dropped)
    # The room left goes to the wrapping columns, in order, up to their widest cell.
    spare = width - needed_width(_table(rows, today, columns, least))
    widths = {}
    for column in columns:
        if column.wrap:
            wanted = _width(rows, column, wrapped=False) - least[column.header]
            grow = max(0, min(spare, wanted))
            if column.whole and grow < wanted:
                grow = 0
            widths[column.header] = least[column.header] + grow
            spare -= grow
    return _table(rows, today, columns, widths)


def needed_width(table: Table) -> int:
    """The width ``table`` takes when nothing is cut, for the tables that fit themselves to the
    terminal (this one and ``mapsite plan``'s): measured on a console wider than any table (on a
    console of the terminal's width, every table would measure as fitting)."""
    unbounded = Console(width=100_000)
    return Measurement.get(unbounded, unbounded.options, table).maximum


def _width(rows: list[DealStatus], column: Column, wrapped: bool) -> int:
    texts = [column.header, *(column.cell(row).plain for row in rows)]
    widest = max(cell_len(text) for text in texts)
    if not wrapped:
        return widest
    return min(widest, max(column.wrap, *(cell_len(word) for text in texts for word in text.split())))


def _table(rows: list[DealStatus], today: dt.date, columns: list[Column], widths: dict[str, int]) -> Table:
    table = Table(
        box=box.SIMPLE_HEAD,
        title=f"Pipeline as of {today.isoformat()}",
        title_justify="left",
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),  # with the box's blank divider: two spaces between columns
    )
    for column in columns:
        # A header is never cut: its longest word is the narrowest the column gets.
        narrowest = max(column.wrap, *(cell_len(word) for word in column.header.split()))
        table.add_column(
            column.header,
            justify=column.justify,
            no_wrap=not column.wrap,
            min_width=narrowest,
            width=widths.get(column.header),
        )
    for row in rows:
        table.add_row(*(column.cell(row) for column in columns))
    if not rows:
        table.caption = "No deals match."
    return table
