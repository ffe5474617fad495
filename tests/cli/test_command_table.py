"""Start-up (issue 18): ``mapsite --help`` lists every command from the table in
``mapsite.cli.commands`` without importing them; these tests keep that table true to the real
commands and check, from a real process, what a start-up imports."""

from __future__ import annotations

import importlib
import os
import pkgutil
import subprocess
import sys

import click
import pytest

import mapsite.cli
from mapsite.cli.app import main
from mapsite.cli.commands import COMMANDS
from tests.helpers import REPO

# What no start-up may import: the stages, the preview server, the deploy targets, the output.
HEAVY = (
    "mapsite.pipeline",
    "mapsite.schedule",
    "mapsite.render",
    "mapsite.protect",
    "mapsite.deploy",
    "mapsite.preview",
    "rich",
    "tornado",
    "livereload",
    "boto3",
    "paramiko",
    "jinja2",
    "yaml",
)


def within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(f"{p}.") for p in packages)


def all_commands() -> dict[str, click.Command]:
    """Every command any module of mapsite.cli registers on the group, table or not."""
    for module in pkgutil.iter_modules(mapsite.cli.__path__):
        importlib.import_module(f"mapsite.cli.{module.name}")
    return dict(main.commands)


def imported_modules(*args: str) -> set[str]:
    """The modules a real ``python -X importtime -m mapsite ARGS`` imports."""
    env = {**os.environ, "COLUMNS": "80"}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "mapsite", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    return {line.rsplit("|", 1)[1].strip() for line in lines[1:]}


def test_the_table_names_every_command_and_the_module_that_defines_it():
    commands = all_commands()
    assert sorted(commands) == sorted(COMMANDS)
    for name, command in commands.items():
        assert command.callback is not None
        assert command.callback.__module__ == f"mapsite.cli.{COMMANDS[name].module}", name


@pytest.mark.parametrize("limit", [20, 45, 60, 74, 90, 200])
def test_the_tables_summaries_shorten_as_the_commands_own_help_does(limit):
    for name, command in all_commands().items():
        from_table = click.Command(name, help=COMMANDS[name].summary).get_short_help_str(limit)
        assert from_table == command.get_short_help_str(limit), name


LOAD_ALL_THEN_RUN = """\
import importlib, pkgutil, mapsite.cli
for module in pkgutil.iter_modules(mapsite.cli.__path__):
    importlib.import_module(f"mapsite.cli.{module.name}")
from mapsite.cli.main import main
main(prog_name="python -m mapsite")
"""


@pytest.mark.parametrize("columns", [60, 80, 200])
def test_help_lists_the_same_commands_fresh_as_with_every_command_loaded(columns):
    env = {**os.environ, "COLUMNS": str(columns)}
    fresh, loaded = (
        subprocess.run([sys.executable, *args, "--help"], cwd=REPO, env=env, capture_output=True, text=True)
        for args in (["-m", "mapsite"], ["-c", LOAD_ALL_THEN_RUN])
    )
    assert fresh.returncode == 0, fresh.stderr
    assert fresh.stdout == loaded.stdout
    for name in COMMANDS:
        assert f"\n  {name} " in fresh.stdout


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["-h"]])
def test_start_up_imports_no_stage_and_no_heavy_library(args):
    modules = imported_modules(*args)
    assert sorted(m for m in modules if within(m, HEAVY)) == []
    # Nor any command module: the group knows them from the table.
    assert {m for m in modules if m.startswith("mapsite.cli.")} == {
        "mapsite.cli.app",
        "mapsite.cli.commands",
        "mapsite.cli.main",
    }


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_commands_help_imports_that_command_and_no_stage(name):
    modules = imported_modules(name, "--help")
    assert f"mapsite.cli.{COMMANDS[name].module}" in modules
    others = {f"mapsite.cli.{e.module}" for e in COMMANDS.values()} - {f"mapsite.cli.{COMMANDS[name].module}"}
    # deploy builds first, through build's report: the one command module another one uses.
    assert modules & others <= ({"mapsite.cli.build"} if name == "deploy" else set())
    assert sorted(m for m in modules if within(m, HEAVY[:6])) == []


def test_a_mistyped_command_is_still_matched_against_every_command():
    done = subprocess.run(
        [sys.executable, "-m", "mapsite", "statsu"], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "No such command 'statsu'" in done.stderr
    if hasattr(click.exceptions, "NoSuchCommand"):  # click 8.4 and later suggest a name
        assert "Did you mean 'status'?" in done.stderr


def test_constants_written_twice_for_a_light_help_stay_equal():
    from mapsite.cli import deploy, new, status
    from mapsite.deploy.plan import DEFAULT_MAX_DELETES
    from mapsite.model.deal import STAGES
    from mapsite.render.blueprints import BLUEPRINTS
    from mapsite.schedule.status import SORTS

    assert status.STAGES == STAGES
    assert status.SORTS == SORTS
    assert deploy.DEFAULT_MAX_DELETES == DEFAULT_MAX_DELETES
    assert new.BLUEPRINTS == BLUEPRINTS
