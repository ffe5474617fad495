"""Each change of an opened update, read against the plan as it is now.

A reader acted on the page they had, and the plan may have moved since: the item was done by
someone else, its date was moved, it was removed, the colleague was added meanwhile. The rep
sees every change with what would happen and what stands in the way, before anything is
written. A change that can no longer apply (an item removed, already done) is shown but not
offered; one that can but meets something new (a date moved since the reader proposed theirs)
is offered with the conflict flagged.

The payload's shape is checked here, not trusted: it was sealed by a reader, not by mapsite.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from mapsite.edit.items import PlanItem, plan_items
from mapsite.model.deal import ROLES, Deal
from mapsite.names import slugify
from mapsite.schedule.overdue import counted_side

OPS = ("done", "blocked", "date", "comment", "colleague", "agree")
MAX_TEXT = 4000  # a longer text is cut: a discussion entry is a message, not a document


@dataclass(frozen=True)
class Change:
    """One change as the reader sent it; ``fields`` are its texts, cut to a sane length."""

    id: str
    op: str
    item: str | None
    fields: dict[str, str]

    def get(self, name: str) -> str:
        return self.fields.get(name, "")


@dataclass(frozen=True)
class Reviewed:
    """A change, in words, against the current plan: what stands in its way, whether it can apply."""

    change: Change
    says: str
    conflicts: tuple[str, ...] = ()
    possible: bool = True
    target: PlanItem | None = field(default=None, compare=False)


def read_changes(payload: dict) -> tuple[list[Change], list[str]]:
    """The payload's changes, and a note for each one that is not a change this mapsite knows."""
    changes, notes = [], []
    raw = payload.get("changes")
    for number, entry in enumerate(raw if isinstance(raw, list) else [], start=1):
        op = entry.get("op") if isinstance(entry, dict) else None
        cid = entry.get("id") if isinstance(entry, dict) else None
        if op not in OPS or not isinstance(cid, str) or not cid:
            notes.append(f"change {number} is not one this mapsite reads (op {op!r}); left out")
            continue
        item = entry.get("item")
        fields = {
            key: " ".join(str(value).split())[:MAX_TEXT] if key != "text" else str(value)[:MAX_TEXT].strip()
            for key, value in entry.items()
            if key not in ("id", "op", "item") and isinstance(value, (str, int))
        }
        changes.append(Change(cid, op, item if isinstance(item, str) and item else None, fields))
    return changes, notes


def review(change: Change, deal: Deal, side: str) -> Reviewed:
    """``change`` against ``deal``, sent from ``side``: its line, its conflicts and whether it can
    still apply."""
    items = {item.key: item for item in plan_items(deal)}
    target = items.get(change.item) if change.item else None
    if change.item and target is None and change.op in ("done", "blocked", "date"):
        return Reviewed(change, _says(change, None), (f"'{change.item}' is no longer in the plan",), False)
    if target and change.op in ("done", "blocked") and not _owned_by(target, deal, side):
        # The portal offers these only on the reader's own side's items; a code is the reader's
        # text, not mapsite's, so it is checked again here.
        owner = counted_side(deal, _owners(target))
        return Reviewed(
            change,
            _says(change, target),
            (
                f"it is the {owner} side's item, and the sender is on the {side} side: only the owning side "
                "marks it; ask them, or answer the sender",
            ),
            False,
            target,
        )
    if change.op == "done":
        return _done(change, target)
    if change.op == "blocked":
        already = target and target.milestone and target.milestone.status == "blocked"
        notes = ("already blocked: only the reason will be recorded",) if already else ()
        if target and target.action:
            notes = ("an action has no 'blocked' status: the reason goes into the discussion",)
        return Reviewed(change, _says(change, target), notes, target=target)
    if change.op == "date":
        return _date(change, target, deal)
    if change.op == "colleague":
        return _colleague(change, deal)
    conflicts: tuple[str, ...] = ()
    if change.item and target is None:
        conflicts = (f"'{change.item}' is no longer in the plan: it goes with the plan as a whole",)
    return Reviewed(change, _says(change, target), conflicts, target=target)


