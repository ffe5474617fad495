"""The plan view: progress, overdue and next up, as of a given today."""

from __future__ import annotations

import datetime as dt

from mapsite.pipeline.load import load_deals
from mapsite.read.site import load_site
from mapsite.schedule.portal import portal_view

DEAL = """\
---
title: Plan test
buyer: {name: Buyer Co}
partner: {name: Partner Co}
close_date: 2027-04-30
updated: 2027-03-01
access: [{label: Team, password_env: X}]
value_summary: Value.
stakeholders:
  - {id: champ, name: Dana, side: buyer, role: champion}
  - {id: eb, name: Raj, side: buyer, role: economic_buyer}
  - {id: ae, name: Sam, side: seller, role: account_executive}
  - {id: si, name: Ines, side: partner, role: project_manager}
milestones:
  - {phase: Discovery, id: disc, name: Discovery, owners: [champ, ae], due: 2027-02-01, status: done}
  - {phase: Evaluation, id: demo, name: Demo, owners: [champ, ae], due: 2027-02-26}
  - {phase: Evaluation, id: poc, name: Pilot, owners: [si, ae], due: 2027-03-10, status: in_progress}
  - {phase: Evaluation, id: extra, name: Extra review, owners: [champ], due: 2027-03-05, status: skipped}
  - {phase: Close, id: sign, name: Signature, owners: [eb, ae], due: close}
actions:
  - {task: Send pricing, owner: ae, due: 2027-03-02, done: true}
  - {task: Share data sample, owner: champ, due: 2027-02-27}
  - {task: Book workshop, owner: si, due: 2027-03-08}
  - {task: Budget approval, owner: eb, due: 2027-04-20}
---
"""


def plan_for(site_factory, today: dt.date):
    root = site_factory.make({"plan-test.md": DEAL})
    site, _ = load_site(root)
    [deal] = load_deals(site, today).deals
    return portal_view(deal, today)


def test_progress_counts_done_and_ignores_skipped(site_factory):
    plan = plan_for(site_factory, dt.date(2027, 3, 1))
    assert (plan.progress.done, plan.progress.total, plan.progress.percent) == (1, 4, 25)
    phases = {p.name: (p.progress.done, p.progress.total) for p in plan.phases}
    assert phases == {"Discovery": (1, 1), "Evaluation": (0, 2), "Close": (0, 1)}
    assert [p.name for p in plan.phases] == ["Discovery", "Evaluation", "Close"]


def test_days_to_close(site_factory):
    assert plan_for(site_factory, dt.date(2027, 3, 1)).days_to_close == 60
    late = plan_for(site_factory, dt.date(2027, 5, 2))
    assert (late.days_to_close, late.close_phrase) == (-2, "2 days ago")


def test_overdue_as_of_today(site_factory):
    plan = plan_for(site_factory, dt.date(2027, 3, 1))
    evaluation = next(p for p in plan.phases if p.name == "Evaluation")
    assert {m.milestone.name: m.overdue for m in evaluation.milestones} == {
        "Demo": True,
        "Pilot": False,
        "Extra review": False,
    }
    # Demo (milestone) and "Share data sample" (action) are overdue.
    assert plan.overdue_count == 2


def test_next_up_lists_each_item_once_under_the_first_side_that_owns_it(site_factory):
    # Issue 15: an item both teams own was listed under each, so "Next up" showed more overdue
    # items than the pill counted. Now once, under the first of buyer, seller, partner owning it,
    # with the other sides' owners named apart.
    plan = plan_for(site_factory, dt.date(2027, 3, 1))
    groups = {
        g.side: [
            (i.title, i.overdue, [o.name for o in i.owners], [o.name for o in i.with_others]) for i in g.items
        ]
        for g in plan.next_up
    }
    assert groups == {
        "buyer": [("Demo", True, ["Dana"], ["Sam"]), ("Share data sample", True, ["Dana"], [])],
        "seller": [("Pilot", False, ["Sam"], ["Ines"])],
        "partner": [("Book workshop", False, ["Ines"], [])],
    }
    overdue_listed = sum(1 for g in plan.next_up for i in g.items if i.overdue)
    assert overdue_listed == plan.overdue_count == 2
    assert [g.label for g in plan.next_up] == ["What you do", "What we do", "What Partner Co does"]


def test_next_up_window_is_fourteen_days(site_factory):
    plan = plan_for(site_factory, dt.date(2027, 4, 10))
    buyer = next(g for g in plan.next_up if g.side == "buyer")
    # Signature (Apr 30) is 20 days out; budget approval (Apr 20) is within 14 days.
    assert [i.title for i in buyer.items] == ["Demo", "Share data sample", "Budget approval"]


def test_commitments_split_by_side_open_first(site_factory):
    plan = plan_for(site_factory, dt.date(2027, 3, 1))
    sides = {g.side: [(a.task, a.done, a.overdue) for a in g.items] for g in plan.commitments}
    assert sides == {
        "buyer": [("Share data sample", False, True), ("Budget approval", False, False)],
        "seller": [("Send pricing", True, False)],
        "partner": [("Book workshop", False, False)],
    }


def test_updated_defaults_to_the_files_last_commit_date(site_factory):
    import os
    import subprocess

    deal = DEAL.replace("updated: 2027-03-01\n", "")
    root = site_factory.make({"plan-test.md": deal})
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": "2027-01-15T10:00:00Z",
        "GIT_COMMITTER_DATE": "2027-01-15T10:00:00Z",
    }
    for command in (
        ["git", "init", "-q"],
        ["git", "add", "."],
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "plan"],
    ):
        subprocess.run(command, cwd=root, check=True, env=env)
    site, _ = load_site(root)
    [loaded] = load_deals(site, dt.date(2027, 3, 1)).deals
    assert loaded.updated == dt.date(2027, 1, 15)
