"""The ASCII armour an update code travels in by mail (docs/updates.md, "In a message").

Mail mangles text: replies quote it ("> "), clients re-wrap it at 72 columns, turn line ends
into CRLF, render it as HTML (tags, entities, added spaces) and split long messages. So the
reader here trusts only the BEGIN and END lines and two headers, and takes from the rest the
base64url characters alone; a code split into parts, one mail each, is joined by its parts' id
across all the texts given (the mails of a mailbox), and a missing part is named. Problems name
the text ("updates.mbox, message 2") and the line. This is the one reader of the armour: the
rep's inbox, the tests and the browser twin's tests all go through it. Whether the joined bytes
are a real code is for ``updates.open_code`` to say: the armour holds nothing secret and checks
nothing.
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
MAX_PARTS = 100  # a code split in more parts than this was not made by a portal

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
class Text:
    """One text to search and where it came from ("updates.mbox, message 2"), to name in problems."""

    where: str
    text: str


@dataclass(frozen=True)
class Found:
    """One code found in the texts, or why one could not be put together.

    ``deal`` is what the armour says, unchecked; ``where`` the text holding its (first) BEGIN and
    ``line`` that BEGIN's 1-based line in it; ``problem`` is a sentence naming both.
    """

    deal: str | None
    line: int
    code: bytes | None = None
    problem: str | None = None
    where: str = ""


@dataclass(frozen=True)
class _Block:
    deal: str | None
    where: str
    line: int
    part: tuple[int, int, str] | None
    text: str

    @property
    def place(self) -> str:
        return f"{self.where}, line {self.line}" if self.where else f"line {self.line}"

    @property
    def for_deal(self) -> str:
        return f" for deal '{self.deal}'" if self.deal else ""

    def problem(self, sentence: str) -> Found:
        return Found(self.deal, self.line, problem=f"{self.place}: {sentence}", where=self.where)


def parse_armour(text: str) -> list[Found]:
    """Every code in ``text`` (a mail, a quoted reply, a page of HTML mail, a downloaded file)."""
    return parse_texts([Text("", text)])


def parse_texts(texts: list[Text]) -> list[Found]:
    """Every code in ``texts`` (the mails of a mailbox, several files), in the order first seen.

    A code split into parts, one mail each, is joined across the texts; a code seen twice (the
    mail and a reply quoting it) counts once.
    """
    found: list[tuple[int, Found]] = []
    parts: dict[str, list[tuple[int, _Block]]] = {}
    for order, text in enumerate(texts):
        for block in _blocks(text):
            if isinstance(block, Found):
                found.append((order, block))
            elif block.part is None:
                found.append((order, _decoded(block, block.text)))
            else:
                parts.setdefault(block.part[2], []).append((order, block))
    found += [(blocks[0][0], _joined(ident, [b for _, b in blocks])) for ident, blocks in parts.items()]
    seen: set[bytes] = set()
    unique = []
    for _order, one in sorted(found, key=lambda pair: (pair[0], pair[1].line)):
        if one.code is None or one.code not in seen:
            unique.append(one)
            seen.add(one.code or b"")
    return unique


def _blocks(source: Text) -> list[_Block | Found]:
    """The armour blocks of one text, or the problem of each block that cannot be one."""
    text = source.text
    if _HTML.search(text):
        text = _TAG.sub("", _BREAK.sub("\n", text))
    text = html.unescape(text).replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[_Block | Found] = []
    position = 0
    while begin := _BEGIN.search(text, position):
        end = _END.search(text, begin.end())
        next_begin = _BEGIN.search(text, begin.end())
        line = text.count("\n", 0, begin.start()) + 1
        if end is None or (next_begin and next_begin.start() < end.start()):
            cut = _Block(None, source.where, line, None, "")  # its END never came
            blocks.append(cut.problem("the update code is cut short or damaged; ask for it again"))
            position = begin.end()
            continue
        blocks.append(_block_between(source.where, line, text[begin.end() : end.start()]))
        position = end.end()
    return blocks


def _block_between(where: str, line: int, inside: str) -> _Block | Found:
    deal = _DEAL.search(inside)
    part = _PART.search(inside)
    for match in sorted(filter(None, (part, deal)), key=lambda m: -m.start()):
        inside = inside[: match.start()] + " " + inside[match.end() :]  # headers are not code
    number = (int(part[1]), int(part[2]), part[3].lower()) if part else None
    block = _Block(deal[1].lower() if deal else None, where, line, number, _NOT_B64.sub("", inside))
    if deal is None:
        return block.problem("an update block has no 'Deal:' line; it was cut or changed on the way")
    if number and not 1 <= number[0] <= number[1] <= MAX_PARTS:
        return block.problem(
            f"an update block{block.for_deal} says it is part {number[0]} of {number[1]}, "
            "which no update has; it was changed on the way"
        )
    return block


def _decoded(block: _Block, text: str) -> Found:
    try:
        if not text or len(text) % 4 == 1:
            raise ValueError
        return Found(block.deal, block.line, code=unb64(text), where=block.where)
    except ValueError:
        return block.problem(f"the update code{block.for_deal} is cut short or damaged; ask for it again")


def _joined(ident: str, blocks: list[_Block]) -> Found:
    first = blocks[0]
    total = first.part[1] if first.part else 1
    by_number: dict[int, _Block] = {}
    for block in blocks:
        if block.part and block.part[1] == total:
            by_number.setdefault(block.part[0], block)  # a part quoted again in a reply counts once
    missing = [n for n in range(1, total + 1) if n not in by_number]
    if missing:
        have = " and ".join(str(n) for n in sorted(by_number))
        lacking = ", ".join(str(n) for n in missing)
        return first.problem(
            f"update {ident}{first.for_deal} is in {total} parts: part {lacking} of {total} "
            f"{'are' if len(missing) > 1 else 'is'} missing (found {have}); give every mail of it "
            "(one mbox or Maildir, or several files)"
        )
    found = _decoded(first, "".join(by_number[n].text for n in range(1, total + 1)))
    if found.code is not None and code_id(found.code) != ident:
        return first.problem(
            f"the {total} parts of update {ident}{first.for_deal} do not join into the code they "
            "name; one was changed or cut on the way"
        )
    return found
