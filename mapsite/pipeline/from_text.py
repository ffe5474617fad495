"""A deal read from text that is not its file on disk: an edit not yet written, or an older
version of the file out of git.

Both must be judged exactly as the file would be: an edit is written only if the deal it gives is
valid, and ``mapsite diff`` compares validated deals (resolved dates, default ids), not text.
The text goes through ``read_document``, the one reader of content files, from a private
temporary copy (outside the site, so no preview or build ever sees it), then through validation
as the deal's own file, so findings name the real file and its lines.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from mapsite.errors import Finding
from mapsite.model.deal import Deal, DealFile, ExtraPage
from mapsite.paths import site_display
from mapsite.pipeline.find import DealLocation
from mapsite.read.fields import FieldReader
from mapsite.read.frontmatter import read_document
from mapsite.read.site import Site
from mapsite.validate.deal import validate_deal
from mapsite.validate.input import DealInput


def deal_from_text(
    site: Site,
    location: DealLocation,
    text: str,
    pages: tuple[ExtraPage, ...] = (),
    files: tuple[DealFile, ...] = (),
) -> tuple[Deal | None, list[Finding]]:
    """The deal ``text`` would be as the file at ``location``, or None and the findings why not.

    ``pages`` and ``files`` are the deal folder's own (they do not change with the text).
    """
    display = site_display(location.file, site.dir)
    with tempfile.TemporaryDirectory(prefix="mapsite-") as folder:
        copy = Path(folder) / location.file.name
        copy.write_text(text, "utf-8")
        source = read_document(copy, display)
    if isinstance(source, Finding):
        return None, [source]
    item = DealInput(replace(source, path=location.file), location.folder, location.key, pages, files)
    reader = FieldReader(display, line_offset=source.line_offset)
    deal = validate_deal(item, site, reader)
    return deal, reader.findings


def location_of(deal: Deal, site: Site) -> DealLocation:
    """Where a loaded deal's file is, as discovery names it: file, folder and key."""
    key = deal.source.stem if deal.folder == site.deals_dir else deal.folder.name
    return DealLocation(deal.source, deal.folder, key)
