"""The reader answers the plan from an unlocked portal (issue 16, docs/updates.md), in Chromium.

A buyer marks their action done, proposes a date, blocks a milestone, comments on the plan,
suggests a colleague and agrees: each change shows "not sent yet" at once, survives a reload and a
browser restart (a persistent profile), and is stored only encrypted (the typed words are in no
IndexedDB record). Send is a real mailto: link (read from the link the reader taps: Chromium hands
mailto: to the OS, which no test can see), under 1,800 characters a part, whose code the rep's
keyring opens; Copy update puts the same armour on the clipboard and Download update file saves it.
After a rebuild where the deal file shows the changes, they show confirmed, or declined with the
rep's reason, and then leave the device.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from playwright.sync_api import expect

from mapsite.pipeline.readable import render_all
from mapsite.protect.armour import parse_armour
from mapsite.protect.secrets import site_secret
from mapsite.protect.update_keys import update_keyring
from mapsite.protect.updates import open_code
from tests.browser.helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    OWN_MENU,
    assert_clean,
    open_updates_portal,
    save_change,
    save_screenshot,
    use_menu,
)
from tests.helpers import REPO, TODAY

pytestmark = pytest.mark.browser


SIZES = {"laptop": (1280, 800), "phone": (375, 812)}
ACTION = '#plan [data-item="poc-setup/Provide data sample for POC"]'
MILESTONE = '#plan [data-item="poc-setup"]'
LATER = '#plan [data-item="poc-review"]'
TYPED = ["SSO to the pilot", "CFO travels", "Lee Chen", "lee@acme.example", "Legal review", "Dana Whitfield"]
NOW = dt.datetime(2027, 2, 22, 10, 0)


def build(site: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "mapsite", "build", "--force", "--today", TODAY, "--site", str(site)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return str(site / "output")


@pytest.fixture
def portal(example_site, static_server) -> tuple[Path, str]:
    return example_site, static_server(Path(build(example_site))) + "acme/"


@pytest.fixture
def profile(browser, tmp_path):
    """A browser profile on disk, opened and closed as a reader's browser is (a restart keeps it)."""
    opened = []

    def launch(size: str = "laptop"):
        width, height = SIZES[size]
        context = browser.browser_type.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            viewport={"width": width, "height": height},
            accept_downloads=True,
        )
        opened.append(context)
        return context

    yield launch
    for context in opened:
        context.close()


def make_every_change(page) -> None:
    use_menu(page, ACTION, "Done")
    save_change(page, "Mark done")
    use_menu(page, MILESTONE, "Blocked…")
    page.get_by_label("What is blocking it?").fill("Legal review of the data")
    save_change(page)
    use_menu(page, LATER, "New date…")
    page.get_by_role("textbox", name="New date").fill("2027-03-18")
    page.get_by_label("Why? (optional)").fill("CFO travels")
    save_change(page)
    page.get_by_role("button", name="Comment on the plan").click()
    page.get_by_label("Your question or comment").fill("Can we add SSO to the pilot?")
    save_change(page)
    page.get_by_role("button", name="Suggest a colleague").click()
    page.get_by_label("Name", exact=True).fill("Lee Chen")
    page.get_by_label("Job title").fill("Procurement lead")
    page.get_by_label("Email").fill("lee@acme.example")
    page.get_by_label("Role in the decision").select_option("procurement")
    save_change(page)
    page.get_by_role("button", name="We agree to this plan").click()
    page.get_by_label("Your name", exact=True).fill("Dana Whitfield")
    save_change(page, "Agree")


def states(page) -> list[str]:
    """The review panel's list: 'what — state' per change, as the reader reads it."""
    page.locator("[data-upd-review]").click()
    expect(page.locator(".upd-review")).to_be_visible()
    rows = page.locator(".upd-change").all()
    text = [
        f"{r.locator('.upd-change-what').inner_text()} — {r.locator('.upd-change-state').inner_text()}"
        for r in rows
    ]
    page.locator(".upd-review [data-upd-close]").click()
    return text


def stored_records(page) -> str:
    """Every IndexedDB record of the page's origin, bytes as numbers, with localStorage."""
    return page.evaluate(
        """async () => {
          const out = [];
          for (const info of await indexedDB.databases()) {
            const db = await new Promise((ok, no) => { const r = indexedDB.open(info.name); r.onsuccess = () => ok(r.result); r.onerror = no; });
            for (const name of db.objectStoreNames) {
              const values = await new Promise((ok) => { const r = db.transaction(name).objectStore(name).getAll(); r.onsuccess = () => ok(r.result); });
              out.push(JSON.stringify(values, (k, v) => (v instanceof Uint8Array || v instanceof ArrayBuffer ? [...new Uint8Array(v)] : v)));
            }
            db.close();
          }
          const names = (await indexedDB.databases()).map((d) => d.name);
          return JSON.stringify(names) + out.join("\\n") + JSON.stringify({ ...localStorage });
        }"""
    )


