"""``discussion:`` and ``updates_to:`` in a deal file: what check accepts and what it says."""

from __future__ import annotations

import datetime as dt

from mapsite.pipeline.check import check
from tests.helpers import MINIMAL_DEAL, line_of

TODAY = dt.date(2027, 2, 22)
DEAL_PATH = "content/deals/first-deal.md"

DISCUSSION = """\
updates_to: sam.carter@northwind.example
discussion:
  - {who: Dana Whitfield, side: buyer, when: 2027-02-21, item: demo, kind: question,
     text: Can the demo cover SSO?, ref: "3f09c1d2a4b5e6f7:a1b2c3d4:3.4",
     answer: Yes; we will show Okta., answered: 2027-02-22}
  - who: Raj Patel
    when: 2027-02-22
    kind: proposal
    item: signature
    text: New date 2027-05-10 for Contract Signature (board meets in May)
    declined: The price holds only until April 30.
"""


def with_discussion(block: str) -> str:
    return MINIMAL_DEAL.replace("milestones:\n", block + "milestones:\n", 1)


def findings(site_factory, deal: str) -> list[str]:
    root = site_factory.make({"first-deal.md": deal})
    return [f.format() for f in check(root, TODAY).findings]


def test_discussion_and_update_address_are_read(site_factory):
    deal = with_discussion(DISCUSSION)
    root = site_factory.make({"first-deal.md": deal})
    assert [f.format() for f in check(root, TODAY).findings] == []
    loaded = check(root, TODAY)
    assert loaded.deals, "the deal should load"
    [first, second] = loaded.deals[0].discussion
    assert (first.number, first.kind, first.item, first.answered) == (1, "question", "demo", TODAY)
    assert first.answer == "Yes; we will show Okta."
    assert (second.number, second.kind, second.declined) == (
        2,
        "proposal",
        "The price holds only until April 30.",
    )
    assert loaded.deals[0].updates_to == "sam.carter@northwind.example"


def test_bad_entries_are_named_by_number_and_line(site_factory):
    deal = with_discussion(
        "updates_to: sam at northwind\n"
        "discussion:\n"
        "  - {who: Dana, when: 2027-02-21, text: Hi, kind: gossip}\n"
        "  - {who: Dana, when: 2027-02-21, text: About the POC, item: poc}\n"
        "  - {who: Dana, text: no date}\n"
    )
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'updates_to')}: error: 'updates_to' is 'sam at northwind', which is "
        "not one e-mail address (hint: write one address, e.g. updates_to: sam.carter@northwind.example)",
        f"{DEAL_PATH}:{line_of(deal, 'gossip')}: error: 'kind' in discussion entry 1 is 'gossip'; "
        "expected one of: question, comment, agreement, proposal",
        f"{DEAL_PATH}:{line_of(deal, 'item: poc')}: warning: 'item' of discussion entry 2 is 'poc', "
        "which is no milestone id or action of the plan (hint: the portal shows it with the plan as a "
        "whole; write a milestone id or '<milestone id>/<task>' to attach it to an item)",
        f"{DEAL_PATH}:{line_of(deal, 'no date')}: error: discussion entry 3 is missing the required "
        "field 'when'",
    ]
