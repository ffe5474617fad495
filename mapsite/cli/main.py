"""The ``mapsite`` command: the group and every command registered on it.

One module per command family (build and check, new deals, deploy, plan, exchange, status,
share, serve), each a thin layer: parse options, call one function of the stages, print.
"""

from __future__ import annotations

from mapsite.cli import build, deploy, exchange, new, plan, serve, share, status
from mapsite.cli.app import main

COMMAND_MODULES = (build, deploy, exchange, new, plan, serve, share, status)

__all__ = ["COMMAND_MODULES", "main"]
