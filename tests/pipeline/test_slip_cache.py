"""Slip histories cost a build a fixed number of git processes, not a few per deal, and the
histories kept in .mapsite/slips.json between builds give the same portal as reading every
version again: after a new commit, after history is rewritten, and when the file is damaged.

The portal's "moved from" marks are the user-visible result (see tests/render/test_moved_from.py
for what they say); here each build's page is compared with one built from scratch."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

from tests.helpers import MINIMAL_DEAL, git_commit

TODAY = "2027-02-22"
CACHE = ".mapsite/slips.json"
FULL = ("--no-protect", "--force")
_REP = {"GIT_AUTHOR_NAME": "Rep", "GIT_AUTHOR_EMAIL": "rep@example.com"}
_REP |= {"GIT_COMMITTER_NAME": "Rep", "GIT_COMMITTER_EMAIL": "rep@example.com"}


def _deal(close: str, demo: str) -> str:
    return MINIMAL_DEAL.replace("close_date: 2027-04-30", f"close_date: {close}").replace(
        "due: 2027-03-01}", f"due: {demo}}}"
    )


def _site(site_factory, deals: int) -> Path:
    """``deals`` deals in git, each with two commits: the demo moved Mar 1 -> Mar 8."""
    names = [f"deal-{n}.md" for n in range(deals)]
    site = site_factory.make({name: _deal("2027-04-30", "2027-03-01") for name in names})
    git_commit(site, {f"content/deals/{name}": _deal("2027-04-30", "2027-03-01") for name in names}, "plan")
    git_commit(site, {f"content/deals/{name}": _deal("2027-04-30", "2027-03-08") for name in names}, "move")
    return site


def _git_shim(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """An environment whose ``git`` logs each call (its first argument after -c options) and
    runs the real git: how a test counts the processes a build starts."""
    real = subprocess.run(["which", "git"], capture_output=True, text=True, check=True).stdout.strip()
    folder, log = tmp_path / "shim", tmp_path / "git-calls.log"
    folder.mkdir()
    shim = folder / "git"
    shim.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{real}" "$@"\n', "utf-8")
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    return {**os.environ, "PATH": f"{folder}:{os.environ['PATH']}"}, log


def _build(site: Path, env: dict[str, str] | None = None) -> str:
    """A real ``mapsite build --no-protect --force``; the first deal's portal page."""
    result = subprocess.run(
        [sys.executable, "-m", "mapsite", "build", *("--site", str(site), "--today", TODAY), *FULL],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    return (site / "output" / "deal-0" / "index.html").read_text("utf-8")


def _from_scratch(site: Path) -> str:
    (site / CACHE).unlink(missing_ok=True)
    return _build(site)


def test_a_build_starts_as_many_git_processes_for_six_deals_as_for_two(site_factory, tmp_path):
    env, log = _git_shim(tmp_path)
    counts = {}
    for deals in (2, 6):
        site = _site(site_factory, deals)
        _build(site, env)  # the first build reads each deal's versions once, and keeps them
        log.unlink()
        html = _build(site, env)
        counts[deals] = log.read_text("utf-8").splitlines()
        assert "moved from Mar 1" in html
    assert len(counts[6]) == len(counts[2]) <= 4, counts
    assert not any("cat-file" in call for call in counts[6]), "no version is read again"


def test_a_new_commit_is_folded_onto_the_kept_history(site_factory):
    site = _site(site_factory, 1)
    _build(site)
    assert (site / CACHE).is_file()
    git_commit(site, {"content/deals/deal-0.md": _deal("2027-05-07", "2027-03-15")}, "again")
    page = _build(site)
    assert "moved from Mar 8 · 2 times, first Mar 1" in re.sub(r"<[^>]+>", "", page)
    assert "moved from Apr 30" in page  # the signature, due on the close date
    assert page == _from_scratch(site)


def test_rewritten_history_is_read_again(site_factory):
    site = _site(site_factory, 1)
    _build(site)
    # The rep amends the last commit: the demo never moved to Mar 8, it moved to Mar 3.
    (site / "content/deals/deal-0.md").write_text(_deal("2027-04-30", "2027-03-03"), "utf-8")
    subprocess.run(
        ["git", "commit", "-q", "-a", "--amend", "--no-edit"],
        cwd=site,
        check=True,
        timeout=30,
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(site), **_REP},
    )
    page = _build(site)
    assert "moved from Mar 1" in page and "times" not in page  # one move: Mar 1 -> Mar 3
    assert page == _from_scratch(site)


def test_a_damaged_history_file_is_only_a_missed_cache(site_factory):
    site = _site(site_factory, 1)
    _build(site)
    for damage in ("{not json", '{"format": 1, "deals": {"deal-0.md": {"blobs": 3, "state": []}}}'):
        (site / CACHE).write_text(damage, "utf-8")
        page = _build(site)
        assert "moved from Mar 1" in page
        assert page == _from_scratch(site)


def test_check_reads_the_history_but_keeps_nothing(site_factory):
    site = _site(site_factory, 1)
    result = subprocess.run(
        [sys.executable, "-m", "mapsite", "check", "--site", str(site), "--today", TODAY],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert not (site / CACHE).exists()
