"""Shared fixtures: throwaway sites built from small deal texts, and the repo's example site.

Only fixtures live here, which pytest injects; what a test imports by name is in tests/helpers.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import PASSWORDS, REPO, SiteFactory


@pytest.fixture(autouse=True)
def access_passwords(monkeypatch):
    """Every test (and every mapsite process it starts) sees the passwords, and no outside secret."""
    for name, value in PASSWORDS.items():
        monkeypatch.setenv(name, value)
    for name in ("MAPSITE_SECRET", "MAPSITE_SHARES", "MAPSITE_KDF_CACHE", "SOURCE_DATE_EPOCH"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def site_factory(tmp_path: Path) -> SiteFactory:
    return SiteFactory(tmp_path / "site")


@pytest.fixture
def example_site(tmp_path: Path) -> Path:
    """A private copy of the repo's example site, safe to build into and modify."""
    target = tmp_path / "example"
    target.mkdir()
    shutil.copy2(REPO / "mapsite.yml", target / "mapsite.yml")
    shutil.copytree(REPO / "content", target / "content")
    shutil.copytree(REPO / "assets", target / "assets")
    return target
