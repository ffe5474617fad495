"""Deploying to a branch of a git repository (GitHub, GitLab and Cloudflare Pages, any git-driven host).

The user's own checkout is never touched: a deploy that switched branches or used the index
could lose uncommitted work. The only command run in the site's repository is ``git remote
get-url``; everything else happens in a private bare repository kept in ``.mapsite/deploy/``,
where the output is written as a tree straight from the files (no work tree at all), committed
and pushed. A push is atomic, and it lands only if the branch still points where the plan found
it, so the host serves the old build or the new one, and never loses a commit made meanwhile.

By default the branch is one commit, replaced at each deploy (``history: single``), so an
earlier build (a draft, a removed deal, pages sealed for a revoked password) is not reachable
from the branch once a new one lands. git is given credentials only by its own helpers (the
credential helper, the SSH agent): a URL carrying a password or token is refused before any git
command sees it, since arguments are readable by every user of the machine.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from mapsite.deploy.credentials import redact
from mapsite.deploy.failures import file_errors
from mapsite.deploy.gitcmd import LOCAL_TIMEOUT, last_message, resolve_remote, run_git
from mapsite.deploy.plan import DeployPlan, Update
from mapsite.deploy.settings import TargetSettings
from mapsite.deploy.store import SendProgress
from mapsite.deploy.target import DeployContext
from mapsite.errors import MapsiteError
from mapsite.write.manifest import FileEntry, headers_for

NETWORK_TIMEOUT = 600
# Written into every commit, so a branch mapsite never published to can be told apart
# (a docs site, or the source branch named by mistake) before its files are replaced.
TRAILER = "Deployed-by: mapsite"
FILE_MODE = "100644"
NOJEKYLL, CNAME = ".nojekyll", "CNAME"
FALLBACK_IDENTITY = {"NAME": "mapsite", "EMAIL": "mapsite@localhost"}
AUTH_FAILED = re.compile(
    r"authentication failed|could not read (username|password)|terminal prompts disabled|"
    r"permission denied \(|invalid username or password|access denied|http basic|"
    r"returned error: 40[13]|host key verification failed",
    re.I,
)
NO_REPOSITORY = re.compile(
    r"does not appear to be a git repository|repository .*not found|not found|"
    r"could not resolve host|connection refused|connection timed out|no route to host|"
    r"unable to access|could not read from remote repository|not a git repository",
    re.I,
)
MISSING_BRANCH = re.compile(r"couldn't find remote ref", re.I)
REMOTE_MOVED = re.compile(r"fetch first|non-fast-forward|stale info", re.I)


def cache_name(target_name: str) -> str:
    """A file name for any target name of mapsite.yml."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", target_name) + ".git"


