"""Raw frontmatter -> a typed, fully resolved Deal, or every reason it cannot be one.

Reading is forgiving where the intent is clear (a single owner without brackets) and strict where
a mistake would mislead a buyer (an unknown owner, an impossible date order). All findings of a
file are collected in one pass so a rep fixes everything at once.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from pathlib import Path

from mapsite.layout import reserved_slug
from mapsite.model.dates import (
    Calendar,
    DateExpr,
    DateSyntaxError,
    DurationSyntaxError,
    parse_date_expr,
    parse_duration,
)
from mapsite.model.deal import (
    CRITERION_SIDES,
    LEVELS,
    MILESTONE_STATUSES,
    RISK_STATUSES,
    ROLES,
    SIDES,
    STAGES,
    Action,
    Brand,
    Cadence,
    Criterion,
    Deal,
    DealFile,
    ExtraPage,
    Milestone,
    MilestoneStatus,
    Resource,
    Risk,
    Stakeholder,
)
from mapsite.names import slugify
from mapsite.paths import inside, safe_relpath
from mapsite.read.fields import ID_PATTERN, FieldReader
from mapsite.read.frontmatter import Source
from mapsite.read.site import AccessEntry, Site, read_access, read_brand
from mapsite.read.yaml import YamlMap
from mapsite.validate.order import (
    Dated,
    dependency_cycles,
    resolve_dates,
    unknown_anchor_message,
)

DEAL_KEYS = (
    "title", "slug", "buyer", "seller", "partner", "close_date", "go_live", "stage", "updated",
    "access", "public", "value_summary", "stakeholders", "milestones", "actions",
    "success_criteria", "risks", "cadence", "resources",
)  # fmt: skip
STAKEHOLDER_KEYS = ("id", "name", "title", "side", "role", "email", "notes")
MILESTONE_KEYS = (
    "id", "phase", "name", "owners", "due", "duration", "depends_on", "status", "completed", "notes",
    "actions",
)  # fmt: skip
ACTION_KEYS = ("task", "owner", "due", "done", "milestone")
CRITERION_KEYS = ("side", "metric", "current", "target", "by")
RISK_KEYS = ("risk", "probability", "impact", "mitigation", "owner", "status")
CADENCE_KEYS = ("name", "when", "attendees")
RESOURCE_KEYS = ("title", "file", "url")
RESERVED_ANCHORS = ("close", "go_live")
DEFAULT_PHASE = "Plan"


@dataclass(frozen=True)
class DealInput:
    """Where a deal lives: its main source, its folder (for relative paths) and extras."""

    source: Source
    root: Path
    default_slug: str
    pages: tuple[ExtraPage, ...] = ()
    files: tuple[DealFile, ...] = ()


@dataclass
class _RawAction:
    task: str
    owner: str | None
    due: DateExpr | None
    done: bool
    milestone: str | None
    line: int


@dataclass
class _RawMilestone:
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
    actions: list[_RawAction]
    line: int
    source: YamlMap


def validate_deal(item: DealInput, site: Site, reader: FieldReader) -> Deal | None:
    """Build the Deal; returns None when an error makes the deal unusable (findings say why)."""
    data = item.source.frontmatter
    where = "the deal"
    reader.unknown_keys(data, DEAL_KEYS, where)

    title = reader.text(data, "title", where, required=True)
    slug = _read_slug(reader, data, item, site)
    buyer = _brand(reader, data, "buyer", item, site, required=True)
    declared_seller = _brand(reader, data, "seller", item, site)
    seller = declared_seller or site.seller
    partner = _brand(reader, data, "partner", item, site)
    close_date = reader.iso_date(data, "close_date", where, required=True)
    go_live_expr = _date_expr(reader, data, "go_live", where)
    stage = reader.choice(data, "stage", where, STAGES, "active") or "active"
    updated = reader.iso_date(data, "updated", where)
    public, access = _public_and_access(reader, data, where)
    value_summary = reader.text(data, "value_summary", where, required=True)

    stakeholders = _stakeholders(reader, data)
    known_people = {s.id for s in stakeholders}
    milestones = _milestones(reader, data, known_people)
    milestone_ids = {m.id for m in milestones}
    top_actions = [
        action
        for entry, line in reader.items(data, "actions", where)
        if (action := _action(reader, entry, line, known_people, milestone_ids, top_level=True))
    ]

    anchors, broken = _anchors(data, close_date, go_live_expr, milestones)
    dates = resolve_dates(
        anchors,
        site.calendar,
        lambda line, msg, hint: reader.error(line, msg, hint),
        broken,
    )
    for action in [*top_actions, *(a for m in milestones for a in m.actions)]:
        if action.due and action.due.anchor and action.due.anchor not in anchors.keys() | broken:
            reader.error(action.line, unknown_anchor_message(action.due, anchors))

    _check_dependencies(reader, milestones, dates)

    resources = _resources(reader, data, item, site)
    criteria = _criteria(reader, data)
    risks = _risks(reader, data, known_people)
    cadence = _cadence(reader, data, known_people)

    if reader.findings and any(f.is_error for f in reader.findings):
        return None
    assert title and buyer and close_date and value_summary and slug
    return Deal(
        slug=slug,
        title=title,
        buyer=buyer,
        seller=seller,
        partner=partner,
        close_date=close_date,
        go_live=dates.get("go_live"),
        stage=stage,
        updated=updated,
        access=access,
        public=public,
        value_summary=value_summary,
        stakeholders=stakeholders,
        milestones=tuple(_milestone(m, dates, site.calendar) for m in milestones),
        actions=tuple(_typed_action(a, dates, site.calendar) for a in top_actions),
        success_criteria=criteria,
        risks=risks,
        cadence=cadence,
        resources=resources,
        body=item.source.body,
        source=item.source.path,
        root=item.root,
        pages=item.pages,
        files=_deal_files(item, (buyer, declared_seller, partner), resources),
        calendar=site.calendar,
    )


def _public_and_access(
    reader: FieldReader, data: YamlMap, where: str
) -> tuple[bool, tuple[AccessEntry, ...]]:
    """A deal is protected by its access entries, or published for anyone by ``public: true``."""
    public = reader.flag(data, "public", where)
    access = read_access(reader, data, "access", where)
    if not access and not public:
        reader.error(
            data.line,
            "the deal has no 'access' entries and is not public",
            "add access: [{label: Buying team, password_env: ACME_PORTAL_PASSWORD}] or public: true",
        )
    if public:
        reader.warning(
            data.line_of("public"),
            "public: true publishes this portal readable by anyone with the link",
            "remove it to protect the deal with its access passwords",
        )
    return public, access


def _anchors(
    data: YamlMap, close_date: dt.date | None, go_live: DateExpr | None, milestones: list[_RawMilestone]
) -> tuple[dict[str, Dated], frozenset[str]]:
    """The dates others can be relative to, and those whose own date was already reported invalid
    (so their dependents get no second message)."""
    anchors: dict[str, Dated] = {}
    if close_date:
        anchors["close"] = Dated(
            DateExpr(text=close_date.isoformat(), on=close_date), data.line_of("close_date")
        )
    if go_live:
        anchors["go_live"] = Dated(go_live, data.line_of("go_live"))
    for m in milestones:
        if m.due:
            anchors[m.id] = Dated(m.due, m.line)
    broken = {m.id for m in milestones if "due" in m.source and m.id not in anchors}
    if close_date is None and "close_date" in data:
        broken.add("close")
    if go_live is None and "go_live" in data:
        broken.add("go_live")
    return anchors, frozenset(broken)


def _milestone(m: _RawMilestone, dates: dict[str, dt.date], calendar: Calendar) -> Milestone:
    return Milestone(
        id=m.id,
        phase=m.phase,
        name=m.name,
        owners=m.owners,
        due=dates[m.id],
        due_text=m.due.text if m.due else "",
        duration=m.duration,
        depends_on=m.depends_on,
        status=m.status,
        completed=m.completed,
        notes=m.notes,
        actions=tuple(_typed_action(a, dates, calendar) for a in m.actions),
        line=m.line,
    )


def _typed_action(action: _RawAction, dates: dict[str, dt.date], calendar: Calendar) -> Action:
    return Action(
        task=action.task,
        owner=action.owner,
        due=_action_date(action, dates, calendar),
        due_text=action.due.text if action.due else None,
        done=action.done,
        milestone=action.milestone,
        line=action.line,
    )


def _action_date(action: _RawAction, dates: dict[str, dt.date], calendar: Calendar) -> dt.date | None:
    if action.due is None:
        return None
    if action.due.on:
        return action.due.on
    base = dates.get(action.due.anchor or "")
    return action.due.apply(base, calendar) if base else None


def _deal_files(
    item: DealInput, brands: tuple[Brand | None, ...], resources: tuple[Resource, ...]
) -> tuple[DealFile, ...]:
    """The folder's files, plus the logos and resource files the deal names from elsewhere."""
    files = list(item.files)
    for brand in brands:
        if brand and brand.logo and not any(f.source == brand.logo for f in files):
            files.append(DealFile(brand.logo, brand.logo.relative_to(item.root).as_posix()))
    for resource in resources:
        if resource.file and not any(f.relpath == resource.file for f in files):
            files.append(DealFile(item.root / resource.file, resource.file))
    return tuple(sorted(files, key=lambda f: f.relpath))


