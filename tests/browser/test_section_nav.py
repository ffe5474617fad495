"""The portal's section bar hides nothing and marks where the reader is; the tab has an icon that
says nothing of the buyer; the 404 page leads somewhere (issue 15, "Navigation never hides items",
"A favicon ... a 404 page whose button leads somewhere useful").

Debian's chromium on a protected build of the example site, opened with the password: the bar
(nav.js, re-run by unlock.js) as a buyer meets it on a laptop, a small laptop and a phone.
"""

from __future__ import annotations

import datetime as dt
import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from mapsite.pipeline.build import build
from tests.browser.helpers import ACME, assert_clean, log_in, save_screenshot
from tests.helpers import PASSWORDS

pytestmark = pytest.mark.browser

BUILT = dt.date(2027, 2, 22)
SCREENS = [(1280, 800), (1024, 768), (375, 812)]
LINKS = "nav.toc a[href^='#']"

# Whether an element is drawn inside the viewport and is what a click at its middle would reach
# (not clipped by the bar's scrolling, nor covered by an arrow or the log out button).
REACHABLE = """(element) => {
  const box = element.getBoundingClientRect();
  const x = box.left + box.width / 2;
  const y = box.top + box.height / 2;
  if (box.left < 0 || box.right > innerWidth || box.top < 0 || box.bottom > innerHeight) return false;
  const bar = element.closest("ul").getBoundingClientRect();
  if (box.left < bar.left || box.right > bar.right) return false;
  return element.contains(document.elementFromPoint(x, y));
}"""


@pytest.fixture
def url(example_site, static_server) -> str:
    return static_server(build(example_site, today=BUILT).out)


def _open(browser, url: str, width: int, height: int, scheme: str = "light"):
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = context.new_page()
    page.clock.set_fixed_time(dt.datetime.combine(BUILT, dt.time(10)))
    page.goto(url + "acme/")
    log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"])
    expect(page.locator("h1")).to_have_text(ACME)
    # The reader's Update menus (updates.js) join the rows a moment after the heading shows and
    # make them taller: a section scrolled to before then would move away from the reading line.
    expect(page.locator("#plan details.upd-menu").first).to_be_attached()
    return context, page


