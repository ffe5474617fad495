"""Hostile or broken input never produces a traceback or a hang: a message and a line."""

from __future__ import annotations

import re

import pytest

from mapsite.content.yamlread import YamlList, YamlMap, YamlProblem, parse_yaml


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
