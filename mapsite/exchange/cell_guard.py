"""Cells a spreadsheet won't run: the quote export puts before formula-like text, and takes off.

Excel, LibreOffice and Google Sheets read a CSV cell starting with ``=``, ``+``, ``-`` or ``@``
as a formula (and a leading tab or carriage return can hide one), so a milestone named
``=HYPERLINK(...)`` or a note like ``-2+3+cmd|' /C calc'!A0`` would run in the buyer's or the
rep's spreadsheet. Following OWASP's advice on CSV injection, export puts a single quote before
such a cell, which spreadsheets show as text. Spaces before such text count too, since an import
that trims spaces (LibreOffice offers to) would uncover the formula. A plain number such as
``-5`` stays as it is: it is a value, not a formula.

The quote is reversible: text that already starts with quotes in front of formula-like text gets
one more, so ``mapsite import`` can take exactly one off and give back what was exported.
"""

from __future__ import annotations

import re

QUOTE = "'"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def needs_quote(text: str) -> bool:
    """Would a spreadsheet read this text (past any quotes and spaces it starts with) as a formula?"""
    bare = text.lstrip(QUOTE).lstrip(" ")
    return bare.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(bare)


def guard_cell(text: str) -> str:
    """The cell as export writes it: formula-like text behind a single quote."""
    return QUOTE + text if needs_quote(text) else text


def unguard_cell(text: str) -> str:
    """The text ``guard_cell`` was given: a quote export added is taken off, any other kept."""
    if text.startswith(QUOTE) and needs_quote(text[1:]):
        return text[1:]
    return text
