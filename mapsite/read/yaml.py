"""YAML to plain values that remember their line numbers, safe against hostile input.

libyaml (PyYAML's pure-Python parser where PyYAML was built without it) still parses; this
module builds the values from its event stream instead of calling ``yaml.safe_load``, because:

- Validation points at lines: every mapping knows the line of each key, every list the line of
  each item. ``safe_load`` returns bare dicts and lists.
- A key written twice is an error here; ``safe_load`` silently keeps the last one.
- Aliases are counted as they are used, so an alias bomb stops at ``MAX_VALUES``. ``safe_load``
  shares the anchored object, and the first walk over it (validation, an export) does the
  expansion. YAML merge keys (``<<``) are refused rather than half-supported.
- Nesting is bounded before anything recurses, whichever libyaml PyYAML links: the one bundled
  in PyYAML 6.0.4's wheels (0.2.6) refuses more than 1,000 levels at once, but with Debian 12's
  libyaml 0.2.5 ``yaml.load(..., CSafeLoader)`` crashes the process on 100,000 nested brackets
  and its scanner takes ~30 s over them (quadratic in the depth); the pure-Python scanner takes
  40 s over 20,000 and its composer raises RecursionError at ~1,000.
- It is faster: plain strings, nearly every event of a deal file, skip the node graph and the
  constructor. 0.7 ms per frontmatter against 1.2 ms for ``yaml.load(..., CSafeLoader)`` over
  the example deals, 1.1 against 1.7 ms over a bench corpus (CPython 3.11, libyaml 0.2.6).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from mapsite.read.comments import CutText, cut_text
from mapsite.read.yaml_syntax import explain

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

MAX_BYTES = 1_000_000
MAX_DEPTH = 40
MAX_VALUES = 200_000

_SAFE_TAGS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}
_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_FLOW_CHARS = re.compile(r"[\[\]{}]")
_FIELD_LINE = re.compile(r"\s*(?:- )?[a-z_]+: ")
QUOTES = ('"', "'")


class YamlMap(dict):
    """A mapping with the line of each key, so validation can point at the exact field."""

    line: int
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


def empty_map() -> YamlMap:
    """The mapping of a document with no fields (an empty frontmatter or mapsite.yml), at line 1."""
    empty = YamlMap()
    empty.line = 1
    empty.key_lines = {}
    return empty


class YamlList(list):
    """A sequence with the line of each item."""

    line: int
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


@dataclass(frozen=True)
class YamlProblem(Exception):
    """Why a document could not be read, with the 1-based line it concerns (relative to the text)."""

    line: int
    message: str
    hint: str | None = None


@dataclass(frozen=True)
class ParsedYaml:
    """A document's value, and the unquoted values a ``#`` probably cut (see read/comments.py)."""

    value: Any
    cut_texts: tuple[CutText, ...]


def parse_yaml(text: str) -> Any:
    """Parse one YAML document into YamlMap/YamlList/scalars; raise YamlProblem when unreadable."""
    return read_yaml(text).value


