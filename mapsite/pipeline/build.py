"""The build pipeline: site -> deals -> plans -> pages -> output/.

This module knows the order of the steps, not their details. ``render_all`` runs them in
memory, for ``check``, the preview and the commands that read deals; ``build`` runs them per
deal in worker processes, straight to disk. What would stop a build is what ``check`` reports.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, replace
from pathlib import Path

from mapsite.clock import resolve_today
from mapsite.errors import Finding, MapsiteError, has_errors, sort_findings
from mapsite.layout import SITE_FILE, TEAM_SLUG
from mapsite.model.deal import Deal
from mapsite.paths import safe_relpath
from mapsite.pipeline.load import (
    duplicate_slug,
    last_changed_dates,
    load_deals,
    no_such_deal,
    select_sources,
)
from mapsite.pipeline.protect import (
    TeamRoom,
    distinctive_needles,
    public_files,
    shell_renderer,
)
from mapsite.pipeline.worker import DealJob, DealOutcome, raise_for_passwords, run_deals
from mapsite.protect.audit import audit, page_folders
from mapsite.protect.kdf import KdfCache
from mapsite.protect.keys import derive_deal_keys, resolve_passwords
from mapsite.protect.seal import seal_deal, unlock_asset
from mapsite.protect.secrets import load_shares, site_secret
from mapsite.protect.strength import weak_password_findings
from mapsite.read.site import Site, load_site
from mapsite.render.pages import Page, RenderError, render_deal, render_shared, render_team
from mapsite.render.theme import Theme
from mapsite.schedule.plan import build_plan
from mapsite.schedule.status import status_rows
from mapsite.write import output
from mapsite.write.inputs import LastBuild, inputs_digest, load_last_build, save_last_build, sources_digest
from mapsite.write.output import read_marker
from mapsite.write.receipt import forget_receipt, page_digest, record_receipt


@dataclass(frozen=True)
class BuildResult:
    site: Site
    out: Path
    today: dt.date
    deals: tuple[Deal, ...]
    pages: tuple[Page, ...]
    findings: tuple[Finding, ...]
    seconds: float = 0.0


def render_all(site_dir: Path, today: dt.date | None = None, only: str | None = None) -> BuildResult:
    """Load, validate and render every deal (or one), readable; nothing is written or encrypted."""
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
                rendered = render_deal(deal, build_plan(deal, today), site, theme)
                pages.extend(rendered.pages)
                findings.extend(rendered.findings)
            if site.team_access and only is None:
                # A one-deal (--only) build keeps the dashboard it has rather than list one deal.
                pages.append(render_team(site, theme, status_rows(loaded.deals, today), today, False))
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


@dataclass(frozen=True)
class BuildReport:
    """What a build did, for the terminal; the deals themselves stayed in the workers."""

    out: Path
    today: dt.date
    deals: int
    protected: int
    findings: tuple[Finding, ...]
    files_written: int
    seconds: float
    created_secret: bool = False
    up_to_date: bool = False


def build(
    site_dir: Path,
    out: Path | None = None,
    today: dt.date | None = None,
    only: str | None = None,
    protect: bool = True,
    force: bool = False,
) -> BuildReport:
    """Render, protect, audit and write; on any error the previous output stays as it was.

    Each deal goes through its whole pipeline in a worker process (see deal_worker), straight
    into a staging folder; the shared pages, the team dashboard and the leak audit come after,
    and only then does the staging folder replace ``out``. A full build whose inputs are all
    as they were for the output it would replace stops early (unless ``force``). Without
    ``protect`` the output is readable and marked so that deploy refuses it.
    """
    started = time.perf_counter()
    today = resolve_today(today)
    site, findings = load_site(site_dir)
    if has_errors(findings):
        raise _stopped(findings)
    target = out or site_dir / "output"
    sources, listing = select_sources(site, only)
    findings.extend(listing)
    if has_errors(findings):
        # E.g. a deal folder that is a symlink: the digest of the sources does not see it change.
        raise _stopped(findings)
    changed = last_changed_dates([path for path, _, _ in sources], site.root)
    secret, created_secret = site_secret(site.root) if protect else (b"", False)
    read_before = b"" if only else sources_digest(site.root, today, protect, changed)
    last = None if only or force else load_last_build(site_dir, target)
    if (
        last
        and (read_marker(target) or {}).get("inputs") == last.inputs
        and inputs_digest(read_before, site.root, secret, last.password_names) == last.inputs
    ):
        warnings = tuple(sort_findings([*findings, *last.warnings]))
        seconds = time.perf_counter() - started
        return BuildReport(target, today, last.deals, last.protected, warnings, 0, seconds, up_to_date=True)
    theme = Theme.for_site(site.theme_dir)
    job = DealJob(
        site=site,
        theme=theme,
        today=today,
        parts=Path(),
        changed=changed,
        protect=protect,
        secret=secret,
        shares=tuple(load_shares(site.root)) if protect else (),
        kdf=KdfCache(site.root, secret) if protect else None,
        unlock_path=unlock_asset().path,
        read_before=read_before,
    )
    staging = output.begin(target, site_dir, only)
    try:
        job = replace(job, parts=staging.parts)
        written = _build_into(staging, job, sources, findings)
    except BaseException:
        output.discard(staging)
        raise
    if job.kdf is not None:
        job.kdf.save()
    built = written.built
    public = sum(1 for outcome in built if outcome.public)
    report = BuildReport(
        out=target,
        today=today,
        deals=len(built),
        protected=len(built) - public if protect else 0,
        findings=tuple(sort_findings(written.findings)),
        files_written=written.files,
        seconds=time.perf_counter() - started,
        created_secret=created_secret,
    )
    if only:
        save_last_build(site_dir, target, None)
        forget_receipt(site_dir, target)
        return report
    warnings = tuple(f for f in report.findings if not f.is_error)
    record = LastBuild(written.inputs, written.password_names, report.deals, report.protected, warnings)
    save_last_build(site_dir, target, record)
    if protect:
        # The pages just passed the audit: vouch for them as they were written.
        files = [digest for outcome in built for digest in outcome.digests]
        files += [page_digest(page.path, page.content) for page in written.shared]
        record_receipt(site_dir, target, files)
    else:
        forget_receipt(site_dir, target)
    return report


@dataclass(frozen=True)
class _Written:
    """What ``_build_into`` put in place, for the report and the records of this build."""

    built: list[DealOutcome]
    findings: list[Finding]
    files: int
    shared: list[Page]
    inputs: str = ""
    password_names: tuple[str, ...] = ()


def _build_into(staging: output.Staging, job: DealJob, sources: list, findings: list[Finding]) -> _Written:
    """Every deal into ``staging``, then the shared pages and the audit, then the swap."""
    site, only = job.site, staging.only
    outcomes = sorted(run_deals(job, sources), key=lambda outcome: outcome.index)
    if job.kdf is not None:
        for outcome in outcomes:
            job.kdf.merge(outcome.kdf_fresh, outcome.kdf_used)
    placed = _place(outcomes, findings)
    if only and only not in placed and not has_errors(findings):
        findings.append(no_such_deal(only))
    findings = list(dict.fromkeys(findings))  # a broken theme fails every deal the same way
    if has_errors(findings):
        raise _stopped(findings)
    for outcome in outcomes:
        if outcome.failure:
            raise outcome.failure
    raise_for_passwords(outcomes)
    built = [o for o in outcomes if o.slug in placed and placed[o.slug] == o.index]
    shared = _shared_pages(site, job.theme, built, job.today, only is None, job)
    if job.protect:
        _audit(job, built, shared)
    marker: dict = {"generator": "mapsite", "protected": job.protect, "today": job.today.isoformat()}
    deal_files = sum(outcome.files for outcome in built)
    if only:
        # The other deals stay as they were: the output is protected only if they were too.
        previous = read_marker(staging.out)
        marker["protected"] = job.protect and (previous is None or bool(previous.get("protected")))
        written = output.finish_deal(staging, placed[only], shared, marker)
        return _Written(built, findings, written + deal_files, shared)
    names = {name for outcome in built for name in outcome.password_names}
    names |= {entry.password_env for entry in site.team_access if entry.password_env}
    password_names = tuple(sorted(names))
    marker["inputs"] = inputs_digest(job.read_before, site.root, job.secret, password_names)
    written = output.finish_site(staging, placed, shared, marker)
    return _Written(built, findings, written + deal_files, shared, marker["inputs"], password_names)


def _stopped(findings: list[Finding]) -> MapsiteError:
    errors = [f for f in findings if f.is_error]
    return MapsiteError(
        f"build stopped: {len(errors)} error{'s' if len(errors) != 1 else ''}; "
        "the previous output was left untouched",
        findings,
    )


def _place(outcomes: list[DealOutcome], findings: list[Finding]) -> dict[str, int]:
    """Each slug's part; a second deal claiming a slug is an error at its ``slug:`` line."""
    placed: dict[str, int] = {}
    first: dict[str, str] = {}
    for outcome in outcomes:
        findings.extend(outcome.findings)
        if outcome.slug is None or has_errors(outcome.findings):
            continue
        if stray := _stray_page(outcome):
            findings.append(stray)
            continue
        if outcome.slug in first:
            findings.append(duplicate_slug(outcome.loaded, outcome.slug, first[outcome.slug]))
        else:
            first[outcome.slug] = outcome.loaded.display
            placed[outcome.slug] = outcome.index
    return placed


