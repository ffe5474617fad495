"""``mapsite share``: make, show, list and revoke the links that open a deal without a password.

A link belongs to one deal: showing or revoking one names the deal, since the same label
("CFO") is often on several and revoking re-keys the deal it names.

Stages are imported inside the command (see cli/main.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from rich.text import Text

from mapsite.cli.app import main, read_site, site_option
from mapsite.cli.console import stderr, stdout
from mapsite.cli.lookup import deal_name, deal_slug, names_by_slug, one_deal
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
@click.option(
    "--side",
    type=click.Choice(["buyer", "seller", "partner"]),
    default="buyer",
    show_default=True,
    help="Whose work the portal shows first to whoever opens the link.",
)
@click.option("--show", metavar="LABEL", help="Print DEAL's link with this label again.")
@click.option("--revoke", metavar="LABEL", help="Revoke DEAL's link with this label.")
@click.option("--list", "list_shares", is_flag=True, help="List share links (never their secrets).")
@site_option
def share_command(
    slug: str | None,
    label: str | None,
    expires: str | None,
    side: str,
    show: str | None,
    revoke: str | None,
    list_shares: bool,
    site_dir: Path,
) -> None:
    """Make, show, list or revoke the links that open a deal without a password.

    \b
    mapsite share DEAL --label "Dana (CFO)"   a new link for Dana
    mapsite share DEAL --label Nadia --side partner
                                              one for a partner, who
                                              sees the partner's work first
    mapsite share DEAL --show "Dana (CFO)"    print that link again
    mapsite share DEAL --revoke "Dana (CFO)"  revoke it (the deal is re-keyed)
    mapsite share --list                      every link, never its secret
    """
    today = resolve_today()
    chosen = [name for name, given in (("--label", label), ("--show", show), ("--revoke", revoke)) if given]
    if len(chosen) > 1 or (list_shares and (chosen or slug)):
        raise click.UsageError("give one of --label, --show, --revoke or --list")
    if list_shares:
        list_links(site_dir, today)
    elif revoke:
        revoke_links(site_dir, slug, revoke, today)
    elif not slug or not (label or show):
        raise click.UsageError("give a DEAL and --label, --show or --revoke LABEL, or --list")
    elif show:
        show_link(site_dir, slug, show, today)
    else:
        make_link(site_dir, slug, label or "", expires, today, side)


def list_links(site_dir: Path, today: dt.date) -> None:
    from mapsite.protect.secrets import load_shares

    for share in load_shares(site_dir):
        state = (
            "revoked " + share.revoked if share.revoked else ("active" if share.active(today) else "expired")
        )
        until = f", until {share.expires}" if share.expires else ""
        side = f", {share.side} side" if share.side != "buyer" else ""
        line = f"{share.deal}: {share.label} (created {share.created}{until}{side}): {state}"
        stdout.print(line, markup=False)


def revoke_links(site_dir: Path, slug: str | None, label: str, today: dt.date) -> None:
    """Revoke one deal's links labelled ``label``; without a deal, a usage error names the deals
    that have one, since the same label ("CFO") is often on several."""
    from mapsite.protect.secrets import deals_sharing, load_shares, revoke_share

    if not slug:
        holders = deals_sharing(site_dir, label)
        if not holders:
            raise click.UsageError(
                f"no deal has an active share link labelled '{label}'; list them with: mapsite share --list"
            )
        names = names_by_slug(site_dir, today)
        raise click.UsageError(
            f'name the deal: mapsite share DEAL --revoke "{label}" (deals with an active link '
            f"labelled '{label}': {', '.join(names.get(deal, deal) for deal in holders)})"
        )
    # A deal deleted since keeps its links to revoke: its slug is taken as it is.
    if not any(share.deal == slug for share in load_shares(site_dir)):
        slug = deal_slug(read_site(site_dir), slug, today)
    for share in revoke_share(site_dir, label, today, slug):
        stdout.print(f"Revoked the share link '{share.label}' of {share.deal}.", markup=False)
    stdout.print("Rebuild and deploy: the old link then fails, and the deal is re-keyed.")


def show_link(site_dir: Path, name: str, label: str, today: dt.date) -> None:
    from mapsite.protect.secrets import active_share, share_link

    site = read_site(site_dir)
    deal = one_deal(site, name, today)
    share = active_share(site_dir, deal.slug, label, today)
    base_url = site.base_url
    stdout.print(f"Share link for {label} ({deal.title}):", markup=False)
    stdout.print(share_link(base_url, deal.slug, share), markup=False)
    until = f"until {share.expires}" if share.expires else "with no expiry date"
    stdout.print(f"It works once the site has been rebuilt and deployed since {share.created}, {until}.")
    warn_if_bare(base_url)


def make_link(site_dir: Path, name: str, label: str, expires: str | None, today: dt.date, side: str) -> None:
    from mapsite.pipeline.readable import render_all
    from mapsite.protect.secrets import add_share, share_link

    chosen = one_deal(read_site(site_dir), name, today)  # refuses a mapsite.yml with errors
    slug = chosen.slug
    result = render_all(site_dir, today, only=slug)
    site = result.site
    deal = next((d for d in result.deals if d.slug == slug), None)
    if deal is None:
        raise MapsiteError(f"no deal with slug '{slug}' that builds", result.findings)
    if deal.public:
        raise MapsiteError(f"deal '{slug}' is public: it needs no share link")
    if side == "partner" and deal.partner is None:
        raise MapsiteError(
            f"deal '{slug}' names no partner, so a link cannot be for the partner side",
            hint="add partner: {name: ...} to the deal, or use --side buyer or --side seller",
        )
    share = add_share(site_dir, slug, label, today, share_expiry(expires, site.share_days, today), side)
    stdout.print(f"Share link for {label} ({deal.title}):", markup=False)
    stdout.print(share_link(site.base_url, slug, share), markup=False)
    until = f"until {share.expires}" if share.expires else "with no expiry date"
    stdout.print(f"It works once the site is rebuilt and deployed, {until}.")
    stdout.print(f'Revoke it with: mapsite share {deal_name(chosen)} --revoke "{label}"', markup=False)
    warn_if_bare(site.base_url)


def warn_if_bare(base_url: str) -> None:
    """A link without the site's address works only for whoever knows where the site is."""
    if base_url.startswith(("https://", "http://")):
        return
    stderr.print(
        Text(
            "warning: mapsite.yml sets no base_url, so this link is only a path: put your site's "
            "address in front of it, or set base_url (e.g. https://deals.example.com/) in mapsite.yml",
            style="yellow",
        )
    )


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
