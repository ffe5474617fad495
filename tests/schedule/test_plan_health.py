"""Issue 17: one plan status per deal (on_track, at_risk, stalled) with its reason, as a manager
reads it from ``mapsite status`` in a real process. Today is Monday 2027-02-22."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.helpers import MINIMAL_DEAL, TODAY, run


def deal(name: str, *edits: tuple[str, str]) -> str:
    text = MINIMAL_DEAL.replace("Buyer Co", name)
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    return text


def action_due(day: str) -> tuple[str, str]:
    """A top-level action the signature does not wait for, overdue since ``day``."""
    return (
        "---\nThe shared plan.",
        f"actions:\n  - {{task: Send the redlines, owner: ae, due: {day}}}\n---\nThe shared plan.",
    )


DEALS = {
    "fresh.md": deal("Fresh"),
    # 14 calendar days without an update: stalled; 13: not yet.
    "stale.md": deal("Stale", ("updated: 2027-02-20", "updated: 2027-02-08")),
    "recent.md": deal("Recent", ("updated: 2027-02-20", "updated: 2027-02-09")),
    # Due Thu Feb 11: Feb 12, 15, 16, 17, 18, 19, 22 are 7 business days overdue; Fri Feb 12: 6.
    "forgotten.md": deal("Forgotten", action_due("2027-02-11")),
    "late-action.md": deal("Late Action", action_due("2027-02-12")),
    # The demo the signature waits for was due Friday: the close is at risk, nobody has stalled.
    "slipping.md": deal("Slipping", ("due: 2027-03-01}", "due: 2027-02-19}")),
    "won.md": deal("Won", ("updated: 2027-02-20", "updated: 2026-12-01\nstage: won")),
}


@pytest.fixture
def pipeline(site_factory):
    return site_factory.make(DEALS)


def test_each_deal_gets_one_plan_status_with_its_reason(pipeline):
    result = run("status", "--json", "--today", TODAY, "--site", str(pipeline))
    assert result.returncode == 0, result.stderr
    health = {
        d["slug"]: (d["plan_status"], d["plan_status_reason"]) for d in json.loads(result.stdout)["deals"]
    }
    assert health == {
        "fresh": ("on_track", "projected close 2027-02-23, by the target"),
        "stale": ("stalled", "no plan update for 14 days (updated 2027-02-08)"),
        "recent": ("on_track", "projected close 2027-02-23, by the target"),
        "forgotten": ("stalled", "'Send the redlines' overdue for 7 business days (due 2027-02-11)"),
        "late-action": ("on_track", "projected close 2027-02-23, by the target"),
        "slipping": ("at_risk", "projected close 2027-02-23, 1 overdue milestone it waits for"),
        "won": (None, None),
    }


def test_the_table_shows_the_plan_status_in_80_columns(pipeline):
    env = {**os.environ, "COLUMNS": "80"}
    result = subprocess.run(
        [sys.executable, "-m", "mapsite", "status", "--today", TODAY, "--site", str(pipeline)],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), result.stdout
    assert "Plan" in lines[1], result.stdout
    row = {line.split()[0]: line for line in lines[3:] if line.strip()}
    assert row["stale"].rstrip().endswith("stalled")
    assert row["slipping"].rstrip().endswith("at risk")
    assert row["fresh"].rstrip().endswith("on track")
    assert row["won"].rstrip().endswith("—")