def _stray_page(outcome: DealOutcome) -> Finding | None:
    """A deal's file outside ``<slug>/``, or two at one path: refused, whatever produced them.

    The loader already refuses what could cause either; this holds even if something slips past
    it, since a deal's file outside its folder could replace the site's own, such as unlock.js,
    and a second file at a page's path would replace the page. Case-folded, as a host may be.
    """
    prefix = f"{outcome.slug}/"
    seen: set[str] = set()
    for path, _size, _sha in outcome.digests:
        if not path.startswith(prefix) or safe_relpath(path) != path:
            return Finding(
                outcome.loaded.display,
                None,
                "error",
                f"the deal would publish '{path}', outside its folder output/{prefix}; nothing was written",
                "this is a mapsite bug: please report it with the deal's files",
            )
        if path.casefold() in seen:
            return Finding(
                outcome.loaded.display,
                None,
                "error",
                f"two files of the deal would be published at '{path}'; one would replace the other",
                "rename one of the deal's files",
            )
        seen.add(path.casefold())
    return None


def _shared_pages(
    site: Site, theme: Theme, built: list[DealOutcome], today: dt.date, team: bool, job: DealJob
) -> list[Page]:
    """Landing, 404 and theme assets; the unlock script and the (sealed) team dashboard if any."""
    pages = list(render_shared(site, theme).pages)
    team_page = None
    if team and site.team_access:
        rows = sorted((o.status for o in built if o.status), key=lambda row: (row.close_date, row.slug))
        team_page = render_team(site, theme, rows, today, job.protect)
    if job.protect and (team_page or any(not outcome.public for outcome in built)):
        pages.append(unlock_asset())
    if team_page and job.protect:
        pages.extend(seal_team(site, team_page, job))
    elif team_page:
        pages.append(team_page)
    return pages


