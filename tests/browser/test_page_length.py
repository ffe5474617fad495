"""The buyer's page stays short without hiding anything (issue 15, "Shorter page").

Done work folds behind "N done · Show", Progress is one bar and a chip per phase, long notes fold
behind "More" and tables in notes scroll inside their own box. Measured in Chromium on the
example's Acme plan at a laptop's and a phone's size, in light and dark.
"""

from __future__ import annotations

import base64
import datetime as dt
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from mapsite.pipeline.build import build
from tests.browser.helpers import log_in, save_screenshot
from tests.helpers import PASSWORDS, REPO

pytestmark = pytest.mark.browser

BUILT = dt.date(2027, 2, 22)
SIZES = [(1280, 800, 6), (375, 812, 10)]  # width, height, most screens the page may take
LONG_NOTE = (
    "Access credentials pending. The InfoSec team approves every service account before the "
    "sandbox opens, and its board meets on Thursdays only, so a request that misses the cut "
    "waits a full week. It ends with FINAL-WORDS."
)
WIDE_TABLE = "\n\n| Document | Owner | Status | Reviewer | Due | Comment |\n|---|---|---|---|---|---|\n" + (
    "| SOC 2 Type II report | Priya Nair | Sent | InfoSec Team | 2027-03-01 | "
    "Waiting_for_the_signed_NDA_before_the_auditor_releases_it |\n"
)


def _site(root: Path) -> Path:
    site = root / "example"
    site.mkdir()
    shutil.copy2(REPO / "mapsite.yml", site / "mapsite.yml")
    shutil.copytree(REPO / "content", site / "content")
    shutil.copytree(REPO / "assets", site / "assets")
    return site


@pytest.fixture(scope="module")
def acme(tmp_path_factory) -> Path:
    """The example's Acme plan as published (unprotected: the length is the page's, not the login's)."""
    return build(_site(tmp_path_factory.mktemp("length")), today=BUILT, only="acme", protect=False).out


@pytest.fixture(scope="module")
def wordy(tmp_path_factory) -> Path:
    """Acme with a long milestone note and a wide table in its notes."""
    site = _site(tmp_path_factory.mktemp("wordy"))
    deal = site / "content" / "deals" / "acme" / "index.md"
    text = deal.read_text("utf-8")
    assert "notes: Access credentials pending" in text
    text = text.replace("notes: Access credentials pending", f"notes: {LONG_NOTE}", 1) + WIDE_TABLE
    deal.write_text(text, "utf-8")
    return build(site, today=BUILT, only="acme", protect=False).out


def _open(browser, url: str, width: int, height: int, scheme: str = "light"):
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = context.new_page()
    page.clock.set_fixed_time(dt.datetime(2027, 2, 22, 10))
    page.goto(url)
    expect(page.locator("h1")).to_contain_text("Acme x Northwind")
    return context, page


def _milestone(page, name: str):
    """The plan's row of the milestone called ``name`` (a later row may name it in "After:")."""
    return page.locator("#plan .milestone").filter(has=page.locator(".ms-name", has_text=name))


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("width", "height", "screens"), SIZES)
def test_the_plan_is_short_and_every_milestone_is_still_there(
    browser, static_server, acme, width, height, screens, scheme
):
    context, page = _open(browser, static_server(acme) + "acme/", width, height, scheme)
    try:
        save_screenshot(page, f"page-length-{width}-{scheme}.png")
        length = page.evaluate("document.documentElement.scrollHeight")
        assert length < screens * height, f"{length / height:.1f} screens at {width}x{height}"
        # Folded, not removed: every milestone's name is in the page.
        names = page.locator("#plan .ms-name").all_text_contents()
        for expected in (
            "Initial Discovery Complete",
            "Technical Demo",
            "POC Scope Agreement",
            "Kickoff Call",
        ):
            assert expected in names
        assert len(names) == 15
    finally:
        context.close()


@pytest.fixture(scope="module")
def sealed_acme(tmp_path_factory) -> Path:
    """The example built as it is published: protected, so an unlocked page carries the reader's
    Update menus and tools (issue 16), which take room too."""
    site = _site(tmp_path_factory.mktemp("sealed-length"))
    with pytest.MonkeyPatch.context() as patch:
        for name, value in PASSWORDS.items():
            patch.setenv(name, value)
        patch.setenv("MAPSITE_SECRET", base64.urlsafe_b64encode(bytes(range(32))).rstrip(b"=").decode())
        return build(site, today=BUILT, only="acme").out