def _read_slug(reader: FieldReader, data: YamlMap, item: DealInput, site: Site) -> str | None:
    """The URL folder; never one of the paths the site itself publishes (see output.py)."""
    if "slug" in data:
        slug = reader.identifier(data, "slug", "the deal")
        if slug and reserved_slug(slug):
            reader.error(
                data.line_of("slug"),
                f"slug '{slug}' is reserved: output/{slug}/ would mix the deal with mapsite's own files",
                f"choose another slug, e.g. '{slug}-deal'",
            )
            return None
        return slug
    default = item.default_slug
    if slugify(default) != default:
        reader.error(
            None,
            f"the file name gives the slug '{default}', which is not a valid URL folder",
            f"rename the file or folder to '{slugify(default) or 'deal'}' or set slug:",
        )
        return None
    if reserved_slug(default):
        named = f"file {default}.md" if item.root == site.deals_dir else f"folder {default}/"
        reader.error(
            None,
            f"the file name gives the slug '{default}', which is reserved: output/{default}/ would "
            "mix the deal with mapsite's own files",
            f"choose another slug: rename the {named} or set slug:",
        )
        return None
    return default


def _brand(
    reader: FieldReader, data: YamlMap, key: str, item: DealInput, site: Site, required: bool = False
) -> Brand | None:
    block = reader.mapping(data, key, "the deal", required=required)
    if block is None:
        return None
    brand = read_brand(reader, block, key, item.root, site.root)
    if brand and brand.logo and _not_own_file(item, site, brand.logo):
        reader.error(
            block.line_of("logo"),
            f"the logo of {key} is {not_own_text(brand.logo.relative_to(item.root).as_posix())}",
            NOT_OWN_HINT,
        )
    return brand


