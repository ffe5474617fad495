"""Deploying to a plain file store (a folder, an SFTP server, an S3 bucket) in a crash-safe way.

Such a target can list its files and sizes, but not say what is in them or which headers they
carry; that comes from the sealed state kept on the target (see ``state``). Before anything
changes, the state is rewritten without the entries about to change, so a deploy killed half-way
leaves those files "unverified" and the next deploy sends them again instead of trusting a
description that no longer holds. The full state is written only after the last deletion.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from mapsite.deploy.plan import DeployPlan, diff
from mapsite.deploy.state import STATE_NAME, open_state, seal_state
from mapsite.write.manifest import FileEntry

SendProgress = Callable[[str, int], None]
TEMP_MARK = ".mapsite-tmp-"


def temporary_name(path: str, token: str) -> str:
    """The name a file is uploaded under before it is renamed into place."""
    folder, _, name = path.rpartition("/")
    temp = f".{name}{TEMP_MARK}{token}"
    return f"{folder}/{temp}" if folder else temp


def is_listed(relpath: str) -> bool:
    """Hidden files on a target (.htaccess, .well-known/) are the host's, except our leftovers."""
    parts = relpath.split("/")
    return not any(part.startswith(".") for part in parts) or TEMP_MARK in parts[-1]


class FileStore(Protocol):
    @property
    def location(self) -> str:
        """Where the files go, as the terminal may print it (never a credential)."""
        ...

    def list_files(self) -> dict[str, int]:
        """Path -> size of every listed file (see ``is_listed``), the state file excluded."""
        ...

    def read(self, path: str) -> bytes | None: ...

    def write(self, path: str, data: bytes) -> None:
        """Store a small file atomically."""
        ...

    def put(self, entry: FileEntry, source: Path) -> None:
        """Publish one file atomically: readers see the old or the new version, never a part."""
        ...

    def delete(self, paths: list[str]) -> None: ...

    def close(self) -> None: ...


@dataclass
class StoreTarget:
    """The deploy steps shared by every file store."""

    store: FileStore
    site_secret: bytes
    known: dict[str, FileEntry] | None = None

    @property
    def location(self) -> str:
        return self.store.location

    def plan(self, local: dict[str, FileEntry]) -> DeployPlan:
        listing = self.store.list_files()
        self.known = open_state(self.store.read(STATE_NAME), self.site_secret)
        remote: dict[str, FileEntry | None] = {}
        for path, size in listing.items():
            entry = (self.known or {}).get(path)
            remote[path] = entry if entry is not None and entry.size == size else None
        plan = diff(local, remote)
        plan.untracked = self.known is None and bool(listing)
        return plan

    def publish(
        self, plan: DeployPlan, local: dict[str, FileEntry], out: Path, progress: SendProgress
    ) -> None:
        if plan.is_empty:
            return
        touched = {entry.path for entry in plan.transfers} | set(plan.deletes)
        before = {path: entry for path, entry in (self.known or {}).items() if path not in touched}
        self.store.write(STATE_NAME, seal_state(before, self.site_secret))
        for entry in plan.transfers:
            self.store.put(entry, out / entry.path)
            progress(entry.path, entry.size)
        for start in range(0, len(plan.deletes), 1000):
            batch = plan.deletes[start : start + 1000]
            self.store.delete(batch)
            for path in batch:
                progress(path, 0)
        self.store.write(STATE_NAME, seal_state(local, self.site_secret))

    def close(self) -> None:
        self.store.close()
