"""Build benchmark: cold, warm, nothing-changed and one-deal builds of a generated site.

``python -m bench.build_bench [N] [--runs R]`` prints one size's figures; ``python -m bench``
runs it at 100 and 1,000 deals beside the other benchmarks, and with ``--large`` the scale run
(``measure_scale``) at 1,000 and 10,000. Every figure is a whole ``mapsite build`` process
(start-up included), median of the runs, with the peak memory of the process and its workers.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from bench.corpus import write_corpus
from bench.measure import Run, interleaved, median_of, run_measured

TODAY = "2027-02-22"
ONE_DEAL = "deal-0001"


def _builder(site: Path, env: dict[str, str]) -> Callable[..., Run]:
    """``build(*extra, expect=...)``: one measured ``mapsite build`` of ``site`` that must say ``expect``."""

    def build(*extra: str, expect: str) -> Run:
        run = run_measured(
            [sys.executable, "-m", "mapsite", "build", "--site", str(site), "--today", TODAY, *extra], env
        )
        if expect not in run.stdout:
            raise SystemExit(f"mapsite build {' '.join(extra)} did not say {expect!r}:\n{run.stdout}")
        return run

    return build


def full_build(site: Path, env: dict[str, str]) -> Callable[[], Run]:
    """One measured full (``--force``) build of ``site``, KDF cache as it is."""
    build, built = _builder(site, env), _built(site)
    return lambda: build("--force", expect=built)


def _built(site: Path) -> str:
    return f"Built {sum(1 for _ in (site / 'content' / 'deals').iterdir())} deals"


def measure_build(site: Path, env: dict[str, str], runs: int) -> dict:
    """The builds a team meets: first ever (cold), full (warm), in CI, nothing changed, one deal.

    Each build starts once the one before has removed the output it replaced (``settled``).
    The cold, full and CI builds are timed in turns (``interleaved``): the targets compare them
    with each other, and timed a minute apart the machine's drift went into those ratios: in the
    last run before this, the CI build's five times ranged 9.25-10.65 s and the full build's
    8.85-9.75 s, a ratio of medians of 1.095 against the limit of 1.1. ``ci_over_warm`` is the
    median over the rounds of the CI build's time over the full build's.
    """
    kdf_cache = site / ".mapsite" / "kdf-cache.json"
    build, built = _builder(site, env), _built(site)
    build("--force", expect=built)  # creates the site secret and fills the KDF cache

    def cold() -> Run:
        kdf_cache.unlink()
        return build("--force", expect=built)  # and fills the KDF cache again

    ci = _ci_build(site, env, built)
    measures = {"ci": ci, "warm": full_build(site, env), "cold": cold}
    turns = interleaved(runs, {name: settled(site, measure) for name, measure in measures.items()})
    unchanged = median_of(runs, settled(site, lambda: build(expect="is up to date")))
    only = median_of(runs, settled(site, lambda: build("--only", ONE_DEAL, expect="Built 1 deal ")))
    return {
        "cold": turns["cold"],
        "warm": turns["warm"],
        "unchanged": unchanged,
        "only_one_deal": only,
        "ci": turns["ci"],
        "ci_over_warm": turns["ratios"]["ci/warm"],
    }


def _ci_build(site: Path, env: dict[str, str], built: str) -> Callable[[], Run]:
    """A CI job's build as README's CI example sets it up: a fresh checkout (the sources only, no
    ``output/`` and no ``.mapsite/``), the site secret from ``MAPSITE_SECRET`` and the KDF cache
    restored by the CI's cache to the path ``MAPSITE_KDF_CACHE`` names."""
    secret = (site / ".mapsite" / "secret").read_text("utf-8").strip()
    kept = site.parent / f"{site.name}-ci-cache" / "kdf-cache.json"
    kept.parent.mkdir(exist_ok=True)
    kept.write_bytes((site / ".mapsite" / "kdf-cache.json").read_bytes())
    checkout = site.parent / f"{site.name}-ci"
    ci_env = {**env, "MAPSITE_SECRET": secret, "MAPSITE_KDF_CACHE": str(kept)}

    def build() -> Run:
        shutil.rmtree(checkout, ignore_errors=True)
        shutil.copytree(site, checkout, ignore=shutil.ignore_patterns("output", ".mapsite", ".output*"))
        return _builder(checkout, ci_env)(expect=built)

    return build


