"""Time and peak memory of a whole command, worker processes included.

A build may fan out to worker processes, so the peak resident memory of the parent alone
would flatter it: the sampler sums the RSS of the process and all its descendants every few
milliseconds, read from ``/proc`` (Linux only, like the benchmarks' machine).
"""

from __future__ import annotations

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
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(root: int) -> int:
    """Resident memory of ``root`` and every process below it, in KiB."""
    tree = _children()
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _rss_kb(pid)
        stack.extend(tree.get(pid, []))
    return total


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
        while not done.is_set():
            peak = max(peak, tree_rss_kb(process.pid))
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
