"""A full build swaps the new site in, then leaves the previous one's files to a process of
their own (write/output.py): the rep's prompt comes back without waiting for the deletes, and
nothing of the old site stays beside output/, nor what a crashed build left there."""

from __future__ import annotations

import time
from pathlib import Path

from tests.helpers import MINIMAL_DEAL, mapsite_ok


def _beside_output(site: Path) -> list[str]:
    return sorted(p.name for p in site.iterdir() if p.name.startswith(".output"))


def test_the_previous_site_and_a_crashed_builds_leftovers_are_removed(site_factory):
    site = site_factory.make({"buyer-co.md": MINIMAL_DEAL})
    mapsite_ok(site, "build", "--no-protect", "--today", "2027-02-22")
    stale = site / ".output.old-99999999"  # as a build killed after its swap would leave it
    (stale / "buyer-co").mkdir(parents=True)
    (stale / "buyer-co" / "index.html").write_text("an old portal", "utf-8")
    old_page = (site / "output" / "buyer-co" / "index.html").read_bytes()

    mapsite_ok(site, "build", "--no-protect", "--force", "--today", "2027-02-23")

    # The new site is in place at once; the old files go within a bounded wait.
    assert (site / "output" / "buyer-co" / "index.html").read_bytes() != old_page
    deadline = time.monotonic() + 20
    while _beside_output(site) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _beside_output(site) == []
    assert sorted(p.name for p in (site / "output").iterdir())  # the live site is untouched
