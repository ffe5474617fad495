"""Which plan item a rep means on the command line: a milestone by its id or name, an action by
its task, or any unique part of those.

Typing ``mapsite done acme security`` after a call is the point, so a part of a name is enough
when only one item has it. When several have it, the rep sees them all with what to type for
each; when none has it, the closest ones. Each item knows where it sits in the file (its
``FieldPath``), which is all the editor needs.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace

from mapsite.edit.editor import FieldPath
from mapsite.errors import MapsiteError
from mapsite.model.deal import Action, Deal, Milestone
from mapsite.schedule.changes import action_key


@dataclass(frozen=True)
class PlanItem:
    """A milestone or an action of a deal, and where its mapping is in the frontmatter."""

    path: FieldPath
    milestone: Milestone | None = None
    action: Action | None = None

    @property
    def name(self) -> str:
        return self.milestone.name if self.milestone else self.action.task if self.action else ""

    @property
    def label(self) -> str:
        """How messages name the item: ``Security Review Complete (security-review)``."""
        if self.milestone:
            return f"{self.milestone.name} ({self.milestone.id})"
        return f"action '{self.name}'"

    @property
    def key(self) -> str:
        """The item's key in a comparison of two versions (``schedule.changes.PlanEntry.key``)."""
        if self.milestone:
            return self.milestone.id
        return action_key(self.action) if self.action else ""

    @property
    def words(self) -> tuple[str, ...]:
        """What a rep may type to name it: the id and the name of a milestone, an action's task."""
        return (self.milestone.id, self.milestone.name) if self.milestone else (self.name,)


def plan_items(deal: Deal) -> list[PlanItem]:
    """Every milestone, each followed by its actions, then the deal's own actions.

    A validated deal has one milestone per entry of ``milestones:`` in file order (and one
    action per entry of each ``actions:``), so positions give the paths.
    """
    items: list[PlanItem] = []
    for index, milestone in enumerate(deal.milestones):
        items.append(PlanItem(("milestones", index), milestone=milestone))
        items.extend(
            PlanItem(("milestones", index, "actions", number), action=replace(action, milestone=milestone.id))
            for number, action in enumerate(milestone.actions)
        )
    items.extend(PlanItem(("actions", number), action=action) for number, action in enumerate(deal.actions))
    return items


def find_item(deal: Deal, query: str) -> PlanItem:
    """The one item ``query`` names: an exact id or name first, else a unique part of one."""
    items = plan_items(deal)
    wanted = " ".join(query.split()).casefold()
    if not wanted:
        raise MapsiteError("name a milestone or an action", hint="use its id or a part of its name")
    for exact in (
        [item for item in items if item.milestone and item.milestone.id == query.strip()],
        [item for item in items if any(word.casefold() == wanted for word in item.words)],
        [item for item in items if any(wanted in word.casefold() for word in item.words)],
    ):
        if len(exact) == 1:
            return exact[0]
        if len(exact) > 1:
            raise MapsiteError(
                f"'{query}' matches {len(exact)} items of deal '{deal.slug}':"
                + "".join(f"\n  {item.label}" for item in exact),
                hint="name one by its id, or by more of its name",
            )
    raise MapsiteError(
        f"deal '{deal.slug}' has no milestone or action matching '{query}'", hint=_closest(items, wanted)
    )


def _closest(items: list[PlanItem], wanted: str) -> str:
    words = {word.casefold(): item for item in items for word in item.words}
    close = difflib.get_close_matches(wanted, list(words), n=3, cutoff=0.5)
    if close:
        labels = list(dict.fromkeys(words[word].label for word in close))
        return "closest: " + "; ".join(labels)
    ids = [item.milestone.id for item in items if item.milestone]
    return "milestone ids: " + ", ".join(ids)
