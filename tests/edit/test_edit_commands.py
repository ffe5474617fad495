"""done, mark and move in real processes: each changes only the lines it must, in the rep's style.

The example deals are diffed before and after each command; a change outside the intended lines
(a comment lost, a flow item expanded, quotes dropped) fails the exact comparison.
"""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path

import pytest

from tests.helpers import MINIMAL_DEAL, run

DAY = "2027-02-22"


@pytest.fixture(autouse=True)
def pinned_day(monkeypatch):
    """Every command runs on DAY: ``updated:`` and a default ``completed:`` are that day."""
    epoch = int(dt.datetime.fromisoformat(f"{DAY}T12:00:00+00:00").timestamp())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))


def changed(before: str, after: str) -> list[str]:
    """The removed (-) and added (+) lines, in file order, without context or headers."""
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("---", "+++"))]


def only_line(text: str, needle: str) -> str:
    hits = [line for line in text.splitlines() if needle in line]
    assert len(hits) == 1, (needle, hits)
    return hits[0]


def mapsite(site: Path, *args: str):
    return run(*args, "--site", str(site))


def test_done_on_a_block_milestone_changes_its_status_adds_completed_and_stamps_updated(example_site):
    deal = example_site / "content/deals/acme/index.md"
    before = deal.read_text("utf-8")
    updated = only_line(before, "updated:")

    result = mapsite(example_site, "done", "acme", "poc-setup")

    assert result.returncode == 0, result.stderr
    after = deal.read_text("utf-8")
    assert changed(before, after) == [
        f"-{updated}",
        f"+updated: {DAY}",
        "-    status: in_progress",
        "+    status: done",
        f"+    completed: {DAY}",
    ]
    assert result.stdout.splitlines()[0] == f"POC Environment Setup (poc-setup) is done, completed {DAY}."
    assert result.stdout.splitlines()[1].startswith("Wrote content/deals/acme/index.md (lines ")


def test_done_on_a_flow_milestone_by_part_of_its_name_keeps_it_on_one_line(example_site):
    deal = example_site / "content/deals/bluebird-bakery.md"
    before = deal.read_text("utf-8")
    line = only_line(before, "id: plan-choice")

    result = mapsite(example_site, "done", "bluebird-bakery", "pricing conf", "--on", "2027-02-19")

    assert result.returncode == 0, result.stderr
    new_line = line.replace("due: close - 5bd,", "due: close - 5bd, status: done, completed: 2027-02-19,")
    assert changed(before, deal.read_text("utf-8")) == [
        f"-{only_line(before, 'updated:')}",
        f"+updated: {DAY}",
        f"-{line}",
        f"+{new_line}",
    ]
    assert "Plan and pricing confirmed (plan-choice) is done, completed 2027-02-19." in result.stdout


def test_done_on_a_nested_flow_action_writes_done_true(example_site):
    deal = example_site / "content/deals/acme/index.md"
    before = deal.read_text("utf-8")
    line = only_line(before, "Provide data sample for POC")

    result = mapsite(example_site, "done", "acme", "data sample")

    assert result.returncode == 0, result.stderr
    assert changed(before, deal.read_text("utf-8"))[2:] == [f"-{line}", f"+{line[:-1]}, done: true}}"]
    assert "action 'Provide data sample for POC' is done." in result.stdout


def test_mark_leaving_done_removes_completed_from_a_flow_item(example_site):
    deal = example_site / "content/deals/bluebird-bakery.md"
    before = deal.read_text("utf-8")
    line = only_line(before, "id: discovery")
    assert "status: done, completed: 2027-02-04," in line

    result = mapsite(example_site, "mark", "bluebird-bakery", "discovery", "In Progress")

    assert result.returncode == 0, result.stderr
    new_line = line.replace("status: done, completed: 2027-02-04,", "status: in_progress,")
    assert changed(before, deal.read_text("utf-8"))[2:] == [f"-{line}", f"+{new_line}"]
    assert result.stdout.splitlines()[:2] == [
        "Discovery call (discovery) is now in_progress (was done).",
        "Note: removed completed: 2027-02-04 (it is no longer done).",
    ]


def test_move_by_business_days_lists_the_items_that_follow_it(example_site):
    deal = example_site / "content/deals/acme/index.md"
    before = deal.read_text("utf-8")
    line = only_line(before, "id: security-submit")
    assert "due: 2027-04-01" in line

    result = mapsite(example_site, "move", "acme", "security-submit", "+3bd")

    assert result.returncode == 0, result.stderr
    assert changed(before, deal.read_text("utf-8"))[2:] == [
        f"-{line}",
        f"+{line.replace('due: 2027-04-01', 'due: 2027-04-06')}",
    ]
    assert result.stdout.splitlines()[:2] == [
        "Security Review Submitted (security-submit) is due 2027-04-06 (was 2027-04-01).",
        "Moved along: Security Review Complete: 2027-04-12 -> 2027-04-15",
    ]


