"""The page knows whose side its reader is on, in a real Chromium (docs/protection.md).

A partner logging in with the partner's password, or a seller-side colleague opening a link made
with ``mapsite share --side seller``, reads a page that puts their own work first. The side comes
from the slot that opened the deal, so it must hold after a reload of a remembered login and on
the deal's other pages opened in place.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import shutil

import pytest
from playwright.sync_api import expect

from mapsite.pipeline.build import build
from tests.browser.helpers import ACME, assert_clean, log_in
from tests.helpers import PASSWORDS, REPO

pytestmark = pytest.mark.browser

GLOBEX = "Globex Logistics x Northwind x Initech: Account-Based Marketing Platform"


@pytest.fixture(scope="module")
def sealed(tmp_path_factory):
    """The example site built with protection on, with a seller-side share link for Acme."""
    site = tmp_path_factory.mktemp("reader-side") / "example"
    site.mkdir()
    shutil.copy2(REPO / "mapsite.yml", site / "mapsite.yml")
    shutil.copytree(REPO / "content", site / "content")
    shutil.copytree(REPO / "assets", site / "assets")
    secret = base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode()
    share = {"deal": "acme", "label": "Sam (SE)", "secret": secret, "created": "2027-02-01", "side": "seller"}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in PASSWORDS.items():
            patch.setenv(name, value)
        patch.setenv("MAPSITE_SECRET", base64.urlsafe_b64encode(bytes(range(32))).rstrip(b"=").decode())
        patch.setenv("MAPSITE_SHARES", json.dumps({"shares": [share]}))
        out = build(site, today=dt.date(2027, 2, 22)).out
    return out, secret


@pytest.fixture
def served(sealed, static_server):
    out, secret = sealed
    return static_server(out), secret


def reader_side(page) -> str | None:
    return page.locator("html").get_attribute("data-reader-side")


@pytest.mark.parametrize(
    "password, side", [("INITECH_PARTNER_PASSWORD", "partner"), ("GLOBEX_PORTAL_PASSWORD", "buyer")]
)
def test_each_password_opens_the_page_for_its_own_side(served, tabs, password, side):
    url, _ = served
    page, watch = tabs(url)
    page.goto(url + "globex/")
    log_in(page, PASSWORDS[password], remember=True)
    expect(page.locator("h1")).to_have_text(GLOBEX)
    assert reader_side(page) == side
    # A remembered login knows its side again after a reload.
    page.reload()
    expect(page.locator("h1")).to_have_text(GLOBEX)
    assert reader_side(page) == side
    assert_clean(watch)


def test_a_seller_side_link_keeps_its_side_on_every_page_of_the_deal(served, tabs):
    url, secret = served
    page, watch = tabs(url)
    page.goto(f"{url}acme/#share={secret}")
    expect(page.locator("h1")).to_have_text(ACME)
    assert reader_side(page) == "seller"
    # Another page of the deal opens in place with the key in memory: the side goes with it.
    page.locator("#pages a").first.click()
    expect(page.locator("h1")).not_to_have_text(ACME)
    assert reader_side(page) == "seller"
    page.go_back()
    expect(page.locator("h1")).to_have_text(ACME)
    assert reader_side(page) == "seller"
    # The link login is remembered, and so is whose it is.
    page.goto(url + "acme/")
    expect(page.locator("h1")).to_have_text(ACME)
    assert reader_side(page) == "seller"
    assert_clean(watch)
