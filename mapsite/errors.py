"""Findings and the one error type every command reports through.

A rep fixes a file by line number, so every problem mapsite finds carries the file, the line,
what is wrong and, where it helps, what to do about it. Commands collect findings instead of
stopping at the first, and the CLI prints them one per line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem in one input file, located as precisely as the input allows."""

    path: str
    line: int | None
    severity: Severity
    message: str
    hint: str | None = None

    @property
    def where(self) -> str:
        """``path:line``, the form editors link to (the path alone when no line applies)."""
        return f"{self.path}:{self.line}" if self.line else self.path

    def format(self) -> str:
        """Render as ``path:line: severity: message (hint: ...)``: the terminal's form, in plain text."""
        text = f"{self.where}: {self.severity}: {self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(finding.is_error for finding in findings)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Order by file then line so the output reads top to bottom like the files do."""
    return sorted(findings, key=lambda f: (f.path, f.line or 0, f.severity, f.message))


class MapsiteError(Exception):
    """A failure the user can act on; the CLI prints it without a traceback and exits 1."""

    def __init__(self, message: str, findings: Iterable[Finding] = (), hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.findings = sort_findings(findings)
        self.hint = hint
