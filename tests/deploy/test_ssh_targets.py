"""The rsync and sftp targets against Debian's OpenSSH sshd (and rsync) on loopback: what arrives on the
server, what is not sent again, what is deleted, and the line a rep reads when the server cannot be used.

Every test runs once per target type over the same sshd; where the two differ (how a location reads,
a message's wording, what each can check on the server) the tables below say so. The server's folders
are on this machine, so the tests look at them directly.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.deploy.helpers import add_targets, build_site, built_example, published, run_mapsite
from tests.deploy.sshd import (
    READ_ONLY,
    SshServer,
    error_line,
    failing_targets,
    isolate_ssh_client,
    make_key,
    running_sshd,
    stamps,
    target_yaml,
)

KINDS = ("rsync", "sftp")

# How each target names a server folder in its messages.
LOCATION = {"rsync": "deploytest:{}", "sftp": "sftp://deploytest{}"}

# sftp creates missing parent folders; rsync refuses to (the "no-parent" failure), so its tests
# provide the parent of the fresh destination.
CREATES_PARENTS = {"rsync": False, "sftp": True}

# A key whose login cannot run the target's transfer: (target name, authorized_keys options).
UNUSABLE_LOGIN = {
    "rsync": ("no-rsync", 'command="PATH=/nonexistent; eval \\"$SSH_ORIGINAL_COMMAND\\""'),
    "sftp": ("no-sftp", 'command="echo this key runs one command, not SFTP"'),
}


def location(kind: str, folder: Path) -> str:
    return LOCATION[kind].format(folder)


def only_published_files(www: Path, files: dict[str, str]) -> None:
    everything = sorted(p.relative_to(www).as_posix() for p in www.rglob("*") if p.is_file())
    assert everything == sorted(files), "no build marker, state file or temporary file on the server"


def no_marker_or_temporary_file(www: Path, _files: dict[str, str]) -> None:
    assert not (www / ".mapsite-build.json").exists()
    assert [p.name for p in www.rglob("*.mapsite-tmp-*")] == [], "no upload is left under its temporary name"


# What each target's first deploy is checked to have left on the server besides the published files.
NOTHING_ELSE_ON_SERVER: dict[str, Callable[[Path, dict[str, str]], None]] = {
    "rsync": only_published_files,
    "sftp": no_marker_or_temporary_file,
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    with running_sshd(tmp_path_factory.mktemp("sshd")) as running:
        yield running


@pytest.fixture(scope="module", params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(autouse=True)
def no_personal_ssh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_ssh_client(monkeypatch, tmp_path / "home")


@pytest.fixture(scope="module")
def shared(server: SshServer, kind: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One built site for the tests that only read it, each deploying to a folder of its own."""
    folder = tmp_path_factory.mktemp(f"shared-{kind}")
    config = server.client_config(folder / "client.conf")
    unusable, options = UNUSABLE_LOGIN[kind]
    key = make_key(folder / f"{unusable}_ed25519")
    server.authorize(key, options)
    section = (
        "deploy:\n"
        + target_yaml("fresh", kind, folder / "remote" / "www", config)
        + target_yaml("taken", kind, folder / "taken", config)
        + failing_targets(kind, server, folder)
        + target_yaml(
            unusable,
            kind,
            folder / "never-written",
            server.client_config(folder / f"{unusable}.conf", identity=key),
        )
    )
    if not CREATES_PARENTS[kind]:
        (folder / "remote").mkdir()
        section += target_yaml("no-parent", kind, folder / "missing" / "www", config)
    return built_example(folder, section)


