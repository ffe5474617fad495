"""Fixtures of the exchange tests: an empty site whose imports all run on the same day."""

from __future__ import annotations

from pathlib import Path

import pytest

# 2027-02-22 12:00 UTC: the day the imports run, written into the deal's `updated`.
IMPORT_EPOCH = "1803297600"


@pytest.fixture
def empty_site(site_factory, monkeypatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", IMPORT_EPOCH)
    return site_factory.make({})
