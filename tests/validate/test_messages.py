"""Issue 14, messages that help: one mistake in a deal file gets one message, at its line, that
says what the rep most likely meant."""

from __future__ import annotations

import datetime as dt

import pytest

from mapsite.pipeline.check import check
from tests.helpers import MINIMAL_DEAL, line_of

TODAY = dt.date(2027, 2, 22)
DEAL_PATH = "content/deals/first-deal.md"
STATUSES = "done, in_progress, pending, blocked, at_risk, skipped"


def findings(site_factory, deal: str) -> list[str]:
    root = site_factory.make({"first-deal.md": deal})
    return [f.format() for f in check(root, TODAY).findings]


def replace(old: str, new: str, text: str = MINIMAL_DEAL) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def test_a_misspelt_close_date_is_one_error_at_its_line_and_no_cascade(site_factory):
    # Before: "missing the required field 'close_date'" at line 2, a warning at the typo, and one
    # "refers to 'close'" error per relative date (21 of them in a blueprint deal).
    deal = replace("close_date: 2027-04-30", "close_dte: 2027-04-30")
    deal = replace(
        "milestones:\n",
        "actions:\n  - {task: Send the order form, owner: ae, due: close - 10bd}\nmilestones:\n",
        deal,
    )
    deal = replace("due: 2027-03-01}", "due: close - 20bd}", deal)
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'close_dte')}: error: unknown field 'close_dte' in the deal, "
        "and the required field 'close_date' is missing (hint: did you mean 'close_date'?)"
    ]


def test_a_misspelt_field_read_before_the_unknown_ones_is_also_one_error(site_factory):
    # A risk reads its required 'risk' before it looks for unknown fields: the order must not matter.
    deal = replace(
        "value_summary:",
        "risks:\n  - {rsk: Budget freeze, probability: high, impact: high}\nvalue_summary:",
    )
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'rsk:')}: error: unknown field 'rsk' in a risk, "
        "and the required field 'risk' is missing (hint: did you mean 'risk'?)"
    ]


def test_a_misspelt_due_leaves_its_dependents_without_a_second_message(site_factory):
    deal = replace("due: 2027-03-01}", "du: 2027-03-01}")
    deal = replace("due: close, depends_on: [demo]}", "due: demo + 5bd, depends_on: [demo]}", deal)
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'du: 2027')}: error: unknown field 'du' in milestone "
        "'Technical Demo', and the required field 'due' is missing (hint: did you mean 'due'?)"
    ]


def test_a_value_cut_by_a_comma_in_braces_says_to_quote_it(site_factory):
    deal = replace("name: Technical Demo,", "name: Technical Demo, Q&A and scope,")
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'Q&A')}: warning: unknown field 'Q&A and scope' in milestone "
        "'Technical Demo' (hint: a ',' inside {...} ends the value: if this is the rest of the value "
        'before it, quote that whole value, e.g. name: "Discovery, goals and scope")'
    ]


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("complete", "done"),
        ("completed", "done"),
        ("finished", "done"),
        ("yes", "done"),
        ("not started", "pending"),
    ],
)
def test_a_status_in_the_reps_words_suggests_mapsites_word(site_factory, written, meant):
    deal = replace("due: 2027-03-01}", f"due: 2027-03-01, status: {written}}}")
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'status:')}: error: 'status' in milestone 'Technical Demo' is "
        f"'{written}'; expected one of: {STATUSES} (hint: did you mean '{meant}'?)"
    ]


@pytest.mark.parametrize("written", ["dana", "whitfield", "dana-whitfield", "dw", "Dana"])
def test_an_owner_written_as_a_name_suggests_that_stakeholder(site_factory, written):
    # champ is "Dana Whitfield": before, the hint listed the ids and left the rep to guess.
    deal = replace("owners: [champ, ae]", f"owners: [{written}, ae]")
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, written + ', ae')}: error: '{written}' in owners of milestone "
        "'Technical Demo' is not a stakeholder id (hint: did you mean 'champ' (Dana Whitfield)?)"
    ]


def test_an_owner_hint_names_the_closest_id_and_the_person_called_so(site_factory):
    deal = replace("{id: ae, name: Sam Carter", "{id: ray, name: Sam Carter")
    deal = replace("owners: [champ, ae]", "owners: [champ, raj]", deal).replace(", ae]", ", ray]")
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'raj')}: error: 'raj' in owners of milestone 'Technical Demo' "
        "is not a stakeholder id (hint: did you mean 'ray' or 'eb' (Raj Patel)?)"
    ]
