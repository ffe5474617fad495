"""Who engaged, in a real Chromium (docs/views.md): with ``analytics: access_log`` an unlocked
portal requests exactly one opaque file per (credential, page), which the build published, so the
host's access log records the visit; with analytics off (the default) it requests nothing extra.
"""

from __future__ import annotations

import base64
import datetime as dt
import shutil
import time

import pytest
from playwright.sync_api import expect

from mapsite.pipeline.build import build
from mapsite.protect.views import view_name, views_key
from tests.browser.helpers import log_in
from tests.helpers import PASSWORDS, REPO

pytestmark = pytest.mark.browser

SECRET = bytes(range(32))
NOTICE = "Visits are recorded for Northwind Software"


def _build(root, analytics: bool):
    site = root / "example"
    site.mkdir()
    text = (REPO / "mapsite.yml").read_text("utf-8")
    (site / "mapsite.yml").write_text(text + ("\nanalytics: access_log\n" if analytics else ""), "utf-8")
    shutil.copytree(REPO / "content", site / "content")
    shutil.copytree(REPO / "assets", site / "assets")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in PASSWORDS.items():
            patch.setenv(name, value)
        patch.setenv("MAPSITE_SECRET", base64.urlsafe_b64encode(SECRET).rstrip(b"=").decode())
        return build(site, today=dt.date(2027, 2, 22)).out


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("views")
    on, off = root / "on", root / "off"
    on.mkdir()
    off.mkdir()
    return _build(on, True), _build(off, False)


def _open_acme(browser, url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(url + "acme/")
    return context, page, requested


def _wait_for(condition, seconds: float = 10) -> None:
    end = time.monotonic() + seconds
    while not condition() and time.monotonic() < end:
        time.sleep(0.1)


def _expected(page_path: str) -> str:
    name = view_name(views_key(SECRET), "acme", "entry:Acme buying team", page_path)
    return f"acme/_v/{name}.gif"


def test_an_unlocked_page_requests_its_own_opaque_file(built, browser, static_server):
    out, _off = built
    url = static_server(out)
    context, page, requested = _open_acme(browser, url)
    try:
        # The login page says so before anyone types a password.
        expect(page.locator("#mapsite-password")).to_be_visible()
        assert NOTICE in page.locator("#mapsite-views-notice").inner_text()
        before = list(requested)
        assert not [r for r in before if "/_v/" in r], "nothing is requested before the login"
        log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"])
        page.locator("[data-mapsite-logout]").first.wait_for()
        _wait_for(lambda: any("/_v/" in r for r in requested))
        views = [r.removeprefix(url) for r in requested if "/_v/" in r]
        assert views == [_expected("acme/index.html")]
        # The file exists (a 43-byte GIF), so the log shows a 200, not a 404.
        assert (out / views[0]).read_bytes()[:6] == b"GIF89a"
        assert (out / views[0]).stat().st_size == 43
        footer = page.locator(".site-footer #mapsite-views-notice")
        assert "Visits are recorded for Northwind" in footer.inner_text()
        # Another page of the deal, opened in place, requests its own name once.
        link = page.locator("#pages").get_by_role("link", name="Security review pack")
        link.scroll_into_view_if_needed()
        link.click()
        expect(page.locator("h1")).to_have_text("Security review pack")
        _wait_for(lambda: len([r for r in requested if "/_v/" in r]) == 2)
        views = [r.removeprefix(url) for r in requested if "/_v/" in r]
        assert views == [_expected("acme/index.html"), _expected("acme/security/index.html")]
    finally:
        context.close()


def test_names_say_nothing_of_the_deal_or_the_reader(built):
    out, _off = built
    names = sorted(p.name for p in (out / "acme" / "_v").iterdir())
    assert names and all(len(n) == len("0" * 24 + ".gif") for n in names)
    for name in names:
        for word in ("acme", "buying", "team", "northwind", "security", "index"):
            assert word not in name.lower()


def test_with_analytics_off_the_portal_requests_nothing_extra(built, browser, static_server):
    _on, out = built
    assert not (out / "acme" / "_v").exists()
    url = static_server(out)
    context, page, requested = _open_acme(browser, url)
    try:
        assert page.locator("#mapsite-views-notice").count() == 0
        log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"])
        page.locator("[data-mapsite-logout]").first.wait_for()
        page.wait_for_load_state("networkidle")
        time.sleep(0.5)
        assert not [r for r in requested if "/_v/" in r or r.endswith(".gif")]
        assert page.locator("#mapsite-views-notice").count() == 0
        assert [r for r in requested if not r.startswith((url, "blob:", "data:"))] == []
    finally:
        context.close()
