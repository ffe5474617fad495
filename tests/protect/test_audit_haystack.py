"""The leak audit searches each distinct line once, and finds exactly what a search of every
file's whole bytes finds.

A site's pages are nearly all the same lines, so the audit searches the distinct lines (and
the bytes around each newline, for needles that hold one) instead of every file's bytes. These
tests hold it to a plain search of each file for each needle, written here from the audit's
contract: over many random sites made of shared and odd lines, with needles that span lines,
start or end at a newline, sit inside a page's address, or are one window of a file among
several that must be found together.
"""

from __future__ import annotations

import random
import re

import pytest

from mapsite.protect.audit import (
    BYTES,
    MAX_NEEDLE,
    NAME,
    Needle,
    audit,
    haystack,
    scannable,
    search_for,
)

ADDRESS = re.compile(rb"[a-z0-9_-]*")


def plain_audit(
    files: list[tuple[str, bytes]], needles: list[Needle], folders: frozenset[str], skip: frozenset[str]
) -> set[tuple[str, str]]:
    """(path, message) of each finding, by looking for every needle everywhere in every file."""
    found = set()
    for path, content in files:
        seen = set()
        for where, text in (("path", path.lower().encode()), ("contents", scannable(path, content).lower())):
            windows: dict[tuple[str, str], set[bytes]] = {}
            for needle in needles:
                if needle.deal in skip or not any(
                    _address(text, start, start + len(needle.text)) not in folders
                    for start in _occurrences(text, needle.text)
                ):
                    continue
                key = (needle.deal, needle.what)
                windows.setdefault(key, set()).add(needle.text)
                if (needle.kind == BYTES and len(windows[key]) < needle.needed) or key in seen:
                    continue
                seen.add(key)
                shows = "shows" if where == "path" else "show"
                found.add(
                    (path, f"leak: the {where} {shows} the {needle.what} of protected deal '{needle.deal}'")
                )
    return found


def _occurrences(text: bytes, needle: bytes) -> list[int]:
    starts, at = [], text.find(needle)
    while at >= 0:
        starts.append(at)
        at = text.find(needle, at + 1)
    return starts


def _address(text: bytes, start: int, end: int) -> str:
    """The needle at ``text[start:end]`` with the slug characters either side of it."""
    left = len(ADDRESS.match(text[:start][::-1]).group())  # type: ignore[union-attr]
    right = len(ADDRESS.match(text, end).group())  # type: ignore[union-attr]
    return text[start - left : end + right].decode("latin-1")


SHARED_LINES = [
    b"<!doctype html>",
    b'<a href="../acme-globex/">back</a>',
    b"  <p>Signed by Dana Whitfield</p>",
    b"%pdf-1.7",
    b"",
    b"stream",
    b"x",
    b'"ct":"QUJDRA","iv":"QUJD"',
]


def random_site(
    rng: random.Random,
) -> tuple[list[tuple[str, bytes]], list[Needle], frozenset[str], frozenset[str]]:
    alphabet = b'ab-/\n x"Q'
    files = []
    for index in range(rng.randint(1, 6)):
        lines = [
            rng.choice(SHARED_LINES)
            if rng.random() < 0.6
            else bytes(rng.choices(alphabet, k=rng.randint(0, 40)))
            for _ in range(rng.randint(0, 12))
        ]
        path = rng.choice(
            ["acme-globex/index.html", "globex/index.html", f"p{index}/a\nb.txt", f"f{index}.ics"]
        )
        files.append((f"{index}/{path}", b"\n".join(lines).replace(b"Q", rng.choice([b"Q", b"\n", b"A"]))))
    texts = [p.lower().encode() + b"\n" + scannable(p, c).lower() for p, c in files]
    needles = []
    for number in range(rng.randint(1, 25)):
        text = rng.choice(texts)
        start = rng.randrange(len(text))
        word = text[start : start + rng.randint(1, MAX_NEEDLE)]
        if rng.random() < 0.2:
            word = bytes(rng.choices(alphabet.lower(), k=rng.randint(1, 8)))
        deal = rng.choice(["one", "two", "three"])
        if rng.random() < 0.4:
            file = number % 3  # all windows of a file need as many found together
            needles.append(Needle(deal, f"bytes of 'file{file}'", word, BYTES, file + 1))
        else:
            needles.append(Needle(deal, f"name '{number}'", word, NAME))
    folders = frozenset(rng.sample(["globex", "acme-globex", "p1", "x", "a-b"], rng.randint(0, 3)))
    skip = frozenset(rng.sample(["one", "two", "three"], rng.randint(0, 1)))
    return files, needles, folders, skip


