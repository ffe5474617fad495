"""README's two commands stay true: CI runs exactly the test command, the demo passwords suffice."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.helpers import REPO


def code_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)\n```", (REPO / "README.md").read_text("utf-8"), re.S)


def test_ci_runs_exactly_the_readme_test_command():
    test_command = code_blocks()[1].strip()
    assert "pytest" in test_command
    ci_lines = [
        line
        for line in (REPO / ".ci/run").read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert test_command in ci_lines


def test_the_install_works_without_sudo_and_says_where_mapsite_is():
    """Root containers have no sudo: the first command must not call it; the script decides."""
    first = code_blocks()[0]
    assert "sudo" not in first and first.startswith("bash scripts/install.sh && ")
    script = (REPO / "scripts/install.sh").read_text("utf-8")
    assert 'if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi' in script
    readme = " ".join((REPO / "README.md").read_text("utf-8").split())
    assert "`. .venv/bin/activate` puts `mapsite` on your PATH" in readme


def test_demo_passwords_open_every_example_deal(example_site, monkeypatch):
    first = code_blocks()[0]
    assert ". ./demo-passwords.env" in first and first.strip().endswith("mapsite build")
    names = set(
        re.findall(
            r"password_env:\s*([A-Z0-9_]+)",
            "".join(p.read_text("utf-8") for p in (REPO / "content/deals").rglob("*.md")),
        )
    )
    demo = dict(
        line.split("=", 1)
        for line in (REPO / "demo-passwords.env").read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    )
    assert names <= demo.keys()
    for name in demo:
        monkeypatch.delenv(name, raising=False)
    env_file = REPO / "demo-passwords.env"
    result = subprocess.run(
        [
            "bash",
            "-c",
            f"set -a && . {env_file} && set +a && {sys.executable} -m mapsite build --site {example_site}",
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    assert "(3 protected," in result.stdout
