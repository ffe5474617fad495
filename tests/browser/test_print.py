"""The printed plan in a real Chromium: what print media shows of an unlocked portal, and how
many pages it takes (the same print rules make ``mapsite pdf``)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from mapsite.pipeline.build import build
from tests.browser.helpers import pages_of
from tests.helpers import PASSWORDS, REPO

pytestmark = pytest.mark.browser

ACME = "Acme x Northwind: Marketing Automation Rollout"
BRIEF_URL = "https://northwind.example/acme-brief"
WHITE, BLACK = "rgb(255, 255, 255)", "rgb(0, 0, 0)"


@pytest.fixture(scope="module")
def portal(tmp_path_factory) -> Path:
    """The example site's Acme portal, protected, with a link in its value summary."""
    site = tmp_path_factory.mktemp("print") / "example"
    site.mkdir()
    shutil.copy2(REPO / "mapsite.yml", site / "mapsite.yml")
    shutil.copytree(REPO / "content", site / "content")
    shutil.copytree(REPO / "assets", site / "assets")
    deal = site / "content" / "deals" / "acme" / "index.md"
    text = deal.read_text("utf-8")
    ending = "before the Q3 campaign season."
    assert ending in text
    deal.write_text(
        text.replace(ending, f"before the Q3 campaign season ([brief]({BRIEF_URL})).", 1), "utf-8"
    )
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name, value in PASSWORDS.items():
            monkeypatch.setenv(name, value)
        return build(site, today=dt.date(2027, 2, 22), only="acme").out


@pytest.fixture
def unlocked(portal, browser, static_server):
    """The Acme plan, logged in, in a reader who prefers dark mode."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    page = context.new_page()
    page.goto(static_server(portal) + "acme/")
    page.get_by_label("Password").fill(PASSWORDS["ACME_PORTAL_PASSWORD"])
    page.get_by_role("button", name="Open deal room").click()
    expect(page.locator("h1")).to_have_text(ACME)
    yield page
    context.close()


def computed(page, selector: str, prop: str) -> list[str]:
    return page.eval_on_selector_all(selector, f"els => els.map(e => getComputedStyle(e).{prop})")


def test_print_shows_the_plan_without_screen_furniture(unlocked):
    page = unlocked
    # On screen the navigation, its two scroll arrows (nav.js), both log-out buttons and the
    # reader's Update menus (updates.js) are there...
    assert computed(page, ".logout-band, .toc", "display") == ["flex", "block"]
    assert page.locator(".toc-cue, [data-mapsite-logout]").count() == 4
    assert page.locator("button[data-upd-op]").count() > 0
    page.emulate_media(media="print")
    # ...on paper: no navigation, no buttons, no sections left to the portal.
    for selector in (".skip-link", ".toc", ".logout-band", "button", "#progress", "#next-up", "#timeline"):
        assert set(computed(page, selector, "display")) == {"none"}, selector
    assert page.locator("#mapsite-login, .ms-card").count() == 0
    # The plan itself: title, outcome, every milestone with its due date and owners, commitments, contacts.
    for selector in ("h1", "#outcome-title", "#plan", "#commitments", "#people"):
        expect(page.locator(selector)).to_be_visible()
    rows = page.locator("#plan .milestone")
    assert rows.count() == 15
    for part in (".ms-name", ".ms-due", ".owners"):
        assert page.locator(f"#plan .milestone {part}:visible").count() == 15, part
    expect(page.locator("#people .person-card", has_text="Dana Whitfield")).to_be_visible()
    # Ink on white although the reader prefers dark mode, and no row split across pages.
    assert computed(page, "body, .band", "backgroundColor") == [WHITE, WHITE]
    assert computed(page, "body, h1", "color") == [BLACK, BLACK]
    assert set(computed(page, "#plan .milestone", "breakInside")) == {"avoid"}


@pytest.mark.parametrize("paper", ["Letter", "A4"])
def test_printed_plan_fits_two_pages(unlocked, paper):
    count, text = pages_of(unlocked.pdf(format=paper), f"print-acme-{paper.lower()}.pdf")
    assert 1 <= count <= 2
    flat = " ".join(text.split())
    for expected in (ACME, "Initial Discovery Complete", "Contract Signature", "Ana Costa"):
        assert expected in flat, expected
    # A link prints with its address; the printed plan has no timeline and no log-out button.
    assert f"(brief({BRIEF_URL}))" in "".join(text.split())
    assert "Log out" not in flat and "Swipe sideways" not in flat
