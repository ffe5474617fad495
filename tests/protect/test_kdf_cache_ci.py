"""The cold CI build (issue 18): a KDF cache kept outside the checkout (``MAPSITE_KDF_CACHE``)
spares a fresh clone every PBKDF2 run, and the cache file is no use to anyone without the site
secret. Builds run as real ``mapsite build`` processes whose PBKDF2 runs are counted, in the
parent process and in every worker it forks."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from mapsite.model.deal import AccessEntry
from mapsite.protect import envelope, kdf
from mapsite.protect.keys import derive_deal_keys
from mapsite.protect.secrets import Share
from tests.helpers import PASSWORDS, REPO, TODAY, pbkdf2_counted, tree

SECRET = envelope.b64(bytes(range(32)))
# The example's passwords: one per access entry of its three deals and of the team dashboard.
EXAMPLE_PASSWORDS = ("ACME_PORTAL_PASSWORD", "BLUEBIRD_PORTAL_PASSWORD", "GLOBEX_PORTAL_PASSWORD")


def clone(to: Path) -> Path:
    """The site as a CI checkout has it: sources only, no .mapsite/ and no output/."""
    to.mkdir()
    shutil.copy2(REPO / "mapsite.yml", to / "mapsite.yml")
    for folder in ("content", "assets"):
        shutil.copytree(REPO / folder, to / folder)
    return to


def counted_build(site: Path, log: Path) -> int:
    """PBKDF2 runs of one ``mapsite build`` of ``site``."""
    return pbkdf2_counted(log, "build", "--site", str(site), "--today", TODAY)[1]


@pytest.fixture
def ci(tmp_path, monkeypatch) -> Path:
    """The CI's environment: the site secret as a secret variable, the cache outside the site."""
    cache = tmp_path / "ci-cache" / "kdf-cache.json"
    monkeypatch.setenv("MAPSITE_SECRET", SECRET)
    monkeypatch.setenv("MAPSITE_KDF_CACHE", str(cache))
    return cache


def test_a_fresh_clone_with_the_restored_cache_runs_no_pbkdf2_and_builds_the_same_bytes(tmp_path, ci):
    first, second = clone(tmp_path / "run-1"), clone(tmp_path / "run-2")
    assert counted_build(first, tmp_path / "log") >= len(EXAMPLE_PASSWORDS)
    assert ci.is_file() and not (first / ".mapsite" / kdf.CACHE_FILE).exists()
    assert ci.stat().st_mode & 0o777 == 0o600
    assert counted_build(second, tmp_path / "log") == 0
    assert tree(second / "output") == tree(first / "output")


def test_the_cache_names_no_password_and_holds_no_derived_key_in_the_clear(tmp_path, ci):
    site = clone(tmp_path / "site")
    counted_build(site, tmp_path / "log")
    stored = ci.read_text("utf-8")
    values = json.loads(stored)["entries"].values()
    secret = envelope.unb64(SECRET)
    for slug, variable in zip(("acme", "bluebird-bakery", "globex"), EXAMPLE_PASSWORDS, strict=True):
        password = PASSWORDS[variable]
        root = envelope.password_root(password, envelope.deal_salt(secret, slug))
        assert password not in stored
        assert envelope.b64(root) not in stored
        assert not any(root in envelope.unb64(value) for value in values)


def test_a_cache_is_no_use_with_another_site_secret_and_a_forged_entry_is_derived_again(
    tmp_path, ci, monkeypatch
):
    first = clone(tmp_path / "run-1")
    runs = counted_build(first, tmp_path / "log")
    # Another site's secret (a fork, another repo sharing the cache): every key is derived.
    monkeypatch.setenv("MAPSITE_SECRET", envelope.b64(bytes(range(1, 33))))
    assert counted_build(clone(tmp_path / "other"), tmp_path / "log") == runs
    # Back to the site's secret, with entries swapped between passwords: none is taken.
    monkeypatch.setenv("MAPSITE_SECRET", SECRET)
    counted_build(clone(tmp_path / "warm"), tmp_path / "log")
    data = json.loads(ci.read_text("utf-8"))
    ids, values = list(data["entries"]), list(data["entries"].values())
    data["entries"] = dict(zip(ids, values[1:] + values[:1], strict=True))
    ci.write_text(json.dumps(data), "utf-8")
    forged = clone(tmp_path / "forged")
    assert counted_build(forged, tmp_path / "log") == runs
    assert tree(forged / "output") == tree(first / "output")


def test_a_cache_of_the_old_format_is_not_trusted_and_is_overwritten(tmp_path, ci):
    ci.parent.mkdir()
    ci.write_text(json.dumps({"0" * 64: envelope.b64(b"k" * 32)}), "utf-8")
    site = clone(tmp_path / "site")
    assert counted_build(site, tmp_path / "log") >= len(EXAMPLE_PASSWORDS)
    assert json.loads(ci.read_text("utf-8"))["format"] == kdf.FORMAT


@dataclass(frozen=True)
class LinkOnly:
    slug: str
    access: tuple[AccessEntry, ...]
    source: Path


def test_share_links_cost_no_pbkdf2(tmp_path, monkeypatch):
    calls: list[tuple] = []
    monkeypatch.setattr(kdf, "password_root", lambda *args: calls.append(args) or b"r" * 32)
    secret = bytes(range(32))
    today = dt.date.fromisoformat(TODAY)
    shares = [
        Share(deal="links", label=f"Link {n}", secret=envelope.b64(bytes([n]) * 16), created=TODAY)
        for n in range(3)
    ]
    deal = LinkOnly("links", (), tmp_path / "content" / "deals" / "links.md")
    keys = derive_deal_keys([deal], tmp_path, secret, today, kdf.KdfCache(tmp_path, secret), shares)
    assert calls == []
    assert len(keys["links"].slots) == 3


def test_a_one_deal_build_and_the_inbox_keep_every_other_deals_cache_entry(tmp_path, ci):
    """Only a run that used every password prunes the cache: a ``build --only`` or the inbox's
    keys for one deal used to drop every other deal's entry, and the next full build paid one
    PBKDF2 per password again."""
    site, log = clone(tmp_path / "site"), tmp_path / "pbkdf2.log"
    assert counted_build(site, log) > 0  # fills the cache
    full = json.loads(ci.read_text("utf-8"))["entries"]
    assert pbkdf2_counted(log, "build", "--site", str(site), "--today", TODAY, "--only", "acme")[1] == 0
    assert json.loads(ci.read_text("utf-8"))["entries"] == full
    # The inbox derives one deal's keys with a cache of its own, and saves it.
    from mapsite.pipeline.readable import render_all

    [acme] = [deal for deal in render_all(site, dt.date.fromisoformat(TODAY)).deals if deal.slug == "acme"]
    derive_deal_keys([acme], site, envelope.unb64(SECRET), dt.date.fromisoformat(TODAY))
    assert json.loads(ci.read_text("utf-8"))["entries"] == full
    assert pbkdf2_counted(log, "build", "--site", str(site), "--today", TODAY, "--force")[1] == 0
