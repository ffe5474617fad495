"""`mapsite status` and the team dashboard, against deals whose figures are computed by hand."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from tests.helpers import MINIMAL_DEAL, REPO, SITE_YML, TODAY, run
from tests.htmltree import parse

# Today is Monday 2027-02-22. Legal takes 10 business days from today (Feb 22 - Mar 5), so the
# signature, which depends on it, can land on Monday Mar 8: one business day after its Mar 5 target.
LATE_DEAL = """\
---
title: Late Co x Northwind
buyer: {name: Late Co}
close_date: 2027-03-05
updated: 2027-02-01
access:
  - {label: Buying team, password_env: TEST_PORTAL_PASSWORD}
value_summary: Late Co signs this quarter.
stakeholders:
  - {id: champ, name: Ana Costa, side: buyer, role: champion}
  - {id: eb, name: Omar Reyes, side: buyer, role: economic_buyer}
  - {id: ae, name: Sam Carter, side: seller, role: account_executive}
milestones:
  - {phase: Evaluation, id: kickoff, name: Kickoff, owners: [champ, ae], due: 2027-02-15}
  - {phase: Legal, id: legal, name: Legal Review, owners: [eb], due: 2027-03-01, duration: 10bd, status: in_progress}
  - {phase: Close, id: signature, name: Signature, owners: [eb, ae], due: close, depends_on: [legal]}
actions:
  - {task: Send the redlines, owner: ae, due: 2027-02-19}
  - {task: Book the kickoff room, owner: champ, due: 2027-02-10, done: true}
risks:
  - {risk: Budget freeze, probability: high, impact: high, status: open}
  - {risk: Legal queue, probability: high, impact: low, status: open}
  - {risk: New CFO, probability: high, impact: high, status: closed}
