"""The protect step of a build: keys, sealing, and the audit, in that order.

Runs on pages in memory, so a leak found by the audit stops the build before anything reaches
``output/``.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mapsite.errors import Finding, MapsiteError
from mapsite.layout import SITE_FILE, TEAM_SLUG
from mapsite.model.deal import AccessEntry, Deal
from mapsite.protect.audit import (
    SHARED_KINDS,
    Needle,
    audit,
    deal_needles,
    found_in,
    page_folders,
    with_quorum,
)
from mapsite.protect.keys import Guarded, derive_deal_keys
from mapsite.protect.seal import CSP, seal_deal, unlock_asset
from mapsite.protect.secrets import site_secret
from mapsite.read.fields import FieldReader
from mapsite.read.frontmatter import read_source
from mapsite.read.site import Site
from mapsite.render.blueprints import BLUEPRINT_DIR, BLUEPRINTS, render_blueprint
from mapsite.render.pages import Page, RenderError, render_deal, render_shell
from mapsite.render.theme import Theme
from mapsite.schedule.plan import build_plan
from mapsite.validate.deal import validate_deal
from mapsite.validate.input import DealInput


@dataclass(frozen=True)
class TeamRoom:
    """The team dashboard, locked like a deal with the passwords of ``team_access``."""

    slug: str
    access: tuple[AccessEntry, ...]
    source: Path


def protect_pages(
    site: Site, deals: tuple[Deal, ...], pages: tuple[Page, ...], theme: Theme, today: dt.date
) -> tuple[list[Page], bool]:
    """Sealed pages of every non-public deal; returns (pages, whether a site secret was created)."""
    protected = [deal for deal in deals if not deal.public]
    guarded: list[Guarded] = list(protected)
    if site.team_access and any(page.deal == TEAM_SLUG for page in pages):
        guarded.append(TeamRoom(TEAM_SLUG, site.team_access, site.root / SITE_FILE))
    if not guarded:
        return list(pages), False
    secret, created = site_secret(site.root)
    keys = derive_deal_keys(guarded, site.root, secret, today)
    script = unlock_asset()
    by_deal: dict[str | None, list[Page]] = {}
    for page in pages:
        by_deal.setdefault(page.deal, []).append(page)
    result: list[Page] = [*by_deal.pop(None, []), script]

    shell = shell_renderer(site, theme, script.path)
    # Deals first, the team dashboard last: a theme problem is reported on a deal's page.
    for slug, deal_pages in sorted(by_deal.items(), key=lambda item: (item[0] == TEAM_SLUG, str(item[0]))):
        if slug in keys:
            result.extend(seal_deal(deal_pages, keys[slug], shell, site.remember_days, today.isoformat()))
        else:
            result.extend(deal_pages)
    needles = needles_for(site, today, deals, public_files(result))
    leaks = audit(((p.path, p.content) for p in result), needles, page_folders(p.path for p in result))
    if leaks:
        raise MapsiteError(
            f"the leak audit found plaintext of protected deals in {len({f.path for f in leaks})} file(s); "
            "nothing was written",
            leaks,
        )
    return result, created


def shell_renderer(site: Site, theme: Theme, unlock_path: str) -> Callable[[str, str], bytes]:
    """Draws the public login page that stands in for a sealed page."""

    def shell(path: str, envelope_json: str) -> bytes:
        page = render_shell(site, theme, path, envelope_json, unlock_path, CSP)
        check_shell(page, path)
        return page

    return shell


def public_files(pages: list[Page]) -> list[bytes]:
    """Site-wide static files (theme assets, seller logo, unlock script): public by design.

    Pages rendered from templates are not in this list, so a template that names a buyer on
    the landing page is still caught.
    """
    return [p.content for p in pages if p.deal is None and not p.path.endswith(".html")]


def needles_for(site: Site, today: dt.date, deals: Sequence[Deal], public: list[bytes]) -> list[Needle]:
    """Needles of the protected ``deals``, minus what the public ones and template text show."""
    protected = [n for deal in deals if not deal.public for n in deal_needles(deal)]
    shown = [n for deal in deals if deal.public for n in deal_needles(deal)]
    return distinctive_needles(site, today, protected, shown, public)


def distinctive_needles(
    site: Site,
    today: dt.date,
    needles: list[Needle],
    public_deals: list[Needle],
    public: list[bytes],
) -> list[Needle]:
    """``needles`` minus every text that is shown without any leak.

    That is the site title and the seller's name, the site-wide static files (``public``),
    template text (see ``template_text``), and what a public deal shows as its own step,
    seller-side person or file name (``public_deals``: that deal's needles). A stakeholder's
    name or email on the buyer's side, a note or a sentence stay needles wherever they appear.
    """
    if not needles:
        return []
    own = {(n.kind, n.text) for n in public_deals if n.kind in SHARED_KINDS}
    kept = [n for n in needles if (n.kind, n.text) not in own]
    public_text = b"\n".join(
        [site.title.encode(), site.seller.name.encode(), template_text(site, today), *public]
    ).lower()
    shown = found_in(public_text, {n.text for n in kept})
    return with_quorum([n for n in kept if n.text not in shown])


PROBE_BUYER = "Probe Buyer"


def template_text(site: Site, today: dt.date) -> bytes:
    """What any public page says whatever the deal: mapsite's own words.

    The default theme's templates as written (every branch), mapsite's blueprints, and each
    blueprint rendered as a deal, page and calendars, for the words mapsite's code adds ("moves
    the signature", "on track"). A deal's milestone called "Signature" is no secret of that
    deal. A site's own theme is not template text: a template that names a buyer is a leak.
    """
    theme = Theme.for_site(None)
    parts = [
        path.read_bytes()
        for folder in theme.folders
        for path in sorted((folder / "templates").rglob("*"))
        if path.is_file()
    ]
    parts += [(BLUEPRINT_DIR / f"{name}.md").read_bytes() for name in BLUEPRINTS]
    with tempfile.TemporaryDirectory(prefix="mapsite-probe-") as folder:
        for name in BLUEPRINTS:
            parts += [page.content for page in _probe_pages(site, theme, today, Path(folder), name)]
    return b"\n".join(parts)


def _probe_pages(site: Site, theme: Theme, today: dt.date, folder: Path, blueprint: str) -> list[Page]:
    """A blueprint's deal rendered as a public portal; none if the site's theme cannot draw it."""
    path = folder / f"{blueprint}.md"
    close = today + dt.timedelta(days=60)
    path.write_text(render_blueprint(blueprint, PROBE_BUYER, close, site.seller.name, today), "utf-8")
    source = read_source(path, path.name)
    if isinstance(source, Finding):
        return []
    deal = validate_deal(DealInput(source, folder, blueprint), site, FieldReader(path.name))
    if deal is None:
        return []
    try:
        return list(render_deal(deal, build_plan(deal, today), site, theme).pages)
    except RenderError:
        return []


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
