"""The git target against a bare repository in a temp dir, from a site that is a git checkout itself.

The rep's checkout has work in progress (a checked-out branch ``work``, an uncommitted change):
every test checks that a deploy leaves it exactly as it was.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mapsite.deploy.git import GitTarget
from mapsite.deploy.manifest import local_manifest
from mapsite.deploy.report import size_text
from mapsite.deploy.store import Progress
from mapsite.errors import MapsiteError
from tests.deploy.conftest import add_targets, build_site, published, run_mapsite

IDENTITY = {
    "GIT_AUTHOR_NAME": "Rep Tester",
    "GIT_AUTHOR_EMAIL": "rep@example.com",
    "GIT_COMMITTER_NAME": "Rep Tester",
    "GIT_COMMITTER_EMAIL": "rep@example.com",
}
EMPTY_BLOB = hashlib.sha256(b"").hexdigest()


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
    assert git("-C", str(remote), "rev-parse", f"{second}^") == first
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


def test_a_push_after_the_branch_moved_is_refused(built_site: Path, tmp_path: Path):
    remote = tmp_path / "pages.git"
    make_checkout(built_site, remote, "deploy:\n  pages: {type: git}\n")
    ok(deploy(built_site))
    robots = built_site / "output" / "robots.txt"
    robots.write_text(robots.read_text("utf-8") + "# rebuilt\n", "utf-8")
    out = built_site / "output"
    local = local_manifest(out)
    sent: list[str] = []
    progress: Progress = lambda path, size: sent.append(path)  # noqa: E731
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
    """A git host over HTTP that wants a login nobody gave."""

    def do_GET(self) -> None:
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="git"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Keep the test output quiet."""


@contextmanager
def locked_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), LoginRequired)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/team/pages.git"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
