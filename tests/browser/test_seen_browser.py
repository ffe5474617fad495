""" "New since your last visit" and the discussion in a real portal (issue 16), in Debian's
chromium with a persistent profile, as a returning buyer meets them.

The example site is built protected; Acme's buyer opens it; the rep marks POC Environment Setup
and its data-sample action done, moves POC Success Review by a week and answers Dana's question,
and builds again a week later; the buyer opens the portal again after a browser restart. The
items and the answer carry "New" with what changed, This week opens with the count, and what
seen.js keeps in IndexedDB (mapsite-seen) is ciphertext under the deal's pending key L: the
test opens it with L derived in Python, and finds none of the deal's words in the stored bytes.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from playwright.sync_api import expect

from mapsite.pipeline.build import build
from mapsite.protect.updates import pending_key
from tests.browser.helpers import (
    ACME,
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    PageWatch,
    assert_clean,
    log_in,
    save_screenshot,
)
from tests.helpers import PASSWORDS, REPO

pytestmark = pytest.mark.browser

SECRET = bytes(range(32))
BUILT = dt.date(2027, 2, 22)
REBUILT = BUILT + dt.timedelta(days=7)
AXE = REPO / "tests" / "browser" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
QUESTION = (
    "discussion:\n"
    "  - {who: Dana Whitfield, side: buyer, when: 2027-02-20, kind: question, item: poc-setup,"
    " text: Can we add SSO to the pilot?}\n"
)
ANSWER = QUESTION.replace("}\n", ", answer: Yes; Priya sets it up on day one., answered: 2027-02-24}\n")
# Words of the deal that must never be readable in the browser's storage.
DEAL_WORDS = ("POC", "Provide data", "SSO", "Priya", "Dana", "2027-", "in_progress", "done", "acme", "Acme")

# Opening a database that does not exist yet would create it empty, and seen.js (which makes its
# store when it creates the database) would then find no store: look before opening.
READ_SEEN = """async () => {
  if (!(await indexedDB.databases()).some((d) => d.name === "mapsite-seen")) return [];
  const db = await new Promise((done, fail) => {
    const request = indexedDB.open("mapsite-seen");
    request.onsuccess = () => done(request.result);
    request.onerror = () => fail(request.error);
  });
  if (!db.objectStoreNames.contains("snapshots")) { db.close(); return []; }
  const store = db.transaction("snapshots").objectStore("snapshots");
  const read = (request) => new Promise((done) => { request.onsuccess = () => done(request.result); });
  const [names, values] = await Promise.all([read(store.getAllKeys()), read(store.getAll())]);
  db.close();
  const bytes = (data) => Array.from(new Uint8Array(data.buffer ?? data));
  return names.map((name, i) => ({
    name, fields: Object.keys(values[i]).sort(), iv: bytes(values[i].iv), ct: bytes(values[i].ct),
  }));
}"""


def _edit(site: Path, *changes: tuple[str, str]) -> None:
    path = site / "content" / "deals" / "acme" / "index.md"
    text = path.read_text("utf-8")
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, "utf-8")


def _build(site: Path, monkeypatch, today: dt.date) -> Path:
    monkeypatch.setenv("MAPSITE_SECRET", base64.urlsafe_b64encode(SECRET).rstrip(b"=").decode())
    return build(site, today=today).out


def _stored(page) -> list[dict]:
    """The records of mapsite-seen once seen.js has written (polled from Python: the portal's CSP
    forbids the eval a string wait_for_function needs)."""
    for _ in range(50):
        records = page.evaluate(READ_SEEN)
        if records:
            return records
        page.wait_for_timeout(100)
    raise AssertionError("seen.js stored nothing in mapsite-seen")


def _opened(record: dict) -> dict:
    """A stored snapshot opened in Python with L, as the browser sealed it."""
    plain = AESGCM(pending_key(SECRET, "acme")).decrypt(
        bytes(record["iv"]), bytes(record["ct"]), b"mapsite:v2:seen:acme"
    )
    return json.loads(plain)


def _assert_unreadable(records: list[dict]) -> None:
    [record] = records
    assert re.fullmatch(r"[0-9a-f]{32}", record["name"]), record["name"]
    assert record["fields"] == ["ct", "iv"]
    stored = bytes(record["iv"] + record["ct"]).decode("latin-1")
    for word in DEAL_WORDS:
        assert word not in stored, word


def _violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {[n['target'] for n in v['nodes'][:5]]} ({v['help']})" for v in result["violations"]]


def test_a_returning_buyer_sees_what_moved_since_the_last_visit(
    example_site, static_server, monkeypatch, browser, tmp_path
):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/install-test-deps.sh (it installs axe-core with npm)")
    _edit(example_site, ("resources:\n", QUESTION + "\nresources:\n"))
    out = _build(example_site, monkeypatch, BUILT)
    url = static_server(out) + "acme/"
    profile = tmp_path / "profile"

    def session(day: dt.date, visit) -> None:
        # A browser started afresh on the reader's day with the same profile: what it stored stays.
        context = browser.browser_type.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 800},
            bypass_csp=True,  # for axe only; the page's own scripts are what runs
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.clock.set_fixed_time(dt.datetime.combine(day, dt.time(12)))
            watch = PageWatch(page, urlsplit(url).netloc)
            page.goto(url)
            log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"])
            expect(page.locator("h1")).to_have_text(ACME)
            visit(page)
            assert_clean(watch)
        finally:
            context.close()

    def first_visit(page) -> None:
        records = _stored(page)
        _assert_unreadable(records)
        snapshot = _opened(records[0])["current"]
        assert snapshot["items"]["poc-setup"] == ["in_progress", "2027-02-18"]
        # Nothing is new on a first visit; the question waits for its answer.
        assert page.locator(".seen-mark").count() == 0
        expect(page.locator("#seen-summary")).to_be_hidden()
        expect(page.locator("#talk-1 .talk-waiting")).to_have_text("Waiting for an answer")
        expect(page.locator("#ms-poc-setup .ms-talk")).to_have_text("1 comment")

    session(BUILT, first_visit)

    _edit(
        example_site,
        ("    status: in_progress\n", "    status: done\n    completed: 2027-02-25\n"),
        ("{task: Provide data sample for POC, owner: it-manager, due: 2027-02-18}",
         "{task: Provide data sample for POC, owner: it-manager, due: 2027-02-18, done: true}"),
        ("name: POC Success Review, owners: [vp-marketing, ae], due: 2027-03-15",
         "name: POC Success Review, owners: [vp-marketing, ae], due: 2027-03-12"),
        (QUESTION, ANSWER),
    )  # fmt: skip
    assert _build(example_site, monkeypatch, REBUILT) == out

    def second_visit(page) -> None:
        summary = page.locator("#seen-summary")
        expect(summary).to_be_visible()
        expect(summary.locator(".seen-line")).to_have_text(
            "New Since your last visit: 2 done, 1 date moved, 1 answer"
        )
        # Above everything else This week lists.
        assert summary.bounding_box()["y"] < page.locator("#next-up .tw-groups").bounding_box()["y"]
        expect(page.locator("#ms-poc-review .seen-mark")).to_have_text("Newmoved from Mar 15")
        expect(page.locator("#ms-poc-setup .ms-badges .seen-mark")).to_have_text("Newdone")
        action = page.locator('[data-item="poc-setup/Provide data sample for POC"] .seen-mark')
        assert action.count() == 2  # its row in the plan and in Commitments
        expect(action.first).to_have_text("Newdone")
        expect(page.locator("#talk-1 .seen-mark")).to_have_text("Newanswered")
        expect(page.locator("#talk-1 .talk-answer")).to_contain_text("Yes; Priya sets it up on day one.")
        # Behind the line, each change links to its place.
        summary.locator("summary").click()
        links = summary.locator(".seen-list li")
        expect(links).to_have_text(
            [
                "POC Environment Setup: done",
                "POC Success Review: moved from Mar 15 to Mar 12",
                "Provide data sample for POC: done",
                "“Can we add SSO to the pilot?”: answered",
            ]
        )
        assert summary.locator(".seen-list a").nth(3).get_attribute("href") == "#talk-1"
        # What is stored is still ciphertext: the last two snapshots, under L.
        records = _stored(page)
        _assert_unreadable(records)
        opened = _opened(records[0])
        assert opened["before"]["items"]["poc-review"][1] == "2027-03-15"
        assert opened["current"]["items"]["poc-review"][1] == "2027-03-12"
        for width, height in ((1280, 800), (375, 812)):
            page.set_viewport_size({"width": width, "height": height})
            page.locator("#next-up").scroll_into_view_if_needed()
            save_screenshot(page, f"seen-new-{width}.png")
            for part in ("next-up", "ms-poc-review", "talk-1"):
                page.locator(f"#{part}").screenshot(path=str(ARTIFACTS / f"seen-new-{part}-{width}.png"))
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0
        assert _violations(page) == []

    session(REBUILT, second_visit)

    def reload_same_build(page) -> None:
        # The marks stay until the plan changes again: a reload keeps them.
        expect(page.locator("#seen-summary .seen-line")).to_have_text(
            "New Since your last visit: 2 done, 1 date moved, 1 answer"
        )

    session(REBUILT, reload_same_build)
