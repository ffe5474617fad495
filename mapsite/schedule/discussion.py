"""The deal's discussion as the portal shows it: newest first, each entry on its item, and how
many entries each milestone has.

The deal file keeps ``discussion:`` in the order entries arrived (``mapsite answer SLUG N``
names an entry by that place); a reader wants the latest first and wants to jump from an entry
to the item it is about, and from an item to what was said about it. Deciding that here keeps
the templates free of lookups and of the rule for where an item's row is in the page.
"""

from __future__ import annotations

from dataclasses import dataclass

from mapsite.model.deal import Deal, DiscussionEntry


@dataclass(frozen=True)
class TalkView:
    """One entry as the portal shows it, with the item it is about and that item's place."""

    entry: DiscussionEntry
    anchor: str  # the entry's own id in the page: talk-<number>
    about: str | None  # the name of the milestone or the task it is about; None: the whole plan
    about_anchor: str | None  # where that item is in the page


@dataclass(frozen=True)
class ItemTalk:
    """What a milestone's row links to: how many entries are about it or its actions, and the
    newest of them."""

    count: int
    anchor: str

    @property
    def label(self) -> str:
        return "1 comment" if self.count == 1 else f"{self.count} comments"


@dataclass(frozen=True)
class DiscussionView:
    entries: tuple[TalkView, ...]  # newest first
    by_milestone: dict[str, ItemTalk]  # milestone id -> its entries' count and newest entry


def talk_anchor(entry: DiscussionEntry) -> str:
    return f"talk-{entry.number}"


def row_anchor(deal: Deal, milestone_id: str | None) -> str:
    """Where a milestone's row is: its own row while open, its phase once closed (its row is
    folded away with the phase's done work), Commitments for an action of no milestone."""
    milestone = deal.milestone(milestone_id)
    if milestone is None:
        return "commitments"
    if milestone.is_closed:
        return f"phase-{deal.phases.index(milestone.phase) + 1}"
    return f"ms-{milestone.id}"


def discussion_view(deal: Deal) -> DiscussionView:
    entries = sorted(deal.discussion, key=lambda e: (e.when, e.number), reverse=True)
    views = tuple(_talk_view(deal, entry) for entry in entries)
    by_milestone: dict[str, ItemTalk] = {}
    for view in views:
        milestone_id = _milestone_of(view.entry.item)
        if milestone_id is None or deal.milestone(milestone_id) is None:
            continue
        known = by_milestone.get(milestone_id)
        # The newest entry comes first in ``views``: the row links to it.
        if known is None:
            by_milestone[milestone_id] = ItemTalk(1, view.anchor)
        else:
            by_milestone[milestone_id] = ItemTalk(known.count + 1, known.anchor)
    return DiscussionView(views, by_milestone)


def _milestone_of(item: str | None) -> str | None:
    """The milestone id an ``item`` names ("poc-setup") or whose action it names
    ("poc-setup/Provide data"); None for the plan as a whole or an action of no milestone."""
    if not item:
        return None
    return item.split("/", 1)[0] or None


def _talk_view(deal: Deal, entry: DiscussionEntry) -> TalkView:
    item = entry.item
    if not item:
        return TalkView(entry, talk_anchor(entry), None, None)
    milestone_id, _, task = item.partition("/")
    milestone = deal.milestone(milestone_id or None)
    about = task or (milestone.name if milestone else item)
    return TalkView(entry, talk_anchor(entry), about, row_anchor(deal, milestone_id or None))
