"""Every deal made readable, in memory: what ``check``, ``share`` and ``audit`` read.

The same per-deal pipeline as ``build`` (``make_deal``), without sealing or writing: nothing of
``.mapsite/`` is created or changed, so a read-only command stays read-only.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mapsite.clock import resolve_today
from mapsite.errors import Finding, has_errors, sort_findings
from mapsite.model.deal import Deal
from mapsite.pipeline.deal import claimed, make_deal, start_job
from mapsite.pipeline.find import no_such_deal, select_deals
from mapsite.pipeline.site_pages import shared_pages
from mapsite.read.site import Site, load_site
from mapsite.render.pages import Page, RenderError
from mapsite.schedule.slips import SlipHistory


@dataclass(frozen=True)
class RenderedSite:
    site: Site
    today: dt.date
    deals: tuple[Deal, ...]
    pages: tuple[Page, ...]
    findings: tuple[Finding, ...]
    seconds: float = 0.0
    slips: Mapping[str, SlipHistory] = field(default_factory=dict)  # by slug


def render_all(site_dir: Path, today: dt.date | None = None, only: str | None = None) -> RenderedSite:
    """Load, validate and render every deal (or the one with slug ``only``), readable."""
    started = time.perf_counter()
    site, findings = load_site(site_dir)
    today = resolve_today(today, site.today)
    if has_errors(findings):
        return RenderedSite(site, today, (), (), tuple(sort_findings(findings)))
    locations, listing = select_deals(site, only)
    findings += listing
    job, _ = start_job(site, today, locations, protect=False, writes=False)
    made = [make_deal(job, location) for location in locations]
    kept, duplicates = claimed(made)
    findings += [f for deal in made for f in deal.findings] + duplicates
    if only and not any(deal.slug == only for deal in kept) and not has_errors(findings):
        findings.append(no_such_deal(only))
    pages = [page for deal in kept for page in deal.pages]
    try:
        # A one-deal render has no dashboard: it would list one deal.
        rows = [deal.status for deal in kept if deal.status] if only is None else None
        shared, _ = shared_pages(job, rows, sealed_deals=False)
        pages[:0] = shared
    except RenderError as exc:
        findings.append(exc.finding)
    return RenderedSite(
        site=site,
        today=today,
        deals=tuple(deal.loaded.deal for deal in kept if deal.loaded.deal),
        pages=tuple(pages),
        findings=tuple(sort_findings(findings)),
        seconds=time.perf_counter() - started,
        slips={deal.slug: deal.slips for deal in kept if deal.slug},
    )
