"""Finding the deals of a site and loading each into a validated Deal.

A deal is ``content/deals/<slug>.md`` or a folder ``content/deals/<slug>/index.md`` whose other
Markdown files are extra pages and whose other files are published with the portal.

What a deal publishes is its own and nothing else: a deal entry that is a symbolic link is
refused (it could pull in a folder from anywhere), a folder deal's file may not sit where one of
its pages is written (a file ``index.html`` would replace the portal), and a single-file deal,
whose folder ``content/deals/`` also holds the other deals, may not name their files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

from mapsite.errors import Finding, MapsiteError
from mapsite.layout import CALENDAR_DIR, FILES_DIR
from mapsite.model.deal import Deal, DealFile, ExtraPage
from mapsite.names import slugify
from mapsite.paths import inside, site_display
from mapsite.protect.secrets import random_slug, site_secret
from mapsite.read.fields import FieldReader
from mapsite.read.frontmatter import read_source
from mapsite.read.site import Site
from mapsite.render.markdown import LinkContext, render_markdown
from mapsite.schedule.lint import lint_deal
from mapsite.validate.active import deal_file_findings, site_file_findings
from mapsite.validate.deal import validate_deal
from mapsite.validate.files import NOT_OWN_HINT, not_own_file, not_own_text
from mapsite.validate.input import DealInput

INDEX = "index.md"
RANDOM_SLUG = "random"


@dataclass(frozen=True)
class LoadResult:
    deals: tuple[Deal, ...]
    findings: tuple[Finding, ...]


def deal_sources(site: Site) -> tuple[list[tuple[Path, Path, str]], list[Finding]]:
    """(main file, deal folder, default slug) for every deal, sorted by slug."""
    found: list[tuple[Path, Path, str]] = []
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
            found.append((entry, deals_dir, entry.stem))
        elif entry.is_dir():
            index = entry / INDEX
            if index.is_file():
                found.append((index, entry, entry.name))
            else:
                findings.append(
                    Finding(
                        site_display(entry, site.root),
                        None,
                        "warning",
                        f"the folder {entry.name}/ has no {INDEX}, so it is not a deal",
                        f"add {entry.name}/{INDEX} or remove the folder",
                    )
                )
    return found, findings


def deal_source(site: Site, key: str) -> tuple[Path, Path, str] | None:
    """The deal file ``<key>.md`` or folder ``<key>/index.md``, if it exists."""
    if key.startswith((".", "_")) or "/" in key:
        return None
    single, folder = site.deals_dir / f"{key}.md", site.deals_dir / key
    if single.is_symlink() or folder.is_symlink():
        return None  # the listing reports it
    if single.is_file():
        return single, site.deals_dir, key
    if (folder / INDEX).is_file():
        return folder / INDEX, folder, key
    return None


def select_sources(site: Site, only: str | None = None) -> tuple[list[tuple[Path, Path, str]], list[Finding]]:
    """Every deal's source, or only those that may be the deal with slug ``only``."""
    named = deal_source(site, only) if only else None
    if named:
        # The file or folder named like the slug: no need to list a folder of a thousand deals.
        return [named], site_file_findings(site)
    sources, findings = deal_sources(site)
    if only:
        sources = [s for s in sources if _declares_slug(s[0], only)]
    return sources, [*site_file_findings(site), *findings]


def _linked_deal(entry: Path, site: Site) -> Finding:
    kind = "folder" if entry.is_dir() else "file"
    return Finding(
        site_display(entry, site.root),
        None,
        "error",
        f"this deal {kind} is a symbolic link; mapsite does not follow links out of content/deals",
        f"put the deal's {kind} itself in content/deals/",
    )


def no_such_deal(only: str) -> Finding:
    return Finding(
        "content/deals", None, "error", f"no deal with slug '{only}'", "list the deals with: mapsite check"
    )


def load_deals(
    site: Site, today: dt.date, only: str | None = None, create_secret: bool = False
) -> LoadResult:
    sources, findings = select_sources(site, only)
    changed = last_changed_dates([path for path, _, _ in sources], site.root)
    deals: list[Deal] = []
    slugs: dict[str, str] = {}
    for path, root, default_slug in sources:
        loaded = load_deal(site, today, path, root, default_slug, changed.get(path), create_secret)
        if loaded.deal is not None:
            if loaded.deal.slug in slugs:
                findings.append(duplicate_slug(loaded, loaded.deal.slug, slugs[loaded.deal.slug]))
            else:
                slugs[loaded.deal.slug] = loaded.display
                deals.append(loaded.deal)
        findings.extend(loaded.findings)
    if only and not any(d.slug == only for d in deals) and not any(f.is_error for f in findings):
        findings.append(no_such_deal(only))
    return LoadResult(tuple(deals), tuple(findings))


