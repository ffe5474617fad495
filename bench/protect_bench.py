"""Protection benchmark: cold and warm protected builds, and unlock time in Chromium.

Run from the repo: ``python -m bench.protect_bench`` (needs the test environment: chromium and
Playwright). Prints a table and writes ``bench/results/protect.json``. Times are medians of
several runs measured here, in one run; compare ratios, not absolute seconds, across machines.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.corpus import write_corpus
from bench.machine import machine

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results" / "protect.json"
RUNS = 3
UNLOCKS = 5
TODAY = "2027-02-22"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


def demo_passwords() -> dict[str, str]:
    pairs = (line.split("=", 1) for line in (REPO / "demo-passwords.env").read_text().splitlines())
    return {name: value for name, *rest in pairs if not name.startswith("#") and rest for value in rest}


def timed_build(site: Path, env: dict[str, str], cold: bool) -> float:
    if cold:
        (site / ".mapsite" / "kdf-cache.json").unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "mapsite", "build", "--site", str(site), "--today", TODAY],
        check=True,
        capture_output=True,
        env={**os.environ, **env},
        timeout=900,
    )
    return time.perf_counter() - started


def build_times(site: Path, env: dict[str, str]) -> dict[str, float]:
    timed_build(site, env, cold=True)  # creates the site secret
    cold = statistics.median(timed_build(site, env, cold=True) for _ in range(RUNS))
    warm = statistics.median(timed_build(site, env, cold=False) for _ in range(RUNS))
    return {"cold_s": round(cold, 3), "warm_s": round(warm, 3), "warm_over_cold": round(warm / cold, 3)}


def unlock_times(out: Path, path: str, password: str, heading: str) -> float:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/{path}"
    samples = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--disable-gpu", "--no-first-run", "--disable-background-networking"],
            )
            for _ in range(UNLOCKS):
                context = browser.new_context()
                page = context.new_page()
                page.goto(url)
                page.fill("#mapsite-password", password)
                started = time.perf_counter()
                page.click("#mapsite-login button[type=submit]")
                page.get_by_role("heading", level=1, name=heading).wait_for(timeout=30_000)
                samples.append(time.perf_counter() - started)
                context.close()
            browser.close()
    finally:
        server.shutdown()
    return round(statistics.median(samples), 3)


def main() -> None:
    results: dict = {"machine": machine()}
    with tempfile.TemporaryDirectory() as tmp:
        example = Path(tmp) / "example"
        example.mkdir()
        for name in ("mapsite.yml", "content", "assets"):
            source = REPO / name
            (shutil.copytree if source.is_dir() else shutil.copy2)(source, example / name)
        passwords = demo_passwords()
        results["example_site"] = build_times(example, passwords)
        results["unlock_s"] = unlock_times(
            example / "output",
            "acme/",
            passwords["ACME_PORTAL_PASSWORD"],
            "Acme x Northwind: Marketing Automation Rollout",
        )
        corpus = Path(tmp) / "corpus"
        env = write_corpus(corpus, 200)
        results["deals_200"] = build_times(corpus, env)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    print(f"machine: {results['machine']}")
    print(f"{'site':<14}{'cold (s)':>10}{'warm (s)':>10}{'warm/cold':>11}")
    for name in ("example_site", "deals_200"):
        row = results[name]
        print(f"{name:<14}{row['cold_s']:>10}{row['warm_s']:>10}{row['warm_over_cold']:>11}")
    print(f"unlock in Chromium (password typed -> plan readable): {results['unlock_s']} s")


if __name__ == "__main__":
    main()
