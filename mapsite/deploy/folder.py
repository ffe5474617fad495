"""Deploying to a local or mounted folder (a web server's root, a network share)."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from mapsite.deploy.failures import file_errors
from mapsite.deploy.settings import TargetSettings
from mapsite.deploy.store import StoreTarget, is_listed, temporary_name
from mapsite.deploy.target import DeployContext
from mapsite.errors import MapsiteError
from mapsite.paths import safe_relpath
from mapsite.write.manifest import FileEntry


@dataclass
class FolderStore:
    root: Path

    @property
    def location(self) -> str:
        return str(self.root)

    def list_files(self) -> dict[str, int]:
        if not self.root.exists():
            return {}
        if not self.root.is_dir():
            raise MapsiteError(f"the deploy folder {self.root} is a file", hint="point 'path' at a folder")
        files = {}
        with file_errors(self.root):
            for folder, dirs, names in os.walk(self.root):
                dirs.sort()
                for name in names:
                    relpath = Path(folder, name).relative_to(self.root).as_posix()
                    if is_listed(relpath):
                        files[relpath] = Path(folder, name).lstat().st_size
        return files

    def read(self, path: str) -> bytes | None:
        target = self._path(path)
        with file_errors(target):
            try:
                return target.read_bytes()
            except FileNotFoundError:
                return None

    def write(self, path: str, data: bytes) -> None:
        target = self._path(path)
        with file_errors(target):
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.parent / temporary_name(target.name, str(os.getpid()))
            temporary.write_bytes(data)
            os.replace(temporary, target)

    def put(self, entry: FileEntry, source: Path) -> None:
        target = self._path(entry.path)
        with file_errors(target):
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.parent / temporary_name(target.name, str(os.getpid()))
            shutil.copyfile(source, temporary)
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)

    def delete(self, paths: list[str]) -> None:
        for path in paths:
            target = self._path(path)
            with file_errors(target):
                target.unlink(missing_ok=True)
                self._prune(target.parent)

    def close(self) -> None:
        """Nothing stays open between calls."""

    def _prune(self, folder: Path) -> None:
        """Remove folders a deleted deal leaves empty, up to (not including) the root."""
        while folder != self.root and self.root in folder.parents:
            try:
                folder.rmdir()
            except OSError:
                return
            folder = folder.parent

    def _path(self, path: str) -> Path:
        relpath = safe_relpath(path)
        if relpath is None or relpath != path:
            raise MapsiteError(f"refusing to touch '{path}': it is not a plain path inside the deploy folder")
        return self.root / relpath


def open_target(settings: TargetSettings, context: DeployContext) -> StoreTarget:
    return StoreTarget(FolderStore(settings.options["path"]), context.site_secret)
