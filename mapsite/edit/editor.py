"""Changing one field of a deal file's frontmatter in place, leaving every other byte as written.

A deal file is the rep's: they format it, comment it and write some items on one line
(``- {id: demo, due: 2027-03-01}``) and others as blocks. Loading the YAML and dumping it again
would rewrite all of that, so this editor never dumps: it asks the YAML parser *where* each
value is (PyYAML's marks are character offsets into the text) and splices new text into exactly
that span, or inserts one ``key: value`` beside the item's other keys in the item's own style.
A value keeps its quotes; nothing outside the touched field moves.

Fields are addressed by a path from the frontmatter's top mapping: ``()`` is the deal itself,
``("milestones", 3)`` its fourth milestone, ``("milestones", 3, "actions", 0)`` that milestone's
first action. After every splice the text is parsed again and the field must read back as the
value written; otherwise the edit is refused rather than risk a damaged file.

The pieces that find and write YAML text (``parse_frontmatter``, ``frontmatter_span``,
``content_end``, ``line_end``, ``scalar_text``, ``parse_values``) are public because
edit/lists.py, which appends an entry to a list, must splice by exactly the same rules; the
rest stays private to this editor.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from mapsite.read.yaml import YamlList, YamlMap, YamlProblem, parse_yaml

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

FieldPath = tuple[str | int, ...]
Value = str | bool | int | dt.date

_STR_TAG = "tag:yaml.org,2002:str"
# Characters a plain (unquoted) scalar may not start with, and texts it may not contain.
_INDICATORS = set("-?:,[]{}#&*!|>'\"%@`")
_FLOW_INDICATORS = set(",[]{}")


class EditError(ValueError):
    """The edit cannot be made safely; the message says why, in the rep's terms."""


@dataclass(frozen=True)
class Frontmatter:
    """Where the YAML between the two ``---`` lines starts in the file text, and its root node."""

    start: int
    root: MappingNode


def set_field(text: str, path: FieldPath, key: str, value: Value, after: Sequence[str] = ()) -> str:
    """``text`` with ``key`` of the mapping at ``path`` set to ``value``.

    An existing value is replaced in place (keeping its quote style); a new key goes after the
    first of ``after`` the mapping has (else after its last key), on its own line in a block
    mapping or as ``, key: value`` in a flow mapping.
    """
    front = parse_frontmatter(text)
    mapping = _mapping_at(front.root, path)
    flow = bool(mapping.flow_style)
    pairs = {str(k.value): (k, v) for k, v in mapping.value if isinstance(k, ScalarNode)}
    if key in pairs:
        node = pairs[key][1]
        if not isinstance(node, ScalarNode) or node.style in ("|", ">"):
            raise EditError(f"'{key}' is written as a list, mapping or block text; edit it by hand")
        start, end = front.start + node.start_mark.index, front.start + node.end_mark.index
        edited = text[:start] + scalar_text(value, node.style, flow) + text[end:]
    else:
        anchor = next((pairs[name][1] for name in after if name in pairs), None)
        if anchor is None and mapping.value:
            anchor = mapping.value[-1][1]
        edited = _insert(text, front, mapping, anchor, f"{key}: {scalar_text(value, None, flow)}")
    _check(edited, path, key, value)
    return edited


def remove_field(text: str, path: FieldPath, key: str) -> str:
    """``text`` without ``key`` (and its value) in the mapping at ``path``; unchanged if absent."""
    front = parse_frontmatter(text)
    mapping = _mapping_at(front.root, path)
    index = next(
        (i for i, (k, _v) in enumerate(mapping.value) if isinstance(k, ScalarNode) and k.value == key),
        None,
    )
    if index is None:
        return text
    key_node, value_node = mapping.value[index]
    key_start = front.start + key_node.start_mark.index
    value_end = content_end(text, front.start + value_node.end_mark.index)
    if mapping.flow_style:
        if index > 0:  # from the end of the previous value: ", key: value"
            start, end = front.start + mapping.value[index - 1][1].end_mark.index, value_end
        elif len(mapping.value) > 1:  # the first pair: up to the next key
            start, end = key_start, front.start + mapping.value[1][0].start_mark.index
        else:
            start, end = key_start, value_end
    else:
        line_start = text.rfind("\n", 0, key_start) + 1
        if text[line_start:key_start].strip() == "":  # the key starts its line: drop whole lines
            start, end = line_start, line_end(text, value_end)
        elif index + 1 < len(mapping.value):  # "- key: value" then more keys: pull the next one up
            start, end = key_start, front.start + mapping.value[index + 1][0].start_mark.index
        else:
            raise EditError(f"'{key}' is the only field of its item; edit it by hand")
    edited = text[:start] + text[end:]
    data = _data_at(parse_values(edited), path)
    if key in data:
        raise EditError(f"could not remove '{key}' safely; edit it by hand")
    return edited


