"""Deals and site pages -> ``Page(path, content)``: everything that ends up in ``output/``.

Rendering is pure: it reads the theme and the deal's files and returns bytes with their output
paths, leaving protection and writing to later steps. All links are relative so the site works
under any sub-path and from a plain folder.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from mapsite.errors import Finding
from mapsite.layout import ASSET_DIR, CALENDAR_DIR, TEAM_PAGE, TEAM_SLUG
from mapsite.model.deal import Brand, Deal, Resource
from mapsite.paths import relative_url, site_display
from mapsite.read.site import Site
from mapsite.render.cadence import parse_cadence
from mapsite.render.calendars import CalendarFile, deal_calendars
from mapsite.render.colors import palette
from mapsite.render.favicon import favicon
from mapsite.render.markdown import LinkContext, render_markdown
from mapsite.render.theme import Theme
from mapsite.render.timeline import render_timeline
from mapsite.render.updates import update_address, update_outcomes
from mapsite.schedule.discussion import discussion_view
from mapsite.schedule.portal import CadenceView, PortalView
from mapsite.schedule.seen import seen_facts
from mapsite.schedule.status import money_text, pipeline_totals

ROBOTS = b"User-agent: *\nDisallow: /\n"


@dataclass(frozen=True)
class Page:
    """One output file; ``deal`` names the deal it belongs to (None for site-wide files).

    Text files of a deal with the same ``bundle`` are sealed together in one blob: a dozen small
    calendars cost one file on disk and on the host, and say less about the deal by their count.
    """

    path: str
    content: bytes
    deal: str | None = None
    bundle: str | None = None
    # A page mapsite rendered, as opposed to a file the rep attached: only these are sealed as
    # pages (an attached .html file is sealed as a download, never shown as a page).
    document: bool = False


@dataclass(frozen=True)
class Rendered:
    pages: tuple[Page, ...]
    findings: tuple[Finding, ...]


class RenderError(Exception):
    """A template failed; carries the template file and line for the rep or theme author."""

    def __init__(self, finding: Finding):
        super().__init__(finding.message)
        self.finding = finding


def brand_assets(site: Site) -> dict[Path, Page]:
    """The site seller's logo, published once under ``assets/brand/`` with a hashed name."""
    logo = site.seller.logo
    if not logo or not logo.is_file():
        return {}
    stat = logo.stat()
    return {logo: _logo_page(logo, stat.st_mtime_ns, stat.st_size)}


@functools.lru_cache(maxsize=8)
def _logo_page(logo: Path, _mtime_ns: int, _size: int) -> Page:
    """Read and hash once per version of the file: a live preview sees a new logo at once."""
    content = logo.read_bytes()
    digest = hashlib.sha256(content).hexdigest()[:10]
    return Page(f"{ASSET_DIR}/brand/{logo.stem}.{digest}{logo.suffix.lower()}", content)


def render_shared(site: Site, theme: Theme) -> Rendered:
    """Theme assets, the seller logo, and the neutral landing, 404 and robots.txt pages."""
    pages = [Page(asset.url_path, asset.content) for asset in theme.assets.values()]
    pages.extend(brand_assets(site).values())
    base_path = urlsplit(site.base_url).path or "/"
    for template, path, title, kind in (
        ("landing.html", "index.html", site.title, "landing"),
        ("404.html", "404.html", "Page not found", "404"),
    ):
        # The 404 page is served at any depth, so its links are absolute from the site's path.
        prefix = base_path if kind == "404" else ""
        context = _base_context(site, theme, path, title, kind, site.seller.accent, prefix)
        pages.append(Page(path, _render(theme, template, context)))
    pages.append(Page("robots.txt", ROBOTS))
    return Rendered(tuple(pages), ())


def render_closed(site: Site, theme: Theme, slug: str) -> Page:
    """The page an archived deal's portal becomes: the site's own words, nothing of the deal."""
    path = f"{slug}/index.html"
    context = _base_context(site, theme, path, "This plan is closed", "closed", site.seller.accent, "")
    return Page(path, _render(theme, "closed.html", context), deal=slug)


