"""An imported plan -> the text of a new deal file, in the layout of the example deal.

One stakeholder and one milestone per line, as reps write them by hand, so the file reads like
any other deal. Values go through the YAML emitter, so a name such as ``O'Brien: "Ops"`` is
quoted correctly. What a spreadsheet cannot know (the value summary, the narrative) is written
as a bracketed placeholder for the rep to replace.

A spreadsheet is someone else's file: every text copied from it (and the file's own name, which
goes into a comment) is one clean line first, without control characters or the invisible
bidirectional overrides that make a name read differently from what it is. The writer emits a
fixed set of fields, so no cell can add one such as ``public: true``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import yaml

from mapsite.names import SLUG_COMMENT, password_env_name, slugify

if TYPE_CHECKING:  # people.py cleans names with clean_text: no import at run time
    from mapsite.exchange.people import Person
    from mapsite.exchange.rows import ImportedMilestone, ImportedPlan

SIDE_ORDER = ("buyer", "seller", "partner")
# Line breaks and tabs become spaces; other C0 and C1 controls, DEL and the bidirectional
# embeddings, overrides, isolates and marks are removed.
_BREAKS = re.compile("[\t\n\r\x0b\x0c\x85\u2028\u2029]")
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str) -> str:
    """``text`` as one line of visible characters, spaces collapsed."""
    return " ".join(_INVISIBLE.sub("", _BREAKS.sub(" ", text)).split())


@dataclass(frozen=True)
class DealHeader:
    """What the deal needs beyond the spreadsheet: names, dates and where the plan came from.

    ``name`` is the deal file's name (its password variable is named after it); ``slug``, when
    set, is written as the portal's URL folder.
    """

    name: str
    buyer: str
    seller: str
    close_date: dt.date
    today: dt.date
    source_name: str
    slug: str | None = None


def deal_text(header: DealHeader, plan: ImportedPlan) -> str:
    buyer, seller = clean_text(header.buyer), clean_text(header.seller)
    title = {"title": f"{buyer} x {seller}: Mutual Action Plan"}
    top = {
        "buyer": {"name": buyer},
        "close_date": header.close_date,
        "stage": "active",
        "updated": header.today,
    }
    access = {"label": f"{buyer} buying team", "password_env": password_env_name(header.name)}
    summary = {
        "value_summary": (
            f"[Replace with 2-3 sentences in the buyer's words: what {buyer} gains from this plan, "
            "and by when.]"
        )
    }
    people = sorted(plan.people, key=lambda person: SIDE_ORDER.index(person.side))
    lines = [
        "---",
        f"# Imported from {clean_text(header.source_name)} by mapsite import on {header.today:%Y-%m-%d}.",
        "# Replace the [bracketed] placeholders and set roles (champion, economic_buyer, ...);",
        "# then run: mapsite check",
        _block(title).rstrip("\n"),
        *([SLUG_COMMENT, f"slug: {header.slug}"] if header.slug else []),
        _block(top).rstrip("\n"),
        "access:",
        f"  - {_flow(access)}",
        _block(summary).rstrip("\n"),
        "stakeholders:",
        *(f"  - {_flow(_stakeholder(person))}" for person in people),
        "milestones:",
        *(f"  - {_flow(_milestone(milestone))}" for milestone in plan.milestones),
        "---",
        "",
        "## Our shared plan",
        "",
        f"[Replace: what {buyer} wants to change, why now, and the date that matters to them.]",
        "",
    ]
    return "\n".join(lines)


def _stakeholder(person: Person) -> dict[str, object]:
    entry: dict[str, object] = {"id": person.id, "name": clean_text(person.name)}
    if person.title:
        entry["title"] = clean_text(person.title)
    entry["side"] = person.side
    if person.role:
        entry["role"] = person.role
    return entry


def _milestone(milestone: ImportedMilestone) -> dict[str, object]:
    entry: dict[str, object] = {}
    name = clean_text(milestone.name)
    if milestone.phase:
        entry["phase"] = clean_text(milestone.phase)
    if milestone.id != slugify(name):
        entry["id"] = milestone.id
    entry.update(name=name, owners=milestone.owners, due=milestone.due)
    if milestone.duration:
        entry["duration"] = f"{milestone.duration}bd"
    if milestone.depends_on:
        entry["depends_on"] = milestone.depends_on
    if milestone.status != "pending":
        entry["status"] = milestone.status
    if milestone.notes:
        entry["notes"] = clean_text(milestone.notes)
    return entry


def _block(value: Mapping[str, object]) -> str:
    return yaml.safe_dump(
        value, sort_keys=False, allow_unicode=True, width=1_000_000, default_flow_style=False
    )


def _flow(value: Mapping[str, object]) -> str:
    return yaml.safe_dump(
        value, sort_keys=False, allow_unicode=True, width=1_000_000, default_flow_style=True
    ).strip()
