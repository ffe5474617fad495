"""The ``mapsite`` command: the entry point, the group of every command.

One module per command family (build and check, new deals, edits, diff, archive, deploy, plan,
exchange, status, list, open, share, serve), each a thin layer: parse options, call one function
of the stages, print.

Nothing is imported here but the group: it finds each command in the table of
``mapsite.cli.commands`` and imports that command's module only when the command runs or shows
its help, and a command module imports the stages it calls inside the command. ``mapsite
--help`` once imported every command module, and with them the build, the preview server and
the deploy targets (0.46 s here); now it imports click and this package's base modules.
"""

from __future__ import annotations

from mapsite.cli.app import main

__all__ = ["main"]