def _poll(check, what: str, timeout: float = 5.0):
    """Poll from Python: the portal's CSP forbids the eval that wait_for_function(str) needs."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _in_view(page, selector: str) -> bool:
    return page.locator(selector).evaluate(
        "(e) => { const b = e.getBoundingClientRect(); return b.top >= 0 && b.top < innerHeight; }"
    )


def _settle(page) -> None:
    """Wait for the page and the bar to stop scrolling (both scroll smoothly)."""
    where = "() => [scrollY, document.querySelector('nav.toc ul').scrollLeft]"
    last: list = []

    def still() -> bool:
        nonlocal last
        now = page.evaluate(where)
        done, last = now == last, now
        return done

    time.sleep(0.1)
    _poll(lambda: still() or time.sleep(0.1), "the page to stop scrolling")


def _cue_towards(link) -> str:
    """The side of the bar the link is hidden on."""
    side = link.evaluate(
        """(e) => { const b = e.getBoundingClientRect(), bar = e.closest('ul').getBoundingClientRect();
        return b.left + b.width / 2 < bar.left + bar.width / 2 ? 'start' : 'end'; }"""
    )
    return f"nav.toc .toc-cue-{side}"


@pytest.mark.parametrize(("width", "height"), SCREENS)
def test_every_section_is_in_view_or_one_visible_arrow_away(browser, url, width, height):
    """Each link of the bar is either readable and clickable as the page opens, or an arrow shows
    on the side it is hidden on; after the arrow, it is, and it leads to its section."""
    context, page = _open(browser, url, width, height)
    links = page.locator(LINKS)
    names = links.all_inner_texts()
    assert {"Progress", "The plan", "Risks", "Notes", "Pages"} <= set(names), names
    hidden_at_first = [name for i, name in enumerate(names) if not links.nth(i).evaluate(REACHABLE)]
    if width == 1280:
        assert hidden_at_first == [], "a laptop shows the whole plan in one row"
    else:
        assert hidden_at_first, "the test must meet a hidden section here"
    save_screenshot(page, f"section-nav-{width}-top.png")

    for i, name in enumerate(names):
        link = links.nth(i)
        for _ in range(len(names)):
            if link.evaluate(REACHABLE):
                break
            cue = page.locator(_cue_towards(link))
            expect(cue, f"'{name}' is out of view and no arrow shows where").to_be_visible()
            cue.click()
            _settle(page)
        assert link.evaluate(REACHABLE), f"'{name}' never came into view"
        link.click()
        target = link.get_attribute("href")
        _poll(lambda target=target: _in_view(page, target), f"{target} to scroll into view")
        _settle(page)
    context.close()


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (375, 812)])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_section_being_read_is_marked_and_in_view_in_the_bar(browser, url, width, height, scheme):
    context, page = _open(browser, url, width, height, scheme)
    risks = page.locator("nav.toc a[href='#risks']")
    people = page.locator("nav.toc a[href='#people']")
    assert page.locator("nav.toc [aria-current]").count() == 0, "nothing is marked above the sections"

    page.mouse.move(width / 2, height - 4)  # not resting on the bar, which would keep it still
    page.locator("#risks h2").first.evaluate("(e) => e.closest('section').scrollIntoView()")
    _poll(lambda: risks.get_attribute("aria-current") == "location", "Risks to be marked")
    assert page.locator("nav.toc [aria-current]").count() == 1
    look = "(e) => { const s = getComputedStyle(e); return [s.color, s.borderBottomColor]; }"
    assert risks.evaluate(look) != people.evaluate(look), "the marked link looks like the others"
    # On a phone the bar has scrolled on its own to show the marked link.
    _poll(lambda: risks.evaluate(REACHABLE), "the Risks link to be in view in the bar")
    save_screenshot(page, f"section-nav-{width}-{scheme}-risks.png")

    page.locator("#people").evaluate("(e) => e.scrollIntoView()")
    _poll(lambda: people.get_attribute("aria-current") == "location", "People to be marked")
    assert risks.get_attribute("aria-current") is None
    context.close()


def test_the_last_sections_are_marked_when_jumped_to(browser, url):
    """The page's end: a short last section never reaches the top, yet the link used is marked."""
    context, page = _open(browser, url, 1280, 800)
    # At once after the login: the jump ends at the page's bottom, where no section crosses the
    # reading line; the bar looks again where the scroll comes to rest.
    pages = page.locator("nav.toc a[href='#pages']")
    pages.click()
    _settle(page)
    _poll(lambda: pages.get_attribute("aria-current") == "location", "Pages to be marked")
    context.close()


def test_the_tab_icon_is_public_and_names_no_buyer(browser, url):
    context = browser.new_context()
    page = context.new_page()
    page.goto(url + "acme/")
    # The address the browser fetches (unlock.js pins icon links to absolute addresses).
    href = page.locator("link[rel=icon]").evaluate("link => link.href")
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert b"acme" not in response.body().lower()
    assert "acme" not in urlsplit(href).path.lower()
    log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"])
    expect(page.locator("h1")).to_have_text(ACME)
    opened = page.locator("link[rel=icon]").evaluate("link => link.href")
    assert opened == href, "the same icon once opened"
    context.close()


def test_the_404_button_leads_to_the_landing_page(example_site, static_server, open_page):
    url = static_server(build(example_site, today=BUILT, protect=False).out)
    page, watch = open_page(url + "404.html")
    expect(page.locator("main")).to_contain_text("ask them to send it again")
    page.get_by_role("link", name="Go to Northwind deal rooms").click()
    expect(page).to_have_url(url)
    expect(page.locator("main")).to_contain_text("Open the link your contact at Northwind Software")
    assert_clean(watch)
