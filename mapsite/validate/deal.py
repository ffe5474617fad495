"""Raw frontmatter -> a typed, fully resolved Deal, or every reason it cannot be one.

Reading is forgiving where the intent is clear (a single owner without brackets) and strict where
a mistake would mislead a buyer (an unknown owner, an impossible date order). All findings of a
file are collected in one pass so a rep fixes everything at once. This module assembles the Deal;
each block of the file has its reader beside it (people, plan_items, outcomes, files).
"""

from __future__ import annotations

import datetime as dt

from mapsite.errors import has_errors
from mapsite.layout import reserved_slug
from mapsite.model.dates import (
    Calendar,
    DateExpr,
)
from mapsite.model.deal import (
    ARCHIVED,
    STAGES,
    Action,
    Brand,
    Deal,
    DealFile,
    Milestone,
    Resource,
)
from mapsite.names import slugify
from mapsite.read.fields import FieldReader
from mapsite.read.site import AccessEntry, Site, read_access, read_brand
from mapsite.read.yaml import YamlList, YamlMap
from mapsite.validate.commercial import read_amount, read_crm
from mapsite.validate.discussion import item_keys, read_discussion, read_updates_to
from mapsite.validate.files import NOT_OWN_HINT, not_own_text, outside_own_folder, read_resources
from mapsite.validate.input import DealInput
from mapsite.validate.order import (
    Dated,
    resolve_dates,
    unknown_anchor_message,
)
from mapsite.validate.outcomes import read_criteria, read_risks
from mapsite.validate.people import read_cadence, read_stakeholders
from mapsite.validate.plan_items import (
    RawAction,
    RawMilestone,
    check_dependencies,
    read_action,
    read_date_expr,
    read_milestones,
)

DEAL_KEYS = (
    "title", "slug", "buyer", "seller", "partner", "close_date", "go_live", "stage", "updated", "archived",
    "access", "public", "value_summary", "stakeholders", "milestones", "actions",
    "success_criteria", "risks", "cadence", "resources", "discussion", "updates_to",
    "amount", "currency", "crm",
    "last_recap",
)  # fmt: skip
LINKS_ONLY = "links"  # access: links, a deal opened by share links only (no password, no PBKDF2)


def validate_deal(item: DealInput, site: Site, reader: FieldReader) -> Deal | None:
    """Build the Deal; returns None when an error makes the deal unusable (findings say why)."""
    data = item.source.frontmatter
    where = "the deal"
    reader.unknown_keys(data, DEAL_KEYS, where)
    for cut in item.source.cut_texts:
        reader.warning(
            cut.line,
            f"the value '{cut.kept}' stops at ' #': YAML reads '#{cut.dropped}' as a comment",
            f"quote it to keep the '#': {cut.quoted}",
        )

    title = reader.text(data, "title", where, required=True)
    slug = _read_slug(reader, data, item, site)
    buyer = _brand(reader, data, "buyer", item, site, required=True)
    declared_seller = _brand(reader, data, "seller", item, site)
    seller = declared_seller or site.seller
    partner = _brand(reader, data, "partner", item, site)
    close_date = reader.iso_date(data, "close_date", where, required=True)
    go_live_expr = read_date_expr(reader, data, "go_live", where)
    stage = reader.choice(data, "stage", where, STAGES, "active") or "active"
    archived = reader.choice(data, "archived", where, ARCHIVED, None)
    updated = reader.iso_date(data, "updated", where)
    last_recap = reader.iso_date(data, "last_recap", where)
    public, access, links_only_line = _public_and_access(reader, data, where)
    for entry in access:
        if entry.side == "partner" and partner is None:
            reader.warning(
                entry.line - reader.line_offset,
                f"the access entry '{entry.label}' is for the partner side, but the deal names no partner",
                "add partner: {name: ...} to the deal, or give the entry side: buyer or side: seller",
            )
    value_summary = reader.text(data, "value_summary", where, required=True)

    stakeholders = read_stakeholders(reader, data)
    known_people = {s.id: s.name for s in stakeholders}
    milestones = read_milestones(reader, data, known_people)
    milestone_ids = {m.id for m in milestones}
    top_actions = [
        action
        for entry, line in reader.items(data, "actions", where)
        if (action := read_action(reader, entry, line, known_people, milestone_ids, top_level=True))
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

    check_dependencies(reader, milestones, dates)

    resources = read_resources(reader, data, item, site)
    criteria = read_criteria(reader, data)
    risks = read_risks(reader, data, known_people)
    cadence = read_cadence(reader, data, known_people)
    discussion = read_discussion(reader, data, item_keys(milestones, top_actions))
    updates_to = read_updates_to(reader, data)
    amount, currency = read_amount(reader, data)
    crm = read_crm(reader, data)

    if has_errors(reader.findings):
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
        archived=archived,
        access=access,
        links_only_line=links_only_line,
        public=public,
        amount=amount,
        currency=currency,
        crm=crm,
        value_summary=value_summary,
        stakeholders=stakeholders,
        milestones=tuple(_milestone(m, dates, site.calendar) for m in milestones),
        actions=tuple(_typed_action(a, dates, site.calendar) for a in top_actions),
        success_criteria=criteria,
        risks=risks,
        cadence=cadence,
        resources=resources,
        discussion=discussion,
        updates_to=updates_to,
        last_recap=last_recap,
        body=item.source.body,
        source=item.source.path,
        folder=item.folder,
        pages=item.pages,
        files=_deal_files(item, (buyer, declared_seller, partner), resources),
        calendar=site.calendar,
    )


