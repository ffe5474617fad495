"""Stakeholders from owner cells: 'Dana Whitfield (VP Marketing), Raj Patel' -> two people.

A spreadsheet names people, a deal refers to them by id, so each distinct name on a side becomes
one stakeholder with a slug id. A role is only guessed from a job title that says it plainly
(a "Legal Counsel" is legal); deal roles such as champion are left for the rep to set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mapsite.exchange.deal_writer import clean_text
from mapsite.names import slugify

# Cells that name nobody; "\u2013" and "\u2014" are the dashes spreadsheets auto-correct "-" into.
PLACEHOLDERS = {
    "", "tbd", "tbc", "tba", "n/a", "na", "-", "--", "\u2013", "\u2014", "?", "none", "unassigned",
}  # fmt: skip
TO_BE_NAMED = "To be named"
_SEPARATORS = ",;/+\n"
# Letters Unicode does not decompose to ASCII: "Søren Weiß" -> soren-weiss, not sren-wei.
_ASCII_FOLD = str.maketrans(
    {"ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L", "đ": "d"}
)
_TITLED = re.compile(r"^(?P<name>.*?)\s*\((?P<title>[^()]*)\)$")
# Checked in order: "Solutions Architect" is a sales engineer before it is an architect.
ROLE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), role)
    for pattern, role in (
        (r"\b(account executive|account manager|ae)\b", "account_executive"),
        (r"\b(sales|solutions?) (engineer|consultant|architect)\b", "sales_engineer"),
        (r"\b(customer success|csm)\b", "customer_success"),
        (r"\b(legal|counsel|lawyer|attorney)\b", "legal"),
        (r"\b(procurement|purchasing|sourcing)\b", "procurement"),
        (r"\b(security|infosec|ciso)\b", "security"),
        (r"\b(cfo|finance|financial|controller)\b", "finance"),
        (r"\b(project manager|program manager|pmo)\b", "project_manager"),
        (r"\b(cto|cio|it manager|it director|head of it|architect)\b", "technical_evaluator"),
    )
)


@dataclass
class Person:
    id: str
    name: str
    side: str
    title: str | None = None
    role: str | None = None


@dataclass
class People:
    """Every stakeholder met so far, one per name and side, in order of first mention."""

    people: list[Person] = field(default_factory=list)

    def owners(self, cell: str, side: str) -> list[str]:
        """The ids of the people a cell names, adding those not met before."""
        ids = []
        for name, title in split_owners(cell):
            person = self.person(name, side, title)
            if person.id not in ids:
                ids.append(person.id)
        return ids

    def person(self, name: str, side: str, title: str | None = None) -> Person:
        for person in self.people:
            if person.side == side and person.name.casefold() == name.casefold():
                if title and not person.title:
                    person.title, person.role = title, guess_role(title)
                return person
        person = Person(self._new_id(name, side), name, side, title, guess_role(title))
        self.people.append(person)
        return person

    def placeholder(self, side: str) -> Person:
        """The 'To be named' person of a side, owner of a step nobody owns yet."""
        return self.person(TO_BE_NAMED, side)

    def _new_id(self, name: str, side: str) -> str:
        base = slugify(name.translate(_ASCII_FOLD)) or f"{side}-contact"
        taken = {person.id for person in self.people}
        candidate, number = base, 2
        while candidate in taken:
            candidate, number = f"{base}-{number}", number + 1
        return candidate


def split_owners(cell: str) -> list[tuple[str, str | None]]:
    """(name, title) of each owner in a cell; separators inside parentheses are not split on."""
    if cell.strip().casefold() in PLACEHOLDERS:
        return []
    parts, current, depth = [], "", 0
    for character in cell:
        depth += {"(": 1, ")": -1}.get(character, 0)
        if character in _SEPARATORS and depth <= 0:
            parts.append(current)
            current = ""
        else:
            current += character
    parts.append(current)
    result = []
    for part in parts:
        text = clean_text(part)
        match = _TITLED.match(text)
        name, title = (match["name"], match["title"].strip() or None) if match else (text, None)
        if name.casefold() not in PLACEHOLDERS:
            result.append((name, title))
    return result


def guess_role(title: str | None) -> str | None:
    if not title:
        return None
    lowered = title.lower()
    return next((role for pattern, role in ROLE_PATTERNS if pattern.search(lowered)), None)
