"""Records a build keeps on disk, not in memory, from the deal that made them until it reads them.

A full build learns something of every deal as its workers hand the deal back: the readable
bytes the leak audit scans, the deal's needles, its summary (status row, warnings, digests of
its files). It can use them only once the last deal is in. Held in the build process until then,
they grew it by kilobytes a deal while the workers ran beside it, which is when the build's
processes together use the most memory: at 10,000 bench deals the build process went from 62 to
107 MB during the deal phase (measured with the bench corpus, ``access: links``), 3.4 KB a deal of
it the deals' summaries alone.

Each record is bytes written to an anonymous temporary file (this user's only, gone when the
spool is closed or the process ends), under a key kept in memory; records are read back in the
order they were added. Nothing here is secret beyond what the build writes anyway.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Generic, TypeVar

K = TypeVar("K")


class Spool(Generic[K]):
    """Records under keys of type ``K``, on disk until read; a context manager that closes it."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="mapsite-spool-")  # noqa: SIM115 (closed by __exit__)
        self._entries: list[tuple[K, int]] = []  # key, size: in the file's order

    def add(self, key: K, record: bytes) -> None:
        self._file.write(record)
        self._entries.append((key, len(record)))

    def added(self) -> list[K]:
        """The keys of the records, in the order they were added."""
        return [key for key, _ in self._entries]

    def read(self, wanted: Callable[[K], bool] | None = None) -> Iterator[tuple[K, bytes]]:
        """The records (all, or those whose key is ``wanted``), one at a time, in the order
        they were added."""
        self._file.flush()
        self._file.seek(0)
        for key, size in self._entries:
            if wanted is None or wanted(key):
                yield key, self._file.read(size)
            else:
                self._file.seek(size, 1)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Spool[K]:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
