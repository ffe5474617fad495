"""The anchors: MkDocs, Hugo and StatiCrypt on the same deals as plain Markdown pages.

mapsite's figures mean something only next to the tools a team would otherwise use, measured in
the same run on the same machine. ``measure_anchors`` renders a corpus site's deals as plain
pages (``bench/plain.py``) and times ``mkdocs build`` (automatic navigation, and its fastest
plain build), Debian's ``hugo``, StatiCrypt encrypting MkDocs's pages, and StatiCrypt's unlock
of one page in Chromium. StatiCrypt's key derivation is read from its installed source, so a
StatiCrypt upgrade that changes it shows in the result instead of silently skewing the ratio.

Standalone: ``python -m bench.anchors [N] [--runs R]`` (after scripts/install-bench-deps.sh)
writes a corpus of N deals in a temporary folder and prints a table and the figures as JSON;
``python -m bench`` runs it beside mapsite. Compare ratios measured in one run, never seconds.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.buyer_bench import READABLE_PLAN, Unlocked, chromium, clocked_unlock, fresh_page, static_server
from bench.corpus import write_corpus
from bench.machine import machine
from bench.measure import Run, median_of, run_measured
from bench.plain import HUGO_SETUP, MKDOCS_CONFIGS, plain_site, write_hugo, write_mkdocs
from mapsite.protect.envelope import ITERATIONS as MAPSITE_ITERATIONS

REPO = Path(__file__).resolve().parent.parent
STATICRYPT = REPO / "bench" / "node_modules" / "staticrypt"
HUGO = "/usr/bin/hugo"
# The corpus's password of the unlocked deal, so both unlock timings type the same string.
UNLOCK_DEAL = "deal-0000"  # the portal bench/buyer_bench.py unlocks: the same page, both ways
UNLOCK_PASSWORD = "bench-password-0"
# A fixed salt keeps StatiCrypt from prompting for one or writing its config file.
STATICRYPT_SALT = "5b2a86" + "0" * 26
KDF_CALL = re.compile(r'pbkdf2\(\w+,\s*salt,\s*(\d+),\s*"([\w-]+)"\)')


def _fresh(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def staticrypt_kdf() -> dict:
    """StatiCrypt's chained PBKDF2 rounds as its installed ``lib/cryptoEngine.js`` defines them."""
    source = (STATICRYPT / "lib" / "cryptoEngine.js").read_text("utf-8")
    rounds = [{"iterations": int(count), "hash": name} for count, name in KDF_CALL.findall(source)]
    if not rounds:
        raise SystemExit(f"no PBKDF2 round found in {STATICRYPT / 'lib' / 'cryptoEngine.js'}")
    total = sum(round_["iterations"] for round_ in rounds)
    return {
        "iterations": total,
        "rounds": rounds,
        "made_up": " + ".join(f"{r['iterations']:,} x {r['hash']}" for r in rounds)
        + " (hashPassword chains them, each on the hex output of the one before)",
        "mapsite_iterations": MAPSITE_ITERATIONS,
        "same_as_mapsite": total == MAPSITE_ITERATIONS,
    }


def versions() -> dict[str, str]:
    hugo = subprocess.run([HUGO, "version"], capture_output=True, text=True, check=True, timeout=60)
    return {
        "mkdocs": importlib.metadata.version("mkdocs"),
        "hugo": hugo.stdout.split()[1],
        "staticrypt": json.loads((STATICRYPT / "package.json").read_text("utf-8"))["version"],
    }


def mkdocs_build(project: Path, config: str, out: Path) -> Callable[[], Run]:
    """One measured MkDocs build of ``project`` with ``config`` into a fresh ``out``."""
    command = [sys.executable, "-m", "mkdocs", "build", "--quiet"]
    command += ["-f", str(project / config), "-d", str(out)]
    return _into_fresh(command, project, out)


def hugo_build(project: Path, out: Path) -> Callable[[], Run]:
    """One measured Hugo build of ``project`` into a fresh ``out``."""
    command = [HUGO, "--quiet", "--source", str(project), "--destination", str(out)]
    return _into_fresh(command, project, out)


