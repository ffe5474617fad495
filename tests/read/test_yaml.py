"""Hostile or broken input never produces a traceback or a hang: a message and a line."""

from __future__ import annotations

import random
import re

import pytest
import yaml

from bench import corpus
from mapsite.read.yaml import YamlList, YamlMap, YamlProblem, parse_yaml
from tests.helpers import REPO


def test_values_remember_their_lines():
    data = parse_yaml("title: x\nitems:\n  - a\n  - {b: 1}\n")
    assert isinstance(data, YamlMap) and data.line_of("items") == 2
    items = data["items"]
    assert isinstance(items, YamlList) and items.item_lines == [3, 4]
    assert items[1].line == 4


def test_alias_bomb_stops_early():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 12)]
    with pytest.raises(YamlProblem, match="expands to more than 200,000 values"):
        parse_yaml("\n".join(lines))


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, "x: " + "{a: " * 50_000])
def test_deep_flow_nesting_is_refused_before_parsing(text):
    with pytest.raises(YamlProblem, match="nested more than 40 levels deep"):
        parse_yaml(text)


def test_deep_block_nesting_is_refused():
    text = "".join(" " * i + "k:\n" for i in range(200))
    with pytest.raises(YamlProblem, match="nested more than 40 levels deep"):
        parse_yaml(text)


def test_ten_megabytes_is_refused_by_size():
    with pytest.raises(YamlProblem, match="mapsite reads at most 1 MB of frontmatter"):
        parse_yaml("k: " + "v" * 10_000_000)


def test_python_tags_are_refused():
    with pytest.raises(
        YamlProblem, match=re.escape("unsupported YAML tag tag:yaml.org,2002:python/object/apply:os.system")
    ):
        parse_yaml("x: !!python/object/apply:os.system ['true']")


def test_duplicate_keys_are_reported():
    with pytest.raises(YamlProblem) as caught:
        parse_yaml("a: 1\nb: 2\na: 3\n")
    assert (caught.value.line, caught.value.message) == (
        3,
        "the key 'a' appears twice in the same mapping",
    )


def test_impossible_dates_stay_text_for_validation_to_explain():
    assert parse_yaml("d: 2027-02-30")["d"] == "2027-02-30"


def test_yes_stays_a_boolean_in_the_reader():
    assert parse_yaml("x: yes")["x"] is True


# Differential: the reader must give what yaml.load(..., CSafeLoader) gives, and the lines that
# yaml.compose's node marks give, on the deals people write and on YAML's awkward corners.

AWKWARD = {
    "quoted strings": (
        'colon: "Risk: legal review"\n'
        "single: 'it''s ''quoted'''\n"
        'escapes: "tab\\there \\u00e9 \\x41 \\"q\\""\n'
        'folded quote: "first\n  second\n\n  third"\n'
        "looks like numbers: ['007', \"1.10\", '12:30', 'no', '2027-02-30']\n"
    ),
    "flow maps": (
        'm: {a: 1, b: [x, "y, z"], c: {d: null, e: ~}, "f g": h}\n'
        "l: [ {k: v}, [1, 2], ~, {} , [] ]\n"
        "multi-line flow: {\n  a: 1,\n  b: [\n    2,\n    3\n  ]\n}\n"
    ),
    "multi-line scalars": (
        "literal: |\n  line one\n    indented\n  line three\n"
        "folded: >\n  one\n  two\n\n  para\n"
        "strip: |-\n  no newline\n"
        "keep: |+\n  kept\n\n"
        "indicator: |2\n    two extra\n"
        "plain: this plain\n  scalar goes\n  on\n"
        "after: x\n"
    ),
    "anchors": (
        "base: &b {owner: dana, status: open}\n"
        "copy: *b\n"
        "list: &l [1, 2]\n"
        "again:\n  - *l\n  - *b\n  - &s text\n  - *s\n"
        "nested: &n\n  inner: &i [a, b]\n  more: *i\n"
        "uses: [*n, *i]\n"
    ),
    "unicode": (
        'título: "Café ☕"\n名前: 山田 太郎\nemoji: 🚀 launch\nescaped: "\\U0001F600 \\u2603"\nrtl: שלום\n'
    ),
    "comments": (
        "# heading comment\n"
        "a: 1 # trailing\n"
        "# between keys\n"
        "b:   # after a key\n"
        "  - x # on an item\n"
        "  # inside a list\n"
        "  - y\n"
        'c: "# not a comment"\n'
        "d: a#b\n"
        "e: [1, # in a flow list\n  2]\n"
    ),
    "implicit types": (
        "date: 2027-04-30\n"
        "stamp: 2027-04-30 10:15:00\n"
        "bools: [yes, No, on, OFF, true, False]\n"
        "ints: [0, -7, 0x1F, 017, 1_000, 12:30]\n"
        "floats: [1.5, -0.25, 1e3, .inf, -.Inf]\n"
        "nulls: [~, null, '']\n"
        "empty:\n"
        "version: 1.10\n"
        "tagged: [!!str 12, !!int '7', !!float 1, ! 12]\n"
    ),
    "keys": (
        "? explicit key\n: explicit value\n"
        "1: one\n"
        "false: a bool key\n"
        "2027-01-01: a date key\n"
        "'quoted key': v\n"
        "spaced key  : v\n"
    ),
    "deal shape": (
        "title: Acme x Northwind\n"
        "stakeholders:\n"
        "- {id: dana, name: Dana, side: buyer}\n"
        "-   id: raj\n"
        "    name: Raj\n"
        "    side: seller\n"
        "milestones:\n"
        "  - name: Security review\n"
        "    due: close - 10bd\n"
        "    owners: [dana,\n             raj]\n"
        "    actions:\n"
        "    - {title: Send questionnaire, owner: raj, due: 2027-03-01}\n"
        "    -\n"
        "      title: Answer it\n"
        "      owner: dana\n"
        "  - {name: Sign, due: close}\n"
    ),
    "empty document": "# nothing but a comment\n",
    "a lone scalar": "just text\n",
}


