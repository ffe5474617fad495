"""mapsite diff over a real git repository: a week of updates committed as a rep would, and the
exact report a weekly update is written from."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.helpers import run

TITLE = "Acme x Northwind: Marketing Automation Rollout"


@pytest.fixture(autouse=True)
def git_identity(monkeypatch):
    for name in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{name}_NAME", "Sam Carter")
        monkeypatch.setenv(f"GIT_{name}_EMAIL", "sam@northwind.example")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def git(site: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=site, check=True, capture_output=True, text=True).stdout


def commit(site: Path, day: str, message: str, monkeypatch) -> str:
    monkeypatch.setenv("GIT_AUTHOR_DATE", f"{day}T12:00:00+00:00")
    monkeypatch.setenv("GIT_COMMITTER_DATE", f"{day}T12:00:00+00:00")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", message)
    return git(site, "rev-parse", "--short", "HEAD").strip()


def mapsite(site: Path, *args: str) -> subprocess.CompletedProcess:
    result = run(*args, "--site", str(site))
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def week(example_site, monkeypatch) -> tuple[Path, str]:
    """The example site committed on Feb 10, then three commits: done, moved, a person added."""
    site = example_site
    git(site, "init", "-q")
    base = commit(site, "2027-02-10", "Acme plan as agreed", monkeypatch)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1802779200")  # 2027-02-16
    mapsite(site, "done", "acme", "poc-setup", "--on", "2027-02-15")
    commit(site, "2027-02-16", "POC environment ready", monkeypatch)
    mapsite(site, "move", "acme", "security-submit", "+3bd")
    commit(site, "2027-02-17", "Security submission slips", monkeypatch)
    deal = site / "content/deals/acme/index.md"
    text = deal.read_text("utf-8")
    anchor = "  - {id: csm,"
    start = text.index(anchor)
    end = text.index("\n", start) + 1
    person = "  - {id: ciso, name: Jo Park, title: CISO, side: buyer, role: security}\n"
    deal.write_text(text[:end] + person + text[end:], "utf-8")
    commit(site, "2027-02-18", "CISO joins", monkeypatch)
    return site, base


def test_diff_since_a_day_lists_done_moved_and_people_added(week):
    site, base = week

    result = run("diff", "acme", "--since", "2027-02-11", "--today", "2027-02-19", "--site", str(site))

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        TITLE,
        f"Changes since 2027-02-11 (commit {base} of 2027-02-10):",
        "Done:",
        "  - POC Environment Setup (poc-setup), completed 2027-02-15",
        "Dates moved:",
        "  - Security Review Submitted (security-submit): 2027-04-01 -> 2027-04-06 (+3bd)",
        "  - Security Review Complete (security-review): 2027-04-12 -> 2027-04-15 (+3bd)",
        "People added:",
        "  - Jo Park, CISO (buyer)",
    ]


def test_diff_since_a_revision_and_uncommitted_edits(week, monkeypatch):
    site, _base = week
    previous = git(site, "rev-parse", "--short", "HEAD~1").strip()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1803038400")  # 2027-02-19
    mapsite(site, "mark", "acme", "demo", "at_risk")

    result = run("diff", "acme", "--since", "HEAD~1", "--site", str(site))

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        TITLE,
        f"Changes since HEAD~1 (commit {previous} of 2027-02-17), with uncommitted edits:",
        "Status changed:",
        "  - Technical Demo (demo): done -> at_risk",
        "People added:",
        "  - Jo Park, CISO (buyer)",
    ]


def test_diff_without_git_history_says_how_to_get_one(example_site):
    result = run("diff", "acme", "--site", str(example_site))

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: content/deals/acme/index.md has no history: the site is not a git repository "
        "(hint: commit the deal files (git add content && git commit) so their versions can be compared)"
    )


def test_diff_before_the_first_commit_and_a_bad_revision(week):
    site, _base = week

    early = run("diff", "acme", "--since", "2027-01-01", "--site", str(site))
    bad = run("diff", "acme", "--since", "--upload-pack=touch", "--site", str(site))

    assert early.returncode == bad.returncode == 1
    assert early.stderr.strip() == (
        "error: content/deals/acme/index.md has no version before 2027-01-01: its first commit is "
        "of 2027-02-10 (hint: use --since 2027-02-10 or a later day, or a commit)"
    )
    assert (
        bad.stderr.strip()
        == "error: '--upload-pack=touch' is not a revision (hint: give a commit, a tag or e.g. HEAD~3)"
    )
