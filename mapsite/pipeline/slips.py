"""A deal's slip history, read from its deal file's git history and kept between builds.

Each committed version is validated as the deal file it was (``from_text``), so a relative date
resolves as it did then, and folded into a ``SlipState`` oldest first; the file as it is now is
folded last, on every run. Validating an old version costs as much as loading a deal, and a
deal has a version per commit, so doing it on every build made a build in git several times
slower than the same build outside it (15 ms of git per deal, measured, before any version was
read). Instead:

- one ``git log`` lists every version of every deal file (``SlipSource``), for the whole run;
- the state of a deal's committed versions is kept in ``.mapsite/slips.json``, under the list
  of blob ids it was folded from and what validation depends on besides the text (mapsite's
  code, ``mapsite.yml``, the deal's folder, pages and files). A new commit folds one version
  onto the kept state; a rewritten history or an upgrade folds them all again.

A site outside git, or a file never committed, simply has no slips. ``check`` and the other
commands that only read never write the file (see ``save_slips``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mapsite.errors import Finding, MapsiteError
from mapsite.layout import SITE_FILE, STATE_DIR
from mapsite.model.deal import Deal
from mapsite.paths import site_display
from mapsite.pipeline.from_text import deal_from_text
from mapsite.protect.secrets import private_write
from mapsite.read.history import blob_texts, folder_blobs
from mapsite.read.site import Site
from mapsite.schedule.slips import (
    CLOSE_MOVES_WARNING,
    NO_SLIPS,
    DueDates,
    Slip,
    SlipHistory,
    SlipState,
    due_dates,
    fold,
    slip_history,
)
from mapsite.write.inputs import code_digest

CACHE_FILE = "slips.json"
FORMAT = 1


@dataclass
class SlipSource:
    """One run's view of the deals' git history, and the states folded by this run or earlier.

    ``kept`` is what the cache file held; ``fresh`` what this process folded, by the deal file's
    path in ``content/deals`` (a build's workers hand theirs to the parent, which saves them).
    """

    site: Site
    blobs: Mapping[str, tuple[str, ...]] | None  # None: the site is not in git
    context: str
    kept: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    fresh: dict[str, dict[str, Any]] = field(default_factory=dict)


def slip_source(site: Site) -> SlipSource:
    """The deals' history from one ``git log``, with the states kept by earlier runs."""
    try:
        blobs = folder_blobs(site.deals_dir) if site.deals_dir.is_dir() else None
    except MapsiteError:
        blobs = None  # git failing: the plan still builds, without history
    if not blobs:
        return SlipSource(site, None, "")
    config = site.dir / SITE_FILE
    context = hashlib.sha256(
        f"{FORMAT}\0{code_digest()}\0".encode() + (config.read_bytes() if config.is_file() else b"")
    ).hexdigest()
    return SlipSource(site, blobs, context, _read_cache(site))


def deal_slips(source: SlipSource, deal: Deal) -> SlipHistory:
    """The slips of ``deal`` over its committed versions and the file as it is now."""
    name = _name(source.site, deal)
    blobs = list(source.blobs.get(name, ())) if source.blobs and name else []
    if not blobs or name is None:
        return NO_SLIPS
    context = _deal_context(source, deal)
    entry = source.fresh.get(name) or source.kept.get(name)
    # A state kept for the first versions of this list: fold only the versions after them.
    done = entry.get("blobs") if entry and entry.get("context") == context else None
    state = None
    try:
        if not isinstance(done, list) or blobs[: len(done)] != done:
            done = []
        state = _state(entry["state"]) if done and entry else None
    except (KeyError, ValueError, TypeError):  # a damaged entry: fold every version again
        done = []
    if done == blobs:
        return slip_history(state, deal)
    try:
        texts = blob_texts(source.site.deals_dir, blobs[len(done) :])
    except MapsiteError:
        return NO_SLIPS
    for text in texts:
        old, findings = deal_from_text(source.site, deal, text)
        if old is not None and not any(f.is_error for f in findings):
            state = fold(state, due_dates(old))  # a version that did not validate then is skipped
    source.fresh[name] = {"context": context, "blobs": blobs, "state": _encoded(state)}
    return slip_history(state, deal)


def save_slips(source: SlipSource) -> None:
    """Keep the states folded in this run for the next (a build first gathers its workers').

    Entries of deal files that are gone are dropped. Only ``build`` and ``serve`` call this.
    """
    if source.blobs is None:
        return
    kept = {
        name: entry
        for name, entry in {**source.kept, **source.fresh}.items()
        if (source.site.deals_dir / name).is_file()
    }
    if kept == source.kept:
        return
    path = source.site.dir / STATE_DIR / CACHE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    private_write(path, json.dumps({"format": FORMAT, "deals": kept}, separators=(",", ":")) + "\n")


def close_slip_warning(site: Site, deal: Deal, slips: SlipHistory) -> Finding | None:
    """``check``'s warning when the close date moved three times or more."""
    close = slips.close
    if close is None or close.moves < CLOSE_MOVES_WARNING:
        return None
    lines = deal.source.read_text("utf-8-sig").splitlines()
    line = next((n for n, text in enumerate(lines, 1) if text.startswith("close_date:")), None)
    return Finding(
        site_display(deal.source, site.dir),
        line,
        "warning",
        f"the close date moved {close.moves} times, from {close.first:%Y-%m-%d} to "
        f"{close.current:%Y-%m-%d} ({close.days:+d} business days): the close date is becoming fiction",
        "agree the real signature date with the economic buyer, and the steps that lead to it",
    )


def _name(site: Site, deal: Deal) -> str | None:
    """The deal file's path in ``content/deals``, as git lists it there."""
    try:
        return deal.source.relative_to(site.deals_dir).as_posix()
    except ValueError:
        return None


def _deal_context(source: SlipSource, deal: Deal) -> str:
    """What validating an old text of this deal depends on besides the text: the site, and the
    deal's folder, pages and files (a version naming a file that is gone did not validate)."""
    parts = [source.context, str(_name(source.site, deal))]
    parts += [*sorted(page.name for page in deal.pages), "", *sorted(f.relpath for f in deal.files)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _read_cache(site: Site) -> dict[str, dict[str, Any]]:
    """The kept states; a missing, damaged or older file is an empty cache (it is only a cache)."""
    try:
        data = json.loads((site.dir / STATE_DIR / CACHE_FILE).read_text("utf-8"))
        deals = data["deals"] if data.get("format") == FORMAT else {}
        return {name: entry for name, entry in deals.items() if isinstance(entry, dict)}
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return {}


def _encoded(state: SlipState | None) -> dict[str, Any] | None:
    if state is None:
        return None
    return {
        "items": {key: _slip_json(slip) for key, slip in state.items.items()},
        "close": _slip_json(state.close) if state.close else None,
        "last": {
            "close": state.last.close.isoformat(),
            "items": {key: [name, due.isoformat()] for key, (name, due) in state.last.items.items()},
        },
    }


def _state(data: dict[str, Any] | None) -> SlipState | None:
    if data is None:
        return None
    last = data["last"]
    return SlipState(
        {key: _slip(value) for key, value in data["items"].items()},
        _slip(data["close"]) if data["close"] else None,
        DueDates(
            dt.date.fromisoformat(last["close"]),
            {key: (name, dt.date.fromisoformat(due)) for key, (name, due) in last["items"].items()},
        ),
    )


def _slip_json(slip: Slip) -> list[Any]:
    days = (slip.first, slip.current, slip.previous)
    return [slip.name, *(day.isoformat() for day in days[:2]), slip.moves, days[2].isoformat()]


def _slip(value: list[Any]) -> Slip:
    name, first, current, moves, previous = value
    day = dt.date.fromisoformat
    return Slip(name, day(first), day(current), moves, 0, day(previous))
