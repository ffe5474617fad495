"""Protected portals in a real Chromium: the Python envelope against unlock.js (docs/protection.md).

The example site is built once with protection on; every test serves its own copy of the output
on loopback and drives Debian's chromium with the pages' own CSP in force.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from mapsite.model.deal import Deal
from mapsite.pipeline.build import build
from mapsite.pipeline.readable import render_all
from mapsite.protect import envelope
from tests import envelope_reader
from tests.browser.helpers import (
    ACME,
    CHROMIUM,
    CHROMIUM_ARGS,
    DAMAGED,
    PageWatch,
    assert_clean,
    flip_byte,
    log_in,
    pages_of,
    published,
    read_envelope,
    save_screenshot,
    write_envelope,
)
from tests.helpers import MINIMAL_DEAL, REPO
from tests.helpers import PASSWORDS as CONFTEST_PASSWORDS

pytestmark = pytest.mark.browser

TODAY = dt.date(2027, 2, 22)
PASSWORDS = {
    "ACME_PORTAL_PASSWORD": "acme-buyers-2027",
    "NORTHWIND_TEAM_PASSWORD": "northwind deal team ✓",
    "BLUEBIRD_PORTAL_PASSWORD": "bluebird-loaves",
    "GLOBEX_PORTAL_PASSWORD": "globex-freight",
    "INITECH_PARTNER_PASSWORD": "initech-partners",
    "MAPSITE_TEAM_PASSWORD": "sales-leadership",
}
SITE_SECRET = base64.urlsafe_b64encode(bytes(range(32))).rstrip(b"=").decode()
# Text of the Acme deal that must never be in the DOM until the right key opens the page.
ACME_TEXTS = [ACME, "Acme Corp", "Dana Whitfield", "Security Review Complete", "Lead processing time"]
WRONG = "Wrong password. Please try again."
REVOKED = "This link is no longer valid: it was revoked or has expired. Ask your contact for a new one."


def _secret() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode()


@dataclass
class Portal:
    site: Path
    out: Path
    url: str
    deals: tuple[Deal, ...]
    shares: dict[str, str]


def _build(
    site: Path,
    monkeypatch,
    shares: dict[str, dict],
    out: Path | None = None,
    today: dt.date = TODAY,
    **passwords: str,
):
    for name, value in {**PASSWORDS, **passwords}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MAPSITE_SECRET", SITE_SECRET)
    monkeypatch.setenv("MAPSITE_SHARES", json.dumps({"shares": list(shares.values())}))
    return build(site, out=out, today=today)


def share_entries(secrets_by_label: dict[str, str]) -> dict[str, dict]:
    """An active and a revoked share link for Acme, and one for Globex."""
    return {
        label: {
            "deal": "acme",
            "label": label,
            "secret": secrets_by_label[label],
            "created": "2027-02-01",
            **extra,
        }
        for label, extra in {
            "active": {"expires": "2027-03-01"},
            "revoked": {"revoked": "2027-02-10"},
            "globex": {"deal": "globex"},
        }.items()
    }


@pytest.fixture(scope="module")
def sealed(tmp_path_factory) -> Portal:
    """A copy of the example site (as ``example_site``) built once with protection on, with
    three share links: an active and a revoked one for Acme, and one for Globex."""
    site = tmp_path_factory.mktemp("protection") / "example"
    site.mkdir()
    shutil.copy2(REPO / "mapsite.yml", site / "mapsite.yml")
    shutil.copytree(REPO / "content", site / "content")
    shutil.copytree(REPO / "assets", site / "assets")
    shares = share_entries({label: _secret() for label in ("active", "revoked", "globex")})
    with pytest.MonkeyPatch.context() as monkeypatch:
        result = _build(site, monkeypatch, shares)
        deals = render_all(site, TODAY).deals  # the build keeps no deal: read them as the audit does
    secrets_by_label = {label: share["secret"] for label, share in shares.items()}
    return Portal(site, result.out, "", deals, secrets_by_label)


@pytest.fixture
def portal(sealed, static_server, tmp_path) -> Portal:
    """This test's own copy of the sealed output (tests tamper with it), served on loopback."""
    out = tmp_path / "output"
    shutil.copytree(sealed.out, out)
    return Portal(sealed.site, out, static_server(out), sealed.deals, sealed.shares)


