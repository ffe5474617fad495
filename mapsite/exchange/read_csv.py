"""CSV files as spreadsheets save them: any common delimiter, any common encoding.

Excel saves "CSV" with semicolons in much of Europe and in Windows-1252 unless told otherwise,
and Google Sheets saves UTF-8; none of them says which. The encoding is found by trying (UTF-8
is strict, so text that decodes as UTF-8 almost surely is), and the delimiter is the one under
which the header row names the most known columns: the file's own content decides. A quote
``mapsite export`` put before formula-like text (see cell_guard) is taken off again.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from mapsite.errors import MapsiteError
from mapsite.exchange.cell_guard import unguard_cell
from mapsite.exchange.table import RawTable, find_header

MAX_BYTES = 20_000_000
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def read_csv(path: Path, name: str) -> RawTable:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise MapsiteError(f"cannot read {name}: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise MapsiteError(f"{name} is {len(raw) / 1_000_000:.0f} MB; a plan may be at most 20 MB")
    text, encoding = decode(raw)
    best: tuple[int, RawTable] | None = None
    for delimiter, label in DELIMITERS.items():
        table = RawTable(name, _rows(text, delimiter, name), f"{label}-separated, {encoding}")
        header = find_header(table)
        score = len(header.columns) if header else 0
        if best is None or score > best[0]:
            best = (score, table)
    assert best is not None
    return best[1]


def decode(raw: bytes) -> tuple[str, str]:
    """The text and the name of the encoding it was in."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "UTF-16"  # Excel's "Unicode Text"
    try:
        text = raw.decode("utf-8-sig")
        return text, "UTF-8 with BOM" if raw.startswith(codecs.BOM_UTF8) else "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "Latin-1"  # five bytes cp1252 leaves undefined


def _rows(text: str, delimiter: str, name: str) -> tuple[tuple[int, tuple[object, ...]], ...]:
    """Records numbered as a spreadsheet numbers them (a quoted line break stays in its row)."""
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return tuple(
            (number, tuple(unguard_cell(cell.strip()) for cell in record))
            for number, record in enumerate(reader, 1)
        )
    except csv.Error as exc:
        raise MapsiteError(
            f"{name} is not a readable CSV file ({exc})", hint="save it again as CSV"
        ) from None
