"""A deal read from text that is not its file on disk: an edit not yet written, or an older
version of the file out of git.

Both must be judged exactly as the file would be: an edit is written only if the deal it gives is
valid, and ``mapsite diff`` compares validated deals (resolved dates, default ids), not text.
The text goes through ``document_from_text``, the same splitting ``read_document`` does for a
file, then through validation as the deal's own file, so findings name the real file and its
lines.
"""

from __future__ import annotations

from mapsite.errors import Finding
from mapsite.model.deal import Deal
from mapsite.paths import site_display
from mapsite.read.fields import FieldReader
from mapsite.read.frontmatter import document_from_text
from mapsite.read.site import Site
from mapsite.validate.deal import validate_deal
from mapsite.validate.input import DealInput


def deal_from_text(site: Site, deal: Deal, text: str) -> tuple[Deal | None, list[Finding]]:
    """The deal ``text`` would be as ``deal``'s file, or None and the findings why not.

    The deal folder's pages and files stay ``deal``'s: they do not change with the text.
    """
    display = site_display(deal.source, site.dir)
    source = document_from_text(text, deal.source, display)
    if isinstance(source, Finding):
        return None, [source]
    # The key discovery gives the file: its name in content/deals, or its folder's.
    key = deal.source.stem if deal.folder == site.deals_dir else deal.folder.name
    item = DealInput(source, deal.folder, key, deal.pages, deal.files)
    reader = FieldReader(display, line_offset=source.line_offset)
    return validate_deal(item, site, reader), reader.findings
