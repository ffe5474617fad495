"""Every ``mapsite`` command by name: the module that defines it and its one-line help.

``mapsite --help`` lists every command, and a run of ``mapsite build`` needs only one of them.
Importing all the command modules to find their names and help cost most of the start-up (each
pulls in click types, rich and the stages its options name), so the group reads this table
instead and imports a command's module only when that command runs or shows its own help.
``tests/cli/test_command_table.py`` checks that the table and the real commands agree.
"""

from __future__ import annotations

from typing import NamedTuple


class CommandEntry(NamedTuple):
    module: str  # under mapsite.cli
    summary: str  # the first paragraph of the command's help, which --help shortens to fit


COMMANDS: dict[str, CommandEntry] = {
    "answer": CommandEntry(
        "answer", "Answer entry N of a deal's discussion (a reader's question or comment)."
    ),
    "archive": CommandEntry("archive", "Take a won or lost deal off the published site."),
    "audit": CommandEntry(
        "build", "Scan a built output for any plaintext of a protected deal; exit 1 on a leak."
    ),
    "build": CommandEntry(
        "build", "Build every deal portal into output/, encrypted unless the deal is public."
    ),
    "check": CommandEntry("build", "Validate mapsite.yml and every deal; exit 1 if there are errors."),
    "deploy": CommandEntry(
        "deploy",
        "Build, audit and publish output/ to a target of mapsite.yml, sending only what changed.",
    ),
    "diff": CommandEntry(
        "diff",
        "What changed in a deal's plan: items done, dates moved, items and people added or removed.",
    ),
    "done": CommandEntry("edit", "Mark a milestone or an action done."),
    "export": CommandEntry(
        "exchange", "Write the plan of DEAL with resolved dates; passwords are never exported."
    ),
    "import": CommandEntry(
        "new", "Turn a spreadsheet MAP (.csv or .xlsx) into a new deal file that passes check."
    ),
    "inbox": CommandEntry("inbox", "Read update codes sent from the portals and show them against the plan."),
    "init": CommandEntry("new", "Create a new site in FOLDER with a sample deal."),
    "list": CommandEntry(
        "listing",
        "Every deal, one line each: file, slug, buyer, stage, close date and portal address.",
    ),
    "mark": CommandEntry(
        "edit",
        "Set a milestone's status: done, in_progress, pending, blocked, at_risk or skipped.",
    ),
    "move": CommandEntry("edit", "Move a milestone or an action to another due date."),
    "new": CommandEntry("new", "Start a deal for BUYER from a blueprint planned backwards from --close."),
    "open": CommandEntry(
        "opening",
        "Open DEAL's portal in the browser: the running preview's, else the published one.",
    ),
    "pdf": CommandEntry(
        "exchange", "Print a deal's plan to PDF with headless Chromium, as the portal prints."
    ),
    "plan": CommandEntry(
        "plan",
        "Print a deal's schedule from today: earliest finishes, slack and the critical path.",
    ),
    "recap": CommandEntry(
        "recap", "Email each stakeholder a recap of a deal's plan: done, moved, due next, overdue."
    ),
    "serve": CommandEntry(
        "serve", "Preview the site while you edit: rebuilds on save and reloads the browser."
    ),
    "share": CommandEntry(
        "share", "Make, show, list or revoke the links that open a deal without a password."
    ),
    "status": CommandEntry(
        "status",
        "One row per deal: progress, overdue items per side, projected close against target.",
    ),
    "views": CommandEntry(
        "views",
        "Who opened each deal: first and last open, visits and pages, per password or share link.",
    ),
}