def opened(site: Path, armour_text: str) -> dict:
    """The rep's side: every code in the text opened with the site's keyring; their payloads."""
    today = dt.date.fromisoformat(TODAY)
    [deal] = [d for d in render_all(site, today).deals if d.slug == "acme"]
    ring = update_keyring(deal, site, site_secret(site)[0], today)
    found = parse_armour(armour_text)
    assert found and all(f.code for f in found), [f.problem for f in found]
    [payload] = [open_code(f.code, ring).payload for f in found]
    return payload


@pytest.mark.parametrize("size", SIZES)
def test_each_change_shows_not_sent_yet_and_survives_a_restart_encrypted(portal, profile, size):
    _site, url = portal
    page, watch = open_updates_portal(profile(size), url)
    make_every_change(page)
    expect(page.locator("[data-upd-bar-text]")).to_have_text("6 changes not sent")
    expect(page.locator(f"{ACTION} .upd-mark")).to_have_text("Your change: Done · not sent yet")
    save_screenshot(page, f"updates-pending-{size}.png")
    listed = states(page)
    assert len(listed) == 6 and all(s.endswith("— not sent yet") for s in listed), listed
    assert any("Comment on the plan: Can we add SSO to the pilot?" in s for s in listed)

    page.reload()
    expect(page.locator("[data-upd-bar-text]")).to_have_text("6 changes not sent")
    assert_clean(watch)
    page.context.close()

    page, watch = open_updates_portal(profile(size), url, log_in_first=False)  # remembered login
    expect(page.locator("[data-upd-bar-text]")).to_have_text("6 changes not sent")
    assert states(page) == listed
    records = stored_records(page)
    assert '"mapsite-pending"' in records  # the changes are stored, encrypted
    for word in TYPED:
        assert word not in records, word
        assert word.encode("utf-16-le").hex() not in records
    assert_clean(watch)


def test_send_by_mail_copy_and_download_carry_a_code_the_rep_opens(portal, profile):
    site, url = portal
    context = profile()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url.split("/acme/")[0])
    page, watch = open_updates_portal(context, url)
    make_every_change(page)
    page.locator("[data-upd-review]").click()
    mail = page.get_by_role("link", name="Send to Sam Carter")
    href = mail.get_attribute("href")
    assert len(href) <= 1800
    address, _, query = href.removeprefix("mailto:").partition("?")
    assert unquote(address) == "sam.carter@northwind.example"
    fields = {k: v[0] for k, v in parse_qs(query).items()}
    assert fields["subject"] == (
        "Update for Acme x Northwind: Marketing Automation Rollout: "
        "1 done, 1 blocked, 1 new date, 1 comment, 1 colleague, 1 agreement"
    )
    assert "- Done: “Provide data sample for POC”" in fields["body"]
    assert "- New date for “POC Success Review”: Mar 18 instead of Mar 15 (CFO travels)" in fields["body"]
    payload = opened(site, fields["body"])
    assert payload["seq"] == 1 and payload["name"] == "Dana Whitfield"
    ops = {c["op"]: c for c in payload["changes"]}
    assert ops["done"]["item"] == "poc-setup/Provide data sample for POC"
    assert ops["blocked"] == {
        "id": "1.2",
        "op": "blocked",
        "item": "poc-setup",
        "reason": "Legal review of the data",
    }
    assert (ops["date"]["from"], ops["date"]["to"]) == ("2027-03-15", "2027-03-18")
    assert ops["colleague"]["role"] == "procurement" and ops["agree"]["name"] == "Dana Whitfield"

    # Tapping the link hands it to the mail app (nothing a page can see): the changes are sent.
    mail.evaluate("a => a.addEventListener('click', (e) => e.preventDefault())")
    mail.click()
    expect(page.locator(".upd-change-state").first).to_have_text(
        "sent to Sam Carter, waiting for confirmation"
    )
    page.get_by_role("button", name="Copy update").click()
    clipboard = page.evaluate("navigator.clipboard.readText()")
    assert clipboard.startswith("-----BEGIN MAPSITE UPDATE-----\nDeal: acme\n")
    assert opened(site, clipboard) == payload  # the same code, sent again
    with page.expect_download() as caught:
        page.get_by_role("link", name="Download update file").click()
    download = caught.value
    assert download.suggested_filename == "acme-update-1.mapsite-update.txt"
    assert opened(site, Path(download.path()).read_text("utf-8")) == payload
    page.locator(".upd-review [data-upd-close]").click()
    expect(page.locator("[data-upd-bar-text]")).to_have_text("6 waiting for confirmation")
    assert_clean(watch)