def _into_fresh(command: list[str], project: Path, out: Path) -> Callable[[], Run]:
    def run() -> Run:
        _fresh(out)
        return run_measured(command, cwd=project)

    return run


def time_mkdocs(project: Path, config: str, out: Path, runs: int) -> dict:
    return median_of(runs, mkdocs_build(project, config, out))


def time_hugo(project: Path, out: Path, runs: int) -> dict:
    return median_of(runs, hugo_build(project, out))


def time_staticrypt(pages: Path, out: Path, work: Path, runs: int) -> dict:
    """Encrypt every HTML page below ``pages`` with one password; other files are copied as they are."""
    command = [
        str(STATICRYPT.parent / ".bin" / "staticrypt"),
        str(pages),
        "--recursive",
        "--directory",
        str(out),
        "--salt",
        STATICRYPT_SALT,
        "--config",
        "false",
        "--remember",
        "false",
    ]
    env = {"STATICRYPT_PASSWORD": UNLOCK_PASSWORD}
    result = median_of(runs, lambda: run_measured(command, env=env, cwd=work), before=lambda: _fresh(out))
    return {**result, "html_files": sum(1 for _ in out.rglob("*.html"))}


def staticrypt_unlock(page, url: str, password: str, title: str) -> Unlocked:
    """StatiCrypt's unlock, until its page's ``h1`` shows the deal's title: found by CSS and
    text, as mapsite's plan is. Playwright's role query computes accessible names over the whole
    page at each poll, which would add its own time to StatiCrypt's side only."""
    return clocked_unlock(page, url, "#staticrypt-password", password, "h1", title)


def unlock_times(folder: Path, path: str, password: str, title: str, samples: int) -> dict:
    """StatiCrypt's unlock of ``path`` as Playwright sees it, in a fresh context per sample."""
    with static_server(folder) as base, chromium() as browser:
        seconds = []
        for _ in range(samples):
            with fresh_page(browser) as page:
                seconds.append(staticrypt_unlock(page, base + path, password, title).observed_s)
    return {**_spread(seconds), "samples": samples, "page": path}


def unlock_in_turns(mapsite_out: Path, staticrypt_out: Path, title: str, samples: int) -> dict:
    """mapsite's unlock of the deal and StatiCrypt's, one of each per round in one browser, the
    order turned each round, each until its first frame showing the deal's title is drawn (see
    ``buyer_bench.UNLOCK_CLOCK``). ``ratio`` is the median over the rounds of mapsite's time over
    StatiCrypt's; ``observed_ratio`` the same of the times Playwright's polls saw."""
    path = f"{UNLOCK_DEAL}/"
    runs: dict[str, list[Unlocked]] = {"mapsite": [], "staticrypt": []}
    with static_server(mapsite_out) as ours, static_server(staticrypt_out) as theirs, chromium() as browser:
        opens = {
            "mapsite": lambda page: clocked_unlock(
                page, ours + path, "#mapsite-password", UNLOCK_PASSWORD, READABLE_PLAN, title
            ),
            "staticrypt": lambda page: staticrypt_unlock(page, theirs + path, UNLOCK_PASSWORD, title),
        }
        for round_ in range(samples):
            for name in list(opens) if round_ % 2 == 0 else list(opens)[::-1]:
                with fresh_page(browser) as page:
                    runs[name].append(opens[name](page))
    pairs = list(zip(runs["mapsite"], runs["staticrypt"], strict=True))
    return {
        **{name: _unlocks(got) for name, got in runs.items()},
        "samples": samples,
        "ratio": round(statistics.median(a.drawn_s / b.drawn_s for a, b in pairs), 3),
        "observed_ratio": round(statistics.median(a.observed_s / b.observed_s for a, b in pairs), 3),
    }


def _unlocks(got: list[Unlocked]) -> dict:
    return {"drawn": _spread([u.drawn_s for u in got]), "observed": _spread([u.observed_s for u in got])}


