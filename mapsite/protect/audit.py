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

from mapsite.content.model import Deal
from mapsite.errors import Finding

MIN_TEXT = 6
MIN_SENTENCE = 24
FILE_WINDOW = 32
_MARKDOWN_NOISE = re.compile(r"[*_`#>\[\]()|]+")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?:;])\s+|\n+")


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
        for variant in {text, html.escape(text), html.escape(text, quote=False)}:
            key = variant.lower().encode("utf-8")
            needles.setdefault(key, Needle(deal.slug, f"{what} '{text}'", key))
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
    """Every needle found in a file's contents or path, one finding per (file, deal, what)."""
    if not needles:
        return []
    pattern = re.compile(b"|".join(re.escape(n.text) for n in sorted(needles, key=lambda n: -len(n.text))))
    by_text = {n.text: n for n in needles}
    findings = []
    for path, content in files:
        seen = set()
        for where, haystack in (("path", path.lower().encode()), ("contents", content.lower())):
            for match in pattern.finditer(haystack):
                needle = by_text[match.group()]
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


def audit_folder(out: Path, needles: list[Needle]) -> list[Finding]:
    files = ((p.relative_to(out).as_posix(), p.read_bytes()) for p in sorted(out.rglob("*")) if p.is_file())
    return audit(files, needles)
