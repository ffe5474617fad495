"""Deploying over SFTP with paramiko, for hosts that offer SSH but no rsync.

Every file goes up under a temporary name beside its final one and is renamed into place with
OpenSSH's posix-rename, which replaces atomically: a reader gets the old file or the new one,
never half of it. The crash-safe ordering and the sealed state live in ``StoreTarget``.
"""

from __future__ import annotations

import io
import os
import posixpath
import socket
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import paramiko

from mapsite.deploy.failures import file_errors
from mapsite.deploy.settings import TargetSettings
from mapsite.deploy.ssh import (
    HostConfig,
    SshDestination,
    authentication_failed,
    changed_host_key,
    resolve,
    unknown_host_key,
    unreachable,
)
from mapsite.deploy.store import StoreTarget, is_listed, temporary_name
from mapsite.deploy.target import DeployContext
from mapsite.errors import MapsiteError
from mapsite.paths import safe_relpath
from mapsite.write.manifest import FileEntry

LOGIN_TIMEOUT = 10.0  # each of: TCP connect, SSH banner, authentication, opening the SFTP channel
IO_TIMEOUT = 60.0  # a server that stops answering mid-deploy ends the deploy instead of hanging it


class _UnknownHostKey(paramiko.SSHException):
    """Raised by the host key policy, so a missing known_hosts entry is told apart from other failures."""


class _RejectUnknownHost(paramiko.RejectPolicy):
    def missing_host_key(self, _client: paramiko.SSHClient, hostname: str, _key: paramiko.PKey) -> NoReturn:
        raise _UnknownHostKey(hostname)


