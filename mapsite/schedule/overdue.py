"""What is overdue: one definition, one count, for every place that shows it.

The portal's "Overdue" pill, its "Next up" list, the team page, ``mapsite status`` (table and
``--json``) and the projection all ask this module, so a buyer and a rep never see three numbers
for one state. The definition, also in docs/status.md:

- An **item** is a milestone or an action. It is **overdue** when it is open (a milestone not
  done or skipped, an action not done) and its due date is before today. An action without a
  due date is never overdue.
- Each overdue item counts once. It counts for the first side that owns it, in the order buyer,
  seller, partner (a milestone owned by both teams is the buyer's to chase on the buyer's page);
  an item nobody on any side owns counts for the seller, who runs the plan and must assign it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from mapsite.model.deal import SIDES, Deal, Side

ItemKind = Literal["milestone", "action"]
UNOWNED_SIDE: Side = "seller"


@dataclass(frozen=True)
class OverdueItem:
    kind: ItemKind
    title: str
    due: dt.date
    owners: tuple[str, ...]  # stakeholder ids
    side: Side  # the side it counts for (see the module docstring)


def is_overdue(due: dt.date | None, closed: bool, today: dt.date) -> bool:
    """The one test: open and due before today."""
    return due is not None and not closed and due < today


def counted_side(deal: Deal, owners: tuple[str, ...]) -> Side:
    """The side an item counts for: the first of buyer, seller, partner among its owners."""
    sides = {s.id: s.side for s in deal.stakeholders}
    owning = {sides[o] for o in owners if o in sides}
    return next((side for side in SIDES if side in owning), UNOWNED_SIDE)


def overdue_items(deal: Deal, today: dt.date) -> tuple[OverdueItem, ...]:
    """Every overdue milestone and action of the deal, oldest first."""
    items = [
        OverdueItem("milestone", m.name, m.due, m.owners, counted_side(deal, m.owners))
        for m in deal.milestones
        if is_overdue(m.due, m.is_closed, today)
    ]
    for action in deal.all_actions:
        if action.due is not None and is_overdue(action.due, action.done, today):
            owners = (action.owner,) if action.owner else ()
            items.append(OverdueItem("action", action.task, action.due, owners, counted_side(deal, owners)))
    return tuple(sorted(items, key=lambda item: (item.due, item.kind != "milestone", item.title)))


def overdue_by_side(deal: Deal, today: dt.date) -> dict[str, int]:
    """How many overdue items each side of the deal counts for; the counts add up to the total."""
    counts: dict[str, int] = {side: 0 for side in SIDES if side != "partner" or deal.partner}
    for item in overdue_items(deal, today):
        counts[item.side] = counts.get(item.side, 0) + 1
    return counts
