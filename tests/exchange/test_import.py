"""mapsite import: real-looking spreadsheet MAPs become deal files that pass check.

Each import runs in a real process, and so does the check of its result; the expected plans
are written out by hand from the fixture files in tests/fixtures/import/.
"""

from __future__ import annotations

import datetime as dt
import re

import openpyxl
import pytest
import yaml

from mapsite.exchange.cell_dates import prefers_day_first, read_date
from mapsite.exchange.read_csv import read_csv
from mapsite.exchange.statuses import read_status
from mapsite.pipeline.load import load_deals
from mapsite.read.site import load_site
from tests.exchange.helpers import FIXTURES, assert_check_passes, import_plan, load, plan_of

EXAMPLE_PLAN = [
    ("Discovery", "Initial Discovery Complete", "Dana Whitfield", "Sam Carter", "2027-02-01", "done", ""),
    ("Evaluation", "Technical Demo", "Lena Okafor", "Priya Nair", "2027-02-08", "done", ""),
    ("Evaluation", "Demo Follow-Up Q&A", "Lena Okafor", "Priya Nair", "2027-02-10", "done", ""),
    ("Validation", "POC Scope Agreement", "Lena Okafor", "Priya Nair", "2027-02-15", "done", ""),
    ("Validation", "POC Environment Setup", "Lena Okafor", "Priya Nair", "2027-02-18", "in_progress", "POC Scope Agreement"),
    ("Validation", "POC Success Review", "Dana Whitfield", "Sam Carter", "2027-03-15", "pending", "POC Environment Setup"),
    ("Business Case", "ROI Analysis Complete", "Raj Patel", "Sam Carter", "2027-03-20", "pending", "POC Success Review"),
    ("Business Case", "Business Case Presented", "Dana Whitfield", "Sam Carter", "2027-03-25", "pending", "ROI Analysis Complete"),
    ("Procurement", "Security Review Submitted", "InfoSec Team", "Priya Nair", "2027-04-01", "pending", ""),
    ("Procurement", "Security Review Complete", "InfoSec Team", "Priya Nair", "2027-04-12", "at_risk", "Security Review Submitted"),
    ("Procurement", "Procurement Review", "Procurement", "Sam Carter", "2027-04-15", "pending", ""),
    ("Legal", "Contract Negotiation", "Marta Silva", "Sam Carter", "2027-04-20", "pending", ""),
    ("Legal", "Legal Review Complete", "Marta Silva", "Sam Carter", "2027-04-27", "pending", "Contract Negotiation"),
    ("Close", "Contract Signature", "Raj Patel", "Tom Reyes", "2027-04-30", "pending", "Legal Review Complete; Security Review Complete"),
    ("Implementation", "Kickoff Call", "Dana Whitfield", "Ana Costa", "2027-05-05", "pending", "Contract Signature"),
]  # fmt: skip


