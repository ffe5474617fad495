"""``mapsite pdf`` and ``mapsite export``: one deal out of mapsite, printed or as data.

A PDF goes to ``pdf/`` in the site folder unless the rep names a file or folder: never into
``output/``, which a build replaces and a deploy publishes (a readable plan on the public host),
and never loose in whatever folder the command ran in.

Stages are imported inside the command (see cli/main.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from mapsite.cli.app import as_date, main, read_site, site_option, today_option
from mapsite.cli.console import print_findings, stderr, stdout
from mapsite.cli.lookup import deal_key, one_deal
from mapsite.clock import resolve_today
from mapsite.errors import MapsiteError


@main.command(name="pdf")
@click.argument("slug", metavar="DEAL")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="The PDF to write, or a folder to write DEAL.pdf in (default: pdf/DEAL.pdf in the site folder).",
)
@today_option
@site_option
def pdf_command(slug: str, out: Path | None, today: dt.datetime | None, site_dir: Path) -> None:
    """Print a deal's plan to PDF with headless Chromium, as the portal prints.

    The PDF is the plan unprotected: it goes to pdf/ in the site folder, never into output/,
    which deploy publishes.
    """
    from mapsite.exchange.pdf import PDF_DIR, write_pdf

    site = read_site(site_dir)
    day = resolve_today(as_date(today), site.today)
    deal = one_deal(site, slug, day)
    name = f"{deal_key(slug)}.pdf"
    target = out or site_dir / PDF_DIR / name
    if target.is_dir():
        target = target / name
    result = write_pdf(site_dir, deal.slug, target, day)
    print_findings(result.findings, stderr)
    stdout.print(f"Wrote {target}: the plan of {deal.title}, as of {day:%Y-%m-%d}.", markup=False)


@main.command(name="export")
@click.argument("slug", metavar="DEAL")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("csv", "xlsx", "json", "ics", "md")),
    required=True,
    help="csv or xlsx for spreadsheets, json for scripts and CRMs, ics for calendars, md for documents.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (default: the terminal; xlsx needs a file).",
)
@site_option
def export_command(slug: str, fmt: str, out: Path | None, site_dir: Path) -> None:
    """Write the plan of DEAL with resolved dates; passwords are never exported."""
    from mapsite.exchange.write import export_text

    if fmt == "xlsx" and out is None:
        raise click.UsageError(f"a workbook cannot be shown in the terminal: add --out {deal_key(slug)}.xlsx")
    deal = one_deal(read_site(site_dir), slug, resolve_today())
    if fmt == "xlsx":
        from mapsite.exchange.write_xlsx import plan_xlsx

        data = plan_xlsx(deal)
    elif fmt == "ics":
        from mapsite.render.calendars import plan_calendar

        data = plan_calendar(deal)
    else:
        # A byte-order mark lets Excel open a saved CSV as UTF-8; a pipe gets plain UTF-8.
        data = export_text(deal, fmt).encode("utf-8-sig" if out and fmt == "csv" else "utf-8")
    if out is None:
        click.echo(data, nl=False)
        return
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise MapsiteError(f"cannot write {out}: {exc.strerror or exc}") from None
    stdout.print(f"Wrote the plan of {slug} ({len(deal.milestones)} milestones) to {out}.", markup=False)
