"""``mapsite build``: every deal made and written, then the site's pages, the audit and the swap.

Each deal goes through ``make_deal`` in a worker process (see worker.py), straight into a
staging folder; this module puts the outcomes together: slugs claimed once, errors stop the
build, the site-wide pages, the leak audit, and only then the staging folder replaces the
output. What would stop a build is what ``check`` reports.

With ``keep_going`` a deal's errors stop only that deal: the others are built, the broken one
keeps its last audited portal (see keep.py), and the build is recorded as partial: never as
up to date with the sources, and trusted by a deploy only with ``--keep-going``.
"""

from __future__ import annotations

import datetime as dt
import pickle
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from itertools import chain
from pathlib import Path

from mapsite.clock import resolve_today
from mapsite.errors import Finding, MapsiteError, has_errors, sort_findings
from mapsite.paths import safe_relpath
from mapsite.pipeline.audit import leak_audit, needle_batches, spool_needles
from mapsite.pipeline.deal import DealJob, claimed, start_job
from mapsite.pipeline.find import DealLocation, last_changed_dates, no_such_deal, select_deals
from mapsite.pipeline.keep import KeptDeal, LeftOut, keep_broken
from mapsite.pipeline.site_pages import shared_pages
from mapsite.pipeline.slips import save_slips
from mapsite.pipeline.spool import Spool
from mapsite.pipeline.worker import DealOutcome, run_deals
from mapsite.protect.audit import scannable
from mapsite.protect.keys import missing_passwords
from mapsite.protect.secrets import site_secret
from mapsite.protect.update_keys import record_update_keys
from mapsite.read.site import load_site
from mapsite.render.pages import Page
from mapsite.schedule.slips import NO_SLIPS
from mapsite.write import output
from mapsite.write.inputs import (
    LastBuild,
    inputs_digest,
    load_last_build,
    read_digest,
    save_last_build,
    source_digests,
)
from mapsite.write.output import read_marker
from mapsite.write.receipt import (
    DealRecord,
    FileDigest,
    forget_receipt,
    output_digest,
    page_digest,
    record_deal,
    record_receipt,
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
    kept: tuple[KeptDeal, ...] = ()  # with keep_going: broken deals that keep their last portal
    left_out: tuple[LeftOut, ...] = ()  # with keep_going: broken deals with no portal

    @property
    def partial(self) -> bool:
        """A kept-going build with broken deals: the output is not a build of the sources."""
        return bool(self.kept or self.left_out)


def build(
    site_dir: Path,
    out: Path | None = None,
    today: dt.date | None = None,
    only: str | None = None,
    protect: bool = True,
    force: bool = False,
    keep_going: bool = False,
) -> BuildReport:
    """Render, protect, audit and write; on any error the previous output stays as it was.

    Each deal goes through its whole pipeline in a worker process (see deal_worker), straight
    into a staging folder; the shared pages, the team dashboard and the leak audit come after,
    and only then does the staging folder replace ``out``. A full build whose inputs are all
    as they were for the output it would replace stops early (unless ``force``). Without
    ``protect`` the output is readable and marked so that deploy refuses it. With
    ``keep_going``, a deal's errors leave that deal out (or keep its last audited portal)
    instead of stopping the build; the report's findings then hold errors.
    """
    if keep_going and only:
        raise MapsiteError("--keep-going builds every deal; it does not go with --only")
    started = time.perf_counter()
    site, findings = load_site(site_dir)
    today = resolve_today(today, site.today)
    if has_errors(findings):
        raise _stopped(findings)
    target = out or site_dir / "output"
    locations, listing = select_deals(site, only)
    findings.extend(listing)
    if has_errors(findings):
        # E.g. a deal folder that is a symlink: the digest of the sources does not see it change.
        raise _stopped(findings)
    changed = last_changed_dates([location.file for location in locations], site.dir)
    secret, created_secret = site_secret(site.dir) if protect else (b"", False)
    # The sources are read once: for the up-to-date digest and for the audit receipt.
    sources = [] if only else source_digests(site.dir)
    read_before = b"" if only else read_digest(site.dir, today, protect, changed, sources)
    last = None if only or force else load_last_build(site_dir, target)
    if (
        last
        and (read_marker(target) or {}).get("inputs") == last.inputs
        and inputs_digest(read_before, site.dir, secret, last.password_names) == last.inputs
    ):
        warnings = tuple(sort_findings([*findings, *last.warnings]))
        seconds = time.perf_counter() - started
        return BuildReport(target, today, last.deals, last.protected, warnings, 0, seconds, up_to_date=True)
    job, _ = start_job(site, today, locations, protect, writes=True, changed=changed)
    staging = output.begin(target, site_dir, only)
    try:
        with _Spools() as spools:
            written = _build_into(staging, job, locations, findings, read_before, spools, keep_going)
    except BaseException:
        output.discard(staging)
        raise
    if job.kdf is not None:
        job.kdf.save(prune=only is None)
    if job.slips is not None:
        save_slips(job.slips)
    built = written.built
    public = sum(1 for outcome in built if outcome.made.public)
    report = BuildReport(
        out=target,
        today=today,
        deals=len(built),
        protected=len(built) - public if protect else 0,
        findings=tuple(sort_findings(written.findings)),
        files_written=written.files,
        seconds=time.perf_counter() - started,
        created_secret=created_secret,
        kept=tuple(written.kept),
        left_out=tuple(written.left_out),
    )
    _record(site_dir, target, protect, only, report, written, sources)
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
    kept: list[KeptDeal] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)

    @property
    def digests(self) -> list[FileDigest]:
        """Every file of the output as written: what the audit receipt vouches for."""
        files = [digest for outcome in self.built for digest in outcome.digests]
        files += [digest for kept in self.kept for digest in kept.digests]
        return files + [page_digest(page.path, page.content) for page in self.shared]