def _owners(target: PlanItem) -> tuple[str, ...]:
    if target.milestone:
        return target.milestone.owners
    return (target.action.owner,) if target.action and target.action.owner else ()


def _owned_by(target: PlanItem, deal: Deal, side: str) -> bool:
    """Whether ``side`` may mark ``target`` done or blocked: the seller's own team may mark any
    item (it is the rep's plan); a buyer or partner only items its side owns (or co-owns)."""
    if side == "seller":
        return True
    sides = {person.id: person.side for person in deal.stakeholders}
    owners = _owners(target)
    return any(sides.get(owner) == side for owner in owners) or counted_side(deal, owners) == side


def _done(change: Change, target: PlanItem | None) -> Reviewed:
    says = _says(change, target)
    if target is None:
        return Reviewed(change, says, ("it names no item",), False)
    done = (
        target.milestone.status == "done" if target.milestone else bool(target.action and target.action.done)
    )
    if done:
        return Reviewed(change, says, ("already done",), False, target)
    return Reviewed(change, says, target=target)


def _date(change: Change, target: PlanItem | None, deal: Deal) -> Reviewed:
    says = _says(change, target)
    if target is None:
        return Reviewed(change, says, ("it names no item",), False)
    try:
        wanted = dt.date.fromisoformat(change.get("to"))
    except ValueError:
        return Reviewed(change, says, (f"'{change.get('to')}' is not a date",), False, target)
    current = target.milestone.due if target.milestone else target.action.due if target.action else None
    if current == wanted:
        return Reviewed(change, says, (f"already due {wanted.isoformat()}",), False, target)
    conflicts = []
    if current and change.get("from") and change.get("from") != current.isoformat():
        conflicts.append(f"date moved since: it is now due {current.isoformat()}, not {change.get('from')}")
    if wanted > deal.close_date:
        conflicts.append(f"after the close date, {deal.close_date.isoformat()}")
    return Reviewed(change, says, tuple(conflicts), target=target)


def _colleague(change: Change, deal: Deal) -> Reviewed:
    says = _says(change, None)
    name, email = change.get("name"), change.get("email").casefold()
    if not name or not slugify(name):
        return Reviewed(change, says, ("it gives no name",), False)
    for person in deal.stakeholders:
        if person.name.casefold() == name.casefold() or (email and (person.email or "").casefold() == email):
            return Reviewed(change, says, (f"already a stakeholder: {person.name} ({person.id})",), False)
    role = change.get("role")
    notes = (f"'{role}' is no stakeholder role: added without one",) if role and role not in ROLES else ()
    return Reviewed(change, says, notes)


def _says(change: Change, target: PlanItem | None) -> str:
    """The change in words: ``done: POC Setup (poc-setup)``."""
    what = target.label if target else f"'{change.item}'" if change.item else "the plan"
    if change.op == "done":
        return f"done: {what}"
    if change.op == "blocked":
        return f'blocked: {what}, because "{change.get("reason")}"'
    if change.op == "date":
        reason = f', because "{change.get("reason")}"' if change.get("reason") else ""
        return f"new date: {what} {change.get('from') or '?'} -> {change.get('to')}{reason}"
    if change.op == "colleague":
        title = f", {change.get('title')}" if change.get("title") else ""
        extra = ", ".join(v for v in (change.get("email"), change.get("role")) if v)
        return f"add colleague: {change.get('name')}{title}" + (f" ({extra})" if extra else "")
    if change.op == "agree":
        return f"agrees to the plan: {change.get('name')}"
    kind = question_or_comment(change)
    return f'{kind} on {what}: "{change.get("text")}"'


def question_or_comment(change: Change) -> str:
    """A comment's kind: as the portal says, else a question when it ends with '?'."""
    kind = change.get("kind")
    if kind in ("question", "comment"):
        return kind
    return "question" if change.get("text").rstrip().endswith("?") else "comment"
