"""The whole update loop of issue 16, end to end: a buyer answers the plan in Chromium, the rep's
real `mapsite inbox --apply --yes`, `mapsite answer` and `mapsite build` take it in, and the
buyer's own browser (the same profile on disk) shows the result.

The buyer unlocks the example's acme deal, marks their action done, proposes a date and asks a
question, and sends these by the mail link (the body decoded from the mailto: URL is saved as the
.eml the rep's mail program would keep); then suggests a colleague and agrees to the plan, and
downloads the update file. The rep feeds each to the inbox, answers the question and rebuilds.
The portal then shows every change confirmed (and they leave the pending list), the question with
the rep's answer and the agreement in the Discussion section, the colleague among the
stakeholders; and the deal file changed only in the lines these changes call for.

Also: a reader whose login was remembered before sender keys existed has no mapsiteSender; the
portal keeps their changes but says plainly what to do to send them.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, unquote

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    assert_clean,
    log_in,
    open_updates_portal,
    save_change,
    save_screenshot,
    use_menu,
)
from tests.helpers import PASSWORDS, TODAY

pytestmark = pytest.mark.browser


DEAL = "content/deals/acme/index.md"
ACTION = '#plan [data-item="poc-setup/Provide data sample for POC"]'
LATER = '#plan [data-item="poc-review"]'
QUESTION = "Can we add SSO to the pilot?"
ANSWER = "Yes: Okta and Azure AD are both in the pilot."
NOW = dt.datetime(2027, 2, 22, 10, 0)


def mapsite(site: Path, *args: str) -> subprocess.CompletedProcess:
    """The rep's command in a real process, in an 80-column terminal."""
    result = subprocess.run(
        [sys.executable, "-m", "mapsite", *args, "--site", str(site)],
        capture_output=True, text=True, input="", timeout=300, env={**os.environ, "COLUMNS": "80"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def build(site: Path) -> None:
    mapsite(site, "build", "--force", "--today", TODAY)


@pytest.fixture
def profile(browser, tmp_path):
    """A browser profile on disk: the buyer's own browser, closed and opened again."""
    opened = []

    def launch():
        context = browser.browser_type.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 800},
            accept_downloads=True,
        )
        opened.append(context)
        return context

    yield launch
    for context in opened:
        context.close()


def states(page) -> list[str]:
    """The review panel's list, 'what — state' per change, as the reader reads it."""
    page.locator("[data-upd-review]").click()
    expect(page.locator(".upd-review")).to_be_visible()
    text = [
        f"{row.locator('.upd-change-what').inner_text()} — {row.locator('.upd-change-state').inner_text()}"
        for row in page.locator(".upd-change").all()
    ]
    page.locator(".upd-review [data-upd-close]").click()
    return text


def send_by_mail(page) -> str:
    """Tap 'Send to Sam Carter'; the mail the reader's mail app opens, as the rep saves it (.eml)."""
    page.locator("[data-upd-review]").click()
    link = page.get_by_role("link", name="Send to Sam Carter")
    href = link.get_attribute("href")
    # Chromium hands mailto: to the OS, which no test sees: the link the reader taps is the mail.
    link.evaluate("a => a.addEventListener('click', (e) => e.preventDefault())")
    link.click()
    expect(page.locator(".upd-change-state").first).to_have_text(
        "sent to Sam Carter, waiting for confirmation"
    )
    page.locator(".upd-review [data-upd-close]").click()
    address, _, query = href.removeprefix("mailto:").partition("?")
    fields = {key: values[0] for key, values in parse_qs(query).items()}
    message = EmailMessage()
    message["From"], message["To"] = "dana@acme.example", unquote(address)
    message["Subject"] = fields["subject"]
    message.set_content(fields["body"])
    return message.as_string()


