"""What the rsync and sftp targets share: the destination, the rep's own OpenSSH client config,
and the words for the ways an SSH login fails.

Both targets log in exactly as ``ssh HOST`` would from the same terminal: a host alias, its
port, user, keys and known_hosts come from the OpenSSH client config, so a server a rep can
reach with ssh needs no further setup, and no credential is ever named in mapsite.yml.
"""

from __future__ import annotations

import getpass
import shlex
from dataclasses import dataclass
from pathlib import Path

from mapsite.deploy.settings import TargetSettings
from mapsite.errors import MapsiteError

SYSTEM_KNOWN_HOSTS = ("/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2")


@dataclass(frozen=True)
class SshDestination:
    """``[user@]host:path`` as written in mapsite.yml, with the optional port and client config."""

    host: str
    path: str
    user: str | None = None
    port: int | None = None
    ssh_config: Path | None = None

    @classmethod
    def from_settings(cls, settings: TargetSettings) -> SshDestination:
        options = settings.options
        return cls(options["host"], options["path"], options["user"], options["port"], options["ssh_config"])

    @property
    def login(self) -> str:
        """``user@host`` (``user@[::1]`` for an IPv6 address), as rsync and URLs write it."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.user}@{host}" if self.user else host

    def ssh_command(self) -> str:
        """The ssh command that reaches the same server, for hints a rep can paste."""
        words = ["ssh"]
        if self.ssh_config:
            words += ["-F", str(self.ssh_config)]
        if self.port:
            words += ["-p", str(self.port)]
        return shlex.join([*words, f"{self.user}@{self.host}" if self.user else self.host])

    def config_file(self) -> Path | None:
        """The client config in use: the one named in mapsite.yml, else the user's ~/.ssh/config."""
        if self.ssh_config:
            return self.ssh_config
        default = Path("~/.ssh/config").expanduser()
        return default if default.is_file() else None


@dataclass(frozen=True)
class HostConfig:
    """How to log in to a destination, resolved the way OpenSSH resolves a host alias."""

    hostname: str
    port: int
    user: str
    identity_files: tuple[str, ...]
    identities_only: bool
    known_hosts: tuple[Path, ...]


def resolve(destination: SshDestination) -> HostConfig:
    """Look the host up in the client config; mapsite.yml's port and user win, as on ssh's command line."""
    import paramiko  # only the sftp target needs it; rsync leaves all of this to ssh itself

    config_path = destination.config_file()
    try:
        config = paramiko.SSHConfig.from_path(str(config_path)) if config_path else paramiko.SSHConfig()
        options = config.lookup(destination.host)
        port = destination.port or int(options.get("port", 22))
    except (OSError, ValueError, paramiko.ssh_exception.ConfigParseError) as error:
        raise MapsiteError(
            f"cannot read the ssh config {config_path}: {error}",
            hint=f"check it with `{destination.ssh_command()}`",
        ) from None
    user = destination.user or options.get("user") or getpass.getuser()
    identities = tuple(
        str(Path(name).expanduser())
        for name in options.get("identityfile", [])
        if Path(name).expanduser().is_file()
    )
    user_known = options.get("userknownhostsfile", "~/.ssh/known_hosts ~/.ssh/known_hosts2")
    system_known = options.get("globalknownhostsfile", " ".join(SYSTEM_KNOWN_HOSTS))
    known = tuple(
        Path(name).expanduser() for name in f"{user_known} {system_known}".split() if name != "none"
    )
    return HostConfig(
        hostname=options.get("hostname", destination.host),
        port=port,
        user=user,
        identity_files=identities,
        identities_only=options.get("identitiesonly", "no").lower() == "yes",
        known_hosts=tuple(path for path in known if path.is_file()),
    )


def unknown_host_key(destination: SshDestination) -> MapsiteError:
    return MapsiteError(
        f"the host key of {destination.host} is not in known_hosts, so mapsite cannot tell "
        "it is talking to the right server; nothing was changed",
        hint=f"connect once with `{destination.ssh_command()}`, check the fingerprint and accept it",
    )


def changed_host_key(destination: SshDestination) -> MapsiteError:
    return MapsiteError(
        f"the host key of {destination.host} differs from the one in known_hosts: the server was "
        "reinstalled, or someone is intercepting the connection; nothing was changed",
        hint=f"ask the server's admin; if the new key is right, run `ssh-keygen -R {destination.host}` "
        f"and connect once with `{destination.ssh_command()}`",
    )


def authentication_failed(destination: SshDestination) -> MapsiteError:
    return MapsiteError(
        f"{destination.login} refused every SSH key mapsite offered",
        hint="add your key to the SSH agent (ssh-add) or name it with IdentityFile in your ssh config, "
        f"then check that `{destination.ssh_command()}` logs in without a password",
    )


def unreachable(destination: SshDestination, reason: str) -> MapsiteError:
    return MapsiteError(
        f"cannot reach {destination.host} over SSH: {reason}",
        hint=f"check the host name and port, and that the server runs sshd; "
        f"`{destination.ssh_command()}` should log in",
    )
