"""``mapsite pdf``: one deal's plan as a PDF, printed by headless Chromium.

The PDF is the portal's own print view (the theme's print rules), so the file a rep attaches
to an email and the page a buyer prints from the portal are the same document. The deal is
built readable into a temporary folder, never into output/, and everything temporary (the
pages, the browser profile) is removed before the command returns. The PDF holds the deal
itself and nothing else: no password, no key, no other deal.

Chromium is found through ``MAPSITE_CHROMIUM`` (a path, for a browser off PATH or to pin one),
else the usual names on PATH. Playwright drives it when installed (it is a test extra, not a
requirement); otherwise Chromium's own ``--print-to-pdf`` does the printing.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from mapsite.errors import MapsiteError
from mapsite.pipeline.build import BuildReport, build

# Where a PDF goes by default, in the site folder: beside output/, not in it. output/ is the
# published site (a deploy would send a readable plan to the host, and a build deletes what it did
# not write there), and a PDF loose in the site folder is easily committed or lost among sources.
PDF_DIR = "pdf"
CHROMIUM_ENV = "MAPSITE_CHROMIUM"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PRINT_TIMEOUT = 120  # seconds; a local page prints in about two


def find_chromium() -> Path | None:
    """The browser to print with: ``MAPSITE_CHROMIUM`` when set (and only then), else PATH."""
    override = os.environ.get(CHROMIUM_ENV)
    if override:
        path = Path(override)
        return path if path.is_file() and os.access(path, os.X_OK) else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def write_pdf(site_dir: Path, slug: str, target: Path, today: dt.date | None = None) -> BuildReport:
    """Build deal ``slug`` readable in a temporary folder and print its page to ``target``.

    The caller checks that the slug exists (for a "did you mean"); here an unknown slug is one
    more build error.
    """
    _check_target(target, site_dir)
    chromium = find_chromium()
    if chromium is None:
        raise MapsiteError(_no_chromium_message())
    with tempfile.TemporaryDirectory(prefix="mapsite-pdf-") as folder:
        temporary = Path(folder)
        try:
            result = build(site_dir, out=temporary / "site", today=today, only=slug, protect=False)
        except MapsiteError as exc:
            raise MapsiteError(
                f"no PDF written: the deal '{slug}' does not build", exc.findings, "fix the errors above"
            ) from None
        printed = temporary / "plan.pdf"
        page = temporary / "site" / slug / "index.html"
        if importlib.util.find_spec("playwright") is not None:
            print_with_playwright(page, printed, chromium)
        else:
            print_with_chromium(page, printed, chromium, temporary / "profile")
        _place(printed, target)
    return result


def print_with_playwright(page: Path, target: Path, chromium: Path) -> None:
    """Print through Playwright, which waits for the page and cleans up its own profile."""
    from playwright.sync_api import Error, sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(chromium), args=["--disable-gpu"])
            try:
                tab = browser.new_page()
                tab.goto(_as_built(page), wait_until="load")
                tab.pdf(path=str(target), prefer_css_page_size=True)
            finally:
                browser.close()
    except Error as exc:
        raise MapsiteError(f"Chromium ({chromium}) could not print the plan: {_reason(str(exc))}") from None


def print_with_chromium(page: Path, target: Path, chromium: Path, profile: Path) -> None:
    """Print with Chromium's own command line, in a throwaway profile folder."""
    command = [
        str(chromium),
        "--headless",
        "--disable-gpu",
        "--no-first-run",
        "--no-default-browser-check",
        f"--user-data-dir={profile}",
        "--no-pdf-header-footer",
        f"--print-to-pdf={target}",
        _as_built(page),
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.insert(1, "--no-sandbox")  # Chromium refuses to start as root with its sandbox
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=PRINT_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise MapsiteError(f"Chromium ({chromium}) did not finish printing in {PRINT_TIMEOUT} s") from None
    except OSError as exc:
        raise MapsiteError(f"Chromium ({chromium}) could not start: {exc.strerror}") from None
    if done.returncode != 0 or not _is_pdf(target):
        reason = _reason(done.stderr) or f"exit code {done.returncode}"
        raise MapsiteError(f"Chromium ({chromium}) could not print the plan: {reason}")


def _as_built(page: Path) -> str:
    """The page's address for a snapshot: its figures as of the build day (the day ``pdf`` was
    given), not recounted for the printing machine's clock (see static/live-dates.js)."""
    return page.as_uri() + "?as-built"


def _reason(log: str) -> str:
    """The line of a browser log that says why it stopped: its fatal error, else its first line."""
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    fatal = next((line for line in lines if ":FATAL:" in line), None)
    if fatal:
        return re.sub(r"^.*:FATAL:[^\]]*\]\s*", "", fatal)  # drop the [pid:tid:time:FATAL:file:line] prefix
    return lines[0] if lines else ""


def _no_chromium_message() -> str:
    override = os.environ.get(CHROMIUM_ENV)
    if override:
        return (
            f"mapsite pdf needs Chromium: {CHROMIUM_ENV} is set to {override}, which is not a program; "
            f"install Chromium (apt install chromium) or point {CHROMIUM_ENV} at it"
        )
    return (
        "mapsite pdf needs Chromium: install it (apt install chromium), or Google Chrome, "
        f"or set {CHROMIUM_ENV} to the browser's path"
    )


def _check_target(target: Path, site_dir: Path) -> None:
    """Refuse a target that cannot be written; the site's pdf/ is created once there is a PDF."""
    if target.is_dir():
        raise MapsiteError(f"{target} is a folder", hint="give --out a file name, e.g. --out plan.pdf")
    if not target.parent.is_dir() and target.parent != site_dir / PDF_DIR:
        raise MapsiteError(
            f"the folder {target.parent} does not exist", hint="create it or choose another --out"
        )


def _place(printed: Path, target: Path) -> None:
    """Copy the PDF next to the target, then rename: a reader never sees half a file."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    target.parent.mkdir(exist_ok=True)
    try:
        shutil.copyfile(printed, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(5) == b"%PDF-"
    except OSError:
        return False
