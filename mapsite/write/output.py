"""Writing pages into ``output/`` so that a reader never sees a half-written site.

A full build is written into a staging folder (in the site's ``.mapsite/``, see
``_work_folder``) and swapped in with renames once every page is on disk and audited. ``--only``
swaps just the one deal's folder. Paths are checked one last time here: nothing is ever written
outside the output folder, and no deal is ever placed where the site's own files live. A deal
folder called ``assets`` would merge into the shared theme files, or (with ``--only``) replace
them, ``unlock.js`` included; so the names the site publishes at its root are reserved, ``check``
refuses them as slugs, and this module refuses them once more, whatever let them through.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mapsite.atomic import write_atomic
from mapsite.errors import MapsiteError
from mapsite.layout import ASSET_DIR, MARKER, SOURCE_FOLDERS, STATE_DIR, reserved_slug
from mapsite.paths import safe_relpath
from mapsite.render.pages import Page


@dataclass(frozen=True)
class Staging:
    """Where a build writes before anything replaces what ``output/`` serves.

    A full build stages a whole site in ``_work_folder``; a one-deal (``--only``) build stages
    that deal inside it. ``parts`` holds each deal's folder, named by its position, until the
    build knows every slug is unique and places the folders under their slugs.
    """

    out: Path
    folder: Path
    only: str | None = None

    @property
    def parts(self) -> Path:
        return self.folder / ".parts"


def begin(out: Path, site_dir: Path, only: str | None = None) -> Staging:
    """A fresh, empty staging folder on the same file system as ``out`` (renames stay atomic)."""
    _check_target(out, site_dir)
    if only:
        out.mkdir(parents=True, exist_ok=True)
        folder = out / f".staging-{os.getpid()}"  # not named after ``only``: a rep typed that
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        folder = _work_folder(out, site_dir) / f".{out.name}.staging-{os.getpid()}"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / ".parts").mkdir(parents=True)
    return Staging(out, folder, only)


def _work_folder(out: Path, site_dir: Path) -> Path:
    """Where a full build stages the new site and leaves the one it replaced.

    In the site's ``.mapsite/`` when ``output/`` is a folder of the site: git ignores it, so a
    ``git add -A`` or ``git status`` right after a build never meets a copy of the site being
    deleted (the replaced one goes in the background), and the rep's folder shows only
    ``output/``. Beside the output folder otherwise, or when ``.mapsite/`` is a link or on
    another file system: the swap must stay two renames on one file system.
    """
    state = site_dir / STATE_DIR
    if out.parent.resolve() != site_dir.resolve() or state.is_symlink():
        return out.parent
    try:
        state.mkdir(exist_ok=True)
        if state.stat().st_dev == out.parent.stat().st_dev:
            return state
    except OSError:
        pass
    return out.parent


def discard(staging: Staging) -> None:
    shutil.rmtree(staging.folder, ignore_errors=True)


def finish_site(staging: Staging, deals: dict[str, int], shared: list[Page], info: dict) -> int:
    """Place each deal's part under its slug, add the shared pages, swap the site in.

    ``deals`` maps slugs to part numbers. Returns the number of shared files written.
    """
    out, folder = staging.out, staging.folder
    for slug in deals:
        _check_deal_folder(slug, shared)
    for slug, part in deals.items():
        (staging.parts / str(part)).rename(folder / slug)
    shutil.rmtree(staging.parts)  # the parts left are deals not placed (--keep-going)
    count = write_pages(shared, folder)
    (folder / MARKER).write_text(json.dumps(info, sort_keys=True, indent=2) + "\n", "utf-8")
    work = folder.parent
    retired = work / f".{out.name}.old-{os.getpid()}"
    shutil.rmtree(retired, ignore_errors=True)
    if out.exists():
        out.rename(retired)
    try:
        folder.rename(out)
    except BaseException:
        if retired.exists() and not out.exists():
            retired.rename(out)
        raise
    # And what a crashed build left, here or beside output/ (where earlier versions staged).
    retired_name = f".{glob.escape(out.name)}.old-*"
    _remove_later(sorted({*work.glob(retired_name), *out.parent.glob(retired_name)}))
    return count


# Run as ``python -I -S -c``: no site packages, no mapsite, so it starts in milliseconds. It
# forks and returns at once; the orphan that deletes belongs to init, so no process is left
# waiting to be reaped by the build (or by a long ``serve`` or test run that builds many times).
_REMOVE = """import os, shutil, sys
if os.fork():
    os._exit(0)
os.setsid()
for folder in sys.argv[1:]:
    shutil.rmtree(folder, ignore_errors=True)
