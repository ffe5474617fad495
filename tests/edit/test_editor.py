"""The text editor's API, as the buyer-input work will call it: set_field and remove_field on
any mapping of the frontmatter, by path, touching only that field's text."""

from __future__ import annotations

import datetime as dt

import pytest

from mapsite.edit.editor import EditError, remove_field, set_field

TEXT = """\
---
title: Deal  # the heading
notes: |
  Long text
items:
  - {id: a, name: 'Alpha: one', due: 2027-03-01}
  - id: b
    name: Beta
    extra: {}
---
Body with items: - {id: a}
"""


def test_set_keeps_single_quotes_and_quotes_what_plain_would_misread():
    text = set_field(TEXT, ("items", 0), "name", "Alpha's: two")
    text = set_field(text, ("items", 1), "name", "Risk: #2, high")
    text = set_field(text, ("items", 1), "label", "2027-03-01")  # a string, not a date

    assert "  - {id: a, name: 'Alpha''s: two', due: 2027-03-01}\n" in text
    assert '    name: "Risk: #2, high"\n    extra: {}\n    label: "2027-03-01"\n---' in text
    assert text.endswith("Body with items: - {id: a}\n")


def test_set_in_an_empty_flow_mapping_and_after_a_chosen_key():
    text = set_field(TEXT, ("items", 1, "extra"), "when", dt.date(2027, 3, 2))
    text = set_field(text, ("items", 0), "done", True, after=("id",))

    assert "    extra: {when: 2027-03-02}\n" in text
    assert "  - {id: a, done: true, name: 'Alpha: one', due: 2027-03-01}\n" in text


def test_remove_a_first_key_after_a_dash_and_a_middle_flow_key():
    text = remove_field(TEXT, ("items", 1), "id")
    text = remove_field(text, ("items", 0), "name")

    assert "  - name: Beta\n    extra: {}\n" in text
    assert "  - {id: a, due: 2027-03-01}\n" in text
    assert remove_field(TEXT, ("items", 0), "missing") == TEXT


def test_block_text_and_missing_items_are_refused():
    with pytest.raises(EditError, match="block text"):
        set_field(TEXT, (), "notes", "short")
    with pytest.raises(EditError, match="no item"):
        set_field(TEXT, ("items", 5), "name", "x")
    with pytest.raises(EditError, match="could not write 'on' safely"):  # YAML reads the key on as true
        set_field(TEXT, ("items", 0), "on", "x")
