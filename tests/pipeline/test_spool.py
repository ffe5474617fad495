"""A build keeps what it learns of each deal on disk until the last deal is in
(pipeline/spool.py): its memory while the workers run does not grow with the site."""

from __future__ import annotations

import datetime as dt
import gc

from mapsite.pipeline import build as build_module
from mapsite.pipeline.build import build
from mapsite.pipeline.spool import Spool
from mapsite.pipeline.worker import DealOutcome


def test_records_come_back_in_order_and_by_key():
    with Spool[tuple[int, str]]() as spool:
        spool.add((0, "a/index.html"), b"first")
        spool.add((1, "b/index.html"), b"")
        spool.add((0, "a/cal.ics"), b"third" * 1000)
        assert spool.added() == [(0, "a/index.html"), (1, "b/index.html"), (0, "a/cal.ics")]
        assert list(spool.read(lambda key: key[0] == 0)) == [
            ((0, "a/index.html"), b"first"),
            ((0, "a/cal.ics"), b"third" * 1000),
        ]
        assert [record for _, record in spool.read()] == [b"first", b"", b"third" * 1000]
        assert list(spool.read()) == list(spool.read())  # read again from the start


def test_the_build_holds_no_deal_summary_while_deals_are_made(example_site, monkeypatch):
    deals = example_site / "content" / "deals"
    for copy in ("bakery-two", "bakery-three", "bakery-four"):
        (deals / f"{copy}.md").write_bytes((deals / "bluebird-bakery.md").read_bytes())
    alive: list[int] = []
    making = build_module.run_deals

    def counted(*args):
        for outcome in making(*args):
            gc.collect()
            alive.append(sum(isinstance(thing, DealOutcome) for thing in gc.get_objects()))
            yield outcome

    monkeypatch.setattr(build_module, "run_deals", counted)
    report = build(example_site, today=dt.date(2027, 2, 22))
    assert report.deals == 6
    # The one just made and, until the next replaces it, the one before: never all of them.
    assert len(alive) == 6 and max(alive) <= 2, alive
    assert (example_site / "output" / "acme" / "index.html").is_file()