@pytest.fixture
def tabs(browser):
    """Fresh browser contexts (profiles); returns (page, watch) without navigating."""
    contexts = []

    def open_tab(url: str, width: int = 1280, height: int = 900, **options):
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        contexts.append(context)
        page = context.new_page()
        return page, PageWatch(page, urlsplit(url).netloc)

    yield open_tab
    for context in contexts:
        context.close()


# What the page keeps in IndexedDB: names, expiry in days, and the key's properties.
READ_STORED_KEYS = """async () => {
  const db = await new Promise((done, fail) => {
    const request = indexedDB.open("mapsite");
    request.onsuccess = () => done(request.result);
    request.onerror = () => fail(request.error);
  });
  const store = db.transaction("keys").objectStore("keys");
  const read = (request) => new Promise((done) => { request.onsuccess = () => done(request.result); });
  const [names, values] = await Promise.all([read(store.getAllKeys()), read(store.getAll())]);
  db.close();
  return names.map((name, i) => ({
    name, kid: values[i].kid, days: (values[i].expires - Date.now()) / 864e5,
    extractable: values[i].key.extractable, usages: values[i].key.usages,
    algorithm: values[i].key.algorithm.name, fields: Object.keys(values[i]).sort(),
    sender: values[i].sender && { extractable: values[i].sender.extractable, usages: values[i].sender.usages,
      algorithm: values[i].sender.algorithm.name },
  }));
}"""


def stored_keys(page) -> dict[str, dict]:
    return {entry.pop("name"): entry for entry in page.evaluate(READ_STORED_KEYS)}


def assert_stored_key(entry: dict, days: float) -> None:
    """Only a non-extractable decrypt key, its kid and expiry: never the password."""
    # "slot" is the public id of the slot that opened the deal: whose side the reader is on.
    # "sender" is the sender key of update codes (docs/updates.md): an HMAC key that only signs.
    assert entry["fields"] == ["expires", "key", "kid", "sender", "slot"]
    assert entry["extractable"] is False
    assert entry["usages"] == ["decrypt"] and entry["algorithm"] == "AES-GCM"
    assert entry["sender"] == {"extractable": False, "usages": ["sign"], "algorithm": "HMAC"}
    assert days - 0.01 < entry["days"] <= days


def assert_nothing_of_acme(page) -> None:
    html = page.content()
    for text in ACME_TEXTS:
        assert text not in html, text


def content_key(data: dict, password: str) -> bytes:
    """Open a password slot in Python, as the browser does, to find a file's blob."""
    root = envelope.password_root(password, envelope.unb64(data["kdf"]["salt"]), data["kdf"]["iterations"])
    try:
        return envelope_reader.open_envelope(data, root)[0]
    except ValueError:
        raise AssertionError("no slot opens with this password") from None