def test_example_plan_with_emoji_statuses_becomes_a_deal_that_passes_check(empty_site):
    result = import_plan(empty_site, str(FIXTURES / "example-plan.csv"), "--buyer", "Acme Corp")
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "example-plan.csv row 8: 'ROI Analysis Complete' is due on Sat 2027-03-20, a weekend day; "
        "imported as written\n"
    )
    # The file is named after the buyer; the portal's URL folder is random (issue 12, finding 4).
    slug = re.search(
        r"^slug: ([a-z2-7]{12})$", (empty_site / "content/deals/acme-corp.md").read_text(), re.M
    )[1]
    assert result.stdout.splitlines() == [
        "Read 15 rows of example-plan.csv (comma-separated, UTF-8 with BOM): 15 milestones, 0 rows skipped.",
        f"created {empty_site / 'content/deals/acme-corp.md'} with 10 stakeholders",
        f"Its portal is published at /{slug}/: a random folder, so that the URL names no buyer. "
        "Name the deal acme-corp in other commands (mapsite share acme-corp ...).",
        "Close date 2027-04-30: the due date of 'Contract Signature'.",
        f"Its password is new and random, in {empty_site / '.mapsite' / 'passwords'} as ACME_CORP_PORTAL_PASSWORD "
        "(never commit that folder): give it to the buyer, and set the same variable where CI builds.",
        "Next: replace the [bracketed] placeholders, starting with value_summary, then run: mapsite check",
    ]
    assert_check_passes(empty_site)
    deal = load(empty_site, "acme-corp")
    assert deal.slug == slug
    assert plan_of(deal) == EXAMPLE_PLAN
    assert (deal.title, deal.buyer.name, deal.seller.name) == (
        "Acme Corp x Northwind Software: Mutual Action Plan",
        "Acme Corp",
        "Northwind Software",
    )
    assert (deal.close_date, deal.updated, deal.stage) == (
        dt.date(2027, 4, 30),
        dt.date(2027, 2, 22),
        "active",
    )
    assert [(a.label, a.password_env) for a in deal.access] == [
        ("Acme Corp buying team", "ACME_CORP_PORTAL_PASSWORD")
    ]
    assert deal.value_summary.startswith("[Replace with 2-3 sentences in the buyer's words")
    people = {(s.id, s.name, s.title, s.side, s.role) for s in deal.stakeholders}
    assert ("raj-patel", "Raj Patel", "CFO", "buyer", "finance") in people
    assert ("lena-okafor", "Lena Okafor", "IT Manager", "buyer", "technical_evaluator") in people
    assert ("infosec-team", "InfoSec Team", None, "buyer", None) in people
    # A VP is read as an executive sponsor, as the example deal's Tom Reyes is (issue 14).
    assert ("tom-reyes", "Tom Reyes", "VP Sales", "seller", "executive_sponsor") in people
    assert ("ana-costa", "Ana Costa", "Customer Success Manager", "seller", "customer_success") in people
    assert deal.milestone("security-review-complete").notes == "Typical 7-10 day review"


def test_semicolon_windows_1252_file_with_european_dates_and_numbered_dependencies(empty_site):
    result = import_plan(empty_site, str(FIXTURES / "mueller-plan.csv"), "--slug", "mueller")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert (
        "Read 7 rows of mueller-plan.csv (semicolon-separated, Windows-1252): 7 milestones, 0 rows skipped."
        in result.stdout
    )
    assert (
        "The buyer is called 'Mueller' after the slug: edit buyer: and title: in the deal." in result.stdout
    )
    assert_check_passes(empty_site)
    deal = load(empty_site, "mueller")
    assert plan_of(deal) == [
        ("Discovery", "Kick-off workshop", "José Müller", "Chloé Dubois", "2027-01-11", "done", ""),
        ("Discovery", "Requirements sign-off", "José Müller", "Chloé Dubois", "2027-01-25", "done", "Kick-off workshop"),
        ("Evaluation", "Pilot on the Düsseldorf line", "Jürgen Weiß", "Søren Øster", "2027-03-15", "in_progress", "Requirements sign-off"),
        ("Evaluation", "Datenschutz review (DSGVO)", "Françoise Lefèvre", "Søren Øster", "2027-03-22", "blocked", "Pilot on the Düsseldorf line"),
        ("Commercial", "Angebot & Preisfreigabe", "José Müller", "Chloé Dubois", "2027-04-05", "pending", "Pilot on the Düsseldorf line; Datenschutz review (DSGVO)"),
        ("Commercial", "Einkauf approval", "Einkauf", "Chloé Dubois", "2027-04-12", "pending", "Angebot & Preisfreigabe"),
        ("Close", "Vertragsunterzeichnung", "José Müller", "Chloé Dubois", "2027-04-30", "pending", "Einkauf approval"),
    ]  # fmt: skip
    assert [s.id for s in deal.stakeholders] == [
        "jose-muller", "jurgen-weiss", "francoise-lefevre", "einkauf", "chloe-dubois", "soren-oster",
    ]  # fmt: skip
    assert deal.stakeholder("einkauf").role == "procurement"
    assert deal.milestone("datenschutz-review-dsgvo").notes == "Waiting for the DPA template; legal has it"
    assert deal.close_date == dt.date(2027, 4, 30)


