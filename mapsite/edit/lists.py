"""Adding one entry at the end of a top-level list of a deal file (``stakeholders``,
``discussion``), leaving every other byte as written.

The inbox adds a colleague a reader suggested and records what readers said; like the field
editor beside it (edit/editor.py), it never dumps YAML again: it finds where the list ends and
writes one ``- {key: value, ...}`` line there, in the list's own indentation, or ``, {...}`` in
a ``[...]`` list, or a new ``key:`` block at the end of the frontmatter when the deal has none.
The list must then read back one entry longer, ending with the entry written.
"""

from __future__ import annotations

from yaml.nodes import ScalarNode, SequenceNode

from mapsite.edit.editor import (
    EditError,
    Value,
    content_end,
    frontmatter_span,
    line_end,
    parse_frontmatter,
    parse_values,
    scalar_text,
)
from mapsite.read.yaml import YamlList, YamlMap


def append_entry(text: str, key: str, entry: dict[str, Value]) -> str:
    """``text`` with ``entry`` (written as a one-line flow mapping) added at the end of ``key``."""
    front = parse_frontmatter(text)
    before = parse_values(text).get(key)
    count = len(before) if isinstance(before, YamlList) else 0
    flow = "{" + ", ".join(f"{name}: {scalar_text(value, None, True)}" for name, value in entry.items()) + "}"
    newline = "\r\n" if "\r\n" in text else "\n"
    node = next(
        (v for k, v in front.root.value if isinstance(k, ScalarNode) and k.value == key),
        None,
    )
    if node is None:
        _start, end = frontmatter_span(text)
        edited = text[:end] + f"{key}:{newline}  - {flow}{newline}" + text[end:]
    elif not isinstance(node, SequenceNode):
        raise EditError(f"'{key}' is not a list; edit it by hand")
    elif node.flow_style:
        if node.value:
            at = content_end(text, front.start + node.value[-1].end_mark.index)
            edited = text[:at] + ", " + flow + text[at:]
        else:
            at = front.start + node.start_mark.index + 1
            edited = text[:at] + flow + text[at:]
    elif not node.value:
        raise EditError(f"'{key}' is an empty list; edit it by hand")
    else:
        last = node.value[-1]
        indent = " " * (last.start_mark.column - 2)
        at = line_end(text, content_end(text, front.start + last.end_mark.index))
        edited = text[:at] + f"{indent}- {flow}{newline}" + text[at:]
    after = parse_values(edited).get(key)
    if not (isinstance(after, YamlList) and len(after) == count + 1 and _same(after[-1], entry)):
        raise EditError(f"could not add to '{key}' safely; edit it by hand")
    return edited


def _same(written: object, entry: dict[str, Value]) -> bool:
    if not isinstance(written, YamlMap) or set(written) != set(entry):
        return False
    return all(written[name] == value or str(written[name]) == str(value) for name, value in entry.items())
