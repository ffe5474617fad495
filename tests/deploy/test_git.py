"""The git target against a bare repository in a temp dir, from a site that is a git checkout itself.

The rep's checkout has work in progress (a checked-out branch ``work``, an uncommitted change):
every test checks that a deploy leaves it exactly as it was.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from mapsite.deploy.git import GitTarget
from mapsite.deploy.report import size_text
from mapsite.deploy.store import SendProgress
from mapsite.errors import MapsiteError
from mapsite.write.manifest import local_manifest
from tests.deploy.helpers import add_targets, build_site, published, run_mapsite
from tests.helpers import line_of

IDENTITY = {
    "GIT_AUTHOR_NAME": "Rep Tester",
    "GIT_AUTHOR_EMAIL": "rep@example.com",
    "GIT_COMMITTER_NAME": "Rep Tester",
    "GIT_COMMITTER_EMAIL": "rep@example.com",
}
EMPTY_BLOB = hashlib.sha256(b"").hexdigest()
# Text published once by mistake (a draft) that a later build no longer has.
DRAFT = "# draft: Bluebird gets 37% off if they sign by Friday\n"
TOKEN = "tok3n"


@pytest.fixture(autouse=True)
def git_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's git config never counts; temp repos pass git's ownership check as root."""
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[safe]\n\tdirectory = *\n[init]\n\tdefaultBranch = main\n", "utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name, value in IDENTITY.items():
        monkeypatch.setenv(name, value)


def git(*args: str, cwd: Path | None = None) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def git_bytes(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True, timeout=60).stdout


def make_checkout(site: Path, remote: Path, targets: str) -> None:
    """The site as a rep keeps it: committed on main, origin set, then on branch ``work`` with edits."""
    git("init", "--quiet", "--bare", str(remote))
    add_targets(site, targets)
    (site / ".gitignore").write_text("output/\n.mapsite/\n", "utf-8")
    (site / "notes.txt").write_text("call Dana on Monday\n", "utf-8")
    git("init", "--quiet", cwd=site)
    git("add", "-A", cwd=site)
    git("commit", "--quiet", "-m", "The deal rooms", cwd=site)
    git("remote", "add", "origin", str(remote), cwd=site)
    git("checkout", "--quiet", "-b", "work", cwd=site)
    (site / "notes.txt").write_text("call Dana on Monday\nsend the pricing sheet\n", "utf-8")


def checkout_state(site: Path) -> dict[str, str]:
    return {
        "head": git("rev-parse", "HEAD", cwd=site),
        "branch": git("symbolic-ref", "HEAD", cwd=site),
        "status": git("status", "--porcelain", cwd=site),
        "notes": (site / "notes.txt").read_text("utf-8"),
        "stash": git("stash", "list", cwd=site),
        "refs": git("for-each-ref", "--format=%(refname) %(objectname)", cwd=site),
        "index": hashlib.sha256((site / ".git" / "index").read_bytes()).hexdigest(),
    }


def branch_files(remote: Path, branch: str = "gh-pages") -> dict[str, str]:
    """path -> sha256 of every file of the branch, read back through git."""
    names = git_bytes(remote, "ls-tree", "-r", "-z", "--name-only", branch).decode().split("\0")
    return {
        name: hashlib.sha256(git_bytes(remote, "show", f"{branch}:{name}")).hexdigest()
        for name in filter(None, names)
    }


def head(remote: Path, branch: str = "gh-pages") -> str:
    return git("-C", str(remote), "rev-parse", f"refs/heads/{branch}")


