"""What tests import by name: the shared deal texts, passwords, dates and small helpers.

pytest injects fixtures from conftest.py; anything a test imports itself (a constant, a deal text, a
function that runs the command) lives here instead, so that no test module imports conftest.py or
another test module, and moving a test file between folders never breaks an import.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TODAY = "2027-02-22"
# The access passwords of the example site and of MINIMAL_DEAL, as a rep would export them.
PASSWORDS = {
    "ACME_PORTAL_PASSWORD": "harbor-lantern-quartz-07",
    "NORTHWIND_TEAM_PASSWORD": "velvet-compass-tundra-22",
    "BLUEBIRD_PORTAL_PASSWORD": "copper-meadow-riddle-15",
    "GLOBEX_PORTAL_PASSWORD": "saffron-glacier-pivot-38",
    "INITECH_PARTNER_PASSWORD": "nimbus-orchard-falcon-64",
    "MAPSITE_TEAM_PASSWORD": "ember-violin-atlas-92",
    "TEST_PORTAL_PASSWORD": "test-portal-password",
}

SITE_YML = """\
title: Test deal rooms
seller: {name: Northwind Software, accent: "#5B2A86"}
calendar:
  holidays: [2027-05-31]
  blackouts:
    - [2027-05-24, 2027-05-28]
"""

MINIMAL_DEAL = """\
---
title: Buyer Co x Northwind
buyer: {name: Buyer Co, accent: "#0A66C2"}
close_date: 2027-04-30
updated: 2027-02-20
access:
  - {label: Buying team, password_env: TEST_PORTAL_PASSWORD}
value_summary: Buyer Co cuts onboarding time in half.
stakeholders:
  - {id: champ, name: Dana Whitfield, title: VP Marketing, side: buyer, role: champion}
  - {id: eb, name: Raj Patel, title: CFO, side: buyer, role: economic_buyer}
  - {id: ae, name: Sam Carter, title: Account Executive, side: seller, role: account_executive}
milestones:
  - {phase: Evaluation, id: demo, name: Technical Demo, owners: [champ, ae], due: 2027-03-01}
  - {phase: Close, id: signature, name: Contract Signature, owners: [eb, ae], due: close, depends_on: [demo]}
---
The shared plan.
"""


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing ``needle``: tests state lines by content."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(hits) >= occurrence, f"{needle!r} not in text"
    return hits[occurrence - 1]


class SiteFactory:
    def __init__(self, root: Path):
        self.root = root

    def make(self, deals: dict[str, str] | None = None, site_yml: str = SITE_YML) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "mapsite.yml").write_text(site_yml, "utf-8")
        deals_dir = self.root / "content" / "deals"
        deals_dir.mkdir(parents=True, exist_ok=True)
        for name, text in (deals if deals is not None else {"buyer-co.md": MINIMAL_DEAL}).items():
            path = deals_dir / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), "utf-8")
        return self.root


def add_site_theme(site: Path, name: str) -> Path:
    """Name a site theme in mapsite.yml and return its (created) templates folder."""
    site_file = site / "mapsite.yml"
    site_file.write_text(site_file.read_text("utf-8") + f"theme: {name}\n", "utf-8")
    templates = site / "themes" / name / "templates"
    templates.mkdir(parents=True)
    return templates


def run(*args: str, columns: int | None = None) -> subprocess.CompletedProcess:
    """The installed command in a real process, as a rep's terminal would run it (``columns``
    wide when given, else as wide as whatever runs the tests says)."""
    env = {**os.environ, "COLUMNS": str(columns)} if columns else None
    return subprocess.run(
        [sys.executable, "-m", "mapsite", *args], capture_output=True, text=True, timeout=120, env=env
    )


# ``mapsite ARGS`` with every PBKDF2 logged, one line a run, in this process and in every build
# worker it forks (they inherit the patched functions).
_PBKDF2_COUNTED = """\
import sys
from pathlib import Path
from mapsite.protect import envelope, kdf

log = Path(sys.argv[1])
real = envelope.password_root

def counted(*args):
    with log.open("a") as out:
        out.write("pbkdf2\\n")
    return real(*args)

envelope.password_root = kdf.password_root = counted
from mapsite.cli.main import main
main(sys.argv[2:], prog_name="mapsite")
"""


def pbkdf2_counted(log: Path, *args: str) -> tuple[subprocess.CompletedProcess, int]:
    """``mapsite ARGS`` in a real process that must succeed, and the PBKDF2 runs it made."""
    log.write_text("", "utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _PBKDF2_COUNTED, str(log), *args], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done, len(log.read_text("utf-8").splitlines())


def mapsite_ok(site: Path, *args: str) -> subprocess.CompletedProcess:
    """``mapsite ARGS --site SITE`` in a real process that must succeed (the assertion shows stderr)."""
    result = subprocess.run(
        [sys.executable, "-m", "mapsite", *args, "--site", str(site)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result


def tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# Demo (9bd) and a long security review (8w = 40bd) run in parallel before the signature.
LATE_DEAL = (
    MINIMAL_DEAL.replace(
        "due: 2027-03-01}",
        "due: 2027-03-26, duration: 9bd}\n  - {phase: Evaluation, id: security, "
        "name: Security Review, owners: [champ], due: 2027-04-20, duration: 8w}",
    )
    .replace("depends_on: [demo]}", "depends_on: [demo, security]}")
    .replace("updated: 2027-02-20", "updated: 2027-03-12")
)


def git_commit(site: Path, files: dict[str, str], message: str) -> None:
    """Write ``files`` (paths inside ``site``) and commit them, as a rep would: the site becomes a
    git repository on first use; author, committer and date are fixed so runs are alike."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(site),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Rep",
        "GIT_AUTHOR_EMAIL": "rep@example.com",
        "GIT_COMMITTER_NAME": "Rep",
        "GIT_COMMITTER_EMAIL": "rep@example.com",
        "GIT_AUTHOR_DATE": "2027-02-01T10:00:00",
        "GIT_COMMITTER_DATE": "2027-02-01T10:00:00",
    }
    if not (site / ".git").exists():
        subprocess.run(["git", "init", "-q"], cwd=site, check=True, env=env, timeout=30)
    for name, text in files.items():
        (site / name).write_text(text, "utf-8")
    for args in (["add", "-A"], ["commit", "-q", "-m", message]):
        subprocess.run(["git", *args], cwd=site, check=True, env=env, timeout=30)