def measure_scale(
    sites: dict[int, tuple[Path, dict[str, str]]], runs: int, say: Callable[[str], None]
) -> dict:
    """Full (``--force``) and nothing-changed builds of each size's site, KDF cache warm.

    A warm cache is what a full build meets once a site has been built. Filling it costs one
    PBKDF2 per password (10,000 deals: about 8 minutes on 2 cores), so it is filled the way a
    real site fills it: by the site's first build, cold, which is run and timed once
    (``first_cold``) but kept out of the ratios. The runs measured after it find every derived
    key in the cache.

    The full builds of the sizes are timed in turns (``interleaved``, the largest first, so
    ``ratios`` holds the large over the small): timed one size after the other, twenty minutes
    apart, the machine's drift went into the ratio (in the last such run, the 10,000-deal
    site's cold build, nearly all PBKDF2, took 9% longer than in the run before).
    Each starts once the build before has removed its old output (``settled``).
    """
    firsts = {}
    for deals, (site, env) in sites.items():
        say(f"scale: mapsite build, {deals} deals (the first, cold build fills the KDF cache)")
        firsts[deals] = _builder(site, env)("--force", expect=_built(site))
    say(f"scale: full builds in turns, {' and '.join(str(n) for n in sites)} deals")
    by_size = sorted(sites.items(), reverse=True)
    turns = interleaved(runs, {str(n): settled(site, full_build(site, env)) for n, (site, env) in by_size})
    result: dict = {"ratios": turns["ratios"]}
    for deals, (site, env) in sites.items():
        build = settled(site, partial(_builder(site, env), expect="is up to date"))
        first = firsts[deals]
        result[str(deals)] = {
            "first_cold": {"median_s": round(first.seconds, 3), "peak_rss_mb": first.peak_rss_mb, "runs": 1},
            "warm": turns[str(deals)],
            "unchanged": median_of(runs, build),
        }
    return result


def settled(site: Path, build: Callable[[], Run], patience: float = 300) -> Callable[[], Run]:
    """``build`` (any measure: a mapsite build, or another tool's beside it), started once no
    old output of ``site`` is left to remove.

    A build hands the output it replaced to a background process to delete: 10,000 deals' is
    2.5 GB, and its removal ran on into the next build's time, whichever size that was. At
    1,000 deals it is about 2,000 files and folders, and it ran on into whatever was timed next:
    another mapsite build, or MkDocs or Hugo in turns with it. The rep does not wait for it, so it
    is in no one's time.
    """

    def run() -> Run:
        deadline = time.monotonic() + patience
        while any(site.glob(".mapsite/.output.old-*")) or any(site.glob(".output.old-*")):
            if time.monotonic() > deadline:
                raise SystemExit(f"{site}: the old output is still being removed after {patience:.0f} s")
            time.sleep(0.5)
        return build()

    return run


def kdf_seconds(samples: int = 5) -> float:
    """One PBKDF2-SHA256 at mapsite's iteration count, as the build runs it (median)."""
    from mapsite.protect.envelope import password_root

    times = []
    for _ in range(samples):
        started = time.perf_counter()
        password_root("benchmark password", b"s" * 16)
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("deals", nargs="?", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        env = write_corpus(site, args.deals)
        result = measure_build(site, env, args.runs)
    print(f"{args.deals} deals on {os.cpu_count()} cores; one PBKDF2: {kdf_seconds()} s")
    for name, row in result.items():
        if isinstance(row, dict):
            print(f"{name:<14}{row['median_s']:>9} s{row['peak_rss_mb']:>9} MB")
    print(f"CI build / full build, in turns: {result['ci_over_warm']}")


if __name__ == "__main__":
    main()
