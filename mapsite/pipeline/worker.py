"""One deal from its file to its sealed pages on disk, run for many deals on every core.

A deal's pages depend on that deal, the site and the theme only, so each deal is loaded,
planned, rendered, sealed and written on its own, in a worker process. Nothing but a small
summary comes back (findings, the dashboard's status row, the deal's needles for the leak
audit, the few plaintext bytes the audit must scan), so a build's memory does not grow with
the number of deals, and its time divides by the number of cores.

Workers are forked after the build has read what every deal needs (site, theme, secret, share
links, KDF cache): they inherit it instead of reading it again.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from mapsite.errors import Finding, MapsiteError, has_errors
from mapsite.pipeline.load import LoadedDeal, load_deal
from mapsite.pipeline.protect import shell_renderer
from mapsite.protect.audit import Needle, deal_needles, scannable
from mapsite.protect.kdf import KdfCache
from mapsite.protect.keys import derive_deal_keys, missing_passwords, resolve_passwords
from mapsite.protect.seal import seal_deal
from mapsite.protect.secrets import Share
from mapsite.protect.strength import weak_password_findings
from mapsite.read.site import Site
from mapsite.render.pages import Page, RenderError, render_deal
from mapsite.render.theme import Theme
from mapsite.schedule.plan import build_plan
from mapsite.schedule.status import DealStatus, deal_status
from mapsite.write.output import write_pages
from mapsite.write.receipt import FileDigest, page_digest

WORKERS_ENV = "MAPSITE_WORKERS"
# Below this many deals per worker, starting processes costs more than it saves.
MIN_DEALS_PER_WORKER = 4


@dataclass(frozen=True)
class DealJob:
    """What every deal of a build shares; ``parts`` is where each deal's folder is written."""

    site: Site
    theme: Theme
    today: dt.date
    parts: Path
    changed: dict[Path, dt.date]
    protect: bool = False
    secret: bytes = b""
    shares: tuple[Share, ...] = ()
    kdf: KdfCache | None = None
    unlock_path: str = ""
    read_before: bytes = b""  # the sources' digest, taken before any deal was read


@dataclass(frozen=True)
class DealOutcome:
    """What the build needs to know about one deal once its pages are on disk."""

    index: int
    loaded: LoadedDeal  # without its Deal: the build keeps no deal in memory
    slug: str | None = None
    public: bool = False
    findings: tuple[Finding, ...] = ()
    status: DealStatus | None = None
    needles: tuple[Needle, ...] = ()
    scannable: tuple[tuple[str, bytes], ...] = ()
    files: int = 0
    digests: tuple[FileDigest, ...] = ()  # for the audit receipt: no need to read them back
    missing_passwords: tuple[MapsiteError, ...] = ()  # errors pickle whole, findings and hint included
    password_names: tuple[str, ...] = ()
    failure: MapsiteError | None = None
    kdf_fresh: dict[str, str] = field(default_factory=dict)
    kdf_used: tuple[str, ...] = ()


Source = tuple[Path, Path, str]  # main file, deal folder, default slug


def run_deals(job: DealJob, sources: list[Source]) -> Iterator[DealOutcome]:
    """Outcomes in any order; ``MAPSITE_WORKERS`` caps the processes (1: all in this one)."""
    workers = _workers(len(sources))
    items = list(enumerate(sources))
    if workers <= 1:
        yield from (build_deal(job, index, source) for index, source in items)
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_adopt, initargs=(job,)) as pool:
        yield from pool.imap_unordered(_build_in_worker, items, chunksize=2)


def _workers(deals: int) -> int:
    wanted = os.environ.get(WORKERS_ENV, "").strip()
    if wanted:
        try:
            return max(1, int(wanted))
        except ValueError:
            raise MapsiteError(f"{WORKERS_ENV} must be a whole number, not '{wanted}'") from None
    return max(1, min(os.cpu_count() or 1, deals // MIN_DEALS_PER_WORKER))


_job: DealJob | None = None


def _adopt(job: DealJob) -> None:
    global _job
    _job = job
    if job.kdf is not None:
        job.kdf.parallel = False  # one worker per core already


def _build_in_worker(item: tuple[int, Source]) -> DealOutcome:
    assert _job is not None, "worker started without its job"
    return build_deal(_job, *item)


def build_deal(job: DealJob, index: int, source: Source) -> DealOutcome:
    """Load, plan, render, seal and write one deal into ``job.parts/<index>/``."""
    path, root, default_slug = source
    loaded = load_deal(job.site, job.today, path, root, default_slug, job.changed.get(path), True)
    deal = loaded.deal
    summary = LoadedDeal(loaded.display, None, (), loaded.slug_line)
    if deal is None or has_errors(loaded.findings):
        return DealOutcome(index, summary, slug=deal.slug if deal else None, findings=loaded.findings)
    protected = job.protect and not deal.public
    outcome = DealOutcome(index, summary, deal.slug, deal.public, loaded.findings)
    try:
        rendered = render_deal(deal, build_plan(deal, job.today), job.site, job.theme, protected)
    except RenderError as exc:
        return replace(outcome, findings=(*loaded.findings, exc.finding))
    findings = (*loaded.findings, *rendered.findings)
    pages = list(rendered.pages)
    outcome = replace(outcome, findings=findings, status=deal_status(deal, job.today))
    if protected:
        names = tuple(entry.password_env for entry in deal.access if entry.password_env)
        outcome = replace(outcome, password_names=names)
        _passwords, problems = resolve_passwords(deal, job.site.root)
        if weak := weak_password_findings(problems):
            return replace(outcome, findings=(*findings, *weak))  # errors at their access entries
        if problems:
            return replace(outcome, missing_passwords=tuple(problems))
        kdf = job.kdf
        assert kdf is not None, "a protected build has a KDF cache"
        kdf.fresh, kdf.used = {}, set()
        try:
            keys = derive_deal_keys([deal], job.site.root, job.secret, job.today, kdf, list(job.shares))
            shell = shell_renderer(job.site, job.theme, job.unlock_path)
            pages = seal_deal(pages, keys[deal.slug], shell, job.site.remember_days, job.today.isoformat())
        except MapsiteError as exc:
            return replace(outcome, failure=exc)
        outcome = replace(
            outcome, needles=tuple(deal_needles(deal)), kdf_fresh=dict(kdf.fresh), kdf_used=tuple(kdf.used)
        )
    if job.protect and deal.public:
        # What a public deal shows as its own is no leak of a protected one (see the audit).
        outcome = replace(outcome, needles=tuple(deal_needles(deal)))
    folder = job.parts / str(index)
    prefix = f"{deal.slug}/"
    written = write_pages((Page(p.path.removeprefix(prefix), p.content) for p in pages), folder)
    audited = tuple((p.path, scannable(p.path, p.content)) for p in pages)
    digests = tuple(page_digest(p.path, p.content) for p in pages)
    return replace(outcome, files=written, scannable=audited, digests=digests)


def raise_for_passwords(outcomes: list[DealOutcome]) -> None:
    """One error naming every password that is not set, across all deals."""
    problems = [problem for outcome in outcomes for problem in outcome.missing_passwords]
    if problems:
        raise missing_passwords(problems)