def _record(
    site_dir: Path,
    target: Path,
    protect: bool,
    only: str | None,
    report: BuildReport,
    written: _Written,
    sources: list[FileDigest],
) -> None:
    """What the next build and deploy trust of this one: up to date (a full, clean build only)
    and the audit receipt (a protected build; partial when it kept going past errors).
    ``sources`` are the site's sources as the build read them (none with ``only``)."""
    records = {
        outcome.made.loaded.display: DealRecord(outcome.made.slug or "", output_digest(outcome.digests))
        for outcome in written.built
    }
    if not protect:
        forget_receipt(site_dir, target)
    elif only:
        # The one deal's folder just passed the audit (a later --keep-going may keep it); the
        # output as a whole is not what any audit saw, and record_deal forgets its receipt.
        for source, record in records.items():
            if record.slug == only:
                record_deal(site_dir, target, source, record)
    else:
        # The pages just passed the audit: vouch for them as they were written.
        records |= {kept.display: kept.record for kept in written.kept}
        record_receipt(
            site_dir, target, written.digests, records, complete=not report.partial, sources=sources
        )
    last: LastBuild | None = None
    if not (only or report.partial):
        warnings = tuple(f for f in report.findings if not f.is_error)
        last = LastBuild(written.inputs, written.password_names, report.deals, report.protected, warnings)
    save_last_build(site_dir, target, last)