# ------------------------------------------------------------------ the login page


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width, height", [(1280, 800), (375, 740)], ids=["laptop", "phone"])
def test_login_page_is_generic_and_reads_well(portal, tabs, scheme, width, height):
    page, watch = tabs(portal.url, width, height, color_scheme=scheme)
    page.goto(portal.url + "acme/")
    expect(page.get_by_role("heading", name="Private deal room")).to_be_visible()
    expect(page.get_by_label("Password")).to_be_visible()
    expect(
        page.get_by_text("Enter the password your contact at Northwind Software shared with you.")
    ).to_be_visible()
    assert page.title() == "Private deal room · Northwind deal rooms"
    assert page.locator('meta[name="robots"]').get_attribute("content") == "noindex, nofollow"
    assert page.locator('meta[property^="og:"], meta[name="description"]').count() == 0
    assert_nothing_of_acme(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the login page scrolls sideways by {overflow}px at {width}px"
    assert_clean(watch)
    save_screenshot(page, f"login-{scheme}-{width}.png")


# ------------------------------------------------------------------ passwords


def test_every_access_password_opens_its_portal(portal, tabs):
    entries = [(deal, entry) for deal in portal.deals for entry in deal.access]
    assert len(entries) == 5
    for deal, entry in entries:
        page, watch = tabs(portal.url)
        page.goto(f"{portal.url}{deal.slug}/")
        log_in(page, PASSWORDS[entry.password_env])
        expect(page.locator("h1")).to_have_text(deal.title)
        # The whole plan is in the page: its last milestone (in a later phase, which folds
        # behind its summary line on screen since issue 15).
        expect(page.locator(".ms-name", has_text=deal.milestones[-1].name)).to_be_attached()
        assert page.locator("#mapsite-login").count() == 0
        assert_clean(watch)


def test_a_browser_without_the_native_base64_decoder_opens_the_plan(portal, tabs):
    """unlock.js decodes with ``Uint8Array.fromBase64`` where the browser has it (Chromium 140+,
    Firefox 133+, Safari 18.2+) and with its own loop elsewhere: a buyer's older browser takes that
    path for the salt, the slots, the page and its extra pages."""
    page, watch = tabs(portal.url)
    page.add_init_script("delete Uint8Array.fromBase64")
    page.goto(f"{portal.url}acme/")
    assert page.evaluate("typeof Uint8Array.fromBase64") == "undefined"
    log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"])
    expect(page.locator("h1")).to_have_text(ACME)
    page.get_by_role("link", name="Security review pack").first.click()
    expect(page.locator("h1")).to_have_text("Security review pack")
    assert_clean(watch)
    page, watch = tabs(portal.url)
    page.add_init_script("delete Uint8Array.fromBase64")
    page.goto(f"{portal.url}acme/#share={portal.shares['active']}")
    expect(page.locator("h1")).to_have_text(ACME)
    assert_clean(watch)


# What the first frame drawn with the plan's title held, and whether the page's scripts had run.
FIRST_FRAME = """
new MutationObserver((_, observer) => {
  if (!document.querySelector("body.kind-deal h1")) return;
  observer.disconnect();
  requestAnimationFrame(() => {
    window.firstFrame = {
      overview: Boolean(document.querySelector("main .overview")),
      plan: Boolean(document.getElementById("plan")),
      notes: Boolean(document.getElementById("notes")),
    };
  });
}).observe(document, { childList: true, subtree: true });
"""


def test_the_first_screen_is_drawn_before_the_rest_of_the_plan(portal, tabs):
    """The plan's first screen (outcome, key dates) is drawn on its own after the password; its
    sections come in the next frame, before the page's scripts run: their Update menus and the
    day's overdue count are on every row, as on a page opened whole."""
    page, watch = tabs(portal.url)
    page.add_init_script(FIRST_FRAME)
    page.goto(f"{portal.url}acme/")
    log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"])
    expect(page.locator("#notes")).to_be_attached()
    first = _first_frame(page)
    assert first == {"overview": True, "plan": False, "notes": False}
    rows = page.locator("#plan [data-item]")
    expect(page.locator("#plan [data-item] details.upd-menu").first).to_be_attached()
    menus = page.locator("#plan [data-item] details.upd-menu")
    assert rows.count() > 5 and menus.count() == rows.count()
    assert page.evaluate("document.activeElement.id") == "main"
    assert_clean(watch)
    # A link to a section of the plan is drawn whole and scrolled to at once.
    page, watch = tabs(portal.url)
    page.add_init_script(FIRST_FRAME)
    page.goto(f"{portal.url}acme/#risks")
    log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"])
    assert _first_frame(page) == {"overview": True, "plan": True, "notes": True}
    expect(page.locator("#risks")).to_be_in_viewport()
    assert_clean(watch)


def test_a_plan_printed_or_hidden_before_its_first_frame_is_still_whole(portal, tabs):
    """A tab that draws no frame (in the background: requestAnimationFrame never calls back)
    still gets the whole plan, and printing before the rest came in prints all of it."""
    page, watch = tabs(portal.url)
    page.add_init_script("window.requestAnimationFrame = () => 0")
    page.goto(f"{portal.url}acme/")
    log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"])
    for _ in range(500):
        if page.evaluate("Boolean(document.querySelector('body.kind-deal h1'))"):
            break
        page.wait_for_timeout(5)
    assert page.locator("#plan").count() == 0, "the plan came in with the first screen"
    printed = " ".join(pages_of(page.pdf(), "print-before-first-frame.pdf")[1].split())
    assert "Initial Discovery Complete" in printed and "Contract Signature" in printed
    expect(page.locator("#notes")).to_be_attached()
    expect(page.locator("#plan [data-item] details.upd-menu").first).to_be_attached()
    assert_clean(watch)


def _first_frame(page) -> dict:
    for _ in range(200):
        if first := page.evaluate("window.firstFrame"):
            return first
        page.wait_for_timeout(25)
    raise AssertionError("no frame was drawn with the plan's title")


# The properties each running animation moves, sampled in the first frame after the form is sent.
ANIMATED_WHILE_UNLOCKING = """
addEventListener("submit", () => requestAnimationFrame(() => {
  const moved = (animation) => Object.keys(animation.effect.getKeyframes()[0])
    .filter((key) => !["offset", "computedOffset", "easing", "composite"].includes(key));
  window.animatedWhileUnlocking = document.getAnimations().map(moved);
}), true);
"""


def test_while_the_key_is_derived_only_the_compositor_moves_the_page(portal, tabs):
    """The busy bar shown during PBKDF2 moves by transform: a moving background repainted the
    page on every frame of the derivation, on the thread that then lays the plan out."""
    page, watch = tabs(portal.url)
    page.add_init_script(ANIMATED_WHILE_UNLOCKING)
    page.goto(f"{portal.url}acme/")
    log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"])
    expect(page.locator("h1")).to_have_text(ACME)
    animated = page.evaluate("window.animatedWhileUnlocking")
    assert animated, "no busy bar moved while the key was derived"
    assert all(set(keys) <= {"transform", "opacity"} for keys in animated), animated
    assert_clean(watch)


def test_wrong_password_is_said_in_place_and_shows_nothing(portal, tabs):
    page, watch = tabs(portal.url)
    page.goto(portal.url + "acme/")
    page.evaluate("window.mapsiteSameDocument = true")
    log_in(page, "not-the-password")
    expect(page.locator("#mapsite-status")).to_have_text(WRONG)
    field = page.get_by_label("Password", exact=True)
    expect(field).to_have_value("not-the-password")  # kept, to fix in place (issue 15)
    expect(field).to_be_focused()
    assert page.evaluate("window.mapsiteSameDocument") is True, "the page reloaded"
    # Another deal's password does not open this one either.
    log_in(page, PASSWORDS["GLOBEX_PORTAL_PASSWORD"])
    expect(page.locator("#mapsite-status")).to_have_text(WRONG)
    assert_nothing_of_acme(page)
    assert_clean(watch)


def test_a_login_lives_in_the_open_page_only(portal, tabs):
    """Without "Remember me" the key is kept in memory: pages of the deal opened from its links
    open in place, but nothing is stored, so a reload, another tab or a typed address asks again."""
    page, watch = tabs(portal.url)
    page.goto(portal.url + "acme/")
    log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"])
    expect(page.locator("h1")).to_have_text(ACME)
    assert stored_keys(page) == {}
    assert page.evaluate("sessionStorage.length") == 0

    page.get_by_role("link", name="Security review pack").first.click()
    expect(page.locator("h1")).to_have_text("Security review pack")
    # The extra page's address names no topic.
    assert page.url == portal.url + published("acme/security/")
    assert "security" not in page.url
    logo = page.locator("img[alt='Acme Corp logo']")
    expect(logo).to_have_attribute("src", re.compile(r"^blob:"))
    assert logo.evaluate("img => img.naturalWidth") > 0

    page.reload()
    expect(page.get_by_label("Password")).to_be_visible()
    assert_nothing_of_acme(page)
    log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"])
    expect(page.locator("h1")).to_have_text("Security review pack")

    page.goto(portal.url + "globex/")
    expect(page.get_by_role("heading", name="Private deal room")).to_be_visible()
    expect(page.get_by_label("Password")).to_be_visible()

    other_tab = page.context.new_page()
    other_watch = PageWatch(other_tab, urlsplit(portal.url).netloc)
    other_tab.goto(portal.url + "acme/")
    expect(other_tab.get_by_label("Password")).to_be_visible()
    assert stored_keys(other_tab) == {}
    assert_clean(watch)
    assert_clean(other_watch)


def test_going_back_after_log_out_shows_the_form(portal, tabs):
    page, watch = tabs(portal.url)
    page.goto(portal.url + "acme/")
    log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"])
    page.get_by_role("link", name="Security review pack").first.click()
    expect(page.locator("h1")).to_have_text("Security review pack")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_label("Password")).to_be_visible()
    page.go_back()
    expect(page.get_by_label("Password")).to_be_visible()
    assert_nothing_of_acme(page)
    assert_clean(watch)


