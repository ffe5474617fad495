"""mapsite export: the example deal's plan as JSON, CSV, Markdown and iCalendar, and back in.

Expected dates are worked out by hand from content/deals/acme/index.md and the example site's
calendar (Memorial Day, 2027-05-31, is a holiday).
"""

from __future__ import annotations

import datetime as dt
import json

import icalendar

from mapsite.config import load_site
from mapsite.content.loader import load_deals
from tests.conftest import TODAY
from tests.test_cli import run

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
        "import", str(out), "--slug", "acme-copy", "--buyer", "Acme Corp", "--site", str(example_site)
    )
    assert imported.returncode == 0, imported.stderr
    assert imported.stderr == ""
    checked = run("check", "--site", str(example_site), "--today", TODAY)
    assert checked.returncode == 0 and "Checked 4 deals: 0 errors," in checked.stdout

    deals = load_deals(load_site(example_site)[0], dt.date(2027, 2, 22)).deals
    original, copy = (next(d for d in deals if d.slug == slug) for slug in ("acme", "acme-copy"))

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
        "content/deals: error: no deal with slug 'nope' (hint: list the deals with: mapsite check)",
        "error: cannot export 'nope' (hint: run mapsite check)",
    ]
