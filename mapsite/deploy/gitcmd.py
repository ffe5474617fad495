"""Running git for the git target: one environment that never asks on a terminal, and remotes
resolved and checked so that no URL carrying a password or token reaches git's command line."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from mapsite.deploy.credentials import holds_credential, redact, without_credential
from mapsite.errors import MapsiteError

LOCAL_TIMEOUT = 120
# Variables that would point git at the user's repository instead of the deploy cache.
REPOSITORY_VARIABLES = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
)
URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
SCP_LIKE = re.compile(r"^[^/]*:")
REMOTE_NAME = re.compile(r"^[A-Za-z0-9._-]+$")
GENERIC = re.compile(
    r"^hint:|could not read from remote repository|correct access rights|the repository exists|"
    r"failed to push some refs",
    re.I,
)
PREFIX = re.compile(r"^(?:(?:fatal|error|remote|ssh|remote error):\s*)+", re.I)


def git_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """No prompt may wait for a password, and messages stay in English so they can be read."""
    env = {name: value for name, value in os.environ.items() if name not in REPOSITORY_VARIABLES}
    env.update(GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    env.update(extra or {})
    return env


def run_git(
    args: list[str], *, stdin: bytes = b"", timeout: float = LOCAL_TIMEOUT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """One git command. A new session has no terminal, so ssh cannot ask for a passphrase either."""
    try:
        return subprocess.run(
            ["git", *args],
            input=stdin,
            capture_output=True,
            timeout=timeout,
            env=git_environment(env),
            start_new_session=True,
        )
    except FileNotFoundError:
        raise MapsiteError(
            "git is not installed, and the git deploy target runs it",
            hint="install git (e.g. apt install git), then deploy again",
        ) from None
    except subprocess.TimeoutExpired:
        raise MapsiteError(
            f"git did not finish within {timeout:.0f} s",
            hint="check the network and that the remote answers, then deploy again",
        ) from None


def last_message(stderr: bytes) -> str:
    """The line of git's complaint that names the cause, without git's generic advice around it."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    causes = [line for line in lines if line and not GENERIC.search(line)]
    marked = [line for line in causes if PREFIX.match(line)] or causes
    return PREFIX.sub("", marked[0]).strip() if marked else "git gave no reason"


def is_local_path(remote: str) -> bool:
    return not URL_SCHEME.match(remote) and not SCP_LIKE.match(remote)


def resolve_remote(remote: str, site_dir: Path) -> str:
    """A URL or path as given, or the URL of a remote of the site's own repository.

    mapsite.yml is checked for secrets when it is read; the site's own remotes can only be
    checked here, before any git command could receive one as an argument.
    """
    name = None
    if REMOTE_NAME.match(remote) and not (site_dir / remote).exists():
        result = run_git(["-C", str(site_dir), "remote", "get-url", remote])
        if result.returncode != 0:
            raise remote_name_error(remote, site_dir, result.stderr)
        name, remote = remote, result.stdout.decode("utf-8", "replace").strip()
    if holds_credential(remote):
        raise secret_in_remote(remote, name)
    if is_local_path(remote):
        return str((site_dir / Path(remote).expanduser()).resolve())
    return remote


def secret_in_remote(url: str, name: str | None) -> MapsiteError:
    where = f"the site's git remote '{name}'" if name else "the git remote"
    clean = without_credential(url)
    fix = f"git remote set-url {name} {clean}" if name else f"write remote: {clean} in mapsite.yml"
    return MapsiteError(
        f"{where} has a password or token written into its URL ({redact(url)}); git gets credentials "
        "only from its helpers, never on its command line, where any user of this machine can read them",
        hint=f"{fix}, let git's credential helper (e.g. gh auth setup-git) or an SSH key log in, "
        "then change that password or token",
    )


def remote_name_error(remote: str, site_dir: Path, stderr: bytes) -> MapsiteError:
    message = last_message(stderr)
    hint = "set remote: to the repository's URL in mapsite.yml, e.g. remote: git@github.com:you/deals.git"
    if "not a git repository" in message:
        return MapsiteError(
            f"the git deploy target names the remote '{remote}', "
            f"but {site_dir.resolve()} is not a git repository",
            hint=hint,
        )
    if "dubious ownership" in message:
        return MapsiteError(
            f"git refuses to read {site_dir}: it belongs to another user",
            hint=f"git config --global --add safe.directory {site_dir.resolve()}, or {hint}",
        )
    return MapsiteError(
        f"the site's git repository has no remote '{remote}'",
        hint=f"add it with git remote add {remote} URL, or {hint}",
    )
