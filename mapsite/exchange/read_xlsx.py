"""Excel workbooks (.xlsx): the sheet that holds the plan, with date cells as dates.

A MAP workbook often has a cover or instructions sheet, so the plan is the active sheet when
it has a header row, else the first sheet that has one. Formulas are read as the values Excel
last computed; merged cells (a phase spanning its rows) arrive as blanks below their first row.
A quote ``mapsite export`` put before formula-like text (see cell_guard) is taken off again.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from mapsite.errors import MapsiteError
from mapsite.exchange.cell_guard import unguard_cell
from mapsite.exchange.table import RawTable, find_header

MAX_ROWS = 10_000


def read_xlsx(path: Path, name: str) -> RawTable:
    import openpyxl  # imported here: only imports of workbooks pay for it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise MapsiteError(
            f"{name} is not a readable Excel workbook ({exc})",
            hint="save it from Excel as .xlsx (Excel Workbook) or as CSV",
        ) from None
    try:
        active = workbook.active
        sheets = sorted(workbook.worksheets, key=lambda sheet: sheet is not active)
        if not sheets:
            raise MapsiteError(f"{name} has no worksheet")
        tables = []
        for sheet in sheets:
            where = f"{name} sheet '{sheet.title}'" if len(workbook.worksheets) > 1 else name
            rows = tuple(
                (number, tuple(unguard_cell(v) if isinstance(v, str) else v for v in values))
                for number, values in enumerate(
                    sheet.iter_rows(min_row=1, max_row=MAX_ROWS, values_only=True), 1
                )
            )
            tables.append(RawTable(where, rows, "Excel workbook"))
            if find_header(tables[-1]):
                return tables[-1]
        return tables[0]
    finally:
        workbook.close()