"""


def _remove_later(folders: list[Path]) -> None:
    """Delete replaced output folders in a process of their own, so the build does not wait.

    The site is already swapped in; what is left is the previous one's files, and deleting is
    what a full build of many deals waited on most after rendering: 1.1 s for the ~880 files of
    200 deals on this project's machine (``rm -rf`` alike; ext4 on a virtual disk). Folders a
    crashed build left behind are removed too. If no process can be started, it is done here.
    """
    if not folders:
        return
    try:
        subprocess.run(
            [sys.executable, "-I", "-S", "-c", _REMOVE, *map(str, folders)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=30,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)


def finish_deal(staging: Staging, part: int, shared: list[Page], info: dict) -> int:
    """Swap in one deal's folder and refresh the shared files, leaving other deals untouched.

    Returns the number of shared files that changed.
    """
    out, slug = staging.out, staging.only
    assert slug is not None, "a one-deal staging knows its deal"
    _check_deal_folder(slug, shared)
    count = 0
    for page in shared:
        target = _target(out, page.path)
        if not target.is_file() or target.read_bytes() != page.content:
            write_atomic(target, page.content)
            count += 1
    live, retired = out / slug, out / f".old-{slug}-{os.getpid()}"
    shutil.rmtree(retired, ignore_errors=True)
    if live.exists():
        live.rename(retired)
    try:
        (staging.parts / str(part)).rename(live)
    except BaseException:
        if retired.exists() and not live.exists():
            retired.rename(live)
        raise
    write_atomic(out / MARKER, (json.dumps(info, sort_keys=True, indent=2) + "\n").encode())
    shutil.rmtree(retired, ignore_errors=True)
    discard(staging)
    return count


def read_deal(out: Path, slug: str, shared: list[Page]) -> list[Page] | None:
    """A deal's folder as ``out`` serves it now, read into memory.

    For ``build --keep-going``: a deal that could not be built keeps its previous portal. The
    caller checks that these bytes are exactly what an audit passed (and audits them again)
    before writing them into the staging folder, so what is kept is what was checked. None
    when there is nothing to keep.
    """
    _check_deal_folder(slug, shared)
    live = out / slug
    if live.is_symlink() or not live.is_dir():
        return None
    pages = []
    for path in sorted(live.rglob("*")):
        if path.is_symlink():
            return None  # mapsite never writes links: this folder was changed by other means
        if path.is_file():
            pages.append(Page(path.relative_to(out).as_posix(), path.read_bytes()))
    return pages


def read_assets(out: Path, shared: list[Page]) -> list[Page]:
    """The site-wide files under ``assets/`` that ``out`` serves now and ``shared`` lacks.

    For ``build --keep-going``: a kept portal links to the hashed assets of the build that made
    it (its unlock script, stylesheet, logos), which this build may not publish (no other deal
    sealed, or a new theme renamed them). Links are never followed.
    """
    folder = out / ASSET_DIR
    if folder.is_symlink() or not folder.is_dir():
        return []
    have = {page.path for page in shared}
    return [
        Page(path.relative_to(out).as_posix(), path.read_bytes())
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink() and path.relative_to(out).as_posix() not in have
    ]


def write_pages(pages: Iterable[Page], folder: Path) -> int:
    """Write each page under ``folder``; a path that would leave it is refused."""
    count = 0
    made: set[Path] = set()
    for page in pages:
        target = _target(folder, page.path)
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(page.content)
        count += 1
    return count


def read_marker(out: Path) -> dict | None:
    try:
        return json.loads((out / MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return None


def _target(folder: Path, path: str) -> Path:
    relpath = safe_relpath(path)
    if relpath is None or relpath != path:
        raise MapsiteError(f"refusing to write '{path}': it is not a plain path inside the output folder")
    return folder / relpath


def _check_deal_folder(slug: str, shared: list[Page]) -> None:
    """Refuse to place a deal anywhere but a plain folder of its own beside the site's files."""
    taken = {page.path.split("/")[0].casefold() for page in shared}
    if "/" in slug or safe_relpath(slug) != slug:
        raise MapsiteError(f"refusing to publish the deal '{slug}': its slug is not a plain folder name")
    if reserved_slug(slug) or slug.casefold() in taken:
        raise MapsiteError(
            f"refusing to publish the deal '{slug}' at output/{slug}/: that path holds mapsite's own "
            "files, which a deal must never merge into or replace; nothing was written",
            hint="give the deal another slug (mapsite check names the file)",
        )


def _check_target(out: Path, site_dir: Path) -> None:
    """Refuse an output folder whose replacement would destroy the site or unrelated files."""
    out_resolved = out.resolve()
    root = site_dir.resolve()
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
