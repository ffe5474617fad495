"""An accepted or declined change of an update, as an edit of the deal file's text.

Accepting uses the rep's own editing commands (edit/update.py: ``done``, ``mark``, ``move``),
so the file changes exactly as if the rep had typed them: ``status``, ``completed`` (the day
the reader marked it), a new ``due``, ``updated``. A colleague becomes a stakeholder at the end
of ``stakeholders``; questions, comments, agreements, a blocked item's reason and every declined
change become an entry at the end of ``discussion`` with the change's ``ref``, which is how the
rebuilt portal tells the reader it was confirmed or declined.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mapsite.edit.editor import Value
from mapsite.edit.lists import append_entry
from mapsite.edit.update import Edit, guard_edit, mark_done, move, set_status, stamp_updated
from mapsite.inbox.review import Reviewed, question_or_comment
from mapsite.model.deal import ROLES, Deal
from mapsite.names import slugify


@dataclass(frozen=True)
class From:
    """Who sent an update, as the discussion records it."""

    who: str
    side: str
    when: dt.date
    ref_prefix: str  # "<sender>:<device>:"


def accept(text: str, deal: Deal, reviewed: Reviewed, sender: From, today: dt.date) -> Edit:
    """``text`` with ``reviewed``'s change written in."""
    change, target = reviewed.change, reviewed.target
    if change.op == "done" and target:
        return mark_done(text, target, min(sender.when, today), today)
    if change.op == "date" and target:
        return move(text, deal, target, change.get("to"), today)
    if change.op == "blocked" and target:
        edited = text
        if target.milestone and target.milestone.status != "blocked":
            edited = set_status(text, target, "blocked", today).text
        reason = change.get("reason") or "no reason given"
        entry = _entry(sender, change.id, "comment", f"Blocked: {reason}", target.key)
        return Edit(_append(edited, "discussion", entry, today), f"{target.label} is blocked")
    if change.op == "colleague":
        return _colleague(text, deal, reviewed, sender, today)
    if change.op == "agree":
        entry = _entry(sender, change.id, "agreement", "We agree to this plan.", None)
        entry["who"] = change.get("name") or sender.who
        return Edit(_append(text, "discussion", entry, today), "agreement recorded in the discussion")
    kind = question_or_comment(change)
    item = target.key if target else None
    entry = _entry(sender, change.id, kind, change.get("text") or "(empty)", item)
    # The entry's number is what `mapsite answer` takes: the rep reads it here, not in the file.
    number = len(deal.discussion) + 1
    said = f'{kind} recorded in the discussion as entry {number} (mapsite answer {deal.slug} {number} "...")'
    return Edit(_append(text, "discussion", entry, today), said)


def decline(text: str, reviewed: Reviewed, reason: str, sender: From, today: dt.date) -> Edit:
    """``text`` with the change recorded in ``discussion`` as declined, with the rep's reason."""
    change, target = reviewed.change, reviewed.target
    if change.op in ("comment", "agree"):
        kind = "agreement" if change.op == "agree" else question_or_comment(change)
    else:
        kind = "proposal"
    said = change.get("text") if change.op == "comment" else reviewed.says[0].upper() + reviewed.says[1:]
    entry = _entry(sender, change.id, kind, said or "(empty)", target.key if target else None)
    entry["declined"] = reason.strip() or "declined"
    return Edit(_append(text, "discussion", entry, today), "declined, with the reason in the discussion")


def _colleague(text: str, deal: Deal, reviewed: Reviewed, sender: From, today: dt.date) -> Edit:
    change = reviewed.change
    base = slugify(change.get("name")) or "colleague"
    taken = {person.id for person in deal.stakeholders}
    person_id, number = base, 1
    while person_id in taken:
        number += 1
        person_id = f"{base}-{number}"
    person: dict[str, Value] = {"id": person_id, "name": change.get("name")}
    if change.get("title"):
        person["title"] = change.get("title")
    person["side"] = sender.side
    if change.get("role") in ROLES:
        person["role"] = change.get("role")
    if change.get("email"):
        person["email"] = change.get("email")
    edited = _append(text, "stakeholders", person, today)
    return Edit(edited, f"{change.get('name')} is a stakeholder ({person_id})")


def _entry(sender: From, change_id: str, kind: str, said: str, item: str | None) -> dict[str, Value]:
    entry: dict[str, Value] = {"who": sender.who, "side": sender.side, "when": sender.when}
    if item:
        entry["item"] = item
    entry.update({"kind": kind, "text": said, "ref": sender.ref_prefix + change_id})
    return entry


def _append(text: str, key: str, entry: dict[str, Value], today: dt.date) -> str:
    return stamp_updated(guard_edit(lambda: append_entry(text, key, entry)), today)
