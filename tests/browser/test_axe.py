"""axe-core on the pages a buyer and the team open, in Chromium: no accessibility violations.

The portal is sealed, so a static HTML check sees only the login form; axe has to run in a real
browser after the page is unlocked. axe.min.js comes from the npm `axe-core` package, pinned in
tests/browser/axe/package.json and installed by scripts/install-test-deps.sh. The portal's CSP
allows only its own scripts, so the context bypasses CSP (`bypass_csp=True`) for the injected
file; nothing else about the page changes. Each page is checked at a laptop and a phone size, in
light and dark, and a screenshot of each is saved in test-artifacts/.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from playwright.sync_api import expect

from mapsite.pipeline.build import build
from tests.browser.helpers import ACME, PageWatch, assert_clean, log_in, save_screenshot
from tests.helpers import PASSWORDS, REPO, TODAY

pytestmark = pytest.mark.browser

AXE = REPO / "tests" / "browser" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SIZES = {"laptop": (1280, 800), "phone": (375, 812)}
SCHEMES = ("light", "dark")


@pytest.fixture
def url(example_site, static_server) -> str:
    return static_server(build(example_site, today=dt.date.fromisoformat(TODAY)).out)


@pytest.fixture
def axe_page(browser):
    """A page of the given size and colour scheme, in a context where axe can be injected."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/install-test-deps.sh (it installs axe-core with npm)")
    contexts = []

    def opener(url: str, size: str, scheme: str):
        width, height = SIZES[size]
        context = browser.new_context(
            viewport={"width": width, "height": height}, color_scheme=scheme, bypass_csp=True
        )
        contexts.append(context)
        page = context.new_page()
        watch = PageWatch(page, url.split("/")[2])
        page.goto(url)
        return page, watch

    yield opener
    for context in contexts:
        context.close()


def violations(page) -> list[str]:
    """axe's violations as 'rule: target' lines, so a failure names what to fix."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']}: {', '.join(str(node['target']) for node in v['nodes'][:5])} ({v['help']})"
        for v in result["violations"]
    ]


def check(page, watch: PageWatch, name: str) -> None:
    save_screenshot(page, name)
    assert violations(page) == []
    assert_clean(watch)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("size", SIZES)
def test_the_login_page_has_no_axe_violations(url, axe_page, size, scheme):
    page, watch = axe_page(url + "acme/", size, scheme)
    expect(page.locator("#mapsite-password")).to_be_visible()
    check(page, watch, f"axe-login-{size}-{scheme}.png")


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("size", SIZES)
def test_the_unlocked_portal_has_no_axe_violations(url, axe_page, size, scheme):
    page, watch = axe_page(url + "acme/", size, scheme)
    log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"])
    expect(page.locator("h1")).to_have_text(ACME)
    check(page, watch, f"axe-portal-{size}-{scheme}.png")


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("size", SIZES)
def test_the_unlocked_team_page_has_no_axe_violations(url, axe_page, size, scheme):
    page, watch = axe_page(url + "_team/", size, scheme)
    log_in(page, PASSWORDS["MAPSITE_TEAM_PASSWORD"])
    expect(page.locator("h1")).to_have_text("Pipeline")
    check(page, watch, f"axe-team-{size}-{scheme}.png")


def test_the_axe_file_is_the_pinned_package():
    """The injected file is the version package.json pins, so a run is repeatable."""
    pinned = json.loads((AXE.parents[2] / "package.json").read_text("utf-8"))["dependencies"]["axe-core"]
    installed = json.loads((AXE.parent / "package.json").read_text("utf-8"))["version"]
    assert installed == pinned, f"run scripts/install-test-deps.sh: axe-core {installed} != {pinned}"
