"""The built example portal in a real Chromium, at laptop and phone widths."""

from __future__ import annotations

import datetime as dt

import pytest

from mapsite.pipeline.build import build
from tests.browser.helpers import save_screenshot

pytestmark = pytest.mark.browser

KEY_TEXTS = [
    "Acme x Northwind: Marketing Automation Rollout",
    "This week",  # the first block under the header (issue 15; it was "Next up")
    "Timeline",
    "Security Review Complete",
    "Dana Whitfield",
    "Budget owner",  # the economic buyer, in the buyer's words
    "Lead processing time",
    "Q1 budget freeze",
    "Weekly MAP review",
    "Why we are doing this together",
]


@pytest.fixture
def portal_url(example_site, static_server):
    result = build(example_site, today=dt.date(2027, 2, 22), protect=False)
    return static_server(result.out)


@pytest.mark.parametrize("width, height", [(1280, 900), (375, 812)], ids=["laptop", "phone"])
def test_portal_reads_well_at_every_width(open_page, portal_url, width, height):
    page, watch = open_page(portal_url + "acme/", width, height)
    page.wait_for_load_state("load")
    for text in KEY_TEXTS:
        assert page.get_by_text(text, exact=False).filter(visible=True).count() > 0, text
    assert page.locator("h1").count() == 1
    # A phone reads the timeline as a list by phase; wider screens get the drawing.
    timeline = "svg.timeline" if width > 600 else ".tl-list"
    assert page.locator(timeline).first.is_visible(), timeline
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {width}px"
    assert watch.errors == []
    assert watch.foreign == []
    save_screenshot(page, f"portal-acme-{width}.png")


def test_images_and_files_load_from_the_portal(open_page, portal_url):
    page, watch = open_page(portal_url + "acme/")
    logo = page.locator("img[alt*='Acme Corp']").first
    assert logo.evaluate("img => img.complete && img.naturalWidth > 0")
    diagram = page.locator("img[alt='Rollout plan overview']")
    diagram.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=diagram.element_handle())
    with page.expect_download() as download:
        page.get_by_role("link", name="ROI model (PDF)").click()
    assert download.value.suggested_filename == "roi-model.pdf"
    assert watch.errors == [] and watch.foreign == []


def test_extra_page_and_back(open_page, portal_url):
    page, watch = open_page(portal_url + "acme/")
    page.get_by_role("link", name="Security review pack").first.click()
    page.wait_for_url("**/acme/security/")
    assert page.locator("h1").inner_text() == "Security review pack"
    page.get_by_role("link", name="Back to the plan").click()
    page.wait_for_url("**/acme/")
    assert watch.errors == [] and watch.foreign == []


def test_three_way_deal_shows_the_partner(open_page, portal_url):
    page, watch = open_page(portal_url + "globex/", 375, 812)
    assert page.get_by_text("Initech Consulting").filter(visible=True).count() > 0
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert watch.errors == [] and watch.foreign == []
    save_screenshot(page, "portal-globex-375.png")
