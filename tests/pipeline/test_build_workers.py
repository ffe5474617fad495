"""Builds across worker processes, and rebuilds that find nothing changed."""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import os
import subprocess
import sys
import weakref
from concurrent.futures import ProcessPoolExecutor

import pytest

from mapsite.errors import Finding, MapsiteError
from mapsite.pipeline import build as build_module
from mapsite.pipeline import worker as worker_module
from mapsite.pipeline.worker import DealOutcome
from tests.helpers import MINIMAL_DEAL, TODAY, line_of, tree


def mapsite(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mapsite", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **env},
    )


def many_deals(count: int = 12) -> dict[str, str]:
    deals = {}
    for n in range(count):
        text = MINIMAL_DEAL.replace("Buyer Co", f"Buyer {n:02d} Co")
        deals[f"buyer-{n:02d}.md"] = text.replace("---\ntitle", f"---\nslug: buyer-{n:02d}\ntitle", 1)
    return deals


def test_workers_write_the_same_bytes_as_one_process(site_factory, tmp_path):
    site = site_factory.make(many_deals())
    one = mapsite(
        "build", "--site", str(site), "--today", TODAY, "--out", str(tmp_path / "one"), MAPSITE_WORKERS="1"
    )
    three = mapsite(
        "build", "--site", str(site), "--today", TODAY, "--out", str(tmp_path / "three"), MAPSITE_WORKERS="3"
    )
    assert one.returncode == 0 and three.returncode == 0, one.stderr + three.stderr
    assert "Built 12 deals" in three.stdout and "12 protected" in three.stdout
    files = tree(tmp_path / "one")
    assert len([path for path in files if path.endswith("/index.html")]) == 12
    assert files == tree(tmp_path / "three")


def test_a_slug_claimed_twice_is_an_error_at_its_line_whichever_worker_reads_it(site_factory):
    deals = many_deals()
    deals["buyer-11.md"] = deals["buyer-11.md"].replace("slug: buyer-11", "slug: buyer-03")
    site = site_factory.make(deals)
    result = mapsite("build", "--site", str(site), "--today", TODAY, MAPSITE_WORKERS="2")
    assert result.returncode == 1
    line = line_of(deals["buyer-11.md"], "slug: buyer-03")
    expected = f"content/deals/buyer-11.md:{line}: error: slug 'buyer-03' is already used by content/deals/buyer-03.md"
    assert expected in result.stderr
    assert not (site / "output").exists()


def test_missing_passwords_of_all_deals_are_named_in_one_error(site_factory):
    deals = many_deals()
    for name in ("buyer-02.md", "buyer-09.md"):
        deals[name] = deals[name].replace("TEST_PORTAL_PASSWORD", f"PW_{name[6:8]}")
    site = site_factory.make(deals)
    result = mapsite("build", "--site", str(site), "--today", TODAY, MAPSITE_WORKERS="2")
    assert result.returncode == 1
    assert "2 access passwords are not set: PW_02, PW_09" in result.stderr


FINDINGS = (
    Finding("content/deals/b.md", 12, "error", "password too short", "use 12 characters or more"),
    Finding("content/deals/a.md", None, "warning", "no owner"),
)


def _worker_error() -> MapsiteError:
    return MapsiteError("2 access passwords are not set", FINDINGS, "set them in .mapsite/passwords")


def _worker_raises() -> None:
    raise _worker_error()


def test_an_error_with_findings_comes_back_whole_from_a_worker_process():
    # Deal workers hand their MapsiteErrors to the build as they are: no wrapper needed.
    expected = _worker_error()
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        returned = pool.submit(_worker_error).result()
        with pytest.raises(MapsiteError) as raised:
            pool.submit(_worker_raises).result()

    def parts(error: MapsiteError) -> tuple:
        return str(error), error.message, error.findings, error.hint

    assert parts(returned) == parts(raised.value) == parts(expected)
    assert [f.path for f in returned.findings] == ["content/deals/a.md", "content/deals/b.md"]


