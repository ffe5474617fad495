"""``mapsite export``: a deal's plan as CSV, JSON or Markdown, with every date resolved.

CSV uses the columns ``mapsite import`` reads, so a plan can go out to a spreadsheet and come
back; a cell a spreadsheet would run as a formula is written behind a quote (see cell_guard).
JSON is for scripts and CRMs: its structure is documented in docs/deal-format.md and only grows
(fields are added, never renamed). Access passwords are never part of any export.
"""

from __future__ import annotations

import csv
import io
import json

from mapsite.exchange.cell_guard import guard_cell
from mapsite.exchange.table import EXPORT_HEADERS, OWNER_SIDES
from mapsite.model.deal import Action, Brand, Deal, Milestone, Stakeholder
from mapsite.render.formatting import iso_date, role_label
from mapsite.schedule.portal import STATUS_LABELS

JSON_FORMAT = "mapsite-plan"
JSON_VERSION = 1


def export_text(deal: Deal, fmt: str) -> str:
    writers = {"csv": plan_csv, "json": plan_json, "md": plan_markdown}
    return writers[fmt](deal)


def plan_csv(deal: Deal) -> str:
    """One row per milestone, owners written 'Name (Title)' so a re-import keeps the titles.

    Every cell comes from the deal file, which anyone who sent the rep a plan may have written,
    so none may start a formula in the spreadsheet that opens the export.
    """
    columns = export_columns(deal)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([EXPORT_HEADERS[key] for key in columns])
    for milestone in deal.milestones:
        cells = milestone_cells(deal, milestone, dependency_separator="; ")
        writer.writerow([guard_cell(cells[key]) for key in columns])
    return buffer.getvalue()


def plan_markdown(deal: Deal) -> str:
    counted = [m for m in deal.milestones if m.status != "skipped"]
    done = sum(1 for m in counted if m.status == "done")
    facts = [f"Target close: {deal.close_date:%Y-%m-%d}"]
    if deal.go_live:
        facts.append(f"Go-live: {deal.go_live:%Y-%m-%d}")
    facts.append(f"{done} of {len(counted)} milestones done")
    lines = [
        f"# {deal.title}",
        "",
        f"{deal.buyer.name} and {deal.seller.name}. " + ". ".join(facts) + ".",
        "",
        deal.value_summary.strip(),
        "",
        "## Plan",
        "",
    ]
    columns = [key for key in export_columns(deal) if key != "ref"]
    headers = {**EXPORT_HEADERS, "due": "Due", "depends_on": "Depends on"}
    lines += _md_table(
        [headers[key] for key in columns],
        [
            [milestone_cells(deal, m, dependency_separator=", ")[key] for key in columns]
            for m in deal.milestones
        ],
    )
    actions = deal.all_actions
    if actions:
        lines += ["", "## Commitments", ""]
        lines += _md_table(
            ["Task", "Owner", "Due", "Done"],
            [[a.task, _name(deal, a.owner), iso_date(a.due), "yes" if a.done else ""] for a in actions],
        )
    lines += ["", "## Contacts", ""]
    lines += _md_table(
        ["Name", "Title", "Company", "Role"],
        [[s.name, s.title or "", _company(deal, s), role_label(s.role)] for s in deal.stakeholders],
    )
    return "\n".join(lines) + "\n"


def plan_json(deal: Deal) -> str:
    """The documented structure: every key always present, null when the deal has no value."""
    data = {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "slug": deal.slug,
        "title": deal.title,
        "buyer": _brand(deal.buyer),
        "seller": _brand(deal.seller),
        "partner": _brand(deal.partner) if deal.partner else None,
        "close_date": iso_date(deal.close_date),
        "go_live": iso_date(deal.go_live) or None,
        "stage": deal.stage,
        "updated": iso_date(deal.updated) or None,
        "public": deal.public,
        "value_summary": deal.value_summary,
        "stakeholders": [_stakeholder(s) for s in deal.stakeholders],
        "milestones": [_milestone(m) for m in deal.milestones],
        "actions": [_action(a) | {"milestone": a.milestone} for a in deal.actions],
        "success_criteria": [
            {
                "side": c.side,
                "metric": c.metric,
                "current": c.current,
                "target": c.target,
                "by": iso_date(c.by) or None,
            }
            for c in deal.success_criteria
        ],
        "risks": [
            {
                "risk": r.risk,
                "probability": r.probability,
                "impact": r.impact,
                "mitigation": r.mitigation,
                "owner": r.owner,
                "status": r.status,
            }
            for r in deal.risks
        ],
        "cadence": [{"name": c.name, "when": c.when, "attendees": list(c.attendees)} for c in deal.cadence],
        "resources": [{"title": r.title, "url": r.url, "file": r.file} for r in deal.resources],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def export_columns(deal: Deal) -> list[str]:
    """The export columns; Owner (Partner) only for a deal with partner-side owners."""
    partner_ids = {s.id for s in deal.stakeholders if s.side == "partner"}
    with_partner = any(partner_ids.intersection(m.owners) for m in deal.milestones)
    return [key for key in EXPORT_HEADERS if key != "owner_partner" or with_partner]


def milestone_cells(deal: Deal, milestone: Milestone, dependency_separator: str) -> dict[str, str]:
    names = {m.id: m.name for m in deal.milestones}
    cells = {
        "ref": milestone.id,
        "phase": milestone.phase,
        "milestone": milestone.name,
        "due": iso_date(milestone.due),
        "status": STATUS_LABELS[milestone.status],
        "depends_on": dependency_separator.join(names[d] for d in milestone.depends_on),
        "notes": milestone.notes or "",
    }
    people = [deal.stakeholder(owner) for owner in milestone.owners]
    for key, side in OWNER_SIDES.items():
        cells[key] = ", ".join(_owner_label(p) for p in people if p and p.side == side)
    return cells


def _owner_label(person: Stakeholder) -> str:
    return f"{person.name} ({person.title})" if person.title else person.name


def _md_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(" ".join(c.replace("|", "\\|").split()) for c in cells) + " |"

    return [line(headers), "|" + "---|" * len(headers), *(line(row) for row in rows)]


def _name(deal: Deal, person_id: str | None) -> str:
    person = deal.stakeholder(person_id)
    return person.name if person else ""


def _company(deal: Deal, person: Stakeholder) -> str:
    brand = {"buyer": deal.buyer, "seller": deal.seller, "partner": deal.partner}[person.side]
    return brand.name if brand else person.side


def _brand(brand: Brand) -> dict[str, object]:
    return {"name": brand.name, "accent": brand.accent}


def _stakeholder(person: Stakeholder) -> dict[str, object]:
    return {
        "id": person.id,
        "name": person.name,
        "title": person.title,
        "side": person.side,
        "role": person.role,
        "email": person.email,
        "notes": person.notes,
    }


def _milestone(milestone: Milestone) -> dict[str, object]:
    return {
        "id": milestone.id,
        "phase": milestone.phase,
        "name": milestone.name,
        "owners": list(milestone.owners),
        "due": iso_date(milestone.due),
        "due_as_written": milestone.due_text,
        "depends_on": list(milestone.depends_on),
        "status": milestone.status,
        "completed": iso_date(milestone.completed) or None,
        "notes": milestone.notes,
        "actions": [_action(a) for a in milestone.actions],
    }


def _action(action: Action) -> dict[str, object]:
    return {
        "task": action.task,
        "owner": action.owner,
        "due": iso_date(action.due) or None,
        "done": action.done,
    }
