"""``mapsite plan``: a deal's schedule from today, with what-ifs (``--slip 'legal +5bd'``).

Stages are imported inside the command (see cli/main.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich import box
from rich.table import Table
from rich.text import Text

from mapsite.cli.app import as_date, main, read_site, site_option, today_option
from mapsite.cli.console import stdout
from mapsite.cli.lookup import one_deal
from mapsite.cli.status_table import needed_width
from mapsite.clock import resolve_today
from mapsite.errors import MapsiteError
from mapsite.names import slugify

if TYPE_CHECKING:
    from mapsite.model.deal import Deal
    from mapsite.read.site import Site
    from mapsite.schedule.feasibility import Feasibility


@main.command(name="plan")
@click.argument("slug", metavar="DEAL")
@today_option
@click.option(
    "--what-if",
    "what_ifs",
    multiple=True,
    metavar='"ID +Nbd"',
    help='Add business days to a milestone, e.g. "security-review +5bd"; repeat for several.',
)
@site_option
def plan_command(slug: str, today: dt.datetime | None, what_ifs: tuple[str, ...], site_dir: Path) -> None:
    """Print a deal's schedule from today: earliest finishes, slack and the critical path."""
    from mapsite.render.formatting import long_date
    from mapsite.schedule.feasibility import feasibility

    site = read_site(site_dir)
    day = resolve_today(as_date(today), site.today)
    deal = one_deal(site, slug, day)
    slips = [slip(deal, text) for text in what_ifs]
    result = feasibility(deal, deal.calendar, day)
    # soft_wrap=False: sentences wrap at words to the terminal's width instead of running past it.
    stdout.print(schedule_table(deal, result, stdout.width), soft_wrap=False)
    stdout.print(LEGEND, soft_wrap=False)
    if result.assumption:
        stdout.print(f"The projection {result.assumption}.", soft_wrap=False)
    verdict = "on track: target" if result.on_track else result.target_phrase
    if not result.on_track and not result.days_late:
        verdict += "; target"
    stdout.print(
        f"Projected signature: {long_date(result.projected_close)} ({verdict} {long_date(deal.close_date)})",
        soft_wrap=False,
    )
    for concern in result.concerns:
        stdout.print(concern, soft_wrap=False)
    _print_slip_history(site, deal)
    for milestone_id, days in slips:
        slipped = feasibility(deal, deal.calendar, day, {milestone_id: days})
        stdout.print(f"If {milestone_id} {slip_words(days)}, {lands(slipped)}", soft_wrap=False)
    if len(slips) > 1:
        together: dict[str, int] = {}
        for milestone_id, days in slips:
            together[milestone_id] = together.get(milestone_id, 0) + days
        stdout.print(
            f"If all of these happen, {lands(feasibility(deal, deal.calendar, day, together))}",
            soft_wrap=False,
        )


def _print_slip_history(site: Site, deal: Deal) -> None:
    """What moved so far, from the deal file's git history (the seller's team's view)."""
    from mapsite.pipeline.slips import deal_slips, slip_source

    history = deal_slips(slip_source(site), deal)
    moved = [*([history.close] if history.close else []), *history.items.values()]
    if not moved:
        return
    stdout.print(f"Slip history ({history.count} moves in git):", soft_wrap=False)
    for item in moved:
        times = "once" if item.moves == 1 else f"{item.moves} times"
        stdout.print(
            f"  {item.name}: moved {times}, {item.first:%Y-%m-%d} -> {item.current:%Y-%m-%d} "
            f"({item.days:+d} business days)",
            soft_wrap=False,
            markup=False,
        )


def slip(deal: Deal, text: str) -> tuple[str, int]:
    """A --what-if as (open milestone id, business days); the milestone may be named by id or name."""
    from mapsite.model.dates import DurationSyntaxError, parse_slip
    from mapsite.read.fields import closest

    try:
        target, days = parse_slip(text)
    except DurationSyntaxError as exc:
        raise MapsiteError(f"--what-if '{text}': {exc}") from None
    milestone = deal.milestone(target) or next(
        (m for m in deal.milestones if m.name.casefold() == target.casefold()), None
    )
    if milestone is None:
        ids = [m.id for m in deal.milestones]
        close = closest(slugify(target), ids)
        raise MapsiteError(
            f"--what-if '{text}': deal '{deal.slug}' has no milestone '{target}'",
            hint=f"did you mean '{close}'?" if close else f"milestone ids: {', '.join(ids)}",
        )
    if milestone.is_closed:
        raise MapsiteError(f"--what-if '{text}': '{milestone.id}' is {milestone.status}, so it cannot slip")
    if milestone.duration + days < 1:
        raise MapsiteError(
            f"--what-if '{text}': '{milestone.id}' takes {milestone.duration} business day(s); "
            "it cannot take less than 1"
        )
    return milestone.id, days


