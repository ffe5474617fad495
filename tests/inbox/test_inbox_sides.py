"""A reader marks only their own side's items: the portal offers nothing else, and the inbox checks
it again, since a code is what a reader's browser sealed, not what mapsite wrote.
"""

from __future__ import annotations

from pathlib import Path

from mapsite.protect.armour import armour
from tests.inbox.helpers import DEAL, reader_code, run

# "Deliver ROI benchmark analysis" is owned by Sam Carter (seller) alone; "Provide data sample for
# POC" by Lena Okafor (buyer). (Every acme milestone has an owner on each side, so either marks it.)
SELLERS_ACTION = "roi/Deliver ROI benchmark analysis"
BUYERS_ACTION = "poc-setup/Provide data sample for POC"


def test_a_buyer_code_cannot_mark_the_sellers_item_done(site: Path, tmp_path: Path):
    changes = [
        {"id": "1.1", "op": "done", "item": SELLERS_ACTION},
        {"id": "1.2", "op": "blocked", "item": SELLERS_ACTION, "reason": "Not our call"},
        {"id": "1.3", "op": "done", "item": BUYERS_ACTION},
    ]
    update = tmp_path / "update.txt"
    update.write_text(armour(reader_code(site, 1, changes), "acme"), "utf-8")
    before = (site / DEAL).read_text("utf-8")

    shown = run(site, "inbox", str(update))
    assert shown.returncode == 0, shown.stderr
    assert "it is the seller side's item, and the sender is on the buyer side" in " ".join(
        shown.stdout.split()
    )

    applied = run(site, "inbox", "--apply", "--yes", str(update))
    assert applied.returncode == 0, applied.stderr
    after = (site / DEAL).read_text("utf-8")
    changed = [line for line in after.splitlines() if line not in before.splitlines()]
    # Only the buyer's own action became done (and the deal's updated: day moved).
    assert any("Provide data sample for POC" in line and "done: true" in line for line in changed), changed
    assert not any("Deliver ROI benchmark analysis" in line for line in changed), changed
    assert not any("Not our call" in line for line in changed), changed


def test_the_sellers_own_team_may_mark_any_item(site: Path, tmp_path: Path):
    update = tmp_path / "update.txt"
    code = reader_code(
        site, 1, [{"id": "1.1", "op": "done", "item": BUYERS_ACTION}], label="Northwind deal team"
    )
    update.write_text(armour(code, "acme"), "utf-8")
    applied = run(site, "inbox", "--apply", "--yes", str(update))
    assert applied.returncode == 0, applied.stderr
    assert "the sender is on the" not in applied.stdout
    text = (site / DEAL).read_text("utf-8")
    assert "Provide data sample for POC" in text
    assert any("Provide data sample for POC" in line and "done: true" in line for line in text.splitlines())