def test_images_render_and_files_download_with_their_bytes(portal, tabs):
    page, watch = tabs(portal.url)
    page.goto(portal.url + "acme/#resources")
    log_in(page, PASSWORDS["NORTHWIND_TEAM_PASSWORD"])
    expect(page.locator("h1")).to_have_text(ACME)
    # The page scrolls to its anchor once its own scripts have run, a moment after the heading.
    deadline = time.monotonic() + 5
    while page.evaluate("window.scrollY") == 0 and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert page.evaluate("window.scrollY") > 0, "the #resources anchor was not restored"
    diagram = page.locator("img[alt='Rollout plan overview']")
    expect(diagram).to_have_attribute("src", re.compile(r"^blob:"))
    assert diagram.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    with page.expect_download() as download:
        page.get_by_role("link", name="ROI model (PDF)").click()
    source = portal.site / "content" / "deals" / "acme" / "files" / "roi-model.pdf"
    assert download.value.suggested_filename == "roi-model.pdf"
    assert Path(download.value.path()).read_bytes() == source.read_bytes()
    assert_clean(watch)


# ------------------------------------------------------------------ remembered logins


def test_remember_me_survives_a_restart_and_log_out_ends_it(portal, browser, tmp_path):
    profile = tmp_path / "profile"
    host = urlsplit(portal.url).netloc

    def session(visit):
        context = browser.browser_type.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            watch = PageWatch(page, host)
            page.goto(portal.url + "acme/")
            visit(page)
            assert_clean(watch)
        finally:
            context.close()

    def without_remember(page):
        log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"])
        expect(page.locator("h1")).to_have_text(ACME)
        page.wait_for_timeout(500)  # time for a (wrong) write to storage to land before closing
        assert stored_keys(page) == {}

    def asks_again(page):
        expect(page.get_by_label("Password")).to_be_visible()

    def with_remember(page):
        log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"], remember=True)
        expect(page.locator("h1")).to_have_text(ACME)
        stored = stored_keys(page)
        assert_stored_key(stored.pop("remember:acme"), days=30)
        assert stored == {}, "a login without Remember me left something behind"

    def opens_then_log_out(page):
        expect(page.locator("h1")).to_have_text(ACME)
        page.get_by_role("button", name="Log out").click()
        expect(page.get_by_label("Password")).to_be_visible()
        page.goto(portal.url + published("acme/security/"))
        expect(page.get_by_label("Password")).to_be_visible()

    for visit in (without_remember, asks_again, with_remember, opens_then_log_out, asks_again):
        session(visit)


