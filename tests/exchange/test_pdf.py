"""``mapsite pdf``: the printed plan of a deal, through a real process and a real Chromium."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from mapsite.errors import MapsiteError
from mapsite.exchange.pdf import find_chromium, print_with_chromium
from mapsite.pipeline.build import build
from tests.helpers import PASSWORDS, TODAY

ACME = "Acme x Northwind: Marketing Automation Rollout"
NO_CHROMIUM = "does-not-exist/chromium"


def run_in(folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """The command in a real process, started in ``folder`` (where the PDF lands by default)."""
    return subprocess.run(
        [sys.executable, "-m", "mapsite", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=folder,
        env={**os.environ, **env},
    )


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1))


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A short TMPDIR for a process (Chromium's sockets there must fit in 107 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="mapsite-test-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder)


def test_pdf_prints_the_plan_of_acme(example_site, workdir, scratch):
    # ``scratch`` is the process's TMPDIR: whatever the command leaves there is a leak.
    result = run_in(
        workdir, "pdf", "acme", "--site", str(example_site), "--today", TODAY, TMPDIR=str(scratch)
    )
    assert result.returncode == 0, result.stderr
    # In the site's pdf/ folder: not loose where the command ran, not in output/, which is published.
    pdf = example_site / "pdf" / "acme.pdf"
    assert result.stdout == f"Wrote {pdf}: the plan of {ACME}, as of 2027-02-22.\n"
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert 1 <= pdf_pages(pdf) <= 3
    text = " ".join(pdf_text(pdf).split())
    for expected in (
        ACME,
        "Security Review Complete",
        "Contract Signature",
        "Kickoff Call",
        "Dana Whitfield",
        "Provide data sample for POC",  # a commitment
        "Fri, Apr 30, 2027",  # the target close
        "In 67 days",  # as of --today
    ):
        assert expected in text, expected
    # Only the printed plan: no sections left to the portal, no password, nothing left behind.
    assert "Swipe sideways" not in text and "Log out" not in text and "Q1 budget freeze" not in text
    assert PASSWORDS["ACME_PORTAL_PASSWORD"] not in text
    assert list(workdir.iterdir()) == []
    assert sorted(p.name for p in pdf.parent.iterdir()) == ["acme.pdf"]
    assert list(scratch.iterdir()) == []
    assert not (example_site / "output").exists()


def test_pdf_run_in_the_site_folder_lands_in_pdf_and_out_may_name_a_folder(example_site, tmp_path):
    before = sorted(p.name for p in example_site.iterdir())
    result = run_in(example_site, "pdf", "bluebird-bakery", "--today", TODAY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Wrote pdf/bluebird-bakery.pdf: the plan of ")
    assert sorted(p.name for p in example_site.iterdir()) == sorted([*before, "pdf"])
    assert (example_site / "pdf" / "bluebird-bakery.pdf").read_bytes().startswith(b"%PDF-")
    folder = tmp_path / "attachments"
    folder.mkdir()
    result = run_in(example_site, "pdf", "bluebird-bakery", "--out", str(folder), "--today", TODAY)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in folder.iterdir()] == ["bluebird-bakery.pdf"]


def test_pdf_without_chromium_says_what_to_install(example_site, workdir):
    result = run_in(workdir, "pdf", "acme", "--site", str(example_site), MAPSITE_CHROMIUM=NO_CHROMIUM)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"error: mapsite pdf needs Chromium: MAPSITE_CHROMIUM is set to {NO_CHROMIUM}, which is not a "
        "program; install Chromium (apt install chromium) or point MAPSITE_CHROMIUM at it\n"
    )
    assert list(workdir.iterdir()) == []


def test_chromium_is_found_on_path_unless_overridden(tmp_path, monkeypatch):
    browser = tmp_path / "bin" / "chromium-browser"
    browser.parent.mkdir()
    browser.write_text("#!/bin/sh\n")
    browser.chmod(0o755)
    monkeypatch.setenv("PATH", str(browser.parent))
    monkeypatch.delenv("MAPSITE_CHROMIUM", raising=False)
    assert find_chromium() == browser
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert find_chromium() is None
    monkeypatch.setenv("MAPSITE_CHROMIUM", str(browser))
    assert find_chromium() == browser
    browser.chmod(0o644)
    assert find_chromium() is None


def test_pdf_of_an_unknown_slug_suggests_the_nearest(example_site, workdir):
    result = run_in(workdir, "pdf", "acm", "--site", str(example_site), MAPSITE_CHROMIUM=NO_CHROMIUM)
    assert result.returncode == 1
    assert result.stderr == (
        "error: no deal with slug 'acm', nor a deal file or folder of that name (hint: did you mean 'acme'?)\n"
    )
    assert list(workdir.iterdir()) == []


def test_pdf_into_a_missing_folder_is_refused(example_site, workdir):
    result = run_in(workdir, "pdf", "acme", "--site", str(example_site), "--out", "missing/plan.pdf")
    assert result.returncode == 1
    assert result.stderr == (
        "error: the folder missing does not exist (hint: create it or choose another --out)\n"
    )
    assert list(workdir.iterdir()) == []


def test_chromium_command_line_prints_without_playwright(example_site, tmp_path):
    """The path taken where Playwright is not installed: Chromium's own --print-to-pdf."""
    chromium = find_chromium()
    assert chromium is not None, "Chromium is installed where the tests run"
    out = tmp_path / "site"
    build(example_site, out=out, today=dt.date(2027, 2, 22), only="bluebird-bakery", protect=False)
    target = tmp_path / "bluebird.pdf"
    profile = tmp_path / "profile"
    print_with_chromium(out / "bluebird-bakery" / "index.html", target, chromium, profile)
    text = " ".join(pdf_text(target).split())
    assert "Bluebird Bakery x Northwind: Customer Loyalty Emails" in text
    assert "Plan and pricing confirmed" in text and "Grace Lindqvist" in text
    assert 1 <= pdf_pages(target) <= 2
    # The browser ran in the profile folder it was given (the caller removes it).
    assert profile.is_dir()


FATAL = "[7:7:0101/000000.000000:FATAL:chrome/app/main.cc:12] Out of memory while printing\n"


@pytest.fixture
def broken_chromium(tmp_path: Path) -> Path:
    """A "browser" that dies at once with a fatal error, as Chromium logs one."""
    program = tmp_path / "chromium"
    program.write_text(f"#!/bin/sh\necho 'starting' >&2\nprintf '%s' '{FATAL}' >&2\nexit 1\n")
    program.chmod(0o755)
    return program


def test_a_browser_that_fails_is_reported_by_its_fatal_error(example_site, workdir, broken_chromium):
    result = run_in(
        workdir, "pdf", "acme", "--site", str(example_site), MAPSITE_CHROMIUM=str(broken_chromium)
    )
    assert result.returncode == 1
    assert result.stderr.endswith(
        f"error: Chromium ({broken_chromium}) could not print the plan: Out of memory while printing\n"
    )
    assert list(workdir.iterdir()) == []
    assert not (example_site / "pdf").exists()


def test_chromium_command_line_failure_names_the_reason(tmp_path, broken_chromium):
    page = tmp_path / "index.html"
    page.write_text("<h1>Plan</h1>")
    with pytest.raises(MapsiteError) as failed:
        print_with_chromium(page, tmp_path / "plan.pdf", broken_chromium, tmp_path / "profile")
    assert failed.value.message == (
        f"Chromium ({broken_chromium}) could not print the plan: Out of memory while printing"
    )