def test_xlsx_with_date_cells_a_cover_sheet_and_merged_phases(empty_site, tmp_path, monkeypatch):
    # The example site's Globex password is set for every test; a rep importing Globex has none.
    monkeypatch.delenv("GLOBEX_PORTAL_PASSWORD")
    workbook = openpyxl.Workbook()
    cover = workbook.active
    cover.title = "Read me"
    cover["A1"] = "Fill in the MAP sheet with the customer."
    sheet = workbook.create_sheet("MAP")
    sheet.append(["Globex \u2013 Mutual Action Plan"])
    sheet.append([])
    # fmt: off
    sheet.append(["#", "Stage", "Task", "Client", "Vendor", "Due", "Status", "Depends On", "Comments"])
    sheet.append([1, "Evaluation", "Technical deep dive", "Hank Scorpio (CEO)", "Priya Nair", dt.date(2027, 3, 2), "✅"])
    sheet.append([2, None, "Security questionnaire", "Frank Grimes (CISO)", "Priya Nair", dt.datetime(2027, 3, 9), "In Progress", 1, "SOC 2 report shared"])
    # A date typed into a cell formatted as a number: Excel's serial 46469 is 2027-03-23.
    sheet.append([3, "Commercial", "Pricing approval", "Hank Scorpio", "Sam Carter", 46469, "Not started", "1, 2"])
    sheet.append([4, None, "Legal review", "Legal team", "Sam Carter", None, "Not started", 3])
    sheet.append([5, "Close", "Order form signed", "Hank Scorpio", "Tom Reyes", dt.datetime(2027, 3, 31), None, 3])
    sheet.append([6, None, None, None, None, None, "Not started"])  # the template's spare row
    # fmt: on
    sheet.merge_cells("B4:B5")
    path = tmp_path / "plan.xlsx"
    workbook.save(path)

    result = import_plan(empty_site, str(path), "--buyer", "Globex")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "plan.xlsx sheet 'MAP' row 7: 'Legal review' has no due date; skipped",
    ]
    assert (
        "Read 5 rows of plan.xlsx sheet 'MAP' (Excel workbook): 4 milestones, 1 row skipped." in result.stdout
    )
    assert "Close date 2027-03-31: the due date of 'Order form signed'." in result.stdout
    assert_check_passes(empty_site)
    deal = load(empty_site, "globex")
    assert plan_of(deal) == [
        ("Evaluation", "Technical deep dive", "Hank Scorpio", "Priya Nair", "2027-03-02", "done", ""),
        ("Evaluation", "Security questionnaire", "Frank Grimes", "Priya Nair", "2027-03-09", "in_progress", "Technical deep dive"),
        ("Commercial", "Pricing approval", "Hank Scorpio", "Sam Carter", "2027-03-23", "pending", "Technical deep dive; Security questionnaire"),
        ("Close", "Order form signed", "Hank Scorpio", "Tom Reyes", "2027-03-31", "pending", "Pricing approval"),
    ]  # fmt: skip
    assert deal.stakeholder("frank-grimes").role == "security"


def test_every_bad_row_is_reported_by_its_row_number_and_the_good_rows_are_imported(empty_site):
    result = import_plan(
        empty_site, str(FIXTURES / "bad-rows.csv"), "--buyer", "Initech", "--close", "2027-04-15"
    )
    assert result.returncode == 0, result.stderr
    # Row 2 spans two lines of the file (a quoted line break), as it does in a spreadsheet.
    assert result.stderr.splitlines() == [
        "bad-rows.csv row 3: no milestone name; skipped",
        "bad-rows.csv row 4: due date '31/31/2027' has no month 31; skipped",
        "bad-rows.csv row 5: 'Security questionnaire' has no due date; skipped",
        "bad-rows.csv row 6: status 'Maybe' is not one mapsite knows; imported as pending",
        "bad-rows.csv row 6: 'Reference call' has no owner; assigned to 'To be named'",
        "bad-rows.csv row 6: 'Reference call' is due on Sat 2027-03-20, a weekend day; imported as written",
        "bad-rows.csv row 6: depends on row 4, which was skipped; left out",
        "bad-rows.csv row 7: dependency 'Business case' names no milestone in the file; left out",
        "bad-rows.csv row 8: depends on 'Order form signed', due 2027-03-31, after this step (2027-03-15); left out",
    ]
    assert (
        "Read 7 rows of bad-rows.csv (comma-separated, UTF-8): 4 milestones, 3 rows skipped." in result.stdout
    )
    assert "Close date 2027-04-15: given with --close." in result.stdout
    assert_check_passes(empty_site)
    deal = load(empty_site, "initech")
    assert plan_of(deal) == [
        ("Discovery", "Discovery call", "Ana Lima", "Sam Carter", "2027-03-01", "done", ""),
        ("Evaluation", "Reference call", "To be named", "", "2027-03-20", "pending", ""),
        ("Close", "Order form signed", "Ana Lima", "Sam Carter", "2027-03-31", "pending", ""),
        ("Close", "Kickoff", "Ana Lima", "Sam Carter", "2027-03-15", "pending", ""),
    ]  # fmt: skip
    assert deal.milestone("discovery-call").notes == "Agenda: goals, budget, timeline"
    assert deal.close_date == dt.date(2027, 4, 15)