def deploy(site: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return run_mapsite("deploy", "--no-build", *args, site=site, timeout=timeout)


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def failed(result: subprocess.CompletedProcess) -> str:
    """The one error line a failed deploy ends with."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "(hint: " in errors[0], result.stderr
    return errors[0]


def someone_else_commits(remote: Path, tmp_path: Path, name: str, data: bytes) -> str:
    """Another person adds a file on the branch (e.g. GitHub's custom-domain setting writes CNAME)."""
    clone = tmp_path / "colleague"
    shutil.rmtree(clone, ignore_errors=True)
    git("clone", "--quiet", "--branch", "gh-pages", str(remote), str(clone))
    (clone / name).write_bytes(data)
    git("add", name, cwd=clone)
    git("commit", "--quiet", "-m", f"Add {name}", cwd=clone)
    git("push", "--quiet", "origin", "gh-pages", cwd=clone)
    return head(remote)


def test_deploys_output_as_the_branch_tree_and_leaves_the_checkout_alone(built_site: Path, tmp_path: Path):
    remote = tmp_path / "pages.git"
    make_checkout(built_site, remote, "deploy:\n  pages: {type: git}\n")
    before = checkout_state(built_site)

    stdout = ok(deploy(built_site))
    output = published(built_site / "output")
    assert f"Deployed to git:{remote} (branch gh-pages): {len(output) + 1} uploaded" in stdout
    files = branch_files(remote)
    assert files == {**output, ".nojekyll": EMPTY_BLOB}
    assert ".mapsite-build.json" not in files and (built_site / "output" / ".mapsite-build.json").exists()
    first = head(remote)
    assert git("-C", str(remote), "log", "--format=%an <%ae>|%s", "gh-pages") == (
        "Rep Tester <rep@example.com>|Deploy deal portals with mapsite"
    )
    assert checkout_state(built_site) == before

    # A damaged cache is rebuilt from the remote, and the second deploy still sends nothing.
    cache = built_site / ".mapsite" / "deploy" / "pages.git"
    (cache / "HEAD").write_text("garbage\n")
    stdout = ok(deploy(built_site))
    assert f"Nothing to deploy: git:{remote} (branch gh-pages) already serves this build" in stdout
    assert f"({len(output)} files unchanged, 0 B sent" in stdout
    assert head(remote) == first
    assert checkout_state(built_site) == before


def test_a_changed_deal_is_one_commit_after_a_dry_run_and_a_mass_deletion_stops(
    built_site: Path, tmp_path: Path
):
    remote = tmp_path / "pages.git"
    make_checkout(built_site, remote, "deploy:\n  pages: {type: git, message: Publish the portals}\n")
    ok(deploy(built_site))
    first = head(remote)
    old = published(built_site / "output")
    deal = built_site / "content" / "deals" / "bluebird-bakery.md"
    deal.write_text(deal.read_text("utf-8").replace("Grace Lindqvist", "Grace Lindquist"), "utf-8")
    build_site(built_site)
    before = checkout_state(built_site)
    new = published(built_site / "output")
    changed = sorted(path for path in new if old.get(path) != new[path])
    assert changed and all(path.startswith("bluebird-bakery/") for path in changed)

    stdout = ok(deploy(built_site, "--dry-run"))
    assert [line for line in stdout.splitlines() if line.startswith(("upload", "update", "delete"))] == [
        f"update  {path}  ({size_text((built_site / 'output' / path).stat().st_size)}, content changed)"
        for path in changed
    ]
    assert "Nothing was changed." in stdout
    assert head(remote) == first

    ok(deploy(built_site))
    second = head(remote)
    # history: single is the default: the new build replaces the old commit instead of following it.
    assert git("-C", str(remote), "rev-list", "--count", second) == "1"
    assert git(
        "-C", str(remote), "diff-tree", "--no-commit-id", "--name-only", "-r", first, second
    ).split() == (changed)
    assert git("-C", str(remote), "log", "-1", "--format=%s", second) == "Publish the portals"
    assert branch_files(remote) == {**new, ".nojekyll": EMPTY_BLOB}

    for slug in ("acme", "globex"):
        shutil.rmtree(built_site / "output" / slug)
    gone = [path for path in new if path.startswith(("acme/", "globex/"))]
    error = failed(deploy(built_site, "--max-deletes", "2"))
    assert f"would delete {len(gone)} files" in error and "--max-deletes 2" in error
    assert head(remote) == second
    assert checkout_state(built_site) == before


def test_a_custom_domain_set_on_the_host_survives_and_a_configured_one_is_written(
    built_site: Path, tmp_path: Path
):
    remote = tmp_path / "pages.git"
    targets = "deploy:\n  pages: {type: git}\n  custom: {type: git, cname: deals.northwind.example}\n"
    make_checkout(built_site, remote, targets)
    ok(deploy(built_site, "pages"))
    someone_else_commits(remote, tmp_path, "CNAME", b"portals.example.org\n")
    robots = built_site / "output" / "robots.txt"
    robots.write_text(robots.read_text("utf-8") + "# rebuilt\n", "utf-8")

    stdout = ok(deploy(built_site, "pages"))
    assert "0 uploaded, 1 updated, 0 deleted" in stdout
    assert git_bytes(remote, "show", "gh-pages:CNAME") == b"portals.example.org\n"
    assert branch_files(remote) == {
        **published(built_site / "output"),
        ".nojekyll": EMPTY_BLOB,
        "CNAME": hashlib.sha256(b"portals.example.org\n").hexdigest(),
    }

    stdout = ok(deploy(built_site, "custom"))
    assert "0 uploaded, 1 updated, 0 deleted" in stdout  # only CNAME changed
    assert git_bytes(remote, "show", "gh-pages:CNAME") == b"deals.northwind.example\n"


def test_single_commit_history_keeps_one_commit(built_site: Path, tmp_path: Path, monkeypatch):
    remote = tmp_path / "pages.git"
    make_checkout(built_site, remote, "deploy:\n  pages: {type: git, branch: site, history: single}\n")
    # Nobody configured a git identity: mapsite commits under its own name.
    for name in IDENTITY:
        monkeypatch.delenv(name)
    ok(deploy(built_site))
    robots = built_site / "output" / "robots.txt"
    robots.write_text(robots.read_text("utf-8") + "# rebuilt\n", "utf-8")
    ok(deploy(built_site))

    assert git("-C", str(remote), "rev-list", "--count", "refs/heads/site") == "1"
    assert git("-C", str(remote), "log", "--format=%an <%ae> %cn <%ce>", "site") == (
        "mapsite <mapsite@localhost> mapsite <mapsite@localhost>"
    )
    assert branch_files(remote, "site") == {**published(built_site / "output"), ".nojekyll": EMPTY_BLOB}
    assert git("-C", str(remote), "for-each-ref", "--format=%(refname)") == "refs/heads/site"


def reachable_blobs(remote: Path) -> dict[str, bytes]:
    """Every blob any ref of the repository leads to (what a clone or the host's views can show)."""
    listed = git("-C", str(remote), "rev-list", "--all", "--objects").splitlines()
    ids = "".join(f"{line.split()[0]}\n" for line in listed).encode()
    batch = subprocess.run(
        ["git", "-C", str(remote), "cat-file", "--batch"], input=ids, capture_output=True, check=True
    ).stdout
    blobs, at = {}, 0
    while at < len(batch):
        header_end = batch.index(b"\n", at)
        object_id, kind, size = batch[at:header_end].decode().split()
        body = batch[header_end + 1 : header_end + 1 + int(size)]
        if kind == "blob":
            blobs[object_id] = body
        at = header_end + 1 + int(size) + 1
    return blobs


def blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def publish_a_draft(site: Path) -> None:
    robots = site / "output" / "robots.txt"
    robots.write_text(robots.read_text("utf-8") + DRAFT, "utf-8")


def rekey_bluebird(site: Path) -> tuple[bytes, bytes]:
    """Change a deal and rebuild: (old page, a run of its envelope that the new page does not have)."""
    page = site / "output" / "bluebird-bakery" / "index.html"
    old = page.read_bytes()
    deal = site / "content" / "deals" / "bluebird-bakery.md"
    deal.write_text(deal.read_text("utf-8").replace("Grace Lindqvist", "Grace Lindquist"), "utf-8")
    build_site(site)
    new = page.read_bytes()
    envelope = next(run for run in re.findall(rb"[A-Za-z0-9_-]{64,}", old) if run not in new)
    return old, envelope


def test_by_default_an_earlier_build_is_reachable_from_no_ref(built_site: Path, tmp_path: Path):
    remote = tmp_path / "pages.git"
    make_checkout(built_site, remote, "deploy:\n  pages: {type: git}\n")
    publish_a_draft(built_site)
    result = deploy(built_site)
    ok(result)
    assert "history" not in result.stderr
    first = head(remote)
    assert DRAFT.encode() in git_bytes(remote, "show", "gh-pages:robots.txt")
    old_page, envelope = rekey_bluebird(built_site)
    assert envelope in git_bytes(remote, "show", "gh-pages:bluebird-bakery/index.html")

    ok(deploy(built_site))
    assert git("-C", str(remote), "rev-list", "--count", "gh-pages") == "1"
    assert first not in git("-C", str(remote), "rev-list", "--all").split()
    blobs = reachable_blobs(remote)
    assert blob_id(old_page) not in blobs
    assert not [oid for oid, data in blobs.items() if DRAFT.encode() in data or envelope in data]
    assert branch_files(remote) == {**published(built_site / "output"), ".nojekyll": EMPTY_BLOB}


def test_history_keep_is_warned_at_check_and_at_each_deploy(built_site: Path, tmp_path: Path):
    remote = tmp_path / "pages.git"
    make_checkout(built_site, remote, "deploy:\n  pages:\n    type: git\n    history: keep\n")
    line = line_of((built_site / "mapsite.yml").read_text("utf-8"), "history: keep")
    warning = (
        f"mapsite.yml:{line}: warning: history: keep in deploy target 'pages' keeps every earlier build "
        "in the branch: once-published drafts, removed deals and pages sealed for revoked passwords "
        "stay public in its history"
    )
    check = run_mapsite("check", site=built_site)
    assert check.returncode == 0 and warning in check.stdout, check.stdout + check.stderr

    publish_a_draft(built_site)
    result = deploy(built_site)
    ok(result)
    assert warning in result.stderr
    first = head(remote)
    rekey_bluebird(built_site)
    result = deploy(built_site)
    ok(result)
    assert warning in result.stderr
    # What the warning says: the earlier build, draft included, is still one step back.
    assert git("-C", str(remote), "rev-parse", "gh-pages^") == first
    assert any(DRAFT.encode() in data for data in reachable_blobs(remote).values())


def test_switching_to_single_drops_a_kept_history_even_when_no_file_changed(built_site: Path, tmp_path: Path):
    remote = tmp_path / "pages.git"
    make_checkout(built_site, remote, "deploy:\n  pages: {type: git, history: keep}\n")
    robots = built_site / "output" / "robots.txt"
    clean = robots.read_text("utf-8")
    publish_a_draft(built_site)
    ok(deploy(built_site))
    robots.write_text(clean, "utf-8")
    ok(deploy(built_site))
    site_file = built_site / "mapsite.yml"
    site_file.write_text(site_file.read_text("utf-8").replace(", history: keep", ""), "utf-8")

    stdout = ok(deploy(built_site, "--dry-run"))
    assert "replace the branch's 2 earlier commits with one" in stdout
    assert git("-C", str(remote), "rev-list", "--count", "gh-pages") == "2"

    stdout = ok(deploy(built_site))
    assert "0 uploaded, 0 updated, 0 deleted" in stdout
    assert "The branch's 2 earlier commits are no longer reachable from it" in stdout
    assert git("-C", str(remote), "rev-list", "--count", "gh-pages") == "1"
    assert not [data for data in reachable_blobs(remote).values() if DRAFT.encode() in data]
    assert "Nothing to deploy" in ok(deploy(built_site))


def git_spy(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A ``git`` first on PATH that logs its arguments (as the process list shows them), then runs git."""
    folder = tmp_path / "spy"
    folder.mkdir()
    log = tmp_path / "git-arguments.log"
    spy = folder / "git"
    spy.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nexec {shutil.which("git")} "$@"\n', "utf-8")
    spy.chmod(0o755)
    return {"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}, log


def test_a_token_in_a_remote_stops_the_deploy_and_never_reaches_git(built_site: Path, tmp_path: Path):
    remote = tmp_path / "pages.git"
    env, log = git_spy(tmp_path)
    with locked_server() as locked:
        tokened = locked.replace("http://", f"http://rep:{TOKEN}@")
        make_checkout(built_site, remote, f"deploy:\n  pages:\n    type: git\n    remote: '{tokened}'\n")
        line = line_of((built_site / "mapsite.yml").read_text("utf-8"), "remote:")
        for command in ("check", "deploy"):
            result = run_mapsite(command, site=built_site, **env)
            assert result.returncode == 1, result.stdout + result.stderr
            shown = result.stdout + result.stderr
            assert (
                f"mapsite.yml:{line}: error: remote of deploy target 'pages' has a password or token "
                f"written into it ({locked.replace('http://', 'http://***@')})"
            ) in shown
            assert "credential helper" in shown and TOKEN not in shown

        # The same URL as a remote of the site's own repository: refused before any network command.
        site_file = built_site / "mapsite.yml"
        site_file.write_text(site_file.read_text("utf-8").replace(f"'{tokened}'", "upstream"), "utf-8")
        git("remote", "add", "upstream", tokened, cwd=built_site)
        error = failed(run_mapsite("deploy", "--no-build", site=built_site, **env))
        assert "the site's git remote 'upstream' has a password or token written into its URL" in error
        assert f"git remote set-url upstream {locked.replace('http://', 'http://rep@')}" in error
        assert TOKEN not in error
        assert LoginRequired.requests == []
    calls = log.read_text("utf-8").splitlines()
    assert f"-C {built_site} remote get-url upstream" in calls
    assert not [call for call in calls if TOKEN in call or re.search(r"\b(fetch|push|ls-remote)\b", call)]


def test_a_push_after_the_branch_moved_is_refused(built_site: Path, tmp_path: Path):
    remote = tmp_path / "pages.git"
    make_checkout(built_site, remote, "deploy:\n  pages: {type: git}\n")
    ok(deploy(built_site))
    robots = built_site / "output" / "robots.txt"
    robots.write_text(robots.read_text("utf-8") + "# rebuilt\n", "utf-8")
    out = built_site / "output"
    local = local_manifest(out)
    sent: list[str] = []
    progress: SendProgress = lambda path, _size: sent.append(path)  # noqa: E731
    for single in (False, True):
        target = GitTarget(str(remote), "gh-pages", None, single, "m", tmp_path / f"cache{single}.git", out)
        plan = target.plan(local)
        moved = someone_else_commits(remote, tmp_path, f"note-{single}.txt", b"hello\n")
        with pytest.raises(MapsiteError, match="the branch changed on the remote while deploying"):
            target.publish(plan, local, out, progress)
        assert head(remote) == moved and sent == []


def test_failures_are_one_line_with_a_hint(built_site: Path, tmp_path: Path):
    remote = tmp_path / "pages.git"
    with locked_server() as locked:
        targets = (
            "deploy:\n"
            f"  missing: {{type: git, remote: {tmp_path / 'nowhere' / 'pages.git'}}}\n"
            "  unnamed: {type: git, remote: upstream}\n"
            f"  locked: {{type: git, remote: '{locked}'}}\n"
            "  source: {type: git, branch: main}\n"
        )
        make_checkout(built_site, remote, targets)
        git("push", "--quiet", "origin", "main", cwd=built_site)
        before = checkout_state(built_site)

        error = failed(deploy(built_site, "missing"))
        assert (
            "cannot reach the git repository" in error and "does not appear to be a git repository" in error
        )
        error = failed(deploy(built_site, "unnamed"))
        assert "has no remote 'upstream'" in error and "git remote add upstream" in error
        error = failed(deploy(built_site, "locked", timeout=60))
        assert f"git could not log in to {locked}" in error and "credential helper" in error
        # The branch holds the site's sources, which mapsite never published: it will not wipe them.
        error = failed(deploy(built_site, "source"))
        assert "that this site did not publish there" in error and "--yes" in error
    assert head(remote, "main") == git("rev-parse", "main", cwd=built_site)
    assert checkout_state(built_site) == before


def test_a_site_outside_git_needs_a_remote_url(built_site: Path):
    add_targets(built_site, "deploy:\n  pages: {type: git}\n")
    error = failed(deploy(built_site))
    assert "names the remote 'origin'" in error and "is not a git repository" in error
    assert "remote: git@github.com:you/deals.git" in error


class LoginRequired(BaseHTTPRequestHandler):
    """A git host over HTTP that wants a login nobody gave; ``requests`` lists the paths asked for."""

    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="git"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Keep the test output quiet."""


@contextmanager
def locked_server() -> Iterator[str]:
    LoginRequired.requests.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), LoginRequired)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/team/pages.git"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