def parse_frontmatter(text: str) -> Frontmatter:
    """The frontmatter's YAML located in ``text``, read by the same rules as deal files are.

    ``parse_yaml`` runs first: it bounds size, nesting and aliases, so the composer that gives
    the positions only ever sees YAML mapsite already accepts.
    """
    start, end = frontmatter_span(text)
    source = text[start:end]
    try:
        parse_yaml(source)
    except YamlProblem as problem:
        raise EditError(f"the frontmatter is not valid YAML: {problem.message}") from None
    root = yaml.compose(source, Loader=_Loader)
    if not isinstance(root, MappingNode):
        raise EditError("the frontmatter is not a mapping of fields")
    return Frontmatter(start, root)


def frontmatter_span(text: str) -> tuple[int, int]:
    """Offsets of the YAML between the opening ``---`` line and the closing ``---`` or ``...``."""
    first_end = text.find("\n")
    if first_end < 0 or text[:first_end].lstrip("\ufeff").strip() != "---":
        raise EditError("the file does not start with a '---' line")
    position = first_end + 1
    while position < len(text):
        line_end = text.find("\n", position)
        line_end = len(text) if line_end < 0 else line_end
        if text[position:line_end].strip() in ("---", "..."):
            return first_end + 1, position
        position = line_end + 1
    raise EditError("the frontmatter is never closed with a '---' line")


def _mapping_at(root: MappingNode, path: FieldPath) -> MappingNode:
    node: Node = root
    for step in path:
        if isinstance(step, int) and isinstance(node, SequenceNode) and 0 <= step < len(node.value):
            node = node.value[step]
        elif isinstance(step, str) and isinstance(node, MappingNode):
            found = next((v for k, v in node.value if isinstance(k, ScalarNode) and k.value == step), None)
            if found is None:
                raise EditError(f"the file has no '{step}' where expected")
            node = found
        else:
            raise EditError(f"the file has no item at {'/'.join(map(str, path))}")
    if not isinstance(node, MappingNode):
        raise EditError(f"the item at {'/'.join(map(str, path))} is not a mapping of fields")
    return node


def _insert(text: str, front: Frontmatter, mapping: MappingNode, anchor: Node | None, pair: str) -> str:
    """``pair`` added to ``mapping``: after ``anchor``'s value, in the mapping's own style."""
    if mapping.flow_style:
        if anchor is None:  # "{}": right after the brace
            at = front.start + mapping.start_mark.index + 1
            return text[:at] + pair + text[at:]
        at = content_end(text, front.start + anchor.end_mark.index)
        return text[:at] + ", " + pair + text[at:]
    if anchor is None:
        raise EditError("cannot add a field to an empty item; edit it by hand")
    newline = "\r\n" if "\r\n" in text else "\n"
    indent = " " * mapping.value[0][0].start_mark.column
    at = line_end(text, content_end(text, front.start + anchor.end_mark.index))
    return text[:at] + indent + pair + newline + text[at:]


def content_end(text: str, end: int) -> int:
    """``end`` moved back over the spaces and line breaks a node's end mark may include."""
    while end > 0 and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def line_end(text: str, position: int) -> int:
    """The offset just after the line break ending the line at ``position`` (comment included)."""
    line_break = text.find("\n", position)
    return len(text) if line_break < 0 else line_break + 1


def scalar_text(value: Value, style: str | None, flow: bool) -> str:
    """``value`` as YAML: quoted as the old value was, else plain when it reads back the same."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        plain = value.isoformat()
    elif isinstance(value, int):
        plain = str(value)
    else:
        plain = value
    if style == "'":
        return "'" + plain.replace("'", "''") + "'"
    if style == '"' or (isinstance(value, str) and not _plain_is_string(plain, flow)):
        return json.dumps(plain, ensure_ascii=False)  # JSON strings are YAML double-quoted strings
    return plain


def _plain_is_string(text: str, flow: bool) -> bool:
    """True when ``text`` written without quotes reads back as this very string."""
    if not text or text != text.strip() or "\n" in text or text[0] in _INDICATORS:
        return False
    if ": " in text or " #" in text or text.endswith(":") or (flow and _FLOW_INDICATORS & set(text)):
        return False
    return Resolver().resolve(ScalarNode, text, (True, False)) == _STR_TAG


def parse_values(text: str) -> YamlMap:
    """The frontmatter's values, read as deal files are, to check that an edit reads back."""
    start, end = frontmatter_span(text)
    try:
        data = parse_yaml(text[start:end])
    except YamlProblem as problem:
        raise EditError(f"the edit would break the YAML ({problem.message})") from None
    if not isinstance(data, YamlMap):
        raise EditError("the edit would break the frontmatter")
    return data


def _data_at(data: YamlMap, path: FieldPath) -> YamlMap:
    value: object = data
    for step in path:
        if isinstance(value, YamlList) and isinstance(step, int) and step < len(value):
            value = value[step]
            continue
        if not (isinstance(value, YamlMap) and step in value):
            raise EditError("the edit would move the item")
        value = value[step]
    if not isinstance(value, YamlMap):
        raise EditError("the edit would move the item")
    return value


def _check(text: str, path: FieldPath, key: str, value: Value) -> None:
    """The edited field must read back as ``value`` (a date may read back as its text)."""
    read = _data_at(parse_values(text), path).get(key)
    if read == value or (isinstance(value, dt.date) and read == value.isoformat()):
        return
    raise EditError(f"could not write '{key}' safely; edit it by hand")
