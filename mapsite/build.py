"""The build pipeline: site -> deals -> plans -> pages -> output/.

This module knows the order of the steps, not their details. ``check`` runs the same steps
without writing, so whatever would stop a build is what ``check`` reports.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

from mapsite.clock import resolve_today
from mapsite.config import Site, load_site
from mapsite.content.loader import load_deals
from mapsite.content.model import Deal
from mapsite.content.plan import build_plan
from mapsite.errors import Finding, MapsiteError, has_errors, sort_findings
from mapsite.output import write_deal, write_site
from mapsite.render.pages import Page, RenderError, render_deal, render_shared
from mapsite.render.theme import Theme


@dataclass(frozen=True)
class BuildResult:
    site: Site
    out: Path
    today: dt.date
    deals: tuple[Deal, ...]
    pages: tuple[Page, ...]
    findings: tuple[Finding, ...]
    files_written: int = 0
    seconds: float = 0.0


def render_all(site_dir: Path, today: dt.date | None = None, only: str | None = None) -> BuildResult:
    """Load, validate and render every deal (or one); nothing is written."""
    started = time.perf_counter()
    today = resolve_today(today)
    site, findings = load_site(site_dir)
    if has_errors(findings):
        return BuildResult(site, site_dir / "output", today, (), (), tuple(sort_findings(findings)))
    loaded = load_deals(site, today, only)
    findings.extend(loaded.findings)
    pages: list[Page] = []
    if not has_errors(findings):
        theme = Theme.for_site(site.theme_dir)
        try:
            pages.extend(render_shared(site, theme).pages)
            for deal in loaded.deals:
                rendered = render_deal(deal, build_plan(deal, today), site, theme)
                pages.extend(rendered.pages)
                findings.extend(rendered.findings)
        except RenderError as exc:
            findings.append(exc.finding)
    return BuildResult(
        site=site,
        out=site_dir / "output",
        today=today,
        deals=loaded.deals,
        pages=tuple(pages),
        findings=tuple(sort_findings(findings)),
        seconds=time.perf_counter() - started,
    )


def check(site_dir: Path, today: dt.date | None = None) -> BuildResult:
    return render_all(site_dir, today)


def build(
    site_dir: Path,
    out: Path | None = None,
    today: dt.date | None = None,
    only: str | None = None,
) -> BuildResult:
    """Render and write; on any error the previous output stays exactly as it was."""
    started = time.perf_counter()
    result = render_all(site_dir, today, only)
    errors = [f for f in result.findings if f.is_error]
    if errors:
        raise MapsiteError(
            f"build stopped: {len(errors)} error{'s' if len(errors) != 1 else ''}; "
            "the previous output was left untouched",
            result.findings,
        )
    target = out or site_dir / "output"
    info = {"generator": "mapsite", "protected": False, "today": result.today.isoformat()}
    if only:
        written = write_deal(result.pages, only, target, site_dir, info)
    else:
        written = write_site(result.pages, target, site_dir, info)
    return BuildResult(
        site=result.site,
        out=target,
        today=result.today,
        deals=result.deals,
        pages=result.pages,
        findings=result.findings,
        files_written=written,
        seconds=time.perf_counter() - started,
    )
