"""Deploying with the system rsync over ssh: rsync compares by checksum and moves only what changed.

No state is kept on the server: each deploy asks rsync (``--dry-run --checksum``) what differs
between ``output/`` and the server's folder, so nothing there can go stale or be trusted wrongly.
``--exclude='.*'`` keeps the build marker home and puts the server's own dot-files (.htaccess,
.well-known/) out of reach of ``--delete``.

Publishing takes three rsync runs so readers always get whole portals: first every file except
the pages, then the pages (whose assets are by then in place), and only then the deletions.
rsync itself writes each file to a temporary name and renames it into place.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mapsite.deploy.plan import DeployPlan, Update
from mapsite.deploy.settings import TargetSettings
from mapsite.deploy.ssh import (
    SshDestination,
    authentication_failed,
    changed_host_key,
    unknown_host_key,
    unreachable,
)
from mapsite.deploy.store import SendProgress
from mapsite.deploy.target import DeployContext
from mapsite.errors import MapsiteError
from mapsite.write.manifest import FileEntry

COMPARE = ("--checksum", "--recursive", "--links", "--exclude=.*", "--itemize-changes")
PUBLISH = ("--chmod=D755,F644",)
DELETE_ONLY = ("--delete", "--existing", "--ignore-existing")
SSH_OPTIONS = ("-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=15")
DELETING = "*deleting  "
ESCAPE = re.compile(rb"\\#([0-7]{3})")
SSH_AUTH_REFUSED = re.compile(
    r"Permission denied \((publickey|password|keyboard-interactive|gssapi|hostbased)"
)
SSH_CONNECT = re.compile(r"^ssh: (?:connect to host (\S+ port \d+): )?(.+)$", re.M)


@dataclass(frozen=True)
class Item:
    """One line of rsync's ``--itemize-changes``: a file sent (new or changed) or deleted."""

    path: str
    change: Literal["new", "changed", "deleted"]


def parse_item(line: bytes) -> Item | None:
    """The file a line names, or None for folders, links and messages.

    rsync prints an 11-character change code, a space and the name, with unprintable bytes
    written as ``\\#ooo`` (all non-ASCII bytes, since rsync runs in the C locale here).
    """
    code = line[:11].decode("ascii", "replace")
    name = os.fsdecode(ESCAPE.sub(lambda match: bytes([int(match[1], 8)]), line[12:]))
    if not name or name.endswith("/"):
        return None
    if code == DELETING:
        return Item(name, "deleted")
    if code[0] in "<>" and code[1] == "f":
        return Item(name, "new" if code[2:] == "+" * 9 else "changed")
    return None


