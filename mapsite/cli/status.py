"""``mapsite status``: one row per deal, as a table or as the stable JSON of docs/status.md.

Stages are imported inside the command (see cli/main.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from pathlib import Path

import click
from rich.console import Console

from mapsite.cli.app import as_date, main, read_site, site_option, today_option
from mapsite.cli.console import stdout
from mapsite.cli.status_table import status_table
from mapsite.clock import resolve_today
from mapsite.errors import MapsiteError

# The choices, written here so that `mapsite status --help` does not import the deal model and
# the schedule; tests/cli/test_command_table.py checks that they equal model.deal.STAGES and
# schedule.status.SORTS.
STAGES = ("active", "won", "lost", "paused")
SORTS = ("close", "risk", "updated")
FORMATS = ("table", "salesforce-csv", "hubspot-csv")


@main.command(name="status")
@site_option
@today_option
@click.option("--json", "as_json", is_flag=True, help="Print the stable JSON format (docs/status.md).")
@click.option(
    "--stage",
    type=click.Choice(STAGES),
    help="Only deals in this stage, as the deal file's stage: field names it.",
)
@click.option(
    "--sort", type=click.Choice(SORTS), default="close", show_default=True, help="Order of the rows."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="A CRM import file on stdout, one row per deal with a crm: id (docs/status.md).",
)
def status_command(
    site_dir: Path, today: dt.datetime | None, as_json: bool, stage: str | None, sort: str, fmt: str
) -> None:
    """One row per deal: progress, overdue items per side, projected close against target.

    Last buyer activity is the latest open (from mapsite views) or update (from mapsite inbox
    --apply) by the buyer's or partner's side, as recorded on this machine in .mapsite/.
    """
    from mapsite.cli.console import print_findings, stderr
    from mapsite.pipeline.load import load_deals
    from mapsite.pipeline.slips import deal_slips, slip_source
    from mapsite.read.activity import last_buyer_activity
    from mapsite.schedule.status import status_json, status_rows, with_slips

    site = read_site(site_dir)
    day = resolve_today(as_date(today), site.today)
    loaded = load_deals(site, day)
    errors = [f for f in loaded.findings if f.is_error]
    if errors:
        raise MapsiteError("some deals have errors; run mapsite check", errors)
    activity, warnings = last_buyer_activity(site.dir)
    print_findings(warnings, stderr)
    rows = status_rows(loaded.deals, day, stage, sort, activity)
    shown = {row.slug for row in rows}
    history = slip_source(site)
    rows = with_slips(rows, {d.slug: deal_slips(history, d).count for d in loaded.deals if d.slug in shown})
    if as_json:
        click.echo(json.dumps(status_json(rows, day), indent=2, ensure_ascii=False))
        return
    if fmt != "table":
        from mapsite.exchange.crm_csv import crm_csv
        from mapsite.protect.secrets import load_shares

        counts = Counter(share.deal for share in load_shares(site.dir))
        text, skipped = crm_csv(fmt, rows, {d.slug: d for d in loaded.deals}, counts, site.base_url)
        click.echo(text, nl=False)
        if skipped:
            stderr.print(f"left out, no {fmt.split('-')[0]} id in crm: {', '.join(skipped)}", soft_wrap=True)
        return
    if stdout.is_terminal or os.environ.get("COLUMNS"):
        stdout.print(status_table(rows, day, stdout.width), soft_wrap=False)
        return
    # Piped without a width: nothing is dropped or cut, scripts and logs get one line per deal.
    Console(highlight=False, width=100_000).print(status_table(rows, day))
