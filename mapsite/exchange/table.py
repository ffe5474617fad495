"""The columns of a spreadsheet MAP, under the many names teams give them.

Every template spells its columns differently ("Owner (Customer)", "Client", "Buyer Owner"), so
headers are compared after lower-casing and dropping punctuation, against a list of spellings
per column. Export writes the first spelling of each, so an exported plan imports unchanged.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

HEADER_SCAN_ROWS = 20
# Column key -> the header spellings it is recognised by, after normalise_header().
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "ref": ("id", "#", "no", "nr", "number", "ref", "step #", "step no", "item #"),
    "phase": ("phase", "stage", "workstream"),
    "milestone": ("milestone", "milestones", "step", "task", "activity", "milestone name", "deliverable"),
    "owner_buyer": (
        "owner customer", "customer owner", "buyer owner", "owner buyer", "client",
        "client owner", "owner client", "customer", "customer lead",
    ),
    "owner_seller": (
        "owner vendor", "vendor owner", "seller owner", "owner seller", "our owner", "vendor",
        "vendor lead", "owner us",
    ),
    "owner_partner": ("owner partner", "partner owner", "partner"),
    "owner_any": ("owner", "owners", "responsible", "assignee", "who"),
    "due": ("due date", "target date", "date", "due", "deadline", "due by", "target", "end date"),
    "status": ("status", "state", "progress"),
    "depends_on": ("dependencies", "dependency", "depends on", "prerequisites", "predecessors"),
    "notes": ("notes", "note", "comments", "comment", "remarks"),
}  # fmt: skip
# The headers export writes (and import reads back): the usual spelling of each column.
EXPORT_HEADERS: dict[str, str] = {
    "ref": "Id",
    "phase": "Phase",
    "milestone": "Milestone",
    "owner_buyer": "Owner (Customer)",
    "owner_seller": "Owner (Vendor)",
    "owner_partner": "Owner (Partner)",
    "due": "Due Date",
    "status": "Status",
    "depends_on": "Dependencies",
    "notes": "Notes",
}
OWNER_SIDES = {"owner_buyer": "buyer", "owner_seller": "seller", "owner_partner": "partner"}
_BY_SPELLING = {spelling: key for key, spellings in COLUMN_NAMES.items() for spelling in spellings}
_PUNCTUATION = re.compile(r"[()\[\]{}:*_.\-/\\?]+")


@dataclass(frozen=True)
class RawTable:
    """Cells as a reader found them, each row with the number the spreadsheet shows for it."""

    name: str
    rows: tuple[tuple[int, tuple[object, ...]], ...]
    described: str


@dataclass(frozen=True)
class Header:
    """Where the header row is and which cell index holds which column."""

    row: int
    columns: dict[str, int]
    ignored: tuple[str, ...]

    def cell(self, cells: tuple[object, ...], key: str) -> object:
        index = self.columns.get(key)
        return cells[index] if index is not None and index < len(cells) else None


def normalise_header(text: str) -> str:
    """'Owner (Customer):' -> 'owner customer'; '#' survives so 'Step #' stays a number column."""
    return " ".join(_PUNCTUATION.sub(" ", text.lower()).split())


def read_header(cells: tuple[object, ...]) -> Header:
    """Map the recognised cells of one row to columns; the first of two same columns wins."""
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, cell in enumerate(cells):
        label = cell_text(cell)
        if not label:
            continue
        key = _BY_SPELLING.get(normalise_header(label))
        if key is None or key in columns:
            ignored.append(label)
        else:
            columns[key] = index
    return Header(row=0, columns=columns, ignored=tuple(ignored))


def find_header(table: RawTable) -> Header | None:
    """The first row near the top naming a milestone column and at least one other column.

    Rows above it (a title, a logo, a date) are what templates put there and are not data.
    """
    for number, cells in table.rows[:HEADER_SCAN_ROWS]:
        header = read_header(cells)
        if "milestone" in header.columns and len(header.columns) >= 2:
            return Header(row=number, columns=header.columns, ignored=header.ignored)
    return None


def cell_text(value: object) -> str:
    """A cell as the text a person sees: 3.0 -> '3', a date cell -> '2027-03-15', None -> ''.

    Spaces are collapsed but line breaks kept: a cell may list one owner per line.
    """
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    lines = (" ".join(line.split()) for line in str(value).splitlines())
    return "\n".join(line for line in lines if line)