def read_yaml(text: str) -> ParsedYaml:
    """parse_yaml, also noting the values a comment probably cut, for ``check`` to warn about."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise YamlProblem(
            1,
            f"the YAML is {len(text) / 1_000_000:.1f} MB; mapsite reads at most 1 MB of frontmatter",
            "move long text into the Markdown body or an extra page",
        )
    _check_flow_depth(text)
    builder = _Builder(text)
    try:
        _read(text, builder)
    except yaml.MarkedYAMLError as exc:
        explained = explain(exc, text)
        raise YamlProblem(explained.line, explained.message, explained.hint) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(1, f"YAML error: {exc}") from None
    return ParsedYaml(builder.result, tuple(builder.cut_texts))


def _read(text: str, builder: _Builder) -> None:
    """Feed every parser event to ``builder``: yaml.parse() without its generator frame per event."""
    loader = _Loader(text)
    try:
        while loader.check_event():
            builder.feed(loader.get_event())
    finally:
        loader.dispose()


def _check_flow_depth(text: str) -> None:
    """Refuse absurd bracket nesting before a scanner quadratic in the depth spends minutes on it."""
    depth = 0
    for match in _FLOW_CHARS.finditer(text):
        depth += 1 if match.group() in "[{" else -1
        if depth > MAX_DEPTH:
            line = text.count("\n", 0, match.start()) + 1
            raise YamlProblem(line, f"YAML nested more than {MAX_DEPTH} levels deep")
        depth = max(depth, 0)


# First characters of the values PyYAML's implicit types (null, bool, int, float, timestamp...)
# can start with; without path resolvers or "any character" resolvers, a quoted scalar or a plain
# one starting otherwise resolves to a string.
_IMPLICIT_FIRST = frozenset(Resolver.yaml_implicit_resolvers)
_SHORTCUT = None not in _IMPLICIT_FIRST and not Resolver.yaml_path_resolvers


def _surely_string(value: str, implicit: tuple[bool, bool]) -> bool:
    """True when the resolver would say ``str`` without trying a pattern: skip asking it."""
    return _SHORTCUT and (not implicit[0] or (value != "" and value[0] not in _IMPLICIT_FIRST))


class _Builder:
    """Turns parser events into values; a stack replaces the recursion of PyYAML's composer.

    Deal files are read on every build, and nearly all their events are plain strings: those take
    the shortest path (no node, no constructor call).
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n") if "#" in text else []
        # Only a value on a line with a comment can be cut by it: the others skip the check.
        self.comment_lines = frozenset(
            index for index, written in enumerate(self.lines) if " #" in written or "\t#" in written
        )
        self.cut_texts: list[CutText] = []
        self.stack: list[tuple[Any, str | None, list[Any]]] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.values = 0
        self.documents = 0
        self.result: Any = None
        self.resolver = Resolver()
        self.constructor = SafeConstructor()

    def feed(self, event: yaml.Event) -> None:
        line = event.start_mark.line + 1 if event.start_mark else 1
        # The most frequent events first; the event classes are disjoint, so the order is free.
        if isinstance(event, yaml.ScalarEvent):
            value = self._scalar(event, line)
            end = event.end_mark
            if event.style or (self.comment_lines and end and end.line in self.comment_lines):
                self._check_text(event, line)
            self._count(1, line)
            if event.anchor:
                self.anchors[event.anchor] = (value, 1)
            self._add(value, line)
        elif isinstance(event, yaml.MappingStartEvent):
            self._open(YamlMap(), event, line)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            container, anchor, _pending = self.stack.pop()
            if isinstance(container, YamlMap) and _pending:
                raise YamlProblem(line, "a mapping key has no value")
            if anchor:
                self.anchors[anchor] = (container, self._size(container))
            self._add(container, container.line)
        elif isinstance(event, yaml.SequenceStartEvent):
            self._open(YamlList(), event, line)
        elif isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise YamlProblem(line, "more than one YAML document in the frontmatter")
        elif isinstance(event, yaml.AliasEvent):
            self._alias(event, line)

    def _alias(self, event: yaml.AliasEvent, line: int) -> None:
        if event.anchor not in self.anchors:
            raise YamlProblem(
                line,
                f"unknown alias *{event.anchor}",
                f'a value starting with * is read as an alias: quote it, e.g. "*{event.anchor}"',
            )
        value, size = self.anchors[event.anchor]
        self._count(size, line)
        self._add(value, line)

    def _check_text(self, event: yaml.ScalarEvent, line: int) -> None:
        """What the rep wrote may differ from what YAML read: a '#' or a quote left open."""
        if not event.style and self.stack:
            self._note_cut(event)
        elif event.style in QUOTES and event.end_mark and event.end_mark.line > line - 1:
            self._check_quote(event, line)

    def _note_cut(self, event: yaml.ScalarEvent) -> None:
        """Record a plain value (not a key) that a comment on its line probably cut."""
        assert event.end_mark is not None
        container, _anchor, pending = self.stack[-1]
        if isinstance(container, YamlMap) and not pending:
            return
        key = pending[-1][0] if pending else None
        end = event.end_mark
        cut = cut_text(self.lines[end.line][end.column :], key, event.value, end.line + 1)
        if cut:
            self.cut_texts.append(cut)

    def _check_quote(self, event: yaml.ScalarEvent, line: int) -> None:
        """A quoted value over several lines is legal YAML, but one that swallows lines written as
        fields is a quote the rep forgot to close: the fields would silently become its text."""
        assert event.end_mark is not None
        swallowed = self.text.split("\n")[line : event.end_mark.line + 1]
        if any(_FIELD_LINE.match(text) for text in swallowed):
            raise YamlProblem(
                line,
                "YAML syntax error: the quote opened on this line is not closed on it, so the "
                "fields after it, up to the next quote, become its text",
                "end the value with the same quote it starts with",
            )

    def _open(self, container: YamlMap | YamlList, event: Any, line: int) -> None:
        self._check_tag(event.tag, line)
        if len(self.stack) >= MAX_DEPTH:
            raise YamlProblem(line, f"YAML nested more than {MAX_DEPTH} levels deep")
        container.line = line
        if isinstance(container, YamlMap):
            container.key_lines = {}
        else:
            container.item_lines = []
        self._count(1, line)
        self.stack.append((container, event.anchor, []))

    def _count(self, size: int, line: int) -> None:
        self.values += size
        if self.values > MAX_VALUES:
            raise YamlProblem(
                line,
                f"the YAML expands to more than {MAX_VALUES:,} values (aliases repeated too often?)",
            )

    def _size(self, container: YamlMap | YamlList) -> int:
        """Values an alias to this container adds; counted so alias bombs stop early."""
        total = 1
        items = list(container.items()) if isinstance(container, YamlMap) else container
        for item in items:
            if isinstance(item, tuple):
                total += 1 + (self._size(item[1]) if isinstance(item[1], (YamlMap, YamlList)) else 1)
            else:
                total += self._size(item) if isinstance(item, (YamlMap, YamlList)) else 1
            if total > MAX_VALUES:
                return total
        return total

    def _add(self, value: Any, line: int) -> None:
        if not self.stack:
            self.result = value
            return
        container, _anchor, pending = self.stack[-1]
        if isinstance(container, YamlList):
            container.append(value)
            container.item_lines.append(line)
        elif pending:
            key, key_line = pending.pop()
            if key in container:
                raise YamlProblem(key_line, f"the key '{key}' appears twice in the same mapping")
            container[key] = value
            container.key_lines[key] = key_line
        else:
            if isinstance(value, (YamlMap, YamlList)):
                raise YamlProblem(line, "a mapping key must be a plain value, not a list or mapping")
            pending.append((value, line))

    def _check_tag(self, tag: str | None, line: int) -> None:
        if tag and tag not in _SAFE_TAGS and tag != "!":
            raise YamlProblem(line, f"unsupported YAML tag {tag}", "remove the tag; plain values suffice")

    def _scalar(self, event: yaml.ScalarEvent, line: int) -> Any:
        self._check_tag(event.tag, line)
        tag = event.tag
        if tag is None or tag == "!":
            if _surely_string(event.value, event.implicit):
                return event.value  # what SafeConstructor makes of a string
            tag = self.resolver.resolve(ScalarNode, event.value, event.implicit)
            if tag == _STR_TAG:
                return event.value
            if tag == _MERGE_TAG:
                raise YamlProblem(
                    line,
                    "YAML merge keys (<<) are not supported",
                    "write the fields out; an alias (*name) can repeat a whole value",
                )
        # No marks: the node lives only for this call, and a constructor's error is not reported.
        node = ScalarNode(tag, event.value, style=event.style)
        construct = self.constructor.yaml_constructors.get(tag)
        if construct is None:
            return event.value
        try:
            return construct(self.constructor, node)
        except (ConstructorError, ValueError, OverflowError):
            # An impossible date such as 2027-02-30 stays text; validation names the problem.
            return event.value