@dataclass
class SftpStore:
    destination: SshDestination
    client: paramiko.SSHClient
    sftp: paramiko.SFTPClient
    root: str
    folders: set[str] = field(default_factory=set)  # remote folders known to exist

    @classmethod
    def connect(cls, destination: SshDestination) -> SftpStore:
        host = resolve(destination)
        client = paramiko.SSHClient()
        try:
            for known_hosts in host.known_hosts:
                client.load_system_host_keys(str(known_hosts))
        except (OSError, paramiko.hostkeys.InvalidHostKey) as error:
            raise MapsiteError(
                f"cannot read known_hosts: {error}", hint="repair or remove the broken line"
            ) from None
        client.set_missing_host_key_policy(_RejectUnknownHost())
        try:
            client.connect(
                host.hostname,
                host.port,
                host.user,
                # paramiko takes a list of key files as well as one; typeshed's stub names only str.
                key_filename=list(host.identity_files) or None,  # type: ignore[arg-type]
                timeout=LOGIN_TIMEOUT,
                banner_timeout=LOGIN_TIMEOUT,
                auth_timeout=LOGIN_TIMEOUT,
                channel_timeout=LOGIN_TIMEOUT,
                allow_agent=True,
                look_for_keys=not host.identities_only,
            )
        except (paramiko.SSHException, OSError, EOFError) as error:
            client.close()
            raise _login_error(error, destination, host) from None
        try:
            sftp = client.open_sftp()
        except (paramiko.SSHException, paramiko.SFTPError, OSError, EOFError):
            client.close()
            raise MapsiteError(
                f"{destination.host} accepted the login but offers no SFTP",
                hint="enable 'Subsystem sftp' in the server's sshd_config, or deploy with type: rsync",
            ) from None
        channel = sftp.get_channel()
        assert channel is not None, "open_sftp runs over a channel of the SSH connection"
        channel.settimeout(IO_TIMEOUT)
        return cls(destination, client, sftp, _remote_root(destination.path))

    @property
    def location(self) -> str:
        port = f":{self.destination.port}" if self.destination.port else ""
        path = self.root if self.root.startswith("/") else f"/~/{self.root}"
        return f"sftp://{self.destination.login}{port}{path}"

    def list_files(self) -> dict[str, int]:
        files: dict[str, int] = {}
        pending = [""]
        with self._errors(self.root):
            while pending:
                folder = pending.pop()
                try:
                    entries = self.sftp.listdir_attr(self._remote(folder))
                except FileNotFoundError:
                    continue  # no site yet (the first deploy creates the root), or a folder that just went
                self.folders.add(self._remote(folder))
                for attr in entries:
                    relpath = f"{folder}/{attr.filename}" if folder else attr.filename
                    mode = attr.st_mode or 0
                    if not is_listed(relpath):
                        continue
                    if stat.S_ISDIR(mode):
                        pending.append(relpath)
                    elif stat.S_ISREG(mode) or stat.S_ISLNK(mode):
                        files[relpath] = attr.st_size or 0
        return files

    def read(self, path: str) -> bytes | None:
        remote = self._remote(path)
        with self._errors(remote):
            try:
                with self.sftp.open(remote, "rb") as handle:
                    return handle.read()
            except FileNotFoundError:
                return None

    def write(self, path: str, data: bytes) -> None:
        remote = self._remote(path)
        with self._errors(remote):
            self._upload(path, lambda temporary: self.sftp.putfo(io.BytesIO(data), temporary))

    def put(self, entry: FileEntry, source: Path) -> None:
        remote = self._remote(entry.path)
        with self._errors(remote):
            self._upload(entry.path, lambda temporary: self.sftp.put(str(source), temporary))

    def delete(self, paths: list[str]) -> None:
        folders = set()
        for path in paths:
            remote = self._remote(path)
            with self._errors(remote), suppress(FileNotFoundError):
                self.sftp.remove(remote)
            folder = posixpath.dirname(path)
            while folder:
                folders.add(folder)
                folder = posixpath.dirname(folder)
        self._prune(sorted(folders, key=lambda folder: folder.count("/"), reverse=True))

    def close(self) -> None:
        self.sftp.close()
        self.client.close()

    def _upload(self, path: str, send: Callable[[str], object]) -> None:
        """Send to a temporary name, then rename over the final one (posix-rename replaces atomically)."""
        final = self._remote(path)
        temporary = self._remote(temporary_name(path, str(os.getpid())))
        self._make_folder(posixpath.dirname(final))
        send(temporary)
        self.sftp.chmod(temporary, 0o644)
        self.sftp.posix_rename(temporary, final)

    def _make_folder(self, remote: str) -> None:
        """``mkdir -p``, remembering what exists so a deploy asks the server once per folder."""
        if remote in self.folders or remote in ("", "/", "."):
            return
        self._make_folder(posixpath.dirname(remote))
        with self._errors(remote):
            try:
                attributes = self.sftp.stat(remote)
            except FileNotFoundError:
                self.sftp.mkdir(remote, 0o755)
            else:
                if not stat.S_ISDIR(attributes.st_mode or 0):
                    raise MapsiteError(
                        f"{self.destination.host}:{remote} is a file where mapsite needs a folder",
                        hint="move that file away on the server, or choose another destination path",
                    )
        self.folders.add(remote)

    def _prune(self, folders: list[str]) -> None:
        """Remove folders a deleted deal leaves empty, deepest first, never the root."""
        for folder in folders:
            remote = self._remote(folder)
            try:
                self.sftp.rmdir(remote)
            except OSError:
                continue  # not empty: it still holds files (the host's own dot-files included)
            self.folders.discard(remote)

    def _remote(self, path: str) -> str:
        if not path:
            return self.root
        relpath = safe_relpath(path)
        if relpath is None or relpath != path:
            raise MapsiteError(f"refusing to touch '{path}': it is not a plain path inside the deploy folder")
        return posixpath.join(self.root, relpath)

    @contextmanager
    def _errors(self, remote: str) -> Iterator[None]:
        """What the server says about one file, as a MapsiteError naming the file and the host."""
        where = f"{self.destination.host}:{remote}"
        try:
            yield
        except (paramiko.SSHException, EOFError, TimeoutError, ConnectionError) as error:
            raise MapsiteError(
                f"the connection to {self.destination.host} broke off at {where} ({error or 'closed'})",
                hint="the site still serves whole portals; deploy again to finish",
            ) from None
        except OSError as error:
            if error.errno is None:  # SFTP's generic "Failure": the server does not say why
                raise MapsiteError(
                    f"{self.destination.host} refused to write {where} ({error})",
                    hint=f"check that the disk there has space and that {self.destination.login} may write "
                    "to the folder",
                ) from None
            with file_errors(where):
                raise


def _remote_root(path: str) -> str:
    """The site's folder as SFTP names it: a relative path (or one under ~/) starts in the login's home."""
    if path == "~" or path.startswith("~/"):
        path = path[2:] or "."
    return path.rstrip("/") or ("/" if path.startswith("/") else ".")


def _login_error(error: BaseException, destination: SshDestination, host: HostConfig) -> MapsiteError:
    """A failed connection or login, in the words ssh users know."""
    address = f"{host.hostname} port {host.port}"
    if isinstance(error, _UnknownHostKey):
        return unknown_host_key(destination)
    if isinstance(error, paramiko.BadHostKeyException):
        return changed_host_key(destination)
    if isinstance(error, paramiko.AuthenticationException) or "No authentication methods" in str(error):
        return authentication_failed(destination)
    if isinstance(error, paramiko.ssh_exception.NoValidConnectionsError):
        return unreachable(destination, f"nothing listens on {address} (connection refused)")
    if isinstance(error, TimeoutError):
        return unreachable(destination, f"no answer from {address} within {LOGIN_TIMEOUT:.0f} s")
    if isinstance(error, socket.gaierror):
        return unreachable(destination, f"the host name {host.hostname} is unknown")
    if isinstance(error, OSError):
        return unreachable(destination, f"{address}: {error.strerror or error}")
    return unreachable(destination, f"{address} does not speak SSH as expected ({error})")


def open_target(settings: TargetSettings, context: DeployContext) -> StoreTarget:
    return StoreTarget(SftpStore.connect(SshDestination.from_settings(settings)), context.site_secret)
