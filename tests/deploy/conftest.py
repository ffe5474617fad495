"""Deploy fixtures: the example site, built. What the deploy tests import by name (the CLI in a
real process, a deploy section added, a built copy for module-scoped fixtures) is in helpers.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.deploy.helpers import build_site


@pytest.fixture
def built_site(example_site: Path) -> Path:
    """The example site (three protected deals), built into output/ as of TODAY."""
    build_site(example_site)
    return example_site
