"""One deal from its file to its pages: load, schedule, render and, when protected, seal.

This is the only place where the stages run in sequence for a deal. ``build`` runs it in worker
processes and writes what it returns; ``check``, ``share``, the audit and the preview run it in
this process and keep the pages in memory; ``pdf`` goes through ``build``. So a deal looks the
same in every command, and a stage added here reaches all of them.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from mapsite.errors import Finding, MapsiteError, has_errors
from mapsite.layout import STATE_DIR
from mapsite.pipeline.find import DealLocation, last_changed_dates
from mapsite.pipeline.load import LoadedDeal, first_claims, load_deal
from mapsite.pipeline.slips import SlipSource, deal_slips, slip_source
from mapsite.protect.audit import Needle, deal_needles
from mapsite.protect.envelope import PREFIX, hmac_sha256
from mapsite.protect.kdf import KdfCache
from mapsite.protect.keys import derive_deal_keys, resolve_passwords
from mapsite.protect.links_only import unopenable_warning
from mapsite.protect.seal import CSP, seal_deal, unlock_asset
from mapsite.protect.secrets import Share, load_shares, site_secret
from mapsite.protect.strength import weak_password_findings
from mapsite.protect.update_keys import update_key_record
from mapsite.protect.views import views_key
from mapsite.read.site import Site
from mapsite.render.pages import Page, RenderError, render_closed, render_deal, render_shell
from mapsite.render.template_cache import SealedBytecodeCache
from mapsite.render.theme import Theme
from mapsite.render.updates import update_address
from mapsite.schedule.portal import portal_view
from mapsite.schedule.slips import NO_SLIPS, SlipHistory
from mapsite.schedule.status import DealStatus, deal_status, with_slips


@dataclass(frozen=True)
class DealJob:
    """What every deal of one run shares: read once, before any deal (workers inherit it)."""

    site: Site
    theme: Theme
    today: dt.date
    changed: Mapping[Path, dt.date]  # when each deal file last changed, the default of ``updated:``
    protect: bool = False
    secret: bytes = b""
    shares: tuple[Share, ...] = ()
    kdf: KdfCache | None = None
    unlock_path: str = ""
    writes: bool = False  # may create the site secret a ``slug: random`` deal needs
    slips: SlipSource | None = None  # the deals' git history, read once for the run


def start_job(
    site: Site,
    today: dt.date,
    locations: list[DealLocation],
    protect: bool,
    writes: bool,
    theme: Theme | None = None,
    changed: Mapping[Path, dt.date] | None = None,
) -> tuple[DealJob, bool]:
    """The job for these deals; returns whether the site secret was created for it.

    Only a run that ``writes`` (build, serve) may create the site secret or keep the theme's
    compiled templates (see render/template_cache.py); ``check``, ``share`` and the other
    commands that only read never write to ``.mapsite/``.
    """
    if changed is None:
        changed = last_changed_dates([location.file for location in locations], site.dir)
    theme = theme or Theme.for_site(site.theme_dir)
    job = DealJob(site, theme, today, changed, writes=writes, slips=slip_source(site))
    if not protect:
        return job, False
    secret, created = site_secret(site.dir)
    if writes:
        key = hmac_sha256(secret, f"{PREFIX}template-cache")
        theme.environment.bytecode_cache = SealedBytecodeCache(site.dir / STATE_DIR / "templates", key)
    shares = tuple(load_shares(site.dir))
    kdf = KdfCache(site.dir, secret)
    return replace(
        job, protect=True, secret=secret, shares=shares, kdf=kdf, unlock_path=unlock_asset().path
    ), created


@dataclass(frozen=True)
class DealPages:
    """One deal made: its pages (sealed when protected) and what the site-wide steps need."""

    loaded: LoadedDeal
    pages: tuple[Page, ...] = ()
    findings: tuple[Finding, ...] = ()
    public: bool = False
    status: DealStatus | None = None
    needles: tuple[Needle, ...] = ()  # for the leak audit, in a protecting run
    password_names: tuple[str, ...] = ()
    missing_passwords: tuple[MapsiteError, ...] = ()  # reported for all deals at once
    failure: MapsiteError | None = None  # the theme cannot draw the login page
    kdf_fresh: dict[str, str] = field(default_factory=dict)  # for a worker's parent to save
    kdf_used: tuple[str, ...] = ()
    archived: str | None = None  # the deal's ``archived:``: a closed page, or removed (no pages)
    slips: SlipHistory = NO_SLIPS
    update_record: tuple[str, str] | None = None  # for the parent to record (protect/update_keys.py)
    slips_fresh: dict[str, dict] = field(default_factory=dict)  # for a worker's parent to save

    @property
    def slug(self) -> str | None:
        return self.loaded.slug

    @property
    def made(self) -> bool:
        """Whether the deal has its pages: no error, no missing password, no failure."""
        return (
            self.slug is not None
            and not has_errors(self.findings)
            and not self.missing_passwords
            and self.failure is None
        )


def make_deal(job: DealJob, location: DealLocation) -> DealPages:
    """Load, plan, render and, in a protecting run, seal one deal; problems come back as data."""
    loaded = load_deal(job.site, job.today, location, job.changed.get(location.file), job.writes)
    deal = loaded.deal
    if deal is None or has_errors(loaded.findings):
        return DealPages(loaded, findings=loaded.findings)
    if deal.archived:
        return _archived(job, loaded)
    protected = job.protect and not deal.public
    try:
        # The deal file's git history marks each item whose due date moved ("moved from Apr 30").
        source = job.slips
        folded_before = set(source.fresh) if source else set()
        slips = deal_slips(source, deal) if source else NO_SLIPS
        view = portal_view(deal, job.today, slips)
        rendered = render_deal(deal, view, job.site, job.theme, protected)
    except RenderError as exc:
        return DealPages(loaded, findings=(*loaded.findings, exc.finding))
    made = DealPages(
        loaded,
        pages=rendered.pages,
        findings=(*loaded.findings, *rendered.findings),
        public=deal.public,
        status=with_slips([deal_status(deal, job.today)], {deal.slug: slips.count})[0],
        slips=slips,
        slips_fresh={k: v for k, v in source.fresh.items() if k not in folded_before} if source else {},
        # What a public deal shows as its own is no leak of a protected one (see the audit).
        needles=tuple(deal_needles(deal)) if job.protect else (),
    )
    return _sealed(job, made) if protected else made


def _archived(job: DealJob, loaded: LoadedDeal) -> DealPages:
    """An archived deal: the neutral closed page, or (``removed``) no page; no password needed.

    Its needles stay those of a protected deal, so the leak audit proves that the page shows
    nothing of it. It has no row on the team dashboard: it left the site.
    """
    deal = loaded.deal
    assert deal is not None and deal.archived, "an archived deal"
    pages = (render_closed(job.site, job.theme, deal.slug),) if deal.archived == "closed" else ()
    needles = tuple(deal_needles(deal)) if job.protect else ()
    return DealPages(loaded, pages=pages, findings=loaded.findings, needles=needles, archived=deal.archived)


def _sealed(job: DealJob, made: DealPages) -> DealPages:
    deal = made.loaded.deal
    assert deal is not None and job.kdf is not None, "a protecting run has a deal and a KDF cache"
    made = replace(made, password_names=tuple(e.password_env for e in deal.access if e.password_env))
    _passwords, problems = resolve_passwords(deal, job.site.dir)
    if weak := weak_password_findings(problems):
        return replace(made, pages=(), findings=(*made.findings, *weak))  # errors at their access entries
    if problems:
        return replace(made, pages=(), missing_passwords=tuple(problems))
    kdf = job.kdf
    fresh_before, used_before = set(kdf.fresh), set(kdf.used)
    try:
        keys = derive_deal_keys([deal], job.site.dir, job.secret, job.today, kdf, list(job.shares))
        shell = shell_renderer(job.site, job.theme, job.unlock_path)
        views = views_key(job.secret) if job.site.analytics else None
        address = update_address(deal)
        pages = seal_deal(
            list(made.pages),
            keys[deal.slug],
            shell,
            job.site.remember_days,
            job.today.isoformat(),
            views,
            updates=True,
            updates_to=(address.name, address.email) if address else None,
        )
    except MapsiteError as exc:
        return replace(made, pages=(), failure=exc)
    nobody = unopenable_warning(deal, job.shares, job.today, made.loaded.display)  # access: links, no link
    return replace(
        made,
        pages=tuple(pages),
        findings=(*made.findings, nobody) if nobody else made.findings,
        kdf_fresh={key: value for key, value in kdf.fresh.items() if key not in fresh_before},
        kdf_used=tuple(kdf.used - used_before),
        # Codes sealed on these pages must open in the inbox after the next re-key too.
        update_record=update_key_record(keys[deal.slug]),
    )


def claimed(made: Iterable[DealPages]) -> tuple[list[DealPages], list[Finding]]:
    """The deals made whose slug is theirs, and an error at the ``slug:`` line of every deal
    that claims a slug an earlier one (in file order) has."""
    kept = [deal for deal in made if deal.made]
    claims, duplicates = first_claims(deal.loaded for deal in kept)
    return [deal for deal in kept if claims[deal.slug or ""] is deal.loaded], duplicates


def shell_renderer(site: Site, theme: Theme, unlock_path: str) -> Callable[[str, str], bytes]:
    """Draws the public login page that stands in for a sealed page."""

    def shell(path: str, envelope_json: str) -> bytes:
        page = _drafted_shell(site, theme, unlock_path, path, envelope_json)
        check_shell(page, path)
        return page

    return shell


# The login page is the same for every sealed page at one folder depth but for its envelope:
# it names no deal, and its links are relative. So it is drawn once per depth with this slot
# where the envelope goes, and each page is that draft with its envelope in the slot (a Jinja
# render of the login page was ~0.7 ms of a deal's ~16 ms of CPU). A theme whose login page
# shows the page's path is drawn for every page: its draft contains the path's folder names.
_SLOT = f"mapsite-envelope-{secrets.token_hex(16)}".encode()
_DRAFTS: dict[tuple[int, int, str, int], tuple[Site, Theme, bytes | None]] = {}


def _drafted_shell(site: Site, theme: Theme, unlock_path: str, path: str, envelope_json: str) -> bytes:
    key = (id(site), id(theme), unlock_path, path.count("/"))
    kept = _DRAFTS.get(key)
    if kept is None or kept[0] is not site or kept[1] is not theme:
        draft = render_shell(site, theme, path, _SLOT.decode(), unlock_path, CSP)
        folders = [name.casefold().encode() for name in path.split("/")[:-1] if name]
        shows_path = any(name in draft.lower() for name in folders)
        if len(_DRAFTS) >= 16:  # a long preview meets a few sites and themes; keep only recent ones
            _DRAFTS.clear()
        kept = _DRAFTS[key] = (site, theme, None if shows_path or draft.count(_SLOT) != 1 else draft)
    if kept[2] is None:
        return render_shell(site, theme, path, envelope_json, unlock_path, CSP)
    return kept[2].replace(_SLOT, envelope_json.encode("utf-8"), 1)


SHELL_PARTS = {
    b"Content-Security-Policy": "the CSP meta tag ({{ csp }} in base.html's head)",
    b'id="mapsite-envelope"': 'the envelope (<script type="application/json" id="mapsite-envelope">)',
    b"unlock.": 'the unlock script (<script src="{{ unlock_url }}" defer>)',
}


def check_shell(page: bytes, path: str) -> None:
    """A theme may restyle the login page, not drop what makes it safe and working."""
    missing = [what for marker, what in SHELL_PARTS.items() if marker not in page]
    if missing:
        raise MapsiteError(
            f"the theme's login page for {path} lacks " + "; ".join(missing),
            hint="compare your theme's login.html and base.html with mapsite's default theme",
        )
