"""What the deploy tests import by name: the CLI in a real process, a deploy section added to a
site, the files a build publishes, and a built example site for module-scoped fixtures.

Fixtures are in conftest.py, which pytest injects; plain imports come from here.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import PASSWORDS, REPO, TODAY


def run_mapsite(*args: str, site: Path, timeout: float = 180, **env: str) -> subprocess.CompletedProcess:
    """``mapsite ARGS --site SITE`` as a rep's terminal runs it; ``env`` adds variables."""
    return subprocess.run(
        [sys.executable, "-m", "mapsite", *args, "--site", str(site)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **env},
    )


def build_site(site: Path) -> None:
    result = run_mapsite("build", "--today", TODAY, site=site)
    assert result.returncode == 0, result.stderr


def add_targets(site: Path, yaml_text: str) -> None:
    """Append a deploy section (YAML text, starting with 'deploy:') to the site's mapsite.yml."""
    site_file = site / "mapsite.yml"
    site_file.write_text(site_file.read_text("utf-8") + "\n" + yaml_text, "utf-8")


def published(folder: Path) -> dict[str, str]:
    """path -> sha256 of every file a build publishes (the dot-file build marker excluded)."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    }


def built_example(folder: Path, deploy_section: str) -> Path:
    """The repo's example site with ``deploy_section``, built as of TODAY.

    For module-scoped fixtures, which cannot use the function-scoped ``example_site`` and
    password fixtures: the environment is set up the same way for the build alone.
    """
    site = folder / "example"
    site.mkdir()
    shutil.copy2(REPO / "mapsite.yml", site / "mapsite.yml")
    shutil.copytree(REPO / "content", site / "content")
    shutil.copytree(REPO / "assets", site / "assets")
    add_targets(site, deploy_section)
    with pytest.MonkeyPatch.context() as env:
        for name, value in PASSWORDS.items():
            env.setenv(name, value)
        for name in ("MAPSITE_SECRET", "MAPSITE_SHARES", "SOURCE_DATE_EPOCH"):
            env.delenv(name, raising=False)
        build_site(site)
    return site
