"""The derived view of a deal that templates format: progress, overdue, next up, groupings.

Templates compute nothing. Everything a buyer reads that depends on arithmetic or on today is
decided here, in Python, where it is tested.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal, TypeVar

from mapsite.model.deal import (
    SIDES,
    Action,
    Brand,
    Criterion,
    Deal,
    Level,
    Milestone,
    MilestoneStatus,
    Resource,
    Risk,
    RiskStatus,
    Side,
    Stakeholder,
)
from mapsite.schedule.changes import action_key
from mapsite.schedule.due_words import due_words
from mapsite.schedule.feasibility import Feasibility, MilestoneFeasibility, feasibility
from mapsite.schedule.overdue import counted_side, is_overdue, overdue_items
from mapsite.schedule.slips import NO_SLIPS, Slip, SlipHistory

NEXT_UP_DAYS = 14
STATUS_LABELS: dict[MilestoneStatus, str] = {
    "done": "Done",
    "in_progress": "In progress",
    "pending": "Pending",
    "blocked": "Blocked",
    "at_risk": "At risk",
    "skipped": "Skipped",
}
LEVEL_SCORE: dict[Level, int] = {"low": 1, "medium": 2, "high": 3}
NextKind = Literal["milestone", "action"]
Item = TypeVar("Item")


@dataclass(frozen=True)
class Completion:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass(frozen=True)
class ActionView:
    task: str
    owner: Stakeholder | None
    due: dt.date | None
    done: bool
    overdue: bool
    milestone_name: str | None
    # The milestone id the deal file files it under (top-level actions may name one): with the
    # task, the action's key in a buyer's update (docs/updates.md).
    milestone_id: str | None = None
    moved_from: Slip | None = None  # its due date moved (git history): "moved from Apr 30"


@dataclass(frozen=True)
class MilestoneView:
    milestone: Milestone
    owners: tuple[Stakeholder, ...]
    status_label: str
    overdue: bool
    actions: tuple[ActionView, ...]
    depends_on_names: tuple[str, ...]
    schedule: MilestoneFeasibility
    critical: bool  # on the critical path to signature of an active deal: marked in the plan
    due_words: str | None  # how a relative due date was set, in words (never the formula)
    moved_from: Slip | None = None

    # The plan draws every milestone of every deal. These two (and PhaseView's properties) in
    # Python rather than as Jinja filter chains (map|unique|join, selectattr|list) cut a deal's
    # page render from 2.85 to 2.45 ms over the bench corpus, the pages byte for byte the same.
    @property
    def owner_sides(self) -> str:
        """Its owners' sides, each once, in the order first named: the plan row's data-side."""
        return " ".join(dict.fromkeys(owner.side for owner in self.owners))

    def owners_on(self, side: str) -> tuple[Stakeholder, ...]:
        """Its owners on one side, in the order the deal names them."""
        return tuple(owner for owner in self.owners if owner.side == side)


@dataclass(frozen=True)
class PhaseView:
    name: str
    milestones: tuple[MilestoneView, ...]
    progress: Completion

    # What the plan asks of each phase: in Python, as MilestoneView's owners are.
    @property
    def open(self) -> tuple[MilestoneView, ...]:
        return tuple(m for m in self.milestones if not m.milestone.is_closed)

    @property
    def closed(self) -> tuple[MilestoneView, ...]:
        return tuple(m for m in self.milestones if m.milestone.is_closed)

    @property
    def started(self) -> bool:
        """Whether any of its milestones is past pending (its chip reads "active")."""
        return any(m.milestone.status != "pending" for m in self.milestones)

    @property
    def untouched(self) -> bool:
        """Every open milestone pending or at risk, none overdue on the build day."""
        return all(m.milestone.status in ("pending", "at_risk") and not m.overdue for m in self.open)


@dataclass(frozen=True)
class NextItem:
    """One thing due soon or overdue, listed once: under the side it counts for (see
    schedule/overdue.py), with that side's owners and, apart, the other sides' owners."""

    kind: NextKind
    title: str
    due: dt.date
    overdue: bool
    owners: tuple[Stakeholder, ...]
    status_label: str | None
    with_others: tuple[Stakeholder, ...] = ()
    soon: bool = True  # overdue or due within NEXT_UP_DAYS of the build day (see PortalView.upcoming)
    # Where the item is in the page: its phase of the plan ("phase-2"), or the commitments.
    anchor: str = "plan"
    blocked: bool = False  # a milestone whose status is blocked
    moved_from: Slip | None = None


@dataclass(frozen=True)
class SideGroup:
    """Items of one side (buyer, seller, partner), with how to address that side on the page."""

    side: Side
    company: str
    label: str
    items: tuple


@dataclass(frozen=True)
class RiskView:
    risk: str
    probability: Level
    impact: Level
    score: int
    severity: Level  # of probability x impact, see risk_severity
    mitigation: str | None
    owner: Stakeholder | None
    status: RiskStatus


@dataclass(frozen=True)
class CadenceView:
    name: str
    when: str
    attendees: tuple[str, ...]


@dataclass(frozen=True)
class PortalView:
    """Everything the portal page shows of a deal on the build day, ready for the templates."""

    deal: Deal
    today: dt.date
    days_to_close: int
    close_phrase: str
    progress: Completion
    phases: tuple[PhaseView, ...]
    next_up: tuple[SideGroup, ...]
    overdue_count: int
    commitments: tuple[SideGroup, ...]
    people: tuple[SideGroup, ...]
    criteria: tuple[tuple[str, tuple[Criterion, ...]], ...]
    risks: tuple[RiskView, ...]
    cadence: tuple[CadenceView, ...]
    resources: tuple[Resource, ...]
    feasibility: Feasibility
    behind_target: bool  # an active deal whose open work cannot make close_date: the portal says so
    # Every open item with a due date, grouped like next_up, those after the horizon not ``soon``:
    # the page lists them hidden, for the browser to show as their day comes (static/live-dates.js).
    upcoming: tuple[SideGroup, ...] = ()
    # (due, side counted for) of every open item with a due date: what the browser recounts from.
    open_dated: tuple[tuple[dt.date, Side], ...] = ()
    next_up_days: int = NEXT_UP_DAYS
    # The first open item with a due date, whatever its side: what "This week" names when nothing
    # is due soon. Right on any later day too: when nothing is listed, every open item is later.
    next_open: NextItem | None = None
    blocked_count: int = 0  # open milestones whose status is blocked


def portal_view(deal: Deal, today: dt.date, slips: SlipHistory = NO_SLIPS) -> PortalView:
    """The view of ``deal`` on ``today``; ``slips`` (the deal file's git history) marks moved dates."""
    people = {s.id: s for s in deal.stakeholders}
    schedule = feasibility(deal, deal.calendar, today)
    active = deal.stage == "active"
    milestone_names = {m.id: m.name for m in deal.milestones}

    def action_view(action: Action, under: str | None = None) -> ActionView:
        return ActionView(
            task=action.task,
            owner=people.get(action.owner or ""),
            due=action.due,
            done=action.done,
            overdue=is_overdue(action.due, action.done, today),
            milestone_name=milestone_names.get(action.milestone or ""),
            milestone_id=action.milestone,
            moved_from=slips.items.get(f"{action.milestone or under or ''}/{action.task}"),
        )

    phases = []
    for phase in deal.phases:
        members = [m for m in deal.milestones if m.phase == phase]
        views = tuple(
            MilestoneView(
                milestone=m,
                owners=tuple(people[o] for o in m.owners if o in people),
                status_label=STATUS_LABELS[m.status],
                overdue=is_overdue(m.due, m.is_closed, today),
                actions=tuple(action_view(a, m.id) for a in m.actions),
                depends_on_names=tuple(milestone_names[d] for d in m.depends_on if d in milestone_names),
                schedule=schedule.milestones[m.id],
                critical=active and schedule.milestones[m.id].critical,
                due_words=due_words(deal, m.due_text),
                moved_from=slips.items.get(m.id),
            )
            for m in members
        )
        phases.append(PhaseView(phase, views, _completion(members)))

    days_to_close = (deal.close_date - today).days
    upcoming = _next_up(deal, people, today, dt.date.max, slips)
    return PortalView(
        deal=deal,
        today=today,
        days_to_close=days_to_close,
        close_phrase=relative_days(days_to_close),
        progress=_completion(deal.milestones),
        phases=tuple(phases),
        next_up=_next_up(deal, people, today, today + dt.timedelta(days=NEXT_UP_DAYS), slips),
        upcoming=upcoming,
        open_dated=_open_dated(deal),
        next_open=min(
            (item for group in upcoming for item in group.items),
            key=lambda item: (item.due, item.kind != "milestone", item.title),
            default=None,
        ),
        blocked_count=sum(1 for m in deal.milestones if m.status == "blocked"),
        overdue_count=len(overdue_items(deal, today)),
        commitments=_by_side(
            deal,
            [action_view(a) for a in sorted(deal.all_actions, key=_action_order)],
            lambda view: view.owner.side if view.owner else None,
        ),
        people=_by_side(deal, list(deal.stakeholders), lambda person: person.side),
        criteria=tuple(
            (side, tuple(c for c in deal.success_criteria if c.side == side))
            for side in ("buyer", "seller")
            if any(c.side == side for c in deal.success_criteria)
        ),
        risks=tuple(
            sorted(
                (_risk_view(r, people) for r in deal.risks),
                key=lambda r: (r.status != "open", -r.score),
            )
        ),
        cadence=tuple(
            CadenceView(c.name, c.when, tuple(people[a].name if a in people else a for a in c.attendees))
            for c in deal.cadence
        ),
        resources=deal.resources,
        feasibility=schedule,
        behind_target=active and not schedule.on_track,
    )


def side_company(deal: Deal, side: Side) -> Brand | None:
    return {"buyer": deal.buyer, "seller": deal.seller, "partner": deal.partner}[side]


def _completion(milestones: Iterable[Milestone]) -> Completion:
    counted = [m for m in milestones if m.status != "skipped"]
    return Completion(sum(1 for m in counted if m.status == "done"), len(counted))


def relative_days(days: int) -> str:
    """``in 3 days``, ``today``, ``tomorrow``, ``1 day ago``, ``45 days ago``: never a negative count."""
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days > 0:
        return f"in {days} days"
    return "1 day ago" if days == -1 else f"{-days} days ago"


def _side_label(deal: Deal, side: Side) -> str:
    brand = side_company(deal, side)
    name = brand.name if brand else side
    return {"buyer": "What you do", "seller": "What we do"}.get(side, f"What {name} does")


def milestone_anchor(milestone_id: str) -> str:
    """The id of a milestone's row in the plan."""
    return f"ms-{milestone_id}"


def _next_up(
    deal: Deal, people: dict[str, Stakeholder], today: dt.date, horizon: dt.date, slips: SlipHistory
) -> tuple[SideGroup, ...]:
    """Open items due by ``horizon``, under the side each counts for; ``soon`` marks those due
    within NEXT_UP_DAYS of today (all of them when ``horizon`` is that day)."""
    soon = today + dt.timedelta(days=NEXT_UP_DAYS)
    # An item links to its row in the plan; an action to its milestone's row, or to the phase
    # when that milestone is done (its row is folded away), or to Commitments without one.
    row_of = {
        m.id: f"phase-{deal.phases.index(m.phase) + 1}" if m.is_closed else milestone_anchor(m.id)
        for m in deal.milestones
    }
    candidates: list[tuple[dt.date, NextKind, str, tuple[str, ...], str | None, str, bool, str]] = []
    for m in deal.milestones:
        if not m.is_closed and m.due <= horizon:
            status, blocked = STATUS_LABELS[m.status], m.status == "blocked"
            candidates.append((m.due, "milestone", m.name, m.owners, status, row_of[m.id], blocked, m.id))
    for a in deal.all_actions:
        if not a.done and a.due and a.due <= horizon:
            anchor, owners = row_of.get(a.milestone or "", "commitments"), (a.owner,) if a.owner else ()
            candidates.append((a.due, "action", a.task, owners, None, anchor, False, action_key(a)))
    candidates.sort(key=lambda c: (c[0], c[1] != "milestone", c[2]))
    groups = []
    for side in SIDES:
        brand = side_company(deal, side)
        if brand is None:
            continue
        items = tuple(
            NextItem(
                kind,
                title,
                due,
                is_overdue(due, False, today),
                tuple(people[o] for o in owner_ids if o in people and people[o].side == side),
                status,
                tuple(people[o] for o in owner_ids if o in people and people[o].side != side),
                due <= soon,
                anchor,
                blocked,
                slips.items.get(key),
            )
            for due, kind, title, owner_ids, status, anchor, blocked, key in candidates
            if counted_side(deal, owner_ids) == side
        )
        if items:
            groups.append(SideGroup(side, brand.name, _side_label(deal, side), items))
    return tuple(groups)


def _open_dated(deal: Deal) -> tuple[tuple[dt.date, Side], ...]:
    """Each open milestone and action with a due date, once, with the side it counts for."""
    items = [(m.due, counted_side(deal, m.owners)) for m in deal.milestones if not m.is_closed]
    items.extend(
        (a.due, counted_side(deal, (a.owner,) if a.owner else ()))
        for a in deal.all_actions
        if a.due is not None and not a.done
    )
    return tuple(sorted(items))


def _by_side(deal: Deal, items: list[Item], side_of: Callable[[Item], Side | None]) -> tuple[SideGroup, ...]:
    groups = []
    for side in SIDES:
        brand = side_company(deal, side)
        members = tuple(item for item in items if side_of(item) == side)
        if brand is not None and members:
            groups.append(SideGroup(side, brand.name, _team_label(side, brand.name), members))
    return tuple(groups)


def _team_label(side: Side, company: str) -> str:
    return {"buyer": f"{company} (your team)", "seller": f"{company} (our team)"}.get(
        side, f"{company} (partner)"
    )


def _action_order(action: Action) -> tuple:
    return (action.done, action.due or dt.date.max, action.task)


def risk_score(risk: Risk) -> int:
    """Probability x impact on a 1-3 scale: what the portal and the pipeline views rank risks by."""
    return LEVEL_SCORE[risk.probability] * LEVEL_SCORE[risk.impact]


def risk_severity(score: int) -> Level:
    return "high" if score >= 6 else "medium" if score >= 3 else "low"


def _risk_view(risk: Risk, people: dict[str, Stakeholder]) -> RiskView:
    score = risk_score(risk)
    severity = risk_severity(score)
    return RiskView(
        risk=risk.risk,
        probability=risk.probability,
        impact=risk.impact,
        score=score,
        severity=severity,
        mitigation=risk.mitigation,
        owner=people.get(risk.owner or ""),
        status=risk.status,
    )