@pytest.mark.parametrize(("width", "height", "screens"), SIZES)
def test_the_page_a_buyer_unlocks_is_as_short(browser, static_server, sealed_acme, width, height, screens):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        page.clock.set_fixed_time(dt.datetime(2027, 2, 22, 10))
        page.goto(static_server(sealed_acme) + "acme/")
        log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"])
        expect(page.locator("h1")).to_contain_text("Acme x Northwind")
        expect(page.locator("#plan details.upd-menu").first).to_be_attached()  # the reader's tools are in
        save_screenshot(page, f"page-length-unlocked-{width}.png")
        length = page.evaluate("document.documentElement.scrollHeight")
        assert length < screens * height, f"{length / height:.2f} screens at {width}x{height}"
    finally:
        context.close()


def test_done_work_folds_behind_its_phase_show(browser, static_server, acme):
    context, page = _open(browser, static_server(acme) + "acme/", 375, 812)
    try:
        done = _milestone(page, "POC Scope Agreement")
        open_one = _milestone(page, "POC Environment Setup")
        expect(open_one).to_be_visible()
        expect(done).to_be_hidden()
        validation = page.locator("#plan .phase", has=page.locator("h3", has_text="Validation"))
        # The action's fold ("1 done") comes first inside the milestone; the phase's is its own.
        fold = validation.locator(":scope > details.done-fold > summary")
        expect(fold).to_have_accessible_name("1 done · Show")
        fold.get_by_text("Show").click()
        expect(done).to_be_visible()
        expect(fold.get_by_text("Hide")).to_be_visible()
        # A phase all done is one line with its count; Show opens it.
        discovery = page.locator("#plan .phase", has=page.locator("h3", has_text="Discovery"))
        expect(discovery.locator("summary")).to_contain_text("1 of 1 done")
        first = _milestone(page, "Initial Discovery Complete")
        expect(first).to_be_hidden()
        discovery.locator("summary").get_by_text("Show").click()
        expect(first).to_be_visible()
        # A done action of an open milestone folds the same way.
        done_action = open_one.locator("li.check.is-done")
        expect(done_action).to_be_hidden()
        open_one.locator("summary").get_by_text("Show").click()
        expect(done_action).to_contain_text("Provide POC environment access")
        expect(done_action).to_be_visible()
    finally:
        context.close()


def test_progress_is_one_bar_and_a_chip_per_phase(browser, static_server, acme):
    context, page = _open(browser, static_server(acme) + "acme/", 1280, 800)
    try:
        progress = page.locator("#progress")
        assert progress.locator("progress").count() == 1
        chips = progress.locator(".phase-chip")
        expect(chips).to_have_count(8)
        expect(chips.nth(0)).to_have_text("✓Discovery 1 of 1 done")
        expect(chips.nth(2)).to_have_text("◐Validation 1 of 3 done")
        assert "pc-done" in (chips.nth(0).get_attribute("class") or "")
        chips.nth(2).locator("a").click()
        expect(page.locator("#phase-3")).to_be_in_viewport()
    finally:
        context.close()


def test_printed_page_shows_done_work(browser, static_server, acme):
    context, page = _open(browser, static_server(acme) + "acme/?as-built", 1280, 900)
    try:
        page.emulate_media(media="print")
        for name in ("Initial Discovery Complete", "POC Scope Agreement", "Demo Follow-Up Q&A"):
            expect(_milestone(page, name)).to_be_visible()
        assert page.locator("#plan summary .fold-cue:visible").count() == 0
    finally:
        context.close()


def test_a_long_note_folds_behind_more(browser, static_server, wordy):
    context, page = _open(browser, static_server(wordy) + "acme/", 375, 812)
    try:
        milestone = _milestone(page, "POC Environment Setup")
        note = milestone.locator(".ms-notes")
        expect(note).to_contain_text("Access credentials pending.")
        expect(note.get_by_text("FINAL-WORDS", exact=False)).to_be_hidden()
        note.get_by_text("More").click()
        expect(note.locator("p")).to_have_text(LONG_NOTE)
        expect(note.locator("p")).to_be_visible()
    finally:
        context.close()


