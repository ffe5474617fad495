"""An honest "moved from Apr 30" on the portal (issue 17, slip history): a site kept in a real git
repository whose deal file's commits (and its uncommitted edit) moved due dates; the built portal
marks each moved item, in the plan and in This week, with the date it had before, and how often
and from when it moved when more than once. Items that never moved carry no mark, and a site
outside git builds exactly as before."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

from mapsite.pipeline.build import build
from mapsite.pipeline.readable import render_all
from mapsite.schedule.portal import portal_view
from mapsite.schedule.slips import Slip, SlipHistory
from tests.helpers import MINIMAL_DEAL, git_commit

BUILT = dt.date(2027, 2, 22)
DEAL = "content/deals/buyer-co.md"
ACTION = "demo/Send the demo script"
# The demo has an action and a security review never moves.
FIRST = MINIMAL_DEAL.replace(
    "due: 2027-03-01}",
    "due: 2027-03-01, actions: [{task: Send the demo script, owner: champ, due: 2027-02-24}]}\n"
    "  - {phase: Evaluation, id: security, name: Security Review, owners: [champ], due: 2027-03-03}",
)


def _close(text: str, day: str) -> str:
    return text.replace("close_date: 2027-04-30", f"close_date: {day}")


def moved_site(site_factory) -> Path:
    """Commit 1 as FIRST; commit 2 moves the demo Mar 1 -> Mar 8 and the close (so the signature,
    due ``close``) Apr 30 -> May 7; commit 3 moves the close to May 14; the file as it is now (not
    committed) moves the close to May 21 and the demo's action Feb 24 -> Feb 26."""
    site = site_factory.make({"buyer-co.md": FIRST})
    git_commit(site, {DEAL: FIRST}, "first plan")
    second = _close(FIRST, "2027-05-07").replace("due: 2027-03-01,", "due: 2027-03-08,")
    git_commit(site, {DEAL: second}, "demo and close move")
    git_commit(
        site, {DEAL: _close(FIRST, "2027-05-14").replace("due: 2027-03-01,", "due: 2027-03-08,")}, "close"
    )
    now = _close(FIRST, "2027-05-21").replace("due: 2027-03-01,", "due: 2027-03-08,")
    (site / DEAL).write_text(now.replace("due: 2027-02-24}", "due: 2027-02-26}"), "utf-8")
    return site


class _Items(HTMLParser):
    """The text of each plan row (``data-item``) and each This week entry (``next-item``)."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, str | None]] = []  # (tag, key) of every open element
        self.text: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"meta", "link", "br", "img", "input", "source", "hr", "col", "wbr"}:
            return
        found = dict(attrs)
        key = found.get("data-item")
        if "next-item" in (found.get("class") or "").split():
            key = "next:" + str(found.get("data-due"))
        self.open.append((tag, key))
        if key:
            self.text.setdefault(key, [])

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            if self.open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, key in self.open:
            if key:
                self.text[key].append(data)


def items_text(html: str) -> dict[str, str]:
    parser = _Items()
    parser.feed(html)
    return {key: re.sub(r"\s+", " ", "".join(parts)) for key, parts in parser.text.items()}


def test_the_view_carries_each_items_slip_and_nothing_for_the_others(site_factory):
    """portal_view gives the milestone, its action (in the plan and in Commitments) and their
    This week entries the slip of their key; an item without one has None."""
    deal = render_all(site_factory.make({"buyer-co.md": FIRST}), BUILT).deals[0]
    demo = Slip("Technical Demo", dt.date(2027, 2, 22), dt.date(2027, 3, 1), 2, 5, dt.date(2027, 2, 26))
    action = Slip(
        "Send the demo script", dt.date(2027, 2, 23), dt.date(2027, 2, 24), 1, 1, dt.date(2027, 2, 23)
    )
    view = portal_view(deal, BUILT, SlipHistory({"demo": demo, ACTION: action}))
    milestones = {m.milestone.id: m for phase in view.phases for m in phase.milestones}
    assert milestones["demo"].moved_from == demo
    assert milestones["demo"].actions[0].moved_from == action
    assert milestones["security"].moved_from is None and milestones["signature"].moved_from is None
    assert [a.moved_from for group in view.commitments for a in group.items] == [action]
    upcoming = {item.title: item.moved_from for group in view.upcoming for item in group.items}
    assert upcoming == {
        "Send the demo script": action,
        "Technical Demo": demo,
        "Security Review": None,
        "Contract Signature": None,
    }
    # Without a history (outside git) nothing is marked.
    plain = portal_view(deal, BUILT)
    assert all(m.moved_from is None for phase in plain.phases for m in phase.milestones)


def test_the_built_portal_says_moved_from_on_the_moved_items_only(site_factory):
    site = moved_site(site_factory)
    html = (build(site, today=BUILT, protect=False).out / "buyer-co" / "index.html").read_text("utf-8")
    items = items_text(html)
    # Moved once: the date it had before, nothing more.
    assert "moved from Mar 1" in items["demo"] and "times" not in items["demo"]
    # The uncommitted edit counts: the action moved from Feb 24 (in the plan and Commitments).
    assert "moved from Feb 24" in items[ACTION]
    assert html.count('data-item="demo/Send the demo script"') == 2
    assert html.count("moved from Feb 24") == 3  # plan, Commitments and This week
    # Moved three times: the previous date, how often and the first date.
    assert "moved from May 14 · 3 times, first Apr 30" in items["signature"]
    # This week lists the demo (Mar 8) and the action (Feb 26) with their marks.
    assert "moved from Mar 1" in items["next:2027-03-08"]
    assert "moved from Feb 24" in items["next:2027-02-26"]
    # The security review never moved: no mark anywhere it is shown.
    assert "moved" not in items["security"]
    assert "moved" not in items["next:2027-03-03"]


def test_outside_git_the_portal_has_no_moved_mark(site_factory):
    site = site_factory.make({"buyer-co.md": _close(FIRST, "2027-05-21")})
    html = (build(site, today=BUILT, protect=False).out / "buyer-co" / "index.html").read_text("utf-8")
    assert "moved from" not in html and "moved-from" not in html
