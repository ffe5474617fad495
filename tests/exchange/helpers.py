"""What the import and export tests share: running an import, checking its deal, reading its plan."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

from mapsite.model.deal import Deal
from mapsite.pipeline.load import load_deals
from mapsite.read.site import load_site
from tests.helpers import REPO, TODAY, run

FIXTURES = REPO / "tests" / "fixtures" / "import"


def import_plan(site: Path, *args: str) -> subprocess.CompletedProcess:
    return run("import", *args, "--site", str(site))


def assert_check_passes(site: Path) -> None:
    result = run("check", "--site", str(site), "--today", TODAY)
    assert result.returncode == 0, result.stdout
    assert ": 0 errors," in result.stdout


def load(site: Path, slug: str) -> Deal:
    loaded = load_deals(load_site(site)[0], dt.date(2027, 2, 22), only=slug)
    [deal] = loaded.deals
    return deal


def plan_of(deal: Deal) -> list[tuple]:
    """Each milestone as a reader of the spreadsheet sees it: names, not ids."""

    def names(ids, side):
        return ", ".join(p.name for i in ids if (p := deal.stakeholder(i)) and p.side == side)

    titles = {m.id: m.name for m in deal.milestones}
    return [
        (
            m.phase,
            m.name,
            names(m.owners, "buyer"),
            names(m.owners, "seller"),
            m.due.isoformat(),
            m.status,
            "; ".join(titles[d] for d in m.depends_on),
        )
        for m in deal.milestones
    ]
