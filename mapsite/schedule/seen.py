"""What "New since your last visit" compares: each item's state and due date, and each
discussion entry's answer, as the portal writes them for seen.js.

The browser keeps the last two versions of these facts it was shown (encrypted on the reader's
device, see themes/default/static/seen.js) and marks what differs. Only facts of the deal file
go in, never the reader's day: a page read a week later compares the same, and live-dates.js
alone speaks about today. Items are keyed as update codes name them (docs/updates.md): a
milestone's id, an action's ``<milestone id>/<task>``.
"""

from __future__ import annotations

from typing import Any

from mapsite.model.deal import Deal, DiscussionEntry
from mapsite.schedule.discussion import row_anchor, talk_anchor

LABEL_CHARS = 60  # of a question quoted in the summary list


def seen_facts(deal: Deal) -> dict[str, Any]:
    """``items``: [key, state, due (ISO or ""), name, anchor] in the plan's order (milestones,
    then actions); ``answers``: [key, answer, question, anchor] for each entry that has an
    answer or was declined. Lists, not mappings: the page's JSON sorts a mapping's keys, and the
    reader's list of changes follows the plan."""
    items: list[list[str]] = [
        [m.id, m.status, m.due.isoformat(), m.name, row_anchor(deal, m.id)] for m in deal.milestones
    ]
    for a in deal.all_actions:
        due = a.due.isoformat() if a.due else ""
        state = "done" if a.done else "open"
        items.append([f"{a.milestone or ''}/{a.task}", state, due, a.task, row_anchor(deal, a.milestone)])
    answers = [
        [entry_key(e), _answer(e), _shorten(e.text), talk_anchor(e)]
        for e in deal.discussion
        if e.answer or e.declined
    ]
    return {"items": items, "answers": answers}


def entry_key(entry: DiscussionEntry) -> str:
    """An entry's name across rebuilds: its ``ref`` when it came from an update code, else who
    said what when (its number changes if an earlier entry is deleted)."""
    return entry.ref or f"{entry.who}|{entry.when.isoformat()}|{entry.text}"


def _answer(entry: DiscussionEntry) -> str:
    return f"declined: {entry.declined}" if entry.declined else entry.answer or ""


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rsplit(" ", 1)[0] + "…"