def render_deal(deal: Deal, plan: PortalView, site: Site, theme: Theme, protected: bool = False) -> Rendered:
    """The portal page, its extra pages and the files it publishes.

    ``protected`` pages get a logout button; their sealing happens afterwards, in protect/.
    """
    findings: list[Finding] = []
    page_names = frozenset(p.name for p in deal.pages)
    used_files: set[str] = {f.relpath for f in deal.files}
    pages: list[Page] = []

    def markdown(text: str, page_path: str, source: Path, floor: int) -> Markup:
        links = LinkContext(page_path, deal.slug, deal.folder, page_names)
        html = render_markdown(text, links, heading_floor=floor)
        used_files.update(links.used_files)
        for problem in links.problems:
            findings.append(
                Finding(site_display(source, site.dir), _line_of(source, problem), "warning", problem)
            )
        return html

    index_path = f"{deal.slug}/index.html"
    extra = [
        SimpleNamespace(title=p.title, url=relative_url(index_path, f"{deal.slug}/{p.name}/"), name=p.name)
        for p in deal.pages
    ]
    context = _deal_context(deal, plan, site, theme, index_path, deal.title, "deal", extra, protected)
    calendars = deal_calendars(deal, site.reminder_days)
    context.update(
        calendars=_calendar_links(deal, calendars, index_path),
        value_summary_html=markdown(deal.value_summary, index_path, deal.source, 3),
        body_html=markdown(deal.body, index_path, deal.source, 3),
        timeline_svg=render_timeline(plan),
        live_dates=live_dates(plan),
        next_meeting=next_meeting(plan),
        talk=discussion_view(deal),
        seen_facts=seen_facts(deal),
        updates_to=update_address(deal),
        update_outcomes=update_outcomes(deal),
    )
    pages.append(Page(index_path, _render(theme, "deal.html", context), deal.slug, document=True))

    for extra_page in deal.pages:
        path = f"{deal.slug}/{extra_page.name}/index.html"
        links = [
            SimpleNamespace(title=p.title, url=relative_url(path, f"{deal.slug}/{p.name}/"), name=p.name)
            for p in deal.pages
        ]
        page_context = _deal_context(
            deal, plan, site, theme, path, extra_page.title, "page", links, protected
        )
        page_context.update(
            page_html=markdown(extra_page.body, path, extra_page.source, 2),
            value_summary_html=Markup(""),
            body_html=Markup(""),
            timeline_svg=Markup(""),
        )
        pages.append(Page(path, _render(theme, "page.html", page_context), deal.slug, document=True))

    for relpath in sorted(used_files):
        source = deal.folder / relpath
        pages.append(Page(f"{deal.slug}/{relpath}", source.read_bytes(), deal.slug))
    # Deal files like any attachment: protect/ seals them and the portal's links open them.
    bundle = f"{deal.slug}/{CALENDAR_DIR}/"
    pages.extend(Page(f"{deal.slug}/{c.relpath}", c.content, deal.slug, bundle) for c in calendars)
    return Rendered(tuple(pages), tuple(findings))


def live_dates(plan: PortalView) -> dict[str, Any]:
    """What the portal's script (static/live-dates.js) recounts the page's dated figures from on
    the reader's day: the build day, the close date, the next-up horizon and, for each open item
    with a due date, that date and the side it counts for. The template writes it as a JSON island
    (``tojson`` escapes ``<``, ``>``, ``&`` and ``'``, so it cannot leave its element); it is
    sealed with the page and says nothing the page does not."""
    return {
        "built": plan.today.isoformat(),
        "close": plan.deal.close_date.isoformat(),
        "horizon": plan.next_up_days,
        "open": [[due.isoformat(), side] for due, side in plan.open_dated],
    }


def next_meeting(plan: PortalView) -> CadenceView | None:
    """The meeting "This week" names: the first of the cadence with a set day and time (a real
    meeting, as the calendars read it), else the first listed. Named by its rhythm ("Tuesdays
    10:00 PT"), which stays true on whatever day the page is read."""
    timed = [c for c in plan.cadence if parse_cadence(c.when) is not None]
    return next(iter(timed or plan.cadence), None)


def render_shell(
    site: Site, theme: Theme, path: str, envelope_json: str, unlock_path: str, csp: str
) -> bytes:
    """The public login page standing in for a protected page: it names no deal."""
    context = _base_context(site, theme, path, "Private deal room", "login", site.seller.accent, "")
    context.update(
        envelope_json=Markup(envelope_json),
        unlock_url=relative_url(path, unlock_path),
        csp=csp,
    )
    return _render(theme, "login.html", context)


def _deal_context(
    deal: Deal,
    plan: PortalView,
    site: Site,
    theme: Theme,
    path: str,
    title: str,
    kind: str,
    extra: list,
    protected: bool,
) -> dict[str, Any]:
    context = _base_context(site, theme, path, title, kind, deal.buyer.accent, "")
    context.update(
        protected=protected,
        deal=deal,
        plan=plan,
        logos={
            "seller": _logo_url(deal, deal.seller, site, path),
            "buyer": _logo_url(deal, deal.buyer, site, path),
            "partner": _logo_url(deal, deal.partner, site, path) if deal.partner else None,
        },
        extra_pages=extra,
        plan_url=relative_url(path, f"{deal.slug}/"),
        resource_url=lambda resource: _resource_url(deal, resource, path),
    )
    return context


