"""A full build stages the new site in the site's ``.mapsite/``, swaps it in, then leaves the
previous one's files to a process of their own (write/output.py): the rep's prompt comes back
without waiting for the deletes, the site folder shows ``output/`` and nothing else of either
site at any time, and what a crashed build left (there, or beside output/ where earlier versions
staged) goes too."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from mapsite.scaffold.site import GITIGNORE
from tests.helpers import MINIMAL_DEAL, mapsite_ok


def _beside_output(site: Path) -> list[str]:
    return sorted(p.name for p in site.iterdir() if p.name.startswith(".output"))


def _retired(site: Path) -> list[str]:
    return sorted(p.name for p in (site / ".mapsite").iterdir() if p.name.startswith(".output"))


def _crashed_leftover(folder: Path) -> None:
    stale = folder / ".output.old-99999999"  # as a build killed after its swap would leave it
    (stale / "buyer-co").mkdir(parents=True)
    (stale / "buyer-co" / "index.html").write_text("an old portal", "utf-8")


def test_the_previous_site_and_a_crashed_builds_leftovers_are_removed(site_factory):
    site = site_factory.make({"buyer-co.md": MINIMAL_DEAL})
    mapsite_ok(site, "build", "--no-protect", "--today", "2027-02-22")
    _crashed_leftover(site)
    _crashed_leftover(site / ".mapsite")
    old_page = (site / "output" / "buyer-co" / "index.html").read_bytes()

    mapsite_ok(site, "build", "--no-protect", "--force", "--today", "2027-02-23")

    # The new site is in place at once; the old files go within a bounded wait.
    assert (site / "output" / "buyer-co" / "index.html").read_bytes() != old_page
    deadline = time.monotonic() + 20
    while (_beside_output(site) or _retired(site)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _beside_output(site) == []
    assert _retired(site) == []
    assert sorted(p.name for p in (site / "output").iterdir())  # the live site is untouched


def _git(site: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=site, capture_output=True, text=True, timeout=60, check=True)
    return result.stdout


def test_git_sees_nothing_of_a_build_while_it_runs_or_after(site_factory):
    """A rep runs ``git status`` or ``git add -A`` during or right after a build: git must not
    meet the site being staged or the replaced one being deleted (files vanishing under it), nor
    offer to add a copy of either."""
    site = site_factory.make({"buyer-co.md": MINIMAL_DEAL})
    # A deal folder's files are published with it: enough that staging and deleting take a while.
    papers = site / "content" / "deals" / "papers"
    (papers / "files").mkdir(parents=True)
    (papers / "index.md").write_text(MINIMAL_DEAL.replace("Buyer Co", "Paper Co"), "utf-8")
    for n in range(800):
        (papers / "files" / f"note-{n}.txt").write_text(f"note {n}", "utf-8")
    (site / ".gitignore").write_text(GITIGNORE, "utf-8")
    _git(site, "init", "-q")
    _git(site, "add", "-A")
    _git(site, "-c", "user.name=Rep", "-c", "user.email=rep@example.com", "commit", "-qm", "deals")
    mapsite_ok(site, "build", "--no-protect", "--today", "2027-02-22")

    seen: list[str] = []
    command = [sys.executable, "-m", "mapsite", "build", "--no-protect", "--force", "--today", "2027-02-23"]
    with subprocess.Popen([*command, "--site", str(site)], stdout=subprocess.DEVNULL) as build:
        deadline = time.monotonic() + 120
        while build.poll() is None and time.monotonic() < deadline:
            seen.append(_git(site, "status", "--porcelain", "--untracked-files=all"))
        assert build.wait(timeout=60) == 0
    seen.append(_git(site, "status", "--porcelain", "--untracked-files=all"))
    assert len(seen) > 2, "git looked at the site while it was built"
    assert [status for status in seen if status] == []
    assert _beside_output(site) == []
