"""How strong an access password is: what ``check`` warns about and what ``build`` refuses.

A portal's envelope is public, so anyone can guess its password offline, as fast as their
hardware runs PBKDF2, with nobody to notice or lock them out. Guessers start with the most
common passwords, with those passwords dressed up (``Password2027!``, ``p@ssw0rd``) and with the
names of the companies involved, so each is a warning here; a password under 8 characters is
refused outright, since no iteration count makes that space large enough. No rule here ever puts
the password into a message: findings say what is wrong with it, never what it is.

The common passwords are ``common-passwords.txt`` beside this module (its header names the
source and the license).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from mapsite.errors import Finding, MapsiteError
from mapsite.model.deal import AccessEntry, Deal

MIN_BUILD_LENGTH = 8
RECOMMENDED_LENGTH = 12
COMMON_PASSWORDS = Path(__file__).with_name("common-passwords.txt")
# A base word shorter than this, left after taking digits and symbols off, is not a common
# password being dressed up but a short remainder of something else ("ab" of "ab2027!!").
MIN_BASE_LENGTH = 4
# Words in company names that name no company in particular: a password holding "software" or
# "group" does not hold the buyer's name. Words under 4 letters (Co, Inc, Ltd, AG) never count.
GENERIC_NAME_WORDS = frozenset(
    {
        "corp", "corporation", "incorporated", "limited", "gmbh", "company", "group", "holding",
        "holdings", "international", "global", "software", "systems", "solutions", "technology",
        "technologies", "services", "partners", "consulting",
    }
)  # fmt: skip
MIN_NAME_WORD = 4
ADVICE = f"{RECOMMENDED_LENGTH} or more characters, e.g. four unrelated words, that name no company"
# The look-alikes guessing rules try first: p@ssw0rd is password.
_LOOK_ALIKES = str.maketrans({"@": "a", "4": "a", "8": "b", "3": "e", "1": "i", "!": "i", "0": "o",
                              "$": "s", "5": "s", "7": "t"})  # fmt: skip
_AROUND = re.compile(r"^[\W\d_]+|[\W\d_]+$")


class WeakPassword(MapsiteError):
    """A password a build refuses; ``findings`` holds one error at the access entry's line."""


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text("utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def too_short_to_build(password: str) -> bool:
    return len(password) < MIN_BUILD_LENGTH


def weaknesses(password: str, names: Mapping[str, str]) -> list[str]:
    """What a guesser would exploit, in words that never quote the password.

    ``names`` maps a party ("buyer", "seller", "partner") to its company's name.
    """
    found = []
    if len(password) < RECOMMENDED_LENGTH:
        found.append(f"it is shorter than {RECOMMENDED_LENGTH} characters")
    common = _common_form(password)
    if common:
        found.append(common)
    found += [
        f"it contains the {party}'s name" for party, name in names.items() if _holds_name(password, name)
    ]
    return found


def _common_form(password: str) -> str | None:
    """How the password is a common one, or None."""
    common = common_passwords()
    lowered = password.casefold()
    if lowered in common:
        return "it is one of the 10,000 most common passwords"
    if any(c.isalpha() for c in lowered) and lowered.translate(_LOOK_ALIKES) in common:
        return "it is a common password with look-alike characters"
    base = _AROUND.sub("", lowered)
    if len(base) >= MIN_BASE_LENGTH and (base in common or base.translate(_LOOK_ALIKES) in common):
        return "it is a common password with digits or symbols around it"
    return None


def _compact(text: str) -> str:
    """Lower case, letters and digits only: 'Acme Corp.' and 'ACME-corp' are both 'acmecorp'."""
    return "".join(c for c in text.casefold() if c.isalnum())


def name_needles(name: str) -> set[str]:
    """The parts of a company name a password must not contain, compacted.

    The whole name, and each of its words that names this company rather than any company.
    """
    needles = {_compact(name)} if len(_compact(name)) >= 3 else set()
    for word in re.split(r"[\W_]+", name.casefold()):
        if len(word) >= MIN_NAME_WORD and word not in GENERIC_NAME_WORDS:
            needles.add(_compact(word))
    return needles


def _holds_name(password: str, name: str) -> bool:
    compact = _compact(password)
    return any(needle in compact for needle in name_needles(name))


def refuse_if_too_short(entry: AccessEntry, where: str, password: str) -> None:
    """Raise WeakPassword, located at the entry's line, for a password too short to build with."""
    if not too_short_to_build(password):
        return
    message = (
        f"the password of access entry '{entry.label}' is shorter than {MIN_BUILD_LENGTH} "
        "characters; mapsite does not lock a portal with it"
    )
    hint = f"{_where_to_change(entry)} to {ADVICE}, then build again"
    finding = Finding(where, entry.line or None, "error", message, hint)
    raise WeakPassword(f"{where}: {message}", [finding], hint)


def strength_warning(
    entry: AccessEntry, where: str, password: str, names: Mapping[str, str]
) -> Finding | None:
    """The check warning for a password a guesser would try early, or None for a strong one."""
    found = weaknesses(password, names)
    if not found:
        return None
    reasons = found[0] if len(found) == 1 else ", ".join(found[:-1]) + " and " + found[-1]
    return Finding(
        where,
        entry.line or None,
        "warning",
        f"the password of access entry '{entry.label}' is weak: {reasons}",
        f"{_where_to_change(entry)} to {ADVICE}",
    )


def _where_to_change(entry: AccessEntry) -> str:
    if entry.password_env:
        return f"set {entry.password_env} (in the environment or .mapsite/passwords)"
    return "move the password out of the file (password_env: NAME) and set it"


def weak_password_findings(problems: list[MapsiteError]) -> list[Finding]:
    """The findings of the passwords a build refuses, among the problems of resolving them."""
    return [
        finding for problem in problems if isinstance(problem, WeakPassword) for finding in problem.findings
    ]


def party_names(deal: Deal) -> dict[str, str]:
    """The companies of a deal whose names a guesser tries first."""
    names = {"buyer": deal.buyer.name, "seller": deal.seller.name}
    if deal.partner:
        names["partner"] = deal.partner.name
    return names