def test_a_file_without_one_good_row_writes_nothing_and_exits_1(empty_site, tmp_path):
    plan = tmp_path / "plan.csv"
    plan.write_text("Milestone,Due Date,Status\nKickoff,TBD,Done\n,2027-03-01,\n", "utf-8")
    result = import_plan(empty_site, str(plan))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "plan.csv row 2: due date 'TBD' is not set yet; skipped",
        "plan.csv row 3: no milestone name; skipped",
        "error: none of the 2 rows of plan.csv could be read; no deal was written (hint: each row above "
        "says what is wrong with it)",
    ]
    assert list((empty_site / "content" / "deals").iterdir()) == []


def test_a_file_without_a_header_row_is_refused_with_the_columns_to_use(empty_site, tmp_path):
    plan = tmp_path / "notes.csv"
    plan.write_text("Call Dana on Monday\nSend the deck\n", "utf-8")
    result = import_plan(empty_site, str(plan))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: notes.csv: no header row with a Milestone column in the first rows (hint: name the columns, "
        "e.g. Phase, Milestone, Owner (Customer), Owner (Vendor), Due Date, Status)"
    )


def test_an_existing_deal_is_never_overwritten(site_factory):
    site = site_factory.make()
    deal = site / "content" / "deals" / "buyer-co.md"
    before = deal.read_bytes()
    result = import_plan(site, str(FIXTURES / "example-plan.csv"), "--slug", "buyer-co")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: a deal named 'buyer-co' already exists in content/deals; it was left as it is "
        "(hint: pick another name with --slug)"
    )
    assert deal.read_bytes() == before


@pytest.mark.parametrize(
    ("cell", "status"),
    [
        ("Complete", "done"), ("Completed", "done"), ("Done", "done"), ("✅", "done"), ("✔️", "done"),
        ("☑️", "done"), ("100%", "done"), ("In Progress", "in_progress"), ("🟡", "in_progress"),
        ("⏳", "in_progress"), ("🔄", "in_progress"), ("40 %", "in_progress"), ("Pending", "pending"),
        ("Not started", "pending"), ("⬜", "pending"), ("", "pending"), ("Blocked", "blocked"),
        ("❌", "blocked"), ("🔴 Off track", "blocked"), ("At risk", "at_risk"), ("⚠️", "at_risk"),
        ("Skipped", "skipped"), ("N/A", "skipped"), ("Maybe", None),
    ],
)  # fmt: skip
def test_status_words_and_marks(cell, status):
    assert read_status(cell) == status


