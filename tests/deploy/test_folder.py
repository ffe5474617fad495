"""Deploying to a folder: the diff, the safety stops and the summary a rep reads."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.deploy.helpers import add_targets, build_site, published, run_mapsite
from tests.helpers import line_of

SLUGS = ("acme", "bluebird-bakery", "globex")


def folder_site(site: Path, www: Path) -> Path:
    add_targets(site, f"deploy:\n  www: {{type: folder, path: {www}}}\n")
    build_site(site)
    return site


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """inode and mtime of every file: a file that was not sent again keeps both."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


def test_first_deploy_publishes_the_build_and_the_second_sends_nothing(example_site, tmp_path):
    www = tmp_path / "www"
    site = folder_site(example_site, www)
    first = run_mapsite("deploy", "--no-build", site=site)
    assert first.returncode == 0, first.stderr
    files = published(site / "output")
    assert published(www) == files
    assert not (www / ".mapsite-build.json").exists()
    assert f"Deployed to {www}: {len(files)} uploaded, 0 updated, 0 deleted, 0 unchanged" in first.stdout
    assert "Live at https://deals.northwind.example/" in first.stdout

    before = stamps(www)
    second = run_mapsite("deploy", "--no-build", site=site)
    assert second.returncode == 0, second.stderr
    assert f"Nothing to deploy: {www} already serves this build ({len(files)} files unchanged, 0 B sent" in (
        second.stdout
    )
    assert stamps(www) == before


def test_the_deploy_state_on_the_target_names_no_deal(example_site, tmp_path):
    www = tmp_path / "www"
    site = folder_site(example_site, www)
    assert run_mapsite("deploy", "--no-build", site=site).returncode == 0
    state = (www / ".mapsite-deploy-state").read_bytes()
    for secret_text in (*SLUGS, b"index.html", b"_files"):
        needle = secret_text if isinstance(secret_text, bytes) else secret_text.encode()
        assert needle not in state


def test_a_changed_deal_sends_only_its_files_and_a_removed_deal_is_deleted(example_site, tmp_path):
    www = tmp_path / "www"
    site = folder_site(example_site, www)
    assert run_mapsite("deploy", "--no-build", site=site).returncode == 0
    before = stamps(www)

    deal = site / "content" / "deals" / "bluebird-bakery.md"
    deal.write_text(deal.read_text("utf-8") + "\nOne more sentence for the buyer.\n", "utf-8")
    shutil.rmtree(site / "content" / "deals" / "globex")
    build_site(site)
    result = run_mapsite("deploy", "--no-build", site=site)
    assert result.returncode == 0, result.stderr
    assert published(www) == published(site / "output")
    after = stamps(www)
    resent = {path for path in after if path in before and after[path] != before[path]}
    # The edited deal's page, and the team dashboard, which no longer lists the removed deal.
    assert resent == {"bluebird-bakery/index.html", "_team/index.html"}
    assert not (www / "globex").exists(), "the removed deal's folder is pruned"
    deleted = [path for path in before if path.startswith("globex/")]
    assert f"0 uploaded, 2 updated, {len(deleted)} deleted" in result.stdout


def test_dry_run_prints_the_exact_plan_in_publishing_order_and_changes_nothing(example_site, tmp_path):
    www = tmp_path / "www"
    site = folder_site(example_site, www)
    result = run_mapsite("deploy", "--no-build", "--dry-run", site=site)
    assert result.returncode == 0, result.stderr
    assert not www.exists()
    lines = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("upload  ")]
    assert sorted(lines) == sorted(published(site / "output"))
    pages = [i for i, path in enumerate(lines) if path.endswith(".html")]
    files = [i for i, path in enumerate(lines) if not path.endswith(".html")]
    assert max(files) < min(pages), "files go up before the pages that use them"
    assert lines[-2:] == ["404.html", "index.html"], "the shared pages come last"
    assert "Nothing was changed." in result.stdout


