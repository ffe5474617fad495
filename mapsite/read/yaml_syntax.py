"""YAML syntax errors in a rep's words, at the line the mistake is on.

libyaml names the token it choked on, which is often a line after the mistake: a field without
its ``:`` is only found wrong when the next line starts, an unclosed quote at the end of the
text. It also names the mistake in parser terms ("did not find expected ',' or '}'"). A rep
edits these files by hand, so this module moves the line back to where the mistake is (the
context mark libyaml keeps for the key, quote or bracket it was reading) and explains the common
cases: a missing ``:``, a ``:`` or `` #`` inside ``{...}``, an unclosed quote or bracket, a value
that starts with a quote but goes on after it, a tab, a character that cannot start a value.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

_TABS = "YAML indents with spaces, not tabs"
_QUOTE_INSIDE = 'quote the whole value, e.g. {name: "Security review: legal"}'


@dataclass(frozen=True)
class Explained:
    """A syntax error as the rep should read it: 1-based line of the text, message and hint."""

    line: int
    message: str
    hint: str | None


def explain(exc: yaml.MarkedYAMLError, text: str) -> Explained:
    """The line and words for a libyaml syntax error in ``text``."""
    problem = exc.problem or "invalid YAML"
    problem_mark = exc.problem_mark or exc.context_mark
    line = problem_mark.line + 1 if problem_mark else 1
    context = exc.context_mark
    lines = text.split("\n")
    if "could not find expected ':'" in problem and context:
        return _missing_colon(lines, context.line)
    if "while scanning a quoted scalar" in (exc.context or "") and context:
        return Explained(
            context.line + 1,
            "YAML syntax error: a quote opened on this line is never closed",
            "end the value with the same quote it starts with; inside '...' write '' for a '",
        )
    if "while parsing a flow" in (exc.context or "") and context:
        return _flow(lines, context, line)
    written = _line(lines, line)
    if "\t" in written[: len(written) - len(written.lstrip())]:
        return Explained(line, "YAML syntax error: this line is indented with a tab", _TABS)
    generic = f"YAML syntax error: {problem}{f' {exc.context}' if exc.context else ''}"
    return Explained(line, generic, _hint(problem, written))


def _missing_colon(lines: list[str], index: int) -> Explained:
    written = _line(lines, index + 1).strip()
    shown = written if len(written) <= 40 else written[:39] + "…"
    return Explained(
        index + 1,
        f"YAML syntax error: '{shown}' has no ':' after its field name",
        "write it as field: value, with a space after the ':'",
    )


def _flow(lines: list[str], context: yaml.Mark, problem_line: int) -> Explained:
    """A ``{...}`` or ``[...]`` libyaml could not read, explained from the line that opens it.

    It may span lines; it is unclosed when it is still open at the end of the line libyaml
    stopped on (that line is then usually the next field, after the one missing its bracket).
    """
    opening = _line(lines, context.line + 1)
    bracket = opening[context.column : context.column + 1] or "{"
    closing = "}" if bracket == "{" else "]"
    inside = opening[context.column :]
    upto = "\n".join([inside, *lines[context.line + 1 : max(problem_line, context.line + 1)]])
    if not _closes(upto):
        return Explained(
            context.line + 1,
            f"YAML syntax error: the '{bracket}' on this line is never closed with '{closing}'",
            f"end it with '{closing}' on the same line, or quote a value that contains "
            f"'{bracket}' or '{closing}'",
        )
    if " #" in inside:
        return Explained(
            context.line + 1,
            f"YAML syntax error: ' #' inside {bracket}...{closing} starts a comment that hides "
            "the rest of the line",
            "quote the value that contains '#', e.g. {name: \"Round #2\"}",
        )
    return Explained(
        problem_line,
        f"YAML syntax error: a value inside {bracket}...{closing} contains ':' (or another "
        "character YAML reads as structure)",
        _QUOTE_INSIDE if bracket == "{" else 'quote that item, e.g. ["Phase 1: scope", legal]',
    )


def _closes(inside: str) -> bool:
    """Whether the bracket that opens ``inside`` closes on the same line (quotes skipped)."""
    depth = 0
    quote = ""
    for char in inside:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return True
    return False


def _hint(problem: str, written: str) -> str | None:
    if "mapping values are not allowed" in problem:
        return "a value containing ': ' must be quoted, e.g. notes: \"Risk: legal review\""
    if "found character '\\t'" in problem:
        return _TABS
    if "cannot start any token" in problem:
        return 'a value cannot start with @ or `: quote it, e.g. owner_note: "@dana to confirm"'
    if "did not find expected key" in problem and _quoted_then_more(written):
        return "a value that starts with a quote must end with it: quote the whole value, e.g. " + (
            "title: '\"Best\" plan'"
        )
    if (
        "could not find expected ':'" in problem
        or "expected <block end>" in problem
        or "did not find expected key" in problem
    ):
        return "check the indentation of this line and the one before it"
    return None


def _quoted_then_more(written: str) -> bool:
    _key, colon, value = written.partition(": ")
    value = value.strip() if colon else written.strip().removeprefix("- ")
    if not value or value[0] not in "'\"":
        return False
    end = value.find(value[0], 1)
    return end != -1 and value[end + 1 :].strip() != ""


def _line(lines: list[str], number: int) -> str:
    return lines[number - 1] if 0 < number <= len(lines) else ""
