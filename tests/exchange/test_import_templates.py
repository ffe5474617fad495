"""mapsite import of the widely used published MAP template (issue 14, "Published templates import").

The template writes dates without a year ("Feb 1"), statuses with emoji ("✅ Complete") and
owners by their job ("VP Marketing", "IT Team (3 days)"). The same table is imported as Google
Sheets saves it (comma, UTF-8), as Excel in Europe saves it (semicolon, Windows-1252, where
the emoji become "?"), and as a workbook of text cells, each in a real process; each deal must
pass check with zero errors.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from mapsite.exchange.cell_dates import MonthDay, date_problem, read_month_day
from mapsite.exchange.years import choose_years
from tests.exchange.helpers import FIXTURES, assert_check_passes, import_plan, load, plan_of

TEMPLATE = FIXTURES / "published-template.csv"
NAMED_LATER = "(name)"
TEMPLATE_PLAN = [
    ("Discovery", "Discovery call", NAMED_LATER, NAMED_LATER, "2026-12-08", "done", ""),
    ("Discovery", "Success criteria agreed", NAMED_LATER, NAMED_LATER, "2027-01-12", "done", ""),
    ("Evaluation", "Technical demo", NAMED_LATER, NAMED_LATER, "2027-02-01", "done", ""),
    ("Evaluation", "Security review", "IT Team", NAMED_LATER, "2027-02-26", "in_progress", ""),
    ("Business Case", "ROI analysis", NAMED_LATER, NAMED_LATER, "2027-03-08", "pending", ""),
    ("Legal", "Contract review", NAMED_LATER, NAMED_LATER, "2027-03-19", "pending", ""),
    ("Close", "Contract signature", NAMED_LATER, NAMED_LATER, "2027-03-31", "pending", ""),
    ("Implementation", "Kickoff", NAMED_LATER, NAMED_LATER, "2027-04-07", "pending", ""),
]  # fmt: skip
TEMPLATE_PEOPLE = {
    ("vp-marketing", NAMED_LATER, "VP Marketing", "buyer", "executive_sponsor"),
    ("it-manager", NAMED_LATER, "IT Manager", "buyer", "technical_evaluator"),
    ("it-team", "IT Team", None, "buyer", None),
    ("cfo", NAMED_LATER, "CFO", "buyer", "finance"),
    ("legal-counsel", NAMED_LATER, "Legal Counsel", "buyer", "legal"),
    ("account-executive", NAMED_LATER, "Account Executive", "seller", "account_executive"),
    ("sales-engineer", NAMED_LATER, "Sales Engineer", "seller", "sales_engineer"),
    ("vp-sales", NAMED_LATER, "VP Sales", "seller", "executive_sponsor"),
    ("customer-success-manager", NAMED_LATER, "Customer Success Manager", "seller", "customer_success"),
}
# The lines of the deal file a rep reads for a job named as an owner and for "IT Team (3 days)".
DEAL_LINES = [
    "  - {id: vp-marketing, name: (name), title: VP Marketing, side: buyer, role: executive_sponsor}",
    "  - {id: it-team, name: IT Team, side: buyer}",
    "  - {phase: Evaluation, name: Security review, owners: [it-team, sales-engineer], due: 2027-02-26, "
    "duration: 3bd, status: in_progress, notes: Questionnaire sent}",
]
BY_CLOSE_STEP = (
    "Dates without a year, like 'Dec 8', are read in 2026 and 2027: 'Contract signature' on the next "
    "Mar 31 from today, the others before it, or up to 90 days after it."
)
BY_CLOSE_OPTION = (
    "Dates without a year, like 'Dec 8', are read in 2026 and 2027: each on the last such day before "
    "--close 2027-03-31, or up to 90 days after it."
)


def template_rows() -> list[list[str]]:
    with TEMPLATE.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def as_comma_utf8(_folder: Path) -> Path:
    return TEMPLATE


def as_semicolon_windows_1252(folder: Path) -> Path:
    """As Excel saves "CSV" in much of Europe: its code page has no emoji, so they become '?'."""
    path = folder / "template-excel.csv"
    text = "\r\n".join(";".join(row) for row in template_rows()) + "\r\n"
    path.write_bytes(text.encode("cp1252", errors="replace"))
    return path


def as_xlsx_text_cells(folder: Path) -> Path:
    """A workbook whose due dates are text cells ("Feb 1"), as the template is typed."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in template_rows():
        sheet.append(row)
    for (cell,) in sheet.iter_rows(min_row=2, min_col=5, max_col=5):
        cell.number_format = "@"
    path = folder / "template.xlsx"
    workbook.save(path)
    return path