def _declares_slug(path: Path, slug: str) -> bool:
    """Cheap pre-filter for --only: does the file set ``slug:`` to this value?"""
    try:
        head = path.read_text("utf-8", errors="replace")[:4000]
    except OSError:
        return False
    return any(line.strip() in (f"slug: {slug}", f'slug: "{slug}"') for line in head.splitlines())


def _random_slug(site_root: Path, name: str, create: bool) -> str:
    """``slug: random``'s folder comes from the site secret. A read-only command (check, plan,
    share, export) never creates that secret: until a build does, the deal goes by a stand-in."""
    try:
        secret = site_secret(site_root, create=create)[0]
    except MapsiteError:
        return "random-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]
    return random_slug(secret, name)


@dataclass(frozen=True)
class LoadedDeal:
    """One deal file read and validated; ``slug_line`` points at its ``slug:`` when it sets one."""

    display: str
    deal: Deal | None
    findings: tuple[Finding, ...]
    slug_line: int | None = None


def load_deal(
    site: Site,
    today: dt.date,
    path: Path,
    root: Path,
    default_slug: str,
    changed: dt.date | None,
    create_secret: bool = False,
) -> LoadedDeal:
    """Read, validate and lint one deal, on its own: slugs are compared across deals later.

    ``changed`` is when the file last changed, the default of ``updated:``. Only a command that
    writes (``create_secret``) may create the site secret a ``slug: random`` needs.
    """
    display = site_display(path, site.root)
    item, findings = _deal_input(path, root, default_slug, display, site)
    if item is None:
        return LoadedDeal(display, None, tuple(findings))
    reader = FieldReader(display, line_offset=item.source.line_offset)
    deal = validate_deal(item, site, reader)
    frontmatter = item.source.frontmatter
    slug_line = frontmatter.line_of("slug") + item.source.line_offset if "slug" in frontmatter else None
    if deal is not None:
        if deal.slug == RANDOM_SLUG:
            deal = replace(deal, slug=_random_slug(site.root, default_slug, create_secret))
        if deal.updated is None:
            deal = replace(deal, updated=changed)
        lint_deal(deal, item.source.frontmatter, reader, today)
        if root == site.deals_dir:
            deal, foreign = _with_linked_files(deal, display)
            findings.extend(foreign)
        findings.extend(deal_file_findings(deal, site.root))
    return LoadedDeal(display, deal, tuple([*findings, *reader.findings]), slug_line)


def _with_linked_files(deal: Deal, display: str) -> tuple[Deal, list[Finding]]:
    """A single-file deal with the files its Markdown links or shows, and those not its own.

    A folder deal's files are every file of its folder; a single-file deal's are only those it
    names, and its Markdown names some. Listing them with the others means every check of a
    deal's files (active content, the leak audit's needles) sees them too. The links are resolved
    by the renderer's own resolver, so these are exactly the files the portal would publish; the
    fields (logos, ``resources``) are checked where they are read.
    """
    links = LinkContext(f"{deal.slug}/index.html", deal.slug, deal.root, frozenset())
    for text in (deal.value_summary, deal.body):
        render_markdown(text, links)
    foreign = sorted(rel for rel in links.used_files if not_own_file(deal.root, deal.root / rel))
    known = {file.relpath for file in deal.files}
    linked = [
        DealFile(deal.root / rel, rel) for rel in sorted(links.used_files - known) if rel not in foreign
    ]
    deal = replace(deal, files=tuple(sorted([*deal.files, *linked], key=lambda f: f.relpath)))
    if not foreign:
        return deal, []
    try:
        lines = deal.source.read_text("utf-8-sig", errors="replace").splitlines()
    except OSError:
        lines = []
    return deal, [
        Finding(
            display,
            next((number for number, line in enumerate(lines, 1) if rel in line), None),
            "error",
            f"the link to {not_own_text(rel)}",
            NOT_OWN_HINT,
        )
        for rel in foreign
    ]


def duplicate_slug(loaded: LoadedDeal, slug: str, first: str) -> Finding:
    """The second deal that claims a slug: the first one (in file order) keeps it."""
    return Finding(
        loaded.display,
        loaded.slug_line,
        "error",
        f"slug '{slug}' is already used by {first}",
        "every deal needs its own slug",
    )


