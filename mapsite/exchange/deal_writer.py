"""An imported plan -> the text of a new deal file, in the layout of the example deal.

One stakeholder and one milestone per line, as reps write them by hand, so the file reads like
any other deal. Values go through the YAML emitter, so a name such as ``O'Brien: "Ops"`` is
quoted correctly. What a spreadsheet cannot know (the value summary, the narrative) is written
as a bracketed placeholder for the rep to replace.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import yaml

from mapsite.content.fields import slugify
from mapsite.exchange.people import Person
from mapsite.exchange.rows import ImportedMilestone, ImportedPlan
from mapsite.scaffold import password_env_name

SIDE_ORDER = ("buyer", "seller", "partner")


@dataclass(frozen=True)
class DealHeader:
    """What the deal needs beyond the spreadsheet: names, dates and where the plan came from."""

    slug: str
    buyer: str
    seller: str
    close_date: dt.date
    today: dt.date
    source_name: str


def deal_text(header: DealHeader, plan: ImportedPlan) -> str:
    top = {
        "title": f"{header.buyer} x {header.seller}: Mutual Action Plan",
        "buyer": {"name": header.buyer},
        "close_date": header.close_date,
        "stage": "active",
        "updated": header.today,
    }
    access = {"label": f"{header.buyer} buying team", "password_env": password_env_name(header.slug)}
    summary = {
        "value_summary": (
            f"[Replace with 2-3 sentences in the buyer's words: what {header.buyer} gains from this plan, "
            "and by when.]"
        )
    }
    people = sorted(plan.people, key=lambda person: SIDE_ORDER.index(person.side))
    lines = [
        "---",
        f"# Imported from {header.source_name} by mapsite import on {header.today:%Y-%m-%d}.",
        "# Replace the [bracketed] placeholders and set roles (champion, economic_buyer, ...);",
        "# then run: mapsite check",
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
        f"[Replace: what {header.buyer} wants to change, why now, and the date that matters to them.]",
        "",
    ]
    return "\n".join(lines)


def _stakeholder(person: Person) -> dict[str, object]:
    entry: dict[str, object] = {"id": person.id, "name": person.name}
    if person.title:
        entry["title"] = person.title
    entry["side"] = person.side
    if person.role:
        entry["role"] = person.role
    return entry


def _milestone(milestone: ImportedMilestone) -> dict[str, object]:
    entry: dict[str, object] = {}
    if milestone.phase:
        entry["phase"] = milestone.phase
    if milestone.id != slugify(milestone.name):
        entry["id"] = milestone.id
    entry.update(name=milestone.name, owners=milestone.owners, due=milestone.due)
    if milestone.depends_on:
        entry["depends_on"] = milestone.depends_on
    if milestone.status != "pending":
        entry["status"] = milestone.status
    if milestone.notes:
        entry["notes"] = milestone.notes
    return entry


def _block(value: dict[str, object]) -> str:
    return yaml.safe_dump(
        value, sort_keys=False, allow_unicode=True, width=1_000_000, default_flow_style=False
    )


def _flow(value: dict[str, object]) -> str:
    return yaml.safe_dump(
        value, sort_keys=False, allow_unicode=True, width=1_000_000, default_flow_style=True
    ).strip()
