"""Time and peak memory of a whole command, worker processes included.

A build may fan out to worker processes, so the peak resident memory of the parent alone
would flatter it: the sampler sums the RSS of the process and all its descendants every few
milliseconds, read from ``/proc`` (Linux only, like the benchmarks' machine).

The sampler runs beside what it measures, on the same cores, so it must cost next to nothing.
Finding the descendants means reading every process's ``stat`` (this kernel has no
``/proc/PID/task/TID/children``): 1.5 ms of CPU on this machine. Done every 10 ms, that took
13% of a core from the measured command, which a tool using every core (mapsite's workers,
Hugo) paid and a one-core tool (MkDocs) did not. So the tree is looked up every 100 ms, and
in between only the known processes' ``statm`` is read.
"""

from __future__ import annotations

import itertools
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SAMPLE_EVERY_S = 0.01
FIND_PROCESSES_EVERY = 10  # samples: a new worker is counted within 100 ms of its start
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss_mb: float
    stdout: str


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def _rss_kb(pid: int) -> int:
    """``pid``'s resident memory in KiB (VmRSS), 0 once it has exited."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * PAGE_KB
    except (OSError, IndexError, ValueError):
        return 0


def descendants(root: int) -> list[int]:
    """``root`` and every process below it."""
    tree = _children()
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(tree.get(pid, []))
    return found


def run_measured(
    command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 1800
) -> Run:
    """Run ``command`` to completion; a failure stops the benchmark with the command's output."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        text=True,
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        processes: list[int] = []
        for count in itertools.count():
            if done.is_set():
                return
            if count % FIND_PROCESSES_EVERY == 0:
                processes = descendants(process.pid)
            peak = max(peak, sum(_rss_kb(pid) for pid in processes))
            done.wait(SAMPLE_EVERY_S)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        output, _ = process.communicate(timeout=timeout)
    finally:
        done.set()
        sampler.join()
        if process.poll() is None:
            process.kill()
            process.wait()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{output}")
    return Run(seconds, round(peak / 1024, 1), output)


def run_mapsite(site: Path, env: dict[str, str], *args: str) -> tuple[float, str]:
    """Seconds and stdout of one ``mapsite`` command on ``site``; a failure stops the benchmark."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "mapsite", *args, "--site", str(site)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=1800,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"mapsite {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return seconds, result.stdout


def median_of(runs: int, measure: Callable[[], Run], before: Callable[[], object] | None = None) -> dict:
    """Median time and the highest peak memory over ``runs`` runs; ``before`` resets state each time."""
    samples = []
    for _ in range(runs):
        if before is not None:
            before()
        samples.append(measure())
    return _summary(samples)


def interleaved(runs: int, measures: dict[str, Callable[[], Run]]) -> dict:
    """Each of ``measures`` once per round, ``runs`` rounds, the order turned each round.

    Two tools timed minutes apart see a machine of different speeds (this one drifts by tens
    of percent); timed in turns, each ratio of one round compares runs seconds apart. Returns
    each measure's summary, and under ``ratios`` the median over the rounds of each measure's
    time over the first one's (``{"b/a": ...}``).
    """
    names = list(measures)
    samples: dict[str, list[Run]] = {name: [] for name in names}
    for round_ in range(runs):
        turn = round_ % len(names)
        for name in names[turn:] + names[:turn]:
            samples[name].append(measures[name]())
    first = names[0]
    ratios = {}
    for name in names[1:]:
        pairs = zip(samples[first], samples[name], strict=True)
        ratios[f"{first}/{name}"] = round(statistics.median(a.seconds / b.seconds for a, b in pairs), 3)
    return {**{name: _summary(runs_of) for name, runs_of in samples.items()}, "ratios": ratios}


def _summary(samples: list[Run]) -> dict:
    return {
        "median_s": round(statistics.median(s.seconds for s in samples), 3),
        "min_s": round(min(s.seconds for s in samples), 3),
        "max_s": round(max(s.seconds for s in samples), 3),
        "peak_rss_mb": max(s.peak_rss_mb for s in samples),
        "runs": len(samples),
    }
