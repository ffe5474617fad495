"""``mapsite plan`` in a real process: the schedule table, the projected signature, what-ifs."""

from __future__ import annotations

import re

import pytest

from mapsite.read.frontmatter import read_document
from tests.helpers import LATE_DEAL, run


@pytest.fixture
def site(site_factory, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")  # a wide terminal: one line per milestone
    return str(site_factory.make({"buyer-co.md": LATE_DEAL}))


def lines(output: str) -> list[str]:
    return [" ".join(line.split()) for line in output.splitlines()]


def test_plan_prints_the_schedule_and_the_projected_signature(site):
    result = run("plan", "buyer-co", "--site", site, "--today", "2027-03-15")
    assert result.returncode == 0, result.stderr
    # Mon Mar 15: demo takes 9bd (to Mar 25); security 40bd (to Fri May 7, 13bd after its due
    # date); the signature follows on Mon May 10, 6 business days after Fri Apr 30.
    assert [line for line in lines(result.stdout) if line.strip("─")] == [
        "Buyer Co x Northwind: schedule as of Mon, Mar 15, 2027",
        "Phase Milestone Owners Due Earliest finish Slack Critical",
        "Evaluation Technical Demo Dana Whitfield, Sam Carter Mar 26 Mar 25 +1",
        "Security Review Dana Whitfield Apr 20 May 7 -13 ◆",
        "Close Contract Signature Raj Patel, Sam Carter Apr 30 May 10 -6 ◆",
        "Slack: business days from the earliest finish to the due date (negative: late). "
        "◆ on the critical path to signature.",
        # Issue 15: the projection says what it assumed (the signature gives no duration).
        "The projection assumes 1 business day for the open milestone without a longer duration.",
        "Projected signature: Mon, May 10, 2027 (6 business days after the target Fri, Apr 30, 2027)",
    ]


def test_what_if_shows_what_each_slip_does_to_close(site):
    result = run(
        "plan", "buyer-co", "--site", site, "--today", "2027-03-15",
        "--what-if", "security -2w", "--what-if", "Technical Demo +10bd",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    # Security in 30bd ends Fri Apr 23: signature Mon Apr 26. Demo in 19bd ends Apr 8, which
    # still leaves security deciding the close.
    assert lines(result.stdout)[-4:] == [
        "Projected signature: Mon, May 10, 2027 (6 business days after the target Fri, Apr 30, 2027)",
        "If security takes 10 business days less, signature lands on Apr 26 (on track)",
        "If demo slips 10 business days, signature lands on May 10 (6 business days after the target)",
        "If all of these happen, signature lands on Apr 26 (on track)",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("buyer-c",),
            "error: no deal with slug 'buyer-c', nor a deal file or folder of that name "
            "(hint: did you mean 'buyer-co'?)",
        ),
        (
            ("buyer-co", "--what-if", "securty +5bd"),
            "error: --what-if 'securty +5bd': deal 'buyer-co' has no milestone 'securty' "
            "(hint: did you mean 'security'?)",
        ),
        (
            ("buyer-co", "--what-if", "security in a week"),
            "error: --what-if 'security in a week': write a milestone id, + or -, and business days, "
            "e.g. 'security-review +5bd'",
        ),
    ],
)
def test_unknown_names_get_one_line_and_a_suggestion(site, args, message):
    result = run("plan", *args, "--site", site, "--today", "2027-03-15")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == message


def test_plan_at_80_columns_is_one_line_per_milestone_with_whole_headers(example_site, monkeypatch):
    # Issue 14: at 80 columns each milestone took two to four lines and "Earliest finish" and the
    # legend ran past the edge. The example acme deal has long names and fourteen milestones.
    monkeypatch.setenv("COLUMNS", "80")
    result = run("plan", "acme", "--site", str(example_site), "--today", "2027-02-22")
    assert result.returncode == 0, result.stderr
    output = result.stdout.splitlines()
    assert max(len(line) for line in output) <= 80, result.stdout
    [header] = [line for line in output if line.split()[:2] == ["Phase", "Milestone"]]
    assert header.split() == ["Phase", "Milestone", "Owners", "Due", "Earliest", "Slack", "◆"]
    acme = example_site / "content" / "deals" / "acme" / "index.md"
    names = [m["name"] for m in read_document(acme, "acme").frontmatter["milestones"]]
    table = output[
        output.index(header) + 2 : next(i for i, line in enumerate(output) if line.startswith("Slack:"))
    ]
    rows = [line for line in table if line.strip()]
    assert len(rows) == len(names) > 10, rows
    assert all(re.search(r"  (Jan|Feb|Mar|Apr|May|Jun) \d+  ", row) for row in rows), "a due date on each"
    tail = " ".join(lines(result.stdout)[output.index(next(x for x in output if x.startswith("Slack:"))) :])
    assert tail.startswith(
        "Slack: business days from the earliest finish to the due date (negative: late). ◆ on the "
        "critical path to signature. The projection assumes 1 business day for the open milestone "
        "without a longer duration. Projected signature: "
    )
