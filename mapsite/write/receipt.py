"""Receipts of passed leak audits, so a deploy of an unchanged build need not audit it again.

Auditing a 1,000-deal output means loading every deal for its needles: seconds, on every
deploy. A receipt records, after an audit passed, a digest of exactly what was audited (every
output file's path, size and hash) and of everything the needles come from (the site's sources).
A later deploy trusts the receipt only when both digests still match; a single changed byte
anywhere sends it back to the full audit. Receipts live in the git-ignored ``.mapsite/``.

A receipt also remembers, for each deal, the digest of its folder's files as they passed the
audit (``DealRecord``). ``build --keep-going`` keeps a broken deal's previous portal only when
its files are still exactly those bytes, so a kept portal is always one that was audited.
A receipt written by a kept-going build is marked partial: the output is not a build of the
current sources, and only a deploy that asks for it (``--keep-going``) trusts it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from mapsite.atomic import write_atomic
from mapsite.layout import STATE_DIR
from mapsite.write.inputs import source_digests
from mapsite.write.manifest import FileEntry, local_manifest

RECEIPTS = Path(STATE_DIR) / "audit-receipts.json"


FileDigest = tuple[str, int, str]  # path, size, SHA-256


@dataclass(frozen=True)
class DealRecord:
    """A deal's folder in the output as it passed the audit: its slug and its files' digest."""

    slug: str
    files: str


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


def sources_digest(sources: Iterable[FileDigest]) -> str:
    """The site's sources (``source_digests``) as the receipt records them, in their order."""
    digest = hashlib.sha256()
    for path, size, sha256 in sources:
        digest.update(f"{path}\0{size}\0{sha256}\n".encode())
    return digest.hexdigest()


def _load(site_dir: Path) -> dict[str, dict]:
    try:
        data = json.loads((site_dir / RECEIPTS).read_text("utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def record_receipt(
    site_dir: Path,
    out: Path,
    files: Iterable[FileDigest] | None = None,
    deals: Mapping[str, DealRecord] | None = None,
    complete: bool = True,
    sources: Iterable[FileDigest] | None = None,
) -> None:
    """Vouch for ``out`` as it is now; call only right after an audit of it passed.

    ``files`` are the digests of every published file, and ``sources`` those of the site's
    sources as the audited build read them, when the caller has them at hand.
    ``deals`` (deal file -> its folder as audited) replaces the deal records when given;
    without it they stay as they were. ``complete`` is False for a kept-going build.
    """
    files = files if files is not None else file_digests(local_manifest(out).values())
    receipts = _load(site_dir)
    previous = receipts.get(str(out.resolve()))
    records = _deal_records(previous) if deals is None else dict(deals)
    receipts[str(out.resolve())] = {
        "output": output_digest(files),
        "sources": sources_digest(source_digests(site_dir) if sources is None else sources),
        "complete": complete,
        "deals": {source: record.__dict__ for source, record in sorted(records.items())},
    }
    write_atomic(site_dir / RECEIPTS, json.dumps(receipts, indent=2, sort_keys=True) + "\n")


def record_deal(site_dir: Path, out: Path, source: str, record: DealRecord) -> None:
    """After a one-deal build: vouch for that deal's folder only; the output as a whole is
    no longer what any audit saw, so no deploy trusts it without a new audit."""
    receipts = _load(site_dir)
    records = _deal_records(receipts.get(str(out.resolve())))
    records = {key: value for key, value in records.items() if value.slug != record.slug}
    records[source] = record
    receipts[str(out.resolve())] = {"deals": {key: value.__dict__ for key, value in sorted(records.items())}}
    write_atomic(site_dir / RECEIPTS, json.dumps(receipts, indent=2, sort_keys=True) + "\n")


def forget_receipt(site_dir: Path, out: Path) -> None:
    """``out`` is no longer vouched for as a whole (its deals' records stay: they name bytes)."""
    receipts = _load(site_dir)
    receipt = receipts.get(str(out.resolve()))
    if isinstance(receipt, dict) and "output" in receipt:
        receipts[str(out.resolve())] = {"deals": receipt.get("deals", {})}
        write_atomic(site_dir / RECEIPTS, json.dumps(receipts, indent=2, sort_keys=True) + "\n")


def has_receipt(site_dir: Path, out: Path, entries: Iterable[FileEntry], partial: bool = False) -> bool:
    """Whether ``out`` is exactly what an audit passed, for the current sources.

    A kept-going build's receipt counts only with ``partial``: a plain deploy audits it again.
    """
    receipt = _load(site_dir).get(str(out.resolve()))
    return (
        isinstance(receipt, dict)
        and (receipt.get("complete", True) is True or partial)
        and receipt.get("output") == output_digest(file_digests(entries))
        and receipt.get("sources") == sources_digest(source_digests(site_dir))
    )


def audited_deals(site_dir: Path, out: Path) -> dict[str, DealRecord]:
    """Each deal file's folder in ``out`` as it last passed an audit, for those that did."""
    return _deal_records(_load(site_dir).get(str(out.resolve())))


def _deal_records(receipt: object) -> dict[str, DealRecord]:
    deals = receipt.get("deals") if isinstance(receipt, dict) else None
    if not isinstance(deals, dict):
        return {}
    records = {}
    for source, record in deals.items():
        slug, files = (record.get("slug"), record.get("files")) if isinstance(record, dict) else (0, 0)
        if isinstance(slug, str) and isinstance(files, str):
            records[source] = DealRecord(slug, files)
    return records
