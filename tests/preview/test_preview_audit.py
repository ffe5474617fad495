"""The protected preview audits each save as a build would, while keeping between saves what
the save did not change (pipeline/audit.AuditMemo): a leak is found whichever deal was edited
before it, with the needles of the other deals as they are now, and goes once it is fixed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from mapsite.errors import Finding
from mapsite.preview.session import Preview

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
    # Saves of one deal: the other deals' search is made once and kept.
    _edit(example_site, ACME, "name: Technical Demo,", "name: Technical Deep-Dive Demo,")
    preview.build_deal("acme")
    kept = preview.audits.others
    _edit(example_site, ACME, "name: Kickoff Call,", "name: Kickoff Meeting,")
    preview.build_deal("acme")
    assert preview.audits.others is kept and preview.current_errors() == []

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
