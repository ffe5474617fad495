"""The ASCII armour an update code travels in by mail (docs/updates.md, "In a message").

Mail mangles text: replies quote it ("> "), clients re-wrap it at 72 columns, turn line ends
into CRLF, render it as HTML (tags, entities, added spaces) and split long messages. So the
reader here trusts only the BEGIN and END lines and two headers, and takes from the rest the
base64url characters alone; a code split into parts is joined by its parts' id, and a missing
part is named. Whether the joined bytes are a real code is for ``updates.open_code`` to say: the
armour holds nothing secret and checks nothing.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from mapsite.protect.envelope import b64, unb64
from mapsite.protect.updates import code_id

BEGIN = "-----BEGIN MAPSITE UPDATE-----"
END = "-----END MAPSITE UPDATE-----"
LINE_CHARS = 64

# Between the words of a marker or a header a re-wrap may put a line end, and a reply a quote mark.
_GAP = r"[\s>]*"
_BEGIN = re.compile(rf"-----{_GAP}BEGIN{_GAP}MAPSITE{_GAP}UPDATE{_GAP}-----", re.IGNORECASE)
_END = re.compile(rf"-----{_GAP}END{_GAP}MAPSITE{_GAP}UPDATE{_GAP}-----", re.IGNORECASE)
_DEAL = re.compile(rf"\bDeal:{_GAP}([A-Za-z0-9_.-]+)", re.IGNORECASE)
_PART = re.compile(rf"\bPart:{_GAP}(\d+){_GAP}/{_GAP}(\d+)[\s>]+([0-9A-Fa-f]{{8}})\b", re.IGNORECASE)
_NOT_B64 = re.compile(r"[^A-Za-z0-9_-]")
_HTML = re.compile(r"<\s*(br|p|div|pre|blockquote|span|html|body)\b", re.IGNORECASE)
_BREAK = re.compile(r"<\s*(br|/p|/div|/pre|/blockquote|/li|/tr)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def armour(code: bytes, deal: str) -> str:
    """One block holding the whole code."""
    return _block(deal, None, b64(code))


def armour_parts(code: bytes, deal: str, max_chars: int) -> list[str]:
    """The code as blocks of at most ``max_chars`` characters each (one block when it fits)."""
    whole = armour(code, deal)
    if len(whole) <= max_chars:
        return [whole]
    text, ident = b64(code), code_id(code)
    count = 2
    while True:
        # The budget left for b64 in a block headed "Part: <count>/<count> <id>".
        overhead = len(_block(deal, (count, count, ident), ""))
        room = _room(max_chars - overhead)
        if room <= 0:
            raise ValueError(f"{max_chars} characters cannot hold a part of an update code")
        if count * room >= len(text):
            step = -(-len(text) // count)
            slices = [text[i * step : (i + 1) * step] for i in range(count)]
            return [_block(deal, (i + 1, count, ident), part) for i, part in enumerate(slices)]
        count += 1


def _room(chars: int) -> int:
    """How many b64 characters fit in ``chars`` characters of 64-character lines with newlines."""
    lines, rest = divmod(chars, LINE_CHARS + 1)
    return lines * LINE_CHARS + max(0, rest - 1)


def _block(deal: str, part: tuple[int, int, str] | None, text: str) -> str:
    lines = [BEGIN, f"Deal: {deal}"]
    if part is not None:
        lines.append(f"Part: {part[0]}/{part[1]} {part[2]}")
    lines += [text[i : i + LINE_CHARS] for i in range(0, len(text), LINE_CHARS)]
    lines.append(END)
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Found:
    """One code found in a text, or why one could not be put together.

    ``deal`` is what the armour says, unchecked; ``line`` the 1-based line of its (first) BEGIN.
    """

    deal: str | None
    line: int
    code: bytes | None = None
    problem: str | None = None


@dataclass(frozen=True)
class _Block:
    deal: str | None
    line: int
    part: tuple[int, int, str] | None
    text: str


def parse_armour(text: str) -> list[Found]:
    """Every code in ``text`` (a mail, a quoted reply, a page of HTML mail, a downloaded file)."""
    if _HTML.search(text):
        text = _TAG.sub("", _BREAK.sub("\n", text))
    text = html.unescape(text).replace("\r\n", "\n").replace("\r", "\n")
    whole: list[Found] = []
    parts: dict[str, list[_Block]] = {}
    for block in _blocks(text):
        if block.part is None:
            whole.append(_decoded(block.deal, block.line, block.text))
        else:
            parts.setdefault(block.part[2], []).append(block)
    joined = [_joined(ident, blocks) for ident, blocks in parts.items()]
    return sorted(whole + joined, key=lambda found: found.line)


def _blocks(text: str) -> list[_Block]:
    blocks = []
    position = 0
    while begin := _BEGIN.search(text, position):
        end = _END.search(text, begin.end())
        next_begin = _BEGIN.search(text, begin.end())
        line = text.count("\n", 0, begin.start()) + 1
        if end is None or (next_begin and next_begin.start() < end.start()):
            blocks.append(_Block(None, line, None, ""))  # its END never came: cut short
            position = begin.end()
            continue
        inside = text[begin.end() : end.start()]
        deal = _DEAL.search(inside)
        part = _PART.search(inside)
        for match in (part, deal):  # headers' own letters are not part of the code
            if match:
                inside = inside[: match.start()] + " " + inside[match.end() :]
        number = (int(part[1]), int(part[2]), part[3].lower()) if part else None
        blocks.append(_Block(deal[1] if deal else None, line, number, _NOT_B64.sub("", inside)))
        position = end.end()
    return blocks


def _decoded(deal: str | None, line: int, text: str) -> Found:
    try:
        if not text or len(text) % 4 == 1:
            raise ValueError
        return Found(deal, line, code=unb64(text))
    except ValueError:
        return Found(deal, line, problem=f"the update code at line {line} is cut short or damaged")


def _joined(ident: str, blocks: list[_Block]) -> Found:
    first = min(blocks, key=lambda block: block.line)
    total = first.part[1] if first.part else 1
    by_number: dict[int, _Block] = {}
    for block in sorted(blocks, key=lambda block: block.line):
        if block.part and block.part[1] == total:
            by_number.setdefault(block.part[0], block)  # a part quoted again in a reply counts once
    missing = [n for n in range(1, total + 1) if n not in by_number]
    if missing:
        have = ", ".join(str(n) for n in sorted(by_number)) or "none"
        lacking = " and ".join(str(n) for n in missing)
        return Found(
            first.deal,
            first.line,
            problem=f"update {ident} (line {first.line}) is in {total} parts: part {lacking} "
            f"of {total} is missing (found {have}); add the mail holding it",
        )
    found = _decoded(first.deal, first.line, "".join(by_number[n].text for n in range(1, total + 1)))
    if found.code is not None and code_id(found.code) != ident:
        return Found(
            first.deal,
            first.line,
            problem=f"the parts of update {ident} (line {first.line}) do not join: one is damaged",
        )
    return found
