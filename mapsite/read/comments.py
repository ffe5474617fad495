"""Values a YAML comment cut short: ``name: Round #2 trial`` reads as ``name: Round``.

In YAML a ``#`` after a space starts a comment, also in the middle of an unquoted value, so the
rest of the rep's text silently disappears from the portal. Comments are legitimate, though
(``due: 2027-03-01  # moved after the board meeting``), so this is a heuristic, applied to an
unquoted value followed by a comment on its own line. It flags the comment as probably part of
the text when:

- the ``#`` is directly followed by a digit: ``Round #2``, ``Item #3 of 5``, ``Bid #2 review``;
- or the value is a name or title field (``name``, ``title``, ``task``, ...) and the ``#`` is
  directly followed by a letter: ``name: Launch #kickoff``.

It misses a number written after a space (``name: Round # 2``), a hashtag in a field that is no
name (``notes: ask in #legal``), and any comment inside ``{...}`` (that one usually hides the
closing bracket, a syntax error with its own explanation). A comment written as ``# text``, with
a space after the ``#``, is never flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

TITLE_FIELDS = frozenset({"name", "title", "task", "risk", "metric", "label", "phase"})


@dataclass(frozen=True)
class CutText:
    """An unquoted value that a comment probably cut: what YAML kept and what it dropped."""

    line: int  # 1-based, in the YAML text
    key: str | None  # None for a list item
    kept: str
    dropped: str  # the comment without its '#'

    @property
    def whole(self) -> str:
        return f"{self.kept} #{self.dropped}"

    @property
    def quoted(self) -> str:
        """How the rep keeps the whole text: the same line with the value in quotes."""
        whole = self.whole
        if '"' in whole and "'" not in whole:
            value = f"'{whole}'"
        else:
            value = '"' + whole.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return f"{self.key}: {value}" if self.key is not None else f"- {value}"


def cut_text(rest: str, key: object, kept: str, line: int) -> CutText | None:
    """``rest`` is the text of the line after a plain value; a CutText when its comment looks like
    the end of the value (see the module docstring), else None."""
    if not rest[:1].isspace():
        return None
    comment = rest.lstrip(" \t")
    if not comment.startswith("#") or len(comment) < 2:
        return None
    first = comment[1]
    field = key if isinstance(key, str) else None
    if first.isdigit() or (first.isalpha() and field in TITLE_FIELDS):
        return CutText(line, field, kept, comment[1:].rstrip())
    return None
