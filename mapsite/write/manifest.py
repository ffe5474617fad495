"""What a build is made of: every published file with its size, hash and HTTP headers.

Headers are part of a file's identity on a host: changing a cache rule must re-upload the
objects it touches even though their bytes are the same.
"""

from __future__ import annotations

import fnmatch
import hashlib
import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal


@dataclass(frozen=True)
class HeaderRule:
    """Headers for every path matching ``pattern`` (shell-style, ``*`` crosses folders)."""

    pattern: str
    cache_control: str | None = None
    content_type: str | None = None


# Fixed here rather than taken from the system's mime.types, so every machine uploads the same.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".pdf": "application/pdf",
    ".ics": "text/calendar; charset=utf-8",
    ".bin": "application/octet-stream",
}
# Theme and brand assets carry a content hash in their names, so they can be cached for a year;
# everything else (pages, encrypted file blobs) keeps its name when it changes.
DEFAULT_RULES = (
    HeaderRule("assets/*", cache_control="public, max-age=31536000, immutable"),
    HeaderRule("*", cache_control="public, max-age=60, must-revalidate"),
)
CHUNK = 1 << 20


@dataclass(frozen=True)
class FileEntry:
    path: str
    size: int
    sha256: str
    content_type: str
    cache_control: str

    def difference(self, other: FileEntry) -> Literal["content", "headers"] | None:
        """Why ``other`` (on the target) must be replaced by this file, or None if it need not."""
        if (self.size, self.sha256) != (other.size, other.sha256):
            return "content"
        if (self.content_type, self.cache_control) != (other.content_type, other.cache_control):
            return "headers"
        return None


def headers_for(path: str, rules: tuple[HeaderRule, ...]) -> tuple[str, str]:
    """(Content-Type, Cache-Control); the first matching rule that sets a header wins."""
    content_type = cache_control = None
    for rule in (*rules, *DEFAULT_RULES):
        if not fnmatch.fnmatchcase(path, rule.pattern):
            continue
        content_type = content_type or rule.content_type
        cache_control = cache_control or rule.cache_control
    suffix = os.path.splitext(path)[1].lower()
    guessed = CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    return content_type or guessed, cache_control or ""


def is_published(relpath: str) -> bool:
    """Dot-files (the build marker, leftovers of an interrupted write) never leave the machine."""
    return not any(part.startswith(".") for part in relpath.split("/"))


def local_manifest(out: Path, rules: tuple[HeaderRule, ...] = ()) -> dict[str, FileEntry]:
    entries = {}
    for folder, dirs, files in os.walk(out):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            full = Path(folder, name)
            relpath = full.relative_to(out).as_posix()
            if not is_published(relpath) or full.is_symlink():
                continue
            digest, size = file_digest(full)
            content_type, cache_control = headers_for(relpath, rules)
            entries[relpath] = FileEntry(relpath, size, digest, content_type, cache_control)
    return entries


def file_digest(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
