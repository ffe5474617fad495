"""``mapsite serve``: the live preview a rep keeps open while editing deals.

The same pipeline as ``build``, run again for what a change touches: a deal file rebuilds that
deal, a template, stylesheet or ``mapsite.yml`` rebuilds everything. Pages are written into a
temporary folder (never ``output/``, so a preview is never deployed), served on loopback, and
reloaded in the browser through the LiveReload protocol. A broken file shows its error in the
browser and the terminal; the server stays up.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import threading
import time
import traceback
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from mapsite.atomic import write_atomic
from mapsite.clock import resolve_today
from mapsite.errors import Finding, MapsiteError, has_errors, sort_findings
from mapsite.layout import SITE_FILE
from mapsite.pipeline.audit import AuditMemo, audit_save
from mapsite.pipeline.deal import DealJob, DealPages, claimed, make_deal, start_job
from mapsite.pipeline.find import find_deal, last_changed_dates, select_deals
from mapsite.pipeline.site_pages import shared_pages
from mapsite.pipeline.slips import save_slips
from mapsite.preview.errorpage import error_page
from mapsite.preview.running import announce, withdraw
from mapsite.preview.server import CLIENT_PATH, start_server
from mapsite.preview.watch import BatchingWatcher
from mapsite.protect.keys import missing_passwords
from mapsite.protect.update_keys import record_update_keys
from mapsite.read.site import load_site
from mapsite.render.blueprints import BLUEPRINT_DIR
from mapsite.render.pages import Page, RenderError
from mapsite.render.theme import default_theme_dir

BANNER = (
    '<div role="status" style="position:fixed;left:12px;bottom:12px;z-index:2147483647;'
    "background:#111827;color:#fff;font:600 13px/1.2 system-ui,sans-serif;padding:8px 12px;"
    'border-radius:8px;box-shadow:0 4px 12px rgba(0,0,0,.25)">Preview, not protected</div>'
)
ALL = "*"
Report = Callable[[str], None]


@dataclass
class Preview:
    """What the preview folder holds, which deal made which file, and what is broken."""

    site_dir: Path
    out: Path
    today: dt.date
    protect: bool
    report: Report
    reports_findings: Callable[[list[Finding]], None]
    # Each file in the folder: the page's content as made, and the bytes written (see _replace).
    files: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)
    # Every deal made, by key (its file or folder name), pages included: one deal's rebuild
    # remakes that deal and puts the site together again from the others as they are.
    made: dict[str, DealPages] = field(default_factory=dict)
    job: DealJob | None = None
    errors: dict[str, list[Finding]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    notify: Callable[[list[str]], None] = lambda _paths: None
    audits: AuditMemo = field(default_factory=AuditMemo)  # what a save's leak audit reuses

    @property
    def slugs(self) -> dict[str, str]:
        """Each deal's slug by key, for the deals that have one."""
        return {key: made.slug for key, made in self.made.items() if made.slug}

    # ------------------------------------------------------------------ building

    def build_all(self) -> tuple[list[str], int]:
        """Everything, deal by deal, so one broken deal does not take the others down."""
        site, site_findings = load_site(self.site_dir)
        if has_errors(site_findings):
            self._set_errors({ALL: site_findings})
            return [], 0
        locations, listing = select_deals(site)
        # A full build may follow a theme change: templates and assets are read afresh.
        self.job, _ = start_job(site, self.today, locations, self.protect, writes=True)
        self.made = {location.key: make_deal(self.job, location) for location in locations}
        changed = self._put_together(listing, audited=list(self.made.values()))
        return changed, sum(1 for made in self.made.values() if made.made)

    def build_deal(self, key: str) -> tuple[list[str], str]:
        """One deal again; returns (changed paths, what happened: rebuilt, added, removed, failed)."""
        if self.job is None:
            return self.build_all()[0], "rebuilt"
        location = find_deal(self.job.site, key)
        if location is None:
            self.made.pop(key, None)
            return self._put_together([], audited=[]), "removed"
        # One deal changed, not the theme or mapsite.yml: the job (compiled templates) is reused.
        changed = last_changed_dates([location.file], self.job.site.dir)
        self.job = replace(self.job, changed={**self.job.changed, **changed})
        added = key not in self.made
        made = self.made[key] = make_deal(self.job, location)
        paths = self._put_together([], audited=[made])
        if not made.made:
            return paths, "failed"
        return paths, "added" if added else "rebuilt"

    def _put_together(self, listing: list[Finding], audited: list[DealPages]) -> list[str]:
        """The site from every deal made: slugs, shared pages, the audit of ``audited``, errors.

        Returns the paths that changed in the folder. Whatever fails, the folder keeps serving
        what it had, and the error page stands in for what the error concerns.
        """
        job = self.job
        assert job is not None, "put together after a job started"
        made = list(self.made.values())
        kept, duplicates = claimed(made)
        findings = [*listing, *duplicates, *(f for deal in made for f in _problems(deal))]
        try:
            rows = [deal.status for deal in kept if deal.status]
            shared, weak = shared_pages(job, rows, sealed_deals=any(not deal.public for deal in kept))
            findings += weak
            if job.protect:
                kept_ids = {id(deal) for deal in kept}
                remade = [deal for deal in audited if id(deal) in kept_ids]
                audit_save(job, kept, remade, shared, self.audits)
        except (RenderError, MapsiteError) as exc:
            self._set_errors({ALL: _findings_of(exc)})
            return []
        if job.kdf is not None:
            job.kdf.save(prune=True)
        if job.slips is not None:
            save_slips(job.slips)
        if job.protect:
            records = (deal.update_record for deal in audited if deal.update_record)
            record_update_keys(job.site.dir, job.secret, records)
        self._set_errors(self._by_deal(findings))
        return self._replace([*shared, *(page for deal in kept for page in deal.pages)])

    # ------------------------------------------------------------------ files

    def _replace(self, pages: list[Page]) -> list[str]:
        """Make the folder hold exactly ``pages``; returns the paths that changed.

        A page whose content is the very bytes object of the last save (a deal not remade) is
        neither copied for the preview nor compared again: at 1,000 deals that was ~2,000
        pages of ~60 KB each, 33 of the 48 ms a save took (bench corpus).
        """
        wanted: dict[str, tuple[bytes, bytes]] = {}
        changed = []
        for page in pages:
            kept = self.files.get(page.path)
            if kept is not None and kept[0] is page.content:
                wanted[page.path] = kept
                continue
            content = self._preview(page)
            if kept is None or kept[1] != content:
                write_atomic(self.out / page.path, content)
                changed.append(page.path)
            wanted[page.path] = (page.content, content)
        for path in [path for path in self.files if path not in wanted]:
            (self.out / path).unlink(missing_ok=True)
            changed.append(path)
        self.files = wanted
        return changed

    def _preview(self, page: Page) -> bytes:
        """Preview pages carry the reload client and, when readable, the banner saying so."""
        if not page.path.endswith(".html"):
            return page.content
        extra = f'<script src="{CLIENT_PATH}"></script>'
        if not self.protect:
            extra = BANNER + extra
        marker = page.content.rfind(b"</body>")
        if marker < 0:
            return page.content + extra.encode()
        return page.content[:marker] + extra.encode() + page.content[marker:]

    # ------------------------------------------------------------------ errors

    def _by_deal(self, findings: list[Finding]) -> dict[str, list[Finding]]:
        """Errors grouped by the deal whose page should show them (ALL for site-wide files)."""
        grouped: dict[str, list[Finding]] = {}
        for finding in findings:
            if not finding.is_error:
                continue
            parts = Path(finding.path).parts
            if parts[:2] == ("content", "deals") and len(parts) > 2:
                key = Path(parts[2]).stem if len(parts) == 3 else parts[2]
                grouped.setdefault(self.slugs.get(key, key), []).append(finding)
            else:
                grouped.setdefault(ALL, []).append(finding)
        return grouped

    def _set_errors(self, errors: dict[str, list[Finding]]) -> None:
        with self.lock:
            self.errors = errors

    def error_for(self, path: str) -> bytes | None:
        """The error page to show instead of ``path``, if something it depends on is broken."""
        with self.lock:
            findings = self.errors.get(ALL) or self.errors.get(path.split("/", 1)[0])
        if not findings:
            return None
        return error_page(findings, self.site_dir, CLIENT_PATH)

    def current_errors(self) -> list[Finding]:
        with self.lock:
            return sort_findings(f for group in self.errors.values() for f in group)

    # ------------------------------------------------------------------ changes

    def on_change(self, paths: set[Path]) -> None:
        """Called by the watcher with one quiet batch of changed paths."""
        started = time.perf_counter()
        keys, everything = self._classify(paths)
        had_errors = bool(self.current_errors())
        changed: list[str] = []
        try:
            if everything:
                changed, count = self.build_all()
                self.report(f"rebuilt all {count} deals in {_ms(started)} ms ({len(changed)} pages changed)")
            for key in sorted(keys):
                paths_changed, what = self.build_deal(key)
                changed += paths_changed
                if what == "removed":
                    self.report(f"removed deal {key}")
                elif what == "added":
                    self.report(f"added deal {self.slugs[key]} in {_ms(started)} ms")
                elif what == "rebuilt":
                    slug = self.slugs[key]
                    self.report(f"rebuilt {slug} in {_ms(started)} ms ({len(paths_changed)} pages changed)")
        except Exception as exc:  # the preview must outlive any bug of its own
            message = f"internal error while rebuilding: {type(exc).__name__}: {exc}"
            traceback.print_exc()
            self._set_errors({ALL: [Finding("mapsite", None, "error", message, "this is a bug in mapsite")]})
            self._failed()
            return
        if self.current_errors():
            self._failed()
        else:
            # Coming back from an error page, every open page reloads, changed or not.
            self.notify(["*"] if had_errors else changed)

    def _failed(self) -> None:
        self.reports_findings(self.current_errors())
        self.report("build failed: fix the error and save again (the browser shows it too)")
        self.notify(["*"])

    def _classify(self, paths: set[Path]) -> tuple[set[str], bool]:
        """Deal keys touched by the change, or True when everything depends on it."""
        deals_dir = (self.site_dir / "content" / "deals").resolve()
        keys: set[str] = set()
        for path in paths:
            resolved = path.resolve()
            if not resolved.is_relative_to(deals_dir) or resolved == deals_dir:
                return set(), True
            parts = resolved.relative_to(deals_dir).parts
            name = parts[0]
            if len(parts) == 1:
                if not name.endswith(".md"):
                    continue
                name = name[: -len(".md")]
            if name.startswith((".", "_")):
                continue
            keys.add(name)
        return keys, False