def test_a_rebuild_with_nothing_changed_leaves_the_output_alone(site_factory):
    site = site_factory.make(many_deals(4))
    first = mapsite("build", "--site", str(site), "--today", TODAY)
    assert first.returncode == 0, first.stderr
    page = site / "output" / "buyer-01" / "index.html"
    before = page.stat()
    again = mapsite("build", "--site", str(site), "--today", TODAY)
    assert again.returncode == 0, again.stderr
    assert "output is up to date: nothing changed since it was built (4 deals, 4 protected" in again.stdout
    assert (page.stat().st_ino, page.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    # The warnings of the build it stands for are shown again: they are still true.
    assert first.stderr.count("warning:") == again.stderr.count("warning:")


def test_every_input_of_a_build_makes_the_next_one_rebuild(site_factory):
    site = site_factory.make(many_deals(4))
    build = ("build", "--site", str(site), "--today", TODAY)
    assert mapsite(*build).returncode == 0

    def rebuilt(*args: str, **env: str) -> bool:
        result = mapsite(*args, **env)
        assert result.returncode == 0, result.stderr
        return "Built 4 deals" in result.stdout

    assert not rebuilt(*build)
    assert rebuilt(*build, TEST_PORTAL_PASSWORD="a-new-password")
    assert rebuilt(*build)  # and back: the output holds the new password's slots until then
    assert rebuilt("build", "--site", str(site), "--today", "2027-02-23")
    assert rebuilt(*build)
    deal = site / "content" / "deals" / "buyer-02.md"
    deal.write_text(deal.read_text("utf-8").replace("cuts onboarding", "halves onboarding"), "utf-8")
    assert rebuilt(*build)
    (site / "assets").mkdir()
    (site / "assets" / "logo.svg").write_text("<svg/>", "utf-8")
    assert rebuilt(*build)
    assert rebuilt(*build, "--force")
    assert mapsite("share", "buyer-02", "--label", "Dana", "--site", str(site)).returncode == 0
    assert rebuilt(*build)
    assert not rebuilt(*build)
    marker = site / "output" / ".mapsite-build.json"  # an output built by other means: no inputs
    marker.write_text('{"generator": "mapsite", "protected": true}', "utf-8")
    assert rebuilt(*build)


def test_a_one_deal_build_does_not_pass_for_a_full_one(site_factory):
    site = site_factory.make(many_deals(4))
    build = ("build", "--site", str(site), "--today", TODAY)
    assert mapsite(*build).returncode == 0
    deal = site / "content" / "deals" / "buyer-02.md"
    deal.write_text(deal.read_text("utf-8").replace("cuts onboarding", "halves onboarding"), "utf-8")
    only = mapsite(*build, "--only", "buyer-02")
    assert only.returncode == 0 and "Built 1 deal " in only.stdout, only.stderr
    assert "Built 4 deals" in mapsite(*build).stdout


def test_a_template_that_does_not_compile_is_reported_at_its_line_by_a_worker_build(site_factory):
    """A build with workers compiles the theme first, for the workers to inherit; a template
    that does not compile is still reported by the render, at its file and line."""
    from tests.helpers import add_site_theme

    site = site_factory.make(many_deals())
    templates = add_site_theme(site, "brand")
    (templates / "deal.html").write_text(
        '{% extends "base.html" %}\n{% block content %}\n{% if %}\n', "utf-8"
    )
    result = mapsite("build", "--site", str(site), "--today", TODAY, "--no-protect", MAPSITE_WORKERS="2")
    assert result.returncode == 1
    assert (
        "themes/brand/templates/deal.html:3: error: template syntax error: Expected an expression, got "
        "'end of statement block'" in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_deals_handed_over_by_the_workers_are_not_held_until_the_last_is_in(site_factory, monkeypatch):
    # The build spools each outcome as it arrives (pipeline/spool.py); the worker pool must
    # let go of it too, or a build holds every deal's summary at once after all.
    site = site_factory.make(many_deals(16))
    monkeypatch.setenv("MAPSITE_WORKERS", "2")
    handed: list[weakref.ref[DealOutcome]] = []
    still_held: list[int] = []
    making = build_module.run_deals

    def watched(*args):
        for outcome in making(*args):
            gc.collect()
            # Every outcome handed over before the one before this one is gone by now.
            still_held.append(sum(ref() is not None for ref in handed[:-1]))
            handed.append(weakref.ref(outcome))
            yield outcome

    monkeypatch.setattr(build_module, "run_deals", watched)
    report = build_module.build(site, today=dt.date.fromisoformat(TODAY))
    assert report.deals == 16 and len(handed) == 16
    assert still_held == [0] * 16


def test_what_the_build_process_held_before_a_worker_build_is_still_collected_after_it(
    site_factory, monkeypatch
):
    # The workers inherit the build process's objects frozen out of the garbage collector's
    # reach (pipeline/worker.py). The build process goes on (serve builds again and again): a
    # cycle it let go of after the build must still be collected, not kept for good.
    site = site_factory.make(many_deals(8))
    monkeypatch.setenv("MAPSITE_WORKERS", "2")

    class Cycle:
        me: object = None

    cycle = Cycle()
    cycle.me = cycle
    gone = weakref.ref(cycle)
    report = build_module.build(site, today=dt.date.fromisoformat(TODAY))
    del cycle
    gc.collect()
    assert report.deals == 8
    assert gone() is None


def test_a_worker_killed_mid_build_stops_it_with_a_message_and_the_output_untouched(
    site_factory, monkeypatch
):
    # Enough deals that tasks are still to be handed out when the pool finds the worker gone.
    site = site_factory.make(many_deals(40))
    first = mapsite("build", "--site", str(site), "--today", TODAY)
    assert first.returncode == 0, first.stderr
    before = tree(site / "output")
    monkeypatch.setenv("MAPSITE_WORKERS", "2")
    writing = worker_module.write_deal

    def dies_on_the_sixth(job, parts, index, location):
        if index == 5:
            os._exit(9)  # what the kernel's out-of-memory killer leaves the pool to find
        return writing(job, parts, index, location)

    monkeypatch.setattr(worker_module, "write_deal", dies_on_the_sixth)
    with pytest.raises(MapsiteError) as stopped:
        build_module.build(site, today=dt.date.fromisoformat(TODAY), force=True)
    assert stopped.value.message == (
        "a build worker process stopped before its deals were made (out of memory, or killed); "
        "the previous output was left untouched"
    )
    assert stopped.value.hint == "run the build again; MAPSITE_WORKERS=1 builds every deal in one process"
    assert tree(site / "output") == before
