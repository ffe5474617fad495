"""The timeline carries the dates Python drew it from (issue 15, "every figure is true on the day it
is read"): each milestone's due date on its group and the plot's first and last day on the <svg>,
so live-dates.js recounts overdue marks and the today line from dates, not from positions read
back off the drawing. Checked on the built example against the deal files as mapsite reads them.
"""

from __future__ import annotations

import datetime as dt
import re

from mapsite.pipeline.build import build
from mapsite.pipeline.readable import render_all
from mapsite.render.timeline import PLOT_LEFT, PLOT_RIGHT
from tests.htmltree import Element, parse

BUILT = dt.date(2027, 2, 22)


def _classes(element: Element) -> list[str]:
    return element.attrs.get("class", "").split()


def _milestone_groups(page: Element) -> list[Element]:
    return [g for g in page.find_all("g") if "tl-milestone" in _classes(g)]


def _label(group: Element) -> str:
    [label] = [t for t in group.find_all("text") if "tl-label" in _classes(t)]
    return label.text()


def _marker_x(group: Element) -> float:
    """The x of a marker's shape, as timeline._shape draws it (centre or path start)."""
    [marker] = [g for g in group.find_all("g") if "tl-marker" in _classes(g)]
    shape = next(child for child in marker.children if isinstance(child, Element))
    if shape.tag == "circle":
        return float(shape.attrs["cx"])
    if shape.tag == "rect":
        return float(shape.attrs["x"]) + float(shape.attrs["width"]) / 2
    return float(re.match(r"M([0-9.]+)", shape.attrs["d"]).group(1))


def test_every_marker_carries_its_due_date_from_the_deal_file(example_site):
    out = build(example_site, today=BUILT, protect=False).out
    formulas = 0
    for deal in render_all(example_site, BUILT).deals:
        page = parse((out / deal.slug / "index.html").read_text("utf-8"))
        due = {_label(group): group.attrs.get("data-due") for group in _milestone_groups(page)}
        assert due == {m.name: m.due.isoformat() for m in deal.milestones}, deal.slug
        formulas += sum(1 for m in deal.milestones if not re.fullmatch(r"\d{4}-\d\d-\d\d", m.due_text))
    assert formulas, "the example has relative due dates (x + 3bd), which the page gives as dates"


def test_the_drawings_days_place_every_marker(example_site):
    """x is linear between data-start and data-end, as live-dates.js moves the today line."""
    out = build(example_site, today=BUILT, protect=False).out
    for deal in render_all(example_site, BUILT).deals:
        page = parse((out / deal.slug / "index.html").read_text("utf-8"))
        [svg] = [s for s in page.find_all("svg") if "timeline" in _classes(s)]
        start = dt.date.fromisoformat(svg.attrs["data-start"])
        span = (dt.date.fromisoformat(svg.attrs["data-end"]) - start).days
        for group in _milestone_groups(page):
            days = (dt.date.fromisoformat(group.attrs["data-due"]) - start).days
            expected = PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) * days / span
            assert abs(_marker_x(group) - expected) <= 0.1, (deal.slug, _label(group))
