"""Every benchmark in one run, with the tools a team would otherwise use beside mapsite.

``python -m bench`` (after ``bash scripts/install-bench-deps.sh``) generates the corpus at 100
and 1,000 deals and measures, one after the other on this machine: mapsite's builds (cold,
warm, nothing changed, one deal), MkDocs, Hugo and StatiCrypt on the same deals as plain pages,
the live preview, deploys to a folder and to S3 on loopback, and the buyer's side in Chromium.
It prints a table of the targets as ratios measured in this run and writes every figure to
``bench/results/latest.json``. ``--quick`` runs small sizes and few repetitions, to try it.

``--large`` adds the scale run: full and nothing-changed builds at 1,000 and 10,000 deals (KDF
cache warm, see ``measure_scale``), for time linear in the number of deals and flat memory.
The 10,000-deal site's first, cold build alone takes about 8 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.anchors import hugo_build, measure_anchors, mkdocs_build, staticrypt_site, unlock_in_turns
from bench.build_bench import full_build, kdf_seconds, measure_build, measure_scale, settled
from bench.buyer_bench import make_share_link, measure_buyer
from bench.corpus import password_env, write_corpus
from bench.deploy_bench import measure_deploy
from bench.machine import machine
from bench.measure import interleaved
from bench.plain import MKDOCS_CONFIGS
from bench.serve_bench import measure_serve
from bench.startup_bench import measure_startup

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
BUYER_DEAL = 0  # deal-0000: a folder deal whose plan links to an extra page


@dataclass(frozen=True)
class Scale:
    sizes: tuple[int, int]
    runs: int
    edits: int
    samples: int
    large: tuple[int, int]  # the scale run's sizes (``--large``)
    large_runs: int


FULL = Scale(sizes=(100, 1000), runs=5, edits=20, samples=5, large=(1000, 10000), large_runs=3)
QUICK = Scale(sizes=(20, 60), runs=2, edits=4, samples=2, large=(50, 500), large_runs=2)


def run_all(plan: Scale, work: Path, large_run: bool = False) -> dict:
    large = plan.sizes[-1]
    results: dict = {"machine": machine(), "sizes": plan.sizes, "runs": plan.runs, "kdf_s": kdf_seconds()}
    _say("start-up: mapsite --help and --version against python -c pass")
    results["startup"] = measure_startup(plan.runs * 6 + 1)
    slug = f"deal-{BUYER_DEAL:04d}"
    share_link, env = "", {}
    for deals in plan.sizes:
        site = work / f"site-{deals}"
        env = write_corpus(site, deals)  # the last one, the largest, is measured further below
        if deals == large:
            share_link = make_share_link(site, env, slug)
        _say(f"mapsite build, {deals} deals")
        results[f"build_{deals}"] = measure_build(site, env, plan.runs)
        _say(f"MkDocs, Hugo and StatiCrypt, {deals} deals")
        results[f"anchors_{deals}"] = measure_anchors(
            site, work / f"anchors-{deals}", plan.runs, plan.samples
        )
    site = work / f"site-{large}"
    _say(f"mapsite, MkDocs and Hugo in turns, {large} deals")
    timed = results[f"anchors_{large}"]
    results["in_turns"] = _in_turns(site, env, work / f"anchors-{large}", timed, plan.runs)
    _say(f"buyer side in Chromium, {large} deals")
    results["buyer"] = measure_buyer(
        site / "output", slug, env[password_env(BUYER_DEAL)], share_link, plan.samples
    )
    _say(f"mapsite and StatiCrypt unlocks in turns, {large} deals")
    results["unlock_in_turns"] = unlock_in_turns(
        site / "output",
        staticrypt_site(work / f"anchors-{large}", timed["mkdocs_anchor"]),
        timed["unlock_title"],
        2 * plan.samples,
    )
    _say(f"deploy, {large} deals")
    results["deploy"] = measure_deploy(site, env, work / "deploy", max(2, plan.runs - 2))
    _say("live preview")
    results["serve"] = measure_serve(plan.sizes, plan.edits)
    if large_run:
        results["scale"] = _scale(plan, work)
    results["targets"] = targets(results, plan)
    return results


def _in_turns(site: Path, env: dict[str, str], anchors: Path, timed: dict, runs: int) -> dict:
    """mapsite's full build against the MkDocs anchor and Hugo, one of each per round: the ratios
    the targets use. Timed minutes apart, as above, the machine's drift went into them."""
    anchor = timed["mkdocs_anchor"]
    project, config = anchors / "mkdocs", MKDOCS_CONFIGS[anchor].config
    measures = {
        "mapsite": full_build(site, env),
        "mkdocs": mkdocs_build(project, config, anchors / f"site-{anchor}"),
        "hugo": hugo_build(anchors / "hugo", anchors / "site-hugo"),
    }
    # Each once mapsite's last build has removed the output it replaced: not in MkDocs's time.
    return interleaved(runs, {name: settled(site, measure) for name, measure in measures.items()})