def test_move_of_a_relative_date_writes_the_date_and_says_what_it_no_longer_follows(example_site):
    deal = example_site / "content/deals/acme/index.md"
    before = deal.read_text("utf-8")

    result = mapsite(example_site, "move", "acme", "poc-setup", "-1bd")

    assert result.returncode == 0, result.stderr
    assert changed(before, deal.read_text("utf-8"))[2:] == [
        "-    due: poc-scope + 3bd",
        "+    due: 2027-02-17",
    ]
    assert result.stdout.splitlines()[1] == (
        "Note: its due date was 'poc-scope + 3bd'; it is now the fixed date 2027-02-17 and no "
        "longer follows poc-scope (write 'poc-scope + 3bd' back into the file to undo)."
    )


COMMENTED_DEAL = MINIMAL_DEAL.replace(
    "milestones:\n",
    "milestones:  # the plan agreed on Feb 12\n"
    "  # Evaluation first\n"
    "  - phase: Evaluation\n"
    "    id: pilot\n"
    "    name: 'Pilot: 10 users'\n"
    '    due: "2027-03-01"   # agreed with Dana\n'
    "    owners: [champ]\n"
    "    # no status yet\n",
).replace("updated: 2027-02-20\n", "")


def test_move_keeps_comments_quotes_and_adds_updated_after_the_close_date(site_factory):
    site = site_factory.make({"buyer-co.md": COMMENTED_DEAL})
    deal = site / "content/deals/buyer-co.md"
    before = deal.read_text("utf-8")

    result = mapsite(site, "move", "buyer-co", "Pilot", "2027-03-03")

    assert result.returncode == 0, result.stderr
    assert changed(before, deal.read_text("utf-8")) == [
        f"+updated: {DAY}",
        '-    due: "2027-03-01"   # agreed with Dana',
        '+    due: "2027-03-03"   # agreed with Dana',
    ]
    assert deal.read_text("utf-8").splitlines()[4] == f"updated: {DAY}"  # after close_date


def test_mark_adds_status_under_due_in_a_block_item(site_factory):
    site = site_factory.make({"buyer-co.md": COMMENTED_DEAL})
    deal = site / "content/deals/buyer-co.md"
    before = deal.read_text("utf-8")

    result = mapsite(site, "mark", "buyer-co", "pilot", "blocked")

    assert result.returncode == 0, result.stderr
    assert changed(before, deal.read_text("utf-8"))[1:] == ["+    status: blocked"]
    lines = deal.read_text("utf-8").splitlines()
    assert lines[lines.index("    status: blocked") - 1] == '    due: "2027-03-01"   # agreed with Dana'


def test_an_ambiguous_item_lists_the_candidates_and_writes_nothing(example_site):
    deal = example_site / "content/deals/acme/index.md"
    before = deal.read_bytes()

    result = mapsite(example_site, "done", "acme", "security review")

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: 'security review' matches 2 items of deal 'acme':",
        "  Security Review Submitted (security-submit)",
        "  Security Review Complete (security-review) (hint: name one by its id, or by more of its name)",
    ]
    assert deal.read_bytes() == before


def test_an_unknown_item_names_the_closest(example_site):
    result = mapsite(example_site, "move", "acme", "secrity-reveiw", "+1bd")

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: deal 'acme' has no milestone or action matching 'secrity-reveiw' (hint: closest: "
        "Security Review Complete (security-review); Security Review Submitted (security-submit))"
    )


def test_a_move_that_breaks_the_plan_writes_nothing_and_says_why(example_site):
    deal = example_site / "content/deals/acme/index.md"
    before = deal.read_bytes()

    result = mapsite(example_site, "move", "acme", "poc-review", "2027-02-01")

    assert result.returncode == 1
    assert deal.read_bytes() == before
    assert "'POC Success Review' is due 2027-02-01, before 'POC Environment Setup'" in result.stderr
    assert result.stderr.splitlines()[-1].startswith(
        "error: the change would make content/deals/acme/index.md invalid, so nothing was written"
    )


def test_an_unknown_status_suggests_the_right_one(example_site):
    result = mapsite(example_site, "mark", "acme", "demo", "complete")

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: 'complete' is no status (hint: did you mean 'done'? a status is one of: done, "
        "in_progress, pending, blocked, at_risk, skipped)"
    )


def test_crlf_files_keep_their_line_ends(site_factory):
    site = site_factory.make({"buyer-co.md": COMMENTED_DEAL})
    deal = site / "content/deals/buyer-co.md"
    deal.write_bytes(COMMENTED_DEAL.replace("\n", "\r\n").encode("utf-8"))

    result = mapsite(site, "mark", "buyer-co", "pilot", "at_risk")

    assert result.returncode == 0, result.stderr
    data = deal.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n") == COMMENTED_DEAL.count("\n") + 2
    assert b"    status: at_risk\r\n" in data