def test_max_deletes_stops_before_any_change(example_site, tmp_path):
    www = tmp_path / "www"
    site = folder_site(example_site, www)
    assert run_mapsite("deploy", "--no-build", site=site).returncode == 0
    before = stamps(www)
    shutil.rmtree(site / "content" / "deals" / "acme")
    deal = site / "content" / "deals" / "bluebird-bakery.md"
    deal.write_text(deal.read_text("utf-8") + "\nA new paragraph.\n", "utf-8")
    build_site(site)
    deleted = sorted(set(before) - set(published(site / "output")))
    assert len(deleted) > 2
    result = run_mapsite("deploy", "--no-build", "--max-deletes", "2", site=site)
    assert result.returncode == 1
    assert (
        f"error: this deploy would delete {len(deleted)} files from {www}, more than --max-deletes 2; "
        "nothing was changed" in result.stderr
    )
    assert f"pass --max-deletes {len(deleted)}" in result.stderr
    assert stamps(www) == before, "neither uploads nor deletions happened"
    assert run_mapsite("deploy", "--no-build", "--max-deletes", str(len(deleted)), site=site).returncode == 0
    assert published(www) == published(site / "output")


def test_files_the_site_did_not_publish_are_replaced_only_with_yes(example_site, tmp_path):
    www = tmp_path / "www"
    (www / "old-site").mkdir(parents=True)
    (www / "old-site" / "page.html").write_text("someone else's page", "utf-8")
    (www / ".htaccess").write_text("Options -Indexes\n", "utf-8")
    site = folder_site(example_site, www)
    refused = run_mapsite("deploy", "--no-build", site=site)
    assert refused.returncode == 1
    assert f"error: {www} holds 1 file(s) that this site did not publish there" in refused.stderr
    assert "pass --yes" in refused.stderr
    assert sorted(p.name for p in www.iterdir()) == [".htaccess", "old-site"]

    accepted = run_mapsite("deploy", "--no-build", "--yes", site=site)
    assert accepted.returncode == 0, accepted.stderr
    assert published(www) == published(site / "output")
    assert (www / ".htaccess").read_text("utf-8") == "Options -Indexes\n", "the host's dot-files stay"


def test_deploy_refuses_an_unprotected_build(example_site, tmp_path):
    www = tmp_path / "www"
    add_targets(example_site, f"deploy:\n  www: {{type: folder, path: {www}}}\n")
    assert run_mapsite("build", "--no-protect", site=example_site).returncode == 0
    result = run_mapsite("deploy", "--no-build", site=example_site)
    assert result.returncode == 1
    assert "was built with --no-protect: every deal in it is readable" in result.stderr
    assert not www.exists()


def test_deploy_refuses_an_output_with_a_planted_leak(example_site, tmp_path):
    www = tmp_path / "www"
    site = folder_site(example_site, www)
    (site / "output" / "notes.txt").write_text("Call Dana Whitfield about the ROI model", "utf-8")
    result = run_mapsite("deploy", "--no-build", site=site)
    assert result.returncode == 1
    assert "notes.txt" in result.stderr
    assert "the leak audit found plaintext of protected deals" in result.stderr
    assert not www.exists()


def test_deploy_builds_first_unless_told_not_to(example_site, tmp_path):
    www = tmp_path / "www"
    add_targets(example_site, f"deploy:\n  www: {{type: folder, path: {www}}}\n")
    result = run_mapsite("deploy", site=example_site)
    assert result.returncode == 0, result.stderr
    assert "Built 3 deals into" in result.stdout
    assert published(www) == published(example_site / "output")