def drawn(page) -> None:
    """Wait until every sealed image of the page is decrypted and shown, as a reader sees it."""
    for image in page.locator("img[data-mapsite-file]").all():
        expect(image).to_have_attribute("src", re.compile(r"^blob:"))


def test_a_rekeyed_deal_forgets_the_old_key_silently(portal, monkeypatch, tabs):
    page, watch = tabs(portal.url)
    page.goto(portal.url + "acme/")
    log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"], remember=True)
    expect(page.locator("h1")).to_have_text(ACME)
    drawn(page)  # the page's own files are fetched before the rebuild replaces them

    # The Northwind team's password changes: the deal gets a new key and kid.
    _build(portal.site, monkeypatch, {}, out=portal.out, NORTHWIND_TEAM_PASSWORD="a new team password")
    page.goto(portal.url + published("acme/security/"))
    expect(page.get_by_label("Password")).to_be_visible()
    expect(page.locator("#mapsite-status")).to_have_text("")
    log_in(page, "a new team password")
    expect(page.locator("h1")).to_have_text("Security review pack")
    assert_clean(watch)


def test_a_page_open_across_a_rekey_reloads_for_a_file_that_is_gone(portal, monkeypatch, tabs):
    """A reader still on yesterday's page clicks a download after a rebuild changed the deal's
    key: the file's old name is gone from the host. The page reloads (and asks again, the key
    having changed) instead of calling itself damaged."""
    page, watch = tabs(portal.url)
    page.goto(portal.url + "acme/")
    log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"], remember=True)
    expect(page.locator("h1")).to_have_text(ACME)
    drawn(page)
    old_pdf = envelope.file_blob_name(
        content_key(read_envelope(portal.out / "acme" / "index.html"), PASSWORDS["ACME_PORTAL_PASSWORD"]),
        "acme/files/roi-model.pdf",
    )

    _build(portal.site, monkeypatch, {}, out=portal.out, NORTHWIND_TEAM_PASSWORD="a new team password")
    assert not (portal.out / "acme" / "_files" / old_pdf).exists()
    page.get_by_role("link", name="ROI model (PDF)").click()
    expect(page.get_by_label("Password")).to_be_visible()
    expect(page.locator("#mapsite-status")).to_have_text("")
    log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"])
    expect(page.locator("h1")).to_have_text(ACME)
    drawn(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="ROI model (PDF)").click()
    assert download.value.suggested_filename == "roi-model.pdf"
    assert watch.failed == [f"404 {portal.url}acme/_files/{old_pdf}"]
    assert len(watch.errors) == 1 and "404" in watch.errors[0], watch.errors


