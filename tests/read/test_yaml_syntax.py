"""Issue 14: a YAML syntax error in a deal file names the line the mistake is on and says in plain
words what to do, for the mistakes reps make by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from mapsite.pipeline.check import check
from mapsite.read.comments import cut_text
from mapsite.read.yaml import read_yaml
from tests.helpers import MINIMAL_DEAL, line_of

TODAY = dt.date(2027, 2, 22)
DEAL_PATH = "content/deals/first-deal.md"


def only_finding(site_factory, old: str, new: str) -> tuple[str, str]:
    """The single finding of MINIMAL_DEAL with ``old`` replaced, and the deal's text."""
    assert old in MINIMAL_DEAL, old
    deal = MINIMAL_DEAL.replace(old, new, 1)
    root = site_factory.make({"first-deal.md": deal})
    [finding] = check(root, TODAY).findings
    return finding.format(), deal


@pytest.mark.parametrize(
    ("old", "new", "message", "hint"),
    [
        (  # Before: reported on the next line, as "could not find expected ':'".
            "updated: 2027-02-20",
            "updated 2027-02-20",
            "'updated 2027-02-20' has no ':' after its field name",
            "write it as field: value, with a space after the ':'",
        ),
        (  # Before: "did not find expected ',' or '}' while parsing a flow mapping".
            "name: Technical Demo,",
            "name: Demo: live,",
            "a value inside {...} contains ':' (or another character YAML reads as structure)",
            'quote the whole value, e.g. {name: "Security review: legal"}',
        ),
        (
            "name: Technical Demo,",
            "name: Demo #2,",
            "' #' inside {...} starts a comment that hides the rest of the line",
            "quote the value that contains '#', e.g. {name: \"Round #2\"}",
        ),
        (  # Before: reported at the end of the frontmatter, as "found unexpected end of stream".
            "value_summary: Buyer Co cuts onboarding time in half.",
            "value_summary: 'Buyer Co cuts onboarding time in half.",
            "a quote opened on this line is never closed",
            "end the value with the same quote it starts with; inside '...' write '' for a '",
        ),
        (  # Before: "the deal is missing the required field 'buyer'", swallowed by the title.
            "title: Buyer Co x Northwind",
            'title: "Buyer Co x Northwind',
            "the quote opened on this line is not closed on it, so the fields after it, up to the "
            "next quote, become its text",
            "end the value with the same quote it starts with",
        ),
        (  # Before: reported on the next line.
            "password_env: TEST_PORTAL_PASSWORD}",
            "password_env: TEST_PORTAL_PASSWORD",
            "the '{' on this line is never closed with '}'",
            "end it with '}' on the same line, or quote a value that contains '{' or '}'",
        ),
        (
            "title: Buyer Co x Northwind",
            'title: "Buyer Co" x Northwind',
            "did not find expected key while parsing a block mapping",
            "a value that starts with a quote must end with it: quote the whole value, e.g. "
            "title: '\"Best\" plan'",
        ),
    ],
)
def test_a_syntax_error_is_explained_at_the_line_of_the_mistake(site_factory, old, new, message, hint):
    finding, deal = only_finding(site_factory, old, new)
    assert finding == (
        f"{DEAL_PATH}:{line_of(deal, new)}: error: YAML syntax error: {message} (hint: {hint})"
    )


def test_a_tab_says_so_at_its_line(site_factory):
    finding, deal = only_finding(site_factory, "  - {id: eb,", "\t- {id: eb,")
    assert finding == (
        f"{DEAL_PATH}:{line_of(deal, 'id: eb')}: error: YAML syntax error: this line is indented "
        "with a tab (hint: YAML indents with spaces, not tabs)"
    )


@pytest.mark.parametrize(
    ("text", "kept", "dropped"),
    [
        ("name: Round #2\n", "Round", "2"),
        ("title: Item #3 of 5\n", "Item", "3 of 5"),
        ("items:\n  - Bid #2 review\n", "Bid", "2 review"),
        ("task: Launch #kickoff\n", "Launch", "kickoff"),
    ],
)
def test_a_value_a_comment_probably_cut_is_noted_with_its_line(text, kept, dropped):
    [cut] = read_yaml(text).cut_texts
    assert (cut.line, cut.kept, cut.dropped) == (text.count("\n"), kept, dropped)


@pytest.mark.parametrize(
    "text",
    [
        "due: 2027-03-01  # moved after the board\n",
        "due: 2027-03-01 # 2 weeks later\n",
        "notes: ask in #legal\n",
        'name: "Round #2"\n',
        "# a comment line\nname: Round 2\n",
        "name: Round#2\n",
    ],
)
def test_ordinary_comments_and_quoted_hashes_are_left_alone(text):
    assert read_yaml(text).cut_texts == ()


def test_a_cut_value_gets_a_warning_with_the_quoted_line_to_write(site_factory):
    deal = MINIMAL_DEAL.replace("title: Buyer Co x Northwind", "title: Buyer Co x Northwind #2", 1)
    deal = deal.replace("id: demo, name: Technical Demo,", "id: demo, name: Demo,", 1)
    deal = deal.replace(
        "milestones:\n",
        "milestones:\n  - phase: Round\n    id: r2\n    name: Round #2 trial\n"
        "    owners: [champ]\n    due: 2027-03-05  # moved\n",
        1,
    )
    root = site_factory.make({"first-deal.md": deal})
    assert [f.format() for f in check(root, TODAY).findings] == [
        f"{DEAL_PATH}:{line_of(deal, 'Northwind #2')}: warning: the value 'Buyer Co x Northwind' "
        "stops at ' #': YAML reads '#2' as a comment (hint: quote it to keep the '#': "
        'title: "Buyer Co x Northwind #2")',
        f"{DEAL_PATH}:{line_of(deal, 'Round #2')}: warning: the value 'Round' stops at ' #': YAML "
        "reads '#2 trial' as a comment (hint: quote it to keep the '#': name: \"Round #2 trial\")",
    ]


def test_cut_text_needs_a_space_before_the_hash():
    assert cut_text("#2", "name", "Round", 1) is None