def _scale(plan: Scale, work: Path) -> dict:
    sites = {deals: work / f"scale-{deals}" for deals in plan.large}
    try:
        corpora = {deals: (site, write_corpus(site, deals)) for deals, site in sites.items()}
        return measure_scale(corpora, plan.large_runs, _say)
    finally:
        # 10,000 deals' output is gigabytes; the last build may still be removing its old output.
        for site in sites.values():
            shutil.rmtree(site, ignore_errors=True)


def targets(r: dict, plan: Scale) -> list[dict]:
    """Issue 7's targets as ratios of figures from this one run; ``limit`` is the target."""
    small, large = plan.sizes
    build_s, build_l = r[f"build_{small}"], r[f"build_{large}"]
    anchors = r[f"anchors_{large}"]
    kdf_work = large * r["kdf_s"] / (r["machine"]["cpus"] or 1)
    serve = {row["deals"]: row for row in r["serve"]["sizes"]}
    startup = r["startup"]
    rows = [
        ("mapsite --help / python -c pass", startup["help_ratio"], 5.0),
        ("mapsite --version / python -c pass", startup["version_ratio"], 5.0),
        ("warm full build / MkDocs, in turns", r["in_turns"]["ratios"]["mapsite/mkdocs"], 0.5),
        ("warm full build / Hugo, in turns", r["in_turns"]["ratios"]["mapsite/hugo"], 2.0),
        ("nothing-changed build / Hugo", build_l["unchanged"]["median_s"] / anchors["hugo"]["median_s"], 1.0),
        ("CI build, KDF cache restored / full build, in turns", build_l["ci_over_warm"], 1.1),
        (
            "cold build / (KDF work + warm build), in turns",
            build_l["cold"]["median_s"] / (kdf_work + build_l["warm"]["median_s"]),
            1.1,
        ),
        (
            f"warm build {large} / {small} deals",
            build_l["warm"]["median_s"] / build_s["warm"]["median_s"],
            large / small * 1.1,
        ),
        (
            f"cold build {large} / {small} deals",
            build_l["cold"]["median_s"] / build_s["cold"]["median_s"],
            large / small * 1.1,
        ),
        (
            f"peak memory {large} / {small} deals",
            build_l["warm"]["peak_rss_mb"] / build_s["warm"]["peak_rss_mb"],
            2.0,
        ),
        (f"serve: save to disk at {large} / 150 ms", serve[large]["disk_median_ms"] / 150, 1.0),
        (
            f"serve: save to disk {large} / {small} deals",
            serve[large]["disk_median_ms"] / serve[small]["disk_median_ms"],
            1.2,
        ),
        (f"serve: save to browser at {large} / 1 s", serve[large]["browser_median_ms"] / 1000, 1.0),
        (
            f"serve --protect: a deal's first save at {large}, rebuild / 150 ms",
            serve[large]["protected_first_save_median_ms"] / 150,
            1.0,
        ),
        ("no-op deploy to S3 / 2 s", r["deploy"]["s3"]["noop_s"] / 2, 1.0),
        ("no-op deploy to a folder / 2 s", r["deploy"]["folder"]["noop_s"] / 2, 1.0),
        ("unlock drawn / StatiCrypt's, in turns", r["unlock_in_turns"]["ratio"], 1.0),
        ("next page of an unlocked deal / 100 ms", r["buyer"]["navigate_ms"] / 100, 1.0),
        ("portal shell gzipped / 40 KB", r["buyer"]["shell_gzip_bytes"] / 40_000, 1.0),
    ]
    if "scale" in r:
        few, many = (r["scale"][str(n)]["warm"] for n in plan.large)
        pair = f"{plan.large[1]:,} / {plan.large[0]:,} deals"
        rows += [
            (f"full build {pair}, in turns", r["scale"]["ratios"][f"{plan.large[1]}/{plan.large[0]}"], 11.0),
            (f"peak memory {pair}", many["peak_rss_mb"] / few["peak_rss_mb"], 1.5),
        ]
    return [
        {"target": name, "ratio": round(ratio, 3), "limit": limit, "met": ratio <= limit}
        for name, ratio, limit in rows
    ]