def test_a_file_the_host_lost_shows_the_damage_after_one_reload(portal, tabs):
    """A missing file that a reload does not bring back is the host's fault: said, not looped."""
    key = content_key(read_envelope(portal.out / "acme" / "index.html"), PASSWORDS["ACME_PORTAL_PASSWORD"])
    (portal.out / "acme" / "_files" / envelope.file_blob_name(key, "acme/files/rollout.svg")).unlink()
    page, watch = tabs(portal.url)
    loads: list[str] = []
    page.on("load", lambda: loads.append(page.url))
    page.goto(portal.url + "acme/")
    log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"], remember=True)
    # The remembered key opens the reloaded page by itself; the file is still missing.
    expect(page.locator("#mapsite-status")).to_have_text(DAMAGED)
    assert_nothing_of_acme(page)
    page.wait_for_timeout(500)
    assert loads == [portal.url + "acme/"] * 2
    assert watch.foreign == []


# ------------------------------------------------------------------ share links


def test_share_link_opens_without_typing_and_leaves_no_secret(portal, tabs):
    secret = portal.shares["active"]
    page, watch = tabs(portal.url)
    page.goto(f"{portal.url}acme/#share={secret}")
    expect(page.locator("h1")).to_have_text(ACME)
    assert secret not in page.url
    assert secret not in page.evaluate("location.href")
    assert page.evaluate("location.hash") == ""
    page.get_by_role("link", name="Security review pack").first.click()
    expect(page.locator("h1")).to_have_text("Security review pack")
    page.go_back()
    expect(page.locator("h1")).to_have_text(ACME)
    assert secret not in page.url
    assert_clean(watch)