NOT_OWN_HINT = "copy the file next to this deal's file, or make the deal a folder with its files in it"


def _not_own_file(item: DealInput, site: Site, path: Path) -> bool:
    """Whether a single-file deal names a file that is not its to publish.

    A folder deal's files are those in its folder (paths leaving it are refused elsewhere). A
    single-file deal's folder is ``content/deals/`` itself, which also holds the other deals:
    their folders, their Markdown, drafts kept in ``_``- or ``.``-folders. None of those may be
    published with it, or a public deal would carry a protected deal's ROI model.
    """
    if item.root != site.deals_dir:
        return False
    return not_own_file(site.deals_dir, path)


def not_own_file(deals_dir: Path, path: Path) -> bool:
    """For a file named by a single-file deal: is it Markdown, hidden, or in a deal's folder?"""
    try:
        base = deals_dir.resolve()
        rel = path.resolve().relative_to(base)
    except (OSError, RuntimeError, ValueError):
        return True
    if rel.suffix.casefold() == ".md" or any(part.startswith((".", "_")) for part in rel.parts):
        return True
    folder = base
    for part in rel.parts[:-1]:
        folder = folder / part
        if (folder / "index.md").exists():
            return True
    return False


def not_own_text(shown: str) -> str:
    return f"'{shown}', which is not a file of this deal (another deal's, or kept out of the site)"