def print_report(r: dict, plan: Scale) -> None:
    small, large = plan.sizes
    print(f"\nmachine: {r['machine']}; one PBKDF2 (600,000): {r['kdf_s']} s; medians of {plan.runs} runs")
    print(f"\n{'build (s, peak MB)':<26}{small:>18}{large:>18}")
    for kind in ("cold", "warm", "unchanged", "only_one_deal", "ci"):
        cells = [r[f"build_{n}"][kind] for n in plan.sizes]
        print(
            f"{'mapsite ' + kind:<26}"
            + "".join(f"{c['median_s']:>10.2f} {c['peak_rss_mb']:>6.0f}" for c in cells)
        )
    for anchor in ("mkdocs", "mkdocs_nav", "hugo", "staticrypt"):
        cells = [r[f"anchors_{n}"][anchor] for n in plan.sizes]
        print(f"{anchor:<26}" + "".join(f"{c['median_s']:>10.2f} {c['peak_rss_mb']:>6.0f}" for c in cells))
    if "scale" in r:
        print(f"\n{'scale (s, peak MB)':<26}" + "".join(f"{n:>18,}" for n in plan.large))
        for kind in ("first_cold", "warm", "unchanged"):
            cells = [r["scale"][str(n)][kind] for n in plan.large]
            print(
                f"{'mapsite ' + kind:<26}"
                + "".join(f"{c['median_s']:>10.2f} {c['peak_rss_mb']:>6.0f}" for c in cells)
            )
    turns = r["in_turns"]
    print(
        f"\nin turns, {large} deals (median of {turns['mapsite']['runs']} rounds): mapsite "
        f"{turns['mapsite']['median_s']} s, MkDocs {turns['mkdocs']['median_s']} s, Hugo "
        f"{turns['hugo']['median_s']} s; per round, mapsite / MkDocs {turns['ratios']['mapsite/mkdocs']}, "
        f"mapsite / Hugo {turns['ratios']['mapsite/hugo']}"
    )
    startup = r["startup"]
    print(
        f"\nstart-up (median of {startup['runs']}): python -c pass {startup['python_pass_ms']} ms, "
        f"mapsite --help {startup['help_ms']} ms, --version {startup['version_ms']} ms"
    )
    deploy, buyer = r["deploy"], r["buyer"]
    print(
        f"\ndeploy of {large} deals ({deploy['files']} files): no-op folder {deploy['folder']['noop_s']} s, "
        f"no-op S3 {deploy['s3']['noop_s']} s ({deploy['s3']['noop_requests']} requests), one deal changed "
        f"S3 {deploy['s3']['one_deal_s']} s ({deploy['s3']['one_deal_requests']} requests)"
    )
    print(
        f"buyer: unlock {buyer['unlock_s']} s (StatiCrypt {r[f'anchors_{large}']['staticrypt_unlock_s']} s; "
        f"in turns, drawn {r['unlock_in_turns']['mapsite']['drawn']['median_s']} / "
        f"{r['unlock_in_turns']['staticrypt']['drawn']['median_s']} s), "
        f"share link {buyer['share_link_s']} s, next page {buyer['navigate_ms']} ms, "
        f"shell {buyer['shell_gzip_bytes']} B gzipped ({buyer['shell_raw_bytes']} B raw)"
    )
    print(f"\n{'target (ratio measured in this run)':<48}{'ratio':>8}{'limit':>8}")
    for row in r["targets"]:
        mark = "met" if row["met"] else "MISSED"
        print(f"{row['target']:<48}{row['ratio']:>8.3f}{row['limit']:>8.2f}  {mark}")


def _say(step: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {step}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, few runs; writes no results file")
    parser.add_argument(
        "--large",
        action="store_true",
        help="add the scale run: 1,000 and 10,000 deals (with --quick: 50 and 500); 10,000 adds ~15 minutes",
    )
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    with tempfile.TemporaryDirectory(prefix="mapsite-bench-") as tmp:
        results = run_all(plan, Path(tmp), args.large)
    print_report(results, plan)
    if not args.quick:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n", "utf-8")
        print(
            f"\nwritten: {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}"
        )


if __name__ == "__main__":
    main()
