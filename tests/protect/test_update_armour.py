"""The update armour through what mail does to it: quoting, re-wrapping, CRLF, HTML, parts."""

from __future__ import annotations

import html
import os
import textwrap

from mapsite.protect.armour import armour, armour_parts, parse_armour

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
