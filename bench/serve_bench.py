"""Live-preview benchmark: from saving one deal file to its rebuilt page, on disk and in the browser.

``python -m bench.serve_bench`` starts ``mapsite serve`` on generated sites of 100 and 1,000
deals and saves one deal 20 times for each of two events: the rebuilt page lands in the
preview's folder with the new title, and Chromium, showing that page, displays the new title
(the preview's LiveReload client reloads it). Compare the sizes: a save rebuilds one deal, so the
latency should not grow with the number of deals. Both include the preview's 100 ms quiet window
that merges an editor's burst of save events into one rebuild. Then ``serve --protect`` on the
same site: the first save of each of five other deals, as the preview times its rebuild (the deal
sealed and the save's leak audit; a preview kept its audit's search for the deals saved before).
``--quick`` checks the benchmark itself on small sites with a few edits.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bench.corpus import write_corpus
from bench.machine import machine

REPO = Path(__file__).resolve().parent.parent
EDITS = 20
SIZES = (100, 1000)
QUICK_SIZES = (20, 50)
QUICK_EDITS = 4
TODAY = "2027-02-22"
DEAL = "deal-0001"
FIRST_SAVES = 5  # serve --protect: deals saved once each
# After a reload the page's client opens a new LiveReload socket; a save before it is connected
# would go unseen, so each edit waits this long after the page has loaded.
SETTLE_S = 0.5
BROWSER_ARGS = ["--disable-gpu", "--no-first-run", "--disable-background-networking"]
T = TypeVar("T")


def wait_for(predicate: Callable[[], T], timeout: float, step: float = 0.001) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise TimeoutError("condition not met in time")


@dataclass(frozen=True)
class Preview:
    url: str  # where the preview serves the site
    token: str  # the token of its printed URL, which lets a browser in
    out: Path  # the temporary folder it writes pages into
    log: Path


@contextmanager
def running_preview(site: Path, scratch: Path, protect: dict[str, str] | None = None) -> Iterator[Preview]:
    """``mapsite serve`` on ``site``, ready for edits; its temporary folder is made in ``scratch``.

    With ``protect`` (the deals' passwords), ``serve --protect``: sealed pages, a leak audit per save.
    """
    log = scratch / "serve.log"
    command = [sys.executable, "-m", "mapsite", "serve", "--site", str(site), "--port", "0", "--today", TODAY]
    if protect is not None:
        command.append("--protect")
    with log.open("w") as sink:
        # The preview folder is a mkdtemp(): TMPDIR puts it where the benchmark can find it.
        env = {**os.environ, **(protect or {}), "TMPDIR": str(scratch)}
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env)
    try:
        url = wait_for(
            lambda: re.search(r"at (http://127\.0\.0\.1:\d+/)\?token=([\w-]+)", log.read_text()), 900, 0.2
        )
        wait_for(lambda: "Watching for changes" in log.read_text(), 60, 0.05)
        (out,) = scratch.glob("mapsite-preview-*")
        yield Preview(url.group(1), url.group(2), out, log)
    finally:
        process.terminate()
        process.wait(timeout=30)


def save(deal: Path, original: str, marker: str) -> float:
    """Write the deal with ``marker`` leading its title; returns when the save started."""
    text = original.replace('title: "', f'title: "{marker} ', 1)
    started = time.perf_counter()
    deal.write_text(text, "utf-8")
    return started


def landed(page: Path, marker: bytes) -> Callable[[], bool]:
    """True once ``page`` holds ``marker``; the file is read only when its stat changed."""
    seen = None

    def check() -> bool:
        nonlocal seen
        try:
            stat = page.stat()
        except FileNotFoundError:
            return False
        key = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if key == seen:
            return False
        seen = key
        return marker in page.read_bytes()

    return check


def disk_times(deal: Path, original: str, page: Path, edits: int) -> list[float]:
    """Save -> the rebuilt page is in the preview's folder with the new text."""
    samples = []
    for edit in range(edits):
        marker = f"Disk{edit:03d}"
        started = save(deal, original, marker)
        wait_for(landed(page, marker.encode()), 30)
        samples.append(time.perf_counter() - started)
        time.sleep(0.2)
    return samples


def browser_times(deal: Path, original: str, url: str, edits: int) -> list[float]:
    """Save -> Chromium, showing the deal's page, displays the new title after its reload."""
    from playwright.sync_api import sync_playwright

    samples = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=BROWSER_ARGS)
        try:
            page = browser.new_context().new_page()
            page.goto(url)
            for edit in range(edits):
                page.wait_for_load_state("load")
                time.sleep(SETTLE_S)
                marker = f"Browser{edit:03d}"  # fixed width: no marker is part of another
                started = save(deal, original, marker)
                page.locator("h1", has_text=marker).wait_for(state="visible", timeout=30_000)
                samples.append(time.perf_counter() - started)
        finally:
            browser.close()
    return samples