def test_a_permission_problem_is_one_line_with_a_hint(example_site, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the deploy folder should be", "utf-8")
    site = folder_site(example_site, blocker / "www")
    result = run_mapsite("deploy", "--no-build", site=site)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"error: cannot write {blocker / 'www'}" in result.stderr


def test_target_choice_and_settings_errors_name_the_line(example_site, tmp_path):
    add_targets(
        example_site,
        f"deploy:\n"
        f"  one: {{type: folder, path: {tmp_path / 'one'}}}\n"
        f"  two: {{type: folder, path: {tmp_path / 'two'}}}\n",
    )
    build_site(example_site)
    result = run_mapsite("deploy", "--no-build", site=example_site)
    assert result.returncode == 1
    assert (
        "error: mapsite.yml names 2 deploy targets; say which one (hint: mapsite deploy one" in result.stderr
    )
    unknown = run_mapsite("deploy", "three", "--no-build", site=example_site)
    assert (
        "error: there is no deploy target 'three' in mapsite.yml (hint: targets: one, two)" in unknown.stderr
    )
    assert run_mapsite("deploy", "two", "--no-build", site=example_site).returncode == 0
    assert published(tmp_path / "two") == published(example_site / "output")
    assert not (tmp_path / "one").exists()


def test_credentials_in_mapsite_yml_are_refused_with_their_line(example_site):
    add_targets(
        example_site,
        "deploy:\n  bucket:\n    type: s3\n    bucket: deals\n    aws_secret_access_key: abc123\n",
    )
    result = run_mapsite("check", site=example_site)
    text = (example_site / "mapsite.yml").read_text("utf-8")
    line = line_of(text, "aws_secret_access_key")
    assert result.returncode == 1
    assert (
        f"mapsite.yml:{line}: error: 'aws_secret_access_key' in deploy target 'bucket' looks like a credential"
        in result.stdout
    )
    assert "AWS_ACCESS_KEY_ID" in result.stdout
    assert "abc123" not in result.stdout + result.stderr


def test_a_target_inside_the_output_is_refused(example_site):
    add_targets(example_site, "deploy:\n  www: {type: folder, path: output/www}\n")
    result = run_mapsite("check", site=example_site)
    line = line_of((example_site / "mapsite.yml").read_text("utf-8"), "output/www")
    assert f"mapsite.yml:{line}: error: the folder 'output/www' of deploy target 'www' would overwrite" in (
        result.stdout
    )


def test_no_target_configured_says_how_to_add_one(example_site):
    build_site(example_site)
    result = run_mapsite("deploy", "--no-build", site=example_site)
    assert result.returncode == 1
    assert "error: mapsite.yml names no deploy target" in result.stderr
    assert "type: folder" in result.stderr


def test_output_left_by_an_interrupted_only_build_is_not_published(example_site, tmp_path):
    www = tmp_path / "www"
    site = folder_site(example_site, www)
    leftover = site / "output" / ".staging-acme-123"
    leftover.mkdir()
    (leftover / "index.html").write_text("half a deal", "utf-8")
    assert run_mapsite("deploy", "--no-build", site=site).returncode == 0
    assert not any(".staging" in str(p) for p in www.rglob("*"))
    assert os.listdir(www)


def test_an_unchanged_build_is_not_audited_twice_but_any_change_is(example_site, tmp_path):
    www = tmp_path / "www"
    site = folder_site(example_site, www)
    vouched = run_mapsite("deploy", "--no-build", site=site)
    assert "Leak audit: passed already; nothing changed in output/ or the sources since." in vouched.stdout

    blob = next((site / "output" / "acme" / "_files").iterdir())
    sealed = blob.read_bytes()
    blob.write_bytes(sealed[:-1] + bytes([sealed[-1] ^ 1]))  # a different last byte, always
    changed_output = run_mapsite("deploy", "--no-build", site=site)
    assert changed_output.returncode == 0, changed_output.stderr
    assert "Leak audit passed: " in changed_output.stdout

    deal = site / "content" / "deals" / "bluebird-bakery.md"
    deal.write_text(deal.read_text("utf-8") + "\nA sentence not built yet.\n", "utf-8")
    changed_sources = run_mapsite("deploy", "--no-build", site=site)
    assert "Leak audit passed: " in changed_sources.stdout
    again = run_mapsite("deploy", "--no-build", site=site)
    assert "Leak audit: passed already" in again.stdout