@dataclass
class RsyncTarget:
    destination: SshDestination
    out: Path

    @property
    def location(self) -> str:
        where = f"{self.destination.login}:{self.destination.path}"
        return f"{where} (port {self.destination.port})" if self.destination.port else where

    def plan(self, local: dict[str, FileEntry]) -> DeployPlan:
        plan = DeployPlan()
        for item in self._run(("--dry-run", "--delete"), self.out):
            if item.change == "deleted":
                plan.deletes.append(item.path)
            elif item.path in local and item.change == "new":
                plan.uploads.append(local[item.path])
            elif item.path in local:
                plan.updates.append(Update(local[item.path], "content"))
        plan.deletes.sort()
        plan.unchanged = len(local) - len(plan.uploads) - len(plan.updates)
        # A folder holding none of this build's files, only others, was never deployed to by this site.
        plan.untracked = bool(plan.deletes) and len(plan.uploads) == len(local)
        return plan

    def publish(
        self, plan: DeployPlan, local: dict[str, FileEntry], out: Path, progress: SendProgress
    ) -> None:
        pages = [entry for entry in plan.transfers if entry.path.endswith(".html")]
        passes = (
            (len(plan.transfers) > len(pages), (*PUBLISH, "--exclude=*.html")),
            (bool(pages), PUBLISH),
            (bool(plan.deletes), (*PUBLISH, *DELETE_ONLY)),
        )
        for needed, options in passes:
            if not needed:
                continue
            for item in self._run(options, out):
                progress(item.path, local[item.path].size if item.path in local else 0)

    def close(self) -> None:
        """Every rsync run has ended by the time its call returns."""

    def _run(self, options: tuple[str, ...], out: Path) -> Iterator[Item]:
        """Run rsync from ``out`` to the destination, yielding each file it sends or deletes."""
        command = ["rsync", *COMPARE, *options, "-e", self._ssh(), f"{out}/", self._remote()]
        with tempfile.TemporaryFile() as errors:
            try:
                process = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=errors,
                    env={**os.environ, "LC_ALL": "C"},  # English messages, escaped names: both parsed here
                )
            except FileNotFoundError:
                raise MapsiteError(
                    "rsync is not installed on this machine",
                    hint="install it (apt install rsync, brew install rsync), or deploy with type: sftp",
                ) from None
            with process:
                assert process.stdout is not None
                for line in process.stdout:
                    item = parse_item(line.rstrip(b"\n"))
                    if item is not None:
                        yield item
            if process.returncode != 0:
                errors.seek(0)
                raise rsync_failure(
                    process.returncode, errors.read().decode("utf-8", "replace"), self.destination
                )

    def _ssh(self) -> str:
        """The remote shell rsync starts: the user's ssh, never waiting for a password or a question."""
        words = ["ssh"]
        if self.destination.ssh_config:
            words += ["-F", str(self.destination.ssh_config)]
        if self.destination.port:
            words += ["-p", str(self.destination.port)]
        return shlex.join([*words, *SSH_OPTIONS])

    def _remote(self) -> str:
        return f"{self.destination.login}:{self.destination.path.rstrip('/')}/"


def rsync_failure(code: int, stderr: str, destination: SshDestination) -> MapsiteError:
    """rsync's exit code and messages (its own, ssh's and the server's) as one cause and a hint."""
    where = f"{destination.login}:{destination.path}"
    if "REMOTE HOST IDENTIFICATION HAS CHANGED" in stderr:
        return changed_host_key(destination)
    if "Host key verification failed" in stderr:
        return unknown_host_key(destination)
    if SSH_AUTH_REFUSED.search(stderr) or "Too many authentication failures" in stderr:
        return authentication_failed(destination)
    reason = SSH_CONNECT.search(stderr)
    if reason or code == 255:
        return unreachable(destination, _ssh_reason(reason) if reason else _first_line(stderr))
    if code == 127 or "command not found" in stderr or "rsync: not found" in stderr:
        return MapsiteError(
            f"{destination.host} has no rsync installed",
            hint="install rsync on the server, or deploy there with type: sftp",
        )
    if "No space left on device" in stderr:
        return MapsiteError(
            f"the disk holding {where} is full", hint="free some space there, then deploy again to finish"
        )
    if re.search(r"(Permission denied|Operation not permitted|Read-only file system) \(\d+\)", stderr):
        return MapsiteError(
            f"permission denied writing {where}",
            hint=f"let your ssh user on {destination.host} write there, or choose another destination path",
        )
    if re.search(r"mkdir .* failed: No such file or directory", stderr):
        return MapsiteError(
            f"cannot create {where}: its parent folder does not exist on {destination.host}",
            hint=f"create it with `{destination.ssh_command()} mkdir -p {shlex.quote(destination.path)}`",
        )
    if "Not a directory (20)" in stderr:
        return MapsiteError(
            f"{where} is a file where mapsite needs a folder", hint="choose another destination path"
        )
    return MapsiteError(
        f"rsync to {where} failed (exit code {code}): {_first_line(stderr)}",
        hint="run the deploy again; if it keeps failing, try rsync to that path by hand",
    )


def _ssh_reason(match: re.Match[str]) -> str:
    address, message = match[1], match[2].strip()
    return f"{address}: {message.lower()}" if address else message


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "no message")


def open_target(settings: TargetSettings, context: DeployContext) -> RsyncTarget:
    """rsync needs no site secret: it compares the server's files themselves, not a stored state."""
    return RsyncTarget(SshDestination.from_settings(settings), context.out)