def download(page, folder: Path) -> Path:
    """Tap 'Download update file'; the file as the reader's Downloads folder keeps it."""
    page.locator("[data-upd-review]").click()
    with page.expect_download() as caught:
        page.get_by_role("link", name="Download update file").click()
    page.locator(".upd-review [data-upd-close]").click()
    saved = folder / caught.value.suggested_filename
    caught.value.save_as(saved)
    return saved


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines a `git diff -U0` would show removed and added."""
    removed, added = [], []
    for line in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0, lineterm=""):
        if line.startswith("-") and not line.startswith("---"):
            removed.append(line[1:])
        elif line.startswith("+") and not line.startswith("+++"):
            added.append(line[1:])
    return removed, added


def test_the_buyer_answers_the_rep_applies_and_the_portal_confirms(
    example_site, static_server, profile, tmp_path
):
    site = example_site
    build(site)
    url = static_server(site / "output") + "acme/"
    before = (site / DEAL).read_text("utf-8")

    page, watch = open_updates_portal(profile(), url, log_in_first=True)
    use_menu(page, ACTION, "Done")
    save_change(page, "Mark done")
    use_menu(page, LATER, "New date…")
    page.get_by_role("textbox", name="New date").fill("2027-03-18")
    page.get_by_label("Why? (optional)").fill("CFO travels")
    save_change(page)
    page.get_by_role("button", name="Comment on the plan").click()
    page.get_by_label("Your question or comment").fill(QUESTION)
    save_change(page)
    mail = tmp_path / "update.eml"
    mail.write_text(send_by_mail(page), "utf-8")

    page.get_by_role("button", name="Suggest a colleague").click()
    page.get_by_label("Name", exact=True).fill("Lee Chen")
    page.get_by_label("Job title").fill("Procurement Lead")
    page.get_by_label("Email").fill("lee@acme.example")
    page.get_by_label("Role in the decision").select_option("procurement")
    save_change(page)
    page.get_by_role("button", name="We agree to this plan").click()
    page.get_by_label("Your name", exact=True).fill("Dana Whitfield")
    save_change(page, "Agree")
    update_file = download(page, tmp_path)
    assert update_file.name == "acme-update-2.mapsite-update.txt"
    assert update_file.read_text("utf-8").startswith("-----BEGIN MAPSITE UPDATE-----\nDeal: acme\n")
    expect(page.locator("[data-upd-bar-text]")).to_have_text("5 waiting for confirmation")
    assert_clean(watch)
    page.context.close()

    # The rep: the saved mail, then the downloaded file, each applied; the question answered.
    first = mapsite(site, "inbox", str(mail), "--apply", "--yes").stdout
    assert "Update 1 of 1: Acme x Northwind" in first, first
    second = mapsite(site, "inbox", str(update_file), "--apply", "--yes").stdout
    assert "Lee Chen" in second, second
    replay = subprocess.run(
        [sys.executable, "-m", "mapsite", "inbox", str(mail), "--site", str(site)],
        capture_output=True, text=True, input="", timeout=300,
    )  # fmt: skip
    assert "Dropped:" in replay.stdout and "Update 1 of" not in replay.stdout, replay.stdout
    [number] = re.findall(r"question recorded in the discussion as entry (\d+)", first)
    answered = mapsite(site, "answer", "acme", str(number), ANSWER).stdout
    assert f"Answered entry {number} of acme" in answered, answered
    build(site)

    # The deal file changed only where these changes belong.
    after = (site / DEAL).read_text("utf-8")
    removed, added = changed_lines(before, after)
    assert removed == [
        "updated: 2027-02-19",
        "      - {task: Provide data sample for POC, owner: it-manager, due: 2027-02-18}",
        "  - {phase: Validation, id: poc-review, name: POC Success Review, owners: [vp-marketing, ae], "
        "due: 2027-03-15, duration: 15bd, depends_on: [poc-setup], notes: The 30-day pilot runs}",
    ], removed
    ref = r"[0-9a-f]{16}:[0-9a-f]{8}:"
    expected = [
        re.escape(f"updated: {TODAY}"),
        re.escape(
            "  - {id: lee-chen, name: Lee Chen, title: Procurement Lead, side: buyer, role: procurement, "
            "email: lee@acme.example}"
        ),
        re.escape(
            "      - {task: Provide data sample for POC, owner: it-manager, due: 2027-02-18, done: true}"
        ),
        re.escape(
            "  - {phase: Validation, id: poc-review, name: POC Success Review, owners: [vp-marketing, ae], "
            "due: 2027-03-18, duration: 15bd, depends_on: [poc-setup], notes: The 30-day pilot runs}"
        ),
        "discussion:",
        re.escape(
            f"  - {{who: Acme buying team, side: buyer, when: {TODAY}, kind: question, text: {QUESTION}, "
            f'answer: "{ANSWER}", answered: {TODAY}, ref: '
        )
        + ref
        + r"1\.3\}",
        re.escape(
            f"  - {{who: Dana Whitfield, side: buyer, when: {TODAY}, kind: agreement, "
            "text: We agree to this plan., ref: "
        )
        + ref
        + r"2\.2\}",
    ]
    assert len(added) == len(expected), added
    for line, pattern in zip(added, expected, strict=True):
        assert re.fullmatch(pattern, line), (line, pattern)

    # The buyer's browser, restarted: every change confirmed, then gone from the device.
    page, watch = open_updates_portal(profile(), url, log_in_first=False)
    expect(page.locator("[data-upd-bar-text]")).to_have_text("5 confirmed")
    listed = states(page)
    assert len(listed) == 5 and all(s.endswith("— confirmed") for s in listed), listed
    expect(page.locator(f"{ACTION} .upd-mark")).to_contain_text("confirmed")
    talk = page.locator("#discussion")
    question = talk.locator(".talk-question", has_text=QUESTION)
    expect(question.locator(".talk-answer .talk-reply-text")).to_have_text(ANSWER)
    expect(talk.locator(".talk-agreement")).to_contain_text("Dana Whitfield agreed to this plan")
    expect(page.locator("#people .person-card", has_text="Lee Chen")).to_contain_text("Procurement Lead")
    save_screenshot(page, "update-loop-confirmed.png")
    # Shown once: a new change made on this page keeps them off the device all the same.
    page.get_by_role("button", name="Comment on the plan").click()
    page.get_by_label("Your question or comment").fill("Thanks, all clear.")
    save_change(page)
    page.reload()
    expect(page.locator("[data-upd-bar-text]")).to_have_text("1 change not sent")
    expect(page.locator(".upd-change")).to_have_count(1)
    assert_clean(watch)


FORGET_SENDER = """async () => {
  const db = await new Promise((ok, no) => { const r = indexedDB.open("mapsite"); r.onsuccess = () => ok(r.result); r.onerror = no; });
  const store = () => db.transaction("keys", "readwrite").objectStore("keys");
  const entry = await new Promise((ok) => { const r = store().get("remember:acme"); r.onsuccess = () => ok(r.result); });
  delete entry.sender;
  await new Promise((ok) => { const r = store().put(entry, "remember:acme"); r.onsuccess = ok; });
  db.close();
  return Object.keys(entry).sort().join(",");
}"""


def test_a_login_remembered_before_sender_keys_says_to_log_in_again(example_site, static_server, profile):
    build(example_site)
    url = static_server(example_site / "output") + "acme/"
    page, watch = open_updates_portal(profile(), url, log_in_first=True)
    # What a "Remember me" stored before sender keys existed: the content key and slot, no sender.
    assert page.evaluate(FORGET_SENDER) == "expires,key,kid,slot"
    page.context.close()

    page, watch = open_updates_portal(profile(), url, log_in_first=False)
    assert page.evaluate("() => 'mapsiteSender' in window") is False
    use_menu(page, ACTION, "Done")
    save_change(page, "Mark done")
    expect(page.locator("[data-upd-bar-text]")).to_have_text("1 change not sent")
    page.locator("[data-upd-review]").click()
    panel = page.locator(".upd-review")
    expect(panel.get_by_role("alert")).to_contain_text("Log out and log in again to send your changes.")
    expect(panel.locator("[data-upd-send]")).to_be_hidden()
    expect(panel.get_by_role("link", name="Send to Sam Carter")).to_have_count(0)
    save_screenshot(page, "update-relogin.png")
    assert_clean(watch)

    # Logging in again brings the sender key; the change kept on the device can now be sent.
    page.locator(".upd-review [data-upd-close]").click()
    page.locator("[data-mapsite-logout]").first.click()
    log_in(page, PASSWORDS["ACME_PORTAL_PASSWORD"], remember=True)
    expect(page.locator("[data-upd-bar-text]")).to_have_text("1 change not sent")
    page.locator("[data-upd-review]").click()
    expect(page.locator(".upd-review [data-upd-relogin]")).to_be_hidden()
    expect(page.get_by_role("link", name="Send to Sam Carter")).to_be_visible()
    assert_clean(watch)
