"""Slip history from a real git repository: a series of commits moving dates, read back as each
item's moves (count, business days, first and current date), and check's warning when the
close date moved three times or more."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

from mapsite.pipeline.readable import render_all
from tests.helpers import MINIMAL_DEAL, SITE_YML, line_of, run

DEAL = "content/deals/first-deal.md"


def commit(site: Path, text: str, message: str) -> None:
    (site / DEAL).write_text(text, "utf-8")
    env = {"GIT_AUTHOR_DATE": "2027-02-01T10:00:00", "GIT_COMMITTER_DATE": "2027-02-01T10:00:00"}
    for args in (["add", "-A"], ["commit", "-q", "-m", message]):
        subprocess.run(["git", *args], cwd=site, check=True, env={**_git_env(), **env}, timeout=30)


def _git_env() -> dict[str, str]:
    return {
        **os.environ,
        "GIT_AUTHOR_NAME": "Rep",
        "GIT_AUTHOR_EMAIL": "rep@example.com",
        "GIT_COMMITTER_NAME": "Rep",
        "GIT_COMMITTER_EMAIL": "rep@example.com",
    }


def moved_site(site_factory, closes: list[str]) -> Path:
    """A site in git whose deal's close date (and so its signature) moves through ``closes``;
    the demo moves once, from Mar 1 to Mar 8, in the second commit."""
    site = site_factory.make({"first-deal.md": MINIMAL_DEAL}, SITE_YML)
    subprocess.run(["git", "init", "-q"], cwd=site, check=True, timeout=30)
    commit(site, MINIMAL_DEAL, "first plan")
    text = MINIMAL_DEAL
    for n, close in enumerate(closes):
        text = text.replace(
            text[text.index("close_date: ") : text.index("\n", text.index("close_date: "))],
            f"close_date: {close}",
        )
        if n == 0:
            text = text.replace("due: 2027-03-01}", "due: 2027-03-08}")
        commit(site, text, f"move {n}")
    return site


def slips_of(site: Path):
    result = render_all(site, dt.date(2027, 2, 22))
    return result.slips[result.deals[0].slug]


def test_each_items_moves_are_counted_with_first_and_current_date(site_factory):
    site = moved_site(site_factory, ["2027-05-07", "2027-05-14", "2027-05-21"])
    slips = slips_of(site)
    demo = slips.items["demo"]
    assert (demo.first, demo.current, demo.moves, demo.days, demo.previous) == (
        dt.date(2027, 3, 1),
        dt.date(2027, 3, 8),
        1,
        5,
        dt.date(2027, 3, 1),
    )
    # The signature is due "close": it moved with the close date, three times.
    signature = slips.items["signature"]
    assert (signature.first, signature.current, signature.moves) == (
        dt.date(2027, 4, 30),
        dt.date(2027, 5, 21),
        3,
    )
    assert signature.previous == dt.date(2027, 5, 14)
    assert signature.days == 15
    assert slips.close is not None and slips.close.moves == 3
    assert slips.count == 1 + 3 + 3


def test_an_uncommitted_edit_counts_as_the_newest_version(site_factory):
    site = moved_site(site_factory, [])
    assert slips_of(site).items == {}
    text = (site / DEAL).read_text("utf-8").replace("due: 2027-03-01}", "due: 2027-03-03}")
    (site / DEAL).write_text(text, "utf-8")
    assert slips_of(site).items["demo"].moves == 1


def test_a_site_outside_git_has_no_slips(site_factory):
    site = site_factory.make({"first-deal.md": MINIMAL_DEAL}, SITE_YML)
    assert slips_of(site).count == 0


def test_check_warns_when_the_close_date_moved_three_times(site_factory):
    twice = moved_site(site_factory, ["2027-05-07", "2027-05-14"])
    out = run("check", "--site", str(twice), "--today", "2027-02-22")
    assert "becoming fiction" not in out.stdout + out.stderr
    (twice / ".git").rename(twice.parent / "old-git")

    site = moved_site(site_factory, ["2027-05-07", "2027-05-14", "2027-05-21"])
    out = run("check", "--site", str(site), "--today", "2027-02-22")
    text = " ".join((out.stdout + out.stderr).split())
    line = line_of((site / DEAL).read_text("utf-8"), "close_date:")
    assert (
        f"{DEAL}:{line}: warning: the close date moved 3 times, from 2027-04-30 to 2027-05-21 "
        "(+15 business days): the close date is becoming fiction"
    ) in text
    assert "Traceback" not in out.stderr