def _spread(seconds: list[float]) -> dict:
    return {
        "median_s": round(statistics.median(seconds), 3),
        "min_s": round(min(seconds), 3),
        "max_s": round(max(seconds), 3),
    }


def staticrypt_site(work: Path, anchor: str) -> Path:
    """Where ``measure_anchors`` left StatiCrypt's output: it keeps the input folder's name."""
    return work / "site-staticrypt" / f"site-{anchor}"


def measure_anchors(site: Path, work: Path, runs: int = 5, unlocks: int = 5) -> dict:
    """Time the anchors on ``site``'s deals as plain pages; scratch projects and outputs go to ``work``.

    The faster MkDocs variant is the anchor: its output is what StatiCrypt encrypts, and the
    one mapsite's render should be compared with.
    """
    plain = plain_site(site)
    write_mkdocs(plain, work / "mkdocs")
    write_hugo(plain, work / "hugo")
    result: dict = {"deals": plain.deals, "pages": len(plain.pages) + 1}
    for name, variant in MKDOCS_CONFIGS.items():
        timing = time_mkdocs(work / "mkdocs", variant.config, work / f"site-{name}", runs)
        result[name] = {**timing, "setup": variant.setup}
    anchor = min(MKDOCS_CONFIGS, key=lambda name: result[name]["median_s"])
    for name in MKDOCS_CONFIGS:
        result[name]["anchor"] = name == anchor
    result["mkdocs_anchor"] = anchor
    result["hugo"] = {**time_hugo(work / "hugo", work / "site-hugo", runs), "setup": HUGO_SETUP}
    encrypted = work / "site-staticrypt"
    result["staticrypt"] = {
        **time_staticrypt(work / f"site-{anchor}", encrypted, work, runs),
        "input": anchor,
        "setup": f"encrypts {anchor}'s HTML pages with one password",
    }
    kdf = staticrypt_kdf()
    result["staticrypt_iterations"] = kdf["iterations"]
    result["staticrypt_kdf"] = kdf
    title = next(page.title for page in plain.pages if page.path in (UNLOCK_DEAL, f"{UNLOCK_DEAL}/index"))
    result["unlock_title"] = title
    unlock = unlock_times(staticrypt_site(work, anchor), f"{UNLOCK_DEAL}/", UNLOCK_PASSWORD, title, unlocks)
    result["staticrypt_unlock_s"] = unlock["median_s"]
    result["staticrypt_unlock"] = unlock
    result["versions"] = versions()
    return result


def print_table(result: dict) -> None:
    runs = result["hugo"]["runs"]
    print(f"anchors on {result['deals']} deals ({result['pages']} pages), medians of {runs} runs")
    print(f"{'tool':<12}{'median (s)':>11}{'min':>8}{'max':>8}{'peak MB':>9}  setup")
    for name in (*MKDOCS_CONFIGS, "hugo", "staticrypt"):
        row = result[name]
        mark = " (anchor)" if row.get("anchor") else ""
        print(
            f"{name:<12}{row['median_s']:>11}{row['min_s']:>8}{row['max_s']:>8}{row['peak_rss_mb']:>9}"
            f"  {row['setup']}{mark}"
        )
    kdf = result["staticrypt_kdf"]
    same = "same as" if kdf["same_as_mapsite"] else "differs from"
    mapsite = kdf["mapsite_iterations"]
    print(f"StatiCrypt PBKDF2: {kdf['made_up']} = {kdf['iterations']:,}, {same} mapsite's {mapsite:,}")
    print(
        f"StatiCrypt unlock in Chromium (password typed -> deal readable): {result['staticrypt_unlock_s']} s"
    )
    print(f"versions: {result['versions']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("deals", nargs="?", type=int, default=1000, help="number of deals (default 1000)")
    parser.add_argument("--runs", type=int, default=5, help="runs per timing, median taken (default 5)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        write_corpus(site, args.deals)
        result = {"machine": machine(), **measure_anchors(site, Path(tmp) / "work", args.runs)}
    print(json.dumps(result, indent=2))
    print_table(result)


if __name__ == "__main__":
    main()
