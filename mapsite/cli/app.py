"""What every ``mapsite`` command shares: the group, its options, and how problems are printed.

Errors a rep can fix are printed as ``file:line: error: message (hint: ...)`` and exit 1;
anything unexpected is reported in one line (set MAPSITE_DEBUG=1 for the traceback), never as
a wall of Python. That happens once, in the group, for every command.

Every run of ``mapsite`` imports this module before it parses anything, so it imports only
click: the commands come from the table in ``commands`` and are imported one at a time when
used, and the printing (rich) from ``console`` when there is something to print.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from mapsite import __version__
from mapsite.cli.commands import COMMANDS
from mapsite.layout import SITE_FILE

if TYPE_CHECKING:
    from pathlib import Path

    from mapsite.read.site import Site


class MapsiteGroup(click.Group):
    """Lists the commands of ``COMMANDS`` without importing them, imports a command's module when
    it is asked for, and turns MapsiteError and unexpected exceptions into a message and exit
    code 1, for every command at once; click's own usage errors keep click's wording."""

    def list_commands(self, ctx: click.Context) -> list[str]:  # noqa: ARG002 (click passes it)
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:  # noqa: ARG002
        entry = COMMANDS.get(cmd_name)
        if cmd_name not in self.commands and entry is not None:
            # Importing the module registers its commands on the group. __import__ rather than
            # importlib.import_module, which `python -X importtime` does not report.
            __import__(f"mapsite.cli.{entry.module}")
        return self.commands.get(cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in COMMANDS:  # a typo: load them all so click's "Did you mean" sees all
            for name in COMMANDS:
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's list of commands, each shortened from its summary in ``COMMANDS``."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names))
        rows = [(name, self._summary(name, limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def _summary(self, name: str, limit: int) -> str:
        entry = COMMANDS.get(name)
        if entry is None:  # registered on the group by code outside the table (tests, plugins)
            return self.commands[name].get_short_help_str(limit)
        return click.Command(name, help=entry.summary).get_short_help_str(limit)

    def invoke(self, ctx: click.Context) -> Any:
        from mapsite.errors import MapsiteError  # (dataclasses) only once a command runs

        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except MapsiteError as exc:
            from mapsite.cli.console import report_error

            report_error(exc)
            sys.exit(1)
        except KeyboardInterrupt:
            from mapsite.cli.console import stderr

            stderr.print("interrupted")
            sys.exit(130)
        except Exception as exc:
            if os.environ.get("MAPSITE_DEBUG"):
                raise
            from mapsite.cli.console import report_crash

            report_crash(exc)
            sys.exit(1)


def find_site(start: Path) -> Path:
    """The folder holding mapsite.yml: ``start`` or the nearest one above it, as git finds its
    repository, so that a rep in ``content/deals/`` needs no ``--site``. It is returned relative
    to ``start`` (``.``, ``../..``), so that the paths commands print stay short."""
    from pathlib import Path

    from mapsite.errors import MapsiteError

    here = start.resolve()
    for depth, folder in enumerate([here, *here.parents]):
        if (folder / SITE_FILE).is_file():
            return Path(*[".."] * depth)
    raise MapsiteError(
        f"no {SITE_FILE} in {here} or any folder above it",
        hint="run mapsite inside your site's folder, pass --site DIR, or make one with: mapsite init DIR",
    )


def _site_dir(_ctx: click.Context, _param: click.Parameter, value: Path | None) -> Path:
    from pathlib import Path  # in the functions: pathlib (re, urllib) is not needed for --help

    return value if value is not None else find_site(Path.cwd())


def site_option(command: Callable[..., Any]) -> Callable[..., Any]:
    from pathlib import Path

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
    from mapsite.errors import MapsiteError
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
