"""What changed in a plan between two versions of a deal: the substance of a weekly update.

Two validated deals are compared, not two texts: a milestone due ``close - 5bd`` moves when the
close date moves although its line did not change, a reformatted line changes nothing, and a
milestone without ``id`` is matched by the id its name gives. Milestones are matched by id,
actions by their milestone and task, people by id.

``moves`` is separate so that a slip history (each item's due dates over many versions) can ask
only for that.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mapsite.model.deal import Action, Deal, Stakeholder


@dataclass(frozen=True)
class PlanEntry:
    """A milestone or an action as the comparison sees it."""

    key: str  # a milestone's id; "milestone-id/task" for an action ("/task" at the top level)
    kind: str  # "milestone" or "action"
    name: str
    status: str  # a milestone's status; "done" or "pending" for an action
    due: dt.date | None
    completed: dt.date | None = None


@dataclass(frozen=True)
class Moved:
    """An item (or the close date) whose due date changed; ``shift`` counts business days."""

    entry: PlanEntry
    old: dt.date
    new: dt.date
    shift: int


@dataclass(frozen=True)
class StatusChange:
    entry: PlanEntry  # as it is now
    old: str


@dataclass(frozen=True)
class PlanChanges:
    done: tuple[PlanEntry, ...] = ()
    status: tuple[StatusChange, ...] = ()  # every other change of status, reopening included
    moved: tuple[Moved, ...] = ()
    added: tuple[PlanEntry, ...] = ()
    removed: tuple[PlanEntry, ...] = ()
    people_added: tuple[Stakeholder, ...] = ()
    people_removed: tuple[Stakeholder, ...] = ()
    close: Moved | None = None
    stage: tuple[str, str] | None = None

    @property
    def count(self) -> int:
        lists = (self.done, self.status, self.moved, self.added, self.removed)
        people = len(self.people_added) + len(self.people_removed)
        return sum(map(len, lists)) + people + (self.close is not None) + (self.stage is not None)


def plan_entries(deal: Deal) -> dict[str, PlanEntry]:
    """Every milestone and action of ``deal`` by its key, in the plan's order."""
    entries = {
        m.id: PlanEntry(m.id, "milestone", m.name, m.status, m.due, m.completed) for m in deal.milestones
    }
    for action in deal.all_actions:
        key = action_key(action)
        status = "done" if action.done else "pending"
        entries[key] = PlanEntry(key, "action", action.task, status, action.due)
    return entries


def action_key(action: Action) -> str:
    """An action's ``PlanEntry.key``: its milestone's id (tagged as in ``Deal.all_actions``) and task."""
    return f"{action.milestone or ''}/{action.task}"


def moves(old: Deal, new: Deal) -> list[Moved]:
    """Items due on another day in ``new`` than in ``old``, in the plan's order."""
    before = plan_entries(old)
    found = []
    for key, entry in plan_entries(new).items():
        was = before.get(key)
        if was and was.due and entry.due and was.due != entry.due:
            found.append(
                Moved(entry, was.due, entry.due, new.calendar.business_days_between(was.due, entry.due))
            )
    return found


def plan_changes(old: Deal, new: Deal) -> PlanChanges:
    """Everything that changed from ``old`` to ``new`` that a buyer or a manager would care about."""
    before, after = plan_entries(old), plan_entries(new)
    kept = [(before[key], entry) for key, entry in after.items() if key in before]
    people_before = {s.id: s for s in old.stakeholders}
    people_after = {s.id: s for s in new.stakeholders}
    close = None
    if old.close_date != new.close_date:
        entry = PlanEntry("close", "close", "Close date", new.stage, new.close_date)
        shift = new.calendar.business_days_between(old.close_date, new.close_date)
        close = Moved(entry, old.close_date, new.close_date, shift)
    return PlanChanges(
        done=tuple(entry for was, entry in kept if entry.status == "done" != was.status),
        status=tuple(
            StatusChange(entry, was.status)
            for was, entry in kept
            if entry.status != was.status and entry.status != "done"
        ),
        moved=tuple(moves(old, new)),
        added=tuple(entry for key, entry in after.items() if key not in before),
        removed=tuple(entry for key, entry in before.items() if key not in after),
        people_added=tuple(s for key, s in people_after.items() if key not in people_before),
        people_removed=tuple(s for key, s in people_before.items() if key not in people_after),
        close=close,
        stage=(old.stage, new.stage) if old.stage != new.stage else None,
    )
