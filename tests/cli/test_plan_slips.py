"""``mapsite plan`` shows the seller's team what moved, from the deal file's git history."""

from __future__ import annotations

import os
import subprocess

from tests.helpers import MINIMAL_DEAL, SITE_YML, run

GIT = {"GIT_AUTHOR_NAME": "Rep", "GIT_AUTHOR_EMAIL": "r@example.com", "GIT_COMMITTER_NAME": "Rep"}


def test_plan_lists_each_moved_item_with_its_moves_and_days(site_factory):
    site = site_factory.make({"first-deal.md": MINIMAL_DEAL}, SITE_YML)
    env = {**os.environ, **GIT, "GIT_COMMITTER_EMAIL": "r@example.com"}
    subprocess.run(["git", "init", "-q"], cwd=site, check=True, timeout=30)
    deal = site / "content/deals/first-deal.md"
    for close in ("2027-04-30", "2027-05-07", "2027-05-14"):
        deal.write_text(MINIMAL_DEAL.replace("2027-04-30", close), "utf-8")
        subprocess.run(["git", "add", "-A"], cwd=site, check=True, env=env, timeout=30)
        subprocess.run(["git", "commit", "-qm", close], cwd=site, check=True, env=env, timeout=30)
    out = run("plan", "first-deal", "--site", str(site), "--today", "2027-02-22")
    assert out.returncode == 0, out.stderr
    assert "Slip history (4 moves in git):" in out.stdout
    assert "Close date: moved 2 times, 2027-04-30 -> 2027-05-14 (+10 business days)" in out.stdout
    assert "Contract Signature: moved 2 times, 2027-04-30 -> 2027-05-14" in out.stdout
