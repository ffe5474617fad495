"""Stakeholders from owner cells: 'Dana Whitfield (VP Marketing), Raj Patel' -> two people.

A spreadsheet names people, a deal refers to them by id, so each distinct name on a side becomes
one stakeholder with a slug id. A role is only guessed from a job title that says it plainly
(a "Legal Counsel" is legal, a VP is an executive sponsor); a champion is left for the rep to set.

Published templates name roles where the people are not known yet ("CFO", "IT Manager"): such a
cell becomes a stakeholder with that title, its role and the name ``(name)``, which ``check``
points out until the rep fills it in; a later "Raj Patel (CFO)" on the same side fills it. A
parenthesis that gives the work's length ("IT Team (3 days)") is the step's duration, not a title.
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
UNNAMED = "(name)"
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
        (r"\bchampion\b", "champion"),
        (r"\beconomic buyer\b", "economic_buyer"),
        (r"\bdecision maker\b", "decision_maker"),
        (r"\b(sponsor|ceo|coo|cmo|cro|chief|president|vp|svp|evp)\b", "executive_sponsor"),
        (r"\b(director|head of)\b", "decision_maker"),
    )
)
# A cell naming a job, not a person: a title word, and no word for a group (a team is named).
_JOB_WORDS = re.compile(
    r"\b(vp|svp|evp|avp|vice president|president|chief|head of|director|manager|counsel|officer|"
    r"executive|engineer|architect|administrator|analyst|specialist|coordinator|consultant|lead|"
    r"sponsor|champion|economic buyer|decision maker|controller|representative|"
    r"ceo|cfo|cto|cio|ciso|coo|cmo|cro|cpo|cdo|cso|ae|se|csm|pm)\b"
)
# A title is a few words of letters: "VP Marketing", "Head of IT & Security", "Sr. Director, Ops".
_TITLE_SHAPE = re.compile(r"^[^\W\d_][\w&/.,' -]*$")
_MAX_TITLE_WORDS = 5
_GROUP_WORDS = re.compile(r"\b(team|teams|department|dept|group|committee|board|office)\b")
# "(3 days)", "(2 weeks)", "(5 business days)", "(7-10 days)": the longest, in business days.
_DURATION = re.compile(
    r"^(?:\d{1,3}\s*(?:-|\u2013|to)\s*)?(?P<count>\d{1,3})\s*"
    r"(?P<unit>business days?|working days?|days?|bd|d|weeks?|wks?|w)$"
)


@dataclass(frozen=True)
class Owner:
    """One owner as a cell names it; ``name`` None when the cell names only a job ("CFO")."""

    name: str | None
    title: str | None = None
    duration: int | None = None  # business days, from "(3 days)"


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

    def owners(self, cell: str, side: str) -> tuple[list[str], int | None]:
        """The ids of the people a cell names, adding those not met before, and the longest
        duration the cell gives."""
        ids, durations = [], []
        for owner in split_owners(cell):
            if owner.name is None:
                person = self.unnamed(owner.title or UNNAMED, side)
            else:
                person = self.person(owner.name, side, owner.title)
            if person.id not in ids:
                ids.append(person.id)
            if owner.duration:
                durations.append(owner.duration)
        return ids, max(durations, default=None)

    def person(self, name: str, side: str, title: str | None = None) -> Person:
        for person in self.people:
            if person.side == side and person.name.casefold() == name.casefold():
                if title and not person.title:
                    person.title, person.role = title, guess_role(title)
                return person
        if title and (unnamed := self._unnamed_with(title, side)):
            unnamed.name = name  # "CFO" earlier in the file, "Raj Patel (CFO)" now: one person
            return unnamed
        person = Person(self._new_id(name, side), name, side, title, guess_role(title))
        self.people.append(person)
        return person

    def unnamed(self, title: str, side: str) -> Person:
        """The stakeholder a job title stands for: the person with that title on the side, else
        a new one called ``(name)`` for the rep to fill in."""
        for person in self.people:
            if person.side == side and (person.title or "").casefold() == title.casefold():
                return person
        person = Person(self._new_id(title, side), UNNAMED, side, title, guess_role(title))
        self.people.append(person)
        return person

    def _unnamed_with(self, title: str, side: str) -> Person | None:
        wanted = title.casefold()
        return next(
            (
                p
                for p in self.people
                if p.side == side and p.name == UNNAMED and (p.title or "").casefold() == wanted
            ),
            None,
        )

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


def split_owners(cell: str) -> list[Owner]:
    """Each owner a cell names; separators inside parentheses are not split on."""
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
    owners = (read_owner(clean_text(part)) for part in parts)
    return [owner for owner in owners if (owner.name or owner.title or "").casefold() not in PLACEHOLDERS]


def read_owner(text: str) -> Owner:
    """'Dana Whitfield (VP Marketing)', 'CFO', 'IT Team (3 days)' or '(name) (CFO)' as an Owner."""
    match = _TITLED.match(text)
    name, note = (match["name"], match["title"].strip()) if match else (text, "")
    duration = _DURATION.match(note.lower())
    title = None if duration else note or None
    if not name:  # "(Dana)": the parenthesis is all the cell holds
        name, title, duration = note, None, None
    if name == UNNAMED or (title is None and is_job(name)):
        name, title = None, title or name
    days = int(duration["count"]) * (5 if duration["unit"].startswith("w") else 1) if duration else None
    return Owner(name, title, days)


def is_job(text: str) -> bool:
    """Does a cell name a job ("VP Marketing", "Legal Counsel") rather than a person or a team?"""
    lowered = text.lower()
    return (
        bool(_TITLE_SHAPE.match(text) and _JOB_WORDS.search(lowered))
        and len(text.split()) <= _MAX_TITLE_WORDS
        and not _GROUP_WORDS.search(lowered)
    )


def guess_role(title: str | None) -> str | None:
    if not title:
        return None
    lowered = title.lower()
    return next((role for pattern, role in ROLE_PATTERNS if pattern.search(lowered)), None)
