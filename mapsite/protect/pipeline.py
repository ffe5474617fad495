"""The protect step of a build: keys, sealing, and the audit, in that order.

Runs on pages in memory, so a leak found by the audit stops the build before anything reaches
``output/``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mapsite.config import SITE_FILE, Site
from mapsite.content.model import AccessEntry, Deal
from mapsite.errors import MapsiteError
from mapsite.protect.audit import Needle, audit, deal_needles, found_in
from mapsite.protect.keys import Guarded, derive_deal_keys
from mapsite.protect.seal import CSP, seal_deal, unlock_asset
from mapsite.protect.secrets import site_secret
from mapsite.render.pages import TEAM_SLUG, Page, render_shell
from mapsite.render.theme import Theme


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
    public = public_files(result)
    leaks = audit(((p.path, p.content) for p in result), needles_for(site, protected, public))
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


def needles_for(site: Site, deals: list[Deal], public: list[bytes]) -> list[Needle]:
    """Needles of the protected deals, minus what the site title, seller name or ``public`` show."""
    return visible_needles(site, [n for deal in deals for n in deal_needles(deal)], public)


def visible_needles(site: Site, needles: list[Needle], public: list[bytes]) -> list[Needle]:
    """``needles`` minus what the site title, seller name or ``public`` files show anyway."""
    public_text = b"\n".join([site.title.encode(), site.seller.name.encode(), *public]).lower()
    shown = found_in(public_text, {n.text for n in needles})
    return [n for n in needles if n.text not in shown]


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