def _public_and_access(
    reader: FieldReader, data: YamlMap, where: str
) -> tuple[bool, tuple[AccessEntry, ...], int | None]:
    """A deal is protected by its access entries, opened only by share links (``access: links``,
    then the third value is that line), or published for anyone by ``public: true``."""
    public = reader.flag(data, "public", where)
    value = data.get("access")
    if value is not None and not isinstance(value, YamlList):
        line = data.line_of("access")
        if value != LINKS_ONLY:
            # The value is never repeated: a rep may have written a password there.
            entry = "{label: Buying team, password_env: ACME_PORTAL_PASSWORD}"
            reader.error(
                line,
                f"'access' must be a list of access entries, or '{LINKS_ONLY}' for a deal opened "
                "only by share links",
                "make the entry a list item: put '- ' before it"
                if isinstance(value, YamlMap)
                else f"write access: {LINKS_ONLY}, or access: [{entry}]",
            )
        elif public:
            reader.error(
                line,
                "the deal is public and also says access: links; a public deal needs no share link",
                "remove public: true to open it by share links only, or remove access: links",
            )
        # Stored as the file's line (as access entries are): check and build point at it.
        return public, (), line + reader.line_offset if value == LINKS_ONLY else None
    access = read_access(reader, data, "access", where)
    if not access and not public:
        reader.error(
            data.line,
            "the deal has no 'access' entries and is not public",
            "add access: [{label: Buying team, password_env: ACME_PORTAL_PASSWORD}], "
            "access: links (share links only) or public: true",
        )
    if public:
        reader.warning(
            data.line_of("public"),
            "public: true publishes this portal readable by anyone with the link",
            "remove it to protect the deal with its access passwords",
        )
    return public, access, None


def _anchors(
    data: YamlMap, close_date: dt.date | None, go_live: DateExpr | None, milestones: list[RawMilestone]
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
    # A missing or unreadable date was reported once already: dates relative to it say nothing more.
    broken = {m.id for m in milestones if m.id not in anchors}
    if close_date is None:
        broken.add("close")
    if go_live is None and "go_live" in data:
        broken.add("go_live")
    return anchors, frozenset(broken)


def _milestone(m: RawMilestone, dates: dict[str, dt.date], calendar: Calendar) -> Milestone:
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


def _typed_action(action: RawAction, dates: dict[str, dt.date], calendar: Calendar) -> Action:
    return Action(
        task=action.task,
        owner=action.owner,
        due=_action_date(action, dates, calendar),
        due_text=action.due.text if action.due else None,
        done=action.done,
        milestone=action.milestone,
        line=action.line,
    )


def _action_date(action: RawAction, dates: dict[str, dt.date], calendar: Calendar) -> dt.date | None:
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
            files.append(DealFile(brand.logo, brand.logo.relative_to(item.folder).as_posix()))
    for resource in resources:
        if resource.file and not any(f.relpath == resource.file for f in files):
            files.append(DealFile(item.folder / resource.file, resource.file))
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
        named = f"file {default}.md" if item.folder == site.deals_dir else f"folder {default}/"
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
    brand = read_brand(reader, block, key, item.folder, site.dir)
    if brand and brand.logo and outside_own_folder(item, site, brand.logo):
        reader.error(
            block.line_of("logo"),
            f"the logo of {key} is {not_own_text(brand.logo.relative_to(item.folder).as_posix())}",
            NOT_OWN_HINT,
        )
    return brand
