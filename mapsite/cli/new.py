"""``mapsite init``, ``new`` and ``import``: a new site, a new deal from a blueprint, a deal from a
spreadsheet. Each tells the rep the portal's (opaque) address and where its password is.

Stages are imported inside the command (see cli/main.py).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import click
from rich.text import Text

from mapsite.cli.app import as_date, main, read_site, site_option
from mapsite.cli.console import stderr, stdout
from mapsite.clock import resolve_today
from mapsite.names import password_env_name

# render.blueprints' names, written here so that `mapsite new --help` does not import the render
# stage; tests/cli/test_command_table.py checks that they are equal.
BLUEPRINTS = ("enterprise", "smb", "partner")


@main.command(name="init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def init_command(folder: Path) -> None:
    """Create a new site in FOLDER with a sample deal."""
    from mapsite.protect.secrets import passwords_path
    from mapsite.scaffold.site import init_site

    written, slug = init_site(folder, resolve_today())
    for path in written:
        stdout.print(f"created {path}")
    stdout.print(f"The sample deal's password is in {passwords_path(folder)} (never commit that folder).")
    stdout.print(f"Its portal is published at {slug}/ (random, so that URLs never name a buyer).")
    stdout.print(f"Next: cd {folder} && mapsite build")


@main.command(name="new")
@click.argument("buyer")
@click.option(
    "--blueprint",
    type=click.Choice(BLUEPRINTS),
    default="enterprise",
    show_default=True,
    help="The plan to start from.",
)
@click.option(
    "--close",
    "close",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    required=True,
    help="Target signature date (YYYY-MM-DD).",
)
@click.option(
    "--slug",
    help="URL folder of the portal, and the file's name (default: a random folder; the file is "
    "named after the buyer).",
)
@site_option
def new_command(buyer: str, blueprint: str, close: dt.datetime, slug: str | None, site_dir: Path) -> None:
    """Start a deal for BUYER from a blueprint planned backwards from --close."""
    from mapsite.scaffold.site import new_deal

    site = read_site(site_dir)
    today = resolve_today()
    created = new_deal(site, buyer, blueprint, close.date(), today, slug)
    path = created.path
    stdout.print(f"created {path}")
    say_address(site.base_url, created.slug, path.stem, chosen=slug is not None, buyer=buyer)
    if close.date() < today:
        stderr.print(Text("warning: the close date is in the past", style="yellow"))
    say_password(site_dir, created.password_env, created.password_created)
    stdout.print("Next: fill in the names marked (name), then run: mapsite check")


@main.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--slug", help="URL folder of the new deal (default: from --buyer, else the file name).")
@click.option("--buyer", help="The buying company's name (default: from the slug).")
@click.option(
    "--close",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Target signature date (default: the due date of the plan's close or signature step).",
)
@site_option
def import_command(
    file: Path, slug: str | None, buyer: str | None, close: dt.datetime | None, site_dir: Path
) -> None:
    """Turn a spreadsheet MAP (.csv or .xlsx) into a new deal file that passes check."""
    from mapsite.exchange.importer import import_plan
    from mapsite.protect.secrets import ensure_local_password

    site = read_site(site_dir)
    result = import_plan(
        site,
        file,
        resolve_today(),
        report=lambda line: stderr.print(Text(line, style="yellow")),
        slug=slug,
        buyer=buyer,
        close=as_date(close),
    )
    plan, table = result.plan, result.table
    skipped = plan.data_rows - len(plan.milestones)

    def say(line: str) -> None:
        stdout.print(line, markup=False)  # names from cells may hold [brackets]

    say(
        f"Read {plan.data_rows} rows of {table.name} ({table.described}): {len(plan.milestones)} "
        f"milestone{'s' * (len(plan.milestones) != 1)}, {skipped} row{'s' * (skipped != 1)} skipped."
    )
    say(f"created {result.path} with {len(plan.people)} stakeholders")
    # A buyer named after the slug is a guess for the rep to replace: no warning against it.
    say_address(site.base_url, result.slug, result.path.stem, slug is not None, buyer or "")
    say(f"Close date {result.close_date:%Y-%m-%d}: {result.close_reason}.")
    if plan.year_summary:
        say(plan.year_summary)
    if not buyer:
        source = "slug" if slug else "file name"
        say(f"The buyer is called '{result.buyer}' after the {source}: edit buyer: and title: in the deal.")
    variable = password_env_name(result.path.stem)  # as the deal file names it
    say_password(site_dir, variable, ensure_local_password(site_dir, variable))
    say("Next: replace the [bracketed] placeholders, starting with value_summary, then run: mapsite check")


def say_password(site_dir: Path, variable: str, created: bool) -> None:
    """Where the new deal's password is; never the password itself (terminals are logged)."""
    from mapsite.protect.secrets import passwords_path

    passwords = passwords_path(site_dir)
    if created:
        stdout.print(
            f"Its password is new and random, in {passwords} as {variable} (never commit that "
            "folder): give it to the buyer, and set the same variable where CI builds.",
            markup=False,
        )
    else:
        stdout.print(f"Its password is the one {passwords} already sets for {variable}.", markup=False)
    if os.environ.get(variable):
        stderr.print(
            Text(
                f"warning: {variable} is set in this shell, and builds here use that value instead",
                style="yellow",
            )
        )


def say_address(base_url: str, slug: str, name: str, chosen: bool, buyer: str) -> None:
    """Where a new deal's portal is published, and how to name the deal in other commands."""
    from mapsite.schedule.lint import names_buyer

    if chosen:
        stdout.print(f"Its portal is published at {base_url}{slug}/ (the slug you chose).", markup=False)
        if word := names_buyer(slug, buyer):
            stderr.print(
                Text(
                    f"warning: the address shows '{word}' of the buyer's name; drop --slug for a random one",
                    style="yellow",
                )
            )
        return
    stdout.print(
        f"Its portal is published at {base_url}{slug}/: a random folder, so that the URL names no buyer. "
        f"Name the deal {name} in other commands (mapsite share {name} ...).",
        markup=False,
    )
