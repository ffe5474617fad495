"""Issue 17, the manager's forecast in ``mapsite status``: owner, amount, close quarter and slip count.

A real site in a real git repository: the first deal's close date moved twice in commits, and its
signature milestone (due: close) moved with it, so its slip count is 2 + 2 = 4. Figures by hand.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers import MINIMAL_DEAL, SITE_YML, TODAY, run

GIT = {"GIT_AUTHOR_NAME": "Rep", "GIT_AUTHOR_EMAIL": "r@example.com", "GIT_COMMITTER_NAME": "Rep"}
GIT["GIT_COMMITTER_EMAIL"] = "r@example.com"
SOLD = MINIMAL_DEAL.replace(
    "updated: 2027-02-20",
    "updated: 2027-02-20\namount: 48000\ncurrency: USD\n"
    "crm: {salesforce_id: 0065g00000AbCdEAAV, hubspot_id: '18234567890'}",
)
# No account executive, no amount, closing in the third quarter, never moved.
QUIET = (
    MINIMAL_DEAL.replace("Buyer Co", "Other Co")
    .replace("2027-04-30", "2027-07-15")
    .replace("role: account_executive", "role: sales_engineer")
)


@pytest.fixture
def site(site_factory) -> Path:
    folder = site_factory.make({"other-co.md": QUIET}, SITE_YML)
    env = {**os.environ, **GIT}
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True, timeout=30)
    deal = folder / "content/deals/buyer-co.md"
    for close in ("2027-04-30", "2027-05-07", "2027-05-14"):
        deal.write_text(SOLD.replace("2027-04-30", close), "utf-8")
        subprocess.run(["git", "add", "-A"], cwd=folder, check=True, env=env, timeout=30)
        subprocess.run(["git", "commit", "-qm", close], cwd=folder, check=True, env=env, timeout=30)
    return folder


def test_json_gives_owner_amount_quarter_and_slips(site):
    result = run("status", "--json", "--today", TODAY, "--site", str(site))
    assert result.returncode == 0, result.stderr
    deals = {d["slug"]: d for d in json.loads(result.stdout)["deals"]}
    picked = ("owner", "amount", "currency", "close_quarter", "slip_count")
    assert {k: deals["buyer-co"][k] for k in picked} == {
        "owner": "Sam Carter",
        "amount": 48000,
        "currency": "USD",
        "close_quarter": "2027-Q2",
        "slip_count": 4,
    }
    assert {k: deals["other-co"][k] for k in picked} == {
        "owner": None,
        "amount": None,
        "currency": None,
        "close_quarter": "2027-Q3",
        "slip_count": 0,
    }


def status_lines(site: Path, columns: int) -> list[str]:
    env = {**os.environ, "COLUMNS": str(columns)}
    result = subprocess.run(
        [str(Path(".venv/bin/mapsite").resolve()), "status", "--today", TODAY, "--site", str(site)],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_a_wide_terminal_shows_owner_amount_and_slips(site):
    lines = status_lines(site, 220)
    header = next(line for line in lines if line.lstrip().startswith("Deal"))
    assert header.split()[-3:] == ["Slips", "Owner", "Amount"]
    row = next(line for line in lines if line.startswith("buyer-co"))
    assert row.rstrip().endswith("4  Sam Carter  48,000 USD")
    other = next(line for line in lines if line.startswith("other-co"))
    assert other.split()[-3:] == ["0", "—", "—"]


def test_eighty_columns_drop_the_forecast_columns_first_and_keep_the_plan(site):
    lines = status_lines(site, 80)
    assert max(len(line) for line in lines) <= 80
    header = next(line for line in lines if line.lstrip().startswith("Deal"))
    assert "Plan" in header and "Owner" not in header and "Amount" not in header


def test_crm_export_carries_the_slip_count(site):
    for fmt, column in (("salesforce-csv", "MAP_Slip_Count__c"), ("hubspot-csv", "MAP Slip Count")):
        result = run("status", "--format", fmt, "--today", TODAY, "--site", str(site))
        assert result.returncode == 0, result.stderr
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert [row[column] for row in rows] == ["4"]


def test_the_team_page_counts_each_deals_slips(site, tmp_path):
    """The manager's page shows the same slip count as ``status``, in the table and the cards."""
    yml = site / "mapsite.yml"
    yml.write_text(
        yml.read_text("utf-8")
        + "team_access:\n  - {label: Sales leadership, password_env: MAPSITE_TEAM_PASSWORD}\n",
        "utf-8",
    )
    out = tmp_path / "open"
    built = run("build", "--no-protect", "--today", TODAY, "--out", str(out), "--site", str(site))
    assert built.returncode == 0, built.stderr
    page = (out / "_team" / "index.html").read_text("utf-8")
    assert '<th scope="col">Slips</th>' in page
    assert '<td data-sort="4">4</td>' in page
    assert "<dt>Slips</dt><dd>4</dd>" in page
