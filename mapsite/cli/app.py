"""What every ``mapsite`` command shares: the group, its options, and how problems are printed.

Errors a rep can fix are printed as ``file:line: error: message (hint: ...)`` and exit 1;
anything unexpected is reported in one line (set MAPSITE_DEBUG=1 for the traceback), never as
a wall of Python. That happens once, in the group, for every command.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.text import Text

from mapsite import __version__
from mapsite.errors import Finding, MapsiteError
from mapsite.layout import SITE_FILE

if TYPE_CHECKING:
    from mapsite.read.site import Site

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def print_findings(findings: Iterable[Finding], console: Console = stdout) -> None:
    for finding in findings:
        style = "bold red" if finding.is_error else "yellow"
        line = Text(f"{finding.where}: ")
        line.append(finding.severity, style=style)
        line.append(f": {finding.message}")
        if finding.hint:
            line.append(f" (hint: {finding.hint})", style="dim")
        console.print(line)


def count_summary(findings: Iterable[Finding]) -> str:
    findings = list(findings)
    errors = sum(f.is_error for f in findings)
    warnings = len(findings) - errors
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def report_error(exc: MapsiteError) -> None:
    print_findings(exc.findings, stderr)
    message = Text("error: ", style="bold red")
    message.append(exc.message)
    if exc.hint:
        message.append(f" (hint: {exc.hint})", style="dim")
    stderr.print(message)


class MapsiteGroup(click.Group):
    """Turns MapsiteError and unexpected exceptions into a message and exit code 1, for every
    command at once; click's own usage errors keep click's wording."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except MapsiteError as exc:
            report_error(exc)
            sys.exit(1)
        except KeyboardInterrupt:
            stderr.print("interrupted")
            sys.exit(130)
        except Exception as exc:
            if os.environ.get("MAPSITE_DEBUG"):
                raise
            stderr.print(
                Text(f"internal error: {type(exc).__name__}: {exc}", style="bold red"),
                Text("(this is a bug in mapsite; run again with MAPSITE_DEBUG=1 for details)"),
                sep="\n",
            )
            sys.exit(1)


def find_site(start: Path) -> Path:
    """The folder holding mapsite.yml: ``start`` or the nearest one above it, as git finds its
    repository, so that a rep in ``content/deals/`` needs no ``--site``. It is returned relative
    to ``start`` (``.``, ``../..``), so that the paths commands print stay short."""
    here = start.resolve()
    for depth, folder in enumerate([here, *here.parents]):
        if (folder / SITE_FILE).is_file():
            return Path(*[".."] * depth)
    raise MapsiteError(
        f"no {SITE_FILE} in {here} or any folder above it",
        hint="run mapsite inside your site's folder, pass --site DIR, or make one with: mapsite init DIR",
    )


def _site_dir(_ctx: click.Context, _param: click.Parameter, value: Path | None) -> Path:
    return value if value is not None else find_site(Path.cwd())


def site_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--site",
        "site_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        callback=_site_dir,
        help="The site's folder, where mapsite.yml is (default: the nearest one, here or above).",
    )(command)


def read_site(site_dir: Path) -> Site:
    """The site's settings, or one error listing what is wrong in mapsite.yml: the first step of
    every command that reads deals, written once here."""
    from mapsite.read.site import load_site

    site, findings = load_site(site_dir)
    errors = [f for f in findings if f.is_error]
    if errors:
        raise MapsiteError(f"fix {SITE_FILE} first", errors)
    return site


def today_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--today",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help=(
            "As of this day (YYYY-MM-DD); default: today: in mapsite.yml, "
            "else SOURCE_DATE_EPOCH, else the system date."
        ),
    )(command)


def as_date(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


@click.group(cls=MapsiteGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mapsite")
def main() -> None:
    """Turn Mutual Action Plans written in Markdown into branded deal portals."""
