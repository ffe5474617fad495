"""Path safety: every path taken from an input file is untrusted.

A deal file names logos, attachments and slugs; none of them may lead mapsite to read outside
the site or write outside ``output/``. These checks resolve symlinks before comparing.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path


def inside(candidate: Path, folder: Path) -> bool:
    """True when ``candidate`` (after resolving ``..`` and symlinks) lies within ``folder``."""
    try:
        resolved = candidate.resolve()
        base = folder.resolve()
    except (OSError, RuntimeError):
        return False
    return resolved == base or base in resolved.parents


def safe_relpath(text: str) -> str | None:
    """Normalise a relative path written in a deal, or None when it is absolute or climbs out."""
    if not text or "\x00" in text or "\\" in text:
        return None
    if text.startswith("/") or (len(text) > 1 and text[1] == ":"):
        return None
    parts = [part for part in text.split("/") if part not in ("", ".")]
    if not parts or any(part == ".." for part in parts):
        return None
    return "/".join(parts)


def relative_url(from_page: str, to_path: str) -> str:
    """A relative link from one output page to another output path, so sub-path hosting works.

    ``to_path`` ending in ``/`` (or empty, the site root) names a folder and keeps its slash.
    """
    start = posixpath.dirname(from_page) or "."
    target = to_path.rstrip("/") or "."
    link = _relpath(target, start)
    if to_path.endswith("/") or not to_path:
        return "./" if link == "." else link + "/"
    return link


def _relpath(target: str, start: str) -> str:
    """``posixpath.relpath`` for two paths under the same root, without its two ``os.getcwd()``
    calls (it makes both absolute first): a deal's page links to ~20 paths, and the syscalls were
    most of each link's cost."""
    from_parts = [part for part in posixpath.normpath(start).split("/") if part != "."]
    to_parts = [part for part in posixpath.normpath(target).split("/") if part != "."]
    if ".." in from_parts or ".." in to_parts:
        return posixpath.relpath(target, start)  # above the root: only the working folder can tell
    common = 0
    for ours, theirs in zip(from_parts, to_parts, strict=False):
        if ours != theirs:
            break
        common += 1
    return "/".join([".."] * (len(from_parts) - common) + to_parts[common:]) or "."


def site_display(path: Path, site_dir: Path) -> str:
    """The path as a rep would type it from the site folder (falls back to the full path)."""
    try:
        return str(path.relative_to(site_dir))
    except ValueError:
        return os.fspath(path)
