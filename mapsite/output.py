"""Writing pages into ``output/`` so that a reader never sees a half-written site.

A full build is written into a staging folder beside ``output/`` and swapped in with renames
once every page is on disk. ``--only`` swaps just the one deal's folder. Paths are checked one
last time here: nothing is ever written outside the output folder.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from mapsite.errors import MapsiteError
from mapsite.paths import safe_relpath
from mapsite.render.pages import Page

MARKER = ".mapsite-build.json"
SOURCE_FOLDERS = ("content", "themes", "assets")


def write_site(pages: Iterable[Page], out: Path, site_root: Path, info: dict) -> int:
    """Replace ``out`` with exactly ``pages``; returns the number of files written."""
    _check_target(out, site_root)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    retired = out.parent / f".{out.name}.old-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        count = _write_all(pages, staging)
        (staging / MARKER).write_text(json.dumps(info, sort_keys=True, indent=2) + "\n", "utf-8")
        if out.exists():
            out.rename(retired)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if retired.exists() and not out.exists():
            retired.rename(out)
        raise
    shutil.rmtree(retired, ignore_errors=True)
    return count


def write_deal(pages: Iterable[Page], slug: str, out: Path, site_root: Path, info: dict) -> int:
    """Swap in one deal's folder and refresh the shared files, leaving other deals untouched."""
    _check_target(out, site_root)
    pages = list(pages)
    deal_pages = [p for p in pages if p.deal == slug]
    shared = [p for p in pages if p.deal != slug]
    out.mkdir(parents=True, exist_ok=True)
    staging = out / f".staging-{slug}-{os.getpid()}"
    retired = out / f".old-{slug}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        count = 0
        for page in shared:
            target = _target(out, page.path)
            if not target.is_file() or target.read_bytes() != page.content:
                _write_atomic(target, page.content)
                count += 1
        prefix = f"{slug}/"
        count += _write_all([Page(p.path[len(prefix) :], p.content, p.deal) for p in deal_pages], staging)
        live = out / slug
        if live.exists():
            live.rename(retired)
        staging.rename(live)
        _write_atomic(out / MARKER, (json.dumps(info, sort_keys=True, indent=2) + "\n").encode())
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if retired.exists() and not (out / slug).exists():
            retired.rename(out / slug)
        raise
    shutil.rmtree(retired, ignore_errors=True)
    return count


def read_marker(out: Path) -> dict | None:
    try:
        return json.loads((out / MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return None


def _write_all(pages: Iterable[Page], folder: Path) -> int:
    count = 0
    folder.mkdir(parents=True)
    for page in pages:
        target = _target(folder, page.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page.content)
        count += 1
    return count


def _target(folder: Path, path: str) -> Path:
    relpath = safe_relpath(path)
    if relpath is None or relpath != path:
        raise MapsiteError(f"refusing to write '{path}': it is not a plain path inside the output folder")
    return folder / relpath


def _write_atomic(target: Path, content: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    temporary.write_bytes(content)
    os.replace(temporary, target)


def _check_target(out: Path, site_root: Path) -> None:
    """Refuse an output folder whose replacement would destroy the site or unrelated files."""
    out_resolved = out.resolve()
    root = site_root.resolve()
    if out_resolved == root or out_resolved in root.parents:
        raise MapsiteError(
            f"the output folder {out} contains the site itself; it would be replaced",
            hint="choose a folder such as output/ (the default)",
        )
    if root in out_resolved.parents and out_resolved.relative_to(root).parts[0] in SOURCE_FOLDERS:
        raise MapsiteError(f"the output folder {out} lies inside the site's sources", hint="use output/")
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and read_marker(out) is None)):
        raise MapsiteError(
            f"{out} exists and was not made by mapsite build; mapsite will not replace it",
            hint="choose another --out folder, or empty this one first",
        )