def test_first_deploy_creates_the_folder_and_the_second_sends_nothing(shared: Path, kind: str):
    www = shared.parent / "remote" / "www"
    where = location(kind, www)
    files = published(shared / "output")

    dry = run_mapsite("deploy", "fresh", "--no-build", "--dry-run", site=shared)
    assert dry.returncode == 0, dry.stderr
    planned = [line.split()[1] for line in dry.stdout.splitlines() if line.startswith("upload  ")]
    assert sorted(planned) == sorted(files)
    assert f"Dry run for {where}: {len(files)} to upload, 0 to update, 0 to delete" in dry.stdout
    created = www.parent if CREATES_PARENTS[kind] else www
    assert not created.exists(), "a dry run creates nothing on the server"

    first = run_mapsite("deploy", "fresh", "--no-build", site=shared)
    assert first.returncode == 0, first.stderr
    assert f"Deployed to {where}: {len(files)} uploaded, 0 updated, 0 deleted, 0 unchanged" in first.stdout
    assert published(www) == files
    assert {mode for _ino, _mtime, mode in stamps(www).values()} == {0o644}
    NOTHING_ELSE_ON_SERVER[kind](www, files)

    before = stamps(www)
    second = run_mapsite("deploy", "fresh", "--no-build", site=shared)
    assert second.returncode == 0, second.stderr
    assert (
        f"Nothing to deploy: {where} already serves this build ({len(files)} files unchanged, 0 B sent"
        in second.stdout
    )
    assert stamps(www) == before


def test_a_folder_holding_another_sites_files_is_replaced_only_with_yes(shared: Path, kind: str):
    taken = shared.parent / "taken"
    (taken / "old-site").mkdir(parents=True)
    (taken / "old-site" / "page.html").write_text("someone else's page", "utf-8")
    refused = run_mapsite("deploy", "taken", "--no-build", site=shared)
    assert refused.returncode == 1
    assert f"error: {location(kind, taken)} holds 1 file(s) that this site did not publish there" in (
        error_line(refused.stderr)
    )
    assert [p.name for p in taken.iterdir()] == ["old-site"]

    accepted = run_mapsite("deploy", "taken", "--no-build", "--yes", site=shared)
    assert accepted.returncode == 0, accepted.stderr
    assert published(taken) == published(shared / "output")
    assert not (taken / "old-site").exists()


def test_only_a_changed_deal_is_sent_removed_deals_are_deleted_and_host_files_stay(
    built_site: Path, server: SshServer, kind: str, tmp_path: Path
):
    www = tmp_path / "www"
    where = location(kind, www)
    add_targets(
        built_site, "deploy:\n" + target_yaml("live", kind, www, server.client_config(tmp_path / "c"))
    )
    assert run_mapsite("deploy", "--no-build", site=built_site).returncode == 0
    (www / ".htaccess").write_text("Options -Indexes\n", "utf-8")
    (www / ".well-known").mkdir()
    (www / ".well-known" / "security.txt").write_text("Contact: mailto:security@example.com\n", "utf-8")
    old_files, before = published(www), stamps(www)

    deals = built_site / "content" / "deals"
    acme = deals / "acme" / "index.md"
    acme.write_text(acme.read_text("utf-8") + "\nOne more sentence for the buyer.\n", "utf-8")
    shutil.rmtree(deals / "globex")
    (deals / "bluebird-bakery.md").unlink()
    build_site(built_site)
    new_files = published(built_site / "output")
    changed = sorted(path for path in new_files if old_files.get(path) != new_files[path])
    deleted = sorted(set(old_files) - set(new_files))
    # The edited deal's page, and the team dashboard that no longer lists the removed deals.
    assert changed == ["_team/index.html", "acme/index.html"]
    assert {path.split("/")[0] for path in deleted} == {"bluebird-bakery", "globex"}

    dry = run_mapsite("deploy", "--no-build", "--dry-run", site=built_site)
    assert dry.returncode == 0, dry.stderr
    plan = [line for line in dry.stdout.splitlines() if line.startswith(("upload", "update", "delete"))]
    assert [line.split("  (")[0] for line in plan] == [
        "update  _team/index.html",
        "update  acme/index.html",
        *(f"delete  {path}" for path in deleted),
    ]
    assert all(line.endswith(", content changed)") for line in plan[:2])
    assert "Nothing was changed." in dry.stdout
    assert stamps(www) == before

    stopped = run_mapsite("deploy", "--no-build", "--max-deletes", "1", site=built_site)
    assert stopped.returncode == 1
    assert (
        f"error: this deploy would delete {len(deleted)} files from {where}, more than --max-deletes 1; "
        "nothing was changed" in error_line(stopped.stderr)
    )
    assert stamps(www) == before, "neither the update nor a deletion happened"

    result = run_mapsite("deploy", "--no-build", site=built_site)
    assert result.returncode == 0, result.stderr
    assert (
        f"Deployed to {where}: 0 uploaded, 2 updated, {len(deleted)} deleted, {len(new_files) - 2} unchanged"
        in result.stdout
    )
    assert published(www) == new_files
    after = stamps(www)
    assert sorted(path for path in after if after[path] != before[path]) == changed
    assert not (www / "globex").exists() and not (www / "bluebird-bakery").exists(), "emptied folders go"
    assert (www / ".htaccess").read_text("utf-8") == "Options -Indexes\n"
    assert (www / ".well-known" / "security.txt").is_file()


