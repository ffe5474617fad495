"""``mapsite serve``: the live preview.

Stages are imported inside the command (see cli/main.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from mapsite.cli.app import as_date, main, site_option, today_option
from mapsite.cli.console import print_findings, stdout


@main.command(name="serve")
@site_option
@today_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; any but loopback lets others on the network reach the preview.",
)
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="0 picks a free port."
)
@click.option(
    "--protect", is_flag=True, help="Serve the protected build, with the login page, to test access."
)
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in your browser.")
def serve_command(
    site_dir: Path, today: dt.datetime | None, host: str, port: int, protect: bool, open_browser: bool
) -> None:
    """Preview the site while you edit: rebuilds on save and reloads the browser."""
    from mapsite.preview.session import serve

    serve(
        site_dir,
        host,
        port,
        protect,
        open_browser,
        as_date(today),
        report=lambda line: stdout.print(line, markup=False),
        report_findings=print_findings,
    )
