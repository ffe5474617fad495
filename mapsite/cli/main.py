"""The ``mapsite`` command: the group and every command registered on it.

One module per command family (build and check, new deals, edits, diff, archive, deploy, plan,
exchange, status, list, open, share, serve), each a thin layer: parse options, call one function
of the stages, print.

A command module imports the stages it calls inside the command, not at the top: every run of
``mapsite`` loads every command module to list them, and importing the build, the preview
server (tornado) and the deploy targets (boto3, paramiko) for ``--help`` took 0.46 s here
against 0.13 s now.
"""

from __future__ import annotations

# Importing a command module registers its commands on ``main``: nothing else uses the names.
from mapsite.cli import (  # noqa: F401
    archive,
    build,
    deploy,
    diff,
    edit,
    exchange,
    listing,
    new,
    opening,
    plan,
    serve,
    share,
    status,
)
from mapsite.cli.app import main

__all__ = ["main"]
