"""The build's deals made on every core, each written straight to disk by its worker.

A deal's pages depend on that deal, the site and the theme only, so each deal goes through
``make_deal`` and is written on its own, in a worker process. Nothing but a small
summary comes back (findings, the dashboard's status row, the deal's needles for the leak
audit, the few plaintext bytes the audit must scan), so a build's memory does not grow with
the number of deals, and its time divides by the number of cores.

Workers are forked after the build has read what every deal needs (site, theme, secret, share
links, KDF cache): they inherit it instead of reading it again. What they inherit is frozen out
of the cyclic garbage collector's reach first (``gc.freeze``, as the ``gc`` documentation advises
before a fork): it is never garbage, yet each of a worker's full collections walked all of it
(about 45,000 objects), 20 ms a time against 2 ms frozen, and touched every page it lives on.

The workers are a ``concurrent.futures`` process pool, not ``multiprocessing.Pool``: that pool's
worker-minding thread waits on the results pipe as well as on the workers, so while a deal's
outcome sits unread it loops without blocking. At 1,000 bench deals that thread alone took
0.6 s of CPU from the two cores the workers need (measured from ``/proc/self/task``).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path

from mapsite.errors import MapsiteError
from mapsite.pipeline.deal import DealJob, DealPages, make_deal
from mapsite.pipeline.find import DealLocation
from mapsite.protect.audit import scannable
from mapsite.render.pages import Page
from mapsite.write.output import write_pages
from mapsite.write.receipt import FileDigest, page_digest

WORKERS_ENV = "MAPSITE_WORKERS"
# Below this many deals per worker, starting processes costs more than it saves.
MIN_DEALS_PER_WORKER = 4
# Deals handed to a worker at a time: fewer round trips, and still a fair share of the last ones.
DEALS_PER_TASK = 2
# Tasks handed out ahead per worker: one to work on, more waiting so that no worker waits.
TASKS_PER_WORKER = 3


@dataclass(frozen=True)
class DealOutcome:
    """What the build needs to know about one deal once its pages are on disk."""

    index: int
    made: DealPages  # without its Deal and pages: the build keeps no deal in memory
    files: int = 0
    scannable: tuple[tuple[str, bytes], ...] = ()  # the readable bytes the leak audit scans
    digests: tuple[FileDigest, ...] = ()  # for the audit receipt: no need to read them back


def run_deals(job: DealJob, parts: Path, locations: list[DealLocation]) -> Iterator[DealOutcome]:
    """Outcomes in any order, each deal written to ``parts/<index>/``; ``MAPSITE_WORKERS`` caps
    the processes (1: all in this one)."""
    workers = _workers(len(locations))
    items = list(enumerate(locations))
    if workers <= 1:
        yield from (write_deal(job, parts, index, location) for index, location in items)
        return
    job.theme.compile_all()
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_adopt, initargs=(job, parts))
    tasks = (items[start : start + DEALS_PER_TASK] for start in range(0, len(items), DEALS_PER_TASK))
    try:
        # A few tasks per worker in flight, the next handed out as one comes back: the build
        # holds a handful of deals' tasks and outcomes at a time, not one of each per deal.
        first = islice(tasks, TASKS_PER_WORKER * workers)
        gc.freeze()  # the first submit forks every worker (a fork pool starts them all at once)
        try:
            running = {pool.submit(_write_in_worker, task) for task in first}
        finally:
            gc.unfreeze()  # this process goes on (serve builds again and again): its garbage is collected
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            while done:  # taken out one at a time: one handed over is let go of
                finished = done.pop()
                if (task := next(tasks, None)) is not None:
                    running.add(pool.submit(_write_in_worker, task))
                yield from finished.result()
    except BrokenProcessPool:  # from a result, or from handing out a task once the pool is broken
        raise MapsiteError(
            "a build worker process stopped before its deals were made (out of memory, or "
            "killed); the previous output was left untouched",
            hint=f"run the build again; {WORKERS_ENV}=1 builds every deal in one process",
        ) from None
    finally:
        # A deal that failed, or a build stopped early, leaves no deal waiting for a worker.
        pool.shutdown(wait=True, cancel_futures=True)


def _workers(deals: int) -> int:
    wanted = os.environ.get(WORKERS_ENV, "").strip()
    if wanted:
        try:
            return max(1, int(wanted))
        except ValueError:
            raise MapsiteError(f"{WORKERS_ENV} must be a whole number, not '{wanted}'") from None
    return max(1, min(os.cpu_count() or 1, deals // MIN_DEALS_PER_WORKER))


_job: tuple[DealJob, Path] | None = None


def _adopt(job: DealJob, parts: Path) -> None:
    global _job
    _job = job, parts
    if job.kdf is not None:
        job.kdf.parallel = False  # one worker per core already


def _write_in_worker(items: list[tuple[int, DealLocation]]) -> list[DealOutcome]:
    assert _job is not None, "worker started without its job"
    return [write_deal(*_job, *item) for item in items]


def write_deal(job: DealJob, parts: Path, index: int, location: DealLocation) -> DealOutcome:
    """Make one deal (see ``make_deal``) and write its pages into ``parts/<index>/``."""
    made = make_deal(job, location)
    pages = made.pages
    summary = replace(made, loaded=replace(made.loaded, deal=None), pages=())
    if not made.made:
        return DealOutcome(index, summary)
    prefix = f"{made.slug}/"
    written = write_pages((Page(p.path.removeprefix(prefix), p.content) for p in pages), parts / str(index))
    audited = tuple((p.path, scannable(p.path, p.content)) for p in pages)
    digests = tuple(page_digest(p.path, p.content) for p in pages)
    return DealOutcome(index, summary, written, audited, digests)
