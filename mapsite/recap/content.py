"""What one recap says to one person: done, changed, due next (theirs and the others'), overdue,
the next meeting and the projected close, with the link that person opens the portal by.

The facts of the deal are gathered once (``deal_recap``) and each recipient gets a ``Recap``
of them with their own items first. Everything comes from one deal, so a message can never carry
another deal's content. The link is the portal's address, or the person's own share link when
the deal has an active one whose label holds their full name ("Dana Reyes (CFO)"); a password is
never in a recap.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mapsite.model.deal import Deal, Stakeholder
from mapsite.protect.secrets import Share, share_link
from mapsite.schedule.changes import PlanChanges
from mapsite.schedule.feasibility import feasibility
from mapsite.schedule.health import PlanHealth, plan_health
from mapsite.schedule.overdue import is_overdue

AHEAD_DAYS = 14  # "due next" looks this many calendar days ahead
MAX_OTHERS = 8  # the others' next items, so a long plan does not drown the message


@dataclass(frozen=True)
class Item:
    """An open milestone or action as a recap lists it."""

    name: str
    due: dt.date
    owner_ids: tuple[str, ...]
    owners: tuple[str, ...]  # their names


@dataclass(frozen=True)
class DealRecap:
    """What every recipient of one deal's recap shares."""

    deal: Deal
    today: dt.date
    since: dt.date
    changes: PlanChanges | None  # None when git holds no version from before ``since``
    done: tuple[str, ...]
    projected_close: dt.date
    days_late: int
    health: PlanHealth | None  # the plan status `status` and /_team/ show; None once won or lost


@dataclass(frozen=True)
class Recap:
    """One message's content: the deal's facts seen by ``person``."""

    facts: DealRecap
    person: Stakeholder
    link: str
    yours: tuple[Item, ...]
    others: tuple[Item, ...]
    overdue: tuple[Item, ...]
    next_meeting: str | None


def deal_recap(deal: Deal, today: dt.date, since: dt.date, changes: PlanChanges | None) -> DealRecap:
    """The facts of ``deal`` for a recap on ``today`` covering what happened from ``since``."""
    if changes is not None:
        done = tuple(entry.name for entry in changes.done)
    else:
        done = tuple(m.name for m in deal.milestones if m.completed and m.completed >= since)
    plan = feasibility(deal, deal.calendar, today)
    health = plan_health(deal, plan, today)
    return DealRecap(deal, today, since, changes, done, plan.projected_close, plan.days_late, health)


def recipients(deal: Deal) -> tuple[Stakeholder, ...]:
    """Everyone of the deal with an email, on every side, in the file's order."""
    return tuple(s for s in deal.stakeholders if s.email)


def person_recap(facts: DealRecap, person: Stakeholder, base_url: str, shares: list[Share]) -> Recap:
    deal, today = facts.deal, facts.today
    items = _open_items(deal)
    ahead = today + dt.timedelta(days=AHEAD_DAYS)
    upcoming = [i for i in items if today <= i.due <= ahead]
    yours = tuple(i for i in upcoming if person.id in i.owner_ids)
    others = tuple(i for i in upcoming if person.id not in i.owner_ids)[:MAX_OTHERS]
    overdue = tuple(i for i in items if is_overdue(i.due, False, today))
    meeting = deal.cadence[0] if deal.cadence else None
    return Recap(
        facts=facts,
        person=person,
        link=personal_link(deal, person, base_url, shares, today),
        yours=yours,
        others=others,
        overdue=overdue,
        next_meeting=f"{meeting.name}: {meeting.when}" if meeting else None,
    )


def personal_link(deal: Deal, person: Stakeholder, base_url: str, shares: list[Share], today: dt.date) -> str:
    """The person's own active share link of this deal (label holding their full name), else the
    portal's address, which asks for the password they were given."""
    name = person.name.casefold()
    for share in reversed(shares):
        if share.deal == deal.slug and share.active(today) and name in share.label.casefold():
            return share_link(base_url, deal.slug, share)
    return f"{base_url}{deal.slug}/"


def _open_items(deal: Deal) -> list[Item]:
    """Every open milestone and action with a due date, soonest first."""
    names = {s.id: s.name for s in deal.stakeholders}
    items = [
        Item(m.name, m.due, m.owners, tuple(names.get(o, o) for o in m.owners))
        for m in deal.milestones
        if not m.is_closed
    ]
    items += [
        Item(a.task, a.due, (a.owner,) if a.owner else (), (names.get(a.owner, a.owner),) if a.owner else ())
        for a in deal.all_actions
        if a.due is not None and not a.done
    ]
    return sorted(items, key=lambda i: (i.due, i.name))
