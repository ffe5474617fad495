"""Everything a build reads, as one digest: a rebuild with nothing changed stops at once.

CI and a rep's save-and-rebuild habit rebuild far more often than anything changes. The digest
covers every input that can change a byte of the output: the site's sources (``mapsite.yml``,
``content/``, ``themes/``, ``assets/``), mapsite's own code and default theme, the day the plan
is computed for, each file's last-change date (the default of ``updated:``), each deal's last
buyer activity (the team dashboard shows it: read/activity.py), and for protected builds the
site secret, the share links and the value of every password the last build used. It is
an HMAC under the site secret when there is one, so the record names no password.

The record lives in the git-ignored ``.mapsite/``, next to a copy in the output's marker: both
must match, so an output replaced or rebuilt by other means is never taken for up to date.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mapsite.atomic import write_atomic
from mapsite.errors import Finding
from mapsite.layout import STATE_DIR
from mapsite.protect.secrets import load_shares, local_passwords
from mapsite.read.activity import last_buyer_activity
from mapsite.write.manifest import file_digest

RECORD = "last-build.json"
SOURCES = ("mapsite.yml", "content", "themes", "assets")
CODE = Path(__file__).resolve().parent.parent
DEFAULT_THEME = CODE.parent / "themes" / "default"


@dataclass(frozen=True)
class LastBuild:
    """What the previous full build of an output folder read and reported."""

    inputs: str
    password_names: tuple[str, ...]
    deals: int
    protected: int
    warnings: tuple[Finding, ...]


def read_digest(
    site_dir: Path,
    today: dt.date,
    protect: bool,
    changed: dict[Path, dt.date],
    sources: Iterable[tuple[str, int, str]],
) -> bytes:
    """The part of the digest read before the build starts: an edit made while it runs counts.

    ``sources`` are ``source_digests(site_dir)``, read once per build (the audit receipt records them too).
    """
    digest = hashlib.sha256()
    digest.update(f"{today.isoformat()}\0{protect}\0{code_digest()}\n".encode())
    for relpath, size, sha256 in sources:
        digest.update(f"{relpath}\0{size}\0{sha256}\n".encode())
    for path, day in sorted(changed.items()):
        digest.update(f"{path.relative_to(site_dir).as_posix()}\0{day.isoformat()}\n".encode())
    for slug, activity in sorted(last_buyer_activity(site_dir)[0].items()):
        digest.update(f"activity\0{slug}\0{activity.day.isoformat()}\0{activity.kind}\n".encode())
    return digest.digest()


def source_files(site_dir: Path) -> list[Path]:
    """Every file of the site's sources, in a stable order."""
    files = []
    for name in SOURCES:
        top = site_dir / name
        files += [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
    return files


def source_digests(site_dir: Path) -> list[tuple[str, int, str]]:
    """Every file of the site's sources as (path in the site folder, size, SHA-256)."""
    files = []
    for path in source_files(site_dir):
        sha256, size = file_digest(path)
        files.append((path.relative_to(site_dir).as_posix(), size, sha256))
    return files


def inputs_digest(sources: bytes, site_dir: Path, secret: bytes, password_names: tuple[str, ...]) -> str:
    """``sources`` plus what protection reads: the secret keys it, shares and passwords join it."""
    if not secret:
        return sources.hex()
    local = local_passwords(site_dir)
    passwords = {name: os.environ.get(name) or local.get(name) or "" for name in password_names}
    shares = [share.__dict__ for share in load_shares(site_dir)]
    message = sources + json.dumps([passwords, shares], sort_keys=True, default=str).encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


@functools.cache
def code_digest() -> str:
    """mapsite's own code and default theme: an upgrade renders differently."""
    digest = hashlib.sha256()
    for top in (CODE, DEFAULT_THEME):
        for path in sorted(top.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(f"{path.relative_to(top).as_posix()}\0".encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _record_path(site_dir: Path) -> Path:
    return site_dir / STATE_DIR / RECORD


def load_last_build(site_dir: Path, out: Path) -> LastBuild | None:
    try:
        records = json.loads(_record_path(site_dir).read_text("utf-8"))
        record = records[str(out.resolve())]
        return LastBuild(
            inputs=record["inputs"],
            password_names=tuple(record["password_names"]),
            deals=int(record["deals"]),
            protected=int(record["protected"]),
            warnings=tuple(Finding(**finding) for finding in record["warnings"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_last_build(site_dir: Path, out: Path, last: LastBuild | None) -> None:
    """Record (or, with ``None``, forget) the build now in ``out``."""
    path = _record_path(site_dir)
    try:
        records = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        records = {}
    if not isinstance(records, dict):
        records = {}
    if last is None:
        if records.pop(str(out.resolve()), None) is None:
            return
    else:
        records[str(out.resolve())] = {
            "inputs": last.inputs,
            "password_names": list(last.password_names),
            "deals": last.deals,
            "protected": last.protected,
            "warnings": [finding.__dict__ for finding in last.warnings],
        }
    write_atomic(path, json.dumps(records, indent=1, sort_keys=True) + "\n")
