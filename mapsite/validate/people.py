"""The deal's people: stakeholders, and every field that names one (owners, meeting attendees).

An owner or attendee id that names nobody is an error with the closest ids as a hint: a typo
would otherwise show the buyer a raw id where a person's name belongs. The hint also looks at the
stakeholders' names, because a rep who writes ``owners: [dana]`` means the person called Dana,
whatever her id is.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from mapsite.model.deal import (
    ROLES,
    SIDES,
    Cadence,
    Stakeholder,
)
from mapsite.names import slugify
from mapsite.read.fields import ID_PATTERN, SIMILAR, FieldReader, closest
from mapsite.read.yaml import YamlMap

STAKEHOLDER_KEYS = ("id", "name", "title", "side", "role", "email", "notes")


CADENCE_KEYS = ("name", "when", "attendees")


def read_stakeholders(reader: FieldReader, data: YamlMap) -> tuple[Stakeholder, ...]:
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


def read_owner_ids(
    reader: FieldReader, entry: YamlMap, key: str, where: str, known: Mapping[str, str]
) -> tuple[str, ...]:
    """Stakeholder ids; ``known`` maps each id to the person's name, for the hint on a wrong one."""
    result = []
    for owner, line in reader.id_list(entry, key, where):
        if owner not in known:
            reader.error(
                line,
                f"'{owner}' in {key} of {where} is not a stakeholder id",
                suggest_person(owner, known),
            )
            continue
        result.append(owner)
    return tuple(result)


def read_owner(reader: FieldReader, entry: YamlMap, where: str, people: Mapping[str, str]) -> str | None:
    """The ``owner`` field: a stakeholder id, or None (reported) when it names nobody."""
    owner = reader.text(entry, "owner", where)
    if owner is not None and owner not in people:
        reader.error(
            entry.line_of("owner"),
            f"owner '{owner}' of {where} is not a stakeholder id",
            suggest_person(owner, people),
        )
        return None
    return owner


def suggest_ids(value: str, known: set[str]) -> str:
    close = closest(value, known)
    if close:
        return f"did you mean '{close}'?"
    return f"known ids: {', '.join(sorted(known))}" if known else "add it under stakeholders first"


def suggest_person(value: str, people: Mapping[str, str]) -> str:
    """The hint for an id that names nobody: the closest ids, then whoever is called that."""
    guesses = guess_people(value, people)
    if guesses:
        return f"did you mean {guesses}?"
    return f"known ids: {', '.join(sorted(people))}" if people else "add it under stakeholders first"


def guess_people(value: str, people: Mapping[str, str], count: int = 1) -> str:
    """``'champ'`` for an id spelt nearly so, ``'dw' (Dana Whitfield)`` for a person whose name
    matches ``value``: one of its words (``dana``), all of it (``dana-whitfield``) or its initials,
    ignoring case and accents. Empty when nothing is close."""
    ids = sorted(people)
    close = difflib.get_close_matches(value, ids, n=count, cutoff=SIMILAR)
    wanted = slugify(value)
    named = [person for person in ids if wanted and wanted in _name_forms(people[person])]
    shown = [f"'{person}'" for person in close if person not in named]
    shown += [f"'{person}' ({people[person]})" for person in named]
    return " or ".join(shown)


def _name_forms(name: str) -> set[str]:
    words = slugify(name).split("-")
    return {*words, "-".join(words), "".join(words), "".join(word[:1] for word in words)} - {""}


def read_cadence(reader: FieldReader, data: YamlMap, people: Mapping[str, str]) -> tuple[Cadence, ...]:
    result = []
    for entry, line in reader.items(data, "cadence", "the deal"):
        if not isinstance(entry, YamlMap):
            reader.error(line, "each cadence entry must be {name, when, attendees?}")
            continue
        name = reader.text(entry, "name", "a cadence entry", required=True)
        where = f"cadence '{name}'"
        reader.unknown_keys(entry, CADENCE_KEYS, where)
        when = reader.text(entry, "when", where, required=True)
        attendees = read_attendees(reader, entry, where, people)
        if name and when:
            result.append(Cadence(name=name, when=when, attendees=attendees))
    return tuple(result)


def read_attendees(
    reader: FieldReader, entry: YamlMap, where: str, people: Mapping[str, str]
) -> tuple[str, ...]:
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
                guest_hint(attendee, people),
            )
            continue
        result.append(attendee)
    return tuple(result)


def guest_hint(attendee: str, people: Mapping[str, str]) -> str:
    guesses = guess_people(attendee, people, count=3)
    if guesses:
        known = f"did you mean {guesses}?"
    else:
        known = f"the stakeholder ids are {', '.join(sorted(people))}." if people else "no stakeholders yet."
    return f"{known} A guest who is not a stakeholder is written as a name, e.g. 'Finance team'"
