"""Start-up: ``mapsite --help`` and ``mapsite --version`` against a bare ``python -c pass``.

Every command pays the start-up, and it is most of a no-op deploy or a nothing-changed build.
The three are run interleaved, many times, as the installed ``mapsite`` script a rep types, and
compared as medians of the same run, so a loaded machine slows all three alike. Both wall-clock
time and CPU time (user + system of the child) are kept; the target is on wall-clock time.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

SCRIPT = Path(sys.executable).with_name("mapsite")


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu


def measure_startup(runs: int) -> dict:
    """Median milliseconds of each command and its ratio to ``python -c pass``."""
    commands = {
        "python_pass": [sys.executable, "-c", "pass"],
        "help": [str(SCRIPT), "--help"],
        "version": [str(SCRIPT), "--version"],
    }
    env = {**os.environ, "COLUMNS": "80"}
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(_timed(command, env))
    result: dict = {"runs": runs}
    for name, values in samples.items():
        result[f"{name}_ms"] = round(statistics.median(w for w, _ in values) * 1000, 1)
        result[f"{name}_cpu_ms"] = round(statistics.median(c for _, c in values) * 1000, 1)
    for name in ("help", "version"):
        result[f"{name}_ratio"] = round(result[f"{name}_ms"] / result["python_pass_ms"], 2)
        result[f"{name}_cpu_ratio"] = round(result[f"{name}_cpu_ms"] / result["python_pass_cpu_ms"], 2)
    return result


if __name__ == "__main__":
    print(measure_startup(int(sys.argv[1]) if len(sys.argv) > 1 else 31))