@pytest.mark.parametrize(
    ("make_file", "close", "read_line", "close_line", "years_line"),
    [
        (
            as_comma_utf8,
            (),
            "Read 8 rows of published-template.csv (comma-separated, UTF-8): 8 milestones, 0 rows skipped.",
            "Close date 2027-03-31: the due date of 'Contract signature'.",
            BY_CLOSE_STEP,
        ),
        (
            as_semicolon_windows_1252,
            ("--close", "2027-03-31"),
            "Read 8 rows of template-excel.csv (semicolon-separated, Windows-1252): 8 milestones, 0 rows skipped.",
            "Close date 2027-03-31: given with --close.",
            BY_CLOSE_OPTION,
        ),
        (
            as_xlsx_text_cells,
            (),
            "Read 8 rows of template.xlsx (Excel workbook): 8 milestones, 0 rows skipped.",
            "Close date 2027-03-31: the due date of 'Contract signature'.",
            BY_CLOSE_STEP,
        ),
    ],
)
def test_the_published_template_imports_into_a_deal_that_passes_check(
    empty_site: Path,
    tmp_path: Path,
    make_file: Callable[[Path], Path],
    close: tuple[str, ...],
    read_line: str,
    close_line: str,
    years_line: str,
) -> None:
    result = import_plan(empty_site, str(make_file(tmp_path)), "--buyer", "Acme Corp", *close)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    deal_file = empty_site / "content/deals/acme-corp.md"
    assert lines[:2] == [read_line, f"created {deal_file} with 9 stakeholders"]
    assert lines[3:5] == [close_line, years_line]
    text = deal_file.read_text("utf-8")
    for line in DEAL_LINES:
        assert line in text.splitlines()
    assert_check_passes(empty_site)
    deal = load(empty_site, "acme-corp")
    assert plan_of(deal) == TEMPLATE_PLAN
    assert {(s.id, s.name, s.title, s.side, s.role) for s in deal.stakeholders} == TEMPLATE_PEOPLE
    assert deal.milestone("security-review").duration == 3
    assert deal.milestone("discovery-call").notes == "Goals and timeline agreed \u2013 see Zoë's notes"


def test_open_steps_due_on_a_weekend_holiday_or_blackout_are_imported_with_a_warning(
    empty_site: Path, tmp_path: Path
) -> None:
    # The test site's calendar: holiday 2027-05-31, blackout 2027-05-24 to 2027-05-28.
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "Milestone,Owner (Customer),Due Date,Status\n"
        "Kickoff,Dana Whitfield,Sun May 2,Done\n"  # done: its day no longer matters
        "Pilot review,Dana Whitfield,May 26,In progress\n"
        "Go/no-go,CFO,May 29,Pending\n"
        "Order form signed,Raj Patel (CFO),May 31,Pending\n"
        "Onboarding,IT Team (2 weeks),Jun 2,Pending\n",
        "utf-8",
    )
    result = import_plan(empty_site, str(plan), "--buyer", "Initech", "--close", "2027-05-31")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "plan.csv row 3: 'Pilot review' is due on Wed 2027-05-26, in a blackout of mapsite.yml; imported as written",
        "plan.csv row 4: 'Go/no-go' is due on Sat 2027-05-29, a weekend day; imported as written",
        "plan.csv row 5: 'Order form signed' is due on Mon 2027-05-31, a holiday in mapsite.yml; imported as written",
    ]
    assert (
        "Dates without a year, like 'Sun May 2', are read in 2027: each on the last such day before "
        "--close 2027-05-31, or up to 90 days after it."
    ) in result.stdout.splitlines()
    assert_check_passes(empty_site)
    text = (empty_site / "content/deals/initech.md").read_text("utf-8")
    # "CFO" first, "Raj Patel (CFO)" later: one stakeholder, named once the file names them.
    assert "  - {id: cfo, name: Raj Patel, title: CFO, side: buyer, role: finance}" in text.splitlines()
    assert re.search(r"name: Onboarding, owners: \[it-team\], due: 2027-06-02, duration: 10bd\}", text)


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("TBD", "is not set yet"),
        ("31/31/2027", "has no month 31"),
        ("2027-02-30", "has day 30, which February does not have"),
        ("Feb 30", "has day 30, which February does not have"),
        ("Febuary 3", "has 'Febuary', which is not a month"),
        (3, "is a number, not a date"),
        (
            "next week",
            "is not a date mapsite reads (write it like 2027-03-15, 3/15/2027, 15.03.2027 or Mar 15)",
        ),
    ],
)
def test_a_cell_that_is_no_date_says_what_is_wrong_with_it(cell: object, problem: str) -> None:
    assert read_month_day(cell, day_first=False) is None
    assert date_problem(cell, day_first=False) == problem


@pytest.mark.parametrize(
    ("cell", "day_first", "month_day"),
    [
        ("Feb 1", False, (2, 1)),
        ("February 1st", False, (2, 1)),
        ("1 Feb", False, (2, 1)),
        ("1-Feb", False, (2, 1)),
        ("Mon, Feb 1", False, (2, 1)),
        ("Sept 30", False, (9, 30)),
        ("2/1", False, (2, 1)),
        ("2/1", True, (1, 2)),
        ("1.2.", False, (2, 1)),
        ("Feb 29", False, (2, 29)),
    ],
)
def test_dates_without_a_year(cell: str, day_first: bool, month_day: tuple[int, int]) -> None:
    found = read_month_day(cell, day_first)
    assert found is not None and (found.month, found.day) == month_day


def test_without_a_close_step_the_last_step_is_the_next_occurrence_from_today() -> None:
    steps = [
        ("", "Kickoff", MonthDay(11, 20)),
        ("", "Pilot", MonthDay(1, 15)),
        ("", "Go live", MonthDay(3, 15)),
    ]
    choice = choose_years(steps, close=None, today=dt.date(2027, 2, 22))
    assert [choice.place(day) for _, _, day in steps] == [
        dt.date(2026, 11, 20),
        dt.date(2027, 1, 15),
        dt.date(2027, 3, 15),
    ]
    assert choice.summary("Nov 20") == (
        "Dates without a year, like 'Nov 20', are read in 2026 and 2027: 'Go live' (the last step) on "
        "the next Mar 15 from today, the others before it, or up to 90 days after it."
    )
    # A step up to 90 days after the close stays after it; a later one is a year before.
    assert choice.place(MonthDay(6, 1)) == dt.date(2027, 6, 1)
    assert choice.place(MonthDay(7, 1)) == dt.date(2026, 7, 1)
