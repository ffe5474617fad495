"""A deal's Markdown is parsed once and rendered many times (when the deal loads, on its page,
on its extra pages): each render resolves links for its own page and shifts headings to its
own floor, whatever was rendered from the same text before."""

from __future__ import annotations

from pathlib import Path

from mapsite.render.markdown import LinkContext, render_markdown

TEXT = "# Pricing\n\nSee [the proposal](files/proposal.pdf) and [notes](notes.md).\n"


def _links(folder: Path, page_path: str) -> LinkContext:
    return LinkContext(page_path, "acme", folder, frozenset({"notes"}))


def test_each_render_of_the_same_text_has_its_own_links_and_headings(tmp_path):
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "proposal.pdf").write_bytes(b"%PDF-1.7")
    portal = _links(tmp_path, "acme/index.html")
    page = _links(tmp_path, "acme/pricing/index.html")

    for _ in range(2):  # both orders: what one render did must not reach the next
        on_page = render_markdown(TEXT, page, heading_floor=2)
        on_portal = render_markdown(TEXT, portal, heading_floor=3)
        assert "<h2>Pricing</h2>" in on_page and "<h3>Pricing</h3>" in on_portal
        assert 'href="../files/proposal.pdf"' in on_page and 'href="../notes/"' in on_page
        assert 'href="files/proposal.pdf"' in on_portal and 'href="notes/"' in on_portal
        # Where the file is missing, the same text keeps no link to it.
        bare = render_markdown(TEXT, _links(tmp_path / "elsewhere", "acme/index.html"))
        assert "<a>the proposal</a>" in bare and "proposal.pdf" not in bare
    assert portal.used_files == page.used_files == {"files/proposal.pdf"}