def first_saves(site: Path, scratch: Path, passwords: dict[str, str], count: int) -> list[int]:
    """``serve --protect``: the first save of each of ``count`` deals, as the preview times its
    rebuild (the deal sealed, and the save's leak audit against every other deal's needles)."""
    samples = []
    scratch.mkdir()
    with running_preview(site, scratch, protect=passwords) as preview:
        for index in range(2, 2 + count):  # deal-0002...: files of their own (every tenth is a folder)
            slug = f"deal-{index:04d}"
            deal = site / "content" / "deals" / f"{slug}.md"
            save(deal, deal.read_text("utf-8"), f"First{index:03d}")
            samples.append(_reported(preview.log, slug))
            time.sleep(0.2)
    return samples


def _reported(log: Path, slug: str) -> int:
    """The rebuild time the preview reports for ``slug``'s next save, in ms."""
    pattern = re.compile(rf"rebuilt {slug} in (\d+) ms")
    found = wait_for(lambda: pattern.search(log.read_text()), 60, 0.01)
    assert found is not None, "wait_for returns what it waited for"
    return int(found.group(1))


def rebuild_ms(log: Path) -> float | None:
    """Median of the rebuild times the preview reports itself (after the quiet window)."""
    times = [int(ms) for ms in re.findall(rf"rebuilt {DEAL} in (\d+) ms", log.read_text())]
    return statistics.median(times) if times else None


def measure_size(count: int, edits: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        passwords = write_corpus(site, count)
        deal = site / "content" / "deals" / f"{DEAL}.md"
        original = deal.read_text("utf-8")
        with running_preview(site, Path(tmp)) as preview:
            disk = disk_times(deal, original, preview.out / DEAL / "index.html", edits)
            browser = browser_times(deal, original, f"{preview.url}{DEAL}/?token={preview.token}", edits)
            rebuild = rebuild_ms(preview.log)
        firsts = first_saves(site, Path(tmp) / "protected", passwords, FIRST_SAVES)
    return {
        "deals": count,
        "disk_median_ms": round(statistics.median(disk) * 1000, 1),
        "disk_max_ms": round(max(disk) * 1000, 1),
        "browser_median_ms": round(statistics.median(browser) * 1000, 1),
        "browser_max_ms": round(max(browser) * 1000, 1),
        "rebuild_median_ms": rebuild,
        "protected_first_save_median_ms": statistics.median(firsts),
        "protected_first_save_max_ms": max(firsts),
    }


def measure_serve(sizes: tuple[int, ...] = SIZES, edits: int = EDITS) -> dict:
    """Rows per site size, and the disk latency of the largest size over the smallest's
    (key ``disk_ratio_1000_over_100`` with the default sizes)."""
    rows = [measure_size(count, edits) for count in sizes]
    first, last = rows[0], rows[-1]
    ratio = round(last["disk_median_ms"] / first["disk_median_ms"], 2)
    return {"edits": edits, "sizes": rows, f"disk_ratio_{last['deals']}_over_{first['deals']}": ratio}


def print_table(results: dict) -> None:
    heads = (("deals", 6), ("disk median", 13), ("disk max", 10), ("browser median", 16), ("browser max", 13))
    print("".join(f"{head:>{width}}" for head, width in heads) + f"{'rebuild':>9}{'protected 1st':>15}")
    for row in results["sizes"]:
        print(
            f"{row['deals']:>6}{row['disk_median_ms']:>10} ms{row['disk_max_ms']:>7} ms"
            f"{row['browser_median_ms']:>13} ms{row['browser_max_ms']:>10} ms{row['rebuild_median_ms']:>6} ms"
            f"{row['protected_first_save_median_ms']:>12} ms"
        )
    for key, value in results.items():
        if key.startswith("disk_ratio_"):
            print(f"{key}: {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sites and a few edits")
    quick = parser.parse_args().quick
    results = measure_serve(QUICK_SIZES, QUICK_EDITS) if quick else measure_serve()
    results["machine"] = machine()
    print_table(results)


if __name__ == "__main__":
    main()
