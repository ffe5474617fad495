"""``mapsite archive``: a won or lost deal leaves the published site on purpose, in one command.

A finished deal's portal should not stay up for months with the buyer's plan in it, nor vanish
without a word for a buyer who kept the link. So archiving writes one field into the deal file
(``archived: closed``): the build then publishes, at the portal's address, a neutral page
saying the plan is closed, with nothing of the deal in it. ``--remove`` writes
``archived: removed``: nothing is published and the next deploy deletes the portal, naming it.
The deal file stays: its history, ``mapsite diff`` and ``export`` keep working, and deleting
the line publishes the portal again. Stages are imported inside the command (see cli/main.py).
"""

from __future__ import annotations

from pathlib import Path

import click

from mapsite.cli.app import main, read_site, site_option
from mapsite.cli.lookup import deal_name, one_deal
from mapsite.clock import resolve_today
from mapsite.errors import MapsiteError

ENDED = ("won", "lost")


@main.command(name="archive")
@click.argument("name", metavar="DEAL")
@click.option("--won", "outcome", flag_value="won", help="The deal was won: also sets stage: won.")
@click.option("--lost", "outcome", flag_value="lost", help="The deal was lost: also sets stage: lost.")
@click.option(
    "--remove",
    is_flag=True,
    help="Publish nothing for it (archived: removed): the next deploy deletes its portal.",
)
@site_option
def archive_command(name: str, outcome: str | None, remove: bool, site_dir: Path) -> None:
    """Take a won or lost deal off the published site.

    Writes archived: closed into the deal file: the next build replaces its portal with a page
    that says "This plan is closed" and shows nothing of the deal, not even the buyer's name.
    With --remove (archived: removed) nothing is published and the next deploy deletes the
    portal, naming it. The deal file stays; delete the archived: line to publish the portal
    again. A deal whose stage is not won or lost needs --won or --lost.

    Example: mapsite archive acme --won
    """
    from mapsite.edit.editor import EditError, set_field
    from mapsite.edit.update import Edit, save

    site = read_site(site_dir)
    deal = one_deal(site, name, resolve_today(None, site.today))
    stage = outcome or deal.stage
    if stage not in ENDED:
        raise MapsiteError(
            f"{deal_name(deal)} is not won or lost (stage: {deal.stage}); say how it ended",
            hint=f"mapsite archive {deal_name(deal)} --won  (or --lost)",
        )
    archived = "removed" if remove else "closed"
    if deal.archived == archived and deal.stage == stage:
        click.echo(f"{deal_name(deal)} is already archived (archived: {archived}); nothing changed.")
        return
    text = deal.source.read_bytes().decode("utf-8")
    try:
        edited = set_field(text, (), "stage", stage, after=("close_date",)) if stage != deal.stage else text
        edited = set_field(edited, (), "archived", archived, after=("stage", "close_date"))
    except EditError as exc:
        raise MapsiteError(f"cannot archive {deal_name(deal)}: {exc}") from None
    saved = save(site, deal, Edit(edited, f"archived: {archived}"), text)
    click.echo(f"Archived {deal_name(deal)} (stage: {stage}, archived: {archived}).")
    click.echo(saved.wrote)
    if remove:
        click.echo(
            f"The next build publishes nothing for it; mapsite deploy then deletes its portal "
            f"{deal.slug}/ from the site and names what it deleted."
        )
    else:
        click.echo(
            f'The next build replaces its portal {deal.slug}/ with a "This plan is closed" page '
            "that shows nothing of the deal; mapsite deploy publishes it."
        )
    click.echo("To publish the portal again, delete the archived: line.")
