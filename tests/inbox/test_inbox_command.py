"""``mapsite inbox`` and ``mapsite answer`` in real processes, over real mail files.

Codes are sealed as the reader's page seals them (protect/updates.seal_code, twin-tested
against the browser) with the keys the rep's machine derives for the example's acme deal, then
mailed the ways mail mangles them: quoted and re-wrapped at 72 columns in an mbox, split in
two parts over two HTML-only mails in a Maildir, in a saved .eml and pasted on stdin.
"""

from __future__ import annotations

import difflib
import mailbox
import textwrap
from email.message import EmailMessage
from pathlib import Path

import pytest

from mapsite.protect.armour import armour, armour_parts
from tests.inbox.helpers import DEAL, FIRST, SECOND, reader_code, run


def quoted_and_rewrapped(text: str) -> str:
    """A reply quoting the mail, then re-wrapped at 72 columns as mail programs do."""
    return textwrap.fill("> " + "\n> ".join(text.splitlines()), width=72) + "\n"


def mail(subject: str, plain: str | None = None, html: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "dana@acme.example", "sam@northwind.example", subject
    if plain is not None:
        message.set_content(plain)
    if html is not None:
        if plain is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    return message


@pytest.fixture
def inbox_files(site: Path, tmp_path: Path) -> list[Path]:
    first = armour(reader_code(site, 1, FIRST), "acme")
    box = mailbox.mbox(tmp_path / "updates.mbox")
    box.add(mail("Lunch?", "Nothing to see here."))
    box.add(mail("Re: Update for Acme", "Sam wrote:\n" + quoted_and_rewrapped("Update below\n" + first)))
    box.flush()
    parts = armour_parts(reader_code(site, 2, SECOND), "acme", 300)
    assert len(parts) > 1
    maildir = mailbox.Maildir(tmp_path / "Maildir")
    for number, part in enumerate(parts, start=1):
        lines = "<br>".join(part.replace("&", "&amp;").splitlines())
        html = f"<html><body><p>Update, part {number}</p><div>{lines}</div></body></html>"
        maildir.add(mail(f"Update for Acme (part {number})", html=html))
    return [tmp_path / "updates.mbox", tmp_path / "Maildir"]


def test_inbox_shows_every_update_against_the_plan_and_writes_nothing(site, inbox_files):
    before = (site / DEAL).read_text("utf-8")
    result = run(site, "inbox", *map(str, inbox_files))
    assert result.returncode == 0, result.stderr + result.stdout
    out = result.stdout
    assert "Update 1 of 2: Acme x Northwind" in out
    assert "from the access entry 'Acme buying team' (buyer side), signed" in out
    assert "1.1 done: action 'Provide data sample for POC'" in out
    assert '1.3 question on the plan: "Can we add SSO to the pilot?"' in out
    assert "2.1 new date: ROI Analysis Complete (roi) 2027-03-10 -> 2027-03-24" in out
    assert "! date moved since: it is now due 2027-03-20, not 2027-03-10" in out
    assert "2.2 done: Technical Demo (demo) (nothing to apply)" in out
    assert "! already done" in out
    assert "Nothing was written" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert (site / DEAL).read_text("utf-8") == before


def test_apply_yes_changes_only_the_intended_lines_and_a_replay_is_dropped(site, inbox_files):
    before = (site / DEAL).read_text("utf-8")
    result = run(site, "inbox", *map(str, inbox_files), "--apply", "--yes")
    assert result.returncode == 0, result.stderr + result.stdout
    after = (site / DEAL).read_text("utf-8")
    changed = [
        line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]  # fmt: skip
    assert "-updated: 2027-02-19" in changed and "+updated: 2027-02-22" in changed, changed
    removed = [line for line in changed if line.startswith("-")]
    added = [line for line in changed if line.startswith("+")]
    assert any("Provide data sample for POC" in line and "done: true" in line for line in added)
    assert any("id: poc-review" in line and "due: 2027-03-19" in line for line in added)
    assert any("id: roi" in line and "due: 2027-03-24" in line for line in added)
    assert any("id: security-submit" in line and "status: blocked" in line for line in added)
    assert "+  - {id: lee-chen, name: Lee Chen, title: Procurement Lead, side: buyer, role: procurement, " \
        "email: lee@acme.example}" in added  # fmt: skip
    assert "+discussion:" in added
    assert any("kind: question, text: Can we add SSO to the pilot?" in line for line in added)
    assert any("kind: agreement" in line for line in added)
    assert any("text: \"Blocked: Waiting for the questionnaire\"" in line or
               "text: 'Blocked: Waiting for the questionnaire'" in line for line in added)  # fmt: skip
    # Each removed line is one edited in place: the same item, one field more or changed.
    assert len(removed) == 5, changed  # updated, the action, poc-review, roi, security-submit
    assert not any("demo" in line for line in added), "already done: left alone"
    assert run(site, "check").returncode == 0

    again = run(site, "inbox", *map(str, inbox_files), "--apply", "--yes")
    assert again.returncode == 0, again.stdout
    assert again.stdout.count("was already processed on 2027-02-22; dropped") == 2
    assert (site / DEAL).read_text("utf-8") == after
    ledger = (site / ".mapsite" / "inbox.json").read_text("utf-8")
    assert "SSO" not in ledger and "Dana" not in ledger and "Lee" not in ledger


def test_eml_and_stdin_and_answer(site, tmp_path):
    code = armour(
        reader_code(
            site, 3, [{"id": "3.1", "op": "comment", "item": "poc-review", "text": "Who joins the review?"}]
        ),
        "acme",
    )
    eml = tmp_path / "update.eml"
    eml.write_bytes(
        bytes(mail("Update for Acme", "Hi Sam,\n\n" + code + "\n", "<p>Hi Sam,</p><pre>" + code + "</pre>"))
    )
    shown = run(site, "inbox", str(eml))
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "3.1 question on POC Success Review (poc-review)" in shown.stdout
    applied = run(site, "inbox", "--apply", "--yes", stdin="pasted:\n" + code)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "3.1: question recorded in the discussion" in applied.stdout
    answered = run(site, "answer", "acme", "1", "Raj and Dana, with Priya from our side.")
    assert answered.returncode == 0, answered.stderr
    assert "Answered entry 1 of acme" in answered.stdout
    text = (site / DEAL).read_text("utf-8")
    assert (
        'text: Who joins the review?, answer: "Raj and Dana, with Priya from our side.", answered: 2027-02-22,'
        in text
    )
    missing = run(site, "answer", "acme", "7", "Hello")
    assert missing.returncode == 1
    assert "deal 'acme' has no discussion entry 7 (it has 1: 1 to 1)" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_damaged_missing_part_and_revoked_are_refused_with_exit_1(site, tmp_path):
    code = reader_code(site, 4, [{"id": "4.1", "op": "done", "item": "demo"}])
    damaged = bytearray(code)
    damaged[30] ^= 1
    parts = armour_parts(reader_code(site, 5, SECOND), "acme", 300)
    pasted = armour(bytes(damaged), "acme") + "\n" + parts[0]
    result = run(site, "inbox", stdin=pasted)
    assert result.returncode == 1
    said = " ".join(result.stdout.split())
    assert "is damaged: it was changed or cut short on the way" in said
    assert "part 2 of 2 is missing (found 1); give every mail of it" in said
    assert "Traceback" not in result.stderr
    unreadable = run(site, "inbox", str(tmp_path / "nope.eml"))
    assert unreadable.returncode == 1 and "nope.eml: no such file" in unreadable.stderr