def _frontmatters() -> dict[str, str]:
    """The frontmatter of every example deal and of a few bench corpus deals, as source.py cuts it."""
    texts = {}
    for path in sorted((REPO / "content" / "deals").rglob("*.md")):
        lines = path.read_text("utf-8").split("\n")
        if lines[0].strip() == "---":
            end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
            texts[path.relative_to(REPO).as_posix()] = "\n".join(lines[1:end])
    rng = random.Random(7)
    for index in range(3):
        lines = corpus.deal_text(index, rng).split("\n")
        end = lines.index("---", 1)
        texts[f"bench corpus deal {index}"] = "\n".join(lines[1:end])
    return texts


def _check_lines(value: object, node: yaml.Node, seen: set[int]) -> None:
    """Compare the lines the reader recorded with the nodes' marks, depth first.

    An alias gives yaml.compose the anchored node again (with the anchor's mark), while the
    reader records where the alias is written: lines are compared at a node's first use only.
    """
    first_use = id(node) not in seen
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        assert isinstance(value, YamlMap) and value.line == node.start_mark.line + 1
        assert len(value) == len(node.value)
        for (key, item), (key_node, item_node) in zip(value.items(), node.value, strict=True):
            assert value.line_of(key) == key_node.start_mark.line + 1, key
            if first_use:
                _check_lines(item, item_node, seen)
    elif isinstance(node, yaml.SequenceNode):
        assert isinstance(value, YamlList) and value.line == node.start_mark.line + 1
        assert len(value) == len(node.value) == len(value.item_lines)
        for index, (item, item_node) in enumerate(zip(value, node.value, strict=True)):
            if id(item_node) not in seen:
                assert value.line_of(index) == item_node.start_mark.line + 1, index
            if first_use:
                _check_lines(item, item_node, seen)
    else:
        assert not isinstance(value, (YamlMap, YamlList))


DIFFERENTIAL = {**_frontmatters(), **AWKWARD}


@pytest.mark.parametrize("text", DIFFERENTIAL.values(), ids=DIFFERENTIAL.keys())
def test_values_and_lines_match_libyaml(text):
    value = parse_yaml(text)
    assert value == yaml.load(text, Loader=yaml.CSafeLoader)
    node = yaml.compose(text, Loader=yaml.CSafeLoader)
    if node is None:
        assert value is None
    else:
        _check_lines(value, node, set())


def test_the_differential_covers_the_example_site_and_every_awkward_corner():
    assert sum(name.startswith("content/deals/") for name in DIFFERENTIAL) >= 3
    anchors = parse_yaml(AWKWARD["anchors"])
    assert anchors["uses"][0] is anchors["nested"]  # the same object, as yaml.load shares it


def test_an_alias_item_has_the_line_of_the_alias_not_of_its_anchor():
    data = parse_yaml("a: &x [1]\nb:\n  - 0\n  - *x\n")
    assert data["b"].item_lines == [3, 4]


def test_merge_keys_are_refused_at_their_line():
    with pytest.raises(YamlProblem) as caught:
        parse_yaml("defaults: &d {status: open}\nmilestone:\n  name: Sign\n  <<: *d\n")
    assert (caught.value.line, caught.value.message) == (4, "YAML merge keys (<<) are not supported")
    assert caught.value.hint == "write the fields out; an alias (*name) can repeat a whole value"
