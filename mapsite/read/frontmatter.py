"""Reading one Markdown file with YAML frontmatter, keeping file line numbers.

This is the only place that touches the bytes of a content file, so encoding problems, a
missing frontmatter fence or unreadable YAML are reported here, each with its line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mapsite.errors import Finding
from mapsite.read.comments import CutText
from mapsite.read.yaml import YamlMap, YamlProblem, empty_map, read_yaml

MAX_FILE_BYTES = 5_000_000


@dataclass(frozen=True)
class Document:
    """A content file split in two: located frontmatter and the Markdown body after it."""

    path: Path
    display: str
    frontmatter: YamlMap
    body: str
    line_offset: int
    # Values a '#' probably cut short, lines relative to the frontmatter (see read/comments.py).
    cut_texts: tuple[CutText, ...] = ()
    body_line: int = 1  # the file line the body starts on


def read_document(path: Path, display: str, frontmatter_required: bool = True) -> Document | Finding:
    """Split ``path`` into frontmatter and body, or return the finding that explains why not."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return _too_large(display, size)
        raw = path.read_bytes()
    except OSError as exc:
        return Finding(display, None, "error", f"cannot read the file: {exc.strerror or exc}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return Finding(
            display,
            line,
            "error",
            f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            "save it as UTF-8 in your editor",
        )
    return document_from_text(text, path, display, frontmatter_required)


def document_from_text(
    text: str, path: Path, display: str, frontmatter_required: bool = True
) -> Document | Finding:
    """Split ``text``, which is (or would be) the file at ``path``, as ``read_document`` does:
    for an edit not yet written or an older version out of git, judged as the file would be."""
    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        return _too_large(display, size)
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return Finding(display, line, "error", "the file contains binary data (a NUL byte)")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines[0].strip() != "---":
        if not frontmatter_required:
            return Document(path, display, empty_map(), text, 0)
        return Finding(
            display,
            1,
            "error",
            "the file does not start with YAML frontmatter",
            "begin the file with a line '---', the fields, then another line '---'",
        )
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    except StopIteration:
        return Finding(
            display,
            1,
            "error",
            "the frontmatter is never closed",
            "add a line '---' after the last field, before the Markdown text",
        )
    yaml_text = "\n".join(lines[1:end])
    try:
        parsed = read_yaml(yaml_text)
    except YamlProblem as problem:
        return Finding(display, problem.line + 1, "error", problem.message, problem.hint)
    data = parsed.value
    if data is None:
        data = empty_map()
    if not isinstance(data, YamlMap):
        return Finding(display, 2, "error", "the frontmatter must be a mapping of fields (name: value)")
    body = "\n".join(lines[end + 1 :])
    return Document(path, display, data, body, 1, parsed.cut_texts, body_line=end + 2)


def _too_large(display: str, size: int) -> Finding:
    return Finding(
        display, 1, "error", f"the file is {size / 1_000_000:.1f} MB; a deal file may be at most 5 MB"
    )
