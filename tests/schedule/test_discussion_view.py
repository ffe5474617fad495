"""The deal's discussion in the portal (issue 16, "The portal shows the discussion"): one
#discussion section newest first, with who, when, the item it is about (a link to it), the
answer or "Waiting for an answer", a declined proposal's reason, an agreement as a sentence,
each milestone's "N comments" link, the nav's "Discussion"; and the facts "New since your last
visit" compares (schedule/seen.py)."""

from __future__ import annotations

import datetime as dt
import re

from mapsite.pipeline.build import build
from mapsite.pipeline.load import load_deals
from mapsite.read.site import load_site
from mapsite.schedule.discussion import discussion_view
from mapsite.schedule.seen import seen_facts
from tests.helpers import MINIMAL_DEAL
from tests.htmltree import parse

TODAY = dt.date(2027, 2, 22)
DISCUSSION = """\
actions:
  - {task: Send the data sample, owner: champ, due: 2027-02-26, milestone: demo}
discussion:
  - {who: Dana Whitfield, when: 2027-02-18, kind: question, item: demo, text: Can we add SSO to the pilot?, answer: Yes from day one., answered: 2027-02-19}
  - {who: Raj Patel, when: 2027-02-19, kind: proposal, item: signature, text: Move the signature to May 7, declined: The board meets on Apr 28.}
  - {who: Dana Whitfield, when: 2027-02-20, kind: agreement, text: We agree to this plan}
  - {who: Lena Okafor, when: 2027-02-21, kind: question, item: demo/Send the data sample, text: Which fields does the sample need?}
"""
DEAL = MINIMAL_DEAL.replace("---\nThe shared plan.", DISCUSSION + "---\nThe shared plan.")


def deal_of(site_factory, text: str = DEAL):
    site, _ = load_site(site_factory.make({"buyer-co.md": text}))
    [deal] = load_deals(site, TODAY).deals
    return deal


def test_entries_come_newest_first_with_the_item_they_are_about(site_factory):
    view = discussion_view(deal_of(site_factory))
    assert [(t.entry.number, t.about, t.about_anchor) for t in view.entries] == [
        (4, "Send the data sample", "ms-demo"),
        (3, None, None),
        (2, "Contract Signature", "ms-signature"),
        (1, "Technical Demo", "ms-demo"),
    ]
    # The demo's row links to the newest of its two entries (one on an action of it).
    assert view.by_milestone["demo"].label == "2 comments"
    assert view.by_milestone["demo"].anchor == "talk-4"
    assert view.by_milestone["signature"].label == "1 comment"


def test_seen_facts_hold_states_dates_and_answers_not_the_readers_day(site_factory):
    facts = seen_facts(deal_of(site_factory))
    # In the plan's order: milestones, then actions.
    assert facts["items"] == [
        ["demo", "pending", "2027-03-01", "Technical Demo", "ms-demo"],
        ["signature", "pending", "2027-04-30", "Contract Signature", "ms-signature"],
        ["demo/Send the data sample", "open", "2027-02-26", "Send the data sample", "ms-demo"],
    ]
    # Only answered or declined entries: an unanswered question has nothing to compare yet.
    assert [answer[:2] for answer in facts["answers"]] == [
        ["Dana Whitfield|2027-02-18|Can we add SSO to the pilot?", "Yes from day one."],
        ["Raj Patel|2027-02-19|Move the signature to May 7", "declined: The board meets on Apr 28."],
    ]


def test_the_portal_shows_the_discussion_section_and_links(site_factory):
    site = site_factory.make({"buyer-co.md": DEAL})
    out = build(site, today=TODAY, protect=False).out
    page = parse((out / "buyer-co" / "index.html").read_text("utf-8"))
    [nav] = page.find_all("nav")
    assert "Discussion" in [a.text() for a in nav.find_all("a")]
    [section] = page.find_all("section", id="discussion")
    entries = section.find_all("li")
    assert [e.attrs["id"] for e in entries] == ["talk-4", "talk-3", "talk-2", "talk-1"]
    # As shown: the tree's text puts a space around each element, a browser not before a stop.
    newest, agreement, declined, answered = (re.sub(r" ([.,])", r"\1", e.text()) for e in entries)
    assert newest.startswith("Lena Okafor asked Feb 21 on Send the data sample")
    assert newest.endswith("Which fields does the sample need? Waiting for an answer")
    assert agreement == "✓ Agreed Dana Whitfield agreed to this plan on Sat, Feb 20, 2027."
    assert "Declined by Northwind Software The board meets on Apr 28." in declined
    assert "Answer from Northwind Software, Feb 19 Yes from day one." in answered
    [about] = entries[0].find_all("a")
    assert about.attrs["href"] == "#ms-demo"
    [row] = page.find_all("li", id="ms-demo")
    [count] = row.find_all("p", class_="ms-talk")
    assert count.text() == "2 comments"
    assert count.find_all("a")[0].attrs["href"] == "#talk-4"


def test_a_deal_without_discussion_shows_no_section(site_factory):
    out = build(site_factory.make(), today=TODAY, protect=False).out
    html = (out / "buyer-co" / "index.html").read_text("utf-8")
    assert 'id="discussion"' not in html
    assert 'href="#discussion"' not in html
    assert "ms-talk" not in html
