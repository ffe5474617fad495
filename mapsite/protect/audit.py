"""The leak audit: no plaintext of a protected deal may appear anywhere in the output.

Collects the distinctive strings of each protected deal (names, emails, milestone names,
sentences, file names and file bytes) and looks for them in every output file's contents and
path. Build runs it on the pages in memory before anything is written; ``mapsite audit`` runs it
on a built folder.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import ahocorasick

from mapsite.content.model import Deal
from mapsite.errors import Finding

MIN_TEXT = 6
MIN_SENTENCE = 24
FILE_WINDOW = 32
# A needle is at most this long: a leaked sentence shows its beginning too, and the automaton
# of a thousand deals' full sentences would take hundreds of MB (its size grows with the text).
MAX_NEEDLE = 32
_MARKDOWN_NOISE = re.compile(r"[*_`#>\[\]()|]+")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?:;])\s+|\n+")
_BLOB = re.compile(r"/_files/[0-9a-f]{32}\.bin$")
_CIPHERTEXT_FIELDS = re.compile(rb'"(ct|iv|salt)":"[A-Za-z0-9_-]*"')


@dataclass(frozen=True)
class Needle:
    deal: str
    what: str
    text: bytes


def deal_needles(deal: Deal) -> list[Needle]:
    """What would betray this deal if it appeared in the output."""
    found: list[tuple[str, str]] = [("title", deal.title), ("buyer", deal.buyer.name)]
    if deal.partner:
        found.append(("partner", deal.partner.name))
    for person in deal.stakeholders:
        found.append(("stakeholder", person.name))
        if person.email:
            found.append(("email", person.email))
        if person.notes:
            found.append(("note", person.notes))
    for milestone in deal.milestones:
        found.append(("milestone", milestone.name))
        if milestone.notes:
            found.append(("note", milestone.notes))
    found += [("action", a.task) for a in deal.all_actions]
    found += [("risk", r.risk) for r in deal.risks] + [("mitigation", r.mitigation or "") for r in deal.risks]
    found += [("success criterion", c.metric) for c in deal.success_criteria]
    found += [("resource", r.title) for r in deal.resources]
    for page in deal.pages:
        found.append(("page title", page.title))
        found += [("page text", s) for s in _sentences(page.body)]
    found += [("value summary", s) for s in _sentences(deal.value_summary)]
    found += [("narrative", s) for s in _sentences(deal.body)]
    needles: dict[bytes, Needle] = {}
    for what, text in found:
        text = " ".join(text.split())
        if len(text) < MIN_TEXT:
            continue
        shown = text if len(text) <= MAX_NEEDLE else text[:MAX_NEEDLE] + "..."
        for variant in {text, html.escape(text), html.escape(text, quote=False)}:
            key = variant.lower().encode("utf-8")[:MAX_NEEDLE]
            needles.setdefault(key, Needle(deal.slug, f"{what} '{shown}'", key))
    for file in deal.files:
        stem = Path(file.relpath).stem.lower()
        if len(stem) >= MIN_TEXT:
            needles.setdefault(stem.encode(), Needle(deal.slug, f"file name '{file.relpath}'", stem.encode()))
        try:
            content = file.source.read_bytes()
        except OSError:
            continue
        for start in _windows(len(content)):
            window = content[start : start + FILE_WINDOW].lower()
            if len(window.strip()) >= 16:
                needles.setdefault(window, Needle(deal.slug, f"bytes of '{file.relpath}'", window))
    return list(needles.values())


def _sentences(markdown: str) -> list[str]:
    text = _MARKDOWN_NOISE.sub(" ", markdown or "")
    return [
        " ".join(part.split()) for part in _SENTENCE_SPLIT.split(text) if len(part.strip()) >= MIN_SENTENCE
    ]


def _windows(size: int) -> list[int]:
    if size <= FILE_WINDOW:
        return [0] if size else []
    return sorted({0, (size - FILE_WINDOW) // 2, size - FILE_WINDOW})


def audit(files: Iterable[tuple[str, bytes]], needles: list[Needle]) -> list[Finding]:
    """Every needle found in a file's contents or path, one finding per (file, deal, what).

    One Aho-Corasick pass per file keeps this linear in the size of the output however many
    deals a site has. Ciphertext is skipped (file blobs, the envelope's base64 fields): it holds
    no plaintext by construction, and random base64 would match short needles by chance.
    """
    if not needles:
        return []
    automaton = ahocorasick.Automaton()
    for needle in needles:
        automaton.add_word(needle.text.decode("latin-1"), needle)
    automaton.make_automaton()
    findings = []
    for path, content in files:
        seen = set()
        for where, haystack in (
            ("path", path.lower().encode()),
            ("contents", scannable(path, content).lower()),
        ):
            for _end, needle in automaton.iter(haystack.decode("latin-1")):
                if (needle.deal, needle.what) in seen:
                    continue
                seen.add((needle.deal, needle.what))
                findings.append(
                    Finding(
                        path,
                        None,
                        "error",
                        f"leak: the {where} show{'s' if where == 'path' else ''} the {needle.what} of "
                        f"protected deal '{needle.deal}'",
                        "do not publish this output; unless a file of yours causes it, report a mapsite bug",
                    )
                )
    return findings


def found_in(text: bytes, candidates: set[bytes]) -> set[bytes]:
    """Which ``candidates`` occur in ``text``: one pass, however many candidates there are."""
    if not candidates:
        return set()
    automaton = ahocorasick.Automaton()
    for candidate in candidates:
        automaton.add_word(candidate.decode("latin-1"), candidate)
    automaton.make_automaton()
    return {candidate for _end, candidate in automaton.iter(text.decode("latin-1"))}


def scannable(path: str, content: bytes) -> bytes:
    """What of a file the audit reads: all but ciphertext. Applying it twice changes nothing."""
    return b"" if _BLOB.search(path) else _CIPHERTEXT_FIELDS.sub(b'"\\1":""', content)


def audit_folder(out: Path, needles: list[Needle]) -> list[Finding]:
    files = ((p.relative_to(out).as_posix(), p.read_bytes()) for p in sorted(out.rglob("*")) if p.is_file())
    return audit(files, needles)