def _date_expr(reader: FieldReader, data: YamlMap, key: str, where: str) -> DateExpr | None:
    value = data.get(key)
    if value is None:
        return None
    try:
        return parse_date_expr(value)
    except DateSyntaxError as exc:
        reader.error(data.line_of(key), f"'{key}' in {where}: {exc}")
        return None


def _stakeholders(reader: FieldReader, data: YamlMap) -> tuple[Stakeholder, ...]:
    people: list[Stakeholder] = []
    seen: dict[str, int] = {}
    for entry, line in reader.items(data, "stakeholders", "the deal", required=True):
        if not isinstance(entry, YamlMap):
            reader.error(line, "each stakeholder must be a mapping {id, name, side, ...}")
            continue
        reader.unknown_keys(entry, STAKEHOLDER_KEYS, "a stakeholder")
        person_id = reader.identifier(entry, "id", "a stakeholder", required=True)
        name = reader.text(entry, "name", "a stakeholder", required=True)
        where = f"stakeholder '{person_id or name}'" if person_id or name else "a stakeholder"
        side = reader.choice(entry, "side", where, SIDES, None, required=True)
        role = reader.choice(entry, "role", where, ROLES, None)
        if person_id and person_id in seen:
            reader.error(
                line,
                f"duplicate stakeholder id '{person_id}' (first used on line "
                f"{seen[person_id] + reader.line_offset})",
            )
            continue
        if person_id:
            seen[person_id] = line
        if person_id and name and side:
            people.append(
                Stakeholder(
                    id=person_id,
                    name=name,
                    side=side,
                    title=reader.text(entry, "title", where),
                    role=role,
                    email=reader.text(entry, "email", where),
                    notes=reader.text(entry, "notes", where),
                )
            )
    return tuple(people)


def _owner_ids(reader: FieldReader, entry: YamlMap, key: str, where: str, known: set[str]) -> tuple[str, ...]:
    result = []
    for owner, line in reader.id_list(entry, key, where):
        if owner not in known:
            reader.error(
                line,
                f"'{owner}' in {key} of {where} is not a stakeholder id",
                _suggest(owner, known),
            )
            continue
        result.append(owner)
    return tuple(result)


def _owner(reader: FieldReader, entry: YamlMap, where: str, people: set[str]) -> str | None:
    """The ``owner`` field: a stakeholder id, or None (reported) when it names nobody."""
    owner = reader.text(entry, "owner", where)
    if owner is not None and owner not in people:
        reader.error(
            entry.line_of("owner"),
            f"owner '{owner}' of {where} is not a stakeholder id",
            _suggest(owner, people),
        )
        return None
    return owner


def _suggest(value: str, known: set[str]) -> str:
    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"known ids: {', '.join(sorted(known))}" if known else "add it under stakeholders first"


def _milestones(reader: FieldReader, data: YamlMap, people: set[str]) -> list[_RawMilestone]:
    milestones: list[_RawMilestone] = []
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
        name = reader.text(entry, "name", "a milestone", required=True)
        where = f"milestone '{name}'" if name else "a milestone"
        reader.unknown_keys(entry, MILESTONE_KEYS, where)
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
        owners = _owner_ids(reader, entry, "owners", where, people)
        if not entry.get("owners"):
            reader.error(line, f"{where} has no owners", "add owners: [stakeholder-id, ...]")
        due = _date_expr(reader, entry, "due", where)
        if "due" not in entry:
            reader.error(line, f"{where} is missing the required field 'due'")
        depends = _depends_on(reader, entry, where, declared_ids)
        status = reader.choice(entry, "status", where, MILESTONE_STATUSES, "pending") or "pending"
        milestones.append(
            _RawMilestone(
                id=milestone_id,
                phase=reader.text(entry, "phase", where) or DEFAULT_PHASE,
                name=name or milestone_id,
                owners=owners,
                due=due,
                duration=_duration(reader, entry, where),
                depends_on=depends,
                status=status,
                completed=reader.iso_date(entry, "completed", where),
                notes=reader.text(entry, "notes", where),
                actions=[
                    action
                    for action_entry, action_line in reader.items(entry, "actions", where)
                    if (action := _action(reader, action_entry, action_line, people, set(), top_level=False))
                ],
                line=line,
                source=entry,
            )
        )
    return milestones


