"""How commands print: the two consoles, findings one per line, and a MapsiteError's message.

Kept apart from ``app`` (the group and its options) because rich is the heaviest import a
command's output needs and ``mapsite --help`` prints nothing through it: the group imports this
module only when a command runs, or when it has an error to report.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.text import Text

from mapsite.errors import Finding, MapsiteError

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def print_findings(findings: Iterable[Finding], console: Console = stdout) -> None:
    for finding in findings:
        style = "bold red" if finding.is_error else "yellow"
        line = Text(f"{finding.where}: ")
        line.append(finding.severity, style=style)
        line.append(f": {finding.message}")
        if finding.hint:
            line.append(f" (hint: {finding.hint})", style="dim")
        console.print(line)


def count_summary(findings: Iterable[Finding]) -> str:
    findings = list(findings)
    errors = sum(f.is_error for f in findings)
    warnings = len(findings) - errors
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def report_error(exc: MapsiteError) -> None:
    print_findings(exc.findings, stderr)
    message = Text("error: ", style="bold red")
    message.append(exc.message)
    if exc.hint:
        message.append(f" (hint: {exc.hint})", style="dim")
    stderr.print(message)


def report_crash(exc: Exception) -> None:
    stderr.print(
        Text(f"internal error: {type(exc).__name__}: {exc}", style="bold red"),
        Text("(this is a bug in mapsite; run again with MAPSITE_DEBUG=1 for details)"),
        sep="\n",
    )
