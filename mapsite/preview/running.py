"""Whether a preview of this site is running, and its address: ``mapsite open`` asks here.

``mapsite serve`` writes its address into ``.mapsite/preview.json`` when it starts and removes it
when it stops. The address carries the preview's token, so the file is private to the rep (like
the site's other secrets in ``.mapsite/``) and never printed. A preview killed before it could
remove the file leaves it behind: a preview counts as running only while its port answers.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from urllib.parse import urlsplit

from mapsite.atomic import write_atomic
from mapsite.layout import STATE_DIR

PREVIEW_FILE = "preview.json"
ANSWER_SECONDS = 0.5


def _path(site_dir: Path) -> Path:
    return site_dir / STATE_DIR / PREVIEW_FILE


def announce(site_dir: Path, link: str) -> None:
    """Record ``link`` (the preview's root URL with its token) as the running preview."""
    write_atomic(_path(site_dir), json.dumps({"link": link}) + "\n", private=True)


def withdraw(site_dir: Path, link: str) -> None:
    """Forget the preview at ``link``, unless another preview has announced itself since."""
    if _read(site_dir) == link:
        _path(site_dir).unlink(missing_ok=True)


def running_preview(site_dir: Path) -> str | None:
    """The running preview's root URL with its token, if its server answers."""
    link = _read(site_dir)
    if link is None:
        return None
    parts = urlsplit(link)
    if not parts.hostname or not parts.port:
        return None
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=ANSWER_SECONDS):
            return link
    except OSError:
        return None


def _read(site_dir: Path) -> str | None:
    try:
        link = json.loads(_path(site_dir).read_text("utf-8")).get("link")
    except (OSError, ValueError, AttributeError):
        return None
    return link if isinstance(link, str) else None