def _depends_on(reader: FieldReader, entry: YamlMap, where: str, declared_ids: set[str]) -> tuple[str, ...]:
    depends = []
    for dep, dep_line in reader.id_list(entry, "depends_on", where):
        if dep not in declared_ids:
            reader.error(
                dep_line,
                f"{where} depends on '{dep}', which is no milestone id",
                _suggest(dep, declared_ids),
            )
        else:
            depends.append(dep)
    return tuple(depends)


def _duration(reader: FieldReader, entry: YamlMap, where: str) -> int:
    """Business days the milestone takes; 1 when not given or not readable (then reported)."""
    if entry.get("duration") is None:
        return 1
    try:
        return parse_duration(entry["duration"])
    except DurationSyntaxError as exc:
        reader.error(entry.line_of("duration"), f"'duration' of {where}: {exc}")
        return 1


def _action(
    reader: FieldReader,
    entry: object,
    line: int,
    people: set[str],
    milestone_ids: set[str],
    top_level: bool,
) -> _RawAction | None:
    if not isinstance(entry, YamlMap):
        reader.error(line, "each action must be a mapping {task, owner, due, done}")
        return None
    task = reader.text(entry, "task", "an action", required=True)
    where = f"action '{task}'" if task else "an action"
    reader.unknown_keys(entry, ACTION_KEYS if top_level else ACTION_KEYS[:4], where)
    owner = _owner(reader, entry, where, people)
    milestone = reader.text(entry, "milestone", where) if top_level else None
    if milestone is not None and milestone not in milestone_ids:
        reader.error(
            entry.line_of("milestone"),
            f"{where} names milestone '{milestone}', which is no milestone id",
            _suggest(milestone, milestone_ids),
        )
        milestone = None
    if not task:
        return None
    return _RawAction(
        task=task,
        owner=owner,
        due=_date_expr(reader, entry, "due", where),
        done=reader.flag(entry, "done", where),
        milestone=milestone,
        line=line,
    )


