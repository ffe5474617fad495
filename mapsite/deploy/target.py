"""One interface for every kind of host, and the factory that opens the configured one.

Each target type lives in its own module and is imported only when used, so a site that
deploys to a folder never loads boto3 or paramiko.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from mapsite.deploy.plan import DeployPlan
from mapsite.deploy.settings import TargetSettings
from mapsite.deploy.store import SendProgress
from mapsite.write.manifest import FileEntry

MODULES = {
    "folder": "mapsite.deploy.folder",
    "s3": "mapsite.deploy.s3",
    "sftp": "mapsite.deploy.sftp",
    "rsync": "mapsite.deploy.rsync",
    "git": "mapsite.deploy.git",
}


@dataclass(frozen=True)
class DeployContext:
    """What every target may need besides its settings: where the site and its build are."""

    site_dir: Path
    out: Path
    site_secret: bytes


class Target(Protocol):
    @property
    def location(self) -> str:
        """Where the site goes, as the terminal may print it (never a credential)."""
        ...

    def plan(self, local: dict[str, FileEntry]) -> DeployPlan:
        """Compare the build with what the target serves; connects, but changes nothing."""
        ...

    def publish(
        self, plan: DeployPlan, local: dict[str, FileEntry], out: Path, progress: SendProgress
    ) -> None:
        """Carry out ``plan``; ``progress`` is called once per file sent or deleted."""
        ...

    def close(self) -> None: ...


def open_target(settings: TargetSettings, context: DeployContext) -> Target:
    """Every target module exposes ``open_target(settings, context)``."""
    module = importlib.import_module(MODULES[settings.type])
    return module.open_target(settings, context)