def _base_context(
    site: Site, theme: Theme, path: str, title: str, kind: str, accent: str | None, prefix: str
) -> dict[str, Any]:
    assets = theme.assets

    def asset(name: str) -> str:
        if name not in assets:
            raise jinja2.TemplateRuntimeError(f"the theme has no static file '{name}'")
        return prefix + assets[name].url_path if prefix else relative_url(path, assets[name].url_path)

    seller_logo = brand_assets(site).get(site.seller.logo) if site.seller.logo else None
    logo_url = (
        (prefix + seller_logo.path if prefix else relative_url(path, seller_logo.path))
        if seller_logo
        else None
    )
    return {
        "site": site,
        "page": SimpleNamespace(title=title, kind=kind, path=path),
        "asset": asset,
        "palette": palette(accent or site.seller.accent),
        "seller_logo": logo_url,
        "favicon": favicon(
            seller_logo.path if seller_logo else None,
            seller_logo.content if seller_logo else None,
            logo_url,
            asset,
        ),
        "home_url": prefix or relative_url(path, ""),
    }


def _logo_url(deal: Deal, brand: Brand | None, site: Site, page_path: str) -> str | None:
    if brand is None or brand.logo is None:
        return None
    if brand == site.seller:
        shared = brand_assets(site).get(brand.logo)
        return relative_url(page_path, shared.path) if shared else None
    relpath = brand.logo.relative_to(deal.folder).as_posix()
    return relative_url(page_path, f"{deal.slug}/{relpath}")


def _calendar_links(
    deal: Deal, calendars: tuple[CalendarFile, ...], page_path: str
) -> SimpleNamespace | None:
    """The portal's "Add to your calendar" links: the whole plan, then each person with items."""
    if not calendars:
        return None
    plan, *people = calendars
    return SimpleNamespace(
        plan_url=relative_url(page_path, f"{deal.slug}/{plan.relpath}"),
        people=[
            SimpleNamespace(person=c.person, url=relative_url(page_path, f"{deal.slug}/{c.relpath}"))
            for c in people
        ],
    )


def _resource_url(deal: Deal, resource: Resource, page_path: str) -> str:
    if resource.file:
        return relative_url(page_path, f"{deal.slug}/{resource.file}")
    return resource.url or "#"


def _render(theme: Theme, template: str, context: dict[str, Any]) -> bytes:
    try:
        return theme.template(template).render(context).encode("utf-8")
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(
            Finding(
                theme.display(exc.filename or template),
                exc.lineno,
                "error",
                f"template syntax error: {exc.message}",
            )
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise RenderError(
            Finding(
                template,
                None,
                "error",
                f"the theme has no template '{exc.name}'",
                "copy it from mapsite's default theme into your theme's templates/",
            )
        ) from None
    except (jinja2.UndefinedError, jinja2.TemplateRuntimeError, TypeError, AttributeError) as exc:
        line, filename = _template_location(exc)
        raise RenderError(
            Finding(theme.display(filename or template), line, "error", f"template error: {exc}")
        ) from None


def _template_location(exc: Exception) -> tuple[int | None, str | None]:
    """The innermost template frame of a render error, for a file:line message."""
    tb = exc.__traceback__
    found: tuple[int | None, str | None] = (None, None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".html"):
            template = tb.tb_frame.f_globals.get("__jinja_template__")
            line = template.get_corresponding_lineno(tb.tb_lineno) if template else tb.tb_lineno
            found = (line, filename)
        tb = tb.tb_next
    return found


def _line_of(source: Path, problem: str) -> int | None:
    """Find the line of the quoted link target a Markdown problem mentions."""
    start = problem.find("'")
    end = problem.find("'", start + 1)
    if start < 0 or end < 0:
        return None
    needle = problem[start + 1 : end]
    try:
        for number, line in enumerate(source.read_text("utf-8").splitlines(), 1):
            if needle in line:
                return number
    except (OSError, UnicodeDecodeError):
        return None
    return None


def render_team(site: Site, theme: Theme, rows: list, today: Any, protected: bool) -> Page:
    """The pipeline page for the seller's managers; sealed with the team passwords when protected."""
    context = _base_context(site, theme, TEAM_PAGE, "Pipeline", "team", site.seller.accent, "")
    context.update(
        rows=rows,
        totals=pipeline_totals(rows),
        with_amounts=any(row.amount is not None for row in rows),
        money=lambda amount, currency: "—" if amount is None else f"{money_text(amount)} {currency}",
        late=[row for row in rows if not row.on_track],
        today=today,
        protected=protected,
        portal_url=lambda slug: relative_url(TEAM_PAGE, f"{slug}/"),
    )
    return Page(TEAM_PAGE, _render(theme, "team.html", context), TEAM_SLUG, document=True)
