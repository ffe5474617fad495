"""A relative due date in plain words: "3 business days after POC Scope Agreement".

Reps write dates as formulas (``poc-scope + 3bd``, ``close - 8bd``, ``go_live``) because plans are
built backwards from the close. Buyers must never read that syntax: the portal shows the date,
and under it where it comes from in words, naming milestones by their names. Seller-side outputs
(``mapsite plan``, the exports' ``due_as_written``) keep the formula, which is what the rep edits.
"""

from __future__ import annotations

from mapsite.model.dates import DateSyntaxError, parse_date_expr
from mapsite.model.deal import Deal

ANCHOR_WORDS = {"close": "the target close", "go_live": "go-live"}
UNIT_WORDS = {"bd": "business day", "d": "day", "w": "week"}


def due_words(deal: Deal, due_text: str | None) -> str | None:
    """How a due date was set, in words; None for an ISO date (the date says it all)."""
    if not due_text:
        return None
    try:
        expr = parse_date_expr(due_text)
    except DateSyntaxError:
        return None
    if expr.anchor is None:
        return None
    milestone = deal.milestone(expr.anchor)
    anchor = milestone.name if milestone else ANCHOR_WORDS.get(expr.anchor, expr.anchor.replace("_", " "))
    if expr.amount == 0:
        return f"On the day of {anchor}"
    amount = abs(expr.amount)
    unit = UNIT_WORDS[expr.unit] + "s" * (amount != 1)
    return f"{amount} {unit} {'after' if expr.amount > 0 else 'before'} {anchor}"
