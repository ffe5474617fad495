"""What "This week" (issue 15) reads from the portal view: where each item sits in the plan, which
are blocked, how many milestones are blocked, and the next open item when nothing is due soon."""

from __future__ import annotations

import datetime as dt

from mapsite.pipeline.load import load_deals
from mapsite.read.site import load_site
from mapsite.schedule.portal import portal_view
from tests.helpers import MINIMAL_DEAL

DEAL = MINIMAL_DEAL.replace("due: 2027-03-01}", "due: 2027-03-29, status: blocked}").replace(
    "depends_on: [demo]}\n",
    "depends_on: [demo]}\n"
    "actions:\n"
    "  - {task: Send the data sample, owner: champ, due: 2027-03-22, milestone: demo}\n"
    "  - {task: Book the workshop room, owner: ae, due: 2027-03-24}\n",
)


def plan_for(site_factory, today: dt.date):
    site, _ = load_site(site_factory.make({"buyer-co.md": DEAL}))
    [deal] = load_deals(site, today).deals
    return portal_view(deal, today)


def test_items_link_to_their_row_or_the_commitments_and_say_when_blocked(site_factory):
    plan = plan_for(site_factory, dt.date(2027, 2, 22))
    items = {i.title: (i.anchor, i.blocked) for g in plan.upcoming for i in g.items}
    assert items == {
        "Technical Demo": ("ms-demo", True),  # its own row in the plan
        "Send the data sample": ("ms-demo", False),  # an action of the demo milestone
        "Book the workshop room": ("commitments", False),  # an action of no milestone
        "Contract Signature": ("ms-signature", False),
    }
    assert plan.blocked_count == 1


def test_an_open_action_of_a_done_milestone_links_to_its_phase(site_factory):
    """The done milestone's row is folded away: its phase heading is what the reader can see."""
    done = DEAL.replace("due: 2027-03-29, status: blocked}", "due: 2027-02-01, status: done}")
    site, _ = load_site(site_factory.make({"buyer-co.md": done}))
    [deal] = load_deals(site, dt.date(2027, 2, 22)).deals
    plan = portal_view(deal, dt.date(2027, 2, 22))
    items = {i.title: i.anchor for g in plan.upcoming for i in g.items}
    assert items["Send the data sample"] == "phase-1"


def test_when_nothing_is_due_soon_the_next_open_item_is_named(site_factory):
    plan = plan_for(site_factory, dt.date(2027, 2, 22))
    assert plan.next_up == ()
    assert plan.next_open is not None
    assert (plan.next_open.title, plan.next_open.due) == ("Send the data sample", dt.date(2027, 3, 22))
    # Once the demo is overdue it is listed, and still the first open item.
    later = plan_for(site_factory, dt.date(2027, 4, 1))
    assert later.next_open is not None and later.next_open.title == "Send the data sample"
    assert [i.title for g in later.next_up for i in g.items][:1] == ["Send the data sample"]
