"""A deal opened only by share links (``access: links``, issue 18): its build runs no PBKDF2, its
published envelope has no password slot (so nothing public lets a guess skip a KDF, and there is
nothing to guess), a revoked link opens nothing built after it, and a deal no active link opens
is a warning at its ``access:`` line. Every command here is the real ``mapsite`` in a process.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from mapsite.protect import envelope
from tests import envelope_reader
from tests.helpers import MINIMAL_DEAL, TODAY, SiteFactory, line_of, mapsite_ok, pbkdf2_counted, run

ENVELOPE = re.compile(r'<script type="application/json" id="mapsite-envelope">(.*?)</script>', re.S)
PASSWORD_ACCESS = "access:\n  - {label: Buying team, password_env: TEST_PORTAL_PASSWORD}\n"
LINKS_TITLE = "Links Co x Northwind"
LINKS_DEAL = MINIMAL_DEAL.replace(PASSWORD_ACCESS, "access: links\n").replace(
    "Buyer Co x Northwind", LINKS_TITLE
)
LINKS_FILE = "content/deals/links-co.md"
ACCESS_LINE = line_of(LINKS_DEAL, "access: links")


@pytest.fixture
def site(site_factory: SiteFactory) -> Path:
    """A password deal beside a links-only one, so the PBKDF2 count has a control."""
    return site_factory.make({"buyer-co.md": MINIMAL_DEAL, "links-co.md": LINKS_DEAL})


def share(site: Path, label: str) -> str:
    """A new share link of the links-only deal; returns its secret (from the printed link)."""
    printed = mapsite_ok(site, "share", "links-co", "--label", label, "--expires", "never").stdout
    return re.search(r"#share=([A-Za-z0-9_-]{22})$", printed, re.M).group(1)


def counted_build(site: Path, out: Path, log: Path) -> tuple[subprocess.CompletedProcess, int]:
    """One ``mapsite build`` of ``site`` into ``out``, and the PBKDF2 runs it made."""
    return pbkdf2_counted(log, "build", "--site", str(site), "--today", TODAY, "--out", str(out))


def envelopes(out: Path, slug: str) -> list[dict]:
    """The envelope of every published page of ``slug``."""
    shells = sorted((out / slug).rglob("*.html"))
    found = [ENVELOPE.search(shell.read_text("utf-8")) for shell in shells]
    assert found and all(found), f"every page of {slug} is a sealed shell"
    return [json.loads(match.group(1)) for match in found if match]


def link_root(secret: str, page: dict) -> bytes:
    return envelope.share_root(envelope.unb64(secret), envelope.unb64(page["kdf"]["salt"]))


def cached_entries(site: Path) -> int:
    return len(json.loads((site / ".mapsite" / "kdf-cache.json").read_text("utf-8"))["entries"])


def test_a_links_only_deal_is_sealed_for_its_links_alone_with_no_pbkdf2(site, tmp_path):
    secret = share(site, "Buying team")
    done, runs = counted_build(site, tmp_path / "out", tmp_path / "pbkdf2.log")

    # A cold cache: one PBKDF2, for the password deal's one password; none for the links-only deal.
    assert runs == 1
    assert cached_entries(site) == 1
    assert "nobody can open" not in done.stderr
    for page in envelopes(tmp_path / "out", "links-co"):
        assert [slot["type"] for slot in page["slots"]] == ["share"]
        _key, html = envelope_reader.open_envelope(page, link_root(secret, page))
        assert LINKS_TITLE.encode() in html
    # The password deal beside it is sealed as before.
    assert {slot["type"] for page in envelopes(tmp_path / "out", "buyer-co") for slot in page["slots"]} == {
        "password"
    }

    # A warm rebuild runs none at all.
    _, runs = counted_build(site, tmp_path / "again", tmp_path / "pbkdf2.log")
    assert runs == 0


def test_a_revoked_link_opens_nothing_built_after_it_and_there_is_no_password_to_guess(site, tmp_path):
    kept, revoked = share(site, "Dana (CFO)"), share(site, "Raj (VP)")
    before = tmp_path / "before"
    counted_build(site, before, tmp_path / "pbkdf2.log")
    mapsite_ok(site, "share", "links-co", "--revoke", "Raj (VP)")
    after = tmp_path / "after"
    done, runs = counted_build(site, after, tmp_path / "pbkdf2.log")
    assert runs == 0

    old_pages, new_pages = envelopes(before, "links-co"), envelopes(after, "links-co")
    for old, new in zip(old_pages, new_pages, strict=True):
        # While it was live, the link opened the deal; the re-keyed output refuses it.
        envelope_reader.open_envelope(old, link_root(revoked, old))
        with pytest.raises(ValueError, match="no key slot opens"):
            envelope_reader.open_envelope(new, link_root(revoked, new))
        assert new["kid"] != old["kid"], "revoking re-keys the deal"
        # Only the link still given out opens it; no slot takes a password, so a guess has
        # nothing to be tried against, however fast or slow.
        envelope_reader.open_envelope(new, link_root(kept, new))
        assert [slot["type"] for slot in new["slots"]] == ["share"]

    # The last link revoked: sealed for nobody, and the build says so at the access line.
    mapsite_ok(site, "share", "links-co", "--revoke", "Dana (CFO)")
    done, runs = counted_build(site, tmp_path / "last", tmp_path / "pbkdf2.log")
    assert runs == 0
    assert all(page["slots"] == [] for page in envelopes(tmp_path / "last", "links-co"))
    assert (
        f"{LINKS_FILE}:{ACCESS_LINE}: warning: nobody can open this deal: it opens only by share "
        "links (access: links), and every link it had is revoked or expired"
    ) in " ".join(done.stderr.split())


def test_check_warns_at_the_access_line_while_no_link_opens_the_deal(site):
    done = run("check", "--site", str(site), "--today", TODAY, columns=80)
    text = " ".join(done.stdout.split() + done.stderr.split())
    assert done.returncode == 0, text
    assert (
        f"{LINKS_FILE}:{ACCESS_LINE}: warning: nobody can open this deal: it opens only by share "
        'links (access: links), and it has no share link yet (hint: make one: mapsite share links-co --label "Buying team")'
    ) in text

    share(site, "Buying team")
    done = run("check", "--site", str(site), "--today", TODAY, columns=80)
    assert done.returncode == 0 and "nobody can open" not in done.stdout + done.stderr
    # The commands that list a deal's ways in take one with no password.
    status = mapsite_ok(site, "status", "--today", TODAY).stdout
    assert "links-co" in status
    listed = mapsite_ok(site, "share", "--list").stdout
    assert "links-co: Buying team" in listed


@pytest.mark.parametrize("value", ["linkz", "3", "hunter2-harbor-lantern"])
def test_an_access_value_neither_a_list_nor_links_is_an_error_at_its_line(site_factory, value):
    site = site_factory.make({"links-co.md": LINKS_DEAL.replace("access: links", f"access: {value}")})
    done = run("check", "--site", str(site), "--today", TODAY, columns=80)
    text = " ".join(done.stdout.split() + done.stderr.split())
    assert done.returncode != 0
    assert (
        f"{LINKS_FILE}:{ACCESS_LINE}: error: 'access' must be a list of access entries, or 'links' "
        "for a deal opened only by share links (hint: write access: links, or access: "
        "[{label: Buying team, password_env: ACME_PORTAL_PASSWORD}])"
    ) in text
    if not value.isdigit():  # what was written there is never repeated: it may be a password
        assert value not in text
    assert "Traceback" not in text
