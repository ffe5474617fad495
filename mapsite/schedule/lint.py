"""Warnings for the seller's team: a deal that builds but is not yet a good mutual plan.

These never stop a build. They flag what a sales manager would flag in a deal review: a plan
with no buyer-side owner, a missing economic buyer, milestones slipping past close, overdue work
not marked done, a plan nobody has touched in two weeks, a close date the open work cannot make,
a blueprint's placeholders still in the plan (see placeholders.py), a plan too long to be
followed (past 30 milestones nobody reviews it line by line in a call; 6 to 20 is the sweet
spot), and a protected portal
whose URL names its buyer (anyone can try ``/contoso/``; a 200 tells them Contoso is a
customer, so new deals get random slugs).
"""

from __future__ import annotations

import datetime as dt

from mapsite.model.deal import Deal, Milestone
from mapsite.names import opaque_slug, slugify
from mapsite.read.fields import FieldReader
from mapsite.read.yaml import YamlMap
from mapsite.schedule.feasibility import feasibility
from mapsite.schedule.placeholders import warn_placeholders
from mapsite.validate.order import transitive_dependencies

STALE_AFTER_DAYS = 14
MAX_MILESTONES = 30
NEEDED_BUYER_ROLES = {
    "economic_buyer": "an economic buyer (who signs off the budget)",
    "champion": "a champion (who sells the plan internally)",
}
CLOSE_PHASE = "close"
# Words of a company's name that say nothing about which company it is.
GENERIC_WORDS = {
    "the", "and", "of", "for", "co", "corp", "corporation", "company", "inc", "incorporated", "llc",
    "ltd", "limited", "plc", "gmbh", "ag", "sa", "sas", "bv", "nv", "oy", "ab", "spa", "srl", "pty",
    "group", "holding", "holdings", "international", "global", "partners", "services", "solutions",
    "systems", "technologies", "technology", "labs", "industries", "enterprises",
}  # fmt: skip


def lint_deal(deal: Deal, data: YamlMap, reader: FieldReader, today: dt.date, body_line: int) -> None:
    """Warnings for the seller's team; ``body_line`` is the file line the Markdown body starts on."""
    if deal.archived:
        return  # it left the site: nothing of it reaches a buyer, nothing to review
    buyer_ids = {s.id for s in deal.stakeholders if s.side == "buyer"}
    for milestone in deal.milestones:
        if milestone.owners and not buyer_ids.intersection(milestone.owners):
            reader.warning(
                milestone.line,
                f"milestone '{milestone.name}' has no owner on the buyer side",
                "a mutual plan names who on the buyer's team drives each step",
            )
        if not milestone.is_closed and milestone.due < today:
            reader.warning(
                milestone.line,
                f"milestone '{milestone.name}' was due {milestone.due:%Y-%m-%d} and is not marked done",
                "set status: done (with completed:), or move the date and tell the buyer",
            )
    for milestone in pre_close_milestones(deal):
        if milestone.due > deal.close_date:
            reader.warning(
                milestone.line,
                f"'{milestone.name}' is due {milestone.due:%Y-%m-%d}, after the close date "
                f"{deal.close_date:%Y-%m-%d}",
                "the signature cannot happen before it; move it earlier or move close_date",
            )
    if deal.stage == "active":
        _warn_if_late(deal, data, reader, today)
    if not deal.public and (word := names_buyer(deal.slug, deal.buyer.name)):
        _warn_slug_names_buyer(deal, data, reader, word)
    roles = {s.role for s in deal.stakeholders if s.side == "buyer"}
    for role, description in NEEDED_BUYER_ROLES.items():
        if role not in roles and deal.stage == "active":
            reader.warning(
                data.line_of("stakeholders"),
                f"no buyer-side stakeholder has role {role}: the plan lacks {description}",
                "shown only to your team; add the person once you know them",
            )
    if deal.updated and deal.stage == "active" and (today - deal.updated).days > STALE_AFTER_DAYS:
        reader.warning(
            data.line_of("updated") if "updated" in data else None,
            f"the plan was last updated {deal.updated:%Y-%m-%d}, {(today - deal.updated).days} days ago",
            "review it with the buyer and set updated: to the review date",
        )
    _warn_if_long(deal, data, reader)
    warn_placeholders(data, deal.body, body_line, reader)