---
Body.
"""
WON_DEAL = MINIMAL_DEAL.replace("updated: 2027-02-20", "updated: 2027-02-20\nstage: won").replace(
    "Buyer Co", "Won Co"
)
TEAM_SITE = SITE_YML + "team_access:\n  - {label: Sales leadership, password_env: MAPSITE_TEAM_PASSWORD}\n"


@pytest.fixture
def pipeline(site_factory):
    return site_factory.make(
        {"buyer-co.md": MINIMAL_DEAL, "late-co.md": LATE_DEAL, "won-co.md": WON_DEAL}, TEAM_SITE
    )


def test_status_json_has_the_hand_computed_figures(pipeline):
    result = run("status", "--json", "--today", TODAY, "--site", str(pipeline))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["version"] == 1 and data["today"] == TODAY
    by_slug = {deal["slug"]: deal for deal in data["deals"]}
    assert [deal["slug"] for deal in data["deals"]] == ["late-co", "buyer-co", "won-co"], "by close date"
    assert by_slug["late-co"] == {
        "slug": "late-co",
        "title": "Late Co x Northwind",
        "buyer": "Late Co",
        "stage": "active",
        "close_date": "2027-03-05",
        "days_to_close": 11,
        "milestones": {"done": 0, "total": 3, "percent_done": 0},
        # Issue 15: each overdue item once. Kickoff (owned by both teams) counts for the buyer,
        # the redlines for the seller: 2 items, not "buyer 1, seller 2" for the same 2.
        "overdue": {"buyer": 1, "seller": 1},
        "overdue_total": 2,
        "next_milestone": {"id": "kickoff", "name": "Kickoff", "due": "2027-02-15"},
        "projected_close": "2027-03-08",
        "business_days_late": 1,
        "on_track": False,
        "schedule": "1 business day after the target",
        "assumption": "assumes 1 business day for each of the 2 open milestones without a longer duration",
        # Issue 17: updated Feb 1, 21 days before today: nobody has moved the plan for 14+ days.
        "plan_status": "stalled",
        "plan_status_reason": "no plan update for 21 days (updated 2027-02-01)",
        "updated": "2027-02-01",
        "days_since_update": 21,
        "open_high_risks": 1,
        # Issue 16: no view read and no update applied on this machine yet.
        "last_buyer_activity": None,
        "days_since_buyer_activity": None,
        # Issue 17: the seller's account executive, no amount given, March is Q1, not in git.
        "owner": "Sam Carter",
        "amount": None,
        "currency": None,
        "close_quarter": "2027-Q1",
        "slip_count": 0,
    }
    buyer = by_slug["buyer-co"]
    assert buyer["days_to_close"] == 67
    assert buyer["overdue"] == {"buyer": 0, "seller": 0}
    assert buyer["next_milestone"] == {"id": "demo", "name": "Technical Demo", "due": "2027-03-01"}
    assert (buyer["projected_close"], buyer["business_days_late"], buyer["on_track"]) == (
        "2027-02-23",
        0,
        True,
    )
    assert (buyer["days_since_update"], buyer["open_high_risks"]) == (2, 0)


def test_status_filters_by_stage_and_sorts_by_risk(pipeline):
    result = run(
        "status", "--json", "--stage", "active", "--sort", "risk", "--today", TODAY, "--site", str(pipeline)
    )
    assert [deal["slug"] for deal in json.loads(result.stdout)["deals"]] == ["late-co", "buyer-co"]
    stale = run("status", "--json", "--sort", "updated", "--today", TODAY, "--site", str(pipeline))
    assert json.loads(stale.stdout)["deals"][0]["slug"] == "late-co"


def test_status_table_shows_one_line_per_deal_with_the_bad_news(pipeline):
    result = run_at(None, "status", "--today", TODAY, "--site", str(pipeline))
    assert result.returncode == 0, result.stderr
    late = next(line for line in result.stdout.splitlines() if line.strip().startswith("late-co"))
    for text in (
        "Late Co",
        "Mar 5",
        "0% (0/3)",
        "buyer 1, seller 1",
        "Kickoff (Feb 15)",
        "Mar 8 +1 bd",
        "21 d ago",
    ):
        assert text in late, text
    on_track = next(line for line in result.stdout.splitlines() if line.strip().startswith("buyer-co"))
    assert "Feb 23 on track" in on_track


def test_status_of_a_site_with_errors_says_so(site_factory):
    site = site_factory.make(
        {"broken.md": MINIMAL_DEAL.replace("close_date: 2027-04-30", "close_date: soon")}
    )
    result = run("status", "--site", str(site))
    assert result.returncode == 1
    assert "error: some deals have errors; run mapsite check" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_team_page_lists_every_deal_readable_and_is_sealed_when_protected(pipeline, tmp_path):
    readable = run(
        "build", "--no-protect", "--today", TODAY, "--out", str(tmp_path / "open"), "--site", str(pipeline)
    )
    assert readable.returncode == 0, readable.stderr
    page = parse((tmp_path / "open" / "_team" / "index.html").read_text("utf-8"))
    [table] = page.find_all("table", class_="team-table")
    [body] = table.find_all("tbody")
    rows = body.find_all("tr")
    assert [row.find_all("a")[0].text() for row in rows] == ["Late Co", "Buyer Co", "Won Co"]
    assert [row.find_all("a")[0].attrs["href"] for row in rows] == [
        "../late-co/",
        "../buyer-co/",
        "../won-co/",
    ]
    assert "1 business day late" in rows[0].text()
    assert "2 (buyer 1, seller 1)" in rows[0].find_all("td")[5].text()
    [lead] = page.find_all("p", class_="team-lead")
    assert "1 not on track" in lead.text()

    built = run("build", "--today", TODAY, "--site", str(pipeline))
    assert built.returncode == 0, built.stderr
    sealed = (pipeline / "output" / "_team" / "index.html").read_text("utf-8")
    for secret in ("Late Co", "Buyer Co", "Won Co", "Kickoff", "Legal Review"):
        assert secret not in sealed
    audit = run("audit", "--site", str(pipeline))
    assert audit.returncode == 0, audit.stdout


def test_no_team_access_means_no_team_page(site_factory):
    site = site_factory.make()
    assert run("build", "--today", TODAY, "--site", str(site)).returncode == 0
    assert not (site / "output" / "_team").exists()


def test_a_missing_team_password_stops_the_build_by_name(pipeline, monkeypatch):
    monkeypatch.delenv("MAPSITE_TEAM_PASSWORD")
    checked = run("check", "--site", str(pipeline))
    assert (
        "mapsite.yml: warning: the password of access entry 'Sales leadership' comes from "
        "MAPSITE_TEAM_PASSWORD, which is not set" in checked.stdout
    )
    result = run("build", "--today", TODAY, "--site", str(pipeline))
    assert result.returncode == 1
    assert "MAPSITE_TEAM_PASSWORD" in result.stderr


def test_every_json_field_is_documented():
    """docs/status.md documents every field the JSON has."""
    docs = (REPO / "docs" / "status.md").read_text("utf-8")
    for field in (
        "slug", "title", "buyer", "stage", "close_date", "days_to_close", "percent_done", "overdue",
        "overdue_total", "next_milestone", "projected_close", "business_days_late", "on_track",
        "schedule", "assumption", "updated", "days_since_update", "open_high_risks",
        "last_buyer_activity", "days_since_buyer_activity", "plan_status", "plan_status_reason",
    ):  # fmt: skip
        assert f"`{field}`" in docs, field
    assert textwrap.dedent(docs).startswith("# ")


# Issue 14: `mapsite status` reads in an 80-column terminal, and piped output is never cut.
def run_at(columns: int | None, *args: str) -> subprocess.CompletedProcess:
    """``run`` with COLUMNS set, or truly unset: an explicit environment, because a test process
    that loaded readline has COLUMNS in its C environment without it being in os.environ."""
    env = {key: value for key, value in os.environ.items() if key != "COLUMNS"}
    if columns is not None:
        env["COLUMNS"] = str(columns)
    command = [sys.executable, "-m", "mapsite", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)


HEADERS = ("Deal", "Buyer", "Stage", "Close", "Days", "Done", "Overdue", "Next milestone", "Projected")


def test_status_at_80_columns_keeps_the_essentials_whole_on_lines_of_80(pipeline):
    result = run_at(80, "status", "--today", TODAY, "--site", str(pipeline))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80, result.stdout
    assert "…" not in result.stdout, "nothing is cut"
    header = next(line for line in lines if line.startswith("Deal"))
    # What does not fit is dropped, never cut: next milestone, days, last update, high risks and
    # (since issue 17 added the plan status, which always stays) the stage.
    assert header.split() == ["Deal", "Buyer", "Close", "Done", "Overdue", "Projected", "Plan"]
    late = next(line for line in lines if line.startswith("late-co"))
    assert " ".join(late.split()) == "late-co Late Co Mar 5 2027 0% (0/3) buyer 1, Mar 8 +1 bd stalled"
    following = lines[lines.index(late) + 1]
    assert following.split() == ["seller", "1"], "the overdue list wraps at its comma, under itself"
    assert following.index("seller") == late.index("buyer")


def test_piped_status_is_one_line_per_deal_with_whole_headers(site_factory):
    long_name = "Technical demo with the whole buying committee and " * 4 + "the security team"
    site = site_factory.make(
        {"buyer-co.md": MINIMAL_DEAL.replace("name: Technical Demo,", f"name: {long_name},")}
    )
    result = run_at(None, "status", "--today", TODAY, "--site", str(site))
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines[0].rstrip() == f"Pipeline as of {TODAY}"
    assert all(header in lines[1] for header in (*HEADERS, "Updated", "High risks")), lines[1]
    [row] = [line for line in lines if line.startswith("buyer-co")]
    assert f"{long_name} (Mar 1)" in row and "Apr 30 2027" in row
    assert len(lines) == 4, "title, header, rule, one line for the deal"


def test_status_stage_takes_the_deal_files_names_and_refuses_others(pipeline):
    won = run("status", "--json", "--stage", "won", "--today", TODAY, "--site", str(pipeline))
    assert [deal["slug"] for deal in json.loads(won.stdout)["deals"]] == ["won-co"]
    paused = run("status", "--json", "--stage", "paused", "--today", TODAY, "--site", str(pipeline))
    assert paused.returncode == 0 and json.loads(paused.stdout)["deals"] == []
    refused = run("status", "--stage", "on_hold", "--today", TODAY, "--site", str(pipeline))
    assert refused.returncode == 2
    assert (
        "Error: Invalid value for '--stage': 'on_hold' is not one of 'active', 'won', 'lost', 'paused'."
        in refused.stderr
    )
    assert "Traceback" not in refused.stderr
