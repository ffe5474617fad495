"""``mapsite archive``: a won or lost deal leaves the site on purpose. The portal becomes a neutral
closed page with nothing of the deal in it, or goes (``--remove``), and the deploy names what it
deleted. Real processes on a copy of the example site, deployed to a folder."""

from __future__ import annotations

import difflib
from pathlib import Path

from tests.helpers import TODAY, run

DEAL = Path("content") / "deals" / "acme" / "index.md"
# What of the Acme deal a reader could recognise: buyer, people, title words, its value summary.
ACME_TEXT = (b"acme", b"dana whitfield", b"raj patel", b"marketing automation", b"rollout")


def mapsite(site: Path, *args: str):
    return run(*args, "--site", str(site))


def with_folder_target(site: Path, www: Path) -> Path:
    site_file = site / "mapsite.yml"
    site_file.write_text(
        site_file.read_text("utf-8") + f"\ndeploy:\n  www: {{type: folder, path: {www}}}\n", "utf-8"
    )
    return site


def changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_an_active_deal_needs_won_or_lost(example_site):
    before = (example_site / DEAL).read_text("utf-8")
    result = mapsite(example_site, "archive", "acme")
    assert result.returncode == 1
    assert "error: acme is not won or lost (stage: active); say how it ended" in result.stderr
    assert "(hint: mapsite archive acme --won  (or --lost))" in result.stderr
    assert (example_site / DEAL).read_text("utf-8") == before


def test_archive_publishes_a_closed_page_that_shows_nothing_of_the_deal(example_site, tmp_path):
    site = with_folder_target(example_site, tmp_path / "www")
    assert mapsite(site, "deploy").returncode == 0
    before = (site / DEAL).read_text("utf-8")

    result = mapsite(site, "archive", "acme", "--won")
    assert result.returncode == 0, result.stderr
    assert "Archived acme (stage: won, archived: closed)." in result.stdout
    after = (site / DEAL).read_text("utf-8")
    assert changed_lines(before, after) == ["-stage: active", "+stage: won", "+archived: closed"]

    deployed = mapsite(site, "deploy")
    assert deployed.returncode == 0, deployed.stderr
    assert "Deleted: acme/" in deployed.stdout  # its other pages and files, each named
    for www in (site / "output", tmp_path / "www"):
        files = [path for path in (www / "acme").rglob("*") if path.is_file()]
        assert [path.name for path in files] == ["index.html"]
        page = files[0].read_bytes()
        assert b"<h1>This plan is closed</h1>" in page and b"Northwind Software" in page
        assert b"mapsite-envelope" not in page, "nothing to unlock: the page is the same for everyone"
        for text in ACME_TEXT:
            assert text not in page.lower()
    # The leak audit checked the closed page against the deal's text, as for any protected deal.
    audit = mapsite(site, "audit")
    assert audit.returncode == 0 and "no plaintext of 3 protected deals found" in audit.stdout
    assert "acme" not in mapsite(site, "check", "--today", TODAY).stdout


def test_archive_remove_takes_the_portal_away_and_deploy_names_it(example_site, tmp_path):
    www = tmp_path / "www"
    site = with_folder_target(example_site, www)
    assert mapsite(site, "deploy").returncode == 0
    portal = sorted(path.relative_to(www).as_posix() for path in (www / "acme").rglob("*") if path.is_file())

    result = mapsite(site, "archive", "acme", "--lost", "--remove")
    assert result.returncode == 0, result.stderr
    assert "Archived acme (stage: lost, archived: removed)." in result.stdout
    assert "mapsite deploy then deletes its portal acme/" in result.stdout

    dry = mapsite(site, "deploy", "--dry-run")
    assert [line for line in dry.stdout.splitlines() if line.startswith("delete")] == [
        f"delete  {path}" for path in portal
    ]
    deployed = mapsite(site, "deploy")
    assert deployed.returncode == 0, deployed.stderr
    assert f"Deleted: acme/ ({len(portal)} files)" in deployed.stdout
    assert not (www / "acme").exists() and not (site / "output" / "acme").exists()
    assert (site / DEAL).is_file(), "the deal file stays"
