"""``mapsite check`` and ``mapsite audit``: every problem of a site without writing a page, and
the leak audit of an output folder already built (a deploy runs it before sending anything)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from mapsite.deploy.settings import deploy_targets
from mapsite.errors import Finding, MapsiteError, sort_findings
from mapsite.layout import SITE_FILE
from mapsite.paths import site_display
from mapsite.pipeline.audit import needles_for, public_files
from mapsite.pipeline.readable import RenderedSite, render_all
from mapsite.pipeline.slips import close_slip_warning
from mapsite.protect.audit import audit_folder
from mapsite.protect.links_only import unopenable_warning
from mapsite.protect.secrets import load_shares, password_source
from mapsite.protect.strength import party_names, strength_warning
from mapsite.schedule.slips import NO_SLIPS
from mapsite.write.output import read_marker
from mapsite.write.receipt import FileDigest, record_receipt


def check(site_dir: Path, today: dt.date | None = None) -> RenderedSite:
    """What would stop a build, plus warnings for the rep (passwords not set here, ...)."""
    result = render_all(site_dir, today)
    guarded = [(site_display(deal.source, site_dir), deal.access) for deal in result.deals if not deal.public]
    guarded.append((SITE_FILE, result.site.team_access))
    # Each entry's password looked up once (the environment, else .mapsite/passwords).
    entries = [
        (display, entry, password_source(entry, site_dir)) for display, access in guarded for entry in access
    ]
    missing = [
        Finding(
            display,
            None,
            "warning",
            f"the password of access entry '{entry.label}' comes from {entry.password_env}, which is not set",
            f"export {entry.password_env}=... or add it to .mapsite/passwords before mapsite build",
        )
        for display, entry, password in entries
        if not password
    ]
    parties = {site_display(d.source, site_dir): party_names(d) for d in result.deals if not d.public}
    parties[SITE_FILE] = {"seller": result.site.seller.name}
    weak = [
        warning
        for display, entry, password in entries
        if password and (warning := strength_warning(entry, display, password, parties[display]))
    ]
    targets, deploy = deploy_targets(result.site)
    deploy += [warning for target in targets.values() for warning in target.warnings]
    slips = [
        warning
        for deal in result.deals
        if not deal.archived
        and (warning := close_slip_warning(result.site, deal, result.slips.get(deal.slug, NO_SLIPS)))
    ]
    shares = load_shares(site_dir)
    unopenable = [
        warning
        for deal in result.deals
        if not deal.archived
        and (warning := unopenable_warning(deal, shares, result.today, site_display(deal.source, site_dir)))
    ]
    findings = [*result.findings, *missing, *weak, *deploy, *slips, *unopenable]
    return replace(result, findings=tuple(sort_findings(findings)))


def audit_output(
    site_dir: Path, out: Path, digests: Iterable[FileDigest] | None = None
) -> tuple[list[Finding], int, int]:
    """Audit a built folder against the site's current deals: (findings, files, protected deals).

    ``digests`` are the folder's files as the caller has already hashed them (a deploy's
    manifest), for the receipt; without them the folder is hashed again once the audit passed.
    """
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
    needles = needles_for(result.site, result.today, result.deals, public_files(list(result.pages)))
    files = sum(1 for p in out.rglob("*") if p.is_file())
    findings = audit_folder(out, needles)
    if not findings:
        record_receipt(site_dir, out, digests)
    return findings, files, len(protected)