def _warn_if_long(deal: Deal, data: YamlMap, reader: FieldReader) -> None:
    if len(deal.milestones) > MAX_MILESTONES:
        reader.warning(
            data.line_of("milestones"),
            f"the plan has {len(deal.milestones)} milestones: past {MAX_MILESTONES} a plan is too long to "
            "review with the buyer, and works like no plan at all",
            "keep 6 to 20 milestones; fold small steps into actions of a milestone",
        )


def _warn_if_late(deal: Deal, data: YamlMap, reader: FieldReader, today: dt.date) -> None:
    """The open work, at its durations, cannot finish by close_date (say when it can), or the
    close is at risk for a reason the projection names (overdue work it waits for, overload)."""
    result = feasibility(deal, deal.calendar, today)
    if result.on_track:
        return
    signature = deal.milestone(result.signature)
    line = signature.line if signature else data.line_of("close_date")
    if result.days_late:
        path = " -> ".join(result.critical_path)
        reader.warning(
            line,
            f"at the current pace the signature lands on {result.projected_close:%Y-%m-%d}, "
            f"{result.target_phrase} ({deal.close_date:%Y-%m-%d}); critical path: {path}",
            "shorten or parallelise the critical path (duration, depends_on), or move close_date "
            "and tell the buyer",
        )
    if result.concerns:
        assumed = f" The projection {result.assumption}." if result.assumption else ""
        reader.warning(
            line,
            f"the target close {deal.close_date:%Y-%m-%d} is at risk. {' '.join(result.concerns)}{assumed}",
            "finish or re-plan the overdue work, give milestones their real duration, or move "
            "close_date and tell the buyer",
        )


def names_buyer(slug: str, buyer: str) -> str | None:
    """The part of ``buyer`` that ``slug`` shows: the whole name, or one distinctive word of it.

    A word of three letters must be a whole part of the slug (``ibm-renewal``); a longer one
    counts anywhere in it (``contosodeal``).
    """
    full = slugify(buyer)
    if len(full) >= 4 and full in slug:
        return full
    parts = slug.split("-")
    for word in full.split("-"):
        if len(word) < 3 or word in GENERIC_WORDS:
            continue
        if word in parts or (len(word) >= 4 and word in slug):
            return word
    return None


def _warn_slug_names_buyer(deal: Deal, data: YamlMap, reader: FieldReader, word: str) -> None:
    suggestion = f"slug: {opaque_slug()}"
    line: int | None
    if "slug" in data:
        line, hint = data.line_of("slug"), f"use an opaque slug: replace it with `{suggestion}`"
    else:
        line = data.line_of("title") if "title" in data else None
        hint = f"use an opaque slug: add `{suggestion}` (the file's name is never published)"
    reader.warning(
        line,
        f"the portal's address {deal.slug}/ shows '{word}' of the buyer's name: anyone who tries it "
        f"learns that {deal.buyer.name} is a customer, even without the "
        + ("link" if deal.links_only else "password"),
        f"{hint}; links sent before stop working",
    )


def pre_close_milestones(deal: Deal) -> list[Milestone]:
    """Milestones that must be finished for the signature to happen.

    With a phase named Close, those are the milestones of earlier phases; without one, the
    milestones that a milestone due on the close date depends on.
    """
    phases = [phase.lower() for phase in deal.phases]
    if CLOSE_PHASE in phases:
        earlier = set(deal.phases[: phases.index(CLOSE_PHASE)])
        return [m for m in deal.milestones if m.phase in earlier]
    depends = {m.id: m.depends_on for m in deal.milestones}
    needed: set[str] = set()
    for milestone in deal.milestones:
        if milestone.due == deal.close_date:
            needed |= transitive_dependencies(milestone.id, depends)
    return [m for m in deal.milestones if m.id in needed]
