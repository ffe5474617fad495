"""One run of the inbox: open every code found, drop what was dealt with, and settle the rest.

Opening checks each code against its deal's keyring (protect/updates.py): a code that is
damaged, for a deal this site has not, or from a sender whose access was taken away is refused
with the reason. What the ledger or the deal's discussion already records is dropped, with a
note, so a replayed or re-sent code changes nothing. Settling asks the rep about each change
that can still apply (``decide``), edits the deal's text change by change, re-reading the deal
after each so a later change sees an earlier one, and writes the file once per update, only if
the deal stays valid; the ledger is written after the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from mapsite.edit.update import Edit, save
from mapsite.errors import MapsiteError
from mapsite.inbox.accept import From, accept, decline
from mapsite.inbox.ledger import Ledger, code_key
from mapsite.inbox.review import Change, Reviewed, read_changes, review
from mapsite.model.deal import Deal
from mapsite.pipeline.from_text import deal_from_text
from mapsite.protect.armour import Found
from mapsite.protect.updates import Keyring, OpenedUpdate, UpdateRefused, open_code
from mapsite.read.site import Site

# What the rep decided about one change, and the reason given for a decline.
Decision = tuple[str, str]  # ("accept" | "decline" | "skip", reason)


@dataclass(frozen=True)
class Refused:
    where: str
    deal: str
    message: str
    hint: str | None = None


@dataclass
class Update:
    """An opened code, its sender as the discussion names them, and the changes still open."""

    where: str
    deal: Deal
    opened: OpenedUpdate
    key: str
    sender: From
    seq: int
    device: str
    sent: str
    changes: list[Change]
    notes: list[str] = field(default_factory=list)


@dataclass
class Opened:
    updates: list[Update] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def open_codes(
    found: list[Found],
    deals: dict[str, Deal],
    keyring_for: Callable[[Deal], Keyring],
    ledger: Ledger,
    today: dt.date,
) -> Opened:
    """Open each code of ``found`` for its deal and keep what still needs the rep."""
    result = Opened()
    keyrings: dict[str, Keyring] = {}
    for code in found:
        if code.code is None or code.deal is None:
            continue  # not a code: the caller says the problem
        deal = deals.get(code.deal)
        if deal is None:
            result.refused.append(
                Refused(
                    code.where,
                    code.deal,
                    f"this site has no protected deal '{code.deal}'",
                    "run mapsite inbox in the site of that deal; mapsite list names them",
                )
            )
            continue
        try:
            keyring = keyrings.get(deal.slug) or keyrings.setdefault(deal.slug, keyring_for(deal))
            opened = open_code(code.code, keyring)
            update = _update(code.where, deal, opened, today)
        except UpdateRefused as refusal:
            result.refused.append(Refused(code.where, deal.slug, refusal.message, refusal.hint))
            continue
        _drop_settled(update, ledger, result)
    return result


def _update(where: str, deal: Deal, opened: OpenedUpdate, today: dt.date) -> Update:
    payload = opened.payload
    seq, device, sent = payload.get("seq"), payload.get("device"), payload.get("time")
    if not (
        isinstance(seq, int) and seq > 0 and isinstance(device, str) and device and isinstance(sent, str)
    ):
        raise UpdateRefused(f"this update for deal '{deal.slug}' lacks its sequence number, device or time")
    try:
        when = dt.date.fromisoformat(sent[:10])
    except ValueError:
        when = today
    name = " ".join(str(payload.get("name") or "").split())[:100]
    sender = From(name or opened.sender.label, opened.sender.side, when, f"{opened.sender.id}:{device}:")
    changes, notes = read_changes(payload)
    if opened.old_key:
        notes.insert(0, f"sent from a page built before the deal's last re-key (key {opened.kid})")
    key = code_key(deal.slug, opened.sender.id, device, seq)
    return Update(where, deal, opened, key, sender, seq, device, sent, changes, notes)


def _drop_settled(update: Update, ledger: Ledger, result: Opened) -> None:
    """Leave only the changes neither the ledger nor the deal's discussion has settled."""
    recorded = {entry.ref for entry in update.deal.discussion if entry.ref}
    open_changes = [
        change
        for change in update.changes
        if ledger.outcome(update.key, change.id) in (None, "skipped")
        and update.sender.ref_prefix + change.id not in recorded
    ]
    if update.changes and not open_changes:
        day = ledger.processed_on(update.key)
        when = f" on {day}" if day else " (it is in the deal's discussion)"
        result.dropped.append(
            f"{update.where}: update {update.seq} from {update.opened.sender.described} of deal "
            f"'{update.deal.slug}' was already processed{when}; dropped"
        )
        return
    update.changes = open_changes
    result.updates.append(update)


def settle(
    site: Site, update: Update, decide: Callable[[Reviewed], Decision], ledger: Ledger, today: dt.date
) -> list[str]:
    """Ask about each change, write the accepted ones and the declined ones' reasons; what happened."""
    deal, old_text = update.deal, update.deal.source.read_bytes().decode("utf-8")
    text, said, outcomes = old_text, [], {}
    for change in update.changes:
        reviewed = review(change, deal, update.opened.sender.side)
        if not reviewed.possible:
            outcomes[change.id] = "moot"
            continue
        verdict, reason = decide(reviewed)
        if verdict == "skip":
            outcomes[change.id] = "skipped"
            continue
        edit = (
            accept(text, deal, reviewed, update.sender, today)
            if verdict == "accept"
            else decline(text, reviewed, reason, update.sender, today)
        )
        outcomes[change.id] = "accepted" if verdict == "accept" else "declined"
        said.append(f"{change.id}: {edit.summary}")
        text = edit.text
        deal = _reread(site, deal, text)
    if text != old_text:
        saved = save(site, update.deal, Edit(text, ""), old_text)
        said.append(saved.wrote)
    ledger.record(update.key, today.isoformat(), update.sent, outcomes, update.opened.sender.side)
    ledger.save()
    return said


def _reread(site: Site, deal: Deal, text: str) -> Deal:
    edited, findings = deal_from_text(site, deal, text)
    if edited is None:
        raise MapsiteError("the changes would make the deal invalid, so nothing was written", findings)
    return edited
