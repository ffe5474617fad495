"""One plan status per deal, with its reason: what a manager scans a pipeline for.

A sales manager asks two questions of every plan: will it close when the rep says it will, and is
anybody still working it? The projection (schedule/feasibility.py) answers the first; the second
needs the plan's own clock: when it was last updated and how long its oldest overdue item has
waited. This module folds both into one word, so ``status`` (table and ``--json``), the team page
and the CRM export all say the same thing. The rules, also in docs/status.md, worst first:

- ``stalled``: the plan was last updated (``updated:``) 14 days ago or more, or an open item has
  been overdue for 7 business days or more. Nobody is moving it.
- ``at_risk``: the projection says the close date will not hold: the projected close is after the
  target, a milestone the signature waits for is overdue, or work due by the close cannot fit
  (the same verdict as the "Projected" column, so the two never disagree).
- ``on_track``: neither.

A won or lost deal has no plan left to run: its status is None, shown as a dash.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, get_args

from mapsite.model.deal import Deal
from mapsite.schedule.feasibility import Feasibility
from mapsite.schedule.overdue import overdue_items

PlanStatus = Literal["on_track", "at_risk", "stalled"]
PLAN_STATUSES: tuple[PlanStatus, ...] = get_args(PlanStatus)
STALE_DAYS = 14  # calendar days without an update
LONG_OVERDUE = 7  # business days an item may sit overdue before the plan counts as stalled
ENDED_STAGES = ("won", "lost")


@dataclass(frozen=True)
class PlanHealth:
    status: PlanStatus
    reason: str


def plan_health(deal: Deal, schedule: Feasibility, today: dt.date) -> PlanHealth | None:
    """The deal's plan status on ``today``; None once the deal is won or lost."""
    if deal.stage in ENDED_STAGES:
        return None
    if deal.updated is not None and (today - deal.updated).days >= STALE_DAYS:
        days = (today - deal.updated).days
        return PlanHealth("stalled", f"no plan update for {days} days (updated {deal.updated.isoformat()})")
    oldest = next(iter(overdue_items(deal, today)), None)
    if oldest is not None:
        late = deal.calendar.business_days_between(oldest.due, today)
        if late >= LONG_OVERDUE:
            return PlanHealth(
                "stalled", f"'{oldest.title}' overdue for {late} business days (due {oldest.due.isoformat()})"
            )
    if not schedule.on_track:
        why = schedule.target_phrase.removeprefix("at risk: ")
        return PlanHealth("at_risk", f"projected close {schedule.projected_close.isoformat()}, {why}")
    return PlanHealth("on_track", f"projected close {schedule.projected_close.isoformat()}, by the target")
