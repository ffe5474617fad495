"""A wheel built from the repo works in a fresh virtual environment outside the repo."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.helpers import REPO


def test_wheel_installs_and_builds_a_new_site(tmp_path: Path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(REPO)],
        check=True,
        timeout=300,
    )
    [wheel] = dist.glob("mapsite-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, timeout=400)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    mapsite = env_dir / "bin" / "mapsite"
    init = subprocess.run(
        [str(mapsite), "init", "x"], cwd=work, capture_output=True, text=True, env=env, timeout=60
    )
    assert init.returncode == 0, init.stderr
    built = subprocess.run(
        [str(mapsite), "build"],
        cwd=work / "x",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert built.returncode == 0, built.stderr
    # The sample deal's portal is published under a random folder (issue 12, finding 4).
    slug = re.search(r"Its portal is published at ([a-z2-7]{12})/", init.stdout)[1]
    page = (work / "x" / "output" / slug / "index.html").read_text("utf-8")
    assert 'id="mapsite-envelope"' in page and "Example Corp" not in page
    assert list((work / "x" / "output" / "assets").glob("unlock.*.js"))
    assert list((work / "x" / "output" / "assets").glob("mapsite.*.css"))
    as_module = subprocess.run(
        [str(python), "-m", "mapsite", "--version"],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert as_module.stdout.strip() == "mapsite, version 0.1.0"


# Imported only where it is there: mapsite pdf prints with Chromium's own command line without it.
OPTIONAL_IMPORTS = {"playwright"}


def _third_party_imports() -> set[str]:
    """Top-level names of what mapsite imports at run time (not under ``if TYPE_CHECKING:``)."""
    names: set[str] = set()
    for path in (REPO / "mapsite").rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        typing_only = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.If)
            and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
            for inner in ast.walk(node)
        }
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {name for name in names if name not in sys.stdlib_module_names and name != "mapsite"}


def test_every_package_mapsite_imports_is_a_declared_dependency():
    declared = {
        canonicalize_name(Requirement(text).name)
        for text in tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["dependencies"]
    }
    providers = importlib.metadata.packages_distributions()
    undeclared = {
        name: providers.get(name)
        for name in _third_party_imports() - OPTIONAL_IMPORTS
        if not declared & {canonicalize_name(dist) for dist in providers.get(name, [name])}
    }
    assert undeclared == {}
