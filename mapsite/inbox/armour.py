"""Finding update codes in mail text: every armour block, however the mail mangled it.

Between a reader's "Send" and the rep's inbox, a code goes through mail programs that quote it
(``> `` and ``> > ``), re-wrap its lines (joining the short header lines with the BEGIN line),
render it as HTML, or split it into numbered parts, one mail each. So the search does not read
line by line: it strips quote marks, takes the text between BEGIN and END, reads the ``Deal:``
and ``Part:`` headers wherever the line breaks fell, and keeps only base64url characters of the
rest (docs/updates.md, "In a message"). Parts are joined by their id; a code seen twice (the
original and a quoted reply) counts once.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field

from mapsite.inbox.mail import Text
from mapsite.protect.updates import code_id

_QUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)*", re.MULTILINE)
_BLOCK = re.compile(
    r"-{3,}\s*BEGIN\s+MAPSITE\s+UPDATE\s*-{3,}(?P<body>.*?)-{3,}\s*END\s+MAPSITE\s+UPDATE\s*-{3,}",
    re.IGNORECASE | re.DOTALL,
)
_HEADER = re.compile(
    r"\A[\s>]*(?:(?P<deal>deal)\s*:\s*(?P<slug>[A-Za-z0-9-]+)"
    r"|(?P<part>part)\s*:\s*(?P<index>\d{1,3})\s*/\s*(?P<count>\d{1,3})\s+(?P<id>[0-9A-Fa-f]{8})\b)",
    re.IGNORECASE,
)
_NOT_B64 = re.compile(r"[^A-Za-z0-9_-]+")
MAX_PARTS = 50


@dataclass(frozen=True)
class FoundCode:
    """One whole code: its deal (as the armour says), its bytes and where it was found."""

    deal: str
    code: bytes
    where: str


@dataclass
class Search:
    """What the texts held: whole codes, and what could not be made into one (in words)."""

    codes: list[FoundCode] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Part:
    deal: str
    index: int
    count: int
    id: str
    b64: str
    where: str


def find_codes(texts: list[Text]) -> Search:
    """Every code in ``texts``, parts joined, duplicates dropped, in the order first seen."""
    search = Search()
    parts: dict[str, dict[int, _Part]] = {}
    seen: set[bytes] = set()
    for text in texts:
        for match in _BLOCK.finditer(_QUOTE.sub("", text.text)):
            part = _read_block(match.group("body"), text.where)
            if isinstance(part, str):
                search.problems.append(part)
            elif part.count == 1:
                _keep(search, seen, part.deal, part.b64, part.where)
            else:
                parts.setdefault(part.id, {}).setdefault(part.index, part)
    for group in parts.values():
        _join(search, seen, group)
    if not search.codes and not search.problems:
        where = ", ".join(text.where for text in texts[:3]) + (" ..." if len(texts) > 3 else "")
        search.problems.append(f"no update code in {where or 'the input'}")
    return search


def _read_block(body: str, where: str) -> _Part | str:
    deal, index, count, part_id = "", 1, 1, ""
    while header := _HEADER.match(body):
        if header.group("deal"):
            deal = header.group("slug").lower()
        else:
            index, count, part_id = int(header["index"]), int(header["count"]), header["id"].lower()
        body = body[header.end() :]
    if not deal:
        return f"{where}: an update block has no 'Deal:' line; it was cut or changed on the way"
    if count > 1 and not (1 <= index <= count <= MAX_PARTS):
        return f"{where}: an update block for deal '{deal}' says it is part {index} of {count}"
    return _Part(deal, index, count, part_id, _NOT_B64.sub("", body), where)


def _join(search: Search, seen: set[bytes], group: dict[int, _Part]) -> None:
    first = next(iter(group.values()))
    missing = [str(i) for i in range(1, first.count + 1) if i not in group]
    if missing:
        search.problems.append(
            f"{first.where}: update {first.id} for deal '{first.deal}' is in {first.count} parts, and "
            f"part{'s' * (len(missing) > 1)} {', '.join(missing)} {'are' if len(missing) > 1 else 'is'} "
            "not in the input; give every mail of it (one mbox or Maildir, or several files)"
        )
        return
    b64 = "".join(group[i].b64 for i in range(1, first.count + 1))
    code = _decode(b64)
    if code is None or code_id(code) != first.id:
        search.problems.append(
            f"{first.where}: the {first.count} parts of update {first.id} for deal '{first.deal}' "
            "do not join into the code they name; one was changed or cut on the way"
        )
        return
    _keep(search, seen, first.deal, b64, first.where)


def _keep(search: Search, seen: set[bytes], deal: str, b64: str, where: str) -> None:
    code = _decode(b64)
    if code is None:
        search.problems.append(f"{where}: the update code for deal '{deal}' is cut short or damaged")
    elif code not in seen:
        seen.add(code)
        search.codes.append(FoundCode(deal, code, where))


def _decode(b64: str) -> bytes | None:
    if len(b64) % 4 == 1:
        return None
    try:
        return base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4))
    except ValueError:
        return None