def _check_dependencies(
    reader: FieldReader, milestones: list[_RawMilestone], dates: dict[str, dt.date]
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


def _resources(reader: FieldReader, data: YamlMap, item: DealInput, site: Site) -> tuple[Resource, ...]:
    root = item.root
    result = []
    for entry, line in reader.items(data, "resources", "the deal"):
        if not isinstance(entry, YamlMap):
            reader.error(line, "each resource must be {title, file} or {title, url}")
            continue
        title = reader.text(entry, "title", "a resource", required=True)
        where = f"resource '{title}'"
        reader.unknown_keys(entry, RESOURCE_KEYS, where)
        url = reader.text(entry, "url", where)
        file_text = reader.text(entry, "file", where)
        if bool(url) == bool(file_text):
            reader.error(line, f"{where} needs exactly one of 'file' or 'url'")
            continue
        if url and not url.startswith(("https://", "http://", "mailto:")):
            reader.error(
                entry.line_of("url"),
                f"{where} has url '{url}'; links must start with https://, http:// or mailto:",
            )
            continue
        file_rel = None
        if file_text:
            file_rel = safe_relpath(file_text)
            if file_rel is None or not inside(root / file_rel, root):
                reader.error(
                    entry.line_of("file"),
                    f"{where} file '{file_text}' points outside the deal folder",
                    "put the file in the deal's folder and use a relative path such as files/roi.pdf",
                )
                continue
            if not (root / file_rel).is_file():
                reader.error(entry.line_of("file"), f"{where} file '{file_text}' does not exist")
                continue
            if _not_own_file(item, site, root / file_rel):
                reader.error(
                    entry.line_of("file"),
                    f"{where} file is {not_own_text(file_rel)}",
                    NOT_OWN_HINT,
                )
                continue
        if title:
            result.append(Resource(title=title, url=url, file=file_rel))
    return tuple(result)


def _criteria(reader: FieldReader, data: YamlMap) -> tuple[Criterion, ...]:
    result = []
    for entry, line in reader.items(data, "success_criteria", "the deal"):
        if not isinstance(entry, YamlMap):
            reader.error(line, "each success criterion must be {side, metric, target, ...}")
            continue
        where = "a success criterion"
        reader.unknown_keys(entry, CRITERION_KEYS, where)
        side = reader.choice(entry, "side", where, CRITERION_SIDES, None, required=True)
        metric = reader.text(entry, "metric", where, required=True)
        target = reader.text(entry, "target", where, required=True)
        by = reader.iso_date(entry, "by", where)
        if side and metric and target:
            result.append(
                Criterion(
                    side=side,
                    metric=metric,
                    target=target,
                    current=reader.text(entry, "current", where),
                    by=by,
                )
            )
    return tuple(result)


def _risks(reader: FieldReader, data: YamlMap, people: set[str]) -> tuple[Risk, ...]:
    result = []
    for entry, line in reader.items(data, "risks", "the deal"):
        if not isinstance(entry, YamlMap):
            reader.error(line, "each risk must be {risk, probability, impact, ...}")
            continue
        text = reader.text(entry, "risk", "a risk", required=True)
        where = f"risk '{text}'" if text else "a risk"
        reader.unknown_keys(entry, RISK_KEYS, where)
        probability = reader.choice(entry, "probability", where, LEVELS, None, required=True)
        impact = reader.choice(entry, "impact", where, LEVELS, None, required=True)
        owner = _owner(reader, entry, where, people)
        status = reader.choice(entry, "status", where, RISK_STATUSES, "open") or "open"
        if text and probability and impact:
            result.append(
                Risk(
                    risk=text,
                    probability=probability,
                    impact=impact,
                    mitigation=reader.text(entry, "mitigation", where),
                    owner=owner,
                    status=status,
                )
            )
    return tuple(result)


def _cadence(reader: FieldReader, data: YamlMap, people: set[str]) -> tuple[Cadence, ...]:
    result = []
    for entry, line in reader.items(data, "cadence", "the deal"):
        if not isinstance(entry, YamlMap):
            reader.error(line, "each cadence entry must be {name, when, attendees?}")
            continue
        name = reader.text(entry, "name", "a cadence entry", required=True)
        where = f"cadence '{name}'"
        reader.unknown_keys(entry, CADENCE_KEYS, where)
        when = reader.text(entry, "when", where, required=True)
        attendees = _attendees(reader, entry, where, people)
        if name and when:
            result.append(Cadence(name=name, when=when, attendees=attendees))
    return tuple(result)


def _attendees(reader: FieldReader, entry: YamlMap, where: str, people: set[str]) -> tuple[str, ...]:
    """Stakeholder ids (shown as names) or free text such as ``Finance team``.

    An attendee written like an id (lowercase, no spaces) that names no stakeholder is a typo the
    buyer would read as it stands, so it is an error, as an unknown owner is.
    """
    result = []
    for attendee, line in reader.id_list(entry, "attendees", where):
        if attendee not in people and ID_PATTERN.match(attendee):
            reader.error(
                line,
                f"attendee '{attendee}' of {where} is not a stakeholder id",
                _guest_hint(attendee, people),
            )
            continue
        result.append(attendee)
    return tuple(result)


def _guest_hint(attendee: str, people: set[str]) -> str:
    close = difflib.get_close_matches(attendee, sorted(people), n=3, cutoff=0.6)
    if close:
        ids = " or ".join(f"'{person}'" for person in close)
        known = f"did you mean {ids}?"
    else:
        known = f"the stakeholder ids are {', '.join(sorted(people))}." if people else "no stakeholders yet."
    return f"{known} A guest who is not a stakeholder is written as a name, e.g. 'Finance team'"
