"""The bundled example and the blueprints tell the truth (issue 14).

A newcomer's first build must show a plan that makes sense on the day it is shown: done items in
the past, some overdue, a projection. The example site pins its day with ``today:`` in
mapsite.yml; ``--today`` still wins and ``SOURCE_DATE_EPOCH`` comes after it. A new deal from a
blueprint must project a close that means something: the steps take realistic durations.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys

import pytest

from mapsite.pipeline.load import load_deals
from mapsite.read.site import load_site
from tests.helpers import TODAY, line_of, run

EXAMPLE_DAY = dt.date.fromisoformat(TODAY)


def mapsite(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mapsite", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "80", **(env or {})},
    )


def epoch(day: str) -> str:
    return str(int(dt.datetime.fromisoformat(f"{day}T12:00:00+00:00").timestamp()))


def test_the_example_is_built_as_of_its_own_day_whatever_the_date(example_site, tmp_path):
    # No --today and no SOURCE_DATE_EPOCH (conftest removes it): the README's command as typed.
    result = run("build", "--site", str(example_site), "--no-protect", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "as of 2027-02-22" in result.stdout
    portal = (tmp_path / "out" / "acme" / "index.html").read_text("utf-8")
    assert re.search(r"Overdue: (<[^>]+>)?\d", portal)
    assert "POC Environment Setup" in portal


def test_no_example_item_is_done_in_the_future_and_some_are_overdue(example_site):
    site, findings = load_site(example_site)
    assert site.today == EXAMPLE_DAY and not findings
    loaded = load_deals(site, EXAMPLE_DAY)
    assert len(loaded.deals) == 3
    overdue = 0
    for deal in loaded.deals:
        for milestone in deal.milestones:
            if milestone.status == "done":
                assert milestone.due <= EXAMPLE_DAY, (deal.slug, milestone.name)
            elif milestone.due < EXAMPLE_DAY and milestone.status != "skipped":
                overdue += 1
    assert overdue >= 2


def test_the_example_projection_is_the_one_its_durations_give(example_site):
    result = mapsite("plan", "acme", "--site", str(example_site))
    assert result.returncode == 0, result.stderr
    assert "schedule as of Mon, Feb 22, 2027" in result.stdout
    # POC setup 2bd, pilot 15bd, ROI 4bd, business case 2bd, procurement 5bd, negotiation 5bd,
    # legal review 5bd, signature 2bd: April 16, two weeks ahead of the April 30 target.
    # Issue 15: not "on track" though: POC Environment Setup was due Feb 18, is still in progress
    # on Feb 22, and the signature waits for it.
    assert (
        "Projected signature: Fri, Apr 16, 2027 (at risk: 1 overdue milestone it waits for; target "
        "Fri, Apr 30, 2027)" in " ".join(result.stdout.split())
    )
    assert "Overdue work holds up the signature: POC Environment Setup." in result.stdout


def test_today_option_beats_the_site_which_beats_source_date_epoch(example_site):
    later = {"SOURCE_DATE_EPOCH": epoch("2027-03-08")}
    pinned = mapsite("plan", "acme", "--site", str(example_site), env=later)
    assert "schedule as of Mon, Feb 22, 2027" in pinned.stdout, pinned.stderr
    chosen = mapsite("plan", "acme", "--site", str(example_site), "--today", "2027-03-01", env=later)
    assert "schedule as of Mon, Mar 1, 2027" in chosen.stdout, chosen.stderr
    status = mapsite("status", "--site", str(example_site), "--json", env=later)
    assert '"today": "2027-02-22"' in status.stdout, status.stderr


def test_a_today_that_is_no_date_is_an_error_at_its_line(example_site):
    site_yml = example_site / "mapsite.yml"
    text = site_yml.read_text("utf-8").replace("today: 2027-02-22", "today: 2027-02-30")
    site_yml.write_text(text, "utf-8")
    result = mapsite("check", "--site", str(example_site))
    assert result.returncode == 1
    assert f"mapsite.yml:{line_of(text, 'today: 2027-02-30')}: error: 'today' in mapsite.yml" in result.stdout


# Today for `new` and `plan`, a Monday; each close is the blueprint's own horizon from it.
NEW_DAY = "2027-01-04"


@pytest.mark.parametrize(
    ("blueprint", "close", "at_least"),
    [
        # 60 business days of plan; its critical path takes about 46.
        ("enterprise", "2027-03-31", dt.date(2027, 3, 1)),
        ("partner", "2027-03-31", dt.date(2027, 3, 1)),
        # 15 business days of plan; trial, pricing and signature take about 10.
        ("smb", "2027-01-25", dt.date(2027, 1, 13)),
    ],
)
def test_a_new_deal_projects_a_close_its_steps_can_make(tmp_path, blueprint, close, at_least):
    """Before: every step took one day, so any plan projected its signature within two weeks."""
    env = {"SOURCE_DATE_EPOCH": epoch(NEW_DAY)}
    assert mapsite("init", str(tmp_path / "site"), env=env).returncode == 0
    site = tmp_path / "site"
    made = mapsite(
        "new", "Acme Corp", "--blueprint", blueprint, "--close", close, "--site", str(site), env=env
    )
    assert made.returncode == 0, made.stderr
    plan = mapsite("plan", "acme-corp", "--site", str(site), env=env)
    assert plan.returncode == 0, plan.stderr
    projected = re.search(r"Projected signature: \w+, (\w+ \d+, \d{4}) \(on track", plan.stdout)
    assert projected, plan.stdout
    day = dt.datetime.strptime(projected[1], "%b %d, %Y").date()
    assert at_least <= day <= dt.date.fromisoformat(close)
    check = mapsite("check", "--site", str(site), env=env)
    assert check.returncode == 0, check.stdout
    assert "signature lands" not in check.stdout and "overdue" not in check.stdout
