"""``build --keep-going``: a deal that cannot be built keeps the portal it had, if that was audited.

One rep's typo must not hold every other deal's update hostage, but a broken deal must not
lose its portal either: the buyer keeps reading the last good version until the file is
fixed. What is kept is never trusted on its word: the folder is read from ``output/`` and
written into the build only if its bytes are exactly those an audit passed (the receipt's
record of that deal), and those bytes are scanned again by this build's leak audit with every
other file. A deal that never
passed an audit, or whose folder changed since, is left out and the build says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mapsite.errors import MapsiteError
from mapsite.pipeline.worker import DealOutcome
from mapsite.render.pages import Page
from mapsite.write import output
from mapsite.write.receipt import DealRecord, FileDigest, audited_deals, output_digest, page_digest


@dataclass(frozen=True)
class KeptDeal:
    """A broken deal's previous portal, copied into the staging folder."""

    display: str
    slug: str
    pages: tuple[Page, ...]
    digests: tuple[FileDigest, ...]
    record: DealRecord


@dataclass(frozen=True)
class LeftOut:
    """A broken deal with no portal in this build, and why none was kept."""

    display: str
    reason: str


def keep_broken(
    staging: output.Staging,
    site_dir: Path,
    broken: list[DealOutcome],
    taken: dict[str, str],
    shared: list[Page],
) -> tuple[list[KeptDeal], list[LeftOut]]:
    """Write each broken deal's last audited folder into ``staging``; ``taken`` maps the slugs
    this build placed to their deal files (a slug a valid deal now uses is not given back)."""
    kept: list[KeptDeal] = []
    left: list[LeftOut] = []
    audited = audited_deals(site_dir, staging.out)
    for outcome in broken:
        display = outcome.made.loaded.display
        record = audited.get(display)
        if record is None:
            left.append(LeftOut(display, "it has no portal from an earlier build"))
            continue
        if owner := taken.get(record.slug.casefold()):
            left.append(LeftOut(display, f"its address {record.slug}/ now belongs to {owner}"))
            continue
        try:
            pages = output.read_deal(staging.out, record.slug, shared)
        except MapsiteError as exc:
            left.append(LeftOut(display, exc.message))
            continue
        if pages is None:
            left.append(LeftOut(display, f"output/{record.slug}/ is not there any more"))
            continue
        digests = tuple(page_digest(page.path, page.content) for page in pages)
        if output_digest(digests) != record.files:
            left.append(LeftOut(display, f"output/{record.slug}/ changed since its last audited build"))
            continue
        output.write_pages(pages, staging.folder)
        taken[record.slug.casefold()] = display
        kept.append(KeptDeal(display, record.slug, tuple(pages), digests, record))
    return kept, left
