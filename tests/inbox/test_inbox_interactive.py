"""``mapsite inbox --apply`` asking the rep about each change, answered on stdin in a real process.

The rep accepts some changes, declines one with a reason (the reader sees it in the rebuilt
portal) and skips others, which must stay untouched in the deal file and be offered again on
the next run, and only they; once all are answered the update is dropped as processed.
"""

from __future__ import annotations

import difflib
import re

from mapsite.protect.armour import armour
from tests.inbox.helpers import DEAL, FIRST, reader_code, run

REASON = "The CFO is back on the 15th, keep the date"


def questions(out: str) -> list[str]:
    """The prompts, in order (stdin is not a terminal, so each answer does not end its line)."""
    return re.findall(
        r"(  \d\.\d: accept, decline or skip\? \(a, d, s\) \[s\]: |  Why \(the reader sees this\): )", out
    )


def as_on_a_terminal(out: str) -> str:
    """``out`` with each prompt on its own line, as a terminal echoing the answers shows it."""
    for question in set(questions(out)):
        out = out.replace(question, question + "\n")
    return out


def ask(change: str) -> str:
    return f"  {change}: accept, decline or skip? (a, d, s) [s]: "


def added_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line[1:] for line in diff if line.startswith("+") and not line.startswith("+++")]


def test_apply_asks_each_change_and_writes_accepted_declined_and_leaves_skipped_for_next_time(site, tmp_path):
    update = tmp_path / "acme-update-1.mapsite-update.txt"
    update.write_text(armour(reader_code(site, 1, FIRST), "acme"), "utf-8")
    before = (site / DEAL).read_text("utf-8")

    # 1.1 done: accept; 1.2 new date: decline with a reason; 1.3 question: skip;
    # 1.4 colleague: accept; 1.5 agreement: skip.
    first = run(site, "inbox", update.name, "--apply", cwd=tmp_path, stdin=f"a\nd\n{REASON}\ns\na\ns\n")
    assert first.returncode == 0, first.stdout + first.stderr
    assert questions(first.stdout) == [
        ask("1.1"), ask("1.2"), "  Why (the reader sees this): ", ask("1.3"), ask("1.4"), ask("1.5")
    ]  # fmt: skip
    assert "  1.1: action 'Provide data sample for POC' is done\n" in first.stdout
    assert "  1.2: declined, with the reason in the discussion\n" in first.stdout
    assert "  1.4: Lee Chen is a stakeholder (lee-chen)\n" in first.stdout
    assert "1.3:" not in first.stdout.split("[s]: ")[-1], "a skipped change says nothing was done"
    assert max(map(len, as_on_a_terminal(first.stdout).splitlines())) <= 80

    after_first = (site / DEAL).read_text("utf-8")
    added = added_lines(before, after_first)
    assert "updated: 2027-02-22" in added
    assert any("Provide data sample for POC" in line and "done: true" in line for line in added)
    assert any(line.startswith("  - {id: lee-chen, name: Lee Chen,") for line in added)
    [declined] = [line for line in added if "declined:" in line]
    assert "item: poc-review, kind: proposal" in declined and f'declined: "{REASON}"' in declined
    assert re.search(r"ref: [0-9a-f]{16}:a1b2c3d4:1\.2,", declined)
    assert not any("due: 2027-03-19" in line for line in added), "the declined date is not applied"
    assert "SSO" not in after_first and "kind: agreement" not in after_first, "skipped: left alone"
    assert run(site, "check").returncode == 0

    # The next run offers the two skipped changes, and only them.
    second = run(site, "inbox", update.name, "--apply", cwd=tmp_path, stdin="a\na\n")
    assert second.returncode == 0, second.stdout + second.stderr
    assert questions(second.stdout) == [ask("1.3"), ask("1.5")]
    shown = second.stdout.split("[s]: ")[0]
    assert '1.3 question on the plan: "Can we add SSO to the pilot?"' in shown
    assert "1.1 " not in shown and "1.2 " not in shown and "1.4 " not in shown
    after_second = (site / DEAL).read_text("utf-8")
    added = added_lines(after_first, after_second)
    assert len(added) == 2, added
    assert "kind: question, text: Can we add SSO to the pilot?" in added[0]
    assert "kind: agreement" in added[1]
    assert not [
        line for line in difflib.ndiff(after_first.splitlines(), after_second.splitlines()) if line[:1] == "-"
    ]

    third = run(site, "inbox", update.name, "--apply", cwd=tmp_path, stdin="")
    assert third.returncode == 0, third.stdout + third.stderr
    assert questions(third.stdout) == []
    assert "was already processed on 2027-02-22; dropped" in " ".join(third.stdout.split())
    assert (site / DEAL).read_text("utf-8") == after_second