def _build_into(
    staging: output.Staging,
    job: DealJob,
    locations: list[DealLocation],
    findings: list[Finding],
    read_before: bytes,
    spools: _Spools,
    keep_going: bool = False,
) -> _Written:
    """Every deal into ``staging``, then the shared pages and the audit, then the swap."""
    site, only = job.site, staging.only
    records: list[tuple[str, str]] = []
    _spool_outcomes(job, run_deals(job, staging.parts, locations), spools, records)
    # Read back once the workers are gone: the build never holds every deal's summary beside them.
    kept_outcomes = (pickle.loads(record) for _, record in spools.outcomes.read())
    outcomes = sorted(kept_outcomes, key=lambda outcome: outcome.index)
    if job.protect:
        record_update_keys(site.dir, job.secret, records)
    # An archived deal that was removed claims its slug but has no folder to place.
    removed = {outcome.index for outcome in outcomes if outcome.made.archived == "removed"}
    placed = {slug: index for slug, index in _place(outcomes, findings).items() if index not in removed}
    findings = _deal_errors(outcomes, list(dict.fromkeys(findings)), keep_going)
    if only and any(outcome.made.slug == only for outcome in outcomes if outcome.index in removed):
        raise MapsiteError(
            f"the deal '{only}' is archived (archived: removed): it has no portal to rebuild",
            hint="run mapsite build (without --only) to take its portal out of the output",
        )
    if only and only not in placed:
        raise _stopped([*findings, no_such_deal(only)])
    built = _published(outcomes, placed)
    rows = [outcome.made.status for outcome in built if outcome.made.status] if only is None else None
    shared, weak = shared_pages(job, rows, sealed_deals=any(not outcome.made.public for outcome in built))
    if weak:
        raise _stopped(weak)
    # The dashboard is drawn. The deals' status rows were half of what the build holds of its
    # deals, and they go now: the audit below is when the build holds the most.
    del rows
    outcomes = [replace(outcome, made=replace(outcome.made, status=None)) for outcome in outcomes]
    built = _published(outcomes, placed)
    done = {outcome.index for outcome in built} | removed
    broken = [outcome for outcome in outcomes if outcome.index not in done] if keep_going else []
    taken = {(outcome.made.slug or "").casefold(): outcome.made.loaded.display for outcome in built}
    kept, left_out = keep_broken(staging, site.dir, broken, taken, shared) if broken else ([], [])
    # A kept portal still needs the assets it links to; they are audited like the deals' files,
    # not taken as public text that would hide a needle.
    carried = output.read_assets(staging.out, shared) if kept else []
    if job.protect:
        chosen = {outcome.index for outcome in built}
        files = [(page.path, scannable(page.path, page.content)) for deal in kept for page in deal.pages]
        files += [(page.path, page.content) for page in carried]
        shown = [n for outcome in built if outcome.made.public for n in outcome.made.needles]
        spooled = spools.scan.read(lambda key: key[0] in chosen)
        scan = chain(((path, content) for (_, path), content in spooled), files)
        leak_audit(job, needle_batches(spools.needles, chosen), shown, scan, shared)
    shared = [*shared, *carried]
    marker: dict = {"generator": "mapsite", "protected": job.protect, "today": job.today.isoformat()}
    deal_files = sum(outcome.files for outcome in built)
    if only:
        # The other deals stay as they were: the output is protected only if they were too.
        previous = read_marker(staging.out)
        marker["protected"] = job.protect and (previous is None or bool(previous.get("protected")))
        written = output.finish_deal(staging, placed[only], shared, marker)
        return _Written(built, findings, written + deal_files, shared)
    if broken:
        # Never up to date: the next build reads the deals again, whatever changed.
        marker["complete"] = False
        written = output.finish_site(staging, placed, shared, marker)
        return _Written(built, findings, written + deal_files, shared, kept=kept, left_out=left_out)
    names = {name for outcome in built for name in outcome.made.password_names}
    names |= {entry.password_env for entry in site.team_access if entry.password_env}
    password_names = tuple(sorted(names))
    marker["inputs"] = inputs_digest(read_before, site.dir, job.secret, password_names)
    written = output.finish_site(staging, placed, shared, marker)
    return _Written(built, findings, written + deal_files, shared, marker["inputs"], password_names)


@dataclass
class _Spools:
    """What a build learns of each deal as it arrives and uses once the last is in, on disk:
    the readable bytes the audit scans (keyed by deal index and path), a protected deal's
    needles (index and count), and the deal's outcome, made small (see pipeline/spool.py)."""

    scan: Spool[tuple[int, str]] = field(default_factory=Spool)
    needles: Spool[tuple[int, int]] = field(default_factory=Spool)
    outcomes: Spool[int] = field(default_factory=Spool)

    def __enter__(self) -> _Spools:
        return self

    def __exit__(self, *exc_info: object) -> None:
        for spool in (self.scan, self.needles, self.outcomes):
            spool.close()