HOST_KEY_UNKNOWN = (
    "error: the host key of deploytest is not in known_hosts, so mapsite cannot tell it is talking "
    "to the right server; nothing was changed",
    "(hint: connect once with `ssh -F ",
)
KEY_REFUSED = (
    "error: deploytest refused every SSH key mapsite offered",
    "(hint: add your key to the SSH agent (ssh-add) or name it with IdentityFile",
)
READ_ONLY_CAUSE = f"error: permission denied writing deploytest:{READ_ONLY}"
CLOSED_PORT_HINT = "(hint: check the host name and port, and that the server runs sshd"

# target -> kind -> (how the error line starts, what else it says), for the ways any SSH server fails.
FAILURES = {
    "unknown-host-key": dict.fromkeys(KINDS, HOST_KEY_UNKNOWN),
    "wrong-key": dict.fromkeys(KINDS, KEY_REFUSED),
    "closed-port": {
        "rsync": (
            "error: cannot reach deploytest over SSH: 127.0.0.1 port ",
            f": connection refused {CLOSED_PORT_HINT}",
        ),
        "sftp": (
            "error: cannot reach deploytest over SSH: nothing listens on 127.0.0.1 port ",
            f" (connection refused) {CLOSED_PORT_HINT}",
        ),
    },
    "read-only": {
        "rsync": (
            READ_ONLY_CAUSE,
            "(hint: let your ssh user on deploytest write there, or choose another destination path)",
        ),
        "sftp": (READ_ONLY_CAUSE, "(hint: deploy as a user who may write there, or choose another folder)"),
    },
}

# (kind, target, how the error line starts, what else it says) for the failures of one target type only.
ONE_KIND_FAILURES = [
    (
        "rsync",
        "no-rsync",
        "error: deploytest has no rsync installed",
        "(hint: install rsync on the server, or deploy there with type: sftp)",
    ),
    (
        "rsync",
        "no-parent",
        "error: cannot create deploytest:",
        "its parent folder does not exist on deploytest (hint: create it with `ssh -F ",
    ),
    (
        "sftp",
        "no-sftp",
        "error: deploytest accepted the login but offers no SFTP",
        "(hint: enable 'Subsystem sftp' in the server's sshd_config, or deploy with type: rsync)",
    ),
]


def assert_one_line_with_a_hint(shared: Path, target: str, cause: str, hint: str) -> None:
    result = run_mapsite("deploy", target, "--no-build", site=shared)
    assert result.returncode == 1
    line = error_line(result.stderr)
    assert line.startswith(cause)
    assert hint in line
    assert not (shared.parent / "never-written").exists()


@pytest.mark.parametrize("target", FAILURES)
def test_a_failing_server_is_one_line_with_a_hint(shared: Path, kind: str, target: str):
    assert_one_line_with_a_hint(shared, target, *FAILURES[target][kind])


# scope="module" keeps `kind` module-scoped here too, so these cases share the built site of their kind.
@pytest.mark.parametrize(
    ("kind", "target", "cause", "hint"),
    [pytest.param(*case, id=f"{case[0]}-{case[1]}") for case in ONE_KIND_FAILURES],
    indirect=["kind"],
    scope="module",
)
def test_a_failure_only_one_target_type_has_is_one_line_with_a_hint(
    shared: Path, target: str, cause: str, hint: str
):
    assert_one_line_with_a_hint(shared, target, cause, hint)
