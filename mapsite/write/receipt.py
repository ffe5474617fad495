"""Receipts of passed leak audits, so a deploy of an unchanged build need not audit it again.

Auditing a 1,000-deal output means loading every deal for its needles: seconds, on every
deploy. A receipt records, after an audit passed, a digest of exactly what was audited (every
output file's path, size and hash) and of everything the needles come from (the site's sources).
A later deploy trusts the receipt only when both digests still match; a single changed byte
anywhere sends it back to the full audit. Receipts live in the git-ignored ``.mapsite/``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from mapsite.atomic import write_atomic
from mapsite.write.inputs import source_files
from mapsite.write.manifest import FileEntry, file_digest, local_manifest

RECEIPTS = Path(".mapsite") / "audit-receipts.json"


FileDigest = tuple[str, int, str]  # path, size, SHA-256


def output_digest(files: Iterable[FileDigest]) -> str:
    digest = hashlib.sha256()
    for path, size, sha256 in sorted(files):
        digest.update(f"{path}\0{size}\0{sha256}\n".encode())
    return digest.hexdigest()


def file_digests(entries: Iterable[FileEntry]) -> list[FileDigest]:
    return [(entry.path, entry.size, entry.sha256) for entry in entries]


def page_digest(path: str, content: bytes) -> FileDigest:
    """What the receipt knows of a file, from its bytes while a build still holds them."""
    return path, len(content), hashlib.sha256(content).hexdigest()


def site_files_digest(site_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in source_files(site_dir):
        sha, size = file_digest(path)
        digest.update(f"{path.relative_to(site_dir).as_posix()}\0{size}\0{sha}\n".encode())
    return digest.hexdigest()


def _load(site_dir: Path) -> dict[str, dict[str, str]]:
    try:
        data = json.loads((site_dir / RECEIPTS).read_text("utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def record_receipt(site_dir: Path, out: Path, files: Iterable[FileDigest] | None = None) -> None:
    """Vouch for ``out`` as it is now; call only right after an audit of it passed.

    ``files`` are the digests of every published file, when the caller has them at hand.
    """
    files = files if files is not None else file_digests(local_manifest(out).values())
    receipts = _load(site_dir)
    receipts[str(out.resolve())] = {"output": output_digest(files), "sources": site_files_digest(site_dir)}
    write_atomic(site_dir / RECEIPTS, json.dumps(receipts, indent=2, sort_keys=True) + "\n")


def forget_receipt(site_dir: Path, out: Path) -> None:
    receipts = _load(site_dir)
    if receipts.pop(str(out.resolve()), None) is not None:
        write_atomic(site_dir / RECEIPTS, json.dumps(receipts, indent=2, sort_keys=True) + "\n")


def has_receipt(site_dir: Path, out: Path, entries: Iterable[FileEntry]) -> bool:
    receipt = _load(site_dir).get(str(out.resolve()))
    return (
        isinstance(receipt, dict)
        and receipt.get("output") == output_digest(file_digests(entries))
        and receipt.get("sources") == site_files_digest(site_dir)
    )