LEGEND = (
    "Slack: business days from the earliest finish to the due date (negative: late). "
    "◆ on the critical path to signature."
)
# The columns of free text, the share of spare width each takes and the least it is cut to.
TEXT_COLUMNS = {"Phase": (1, 5), "Milestone": (2, 12), "Owners": (1, 8)}


def schedule_table(deal: Deal, result: Feasibility, width: int | None = None) -> Table:
    """One line per milestone: when the text does not fit ``width``, names end in "…"; the
    dates, slack and critical mark never shrink (two headers shorten instead)."""
    from mapsite.render.formatting import short_date

    people = {s.id: s.name for s in deal.stakeholders}
    rows = []
    for phase in deal.phases:
        members = [m for m in deal.milestones if m.phase == phase]
        for index, milestone in enumerate(members):
            row = result.milestones[milestone.id]
            if row.earliest_start is None:
                finish = Text(milestone.status, style="dim")
                slack = Text("")
            else:
                finish = Text(short_date(row.earliest_finish))
                slack = Text(f"{row.slack_due:+d}" if row.slack_due else "0", style="red" if row.late else "")
            # Text, not str: a "[" in a name is the rep's text, not rich markup.
            text = {
                "Phase": Text(phase if index == 0 else ""),
                "Milestone": Text(milestone.name),
                "Owners": Text(", ".join(people.get(o, o) for o in milestone.owners)),
            }
            dates = [Text(short_date(milestone.due)), finish, slack, Text("◆" if row.critical else "")]
            rows.append((text, dates, index == len(members) - 1))
    natural = {name: max([len(name), *(r[0][name].cell_len for r in rows)]) for name in TEXT_COLUMNS}
    table = _schedule_grid(deal, result, rows, natural, wide=True)
    if width is None or needed_width(table) <= width:
        return table
    least = {name: min(cut, natural[name]) for name, (_share, cut) in TEXT_COLUMNS.items()}
    spare = width - needed_width(_schedule_grid(deal, result, rows, least, wide=False))
    widths = dict(least)
    while spare > 0 and any(widths[name] < natural[name] for name in widths):
        for name, (share, _cut) in TEXT_COLUMNS.items():
            grow = min(share, spare, natural[name] - widths[name])
            if grow > 0:
                widths[name] += grow
                spare -= grow
    return _schedule_grid(deal, result, rows, widths, wide=False)


def _schedule_grid(
    deal: Deal,
    result: Feasibility,
    rows: list[tuple[dict[str, Text], list[Text], bool]],
    widths: dict[str, int],
    wide: bool,
) -> Table:
    from mapsite.render.formatting import long_date

    table = Table(
        title=Text(f"{deal.title}: schedule as of {long_date(result.today)}"),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for name in TEXT_COLUMNS:
        table.add_column(name, width=widths[name], no_wrap=True, overflow="ellipsis")
    table.add_column("Due", no_wrap=True)
    table.add_column("Earliest finish" if wide else "Earliest", no_wrap=True)
    table.add_column("Slack", justify="right", no_wrap=True)
    table.add_column("Critical" if wide else "◆", justify="center", no_wrap=True)
    for text, dates, last in rows:
        table.add_row(*text.values(), *dates, end_section=last)
    return table


def slip_words(days: int) -> str:
    amount = f"{abs(days)} business day{'s' * (abs(days) != 1)}"
    return f"slips {amount}" if days > 0 else f"takes {amount} less"


def lands(result: Feasibility) -> str:
    from mapsite.render.formatting import short_date

    return f"signature lands on {short_date(result.projected_close)} ({result.target_phrase})"
