"""The deal's conversation with its readers: ``discussion:`` and where updates go, ``updates_to:``.

Questions, comments and agreements sent from the portal, and proposals the rep declined, are
kept in the deal file, because the file is what the rebuilt portal shows and what the rep
edits; the portal reads an entry's ``ref`` to tell its reader a change was confirmed or
declined. An entry naming an item the plan no longer has is only a warning: removing a
milestone must not break the build of a deal someone once asked about.
"""

from __future__ import annotations

import re

from mapsite.model.deal import DISCUSSION_KINDS, SIDES, DiscussionEntry
from mapsite.read.fields import FieldReader
from mapsite.read.yaml import YamlMap
from mapsite.validate.plan_items import RawAction, RawMilestone

DISCUSSION_KEYS = (
    "who", "side", "when", "item", "text", "kind", "ref", "answer", "answered", "declined",
)  # fmt: skip
# An address a mail link can carry: one @, no spaces, nothing a mailto: URL would misread.
_EMAIL = re.compile(r"^[^\s@<>,;:\"'()\[\]\\]+@[^\s@<>,;:\"'()\[\]\\]+\.[A-Za-z]{2,}$")


def read_updates_to(reader: FieldReader, data: YamlMap) -> str | None:
    """The update address: one plain e-mail address, or nothing."""
    address = reader.text(data, "updates_to", "the deal")
    if address is not None and not _EMAIL.match(address.strip()):
        reader.error(
            data.line_of("updates_to"),
            f"'updates_to' is '{address}', which is not one e-mail address",
            "write one address, e.g. updates_to: sam.carter@northwind.example",
        )
        return None
    return address.strip() if address else None


def item_keys(milestones: list[RawMilestone], top_actions: list[RawAction]) -> set[str]:
    """What ``item:`` may name: a milestone's id, ``<milestone id>/<task>``, ``/<task>``."""
    keys = {m.id for m in milestones}
    keys |= {f"{m.id}/{a.task}" for m in milestones for a in m.actions}
    keys |= {f"{a.milestone or ''}/{a.task}" for a in top_actions}
    return keys


def read_discussion(reader: FieldReader, data: YamlMap, items: set[str]) -> tuple[DiscussionEntry, ...]:
    """Every entry of ``discussion:``, numbered by its place in the list."""
    result: list[DiscussionEntry] = []
    refs: dict[str, int] = {}
    for number, (entry, line) in enumerate(reader.items(data, "discussion", "the deal"), start=1):
        if not isinstance(entry, YamlMap):
            reader.error(line, "each discussion entry must be a mapping {who, when, text, ...}")
            continue
        where = f"discussion entry {number}"
        reader.unknown_keys(entry, DISCUSSION_KEYS, where)
        who = reader.text(entry, "who", where, required=True)
        when = reader.iso_date(entry, "when", where, required=True)
        text = reader.text(entry, "text", where, required=True)
        kind = reader.choice(entry, "kind", where, DISCUSSION_KINDS, "comment") or "comment"
        side = reader.choice(entry, "side", where, SIDES, None)
        item = reader.text(entry, "item", where)
        if item is not None and item not in items:
            reader.warning(
                entry.line_of("item"),
                f"'item' of {where} is '{item}', which is no milestone id or action of the plan",
                "the portal shows it with the plan as a whole; write a milestone id or "
                "'<milestone id>/<task>' to attach it to an item",
            )
            item = None
        ref = reader.text(entry, "ref", where)
        if ref is not None and ref in refs:
            reader.error(
                entry.line_of("ref"),
                f"'ref' of {where} is '{ref}', as on line {refs[ref] + reader.line_offset}",
                "each change from the portal is recorded once; delete one of the two entries",
            )
        elif ref is not None:
            refs[ref] = entry.line_of("ref")
        answer = reader.text(entry, "answer", where)
        answered = reader.iso_date(entry, "answered", where)
        declined = reader.text(entry, "declined", where)
        if who and when and text:
            result.append(
                DiscussionEntry(
                    number=number,
                    who=who,
                    when=when,
                    text=text,
                    kind=kind,
                    side=side,
                    item=item,
                    ref=ref,
                    answer=answer,
                    answered=answered,
                    declined=declined,
                    line=line,
                )
            )
    return tuple(result)