def seal_team(site: Site, page: Page, job: DealJob) -> list[Page]:
    assert job.kdf is not None, "a protected build has a KDF cache"
    room = TeamRoom(TEAM_SLUG, site.team_access, site.root / SITE_FILE)
    if weak := weak_password_findings(resolve_passwords(room, site.root)[1]):
        raise _stopped(weak)
    keys = derive_deal_keys([room], site.root, job.secret, job.today, job.kdf, list(job.shares))
    shell = shell_renderer(site, job.theme, job.unlock_path)
    return seal_deal([page], keys[TEAM_SLUG], shell, site.remember_days, job.today.isoformat())


def _audit(job: DealJob, built: list[DealOutcome], shared: list[Page]) -> None:
    """The leak audit over every file's readable bytes, before anything replaces the output."""
    protected = [n for o in built if not o.public for n in o.needles]
    shown = [n for o in built if o.public for n in o.needles]
    needles = distinctive_needles(job.site, job.today, protected, shown, public_files(shared))
    files = [(p.path, p.content) for p in shared]
    files += [(path, content) for outcome in built for path, content in outcome.scannable]
    leaks = audit(files, needles, page_folders(path for path, _ in files))
    if leaks:
        raise MapsiteError(
            f"the leak audit found plaintext of protected deals in {len({f.path for f in leaks})} file(s); "
            "nothing was written",
            leaks,
        )
