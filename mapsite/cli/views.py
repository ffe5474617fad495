"""``mapsite views LOG...``: who opened which deal, from the host's own access logs.

Needs ``analytics: access_log`` in mapsite.yml when the portals were built (docs/views.md).
Stages are imported inside the command (see cli/main.py).
"""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mapsite.cli.app import main, read_site, site_option

if TYPE_CHECKING:
    import datetime as dt


@main.command(name="views")
@site_option
@click.argument(
    "logs",
    nargs=-1,
    required=True,
    metavar="LOG...",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts (docs/views.md).")
def views_command(site_dir: Path, logs: tuple[Path, ...], as_json: bool) -> None:
    """Who opened each deal: first and last open, visits and pages, per password or share link.

    LOG is an access log of the host: nginx/Apache combined, S3 server access logs or CloudFront
    standard logs, plain or gzipped; give as many as you have. Needs analytics: access_log in
    mapsite.yml when the portals were built. GitHub Pages keeps no logs.
    """
    from mapsite.cli.console import print_findings
    from mapsite.clock import resolve_today
    from mapsite.engagement.logs import read_logs
    from mapsite.engagement.report import as_json as report_json
    from mapsite.engagement.report import engagement
    from mapsite.errors import MapsiteError
    from mapsite.pipeline.load import load_deals
    from mapsite.protect.secrets import load_shares, site_secret
    from mapsite.protect.views import views_key
    from mapsite.read.activity import record_activity

    site = read_site(site_dir)
    loaded = load_deals(site, resolve_today(None, site.today))
    if errors := [f for f in loaded.findings if f.is_error]:
        raise MapsiteError("some deals have errors; run mapsite check", errors)
    secret, _ = site_secret(site.dir, create=False)
    hits, findings = read_logs(list(logs))
    print_findings(findings)
    if any(f.is_error for f in findings):
        raise SystemExit(1)
    report, unmatched = engagement(views_key(secret), loaded.deals, load_shares(site.dir), hits)
    record_activity(site.dir, {deal.slug: deal.last_by_buyer for deal in report if deal.last_by_buyer})
    if as_json:
        click.echo(json.dumps(report_json(report, unmatched), indent=2, ensure_ascii=False))
        return
    if not hits and site.analytics is None:
        _say(
            "No view files in these logs. Turn on analytics: access_log in mapsite.yml, build and "
            "deploy: the portals then request them."
        )
    for deal in report:
        _say(f"{deal.slug}: {deal.title}")
        for reader in deal.readers:
            kind = "password" if reader.way.kind == "password" else "share link"
            if not reader.opens:
                _say(f"{reader.way.label} ({kind}): not opened in these logs", 2)
                continue
            visits = f"{reader.visits} visit{'s' if reader.visits != 1 else ''}"
            _say(f"{reader.way.label} ({kind}): {visits}", 2)
            _say(f"{_when(min(reader.opens))} to {_when(max(reader.opens))} UTC", 4)
            _say(f"opened: {', '.join(reader.pages[p] for p in sorted(reader.pages))}", 4)
    if unmatched:
        _say(
            f"{unmatched} view{'s' if unmatched != 1 else ''} matched no deal, password or link of "
            "this site (a removed deal or access entry, or another site's log)."
        )


def _say(text: str, indent: int = 0) -> None:
    """One line, wrapped to the terminal (COLUMNS) with its indent kept."""
    width = shutil.get_terminal_size().columns
    click.echo(textwrap.fill(text, width, initial_indent=" " * indent, subsequent_indent=" " * (indent + 2)))


def _when(moment: dt.datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"
