"""The update armour through what mail does to it: quoting, re-wrapping, CRLF, HTML, parts."""

from __future__ import annotations

import html
import os
import textwrap

from mapsite.protect.armour import Text, armour, armour_parts, parse_armour, parse_texts

CODE = os.urandom(700)  # about the size of a five-change update


def test_quoted_rewrapped_crlf_and_html_mail_give_the_code_back():
    text = "Hi Sam,\n\nhere is our update.\n\n" + armour(CODE, "acme") + "\nThanks, Dana\n"
    quoted = "".join(f"> {line}\n" for line in text.splitlines())
    twice = "".join(f"> {line}\n" for line in quoted.splitlines())
    rewrapped = "\n".join(textwrap.fill(line, 72) for line in quoted.splitlines())
    crlf = rewrapped.replace("\n", "\r\n")
    as_html = "<html><body><div>" + "<br>".join(html.escape(line) for line in quoted.splitlines()) + "</div>"
    spaced = as_html.replace("<br>", " <br>\n&nbsp;")
    # The worst re-wrap: the whole message refilled at 72 columns as one paragraph, then quoted.
    refilled = textwrap.fill(text.replace("\n", " "), 72, break_on_hyphens=False)
    refilled = "".join(f"> {line}\n" for line in refilled.splitlines())
    for mangled in (text, quoted, twice, rewrapped, crlf, as_html, spaced, refilled):
        [found] = parse_armour(mangled)
        assert (found.code, found.deal, found.problem) == (CODE, "acme", None)


def test_parts_join_in_any_order_and_a_missing_part_is_named():
    parts = armour_parts(CODE, "acme", 400)
    assert len(parts) > 2 and all(len(part) <= 400 for part in parts)
    mails = "\n\n".join(f"Subject: part {i}\n\n> {part}" for i, part in enumerate(reversed(parts)))
    [found] = parse_armour(mails + "\n" + parts[0])  # a part quoted again counts once
    assert found.code == CODE
    without = "\n".join(part for i, part in enumerate(parts) if i != 1)
    [missing] = parse_armour(without)
    assert missing.code is None
    assert f"part 2 of {len(parts)} is missing" in missing.problem


def test_a_cut_block_is_reported_not_guessed():
    whole = armour(CODE, "acme")
    [cut] = parse_armour(whole[: len(whole) // 2])
    assert cut.code is None and "cut short" in cut.problem
    assert armour_parts(CODE, "acme", 10_000) == [whole]


def test_parts_join_across_mails_and_each_problem_names_its_mail():
    parts = armour_parts(CODE, "acme", 400)
    mails = [
        Text(f"updates.mbox, message {i + 1}", f"Part {i + 1}:\n\n> {part}") for i, part in enumerate(parts)
    ]
    reply = Text(
        "updates.mbox, message 9", "Sam wrote:\n" + "".join(f"> {line}\n" for line in parts[0].splitlines())
    )
    [found] = parse_texts([reply, *reversed(mails), Text("notes.txt", armour(CODE, "acme"))])
    assert (found.code, found.deal, found.where) == (CODE, "acme", "updates.mbox, message 9")

    other = os.urandom(300)
    cut = armour(other, "acme")
    no_deal = armour(other, "globex").replace("Deal: globex", "")
    [missing, damaged, headless] = parse_texts(
        [Text("updates.mbox, message 1", parts[0]), Text("Maildir, message 2", "Hi\n\n" + cut[:150]),
         Text("update.eml", no_deal)]
    )  # fmt: skip
    assert missing.code is None and missing.problem.startswith("updates.mbox, message 1, line 1: update ")
    lacking = ", ".join(str(n) for n in range(2, len(parts) + 1))
    assert (
        f"is in {len(parts)} parts: part {lacking} of {len(parts)} are missing (found 1)" in missing.problem
    )
    assert (
        damaged.problem
        == "Maildir, message 2, line 3: the update code is cut short or damaged; ask for it again"
    )
    assert headless.problem == (
        "update.eml, line 1: an update block has no 'Deal:' line; it was cut or changed on the way"
    )
