"""The difference between a build and a target, in the order that keeps the site whole.

New and changed files go up before the pages that reference them (pages are the last files of
each deal, the shared landing and 404 pages last of all), and nothing is deleted until every
upload has landed. A reader in the middle of a deploy therefore sees old or new portals,
never a page whose assets are missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from mapsite.write.manifest import FileEntry

DEFAULT_MAX_DELETES = 256
# Why a file the target has goes again: its bytes or its headers differ from the build's, or the
# target's state does not vouch for it (a deploy was cut short, or the file was changed by hand).
UpdateReason = Literal["content", "headers", "unverified"]


@dataclass(frozen=True)
class Update:
    entry: FileEntry
    reason: UpdateReason


@dataclass
class DeployPlan:
    uploads: list[FileEntry] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)
    unchanged: int = 0
    # The target holds files but no state mapsite can read: they were not published by this site.
    untracked: bool = False
    # Earlier commits a git branch holds that this deploy takes out of it (history: single); a
    # build with no changed file still replaces them, or an old history would stay public.
    dropped_commits: int = 0

    @property
    def transfers(self) -> list[FileEntry]:
        """Every file to send, in publishing order."""
        entries = [*self.uploads, *(update.entry for update in self.updates)]
        return sorted(entries, key=lambda entry: (publish_phase(entry.path), entry.path))

    @property
    def bytes_to_send(self) -> int:
        return sum(entry.size for entry in self.transfers)

    @property
    def is_empty(self) -> bool:
        return not (self.uploads or self.updates or self.deletes or self.dropped_commits)

    @property
    def changed_paths(self) -> list[str]:
        """Paths whose old version a CDN may still cache: updated and deleted ones."""
        return sorted([update.entry.path for update in self.updates] + self.deletes)


def publish_phase(path: str) -> int:
    """0 for files pages refer to, 1 for a deal's pages, 2 for the site's shared pages."""
    if not path.endswith(".html"):
        return 0
    return 1 if "/" in path else 2


def diff(local: Mapping[str, FileEntry], remote: Mapping[str, FileEntry | None]) -> DeployPlan:
    """Compare a build with a target's files; a remote entry of None is a file of unknown content."""
    plan = DeployPlan()
    for path, entry in local.items():
        if path not in remote:
            plan.uploads.append(entry)
            continue
        known = remote[path]
        reason = "unverified" if known is None else entry.difference(known)
        if reason is None:
            plan.unchanged += 1
        else:
            plan.updates.append(Update(entry, reason))
    plan.deletes = sorted(path for path in remote if path not in local)
    return plan
