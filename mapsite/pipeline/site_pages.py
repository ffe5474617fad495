"""The pages a site has besides its deals: landing, 404, theme assets, unlock script, dashboard.

Made once per run, after the deals, because the team dashboard needs every deal's status row
and the unlock script is published only when something is sealed. ``build`` and the preview
both call ``shared_pages``, so the preview serves ``/_team/`` exactly as the build writes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mapsite.errors import Finding
from mapsite.layout import SITE_FILE, TEAM_SLUG
from mapsite.model.deal import AccessEntry
from mapsite.pipeline.deal import DealJob, shell_renderer
from mapsite.protect.keys import derive_deal_keys, resolve_passwords
from mapsite.protect.seal import seal_deal, unlock_asset
from mapsite.protect.strength import weak_password_findings
from mapsite.read.activity import last_buyer_activity
from mapsite.render.pages import Page, render_shared, render_team
from mapsite.schedule.status import DealStatus, with_activity


@dataclass(frozen=True)
class TeamRoom:
    """The team dashboard, locked like a deal with the passwords of ``team_access``."""

    slug: str
    access: tuple[AccessEntry, ...]
    source: Path


def shared_pages(
    job: DealJob, rows: Iterable[DealStatus] | None, sealed_deals: bool
) -> tuple[list[Page], list[Finding]]:
    """The site-wide pages, and the errors that stop them (a weak team password).

    ``rows`` are the deals' status rows for the team dashboard; None leaves the dashboard out
    (a one-deal build keeps the one it has rather than list one deal). ``sealed_deals`` says
    whether any deal was sealed, which needs the unlock script.
    """
    site = job.site
    pages = list(render_shared(site, job.theme).pages)
    team = None
    if rows is not None and site.team_access:
        ordered = sorted(rows, key=lambda row: (row.close_date, row.slug))
        # A damaged inbox ledger leaves updates out; mapsite status and mapsite inbox say so.
        ordered = with_activity(ordered, last_buyer_activity(site.dir)[0], job.today)
        team = render_team(site, job.theme, ordered, job.today, job.protect)
    if not job.protect:
        return pages + ([team] if team else []), []
    if team or sealed_deals:
        pages.append(unlock_asset())
    if team is None:
        return pages, []
    room = TeamRoom(TEAM_SLUG, site.team_access, site.dir / SITE_FILE)
    if weak := weak_password_findings(resolve_passwords(room, site.dir)[1]):
        return pages, weak
    assert job.kdf is not None, "a protecting run has a KDF cache"
    keys = derive_deal_keys([room], site.dir, job.secret, job.today, job.kdf, list(job.shares))
    shell = shell_renderer(site, job.theme, job.unlock_path)
    pages += seal_deal([team], keys[TEAM_SLUG], shell, site.remember_days, job.today.isoformat())
    return pages, []
