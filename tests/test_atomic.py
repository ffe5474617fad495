"""The one way mapsite replaces a file: whole, or not at all."""

from __future__ import annotations

import os
import stat

import pytest

from mapsite.atomic import write_atomic


def test_a_file_is_replaced_whole_and_private_files_are_owner_only(tmp_path):
    target = tmp_path / "state" / "secret"
    write_atomic(target, "first\n", private=True)
    assert target.read_text() == "first\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    write_atomic(target, b"second\n", private=True)
    assert target.read_bytes() == b"second\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["secret"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "records.json"
    write_atomic(target, "old\n")

    def refuse(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, "new\n")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["records.json"]
