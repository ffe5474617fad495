"""Turning the ways a host can fail into one line that says what happened and what to do."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager

from mapsite.errors import MapsiteError


@contextmanager
def file_errors(where: object) -> Iterator[None]:
    """OS errors of a folder or an SFTP server (a full disk, a read-only share) as MapsiteError."""
    try:
        yield
    except OSError as error:
        if error.errno == errno.ENOSPC:
            raise MapsiteError(
                f"the disk holding {where} is full",
                hint="free some space there, then deploy again to finish",
            ) from None
        if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise MapsiteError(
                f"permission denied writing {where}",
                hint="deploy as a user who may write there, or choose another folder",
            ) from None
        reason = error.strerror or str(error) or type(error).__name__
        raise MapsiteError(f"cannot write {where}: {reason}") from None
