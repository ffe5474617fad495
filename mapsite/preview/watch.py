"""Watching the site's sources with watchdog, turning editor noise into one batch of changes.

Editors save in bursts (write a temp file, rename it over the original, touch it again); the
batch is handed over only after the files have been quiet for a moment, so one save is one
rebuild.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

QUIET_SECONDS = 0.1
MAX_WAIT_SECONDS = 1.0
IGNORED_SUFFIXES = (".swp", ".swx", ".tmp", "~", ".pyc")
IGNORED_EVENTS = ("opened", "closed_no_write")


def ignored(path: Path) -> bool:
    name = path.name
    return name.startswith((".#", "#")) or name.endswith(IGNORED_SUFFIXES) or "__pycache__" in path.parts


class BatchingWatcher(FileSystemEventHandler):
    """Collects changed paths and calls ``on_batch(paths)`` from one thread, never overlapping."""

    def __init__(self, folders: list[Path], files: list[Path], on_batch: Callable[[set[Path]], None]):
        self.on_batch = on_batch
        self.pending: set[Path] = set()
        self.first_event = 0.0
        self.last_event = 0.0
        self.condition = threading.Condition()
        self.stopping = False
        self.files = {f.resolve() for f in files}
        self.folders = [f.resolve() for f in folders if f.is_dir()]
        self.observer = Observer()
        for folder in self.folders:
            self.observer.schedule(self, str(folder), recursive=True)
        for parent in {f.parent for f in self.files}:
            self.observer.schedule(self, str(parent), recursive=False)
        self.worker = threading.Thread(target=self._run, name="mapsite-rebuild", daemon=True)

    def start(self) -> None:
        self.observer.start()
        self.worker.start()

    def stop(self) -> None:
        with self.condition:
            self.stopping = True
            self.condition.notify()
        self.observer.stop()
        self.observer.join(timeout=5)
        self.worker.join(timeout=10)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in IGNORED_EVENTS or (event.is_directory and event.event_type == "modified"):
            return
        paths = [Path(str(event.src_path))]
        if getattr(event, "dest_path", None):
            paths.append(Path(str(event.dest_path)))
        relevant = {p for p in paths if not ignored(p) and self._watched(p)}
        if not relevant:
            return
        with self.condition:
            now = time.monotonic()
            if not self.pending:
                self.first_event = now
            self.pending |= relevant
            self.last_event = now
            self.condition.notify()

    def _watched(self, path: Path) -> bool:
        """Files in the watched folders, and the single files (mapsite.yml) watched on their own."""
        resolved = path.resolve()
        return resolved in self.files or any(resolved.is_relative_to(f) for f in self.folders)

    def _run(self) -> None:
        while True:
            with self.condition:
                while not self.pending and not self.stopping:
                    self.condition.wait()
                if self.stopping:
                    return
                # Wait for the burst to end, but never longer than MAX_WAIT_SECONDS in all.
                while True:
                    now = time.monotonic()
                    quiet_left = self.last_event + QUIET_SECONDS - now
                    if quiet_left <= 0 or now - self.first_event > MAX_WAIT_SECONDS or self.stopping:
                        break
                    self.condition.wait(quiet_left)
                batch, self.pending = self.pending, set()
            if batch and not self.stopping:
                self.on_batch(batch)
