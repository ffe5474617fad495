"""A real OpenSSH server on 127.0.0.1 for the rsync and sftp deploy tests.

Debian's ``/usr/sbin/sshd`` runs in the foreground with a config, host key, user key and
authorized_keys of its own in a temp folder, so the tests log in exactly as a rep's laptop
would (key authentication, host key checked against known_hosts) without touching the
machine's own ssh setup. The client side is a config file the tests hand to mapsite; the
developer's ``~/.ssh`` and SSH agent are kept out of the picture by ``isolate_ssh_client``.
"""

from __future__ import annotations

import getpass
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

SSHD = "/usr/sbin/sshd"
PRIVSEP_DIR = Path("/run/sshd")
START_TIMEOUT = 10.0
ALIAS = "deploytest"
READ_ONLY = "/sys/mapsite-deploy-test"  # sysfs refuses new folders, even to root


def free_port() -> int:
    """A loopback port nothing listens on (the OS picks it, so parallel runs do not collide)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_key(path: Path) -> Path:
    """A fresh passphrase-less ed25519 key pair; returns the private key's path."""
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "mapsite-test", "-f", str(path)],
        check=True,
        timeout=30,
    )
    return path


@dataclass
class SshServer:
    folder: Path
    port: int
    host_key: Path
    user_key: Path
    user: str

    def known_hosts_line(self) -> str:
        key_type, key = self.host_key.with_suffix(".pub").read_text("ascii").split()[:2]
        return f"[127.0.0.1]:{self.port} {key_type} {key}\n"

    def authorize(self, key: Path, options: str) -> None:
        """Let ``key`` log in too, under authorized_keys ``options`` (sshd reads the file at each login)."""
        line = f"{options} {key.with_suffix('.pub').read_text('ascii')}"
        with (self.folder / "authorized_keys").open("a", encoding="ascii") as authorized:
            authorized.write(line)

    def client_config(
        self,
        path: Path,
        *,
        identity: Path | None = None,
        known_hosts: str | None = None,
        port: int | None = None,
    ) -> Path:
        """An OpenSSH client config for ``Host deploytest``; keyword arguments break one part of it."""
        known = path.with_name(path.name + ".known_hosts")
        known.write_text(self.known_hosts_line() if known_hosts is None else known_hosts, "ascii")
        path.write_text(
            f"Host {ALIAS}\n"
            "  HostName 127.0.0.1\n"
            f"  Port {port or self.port}\n"
            f"  User {self.user}\n"
            f"  IdentityFile {identity or self.user_key}\n"
            "  IdentitiesOnly yes\n"
            f"  UserKnownHostsFile {known}\n"
            "  GlobalKnownHostsFile /dev/null\n"
            "  StrictHostKeyChecking yes\n",
            "utf-8",
        )
        return path


def _sshd_config(folder: Path, port: int, host_key: Path, authorized: Path) -> Path:
    config = folder / "sshd_config"
    config.write_text(
        f"Port {port}\n"
        "ListenAddress 127.0.0.1\n"
        f"HostKey {host_key}\n"
        f"PidFile {folder / 'sshd.pid'}\n"
        f"AuthorizedKeysFile {authorized}\n"
        "PubkeyAuthentication yes\n"
        "PasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\n"
        "UsePAM no\n"
        "StrictModes no\n"
        "PermitRootLogin prohibit-password\n"
        "Subsystem sftp internal-sftp\n"
        "LogLevel ERROR\n",
        "utf-8",
    )
    return config


def _wait_for_banner(process: subprocess.Popen, port: int, log: Path) -> None:
    """Until sshd greets on the port; a server that died or never answers fails the fixture."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sshd exited with {process.returncode}: {log.read_text('utf-8')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.settimeout(2)
                if conn.recv(64).startswith(b"SSH-2.0-"):
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"sshd did not answer on port {port} within {START_TIMEOUT:.0f} s")


@contextmanager
def running_sshd(folder: Path) -> Iterator[SshServer]:
    """sshd on a free loopback port for the duration of the block, stopped however it ends."""
    PRIVSEP_DIR.mkdir(mode=0o755, exist_ok=True)
    host_key = make_key(folder / "host_ed25519")
    user_key = make_key(folder / "user_ed25519")
    authorized = folder / "authorized_keys"
    authorized.write_text(user_key.with_suffix(".pub").read_text("ascii"), "ascii")
    port = free_port()
    log = folder / "sshd.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [SSHD, "-D", "-e", "-f", str(_sshd_config(folder, port, host_key, authorized))],
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=log_file,
        )
    try:
        _wait_for_banner(process, port, log)
        yield SshServer(folder, port, host_key, user_key, getpass.getuser())
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def isolate_ssh_client(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """No agent and an empty home: only what the test's client config names may log in.

    That covers paramiko, which finds ~/.ssh through $HOME. OpenSSH's ssh (under rsync) takes
    the home from the password database instead; the ``-F`` config keeps it away from there:
    -F skips ~/.ssh/config and /etc/ssh/ssh_config, and the config names the only key and the
    only known_hosts file.
    """
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    monkeypatch.delenv("SSH_AGENT_PID", raising=False)
    home.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("HOME", str(home))


def target_yaml(name: str, kind: str, remote: Path | str, config: Path) -> str:
    return f'  {name}: {{type: {kind}, destination: "{ALIAS}:{remote}", ssh_config: "{config}"}}\n'


def failing_targets(kind: str, server: SshServer, folder: Path) -> str:
    """One target per way a deploy over SSH fails, each named after it (YAML lines under deploy:)."""
    unused = folder / "never-written"
    return (
        target_yaml(
            "unknown-host-key",
            kind,
            unused,
            server.client_config(folder / "no-host-key.conf", known_hosts=""),
        )
        + target_yaml(
            "wrong-key",
            kind,
            unused,
            server.client_config(folder / "wrong-key.conf", identity=make_key(folder / "stranger_ed25519")),
        )
        + target_yaml(
            "closed-port", kind, unused, server.client_config(folder / "closed.conf", port=free_port())
        )
        + target_yaml("read-only", kind, READ_ONLY, server.client_config(folder / "client.conf"))
    )


def stamps(folder: Path) -> dict[str, tuple[int, int, int]]:
    """inode, mtime and mode of every published file: a file that was not sent again keeps all three."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns, p.stat().st_mode & 0o777)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    }


def error_line(stderr: str) -> str:
    """The one line a failed deploy prints; a traceback or a second error fails the test."""
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, stderr
    return errors[0]
