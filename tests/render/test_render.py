"""The example enterprise portal as a buyer reads it: every section, its text, its order."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest

from mapsite.pipeline.build import build
from tests.helpers import MINIMAL_DEAL
from tests.htmltree import parse

TODAY = dt.date(2027, 2, 22)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from tests.helpers import REPO

    out = tmp_path_factory.mktemp("out") / "site"
    return build(REPO, out=out, today=TODAY, protect=False)


@pytest.fixture(scope="module")
def acme(built):
    html = (built.out / "acme" / "index.html").read_text("utf-8")
    return html, parse(html)


def section(doc, element_id: str) -> str:
    return doc.by_id(element_id).text()


def test_header_cobrands_seller_buyer_and_title(acme):
    html, doc = acme
    [h1] = doc.find_all("h1")
    assert h1.text() == "Acme x Northwind: Marketing Automation Rollout"
    header = doc.find_all("header")[0].text()
    assert "Northwind Software" in header
    assert any(img.attrs.get("alt") == "Acme Corp logo" for img in doc.find_all("img"))
    assert "--accent: #0A66C2" in html


def test_value_summary_and_key_dates(acme):
    _, doc = acme
    outcome = doc.find_all("section", **{"aria-labelledby": "outcome-title"})[0].text()
    assert "Acme\u2019s marketing team cuts lead processing from 5 days to 3" in outcome
    dates = doc.find_all("section", **{"aria-labelledby": "dates-title"})[0].text()
    for text in (
        "Target close",
        "Fri, Apr 30, 2027",
        "Go-live",
        "Mon, Jun 7, 2027",
        "67 days",
        "Plan updated on",
        "Fri, Feb 19, 2027",
    ):
        assert text in dates, text


def test_progress_shows_numbers_not_only_bars(acme):
    _, doc = acme
    progress = section(doc, "progress")
    assert "4 of 15 milestones done (27%)" in progress
    assert re.search(r"Validation (\d+% )?1 of 3", progress)
    assert re.search(r"Procurement (\d+% )?0 of 3", progress)


def test_next_up_by_side_with_owner_names(acme):
    _, doc = acme
    next_up = section(doc, "next-up")
    assert "Overdue and due in the next 14 days" in next_up
    # Issue 15 ("This week"): both wordings are in the page, the stylesheet shows "You owe" on the
    # reader's side and "<company> owes" on the others (tests/browser/test_this_week.py).
    you = doc.by_id("next-buyer").text()
    assert "You owe" in you and "Acme Corp owes" in you
    buyer_group = next(
        s for s in doc.find_all("section") if s.attrs.get("aria-labelledby") == "next-buyer"
    ).text()
    assert (
        "POC Environment Setup" in buyer_group and "Lena Okafor" in buyer_group and "Overdue" in buyer_group
    )
    assert "Schedule executive presentation" in buyer_group and "Dana Whitfield" in buyer_group
    # Issue 15: an item both teams own is listed once (it was under each side, so "Next up"
    # marked more items overdue than the pill counted): under the buyer, the seller's owner
    # named after "with". Acme's seller has nothing of its own due in the next 14 days.
    assert "POC Environment Setup" in buyer_group and "with Priya Nair" in buyer_group
    # Later items are in the page, hidden, for live-dates.js to show as their day comes: the
    # seller's group is there but hidden on the build day.
    seller = [s for s in doc.find_all("section") if s.attrs.get("aria-labelledby") == "next-seller"]
    assert all("hidden" in s.attrs for s in seller)


def test_timeline_is_inline_svg_with_today_and_close(acme):
    _, doc = acme
    [svg] = doc.by_id("timeline").find_all("svg")
    text = svg.text()
    assert "Today · Feb 22" in text and "Close · Apr 30" in text
    assert "Contract Signature" in text
    markers = [g for g in svg.find_all("g") if "tl-marker" in g.attrs.get("class", "")]
    statuses = {re.search(r"st-(\w+)", g.attrs["class"]).group(1) for g in markers}
    assert {"done", "in_progress", "pending", "at_risk"} <= statuses
    # Status is named in words too (legend and tooltips), not by colour alone.
    assert "At risk" in svg.text() and "In progress" in svg.text()


def test_plan_lists_milestones_by_phase_with_owners_and_actions(acme):
    _, doc = acme
    plan = section(doc, "plan")
    assert plan.index("Discovery") < plan.index("Evaluation") < plan.index("Implementation")
    assert "Security Review Complete" in plan and "At risk" in plan and "Typical 7-10 day review" in plan
    assert "InfoSec Team" in plan and "Priya Nair" in plan and "Sales Engineer" in plan
    assert "Provide data sample for POC" in plan
    # Issue 15: a relative due date in words, never the formula the rep wrote.
    assert "7 business days after Security Review Submitted" in plan
    assert "security-submit + 7bd" not in plan
    assert "Mon, Apr 12, 2027" in plan or "Apr 12" in plan


def test_commitments_split_by_side(acme):
    _, doc = acme
    commitments = section(doc, "commitments")
    assert "Acme Corp (your team)" in commitments and "Northwind Software (our team)" in commitments
    assert "Obtain CFO budget approval" in commitments and "Raj Patel" in commitments
    assert commitments.index("Acme Corp (your team)") < commitments.index("Obtain CFO budget approval")
    assert commitments.index("Northwind Software (our team)") < commitments.index(
        "Deliver ROI benchmark analysis"
    )


def test_stakeholder_map_groups_people_with_roles(acme):
    _, doc = acme
    people = section(doc, "people")
    for text in (
        "Raj Patel",
        "CFO",
        "Budget owner",
        "Dana Whitfield",
        "Project lead",
        "Ana Costa",
        "Customer success",
    ):
        assert text in people, text
    # Roles in the buyer's words: the sales terms only when mapsite.yml sets sales_roles.
    assert "Economic buyer" not in people and "Champion" not in people
    assert (
        people.index("Acme Corp")
        < people.index("Raj Patel")
        < people.index("Northwind Software")
        < people.index("Ana Costa")
    )


def test_criteria_risks_cadence_resources_narrative_pages(acme):
    _, doc = acme
    success = section(doc, "success")
    assert "Lead processing time" in success and "5 days" in success and "3 days" in success
    assert "Reference customer for the enterprise segment" in success
    risks = section(doc, "risks")
    assert "Q1 budget freeze" in risks and "Move to Q2 budget" in risks and "Sam Carter" in risks
    assert "Mitigated" in risks or "mitigated" in risks
    cadence = section(doc, "cadence")
    assert "Weekly MAP review" in cadence and "Tuesdays 10:00 PT" in cadence
    resources = doc.by_id("resources")
    links = {a.attrs.get("href"): a.text() for a in resources.find_all("a")}
    assert "Security whitepaper" in links["https://northwind.example/security"]
    assert "ROI model (PDF)" in links["files/roi-model.pdf"]
    notes = section(doc, "notes")
    assert "Why we are doing this together" in notes
    assert "five days for routing" in notes
    pages = doc.by_id("pages")
    assert [(a.text().rstrip(" →"), a.attrs["href"]) for a in pages.find_all("a")] == [
        ("Security review pack", "security/")
    ]


def test_sections_come_in_the_promised_order(acme):
    html, _ = acme
    order = [
        'id="next-up"',  # "This week" first (issue 15): what is owed now, before the overview
        'aria-labelledby="outcome-title"',
        'aria-labelledby="dates-title"',
        'id="progress"',
        'id="timeline"',
        'id="plan"',
        'id="commitments"',
        'id="people"',
        'id="success"',
        'id="risks"',
        'id="cadence"',
        'id="resources"',
        'id="notes"',
        'id="pages"',
    ]
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions)


def test_semantic_structure(acme):
    html, doc = acme
    levels = [int(e.tag[1]) for e in doc.iter() if re.fullmatch(r"h[1-6]", e.tag)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
    for landmark in ("header", "main", "footer"):
        assert doc.find_all(landmark), landmark
    assert all("alt" in img.attrs for img in doc.find_all("img"))
    for table in doc.find_all("table"):
        assert table.find_all("th")
    times = doc.find_all("time")
    assert times and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", t.attrs["datetime"]) for t in times)
    assert '<html lang="en">' in html


def test_no_request_leaves_for_another_host(built):
    for page in built.out.rglob("*.html"):
        doc = parse(page.read_text("utf-8"))
        for element in doc.iter():
            for attribute in ("src", "srcset"):
                assert "//" not in element.attrs.get(attribute, ""), (page, element.attrs)
            if element.tag == "link":
                assert "//" not in element.attrs.get("href", ""), (page, element.attrs)
    for css in built.out.rglob("*.css"):
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", css.read_text("utf-8")), css


def test_raw_html_in_markdown_is_escaped(site_factory):
    from tests.helpers import MINIMAL_DEAL

    deal = MINIMAL_DEAL.replace("The shared plan.", "<script>alert(1)</script> <img src=x onerror=alert(2)>")
    root = site_factory.make({"buyer-co.md": deal})
    result = build(root, today=TODAY, protect=False)
    html = (result.out / "buyer-co" / "index.html").read_text("utf-8")
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_light_accent_gets_dark_text(built):
    html = (built.out / "bluebird-bakery" / "index.html").read_text("utf-8")
    assert "--accent: #F7C948" in html
    assert "--on-accent: #111827" in html


def test_extra_page_has_its_own_title_and_way_back(built):
    doc = parse((built.out / "acme" / "security" / "index.html").read_text("utf-8"))
    [h1] = doc.find_all("h1")
    assert h1.text() == "Security review pack"
    back = [a for a in doc.find_all("a") if "Back to the plan" in a.text()]
    assert back and back[0].attrs["href"] == "../"  # acme/security/ -> acme/
    assert doc.find_all("table")


def test_site_theme_overrides_a_template_and_a_static_file(site_factory):
    from tests.helpers import add_site_theme

    root = site_factory.make()
    templates = add_site_theme(root, "brand")
    (root / "themes/brand/static").mkdir()
    (root / "themes/brand/static/mapsite.css").write_text("body { color: rebeccapurple; }\n", "utf-8")
    (templates / "landing.html").write_text(
        '{% extends "base.html" %}{% block content %}<p>Welcome to {{ site.title }}</p>{% endblock %}',
        "utf-8",
    )
    result = build(root, today=TODAY, protect=False)
    landing = (result.out / "index.html").read_text("utf-8")
    assert "<p>Welcome to Test deal rooms</p>" in landing
    [css] = (result.out / "assets").glob("mapsite.*.css")
    assert css.read_text("utf-8") == "body{color:rebeccapurple}"  # the site's own, published minified
    assert f'href="assets/{css.name}"' in landing
    # The deal page still comes from the default theme.
    assert "Buyer Co x Northwind" in (result.out / "buyer-co" / "index.html").read_text("utf-8")


def test_broken_site_template_is_reported_with_file_and_line(site_factory):
    from mapsite.pipeline.check import check
    from tests.helpers import MINIMAL_DEAL, add_site_theme

    # first-deal.md: a file named after the buyer would add the address warning (issue 12).
    root = site_factory.make({"first-deal.md": MINIMAL_DEAL})
    templates = add_site_theme(root, "brand")
    (templates / "landing.html").write_text(
        '{% extends "base.html" %}\n{% block content %}\n{{ site.nonexistent.deeper }}\n{% endblock %}\n',
        "utf-8",
    )
    messages = [f.format() for f in check(root, TODAY).findings]
    assert messages == [
        "themes/brand/templates/landing.html:3: error: template error: 'mapsite.read.site.Site object' has no "
        "attribute 'nonexistent'"
    ]
    (templates / "landing.html").write_text("{% block content %}\n{% if %}\n", "utf-8")
    messages = [f.format() for f in check(root, TODAY).findings]
    assert messages == [
        "themes/brand/templates/landing.html:2: error: template syntax error: Expected an expression, got 'end of "
        "statement block'"
    ]


def test_month_ticks_are_english_and_name_the_year_at_january(site_factory, tmp_path):
    # Written by mapsite, not strftime's %b: the same labels (and bytes) under any LC_TIME.
    deal = MINIMAL_DEAL.replace("close_date: 2027-04-30", "close_date: 2028-02-10").replace(
        "due: 2027-03-01", "due: 2027-12-15"
    )
    root = site_factory.make({"first-deal.md": deal})
    out = build(root, out=tmp_path / "out", today=dt.date(2027, 11, 20), protect=False).out
    html = (out / "first-deal" / "index.html").read_text("utf-8")
    assert re.findall(r'class="tl-tick-label"[^>]*>([^<]*)<', html) == ["Dec", "Jan 2028", "Feb"]
