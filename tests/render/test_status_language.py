"""One status language on the buyer's page: the critical-path mark has its own fixed colour (never
the buyer's brand colour), the timeline's legend names every mark it draws, and a phone gets the
timeline as a list by phase with dates and the plan's own badges."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from mapsite.pipeline.build import build
from tests.helpers import REPO
from tests.htmltree import parse

CSS = (REPO / "themes" / "default" / "static" / "mapsite.css").read_text("utf-8")


@pytest.fixture(scope="module")
def acme(tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "site"
    built = build(REPO, out=out, today=dt.date(2027, 2, 22), protect=False)
    return parse((built.out / "acme" / "index.html").read_text("utf-8"))


def rule(selector: str) -> str:
    """The declarations of the first CSS rule for exactly ``selector``."""
    match = re.search(r"(?m)^" + re.escape(selector) + r" \{([^}]*)\}", CSS)
    assert match, selector
    return match.group(1)


def test_the_critical_path_mark_never_takes_the_brand_colour():
    for selector in (".badge-critical", ".tl-critical"):
        declarations = rule(selector)
        assert "accent" not in declarations, selector
        assert "var(--critical)" in declarations, selector
    assert re.search(r"--critical: #[0-9a-f]{6};", CSS)


def test_the_timeline_legend_lists_every_mark_it_draws(acme):
    [svg] = acme.by_id("timeline").find_all("svg")
    [legend] = [g for g in svg.find_all("g") if "tl-legend" in g.attrs.get("class", "")]
    words = legend.text()
    for label in (
        "Done",
        "In progress",
        "Pending",
        "Blocked",
        "At risk",
        "Skipped",
        "Overdue",
        "Critical path",
    ):
        assert label in words, label
    drawn = [g for g in svg.find_all("g") if g.attrs.get("class") == "tl-milestone"]
    assert any("tl-critical" in str(g) for g in drawn), "the example has critical-path milestones"
    assert any("tl-overdue" in str(g) for g in drawn), "the example has an overdue milestone"


def test_the_timeline_has_a_phone_list_by_phase_with_dates_and_the_plans_badges(acme):
    [listing] = [d for d in acme.by_id("timeline").find_all("div") if d.attrs.get("class") == "tl-list"]
    text = listing.text()
    assert "Discovery" in text and "Implementation" in text
    assert "Apr 30" in text and "Contract Signature" in text
    assert "Critical path" in text and "Overdue" in text
    icons = {b.text() for b in listing.find_all("span") if b.attrs.get("class") == "badge-icon"}
    assert {"◆", "!", "✓", "○"} <= icons
