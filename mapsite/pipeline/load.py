"""Loading a deal: its file read, validated and linted into a Deal, with its pages and files.

A folder deal's other Markdown files are extra pages and its other files are published with the
portal. What a deal publishes is its own and nothing else: a folder deal's file may not sit where
one of its pages is written (a file ``index.html`` would replace the portal), and a single-file
deal, whose folder ``content/deals/`` also holds the other deals, may not name their files.

Slugs are compared across deals by ``first_claims``, so each deal loads on its own (in a worker).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from mapsite.errors import Finding, MapsiteError
from mapsite.layout import CALENDAR_DIR, FILES_DIR
from mapsite.model.deal import Deal, DealFile, ExtraPage
from mapsite.names import slugify
from mapsite.paths import inside, site_display
from mapsite.pipeline.find import DealLocation, last_changed_dates, no_such_deal, select_deals
from mapsite.protect.secrets import random_slug, site_secret
from mapsite.read.fields import FieldReader
from mapsite.read.frontmatter import read_document
from mapsite.read.site import Site
from mapsite.render.markdown import LinkContext, render_markdown
from mapsite.schedule.lint import lint_deal
from mapsite.validate.active import deal_file_findings
from mapsite.validate.deal import validate_deal
from mapsite.validate.files import NOT_OWN_HINT, not_own_file, not_own_text
from mapsite.validate.input import DealInput

RANDOM_SLUG = "random"


def _random_slug(site_dir: Path, name: str, create: bool) -> str:
    """``slug: random``'s folder comes from the site secret. A read-only command (check, plan,
    share, export) never creates that secret: until a build does, the deal goes by a stand-in."""
    try:
        secret = site_secret(site_dir, create=create)[0]
    except MapsiteError:
        return "random-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]
    return random_slug(secret, name)


@dataclass(frozen=True)
class LoadedDeal:
    """One deal file read and validated; ``slug_line`` points at its ``slug:`` when it sets one."""

    display: str
    deal: Deal | None
    findings: tuple[Finding, ...]
    slug: str | None = None  # kept when a worker sends the summary back without the Deal
    slug_line: int | None = None


def load_deal(
    site: Site, today: dt.date, location: DealLocation, changed: dt.date | None, create_secret: bool = False
) -> LoadedDeal:
    """Read, validate and lint one deal, on its own: slugs are compared across deals later.

    ``changed`` is when the file last changed, the default of ``updated:``. Only a command that
    writes (``create_secret``) may create the site secret a ``slug: random`` needs.
    """
    path, folder, default_slug = location
    display = site_display(path, site.dir)
    item, findings = _deal_input(path, folder, default_slug, display, site)
    if item is None:
        return LoadedDeal(display, None, tuple(findings))
    reader = FieldReader(display, line_offset=item.source.line_offset)
    deal = validate_deal(item, site, reader)
    frontmatter = item.source.frontmatter
    slug_line = frontmatter.line_of("slug") + item.source.line_offset if "slug" in frontmatter else None
    if deal is not None:
        if deal.slug == RANDOM_SLUG:
            deal = replace(deal, slug=_random_slug(site.dir, default_slug, create_secret))
        if deal.updated is None:
            deal = replace(deal, updated=changed)
        lint_deal(deal, item.source.frontmatter, reader, today, item.source.body_line)
        if folder == site.deals_dir:
            deal, foreign = _with_linked_files(deal, display)
            findings.extend(foreign)
        findings.extend(deal_file_findings(deal, site.dir))
    slug = deal.slug if deal else None
    return LoadedDeal(display, deal, tuple([*findings, *reader.findings]), slug, slug_line)


def _with_linked_files(deal: Deal, display: str) -> tuple[Deal, list[Finding]]:
    """A single-file deal with the files its Markdown links or shows, and those not its own.

    A folder deal's files are every file of its folder; a single-file deal's are only those it
    names, and its Markdown names some. Listing them with the others means every check of a
    deal's files (active content, the leak audit's needles) sees them too. The links are resolved
    by the renderer's own resolver, so these are exactly the files the portal would publish; the
    fields (logos, ``resources``) are checked where they are read.
    """
    links = LinkContext(f"{deal.slug}/index.html", deal.slug, deal.folder, frozenset())
    for text in (deal.value_summary, deal.body):
        render_markdown(text, links)
    foreign = sorted(rel for rel in links.used_files if not_own_file(deal.folder, deal.folder / rel))
    known = {file.relpath for file in deal.files}
    linked = [
        DealFile(deal.folder / rel, rel) for rel in sorted(links.used_files - known) if rel not in foreign
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


def first_claims(loaded: Iterable[LoadedDeal]) -> tuple[dict[str, LoadedDeal], list[Finding]]:
    """Each slug's deal, the first in file order; an error at the ``slug:`` of every later one.

    Deals with errors claim nothing: their pages are not made.
    """
    claims: dict[str, LoadedDeal] = {}
    findings: list[Finding] = []
    for item in loaded:
        if item.slug is None or any(f.is_error for f in item.findings):
            continue
        if item.slug in claims:
            message = f"slug '{item.slug}' is already used by {claims[item.slug].display}"
            findings.append(
                Finding(item.display, item.slug_line, "error", message, "every deal needs its own slug")
            )
        else:
            claims[item.slug] = item
    return claims, findings


@dataclass(frozen=True)
class LoadResult:
    deals: tuple[Deal, ...]
    findings: tuple[Finding, ...]


def load_deals(site: Site, today: dt.date, only: str | None = None) -> LoadResult:
    """Every deal (or the one with slug ``only``) loaded, for the commands that read deals
    without making pages (status, export, lookups): never creates the site secret."""
    locations, findings = select_deals(site, only)
    changed = last_changed_dates([location.file for location in locations], site.dir)
    loaded = [load_deal(site, today, location, changed.get(location.file)) for location in locations]
    claims, duplicates = first_claims(loaded)
    findings += [f for item in loaded for f in item.findings] + duplicates
    deals = [item.deal for item in claims.values() if item.deal is not None]
    if only and only not in claims and not any(f.is_error for f in findings):
        findings.append(no_such_deal(only))
    return LoadResult(tuple(deals), tuple(findings))


def _deal_input(
    path: Path, folder: Path, default_slug: str, display: str, site: Site
) -> tuple[DealInput | None, list[Finding]]:
    source = read_document(path, display)
    if isinstance(source, Finding):
        return None, [source]
    # Only a folder deal has pages and files of its own: a single-file deal's folder holds every deal.
    folder_deal = folder != site.deals_dir
    pages, files, findings = _folder_contents(path, folder, site) if folder_deal else ([], [], [])
    findings.extend(_taken_paths(files, site))
    names = {p.name for p in pages}
    for page in pages:
        if any(f.relpath.split("/")[0].casefold() == page.name for f in files):
            findings.append(
                Finding(
                    site_display(page.source, site.dir),
                    None,
                    "error",
                    f"the page '{page.name}' has the same name as the folder {page.name}/",
                    "rename the page or the folder",
                )
            )
    if len(names) != len(pages):
        findings.append(Finding(display, None, "error", "two extra pages map to the same URL"))
    return DealInput(source, folder, default_slug, tuple(pages), tuple(files)), findings


def _folder_contents(
    path: Path, folder: Path, site: Site
) -> tuple[list[ExtraPage], list[DealFile], list[Finding]]:
    """The extra pages (Markdown files beside ``path``) and files of a folder deal, hidden ones left out."""
    pages: list[ExtraPage] = []
    files: list[DealFile] = []
    findings: list[Finding] = []
    for child in sorted(folder.rglob("*")):
        rel = child.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or child == path:
            continue
        child_display = site_display(child, site.dir)
        # Checked before is_dir(): a folder linked from outside is refused, not skipped.
        problem = "this link is broken" if not child.exists() else "this link points outside the deal folder"
        if not child.exists() or not inside(child, folder):
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
                site_display(file.source, site.dir),
                None,
                "error",
                f"this file would be published at {file.relpath} in the deal's folder, where mapsite "
                f"writes {what}; it would replace it",
                "rename the file, or move it into a folder such as files/",
            )
        )
    return findings


def _extra_page(path: Path, display: str) -> ExtraPage | Finding:
    source = read_document(path, display, frontmatter_required=False)
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
