"""Preview fixtures: ``mapsite serve`` processes that are always stopped when the test ends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.preview.helpers import Serve


@pytest.fixture
def serve(tmp_path: Path) -> Iterator:
    """Start ``mapsite serve`` on a site (args after the site) on a free port of 127.0.0.1; every
    process is stopped at the end."""
    processes: list[Serve] = []

    def start(site: Path, *args: str, wait: bool = True) -> Serve:
        server = Serve(site, "--port", "0", *args, tmpdir=tmp_path / f"tmp{len(processes)}")
        processes.append(server)
        return server.started() if wait else server

    yield start
    for server in processes:
        server.stop()
