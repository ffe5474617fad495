"""``mapsite share``: make, show, list and revoke the links that open a deal without a password.

Stages are imported inside the command (see cli/main.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from mapsite.cli.app import main, site_option, stdout
from mapsite.cli.lookup import deal_slug
from mapsite.clock import resolve_today
from mapsite.errors import MapsiteError


@main.command(name="share")
@click.argument("slug", metavar="[DEAL]", required=False)
@click.option("--label", help='Who the link is for, e.g. "Dana (VP Marketing)".')
@click.option(
    "--expires",
    metavar="DATE|never",
    help="Last day the link works (default: protection.share_days after today, 90 unless set).",
)
@click.option("--revoke", metavar="LABEL", help="Revoke the share link with this label (of DEAL, if given).")
@click.option("--list", "list_shares", is_flag=True, help="List share links (never their secrets).")
@site_option
def share_command(
    slug: str | None,
    label: str | None,
    expires: str | None,
    revoke: str | None,
    list_shares: bool,
    site_dir: Path,
) -> None:
    """Make, list or revoke share links that open a deal without a password."""
    from mapsite.pipeline.readable import render_all
    from mapsite.protect.secrets import add_share, load_shares, revoke_share, share_link
    from mapsite.read.site import load_site

    today = resolve_today()
    if list_shares:
        for share in load_shares(site_dir):
            state = (
                "revoked " + share.revoked
                if share.revoked
                else ("active" if share.active(today) else "expired")
            )
            until = f", until {share.expires}" if share.expires else ""
            stdout.print(f"{share.deal}: {share.label} (created {share.created}{until}): {state}")
        return
    if revoke:
        # A deal deleted since keeps its links to revoke: its slug is taken as it is.
        if slug and not any(share.deal == slug for share in load_shares(site_dir)):
            slug = deal_slug(site_dir, slug, today)
        for share in revoke_share(site_dir, revoke, today, slug):
            stdout.print(f"Revoked the share link '{share.label}' of {share.deal}.")
        stdout.print("Rebuild and deploy: the old link then fails, and the deal is re-keyed.")
        return
    if not slug or not label:
        raise click.UsageError("give a DEAL and --label, or --revoke LABEL, or --list")
    slug = deal_slug(site_dir, slug, today)
    site, findings = load_site(site_dir)
    result = render_all(site_dir, today, only=slug) if not any(f.is_error for f in findings) else None
    deal = next((d for d in result.deals if d.slug == slug), None) if result else None
    if deal is None:
        raise MapsiteError(f"no deal with slug '{slug}' that builds", result.findings if result else findings)
    if deal.public:
        raise MapsiteError(f"deal '{slug}' is public: it needs no share link")
    share = add_share(site_dir, slug, label, today, share_expiry(expires, site.share_days, today))
    stdout.print(f"Share link for {label} ({deal.title}):")
    stdout.print(share_link(site.base_url, slug, share))
    until = f"until {share.expires}" if share.expires else "with no expiry date"
    stdout.print(f"It works once the site is rebuilt and deployed, {until}.")
    stdout.print(f'Revoke it with: mapsite share {slug} --revoke "{label}"')


def share_expiry(option: str | None, share_days: int | None, today: dt.date) -> dt.date | None:
    """The last day a new share link works: --expires, else the site's default shelf life."""
    if option is None:
        return today + dt.timedelta(days=share_days) if share_days else None
    if option.strip().lower() == "never":
        return None
    try:
        day = dt.date.fromisoformat(option.strip())
    except ValueError:
        raise click.BadParameter(
            f"'{option}' is not a date like 2027-05-31, nor 'never'", param_hint="--expires"
        ) from None
    if day < today:
        raise click.BadParameter(f"{day} is already past", param_hint="--expires")
    return day
