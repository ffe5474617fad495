"""The build pipeline: site -> deals -> plans -> pages -> output/.

This module knows the order of the steps, not their details. ``check`` runs the same steps
without writing, so whatever would stop a build is what ``check`` reports.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, replace
from pathlib import Path

from mapsite.clock import resolve_today
from mapsite.config import SITE_FILE, Site, load_site
from mapsite.content.loader import load_deals
from mapsite.content.model import Deal
from mapsite.content.plan import build_plan
from mapsite.errors import Finding, MapsiteError, has_errors, sort_findings
from mapsite.output import read_marker, write_deal, write_site
from mapsite.paths import site_display
from mapsite.protect.audit import audit_folder
from mapsite.protect.pipeline import needles_for, protect_pages, public_files
from mapsite.protect.receipt import forget_receipt, record_receipt
from mapsite.protect.secrets import password_source
from mapsite.render.pages import Page, RenderError, render_deal, render_shared, render_team
from mapsite.render.theme import Theme
from mapsite.status import status_rows


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
    theme: Theme | None = None
    protected: bool = False
    created_secret: bool = False


def render_all(
    site_dir: Path, today: dt.date | None = None, only: str | None = None, protect: bool = False
) -> BuildResult:
    """Load, validate and render every deal (or one); nothing is written or encrypted.

    With ``protect`` the deal pages carry their logout button, ready to be sealed.
    """
    started = time.perf_counter()
    today = resolve_today(today)
    site, findings = load_site(site_dir)
    if has_errors(findings):
        return BuildResult(site, site_dir / "output", today, (), (), tuple(sort_findings(findings)))
    loaded = load_deals(site, today, only)
    findings.extend(loaded.findings)
    pages: list[Page] = []
    theme = Theme.for_site(site.theme_dir)
    if not has_errors(findings):
        try:
            pages.extend(render_shared(site, theme).pages)
            for deal in loaded.deals:
                protected = protect and not deal.public
                rendered = render_deal(deal, build_plan(deal, today), site, theme, protected)
                pages.extend(rendered.pages)
                findings.extend(rendered.findings)
            if site.team_access and only is None:
                # A one-deal (--only) build keeps the dashboard it has rather than list one deal.
                pages.append(render_team(site, theme, status_rows(loaded.deals, today), today, protect))
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
        theme=theme,
    )


def check(site_dir: Path, today: dt.date | None = None) -> BuildResult:
    """What would stop a build, plus warnings for the rep (passwords not set here, ...)."""
    result = render_all(site_dir, today)
    guarded = [(site_display(deal.source, site_dir), deal.access) for deal in result.deals if not deal.public]
    guarded.append((SITE_FILE, result.site.team_access))
    missing = [
        Finding(
            display,
            None,
            "warning",
            f"the password of access entry '{entry.label}' comes from {entry.password_env}, which is not set",
            f"export {entry.password_env}=... or add it to .mapsite/passwords before mapsite build",
        )
        for display, access in guarded
        for entry in access
        if not password_source(entry, site_dir)
    ]
    return replace(result, findings=tuple(sort_findings([*result.findings, *missing])))


def build(
    site_dir: Path,
    out: Path | None = None,
    today: dt.date | None = None,
    only: str | None = None,
    protect: bool = True,
) -> BuildResult:
    """Render, protect, audit and write; on any error the previous output stays as it was.

    Without ``protect`` the output is readable and marked so that deploy refuses it.
    """
    started = time.perf_counter()
    result = render_all(site_dir, today, only, protect)
    errors = [f for f in result.findings if f.is_error]
    if errors:
        raise MapsiteError(
            f"build stopped: {len(errors)} error{'s' if len(errors) != 1 else ''}; "
            "the previous output was left untouched",
            result.findings,
        )
    target = out or site_dir / "output"
    pages, created_secret = list(result.pages), False
    if protect and result.theme is not None:
        pages, created_secret = protect_pages(
            result.site, result.deals, result.pages, result.theme, result.today
        )
    info = {"generator": "mapsite", "protected": protect, "today": result.today.isoformat()}
    if only:
        # The other deals stay as they were: the output is protected only if they were too.
        previous = read_marker(target)
        info["protected"] = protect and (previous is None or bool(previous.get("protected")))
        written = write_deal(pages, only, target, site_dir, info)
        forget_receipt(site_dir, target)
    else:
        written = write_site(pages, target, site_dir, info)
        if protect:
            record_receipt(site_dir, target)  # the pages just passed the audit in protect_pages
        else:
            forget_receipt(site_dir, target)
    return BuildResult(
        site=result.site,
        out=target,
        today=result.today,
        deals=result.deals,
        pages=tuple(pages),
        findings=result.findings,
        files_written=written,
        seconds=time.perf_counter() - started,
        theme=result.theme,
        protected=protect,
        created_secret=created_secret,
    )


def audit_output(site_dir: Path, out: Path) -> tuple[list[Finding], int, int]:
    """Audit a built folder against the site's current deals: (findings, files, protected deals)."""
    marker = read_marker(out)
    if marker is None:
        raise MapsiteError(f"{out} is not a mapsite build", hint="run mapsite build first")
    if not marker.get("protected"):
        raise MapsiteError(
            f"{out} was built with --no-protect: every deal in it is readable",
            hint="run mapsite build (without --no-protect) before publishing",
        )
    result = render_all(site_dir)
    if any(f.is_error for f in result.findings):
        raise MapsiteError("the site has errors; fix them to audit against its deals", result.findings)
    protected = [deal for deal in result.deals if not deal.public]
    needles = needles_for(result.site, protected, public_files(list(result.pages)))
    files = sum(1 for p in out.rglob("*") if p.is_file())
    findings = audit_folder(out, needles)
    if not findings:
        record_receipt(site_dir, out)
    return findings, files, len(protected)
