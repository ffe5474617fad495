"""End to end: deploy to a folder a web server serves under /portals/, then read it in Chromium."""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PageWatch, save_screenshot
from tests.deploy.helpers import add_targets, published, run_mapsite
from tests.helpers import PASSWORDS

pytestmark = pytest.mark.browser
ACME = "Acme x Northwind: Marketing Automation Rollout"
PUBLIC_ORIGIN = "https://deals.northwind.example"


class PagesLikeHandler(http.server.SimpleHTTPRequestHandler):
    """A dumb static host that, like GitHub Pages, answers unknown paths with the site's 404.html."""

    not_found_page: Path

    def log_message(self, format: str, *args) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != 404 or not self.not_found_page.is_file():
            super().send_error(code, message, explain)
            return
        body = self.not_found_page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def host(tmp_path):
    """A web root on 127.0.0.1 whose /portals/ folder is the deploy target; yields (root, origin)."""
    root = tmp_path / "webroot"
    (root / "portals").mkdir(parents=True)
    handler = type("Handler", (PagesLikeHandler,), {"not_found_page": root / "portals" / "404.html"})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(root))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def deployed(example_site, host):
    """The example site, served from https://deals.northwind.example/portals/, deployed to the host."""
    root, origin = host
    site_file = example_site / "mapsite.yml"
    text = site_file.read_text("utf-8").replace(f"{PUBLIC_ORIGIN}/", f"{PUBLIC_ORIGIN}/portals/")
    site_file.write_text(text, "utf-8")
    add_targets(example_site, f"deploy:\n  web: {{type: folder, path: {root / 'portals'}}}\n")
    share = run_mapsite("share", "acme", "--label", "Dana (VP Marketing)", site=example_site)
    assert share.returncode == 0, share.stderr
    link = next(line for line in share.stdout.splitlines() if "#share=" in line)
    result = run_mapsite("deploy", site=example_site)
    assert result.returncode == 0, result.stderr
    assert f"Live at {PUBLIC_ORIGIN}/portals/" in result.stdout
    assert published(root / "portals") == published(example_site / "output")
    return example_site, origin, link


@pytest.fixture
def tab(browser):
    contexts = []

    def open_tab(url: str, width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        return page, PageWatch(page, urlsplit(url).netloc)

    yield open_tab
    for context in contexts:
        context.close()


def test_a_deployed_deal_opens_under_a_sub_path_and_its_file_downloads(deployed, tab):
    site, origin, _link = deployed
    url = f"{origin}/portals/acme/"
    page, watch = tab(url)
    page.goto(url)
    expect(page.locator("#mapsite-password")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORDS["ACME_PORTAL_PASSWORD"])
    page.get_by_role("button", name="Open deal room").click()
    expect(page.locator("h1")).to_have_text(ACME)
    expect(page.get_by_text("Dana Whitfield").filter(visible=True).first).to_be_visible()
    rules = page.evaluate("document.styleSheets[0].cssRules.length")
    assert rules > 0, "the theme's stylesheet loaded from the sub-path"
    with page.expect_download() as download:
        page.get_by_role("link", name="ROI model (PDF)").click()
    source = site / "content" / "deals" / "acme" / "files" / "roi-model.pdf"
    assert download.value.suggested_filename == "roi-model.pdf"
    assert Path(download.value.path()).read_bytes() == source.read_bytes()
    # The security page opens in place, from its opaque folder (a load would ask for the password).
    page.get_by_role("link", name="Security review pack").first.click()
    expect(page.locator("h1")).to_have_text("Security review pack")
    assert "security" not in page.url and page.url.startswith(f"{origin}/portals/acme/")
    assert watch.errors == []
    assert watch.foreign == []
    save_screenshot(page, "deployed-sub-path-security.png")


def test_a_share_link_for_the_sub_path_opens_the_deployed_deal(deployed, tab):
    _site, origin, link = deployed
    assert link.startswith(f"{PUBLIC_ORIGIN}/portals/acme/#share=")
    local_link = link.replace(PUBLIC_ORIGIN, origin)
    page, watch = tab(local_link)
    page.goto(local_link)
    expect(page.locator("h1")).to_have_text(ACME)
    assert "#share=" not in page.evaluate("location.href")
    assert watch.errors == []


def test_the_404_page_of_a_sub_path_site_is_styled_and_leads_home(deployed, tab):
    _site, origin, _link = deployed
    url = f"{origin}/portals/no-such-deal/deeper/page/"
    page, watch = tab(url)
    response = page.goto(url)
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    stylesheet = page.locator("link[rel=stylesheet]").first.get_attribute("href")
    assert re.match(r"^/portals/assets/mapsite\.[0-9a-f]+\.css$", stylesheet)
    assert page.evaluate("document.styleSheets[0].cssRules.length") > 0
    page.get_by_role("link", name="Go to Northwind deal rooms").click()
    expect(page).to_have_url(f"{origin}/portals/")
    assert watch.errors == [] or all("404" in error for error in watch.errors)