def test_a_long_update_goes_in_numbered_mails_under_the_limit(portal, profile):
    site, url = portal
    page, watch = open_updates_portal(profile("phone"), url)
    for n in range(4):
        page.get_by_role("button", name="Comment on the plan").click()
        page.get_by_label("Your question or comment").fill(
            f"Question {n}: " + "".join(hashlib.sha256(bytes([n, k])).hexdigest() for k in range(10))
        )
        save_change(page)
    page.locator("[data-upd-review]").click()
    links = page.locator("[data-upd-mail-part]")
    expect(links.first).to_have_text(re.compile(r"Send part 1 of \d+ to Sam Carter"))
    hrefs = links.evaluate_all("links => links.map((a) => a.href)")
    assert len(hrefs) >= 2 and all(len(h) <= 1800 for h in hrefs), [len(h) for h in hrefs]
    bodies = "\n".join(parse_qs(urlsplit(h).query)["body"][0] for h in hrefs)
    assert len(opened(site, bodies)["changes"]) == 4
    save_screenshot(page, "updates-parts-phone.png")
    assert_clean(watch)


def test_a_rebuilt_portal_shows_the_changes_confirmed_or_declined(portal, profile):
    site, url = portal
    page, watch = open_updates_portal(profile(), url)
    make_every_change(page)
    page.locator("[data-upd-review]").click()
    with page.expect_download() as caught:
        page.get_by_role("link", name="Download update file").click()
    payload = opened(site, Path(caught.value.path()).read_text("utf-8"))
    ref = {c["op"]: f"{payload['sender']}:{payload['device']}:{c['id']}" for c in payload["changes"]}

    # The rep applies the update by hand: the action done, the date moved, the colleague added,
    # the comment and agreement in the discussion, the blocked proposal declined with a reason.
    deal = site / "content/deals/acme/index.md"
    text = deal.read_text("utf-8")
    text = text.replace(
        "owner: it-manager, due: 2027-02-18}", "owner: it-manager, due: 2027-02-18, done: true}"
    )
    text = text.replace(
        "id: poc-review, name: POC Success Review, owners: [vp-marketing, ae], due: 2027-03-15",
        "id: poc-review, name: POC Success Review, owners: [vp-marketing, ae], due: 2027-03-18",
    )
    text = text.replace(
        "  - {id: ae, name: Sam Carter",
        "  - {id: lee, name: Lee Chen, title: Procurement lead, side: buyer, role: procurement, email: lee@acme.example}\n"
        "  - {id: ae, name: Sam Carter",
    )
    entries = [
        f'  - {{who: Dana Whitfield, side: buyer, when: {TODAY}, text: Can we add SSO to the pilot?, ref: "{ref["comment"]}"}}',
        f'  - {{who: Dana Whitfield, side: buyer, when: {TODAY}, kind: agreement, text: We agree to this plan, ref: "{ref["agree"]}"}}',
        f'  - {{who: Dana Whitfield, side: buyer, when: {TODAY}, kind: proposal, item: poc-setup, text: Blocked, ref: "{ref["blocked"]}", declined: The data sample arrived on Feb 20}}',
    ]
    text = text.replace(
        "\nsuccess_criteria:", "\ndiscussion:\n" + "\n".join(entries) + "\n\nsuccess_criteria:", 1
    )
    deal.write_text(text, "utf-8")
    build(site)

    page.reload()
    expect(page.locator("[data-upd-bar-text]")).to_have_text("5 confirmed · 1 declined")
    listed = states(page)
    assert sum(s.endswith("— confirmed") for s in listed) == 5, listed
    assert any(
        s.startswith("Blocked: “POC Environment Setup”")
        and s.endswith("— declined: The data sample arrived on Feb 20")
        for s in listed
    )
    expect(page.locator(f"{LATER} .upd-mark")).to_contain_text("confirmed")
    save_screenshot(page, "updates-confirmed-laptop.png")
    page.reload()  # shown once, then gone from the device
    expect(page.locator("[data-upd-bar]")).to_be_hidden()
    expect(page.locator(".upd-change")).to_have_count(0)
    assert_clean(watch)


AXE = REPO / "tests" / "browser" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {[n['target'] for n in v['nodes'][:5]]}" for v in result["violations"]]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", SIZES)
def test_the_update_controls_have_no_axe_violations(portal, browser, size, scheme):
    _site, url = portal
    width, height = SIZES[size]
    context = browser.new_context(
        viewport={"width": width, "height": height}, color_scheme=scheme, bypass_csp=True
    )
    page, watch = open_updates_portal(context, url)
    use_menu(page, ACTION, "Done")
    save_change(page, "Mark done")
    row = page.locator(LATER)
    row.locator(f"{OWN_MENU} > summary").click()
    assert axe_violations(page) == []  # a menu open, a change marked, the bar shown
    row.locator(OWN_MENU).get_by_role("button", name="New date…").click()
    save_screenshot(page, f"updates-form-{size}-{scheme}.png")
    assert axe_violations(page) == []
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.locator("[data-upd-review]").click()
    expect(page.locator(".upd-review [data-upd-copy]")).to_be_enabled()
    save_screenshot(page, f"updates-review-{size}-{scheme}.png")
    assert axe_violations(page) == []
    assert_clean(watch)
    context.close()
