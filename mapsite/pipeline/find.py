"""Where a site's deals are: one ``DealLocation`` per deal file, before anything is read.

A deal is ``content/deals/<key>.md`` or a folder ``content/deals/<key>/index.md``; the key is the
slug a deal gets unless it sets one. A deal entry that is a symbolic link is refused here (it could
pull in a folder from anywhere). Finding deals reads no deal, so ``--only`` and the preview can go
straight to one file in a folder of a thousand.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import NamedTuple

from mapsite.errors import Finding
from mapsite.paths import site_display
from mapsite.read.site import Site
from mapsite.validate.active import site_file_findings

INDEX = "index.md"


class DealLocation(NamedTuple):
    """A deal's main file, the folder its files are published from, and its key."""

    file: Path
    folder: Path  # content/deals/ itself for a single-file deal
    key: str


def find_deals(site: Site) -> tuple[list[DealLocation], list[Finding]]:
    """Every deal of the site, sorted by key."""
    found: list[DealLocation] = []
    findings: list[Finding] = []
    deals_dir = site.deals_dir
    if not deals_dir.is_dir():
        findings.append(
            Finding(
                "content/deals",
                None,
                "error",
                "the site has no content/deals folder",
                'create it and add a deal, e.g. with: mapsite new "Acme Corp" --close 2027-06-30',
            )
        )
        return found, findings
    for entry in sorted(deals_dir.iterdir()):
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_symlink() and (entry.is_dir() or entry.suffix == ".md"):
            findings.append(_linked_deal(entry, site))
            continue
        if entry.is_file() and entry.suffix == ".md":
            found.append(DealLocation(entry, deals_dir, entry.stem))
        elif entry.is_dir():
            index = entry / INDEX
            if index.is_file():
                found.append(DealLocation(index, entry, entry.name))
            else:
                findings.append(
                    Finding(
                        site_display(entry, site.dir),
                        None,
                        "warning",
                        f"the folder {entry.name}/ has no {INDEX}, so it is not a deal",
                        f"add {entry.name}/{INDEX} or remove the folder",
                    )
                )
    return found, findings


def find_deal(site: Site, key: str) -> DealLocation | None:
    """The deal file ``<key>.md`` or folder ``<key>/index.md``, if it exists."""
    if key.startswith((".", "_")) or "/" in key:
        return None
    single, folder = site.deals_dir / f"{key}.md", site.deals_dir / key
    if single.is_symlink() or folder.is_symlink():
        return None  # the listing reports it
    if single.is_file():
        return DealLocation(single, site.deals_dir, key)
    if (folder / INDEX).is_file():
        return DealLocation(folder / INDEX, folder, key)
    return None


def select_deals(site: Site, only: str | None = None) -> tuple[list[DealLocation], list[Finding]]:
    """Every deal, or only those that may be the deal with slug ``only``; with the site-wide
    files' findings (an active logo stops every deal)."""
    named = find_deal(site, only) if only else None
    if named:
        # The file or folder named like the slug: no need to list a folder of a thousand deals.
        return [named], site_file_findings(site)
    locations, findings = find_deals(site)
    if only:
        locations = [location for location in locations if _declares_slug(location.file, only)]
    return locations, [*site_file_findings(site), *findings]


def _linked_deal(entry: Path, site: Site) -> Finding:
    kind = "folder" if entry.is_dir() else "file"
    return Finding(
        site_display(entry, site.dir),
        None,
        "error",
        f"this deal {kind} is a symbolic link; mapsite does not follow links out of content/deals",
        f"put the deal's {kind} itself in content/deals/",
    )


def no_such_deal(only: str) -> Finding:
    return Finding(
        "content/deals", None, "error", f"no deal with slug '{only}'", "list the deals with: mapsite list"
    )


def _declares_slug(path: Path, slug: str) -> bool:
    """Cheap pre-filter for --only: does the file set ``slug:`` to this value?"""
    try:
        head = path.read_text("utf-8", errors="replace")[:4000]
    except OSError:
        return False
    return any(line.strip() in (f"slug: {slug}", f'slug: "{slug}"') for line in head.splitlines())


def last_changed_dates(paths: list[Path], site_dir: Path) -> dict[Path, dt.date]:
    """When each file last changed: its last commit date, else its modification time.

    One ``git log`` for all files keeps this cheap for sites with hundreds of deals.
    """
    dates: dict[Path, dt.date] = {}
    wanted = {p.resolve(): p for p in paths}
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=site_dir,
            capture_output=True,
            text=True,
            timeout=10,
        )
        if top.returncode == 0 and paths:
            git_root = Path(top.stdout.strip())
            log = subprocess.run(
                ["git", "log", "--format=@%cs", "--name-only", "--", "content/deals"],
                cwd=site_dir,
                capture_output=True,
                text=True,
                timeout=30,
            )
            current: dt.date | None = None
            for line in log.stdout.splitlines():
                if line.startswith("@"):
                    current = dt.date.fromisoformat(line[1:])
                elif line and current:
                    path = wanted.get((git_root / line).resolve())
                    if path is not None and path not in dates:
                        dates[path] = current
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    for path in paths:
        if path not in dates:
            try:
                dates[path] = dt.date.fromtimestamp(path.stat().st_mtime)
            except OSError:
                continue
    return dates
