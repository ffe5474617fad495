"""``mapsite recap``: the weekly recap of a deal's plan, one email per stakeholder with an email.

``--out`` writes the messages as .eml files to read first; ``--send`` delivers them over SMTP
(``email:`` in mapsite.yml, the password from MAPSITE_SMTP_PASSWORD) and records the day in the
deal file as ``last_recap:``. ``--dry-run`` says what would be written or sent and touches
nothing. Stages are imported inside the command (see cli/main.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mapsite.cli.app import as_date, main, read_site, site_option, today_option
from mapsite.clock import resolve_today
from mapsite.errors import MapsiteError

if TYPE_CHECKING:
    from email.message import EmailMessage

    from mapsite.model.deal import Deal
    from mapsite.read.site import Site


@main.command(name="recap")
@click.argument("deal_name", metavar="[DEAL]", required=False)
@click.option("--all", "every", is_flag=True, help="Every active deal (stage: active, not archived).")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="DATE",
    default=None,
    help="Report from this day (YYYY-MM-DD). Default: the deal's last_recap, else a week ago.",
)
@click.option(
    "--out",
    "out_dir",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write the messages as DIR/<deal>/<person>.eml to review; nothing is sent.",
)
@click.option("--send", is_flag=True, help="Send them over SMTP (email: in mapsite.yml).")
@click.option("--dry-run", is_flag=True, help="List the messages; write, send and record nothing.")
@today_option
@site_option
def recap_command(
    deal_name: str | None,
    every: bool,
    since: dt.datetime | None,
    out_dir: Path | None,
    send: bool,
    dry_run: bool,
    today: dt.datetime | None,
    site_dir: Path,
) -> None:
    """Email each stakeholder a recap of a deal's plan: done, moved, due next, overdue.

    One message per person with an email (buyer, seller and partner sides), in the seller's
    branding, plain text and HTML: what got done and what changed since the last recap, what
    is due next for them and for the others, what is overdue, the next meeting and the
    projected close. The link is the person's own share link when the deal has an active one
    whose label holds their full name, else the portal's address; never a password.

    --send uses email: in mapsite.yml (host, port, user, security: starttls, ssl or none, from,
    and ca_file: a PEM CA to trust besides the system's) and reads the password from
    MAPSITE_SMTP_PASSWORD only. After a send the day is written
    into the deal file as last_recap:, where the next recap starts.

    \b
    mapsite recap acme --out recaps/   write acme's messages to review them
    mapsite recap --all --send         send every active deal's recaps
    """
    from mapsite.cli.lookup import one_deal
    from mapsite.pipeline.load import load_deals

    if bool(deal_name) == every:
        raise click.UsageError("give a DEAL or --all")
    if (out_dir is None) == (not send):
        raise click.UsageError("give --out DIR to write .eml files, or --send to send them")
    site = read_site(site_dir)
    day = resolve_today(as_date(today), site.today)
    if deal_name:
        deals: list[Deal] = [one_deal(site, deal_name, day)]
    else:
        loaded = load_deals(site, day)
        deals = [d for d in loaded.deals if d.stage == "active" and d.archived is None]
    if send:
        _send(site, deals, as_date(since), day, dry_run)
    else:
        assert out_dir is not None
        _write(site, deals, as_date(since), day, out_dir, dry_run)


def _messages(
    site: Site, deal: Deal, since: dt.date | None, day: dt.date, sender: str | None
) -> list[tuple[str, EmailMessage]]:
    """The deal's messages with each recipient's id, after a line saying what the recap covers."""
    from mapsite.protect.secrets import load_shares
    from mapsite.recap import run
    from mapsite.recap.content import person_recap, recipients
    from mapsite.recap.message import build_message

    people = recipients(deal)
    if not people:
        click.echo(f"{deal.slug}: nobody in the deal has an email; no recap")
        return []
    begin = run.start(deal, since, day)
    click.echo(f"{deal.slug}: recap from {begin.day.isoformat()} ({begin.why}) to {day.isoformat()}")
    facts = run.facts(site, deal, begin.day, day)
    shares = load_shares(site.dir)
    now = dt.datetime.now(dt.UTC)
    return [
        (
            person.id,
            build_message(
                person_recap(facts, person, site.base_url, shares), sender, now, site.seller.accent
            ),
        )
        for person in people
    ]


def _write(site: Site, deals: list[Deal], since: dt.date | None, day: dt.date, out: Path, dry: bool) -> None:
    from mapsite.atomic import write_atomic
    from mapsite.recap.settings import sender_address

    count = 0
    for deal in deals:
        for person_id, message in _messages(site, deal, since, day, sender_address(site)):
            path = out / deal.slug / f"{person_id}.eml"
            click.echo(f"  {'would write' if dry else 'wrote'} {path} (to {message['To']})")
            if not dry:
                write_atomic(path, bytes(message))
            count += 1
    click.echo(f"{'Would write' if dry else 'Wrote'} {count} message{'s' * (count != 1)}.")


def _send(site: Site, deals: list[Deal], since: dt.date | None, day: dt.date, dry: bool) -> None:
    from mapsite.paths import site_display
    from mapsite.recap.run import record
    from mapsite.recap.settings import email_settings
    from mapsite.recap.smtp import deliver

    settings = email_settings(site)  # a wrong setting stops the run before any message is made
    batches = [(deal, _messages(site, deal, since, day, settings.sender)) for deal in deals]
    batches = [(deal, messages) for deal, messages in batches if messages]
    if dry:
        for _deal, messages in batches:
            for _person, message in messages:
                click.echo(f"  would send to {message['To']}")
        total = sum(len(messages) for _deal, messages in batches)
        click.echo(f"Would send {total} message{'s' * (total != 1)} through {settings.host}:{settings.port}.")
        return
    deliveries = deliver(settings, [message for _deal, messages in batches for _person, message in messages])
    sent = failed = 0
    results = iter(deliveries)
    for deal, messages in batches:
        ok = 0
        for _person, message in messages:
            result = next(results)
            if result.error:
                failed += 1
                click.echo(f"  {deal.slug}: not sent to {result.address}: {result.error}", err=True)
            else:
                ok += 1
                click.echo(f"  {deal.slug}: sent to {message['To']}")
        sent += ok
        if ok:
            record(site, deal, day)
            where = site_display(deal.source, site.dir)
            click.echo(f"  {deal.slug}: recorded last_recap: {day.isoformat()} in {where}")
    click.echo(f"Sent {sent} message{'s' * (sent != 1)}" + (f"; {failed} refused." if failed else "."))
    if failed:
        raise MapsiteError(f"{failed} recipient{'s' * (failed != 1)} did not get the recap (see above)")
