"""``mapsite export --format xlsx``: a deal's plan as an Excel workbook, for reps who live in one.

The sheet has the columns and cells of the CSV export (so ``mapsite import`` reads it back into
the same plan), with due dates as real date cells so the sheet sorts and filters by them.
Every text comes from a deal file someone else may have written: a text that a spreadsheet
would run as a formula is written behind the same quote as in the CSV (see cell_guard), and
every text cell is stored as a string, never as a formula. Characters a workbook cannot hold
(control characters other than tab and line breaks) are left out.
"""

from __future__ import annotations

import io
import re

from mapsite.exchange.cell_guard import guard_cell
from mapsite.exchange.table import EXPORT_HEADERS
from mapsite.exchange.write import export_columns, milestone_cells
from mapsite.model.deal import Deal

SHEET_TITLE = "Plan"
DATE_FORMAT = "yyyy-mm-dd"
# What the XML of a workbook cannot carry; tab, line feed and carriage return it can.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_WIDTHS = {"milestone": 36, "notes": 40, "depends_on": 30, "owner_buyer": 28, "owner_seller": 28}


def plan_xlsx(deal: Deal) -> bytes:
    """The workbook's bytes: one header row, then one row per milestone."""
    from openpyxl import Workbook  # imported here: only xlsx exports pay for it
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    columns = export_columns(deal)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None, "a new workbook has a sheet"
    sheet.title = SHEET_TITLE
    sheet.append([EXPORT_HEADERS[key] for key in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row, milestone in enumerate(deal.milestones, start=2):
        texts = milestone_cells(deal, milestone, dependency_separator="; ")
        for column, key in enumerate(columns, start=1):
            cell = sheet.cell(row=row, column=column)
            if key == "due":
                cell.value = milestone.due
                cell.number_format = DATE_FORMAT
            else:
                cell.value = guard_cell(_UNSTORABLE.sub("", texts[key]))
                cell.data_type = "s"  # text, whatever it starts with
    for column, key in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = _WIDTHS.get(key, 14)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
