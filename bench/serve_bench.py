"""Live-preview benchmark: time from saving one deal file to its rebuilt page being served.

``python -m bench.serve_bench`` starts ``mapsite serve`` on generated sites of 100 and 1,000
deals, edits one deal 20 times, and measures each save until the preview serves the new text
(median). Compare the two sizes: the latency should not grow with the number of deals.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.corpus import write_corpus

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results" / "serve.json"
EDITS = 20
SIZES = (100, 1000)


def wait_for(predicate, timeout: float, step: float = 0.002):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise TimeoutError("condition not met in time")


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def measure(count: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        write_corpus(site, count)
        log = Path(tmp) / "serve.log"
        with log.open("w") as sink:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "mapsite",
                    "serve",
                    "--site",
                    str(site),
                    "--port",
                    "0",
                    "--today",
                    "2027-02-22",
                ],
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        try:
            url = wait_for(
                lambda: re.search(r"at (http://127\.0\.0\.1:\d+/)", log.read_text()), timeout=600, step=0.2
            ).group(1)
            wait_for(lambda: "Watching for changes" in log.read_text(), timeout=60, step=0.05)
            deal = site / "content" / "deals" / "deal-0001.md"
            original = deal.read_text("utf-8")
            samples = []
            for edit in range(EDITS):
                marker = f"Benchmark edit {edit}"
                text = original.replace('title: "', f'title: "{marker} ', 1)
                started = time.perf_counter()
                deal.write_text(text, "utf-8")
                wait_for(lambda m=marker: m in fetch(f"{url}deal-0001/"), timeout=30)
                samples.append(time.perf_counter() - started)
                time.sleep(0.2)
        finally:
            process.terminate()
            process.wait(timeout=30)
    return {
        "deals": count,
        "median_ms": round(statistics.median(samples) * 1000, 1),
        "max_ms": round(max(samples) * 1000, 1),
    }


def main() -> None:
    rows = [measure(count) for count in SIZES]
    ratio = round(rows[1]["median_ms"] / rows[0]["median_ms"], 2)
    results = {"edits": EDITS, "sizes": rows, "ratio_1000_over_100": ratio}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    print(f"{'deals':>6}{'median (ms)':>14}{'max (ms)':>11}")
    for row in rows:
        print(f"{row['deals']:>6}{row['median_ms']:>14}{row['max_ms']:>11}")
    print(f"1,000 / 100 deals: {ratio}")


if __name__ == "__main__":
    main()
