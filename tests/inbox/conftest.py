"""The inbox tests' site: a copy of the example whose rep's machine has built before."""

from __future__ import annotations

from pathlib import Path

import pytest

from mapsite.protect.secrets import site_secret


@pytest.fixture
def site(example_site: Path) -> Path:
    site_secret(example_site)  # the rep's machine has built before
    return example_site