@pytest.mark.parametrize("seed", range(400))
def test_the_audit_finds_what_a_search_of_every_whole_file_finds(seed):
    files, needles, folders, skip = random_site(random.Random(seed))
    findings = audit(haystack(files), needles, folders, skip)
    assert len(findings) == len({(f.path, f.message) for f in findings})
    assert {(f.path, f.message) for f in findings} == plain_audit(files, needles, folders, skip)


def test_the_random_sites_hold_every_case_the_lines_must_get_right():
    """The sites above find needles across newlines, at a line's edge, inside an address, and a
    file's windows both short of and at their quorum: without them the test above shows little."""
    cases = {"spans lines": 0, "address": 0, "short of quorum": 0, "quorum": 0, "found": 0}
    for seed in range(400):
        files, needles, folders, _skip = random_site(random.Random(seed))
        found = plain_audit(files, needles, folders, frozenset())
        cases["found"] += len(found)
        texts = [scannable(p, c).lower() for p, c in files]
        cases["spans lines"] += sum(1 for n in needles if b"\n" in n.text and any(n.text in t for t in texts))
        everywhere = plain_audit(files, needles, frozenset(), frozenset())
        cases["address"] += len(everywhere - found)
        for file_needles in [
            [n for n in needles if n.kind == BYTES and n.what == w] for w in {n.what for n in needles}
        ]:
            shown = {n.text for n in file_needles if any(n.text in t for t in texts)}
            if file_needles and shown:
                cases[
                    "quorum" if len(shown) >= max(n.needed for n in file_needles) else "short of quorum"
                ] += 1
    assert all(count >= 20 for count in cases.values()), cases


def test_a_file_window_that_spans_several_short_lines_is_found_in_a_file_made_of_shared_lines():
    """A leaked file's window crosses three newlines; every line of the page is also on a page
    that shows nothing, so only the bytes around its newlines can tell the two apart."""
    leaked = b"ab\ncd\nef\ngh-window"
    page = b"<p>\nab\ncd\nef\ngh-window</p>\n"
    other = b"<p>\ngh-window</p>\nef\ncd\nab\n"
    needle = Needle("one", "bytes of 'notes.txt'", leaked, BYTES, 1)
    files = [("clean/index.html", other), ("leaky/index.html", page)]
    findings = audit(haystack(files), [needle], frozenset({"clean", "leaky"}))
    assert [(f.path, f.message) for f in findings] == [
        ("leaky/index.html", "leak: the contents show the bytes of 'notes.txt' of protected deal 'one'")
    ]


def test_a_haystack_is_searched_by_every_batch_of_needles():
    files = [("a/index.html", b"<h1>Globex</h1>\nDana Whitfield signs\n"), ("b.ics", b"SUMMARY:Raj Patel\n")]
    hay = haystack(files)
    first = audit(hay, [Needle("one", "stakeholder 'Dana'", b"dana whitfield")], frozenset({"a"}))
    second = audit(hay, [Needle("two", "stakeholder 'Raj'", b"raj patel")], frozenset({"a"}))
    assert [(f.path, f.message) for f in first + second] == [
        ("a/index.html", "leak: the contents show the stakeholder 'Dana' of protected deal 'one'"),
        ("b.ics", "leak: the contents show the stakeholder 'Raj' of protected deal 'two'"),
    ]


def test_a_needle_longer_than_the_longest_kept_is_refused():
    """The bytes around a newline reach ``MAX_NEEDLE`` either way: a longer needle holding a
    newline could be missed, so none is searched."""
    with pytest.raises(ValueError, match="longer than 32 bytes"):
        search_for([Needle("one", "file name 'x'", b"a" * 20 + b"\n" + b"b" * 20)])
