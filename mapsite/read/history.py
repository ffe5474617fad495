"""A file's past versions from git: which commit held it on a day, and its text there.

A plan's history is its deal file's history, and reps already keep sites in git (deploys and
``updated:`` read it). ``mapsite diff`` compares the deal at a commit with the deal now; a slip
history asks for every version. Both read git here, through plain ``git`` commands run in the
file's folder with the path given as ``./name`` after ``--``, so no file name or revision is
ever read as an option. ``folder_blobs`` lists every version of every deal file with one ``git log``, and
``blob_texts`` reads the ones asked for with one ``git cat-file --batch``, so a build reads a
whole site's history in two processes, not two per deal.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from pathlib import Path

from mapsite.errors import MapsiteError

COMMIT_HINT = "commit the deal files (git add content && git commit) so their versions can be compared"


@dataclass(frozen=True)
class Version:
    """One commit that changed the file: its id, its short id and its commit date."""

    commit: str
    short: str
    day: dt.date


def versions(path: Path) -> list[Version]:
    """Every commit that changed ``path``, newest first; [] when it has none."""
    return _log(path, "--", f"./{path.name}")


def version_before(path: Path, day: dt.date) -> Version | None:
    """The version of ``path`` a checkout would have had at the start of ``day``."""
    found = _log(path, "-1", f"--before={day.isoformat()} 00:00:00", "--", f"./{path.name}")
    return found[0] if found else None


def version_at(path: Path, revision: str) -> Version:
    """The commit a revision (``HEAD~2``, a tag, a commit id) names; an error when none."""
    if revision.startswith("-") or not revision.strip():
        raise MapsiteError(f"'{revision}' is not a revision", hint="give a commit, a tag or e.g. HEAD~3")
    try:
        return _log(path, "-1", "--end-of-options", revision)[0]
    except MapsiteError:
        raise MapsiteError(
            f"git knows no commit '{revision}'",
            hint="give a commit id, a tag, HEAD~N, or a date YYYY-MM-DD (see: git log --oneline)",
        ) from None


def text_at(path: Path, version: Version) -> str | None:
    """The text of ``path`` at ``version``; None when the file did not exist there."""
    result = _run(path.parent, "show", f"{version.commit}:./{path.name}")
    if result.returncode != 0:
        return None
    return result.stdout.decode("utf-8", errors="replace").removeprefix("\ufeff")


def folder_blobs(folder: Path) -> dict[str, tuple[str, ...]] | None:
    """Every committed version of every file under ``folder``, by its path in ``folder`` (posix),
    as git blob ids oldest first: one ``git log`` for a whole site's deals. None outside git."""
    if _run(folder, "rev-parse", "--is-inside-work-tree").returncode != 0:
        return None
    raw = _git(
        folder,
        "log",
        "--format=%x01%H",
        "--raw",
        "--no-abbrev",
        "--no-renames",
        "--relative",
        "-z",
        "--",
        ".",
    )
    found: dict[str, list[str]] = {}
    for commit in raw.split("\x01")[1:]:
        fields = commit.split("\0")[1:]  # the commit id, then (":modes blobs status", path) pairs
        for meta, name in zip(fields[::2], fields[1::2], strict=False):
            blob = meta.split()[3] if meta.lstrip().startswith(":") else ""
            if blob.strip("0"):  # a deletion has no text
                found.setdefault(name, []).append(blob)
    return {name: tuple(reversed(blobs)) for name, blobs in found.items()}


def blob_texts(folder: Path, blobs: list[str]) -> list[str]:
    """The texts of git blobs, read by one ``git cat-file --batch`` run in ``folder``."""
    try:
        result = subprocess.run(
            ["git", "cat-file", "--batch"],
            cwd=folder,
            input="".join(f"{blob}\n" for blob in blobs).encode(),
            capture_output=True,
            timeout=30,
            check=True,
        )
    except (subprocess.SubprocessError, OSError):
        raise MapsiteError("git cat-file could not read the deal file's history") from None
    texts, data, at = [], result.stdout, 0
    for _ in blobs:
        end = data.index(b"\n", at)
        size = int(data[at:end].split()[2])
        body = data[end + 1 : end + 1 + size]
        texts.append(body.decode("utf-8", errors="replace").removeprefix("\ufeff"))
        at = end + 1 + size + 1
    return texts


def committed(path: Path, display: str) -> list[Version]:
    """Every version of ``path`` (``display`` to the rep), newest first; a clear error when the
    site is not in git or the file was never committed."""
    inside = _run(path.parent, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0:
        raise MapsiteError(f"{display} has no history: the site is not a git repository", hint=COMMIT_HINT)
    found = versions(path)
    if not found:
        raise MapsiteError(f"{display} has no history: it was never committed", hint=COMMIT_HINT)
    return found


def _log(path: Path, *args: str) -> list[Version]:
    """The commits ``git log ARGS`` lists, newest first."""
    found = []
    for line in _git(path.parent, "log", "--format=%H %h %cs", *args).splitlines():
        commit, short, day = line.split()
        found.append(Version(commit, short, dt.date.fromisoformat(day)))
    return found


def _git(cwd: Path, *args: str) -> str:
    result = _run(cwd, *args)
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise MapsiteError(f"git {args[0]} failed: {message[-1] if message else 'no message'}")
    return result.stdout.decode("utf-8", errors="replace")


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", "-c", "core.quotepath=off", *args],
            cwd=cwd,
            capture_output=True,
            timeout=30,
            check=False,
        )
    except FileNotFoundError:
        raise MapsiteError("git is not installed", hint="install git to compare versions of a deal") from None
    except subprocess.TimeoutExpired:
        raise MapsiteError("git took more than 30 s to answer") from None
