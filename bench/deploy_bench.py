"""Deploy benchmark: 1,000 generated deals to a folder and to an S3 server on loopback.

Run from the repo: ``python -m bench.deploy_bench`` (needs the test environment: moto's server).
For each target: the first (full) deploy, a no-op deploy (nothing changed: must send nothing and
finish in under 2 s), and a deploy after one deal changed. Requests are counted where they
arrive: in the S3 server's request log. ``python -m bench`` runs it beside the other benchmarks.
Times are medians measured here in one run; compare ratios, not seconds, across machines.
"""

from __future__ import annotations

import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.corpus import write_corpus
from bench.machine import machine
from bench.measure import run_mapsite as mapsite

REPO = Path(__file__).resolve().parent.parent
DEALS = 1000
RUNS = 3
TODAY = "2027-02-22"
REQUEST_LINE = re.compile(r'"(GET|PUT|POST|DELETE|HEAD) ')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class S3Server:
    """moto's standalone server on loopback; its log tells how many requests a deploy sent."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.log = folder / "moto.log"
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise SystemExit("moto_server did not start") from None
                time.sleep(0.1)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def requests(self) -> int:
        return len(REQUEST_LINE.findall(self.log.read_text("utf-8", errors="replace")))

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def measure(site: Path, env: dict[str, str], target: str, server: S3Server | None, runs: int) -> dict:
    def deploy() -> tuple[float, int, str]:
        before = server.requests() if server else 0
        seconds, stdout = mapsite(site, env, "deploy", target, "--no-build")
        time.sleep(0.2)  # let the server flush its log
        return seconds, (server.requests() - before if server else 0), stdout

    full_s, full_requests, _ = deploy()
    noops = [deploy() for _ in range(runs)]
    assert all("Nothing to deploy" in stdout for _, _, stdout in noops), "a no-op deploy sent files"
    deal = site / "content" / "deals" / "deal-0001.md"
    changes = []
    for run in range(runs):
        deal.write_text(deal.read_text("utf-8") + f"\nEdited for run {run}.\n", "utf-8")
        mapsite(site, env, "build", "--today", TODAY)
        changes.append(deploy())
    one = statistics.median(seconds for seconds, _, _ in changes)
    noop = statistics.median(seconds for seconds, _, _ in noops)
    return {
        "full_s": round(full_s, 3),
        "full_requests": full_requests,
        "noop_s": round(noop, 3),
        "noop_requests": max(requests for _, requests, _ in noops),
        "one_deal_s": round(one, 3),
        "one_deal_requests": max(requests for _, requests, _ in changes),
        "one_deal_summary": changes[-1][2].splitlines()[-2],
        "noop_over_full": round(noop / full_s, 3),
    }


def measure_deploy(site: Path, env: dict[str, str], work: Path, runs: int = RUNS) -> dict:
    """Deploy ``site`` (built here first) to a folder and to an S3 server on loopback in ``work``."""
    work.mkdir(parents=True, exist_ok=True)
    server = S3Server(work)
    try:
        env = {
            **env,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": str(work / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(work / "no-aws-credentials"),
        }
        import boto3

        boto3.client("s3", endpoint_url=server.url, region_name="us-east-1", **_keys()).create_bucket(
            Bucket="deals"
        )
        with (site / "mapsite.yml").open("a", encoding="utf-8") as site_file:
            site_file.write(
                "deploy:\n"
                f"  folder: {{type: folder, path: {work / 'www'}}}\n"
                f"  s3: {{type: s3, bucket: deals, endpoint_url: '{server.url}', region: us-east-1}}\n"
            )
        mapsite(site, env, "build", "--today", TODAY)
        files = sum(1 for path in (site / "output").rglob("*") if path.is_file())
        return {
            "files": files,
            **{
                name: measure(site, env, name, server if name == "s3" else None, runs)
                for name in ("folder", "s3")
            },
        }
    finally:
        server.stop()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = write_corpus(root / "site", DEALS)
        results = {"machine": machine(), "deals": DEALS, **measure_deploy(root / "site", env, root)}
    print(f"machine: {results['machine']}; {DEALS} deals, {results['files']} files")
    print(f"{'target':<8}{'full':>9}{'no-op':>9}{'no-op reqs':>12}{'one deal':>10}{'one-deal reqs':>15}")
    for name in ("folder", "s3"):
        row = results[name]
        print(
            f"{name:<8}{row['full_s']:>8}s{row['noop_s']:>8}s{row['noop_requests']:>12}"
            f"{row['one_deal_s']:>9}s{row['one_deal_requests']:>15}"
        )


def _keys() -> dict[str, str]:
    return {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"}


if __name__ == "__main__":
    main()
