"""The sftp target against Debian's OpenSSH sshd on loopback: what arrives on the server, what is
not sent again, what is deleted, and the line a rep reads when the server cannot be used.

The server's folders are on this machine, so the tests look at them directly.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.deploy.conftest import add_targets, build_site, published, run_mapsite
from tests.deploy.sshd import (
    READ_ONLY,
    SshServer,
    built_example,
    error_line,
    failing_targets,
    isolate_ssh_client,
    make_key,
    running_sshd,
    stamps,
    target_yaml,
)

KIND = "sftp"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    with running_sshd(tmp_path_factory.mktemp("sshd")) as running:
        yield running


@pytest.fixture(autouse=True)
def no_personal_ssh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_ssh_client(monkeypatch, tmp_path / "home")


@pytest.fixture(scope="module")
def shared(server: SshServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One built site for the tests that only read it, each deploying to a folder of its own."""
    folder = tmp_path_factory.mktemp("shared")
    config = server.client_config(folder / "client.conf")
    key = make_key(folder / "shell-only_ed25519")
    server.authorize(key, 'command="echo this key runs one command, not SFTP"')
    shell_only = server.client_config(folder / "shell-only.conf", identity=key)
    section = (
        "deploy:\n"
        + target_yaml("fresh", KIND, folder / "remote" / "www", config)
        + target_yaml("taken", KIND, folder / "taken", config)
        + failing_targets(KIND, server, folder)
        + target_yaml("no-sftp", KIND, folder / "never-written", shell_only)
    )
    return built_example(folder, section)


def test_first_deploy_creates_the_folder_and_the_second_sends_nothing(shared: Path):
    www = shared.parent / "remote" / "www"
    location = f"sftp://deploytest{www}"
    files = published(shared / "output")

    dry = run_mapsite("deploy", "fresh", "--no-build", "--dry-run", site=shared)
    assert dry.returncode == 0, dry.stderr
    planned = [line.split()[1] for line in dry.stdout.splitlines() if line.startswith("upload  ")]
    assert sorted(planned) == sorted(files)
    assert f"Dry run for {location}: {len(files)} to upload, 0 to update, 0 to delete" in dry.stdout
    assert not www.parent.exists(), "a dry run creates nothing on the server"

    first = run_mapsite("deploy", "fresh", "--no-build", site=shared)
    assert first.returncode == 0, first.stderr
    assert f"Deployed to {location}: {len(files)} uploaded, 0 updated, 0 deleted, 0 unchanged" in first.stdout
    assert published(www) == files
    assert {mode for _ino, _mtime, mode in stamps(www).values()} == {0o644}
    assert not (www / ".mapsite-build.json").exists()
    assert [p.name for p in www.rglob("*.mapsite-tmp-*")] == [], "no upload is left under its temporary name"

    before = stamps(www)
    second = run_mapsite("deploy", "fresh", "--no-build", site=shared)
    assert second.returncode == 0, second.stderr
    assert (
        f"Nothing to deploy: {location} already serves this build ({len(files)} files unchanged, 0 B sent"
        in second.stdout
    )
    assert stamps(www) == before


def test_a_folder_holding_another_sites_files_is_replaced_only_with_yes(shared: Path):
    taken = shared.parent / "taken"
    (taken / "old-site").mkdir(parents=True)
    (taken / "old-site" / "page.html").write_text("someone else's page", "utf-8")
    refused = run_mapsite("deploy", "taken", "--no-build", site=shared)
    assert refused.returncode == 1
    assert f"error: sftp://deploytest{taken} holds 1 file(s) that this site did not publish there" in (
        error_line(refused.stderr)
    )
    assert [p.name for p in taken.iterdir()] == ["old-site"]

    accepted = run_mapsite("deploy", "taken", "--no-build", "--yes", site=shared)
    assert accepted.returncode == 0, accepted.stderr
    assert published(taken) == published(shared / "output")
    assert not (taken / "old-site").exists()


def test_only_a_changed_deal_is_sent_removed_deals_are_deleted_and_host_files_stay(
    built_site: Path, server: SshServer, tmp_path: Path
):
    www = tmp_path / "www"
    location = f"sftp://deploytest{www}"
    add_targets(
        built_site, "deploy:\n" + target_yaml("live", KIND, www, server.client_config(tmp_path / "c"))
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
    assert changed == ["acme/index.html"]
    assert deleted == ["bluebird-bakery/index.html", "globex/index.html"]

    dry = run_mapsite("deploy", "--no-build", "--dry-run", site=built_site)
    assert dry.returncode == 0, dry.stderr
    plan = [line for line in dry.stdout.splitlines() if line.startswith(("upload", "update", "delete"))]
    assert [line.split("  (")[0] for line in plan] == [
        "update  acme/index.html",
        "delete  bluebird-bakery/index.html",
        "delete  globex/index.html",
    ]
    assert plan[0].endswith(", content changed)")
    assert "Nothing was changed." in dry.stdout
    assert stamps(www) == before

    stopped = run_mapsite("deploy", "--no-build", "--max-deletes", "1", site=built_site)
    assert stopped.returncode == 1
    assert (
        f"error: this deploy would delete 2 files from {location}, more than --max-deletes 1; nothing was changed"
        in error_line(stopped.stderr)
    )
    assert stamps(www) == before, "neither the update nor a deletion happened"

    result = run_mapsite("deploy", "--no-build", site=built_site)
    assert result.returncode == 0, result.stderr
    assert f"Deployed to {location}: 0 uploaded, 1 updated, 2 deleted, {len(new_files) - 1} unchanged" in (
        result.stdout
    )
    assert published(www) == new_files
    after = stamps(www)
    assert sorted(path for path in after if after[path] != before[path]) == changed
    assert not (www / "globex").exists() and not (www / "bluebird-bakery").exists(), "emptied folders go"
    assert (www / ".htaccess").read_text("utf-8") == "Options -Indexes\n"
    assert (www / ".well-known" / "security.txt").is_file()


FAILURES = [
    (
        "unknown-host-key",
        "error: the host key of deploytest is not in known_hosts, so mapsite cannot tell it is talking "
        "to the right server; nothing was changed",
        "(hint: connect once with `ssh -F ",
    ),
    (
        "wrong-key",
        "error: deploytest refused every SSH key mapsite offered",
        "(hint: add your key to the SSH agent (ssh-add) or name it with IdentityFile",
    ),
    (
        "closed-port",
        "error: cannot reach deploytest over SSH: nothing listens on 127.0.0.1 port ",
        " (connection refused) (hint: check the host name and port, and that the server runs sshd",
    ),
    (
        "read-only",
        f"error: permission denied writing deploytest:{READ_ONLY}",
        "(hint: deploy as a user who may write there, or choose another folder)",
    ),
    (
        "no-sftp",
        "error: deploytest accepted the login but offers no SFTP",
        "(hint: enable 'Subsystem sftp' in the server's sshd_config, or deploy with type: rsync)",
    ),
]


@pytest.mark.parametrize(("target", "cause", "hint"), FAILURES, ids=[case[0] for case in FAILURES])
def test_a_failing_server_is_one_line_with_a_hint(shared: Path, target: str, cause: str, hint: str):
    result = run_mapsite("deploy", target, "--no-build", site=shared)
    assert result.returncode == 1
    line = error_line(result.stderr)
    assert line.startswith(cause)
    assert hint in line
    assert not (shared.parent / "never-written").exists()
