"""Placeholders a blueprint or an import left in a deal, found before the buyer reads them.

``mapsite new`` writes a plan full of prompts for the rep: stakeholders called
"Champion (name)", a value summary starting "[Replace with 2-3 sentences ...]", success
metrics "[target]", a title "VP ...". An import adds "(name)" for owners given by role. The deal
is valid with all of them, so without this nothing would stop "[key metric]" reaching the
buyer. Every one still in the published text is a warning at its line, one per line.

What counts: "(name)"; a bracketed phrase "[...]" of two or more characters that is not a
Markdown link (``[text](url)``, ``[text][ref]``, ``[ref]: url``), in any text field or the body;
a person's name or title ending in "..." or "…". What is not read: YAML comments and HTML
comments (``<!-- -->``), which never reach the portal, and fenced code in the body. A
placeholder in a folded (``>``) multi-line field is reported at its field's first line.
"""

from __future__ import annotations

import re

from mapsite.read.fields import FieldReader
from mapsite.read.yaml import YamlList, YamlMap

PLACEHOLDER = re.compile(r"\(name\)|\[(?!\^)[^\[\]]{2,300}\](?![(\[:])", re.IGNORECASE)
TRAILING_DOTS = re.compile(r"\s(?:\.\.\.|…)\s*$")
DOTTED_KEYS = ("name", "title")  # a person's name or job title: "VP ..." is unfinished
HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
FENCE = re.compile(r"^(```|~~~).*?^\1", re.DOTALL | re.MULTILINE)
SHOWN = 40  # characters of a long placeholder quoted in the warning


def warn_placeholders(data: YamlMap, body: str, body_line: int, reader: FieldReader) -> None:
    """One warning for each line of the deal file that still holds a placeholder."""
    found: dict[int, list[str]] = {}
    for line, key, text in _strings(data):
        for match in PLACEHOLDER.finditer(text) if "[" in text or "(" in text else ():
            at = line + 1 + text.count("\n", 0, match.start()) if "\n" in text else line
            found.setdefault(at, []).append(match.group())
        if key in DOTTED_KEYS and TRAILING_DOTS.search(text):
            found.setdefault(line, []).append(text.strip())
    visible = FENCE.sub(_blank, HTML_COMMENT.sub(_blank, body))
    for match in PLACEHOLDER.finditer(visible):
        at = body_line + visible.count("\n", 0, match.start()) - reader.line_offset
        found.setdefault(at, []).append(match.group())
    for line, texts in sorted(found.items()):
        shown = ", ".join(f'"{_short(text)}"' for text in dict.fromkeys(texts))
        reader.warning(
            line,
            f"placeholder{'s' * (len(texts) != 1)} still in the plan: {shown}",
            "write the real text (or delete it): the buyer sees the portal as it is written",
        )


def _strings(data: YamlMap) -> list[tuple[int, str | None, str]]:
    """Every text of the frontmatter with the line of its key or list item (YAML-relative), in
    file order. A stack, not recursive generators: every value of every deal passes through it,
    and those re-yielded each text once per level above it (with the bracket check below, 0.33
    ms a bench deal before, 0.24 now)."""
    found: list[tuple[int, str | None, str]] = []
    stack: list[tuple[object, str | None, int]] = [(data, None, 1)]
    while stack:
        value, key, line = stack.pop()
        if isinstance(value, str):  # most values: asked first
            found.append((line, key, value))
        elif isinstance(value, YamlMap):
            children = [(child, str(name), value.line_of(name)) for name, child in value.items()]
            stack.extend(reversed(children))
        elif isinstance(value, YamlList):
            stack.extend(reversed([(child, key, value.line_of(index)) for index, child in enumerate(value)]))
    return found


def _blank(match: re.Match[str]) -> str:
    """Hidden text replaced by its line breaks, so what follows keeps its line."""
    return "\n" * match.group().count("\n")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"