@pytest.mark.parametrize("case", ["unknown", "revoked", "expired", "other deal"])
def test_a_dead_share_link_says_it_is_no_longer_valid(portal, tabs, case):
    secret = {
        "unknown": _secret(),
        "revoked": portal.shares["revoked"],
        "expired": portal.shares["active"],
        "other deal": portal.shares["globex"],
    }[case]
    page, watch = tabs(portal.url)
    if case == "expired":
        # The site was built before the link expired and not rebuilt since.
        page.clock.set_fixed_time(dt.datetime(2027, 3, 5, 10, 0))
    page.goto(f"{portal.url}acme/#share={secret}")
    expect(page.locator("#mapsite-status")).to_have_text(REVOKED)
    expect(page.get_by_label("Password")).to_be_visible()
    assert secret not in page.url
    assert_nothing_of_acme(page)
    assert_clean(watch)


# ------------------------------------------------------------------ integrity


def test_a_tampered_page_shows_the_integrity_error(portal, tabs):
    shell = portal.out / "acme" / "index.html"
    data = read_envelope(shell)
    data["ct"] = envelope.b64(flip_byte(envelope.unb64(data["ct"]), 100))
    write_envelope(shell, data)
    page, watch = tabs(portal.url)
    page.goto(portal.url + "acme/")
    log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"])
    expect(page.locator("#mapsite-status")).to_have_text(DAMAGED)
    expect(page.locator("#mapsite-login")).to_be_hidden()
    assert_nothing_of_acme(page)
    assert_clean(watch)


@pytest.mark.parametrize("file", ["files/rollout.svg", "files/roi-model.pdf"])
def test_a_tampered_file_shows_the_integrity_error(portal, tabs, file):
    data = read_envelope(portal.out / "acme" / "index.html")
    key = content_key(data, PASSWORDS["ACME_PORTAL_PASSWORD"])
    blob = portal.out / "acme" / "_files" / envelope.file_blob_name(key, f"acme/{file}")
    blob.write_bytes(flip_byte(blob.read_bytes(), 40))
    page, watch = tabs(portal.url)
    page.goto(portal.url + "acme/")
    log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"])
    if file.endswith(".pdf"):
        expect(page.locator("h1")).to_have_text(ACME)
        page.get_by_role("link", name="ROI model (PDF)").click()
    expect(page.locator("#mapsite-status")).to_have_text(DAMAGED)
    expect(page.locator("#mapsite-login")).to_be_hidden()
    assert_nothing_of_acme(page)
    assert page.title() == "Private deal room · Northwind deal rooms"
    assert_clean(watch)


@pytest.mark.parametrize("target", ["acme/security/", "globex/"])
def test_a_ciphertext_moved_to_another_page_does_not_open(portal, tabs, target):
    target = published(target) + "index.html"
    source = read_envelope(portal.out / "acme" / "index.html")
    shell = portal.out / target
    # Everything but "root" is copied, "path" included: the browser must not believe it.
    write_envelope(shell, {**source, "root": read_envelope(shell)["root"]})
    page, watch = tabs(portal.url)
    page.goto(portal.url + target.removesuffix("index.html"))
    log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"])
    expect(page.locator("#mapsite-status")).to_have_text(DAMAGED)
    assert_nothing_of_acme(page)
    assert_clean(watch)


def test_copied_output_keeps_working_from_a_sub_path(portal, static_server, tabs, tmp_path):
    """Hosts may serve the site under a folder: P is computed from the envelope's root."""
    shutil.copytree(portal.out, tmp_path / "host" / "deals")
    url = static_server(tmp_path / "host") + "deals/"
    page, watch = tabs(url)
    page.goto(url + published("acme/security/"))
    log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"])
    expect(page.locator("h1")).to_have_text("Security review pack")
    assert_clean(watch)


# ------------------------------------------------------------------ rollback and hostile names

STALE = (
    "This page is older than one already opened on this device: the site may be serving an outdated "
    "copy. Reload later, or ask your contact."
)