@pytest.mark.parametrize(
    ("cell", "day_first", "day"),
    [
        ("2027-03-15", False, dt.date(2027, 3, 15)),
        ("3/15/2027", False, dt.date(2027, 3, 15)),
        ("3/15/27", False, dt.date(2027, 3, 15)),
        ("3/4/2027", False, dt.date(2027, 3, 4)),
        ("3/4/2027", True, dt.date(2027, 4, 3)),
        ("15.03.2027", False, dt.date(2027, 3, 15)),
        ("Mar 15, 2027", False, dt.date(2027, 3, 15)),
        ("15-Mar-2027", False, dt.date(2027, 3, 15)),
        ("Mon 3/15/2027 0:00", False, dt.date(2027, 3, 15)),
        (46461, False, dt.date(2027, 3, 15)),
        (3, False, None),
        ("31/31/2027", True, None),
        ("next week", False, None),
    ],
)
def test_date_cells(cell, day_first, day):
    assert read_date(cell, day_first) == day


def test_a_file_is_read_day_first_only_when_one_of_its_dates_says_so():
    assert prefers_day_first(["03/04/2027", "15/04/2027"]) is True
    assert prefers_day_first(["03/04/2027", "04/15/2027"]) is False
    assert prefers_day_first(["03/04/2027", "15/04/2027", "04/15/2027"]) is False


@pytest.mark.parametrize(
    ("delimiter", "encoding", "described"),
    [
        ("\t", "utf-16", "tab-separated, UTF-16"),
        ("|", "utf-8", "pipe-separated, UTF-8"),
        (";", "utf-8-sig", "semicolon-separated, UTF-8 with BOM"),
        (",", "cp1252", "comma-separated, Windows-1252"),
    ],
)
def test_csv_delimiter_and_encoding_are_found_from_the_file(tmp_path, delimiter, encoding, described):
    path = tmp_path / "plan.csv"
    rows = [
        ["Milestone", "Due Date", "Owner (Customer)"],
        ["Kickoff; phase 1", "2027-03-01", "José Müller, Raj Patel"],
    ]
    lines = [delimiter.join(f'"{cell}"' for cell in row) for row in rows]
    path.write_bytes("\r\n".join(lines).encode(encoding))
    table = read_csv(path, "plan.csv")
    assert table.described == described
    assert table.rows[1] == (2, ("Kickoff; phase 1", "2027-03-01", "José Müller, Raj Patel"))


# Issue 12, finding 9: a spreadsheet is someone else's file. Nothing in it (nor in its name)
# may add a field to the deal, and no name may carry control or bidirectional characters.
HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def test_control_characters_and_injected_fields_never_reach_the_deal(empty_site, tmp_path):
    plan = tmp_path / "plan\npublic: true\n#.csv"
    rows = [
        ["Milestone", "Due Date", "Owner (Customer)", "Owner (Vendor)", "Notes"],
        [
            "Kick\u202eoff\x07",
            "2027-03-01",
            "Dana\x1b[2J Whitfield (VP\u2066 Claims)",
            "Sam\u200f Carter",
            "a\rb",
        ],
        ["Contract\x85 signature", "2027-04-30", "Raj\tPatel", "Sam Carter", "x\npublic: true"],
    ]
    plan.write_text("\n".join(",".join(f'"{cell}"' for cell in row) for row in rows), "utf-8")
    result = import_plan(empty_site, str(plan), "--buyer", "Acme\u202e\npublic: true")
    assert result.returncode == 0, result.stderr
    [deal_file] = (empty_site / "content/deals").iterdir()
    text = deal_file.read_text("utf-8")
    assert not HIDDEN.search(text), text
    frontmatter = yaml.safe_load(text.split("---\n")[1])
    assert "public" not in frontmatter and not re.search(r"^\s*public:", text, re.M)
    assert "# Imported from plan public: true #.csv by mapsite import" in text
    assert_check_passes(empty_site)
    [deal] = load_deals(load_site(empty_site)[0], dt.date(2027, 2, 22)).deals
    assert deal.public is False
    assert deal.buyer.name == "Acme public: true"
    assert [m.name for m in deal.milestones] == ["Kickoff", "Contract signature"]
    assert {(s.name, s.title) for s in deal.stakeholders} == {
        ("Dana[2J Whitfield", "VP Claims"),  # without its ESC, a terminal sequence is plain text
        ("Raj Patel", None),
        ("Sam Carter", None),
    }
    assert [m.notes for m in deal.milestones] == ["a b", "x public: true"]
    assert not HIDDEN.search(result.stdout + result.stderr)