def _findings_of(exc: Exception) -> list[Finding]:
    if isinstance(exc, RenderError):
        return [exc.finding]
    assert isinstance(exc, MapsiteError)
    return list(exc.findings) or [Finding(SITE_FILE, None, "error", exc.message, exc.hint)]


def _problems(made: DealPages) -> list[Finding]:
    """A deal's findings, with a missing password or a theme failure as findings too."""
    problems = list(made.findings)
    if made.missing_passwords:
        problems += _findings_of(missing_passwords(list(made.missing_passwords)))
    if made.failure:
        problems += _findings_of(made.failure)
    return problems


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


def watched_folders(site_dir: Path, site_theme: Path | None) -> list[Path]:
    """Content, the site's theme and assets, and mapsite's own theme and blueprints when they
    are an editable checkout (an installed package does not change under a rep's feet)."""
    folders = [site_dir / "content", site_dir / "themes", site_dir / "assets"]
    if site_theme:
        folders.append(site_theme)
    default = default_theme_dir()
    if "site-packages" not in default.parts:
        folders += [default, BLUEPRINT_DIR]
    return folders


def serve(
    site_dir: Path,
    host: str,
    port: int,
    protect: bool,
    open_browser: bool,
    today: dt.date | None,
    report: Report,
    report_findings: Callable[[list[Finding]], None],
) -> None:
    """Build, serve and watch until Ctrl-C; the temporary folder is removed on the way out."""
    out = Path(tempfile.mkdtemp(prefix="mapsite-preview-"))
    site, _ = load_site(site_dir)
    pinned = site.today
    preview = Preview(site_dir.resolve(), out, resolve_today(today, pinned), protect, report, report_findings)
    watcher: BatchingWatcher | None = None
    announced: str | None = None
    try:
        preview.build_all()
        server = start_server(preview, host, port)
        preview.notify = server.notify
        kind = "protected preview" if protect else "preview, not protected"
        report(f"Serving {site.title} at {server.link()} ({kind})")
        if pinned and not today:
            report(
                f"As of {pinned:%Y-%m-%d}, the day mapsite.yml sets (today:); --today DATE for another day"
            )
        for slug in sorted(preview.slugs.values()):
            report(f"  {slug}: {server.link(f'{slug}/')}")
        if not server.loopback:
            report(
                f"warning: listening on {host}, not loopback: anyone on the network can read the previews "
                "of readable deals (the default --host 127.0.0.1 keeps them on this machine)"
            )
        if preview.current_errors():
            preview._failed()
        watcher = BatchingWatcher(
            watched_folders(site_dir, site.theme_dir), [site_dir / SITE_FILE], preview.on_change
        )
        watcher.start()
        report("Watching for changes. Press Ctrl-C to stop.")
        announced = server.link()
        announce(site_dir, announced)  # for mapsite open
        if open_browser:
            webbrowser.open(server.link(once=True))
        server.run_until_interrupted()
    finally:
        if watcher is not None:
            watcher.stop()
        if announced:
            withdraw(site_dir, announced)
        shutil.rmtree(out, ignore_errors=True)
    report("Stopped.")
