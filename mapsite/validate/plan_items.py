"""The plan's items: milestones and actions, their dates (absolute or relative), durations and
dependencies, read before any date is resolved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from mapsite.model.dates import (
    DateExpr,
    DateSyntaxError,
    DurationSyntaxError,
    parse_date_expr,
    parse_duration,
)
from mapsite.model.deal import (
    MILESTONE_STATUSES,
    MilestoneStatus,
)
from mapsite.names import slugify
from mapsite.read.fields import FieldReader
from mapsite.read.yaml import YamlMap
from mapsite.validate.order import (
    dependency_cycles,
)
from mapsite.validate.people import read_owner, read_owner_ids, suggest_ids

RESERVED_ANCHORS = ("close", "go_live")
MILESTONE_KEYS = (
    "id", "phase", "name", "owners", "due", "duration", "depends_on", "status", "completed", "notes",
    "actions",
)  # fmt: skip


ACTION_KEYS = ("task", "owner", "due", "done", "milestone")
# Words reps (and spreadsheet templates) use for a milestone status: the hint names mapsite's word.
STATUS_MEANING: dict[str, MilestoneStatus] = {
    "complete": "done", "completed": "done", "finished": "done", "yes": "done", "closed": "done",
    "signed": "done", "in progress": "in_progress", "started": "in_progress",
    "ongoing": "in_progress", "wip": "in_progress", "not started": "pending", "todo": "pending",
    "to do": "pending", "open": "pending", "planned": "pending", "no": "pending",
    "stuck": "blocked", "on hold": "blocked", "at risk": "at_risk", "cancelled": "skipped",
    "canceled": "skipped", "dropped": "skipped", "n/a": "skipped",
}  # fmt: skip


DEFAULT_PHASE = "Plan"


@dataclass
class RawAction:
    task: str
    owner: str | None
    due: DateExpr | None
    done: bool
    milestone: str | None
    line: int


@dataclass
class RawMilestone:
    id: str
    phase: str
    name: str
    owners: tuple[str, ...]
    due: DateExpr | None
    duration: int
    depends_on: tuple[str, ...]
    status: MilestoneStatus
    completed: dt.date | None
    notes: str | None
    actions: list[RawAction]
    line: int
    source: YamlMap


def read_date_expr(reader: FieldReader, data: YamlMap, key: str, where: str) -> DateExpr | None:
    value = data.get(key)
    if value is None:
        return None
    try:
        return parse_date_expr(value)
    except DateSyntaxError as exc:
        reader.error(data.line_of(key), f"'{key}' in {where}: {exc}")
        return None


def read_milestones(reader: FieldReader, data: YamlMap, people: Mapping[str, str]) -> list[RawMilestone]:
    milestones: list[RawMilestone] = []
    entries = reader.items(data, "milestones", "the deal", required=True)
    if "milestones" in data and not entries and isinstance(data.get("milestones"), list):
        reader.error(data.line_of("milestones"), "the plan has no milestones")
    # Every id, known before any milestone is read: one may depend on a later one.
    declared_ids = {
        str(entry.get("id") or slugify(str(entry.get("name") or "")))
        for entry, _line in entries
        if isinstance(entry, YamlMap)
    }
    seen: dict[str, int] = {}
    for entry, line in entries:
        if not isinstance(entry, YamlMap):
            reader.error(line, "each milestone must be a mapping {name, owners, due, ...}")
            continue
        written = entry.get("name")
        where = f"milestone '{written}'" if isinstance(written, str) and written else "a milestone"
        reader.unknown_keys(entry, MILESTONE_KEYS, where)
        name = reader.text(entry, "name", where, required=True)
        milestone_id = reader.identifier(entry, "id", where) if "id" in entry else slugify(name or "")
        if not milestone_id:
            continue
        if milestone_id in RESERVED_ANCHORS:
            reader.error(line, f"'{milestone_id}' cannot be a milestone id; it names the deal's own date")
            continue
        if milestone_id in seen:
            reader.error(
                line,
                f"duplicate milestone id '{milestone_id}' (first used on line "
                f"{seen[milestone_id] + reader.line_offset})",
                "give one of them an explicit, different id",
            )
            continue
        seen[milestone_id] = line
        owners = read_owner_ids(reader, entry, "owners", where, people)
        if "owners" not in entry:
            reader.missing(entry, "owners", where, "add owners: [stakeholder-id, ...]")
        elif not entry.get("owners"):
            reader.error(line, f"{where} has no owners", "add owners: [stakeholder-id, ...]")
        due = read_date_expr(reader, entry, "due", where)
        if "due" not in entry:
            reader.missing(entry, "due", where)
        depends = read_depends_on(reader, entry, where, declared_ids)
        status = (
            reader.choice(entry, "status", where, MILESTONE_STATUSES, "pending", meaning=STATUS_MEANING)
            or "pending"
        )
        milestones.append(
            RawMilestone(
                id=milestone_id,
                phase=reader.text(entry, "phase", where) or DEFAULT_PHASE,
                name=name or milestone_id,
                owners=owners,
                due=due,
                duration=read_duration(reader, entry, where),
                depends_on=depends,
                status=status,
                completed=reader.iso_date(entry, "completed", where),
                notes=reader.text(entry, "notes", where),
                actions=[
                    action
                    for action_entry, action_line in reader.items(entry, "actions", where)
                    if (
                        action := read_action(
                            reader, action_entry, action_line, people, set(), top_level=False
                        )
                    )
                ],
                line=line,
                source=entry,
            )
        )
    return milestones


def read_depends_on(
    reader: FieldReader, entry: YamlMap, where: str, declared_ids: set[str]
) -> tuple[str, ...]:
    depends = []
    for dep, dep_line in reader.id_list(entry, "depends_on", where):
        if dep not in declared_ids:
            reader.error(
                dep_line,
                f"{where} depends on '{dep}', which is no milestone id",
                suggest_ids(dep, declared_ids),
            )
        else:
            depends.append(dep)
    return tuple(depends)


def read_duration(reader: FieldReader, entry: YamlMap, where: str) -> int:
    """Business days the milestone takes; 1 when not given or not readable (then reported)."""
    if entry.get("duration") is None:
        return 1
    try:
        return parse_duration(entry["duration"])
    except DurationSyntaxError as exc:
        reader.error(entry.line_of("duration"), f"'duration' of {where}: {exc}")
        return 1


def read_action(
    reader: FieldReader,
    entry: object,
    line: int,
    people: Mapping[str, str],
    milestone_ids: set[str],
    top_level: bool,
) -> RawAction | None:
    if not isinstance(entry, YamlMap):
        reader.error(line, "each action must be a mapping {task, owner, due, done}")
        return None
    written = entry.get("task")
    where = f"action '{written}'" if isinstance(written, str) and written else "an action"
    reader.unknown_keys(entry, ACTION_KEYS if top_level else ACTION_KEYS[:4], where)
    task = reader.text(entry, "task", where, required=True)
    owner = read_owner(reader, entry, where, people)
    milestone = reader.text(entry, "milestone", where) if top_level else None
    if milestone is not None and milestone not in milestone_ids:
        reader.error(
            entry.line_of("milestone"),
            f"{where} names milestone '{milestone}', which is no milestone id",
            suggest_ids(milestone, milestone_ids),
        )
        milestone = None
    if not task:
        return None
    return RawAction(
        task=task,
        owner=owner,
        due=read_date_expr(reader, entry, "due", where),
        done=reader.flag(entry, "done", where),
        milestone=milestone,
        line=line,
    )


def check_dependencies(
    reader: FieldReader, milestones: list[RawMilestone], dates: dict[str, dt.date]
) -> None:
    by_id = {m.id: m for m in milestones}
    for cycle in dependency_cycles({m.id: m.depends_on for m in milestones}):
        reader.error(
            by_id[cycle[0]].line,
            "milestones depend on each other in a cycle: " + " -> ".join(cycle),
            "remove one of these depends_on entries",
        )
    for m in milestones:
        for dep in m.depends_on:
            if m.id in dates and dep in dates and dates[m.id] < dates[dep]:
                reader.error(
                    m.line,
                    f"'{m.name}' is due {dates[m.id]:%Y-%m-%d}, before '{by_id[dep].name}' "
                    f"({dates[dep]:%Y-%m-%d}) that it depends on",
                    "move its due date after the milestones it depends on",
                )