@dataclass
class GitTarget:
    url: str
    branch: str
    cname: str | None
    single_commit: bool
    message: str
    cache: Path
    out: Path
    location: str = ""
    head: str | None = None
    tree: str | None = None

    def __post_init__(self) -> None:
        self.location = f"git:{redact(self.url)} (branch {self.branch})"

    def plan(self, local: dict[str, FileEntry]) -> DeployPlan:
        self._open_cache()
        self.head = self._fetch()
        remote = self._remote_tree()
        blobs = dict(zip(local, self._hash_files([self.out / path for path in local]), strict=True))
        contents = self._extra_contents(remote)
        blobs.update(self._hash_contents(contents))
        self.tree = self._write_tree(blobs)
        extras = {path: _entry(path, data) for path, data in contents.items()}
        plan = _compare({**local, **extras}, blobs, remote, uncounted=set(extras))
        plan.untracked = bool(remote) and not self._published_before()
        plan.dropped_commits = self._history_to_drop()
        return plan

    def publish(
        self, plan: DeployPlan, _local: dict[str, FileEntry], _out: Path, progress: SendProgress
    ) -> None:
        """Commit the tree made by ``plan`` (from the same output) and push it in one step."""
        if plan.is_empty or self.tree is None:
            return
        commit = self._commit(self.tree)
        self._push(commit)
        for entry in plan.transfers:
            progress(entry.path, entry.size)
        for path in plan.deletes:
            progress(path, 0)

    def close(self) -> None:
        """The cache stays for the next deploy; no connection is kept open."""

    def _git(
        self,
        *args: str,
        stdin: bytes = b"",
        timeout: float = LOCAL_TIMEOUT,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[bytes]:
        """A command in the cache; its own hooks folder, so a global core.hooksPath never runs here."""
        base = ["--git-dir", str(self.cache), "-c", f"core.hooksPath={self.cache / 'hooks'}"]
        return run_git([*base, *args], stdin=stdin, timeout=timeout, env=env)

    def _checked_bytes(self, *args: str, stdin: bytes = b"", env: dict[str, str] | None = None) -> bytes:
        result = self._git(*args, stdin=stdin, env=env)
        if result.returncode != 0:
            raise MapsiteError(
                f"git {args[0]} failed in the deploy cache {self.cache}: {last_message(result.stderr)}",
                hint=f"delete {self.cache} and deploy again",
            )
        return result.stdout

    def _checked(self, *args: str, stdin: bytes = b"", env: dict[str, str] | None = None) -> str:
        return self._checked_bytes(*args, stdin=stdin, env=env).decode("utf-8", "replace")

    def _open_cache(self) -> None:
        """Create the private repository, or re-create it when it is damaged."""
        if self._git("rev-parse", "--is-bare-repository").stdout.strip() == b"true":
            return
        with file_errors(self.cache):
            if self.cache.is_dir() and not self.cache.is_symlink():
                shutil.rmtree(self.cache)
            elif self.cache.exists() or self.cache.is_symlink():
                self.cache.unlink()
            self.cache.parent.mkdir(parents=True, exist_ok=True)
        result = run_git(["init", "--bare", "--quiet", str(self.cache)])
        if result.returncode != 0:
            raise MapsiteError(f"cannot create the deploy cache {self.cache}: {last_message(result.stderr)}")

    def _fetch(self) -> str | None:
        """The branch's head commit on the remote, or None when the branch does not exist yet."""
        ref = f"refs/remotes/deploy/{self.branch}"
        result = self._git(
            "fetch",
            "--quiet",
            "--no-tags",
            self.url,
            f"+refs/heads/{self.branch}:{ref}",
            timeout=NETWORK_TIMEOUT,
        )
        if result.returncode != 0:
            if not MISSING_BRANCH.search(result.stderr.decode("utf-8", "replace")):
                raise self._remote_error(result.stderr, "read")
            self._git("update-ref", "-d", ref)
            return None
        return self._checked("rev-parse", "--verify", f"{ref}^{{commit}}").strip()

    def _remote_error(self, stderr: bytes, verb: str) -> MapsiteError:
        text = stderr.decode("utf-8", "replace")
        where = redact(self.url)
        if AUTH_FAILED.search(text):
            return MapsiteError(
                f"git could not log in to {where} to {verb} the branch {self.branch}",
                hint="check that git's credential helper or your SSH agent can log in there "
                f"(try: git ls-remote {where}), and that you may {verb} the repository",
            )
        if NO_REPOSITORY.search(text):
            return MapsiteError(
                f"cannot reach the git repository {where}: {last_message(stderr).replace(self.url, where)}",
                hint="check remote: in mapsite.yml, create the repository, or check the network",
            )
        return MapsiteError(
            f"git could not {verb} {where}: {last_message(stderr).replace(self.url, where)}",
            hint="run the same deploy again; if it persists, try git ls-remote on the remote",
        )

    def _remote_tree(self) -> dict[str, tuple[str, str]]:
        """path -> (mode, object id) of everything the branch holds now."""
        if self.head is None:
            return {}
        listing = self._checked("ls-tree", "-r", "-z", "--full-tree", self.head)
        entries = {}
        for record in filter(None, listing.split("\0")):
            info, path = record.split("\t", 1)
            mode, _kind, object_id = info.split()
            entries[path] = (mode, object_id)
        return entries

    def _published_before(self) -> bool:
        """Did mapsite make any commit of this branch? Otherwise its files are someone else's."""
        found = self._checked("rev-list", "-1", "--fixed-strings", f"--grep={TRAILER}", str(self.head))
        return bool(found.strip())

    def _history_to_drop(self) -> int:
        """How many commits a single-commit deploy takes out of the branch (none if it is one already)."""
        if not self.single_commit or self.head is None:
            return 0
        count = int(self._checked("rev-list", "--count", self.head).strip())
        return count if count > 1 else 0

    def _extra_contents(self, remote: dict[str, tuple[str, str]]) -> dict[str, bytes]:
        """``.nojekyll`` (GitHub Pages would hide ``_files/`` otherwise) and the custom domain.

        A CNAME set in the host's settings page lives only on the branch; without a ``cname``
        of our own it is carried over, so no deploy takes the site off its domain.
        """
        contents = {NOJEKYLL: b""}
        if self.cname:
            contents[CNAME] = f"{self.cname}\n".encode()
        elif CNAME in remote:
            contents[CNAME] = self._checked_bytes("cat-file", "blob", remote[CNAME][1])
        return contents

    def _hash_files(self, files: list[Path]) -> list[str]:
        """Blob ids of the files, written into the cache; no filter (autocrlf, LFS) may alter a byte."""
        if not files:
            return []
        paths = "".join(f"{path}\n" for path in files).encode()
        output = self._checked("hash-object", "-w", "--no-filters", "--stdin-paths", stdin=paths)
        return output.split()

    def _hash_contents(self, contents: dict[str, bytes]) -> dict[str, str]:
        return {
            path: self._checked("hash-object", "-w", "--no-filters", "--stdin", stdin=data).strip()
            for path, data in contents.items()
        }

    def _write_tree(self, entries: dict[str, str]) -> str:
        """The tree of ``entries`` via a throwaway index file: the user's index is never involved."""
        index = self.cache / f"mapsite-index-{os.getpid()}"
        records = "".join(f"{FILE_MODE} {blob}\t{path}\0" for path, blob in sorted(entries.items()))
        env = {"GIT_INDEX_FILE": str(index)}
        try:
            index.unlink(missing_ok=True)
            self._checked("update-index", "-z", "--index-info", stdin=records.encode(), env=env)
            return self._checked("write-tree", env=env).strip()
        finally:
            index.unlink(missing_ok=True)

    def _commit(self, tree: str) -> str:
        parents = [] if self.single_commit or self.head is None else ["-p", self.head]
        message = f"{self.message}\n\n{TRAILER}\n".encode()
        return self._checked("commit-tree", tree, *parents, stdin=message, env=self._identity()).strip()

    def _identity(self) -> dict[str, str]:
        """Who commits: git's own settings, else ``mapsite <mapsite@localhost>`` for this commit only."""
        env = {}
        for key, fallback in FALLBACK_IDENTITY.items():
            configured = self._git("config", f"user.{key.lower()}").stdout.strip()
            for role in ("AUTHOR", "COMMITTER"):
                if not configured and f"GIT_{role}_{key}" not in os.environ:
                    env[f"GIT_{role}_{key}"] = fallback
        return env

    def _push(self, commit: str) -> None:
        """Fast-forward only; a single-commit history replaces the branch only if nobody moved it."""
        force = (
            [f"--force-with-lease=refs/heads/{self.branch}:{self.head or ''}"] if self.single_commit else []
        )
        result = self._git(
            "push",
            "--porcelain",
            "--quiet",
            *force,
            self.url,
            f"{commit}:refs/heads/{self.branch}",
            timeout=NETWORK_TIMEOUT,
        )
        if result.returncode == 0:
            return
        report = result.stdout.decode("utf-8", "replace")
        rejected = [line for line in report.splitlines() if line.startswith("!")]
        if rejected and REMOTE_MOVED.search(rejected[0]):
            raise MapsiteError(
                "the branch changed on the remote while deploying; run mapsite deploy again",
                hint=f"nothing was pushed to {self.location}; the next deploy builds on its new head",
            )
        if rejected:
            reason = rejected[0].split("\t")[-1]
            raise MapsiteError(
                f"{redact(self.url)} refused the push to {self.branch}: {reason}",
                hint=f"check the branch protection rules of {self.branch} and your permission to push",
            )
        raise self._remote_error(result.stderr, "push to")


def _entry(path: str, data: bytes) -> FileEntry:
    content_type, cache_control = headers_for(path, ())
    return FileEntry(path, len(data), hashlib.sha256(data).hexdigest(), content_type, cache_control)


def _compare(
    files: dict[str, FileEntry],
    blobs: dict[str, str],
    remote: dict[str, tuple[str, str]],
    uncounted: set[str],
) -> DeployPlan:
    """The tree difference: equal trees give an empty plan, so nothing is committed.

    ``uncounted`` files (.nojekyll, CNAME) show up when they change, but are not the site's
    published files, so they never count as unchanged ones.
    """
    plan = DeployPlan()
    for path, entry in files.items():
        if path not in remote:
            plan.uploads.append(entry)
        elif remote[path] != (FILE_MODE, blobs[path]):
            plan.updates.append(Update(entry, "content"))
        elif path not in uncounted:
            plan.unchanged += 1
    plan.deletes = sorted(path for path in remote if path not in files)
    return plan


def open_target(settings: TargetSettings, context: DeployContext) -> GitTarget:
    options = settings.options
    site_dir = context.site_dir
    return GitTarget(
        url=resolve_remote(options["remote"], site_dir),
        branch=options["branch"],
        cname=options["cname"],
        single_commit=options["single_commit"],
        message=options["message"],
        cache=site_dir.resolve() / ".mapsite" / "deploy" / cache_name(settings.name),
        out=context.out.resolve(),
    )
