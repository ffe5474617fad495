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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mapsite.atomic import write_atomic
from mapsite.clock import resolve_today
from mapsite.errors import Finding, MapsiteError, sort_findings
from mapsite.layout import SITE_FILE, TEAM_SLUG
from mapsite.model.deal import Deal
from mapsite.pipeline.load import deal_source, deal_sources, load_deals
from mapsite.pipeline.protect import protect_pages
from mapsite.preview.errorpage import error_page
from mapsite.preview.server import CLIENT_PATH, start_server
from mapsite.preview.watch import BatchingWatcher
from mapsite.read.site import Site, load_site
from mapsite.render.blueprints import BLUEPRINT_DIR
from mapsite.render.pages import Page, RenderError, render_deal, render_shared, render_team
from mapsite.render.theme import Theme, default_theme_dir
from mapsite.schedule.plan import build_plan
from mapsite.schedule.status import DealStatus, deal_status

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
    files: dict[str, bytes] = field(default_factory=dict)
    owners: dict[str, str | None] = field(default_factory=dict)
    slugs: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[Finding]] = field(default_factory=dict)
    theme: Theme | None = None
    # Each deal's row of the team dashboard, so one deal's rebuild refreshes the dashboard too.
    rows: dict[str, DealStatus] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    notify: Callable[[list[str]], None] = lambda _paths: None

    # ------------------------------------------------------------------ building

    def build_all(self) -> tuple[list[str], int]:
        """Everything, deal by deal, so one broken deal does not take the others down."""
        site, site_findings = load_site(self.site_dir)
        if any(f.is_error for f in site_findings):
            self._set_errors({ALL: site_findings})
            return [], 0
        loaded = load_deals(site, self.today, create_secret=True)
        # A full build may follow a theme change: templates and assets are read afresh.
        theme = self.theme = Theme.for_site(site.theme_dir)
        pages: list[Page] = []
        try:
            pages.extend(render_shared(site, theme).pages)
            for deal in loaded.deals:
                pages.extend(render_deal(deal, build_plan(deal, self.today), site, theme, self.protect).pages)
            self.rows = {deal.slug: deal_status(deal, self.today) for deal in loaded.deals}
            pages.extend(self._team(site, theme))
            if self.protect:
                pages, _ = protect_pages(site, loaded.deals, tuple(pages), theme, self.today)
        except (RenderError, MapsiteError) as exc:
            self._set_errors({ALL: _findings_of(exc)})
            return [], 0
        sources, _ = deal_sources(site)
        self.slugs = {key: deal.slug for (_, _, key), deal in _match_sources(sources, loaded.deals)}
        self._set_errors(self._by_deal(list(loaded.findings)))
        return self._replace(pages, scope=None), len(loaded.deals)

    def build_deal(self, key: str) -> tuple[list[str], str]:
        """One deal again; returns (changed paths, what happened: rebuilt, added or removed)."""
        site, site_findings = load_site(self.site_dir)
        if any(f.is_error for f in site_findings):
            self._set_errors({ALL: site_findings})
            return [], "failed"
        old_slug = self.slugs.get(key, key)
        if deal_source(site, key) is None:
            with self.lock:
                self.errors = {s: f for s, f in self.errors.items() if s not in (old_slug, ALL)}
            self.slugs.pop(key, None)
            self.rows.pop(old_slug, None)
            changed = self._replace([], scope=old_slug)
            return changed + self._refresh_team(site), "removed"
        loaded = load_deals(site, self.today, only=key, create_secret=True)
        deal = next(iter(loaded.deals), None)
        errors = self._by_deal(list(loaded.findings))
        with self.lock:
            self.errors = {s: f for s, f in self.errors.items() if s not in (old_slug, ALL)} | errors
        if deal is None:
            return [], "failed"
        # One deal changed, not the theme: compiled templates are reused (the slow part otherwise).
        if self.theme is None or self.theme.folders != Theme.for_site(site.theme_dir).folders:
            self.theme = Theme.for_site(site.theme_dir)
        theme = self.theme
        self.rows.pop(old_slug, None)
        self.rows[deal.slug] = deal_status(deal, self.today)
        try:
            pages = list(render_deal(deal, build_plan(deal, self.today), site, theme, self.protect).pages)
            pages.extend(self._team(site, theme))
            if self.protect:
                pages, _ = protect_pages(site, (deal,), tuple(pages), theme, self.today)
        except (RenderError, MapsiteError) as exc:
            self._set_errors({deal.slug: _findings_of(exc)})
            return [], "failed"
        team = [p for p in pages if p.deal == TEAM_SLUG]
        pages = [p for p in pages if p.deal == deal.slug]
        added = key not in self.slugs
        self.slugs[key] = deal.slug
        changed = self._replace(pages, scope=deal.slug)
        if team:
            changed += self._replace(team, scope=TEAM_SLUG)
        if old_slug != deal.slug:
            changed += self._replace([], scope=old_slug)
        return changed, "added" if added else "rebuilt"

    def _refresh_team(self, site: Site) -> list[str]:
        """The dashboard without a deal that was removed."""
        theme = self.theme or Theme.for_site(site.theme_dir)
        team = self._team(site, theme)
        if team and self.protect:
            sealed, _ = protect_pages(site, (), tuple(team), theme, self.today)
            team = [p for p in sealed if p.deal == TEAM_SLUG]
        return self._replace(team, scope=TEAM_SLUG) if team else []

    def _team(self, site: Site, theme: Theme) -> list[Page]:
        """The team dashboard, as the build makes it: only for a site with ``team_access``."""
        if not site.team_access:
            return []
        rows = sorted(self.rows.values(), key=lambda row: (row.close_date, row.slug))
        return [render_team(site, theme, rows, self.today, self.protect)]

    # ------------------------------------------------------------------ files

    def _replace(self, pages: list[Page], scope: str | None) -> list[str]:
        """Make the folder hold ``pages`` (all files, or one deal's); returns changed paths."""
        wanted = {page.path: self._preview(page) for page in pages}
        owners = {page.path: page.deal for page in pages}
        changed = []
        for path, content in wanted.items():
            if self.files.get(path) != content:
                write_atomic(self.out / path, content)
                changed.append(path)
        stale = [
            path
            for path, owner in self.owners.items()
            if path not in wanted and (scope is None or owner == scope)
        ]
        for path in stale:
            (self.out / path).unlink(missing_ok=True)
            self.files.pop(path, None)
            self.owners.pop(path, None)
            changed.append(path)
        self.files.update(wanted)
        self.owners.update(owners)
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


def _match_sources(
    sources: list[tuple[Path, Path, str]], deals: Iterable[Deal]
) -> list[tuple[tuple[Path, Path, str], Deal]]:
    """Pair each deal source (path, root, key) with the deal loaded from it."""
    by_source = {deal.source: deal for deal in deals}
    return [(source, by_source[source[0]]) for source in sources if source[0] in by_source]


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
    preview = Preview(site_dir.resolve(), out, resolve_today(today), protect, report, report_findings)
    watcher: BatchingWatcher | None = None
    try:
        preview.build_all()
        server = start_server(preview, host, port)
        preview.notify = server.notify
        site, _ = load_site(site_dir)
        kind = "protected preview" if protect else "preview, not protected"
        report(f"Serving {site.title} at {server.link()} ({kind})")
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
        if open_browser:
            webbrowser.open(server.link(once=True))
        server.run_until_interrupted()
    finally:
        if watcher is not None:
            watcher.stop()
        shutil.rmtree(out, ignore_errors=True)
    report("Stopped.")