def _spool_outcomes(
    job: DealJob, outcomes: Iterable[DealOutcome], spools: _Spools, records: list[tuple[str, str]]
) -> None:
    """Each outcome as it arrives, taken apart into ``spools`` and the run's own state.

    What the audit scans of it and a protected deal's needles (a public deal's stay: they are
    what it shows as its own) go to their spools; what the worker worked out for ``.mapsite/``
    (KDF results, slip histories) is merged into the job's caches now, its update key appended
    to ``records``. What is left, the deal's summary, is spooled too.
    """
    for outcome in outcomes:
        made = outcome.made
        for path, content in outcome.scannable:
            spools.scan.add((outcome.index, path), content)
        if not made.public:
            spool_needles(spools.needles, outcome.index, made.needles)
        if job.kdf is not None:
            job.kdf.merge(made.kdf_fresh, made.kdf_used)
        if job.slips is not None:
            job.slips.fresh.update(made.slips_fresh)
        if made.update_record:
            records.append(made.update_record)
        made = replace(
            made,
            needles=made.needles if made.public else (),
            kdf_fresh={},
            kdf_used=(),
            slips=NO_SLIPS,
            slips_fresh={},
            update_record=None,
        )
        spools.outcomes.add(outcome.index, pickle.dumps(replace(outcome, scannable=(), made=made)))


def _stopped(findings: list[Finding]) -> MapsiteError:
    errors = [f for f in findings if f.is_error]
    return MapsiteError(
        f"build stopped: {len(errors)} error{'s' if len(errors) != 1 else ''}; "
        "the previous output was left untouched",
        findings,
    )


def _deal_errors(outcomes: list[DealOutcome], findings: list[Finding], keep_going: bool) -> list[Finding]:
    """Stop on the deals' errors, or (``keep_going``) add them to the findings and go on.

    ``findings`` are deduplicated: a broken theme fails every deal the same way. A login page
    the theme cannot draw stops the build either way: it fails every deal.
    """
    if has_errors(findings) and not keep_going:
        raise _stopped(findings)
    for outcome in outcomes:
        if outcome.made.failure:
            raise outcome.made.failure
    if keep_going:
        return findings + [_unlockable(outcome) for outcome in outcomes if outcome.made.missing_passwords]
    if problems := [problem for outcome in outcomes for problem in outcome.made.missing_passwords]:
        raise missing_passwords(problems)  # one error naming every password not set
    return findings


def _unlockable(outcome: DealOutcome) -> Finding:
    """A deal whose passwords are not set, as an error of that deal (``--keep-going``)."""
    error = missing_passwords(list(outcome.made.missing_passwords))
    return Finding(outcome.made.loaded.display, None, "error", error.message, error.hint)


def _place(outcomes: list[DealOutcome], findings: list[Finding]) -> dict[str, int]:
    """Each slug's part; a second deal claiming a slug is an error at its ``slug:`` line."""
    findings.extend(f for outcome in outcomes for f in outcome.made.findings)
    clean: list[DealOutcome] = []
    for outcome in outcomes:
        if stray := _stray_page(outcome):
            findings.append(stray)
        else:
            clean.append(outcome)
    kept, duplicates = claimed(outcome.made for outcome in clean)
    findings.extend(duplicates)
    index_of = {id(outcome.made): outcome.index for outcome in clean}
    return {deal.slug: index_of[id(deal)] for deal in kept if deal.slug}


def _published(outcomes: list[DealOutcome], placed: dict[str, int]) -> list[DealOutcome]:
    """The outcomes that are their slug's deal: what the build publishes."""
    return [outcome for outcome in outcomes if placed.get(outcome.made.slug or "") == outcome.index]


def _stray_page(outcome: DealOutcome) -> Finding | None:
    """A deal's file outside ``<slug>/``, or two at one path: refused, whatever produced them.

    The loader already refuses what could cause either; this holds even if something slips past
    it, since a deal's file outside its folder could replace the site's own, such as unlock.js,
    and a second file at a page's path would replace the page. Case-folded, as a host may be.
    """
    prefix = f"{outcome.made.slug}/"
    seen: set[str] = set()
    for path, _size, _sha in outcome.digests:
        if not path.startswith(prefix) or safe_relpath(path) != path:
            return Finding(
                outcome.made.loaded.display,
                None,
                "error",
                f"the deal would publish '{path}', outside its folder output/{prefix}; nothing was written",
                "this is a mapsite bug: please report it with the deal's files",
            )
        if path.casefold() in seen:
            return Finding(
                outcome.made.loaded.display,
                None,
                "error",
                f"two files of the deal would be published at '{path}'; one would replace the other",
                "rename one of the deal's files",
            )
        seen.add(path.casefold())
    return None