def _deal_input(
    path: Path, root: Path, default_slug: str, display: str, site: Site
) -> tuple[DealInput | None, list[Finding]]:
    source = read_source(path, display)
    if isinstance(source, Finding):
        return None, [source]
    # Only a folder deal has pages and files of its own: a single-file deal's folder holds every deal.
    folder_deal = root != site.deals_dir
    pages, files, findings = _folder_contents(path, root, site) if folder_deal else ([], [], [])
    findings.extend(_taken_paths(files, site))
    names = {p.name for p in pages}
    for page in pages:
        if any(f.relpath.split("/")[0].casefold() == page.name for f in files):
            findings.append(
                Finding(
                    site_display(page.source, site.root),
                    None,
                    "error",
                    f"the page '{page.name}' has the same name as the folder {page.name}/",
                    "rename the page or the folder",
                )
            )
    if len(names) != len(pages):
        findings.append(Finding(display, None, "error", "two extra pages map to the same URL"))
    return DealInput(source, root, default_slug, tuple(pages), tuple(files)), findings


def _folder_contents(
    path: Path, root: Path, site: Site
) -> tuple[list[ExtraPage], list[DealFile], list[Finding]]:
    """The extra pages (Markdown files beside ``path``) and files of a folder deal, hidden ones left out."""
    pages: list[ExtraPage] = []
    files: list[DealFile] = []
    findings: list[Finding] = []
    for child in sorted(root.rglob("*")):
        rel = child.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or child == path:
            continue
        child_display = site_display(child, site.root)
        # Checked before is_dir(): a folder linked from outside is refused, not skipped.
        problem = "this link is broken" if not child.exists() else "this link points outside the deal folder"
        if not child.exists() or not inside(child, root):
            kind = "folder" if child.is_dir() else "file"
            findings.append(
                Finding(child_display, None, "error", problem, f"replace the symlink with the {kind} itself")
            )
            continue
        if child.is_dir():
            continue
        if child.suffix == ".md" and len(rel.parts) == 1:
            page = _extra_page(child, child_display)
            if isinstance(page, Finding):
                findings.append(page)
            else:
                pages.append(page)
        elif child.suffix != ".md":
            files.append(DealFile(child, rel.as_posix()))
    return pages, files, findings


def _taken_paths(files: list[DealFile], site: Site) -> list[Finding]:
    """Files of a folder deal published where mapsite writes the deal's own pages.

    Compared case-folded: on a case-insensitive host ``INDEX.HTML`` replaces ``index.html``.
    (A file under an extra page's folder is reported at the page, below.)
    """
    findings = []
    for file in files:
        top = file.relpath.split("/")[0].casefold()
        if file.relpath.casefold() == "index.html":
            what = "the portal page (index.html)"
        elif top in (CALENDAR_DIR, FILES_DIR):
            what = f"the deal's {'calendars' if top == CALENDAR_DIR else 'sealed files'} ({top}/)"
        else:
            continue
        findings.append(
            Finding(
                site_display(file.source, site.root),
                None,
                "error",
                f"this file would be published at {file.relpath} in the deal's folder, where mapsite "
                f"writes {what}; it would replace it",
                "rename the file, or move it into a folder such as files/",
            )
        )
    return findings


def _extra_page(path: Path, display: str) -> ExtraPage | Finding:
    source = read_source(path, display, frontmatter_required=False)
    if isinstance(source, Finding):
        return source
    name = slugify(path.stem)
    if not name:
        return Finding(display, None, "error", "the page name has no letters or digits", "rename the file")
    title = source.frontmatter.get("title")
    if not isinstance(title, str) or not title.strip():
        title = _first_heading(source.body) or path.stem.replace("-", " ").title()
    return ExtraPage(name=name, title=title.strip(), body=source.body, source=path)


def _first_heading(body: str) -> str | None:
    for line in body.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return None


def last_changed_dates(paths: list[Path], root: Path) -> dict[Path, dt.date]:
    """When each file last changed: its last commit date, else its modification time.

    One ``git log`` for all files keeps this cheap for sites with hundreds of deals.
    """
    dates: dict[Path, dt.date] = {}
    wanted = {p.resolve(): p for p in paths}
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
        )
        if top.returncode == 0 and paths:
            git_root = Path(top.stdout.strip())
            log = subprocess.run(
                ["git", "log", "--format=@%cs", "--name-only", "--", "content/deals"],
                cwd=root,
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
