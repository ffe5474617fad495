"""The protected preview audits each save as a build would, while keeping between saves what
the save did not change (pipeline/audit.AuditMemo): a leak is found whichever deal was edited
before it, with the needles of the other deals as they are now, and goes once it is fixed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mapsite.errors import Finding, MapsiteError
from mapsite.pipeline.audit import AuditMemo, audit_save
from mapsite.pipeline.deal import DealPages, start_job
from mapsite.pipeline.load import LoadedDeal
from mapsite.preview.session import Preview
from mapsite.protect.audit import Needle
from mapsite.read.site import load_site
from mapsite.render.pages import Page
from tests.helpers import MINIMAL_DEAL

TODAY = dt.date(2027, 2, 22)
BAKERY = Path("content/deals/bluebird-bakery.md")
ACME = Path("content/deals/acme/index.md")
ACCESS = "access:\n  - label: Bluebird Bakery team\n    password_env: BLUEBIRD_PORTAL_PASSWORD\n"


def _edit(site: Path, path: Path, old: str, new: str) -> None:
    text = (site / path).read_text("utf-8")
    assert text.count(old) == 1, old
    (site / path).write_text(text.replace(old, new), "utf-8")


def _leaks(preview: Preview) -> list[str]:
    return sorted(f"{f.path}: {f.message}" for f in preview.current_errors() if "leak" in f.message)


def test_each_save_is_audited_against_every_deal_as_it_is_now(example_site, tmp_path):
    shown: list[list[Finding]] = []
    preview = Preview(example_site, tmp_path / "out", TODAY, True, lambda _line: None, shown.append)
    preview.build_all()
    assert preview.current_errors() == []
    # Saves of one deal, then of another: the search of every deal is made once and kept.
    _edit(example_site, ACME, "name: Technical Demo,", "name: Technical Deep-Dive Demo,")
    preview.build_deal("acme")
    kept = preview.audits.whole
    _edit(example_site, ACME, "name: Kickoff Call,", "name: Kickoff Meeting,")
    preview.build_deal("acme")
    assert preview.audits.whole is kept and preview.current_errors() == []
    _edit(example_site, BAKERY, "and opens **Easter", "and still opens **Easter")
    preview.build_deal("bluebird-bakery")
    assert preview.audits.whole is kept and preview.current_errors() == []
    _edit(example_site, BAKERY, "and still opens **Easter", "and opens **Easter")

    # The bakery's portal made public shows the name of Acme's champion: a leak of Acme.
    _edit(example_site, BAKERY, ACCESS, "public: true\n")
    _edit(example_site, BAKERY, "and opens **Easter", "and, like Dana Whitfield, opens **Easter")
    preview.build_deal("bluebird-bakery")
    assert _leaks(preview) == [
        "bluebird-bakery/index.html: leak: the contents show the stakeholder 'Dana Whitfield' of protected deal 'acme'"
    ]
    _edit(example_site, BAKERY, "and, like Dana Whitfield, opens **Easter", "and opens **Easter")
    preview.build_deal("bluebird-bakery")
    assert preview.current_errors() == []

    # A name Acme gains after the search was kept is searched for too.
    _edit(
        example_site,
        ACME,
        "  - {id: vp-marketing, name: Dana Whitfield,",
        "  - {id: controller, name: Zeno Quillfeather, title: Controller, side: buyer, role: finance}\n"
        "  - {id: vp-marketing, name: Dana Whitfield,",
    )
    preview.build_deal("acme")
    assert preview.current_errors() == []
    _edit(example_site, BAKERY, "and opens **Easter", "and, like Zeno Quillfeather, opens **Easter")
    preview.build_deal("bluebird-bakery")
    assert _leaks(preview) == [
        "bluebird-bakery/index.html: leak: the contents show the stakeholder 'Zeno Quillfeather' of protected deal 'acme'"
    ]


def _deal(slug: str, names: list[str], page: bytes | None = None) -> DealPages:
    """A protected deal as a save's audit sees it: its stakeholders' names, and a readable page."""
    needles = tuple(Needle(slug, f"stakeholder '{name}'", name.lower().encode()) for name in names)
    pages = (Page(f"{slug}/index.html", page),) if page is not None else ()
    return DealPages(LoadedDeal(f"content/deals/{slug}.md", None, (), slug), pages=pages, needles=needles)


def test_a_saved_deals_old_needles_are_left_out_of_the_kept_search_and_its_new_ones_found(site_factory):
    site, _ = load_site(site_factory.make({"acme.md": MINIMAL_DEAL}))
    job, _ = start_job(site, TODAY, [], protect=False, writes=False)
    memo = AuditMemo()
    acme, globex = _deal("acme", ["Dana Whitfield"]), _deal("globex", ["Raj Patel"])
    audit_save(job, [acme, globex, _deal("initech", [])], [globex], [], memo)
    whole = memo.whole
    renamed = _deal("acme", ["Ottilie Brandt"])  # Acme's champion is someone else now
    audit_save(job, [renamed, globex, _deal("initech", [])], [renamed], [], memo)

    # Dana Whitfield is no deal's stakeholder any more: naming her leaks nothing.
    initech = _deal("initech", [], b"<p>Dana Whitfield called.</p>")
    audit_save(job, [renamed, globex, initech], [initech], [], memo)
    assert memo.whole is whole, "saving other deals kept the search of every deal"
    initech = _deal("initech", [], b"<p>Ottilie Brandt and Raj Patel called.</p>")
    with pytest.raises(MapsiteError) as caught:
        audit_save(job, [renamed, globex, initech], [initech], [], memo)
    assert [f.message for f in caught.value.findings] == [
        "leak: the contents show the stakeholder 'Ottilie Brandt' of protected deal 'acme'",
        "leak: the contents show the stakeholder 'Raj Patel' of protected deal 'globex'",
    ]
