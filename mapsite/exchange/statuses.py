"""Status cells as teams write them: words, traffic lights, check marks and percentages.

The mapping is documented in docs/deal-format.md ("Importing a spreadsheet MAP"). Where a mark
is ambiguous the reading that makes a rep look again wins: a red cross or a red light is a
blocked step to discuss with the buyer, not a step silently left pending.
"""

from __future__ import annotations

import re

WORDS: dict[str, tuple[str, ...]] = {
    "done": ("done", "complete", "completed", "closed", "finished", "signed", "delivered", "yes", "y", "x"),
    "in_progress": (
        "in progress", "started", "ongoing", "underway", "under way", "wip", "on track", "active",
        "working on it",
    ),
    "pending": (
        "pending", "not started", "not yet started", "to do", "todo", "open", "planned", "scheduled",
        "upcoming", "new", "no", "waiting",
    ),
    "blocked": ("blocked", "stuck", "on hold", "off track"),
    "at_risk": ("at risk", "risk", "delayed", "late", "slipping", "behind"),
    "skipped": (
        "skipped", "skip", "n a", "na", "not applicable", "cancelled", "canceled", "dropped",
        "descoped", "won t do", "wont do",
    ),
}  # fmt: skip
MARKS: dict[str, str] = {
    "✅": "done", "✔": "done", "☑": "done", "✓": "done", "🗸": "done",
    "🟡": "in_progress", "⏳": "in_progress", "🔄": "in_progress", "🚧": "in_progress", "🟢": "in_progress",
    "⬜": "pending", "◻": "pending", "☐": "pending", "⭕": "pending", "⚪": "pending", "🔲": "pending",
    "❌": "blocked", "✖": "blocked", "🔴": "blocked", "⛔": "blocked", "🛑": "blocked", "🚫": "blocked",
    "⚠": "at_risk", "🟠": "at_risk",
    "⏭": "skipped", "\u2796": "skipped",  # heavy minus sign
}  # fmt: skip
_BY_WORD = {word: status for status, words in WORDS.items() for word in words}
_PERCENT = re.compile(r"^(\d{1,3})(?:[.,]\d+)?\s*%$")
_NOT_WORD = re.compile(r"[^\w%]+")


def read_status(cell: str) -> str | None:
    """The milestone status a cell means; '' is pending; None when the cell means nothing known."""
    text = cell.replace("\ufe0f", "").strip()
    if not text:
        return "pending"
    words = " ".join(_NOT_WORD.sub(" ", text.lower()).split())
    if words in _BY_WORD:
        return _BY_WORD[words]
    percent = _PERCENT.match(text)
    if percent:
        value = int(percent[1])
        return "done" if value >= 100 else "pending" if value == 0 else "in_progress"
    for character in text:
        if character in MARKS:
            return MARKS[character]
    return None