def test_a_table_in_notes_scrolls_in_its_own_box_on_a_phone(browser, static_server, wordy):
    context, page = _open(browser, static_server(wordy) + "acme/", 375, 812)
    try:
        box = page.locator("#notes .table-scroll")
        expect(box).to_have_count(1)
        box.scroll_into_view_if_needed()
        expect(box.get_by_text("Scroll sideways for more")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") == 375
        assert box.evaluate("el => el.scrollWidth > el.clientWidth")
        save_screenshot(page, "page-length-notes-table-375.png")
    finally:
        context.close()


# Most pixels each compacted part may take (issue 15: before, 264/219, 732/1441, 530/862, 310/524
# and 466/910 at 1280/375).
BUDGETS = {
    1280: {"header.masthead": 170, "#timeline": 620, "#people": 400, ".pair": 220, "#calendar": 200},
    375: {"header.masthead": 150, "#timeline": 1100, "#people": 720, ".pair": 430, "#calendar": 320},
}


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (375, 812)])
def test_masthead_timeline_people_meetings_and_calendar_are_compact(
    browser, static_server, acme, width, height
):
    context, page = _open(browser, static_server(acme) + "acme/", width, height)
    try:
        for selector, most in BUDGETS[width].items():
            box = page.locator(selector).first.bounding_box()
            assert box is not None and box["height"] <= most, f"{selector}: {box} at {width}px"
        # Compact, not cut: every stakeholder is on the page, with title and role.
        people = page.locator("#people .person-card")
        expect(people).to_have_count(10)
        dana = people.filter(has_text="Dana Whitfield")
        expect(dana).to_be_visible()
        expect(dana).to_contain_text("VP Marketing")
        expect(dana).to_contain_text("Project lead")
        if width == 1280:
            # The two sides next to each other on a laptop.
            sides = page.locator("#people .people-group")
            assert sides.nth(0).bounding_box()["y"] == sides.nth(1).bounding_box()["y"]
    finally:
        context.close()


def test_the_phone_timeline_folds_done_work_per_phase(browser, static_server, acme):
    context, page = _open(browser, static_server(acme) + "acme/", 375, 812)
    try:
        listing = page.locator("#timeline .tl-list")
        expect(listing).to_be_visible()
        open_one = listing.locator("li", has_text="POC Environment Setup")
        expect(open_one).to_be_visible()
        expect(open_one).to_contain_text("Feb 18")
        # A phase all done is one line: its name, "1 done", Show.
        discovery = listing.locator("details", has=page.locator(".tl-list-phase", has_text="Discovery"))
        first = listing.locator("li", has_text="Initial Discovery Complete")
        expect(first).to_be_hidden()
        expect(discovery.locator("summary")).to_have_accessible_name("Discovery 1 done · Show")
        discovery.locator("summary").get_by_text("Show").click()
        expect(first).to_be_visible()
        expect(first).to_contain_text("Done")
        # A phase with open work lists it, then its done work behind "1 done · Show".
        done = listing.locator("li", has_text="POC Scope Agreement")
        expect(done).to_be_hidden()
        fold = listing.locator("details", has=page.locator("li", has_text="POC Scope Agreement")).locator(
            "summary"
        )
        expect(fold).to_have_accessible_name("1 done · Show")
        fold.get_by_text("Show").click()
        expect(done).to_be_visible()
        save_screenshot(page, "page-length-timeline-375.png")
    finally:
        context.close()


def test_one_persons_calendar_is_one_click_further(browser, static_server, acme):
    context, page = _open(browser, static_server(acme) + "acme/", 1280, 800)
    try:
        calendar = page.locator("#calendar")
        whole = calendar.get_by_role("link", name="Download the whole plan (.ics)")
        expect(whole).to_be_visible()
        person = calendar.get_by_role("link", name="InfoSec Team (calendar file)")
        expect(person).to_be_hidden()
        calendar.locator("summary", has_text="Only what one person owns").click()
        expect(person).to_be_visible()
        expect(calendar.get_by_role("link", name="(calendar file)")).to_have_count(10)
        # The whole plan's link and what it is share a line on a laptop.
        intro = calendar.locator(".calendar-intro")
        assert abs(whole.bounding_box()["y"] - intro.bounding_box()["y"]) < 40
    finally:
        context.close()