def test_an_older_build_served_in_place_of_a_newer_one_is_refused(portal, tabs, tmp_path):
    """Someone with write access to the host puts back last week's pages: same key, so they would
    decrypt; their build generation is older than what this browser has opened, so they don't."""
    with pytest.MonkeyPatch.context() as patch:
        # Same passwords, shares and secret as the portal (so the same key), a week earlier.
        old_day = TODAY - dt.timedelta(days=7)
        old_out = _build(
            portal.site, patch, share_entries(portal.shares), out=tmp_path / "old", today=old_day
        ).out
    assert (
        read_envelope(old_out / "acme/index.html")["kid"]
        == read_envelope(portal.out / "acme/index.html")["kid"]
    )
    # The host serves the older security page beside the current plan (put there before the plan
    # opens, so that the shell the plan prefetches is the old one too).
    security = published("acme/security/") + "index.html"
    shutil.copy2(old_out / security, portal.out / security)
    page, watch = tabs(portal.url)
    page.clock.set_fixed_time(dt.datetime(2027, 2, 22, 10, 0))
    page.goto(portal.url + "acme/")
    log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"])
    expect(page.locator("h1")).to_have_text(ACME)

    # Opened in place from the plan, it is refused.
    page.get_by_role("link", name="Security review pack").first.click()
    expect(page.locator("#mapsite-status")).to_have_text(STALE)
    assert "How the security review works" not in page.content()

    # And loaded anew, with the password typed again, too.
    shutil.copy2(old_out / "acme/index.html", portal.out / "acme/index.html")
    page.goto(portal.url + "acme/")
    log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"])
    expect(page.locator("#mapsite-status")).to_have_text(STALE)
    assert_nothing_of_acme(page)
    assert_clean(watch)


def test_a_file_named_like_markup_cannot_break_out_of_the_page_json(
    site_factory, monkeypatch, static_server, tabs
):
    """A file called ``<!--<script>.pdf`` ends up in the JSON the sealed page carries: it must stay
    data (escaped), and the portal must open and hand the file out under its name."""
    name = "<!--<script>.pdf"
    deal = MINIMAL_DEAL.replace(
        "The shared plan.", "The shared plan. [Odd file](files/%3C!--%3Cscript%3E.pdf)"
    )
    site = site_factory.make({"buyer-co/index.md": deal})
    (site / "content/deals/buyer-co/files").mkdir()
    (site / "content/deals/buyer-co/files" / name).write_bytes(b"%PDF-1.4 odd but harmless\n")
    monkeypatch.setenv("MAPSITE_SECRET", SITE_SECRET)
    out = build(site, today=TODAY).out
    shell = (out / "buyer-co/index.html").read_text("utf-8")
    assert "<!--" not in shell.split('id="mapsite-envelope">')[1].split("</script>")[0]
    data = read_envelope(out / "buyer-co/index.html")
    root = envelope.password_root(
        CONFTEST_PASSWORDS["TEST_PORTAL_PASSWORD"], envelope.unb64(data["kdf"]["salt"])
    )
    html = envelope_reader.open_envelope(data, root)[1].decode("utf-8")
    files_json = html.split('id="mapsite-files">')[1].split("</script>")[0]
    assert "<" not in files_json and ">" not in files_json
    assert json.loads(files_json)[f"buyer-co/files/{name}"]["name"] == name

    url = static_server(out)
    page, watch = tabs(url)
    page.goto(url + "buyer-co/")
    log_in(page, CONFTEST_PASSWORDS["TEST_PORTAL_PASSWORD"])
    expect(page.locator("h1")).to_have_text("Buyer Co x Northwind")
    with page.expect_download() as download:
        page.get_by_role("link", name="Odd file").click()
    # Chromium itself turns the characters a file system may refuse into "_".
    assert download.value.suggested_filename == "_!--_script_.pdf"
    assert Path(download.value.path()).read_bytes() == b"%PDF-1.4 odd but harmless\n"
    assert_clean(watch)
