"""The leak audit of a run: every file about to be written, scanned for a protected deal's text.

Runs on bytes in memory, after sealing and before anything replaces ``output/`` (or the preview
folder), so a leak stops the run. The needles are each protected deal's distinctive text; what
any public page shows anyway (the site's title, template text, a public deal's own steps) is
taken out of them, or the audit would cry wolf on every build.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import pickle
import tempfile
from collections.abc import Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from mapsite.errors import Finding, MapsiteError
from mapsite.model.deal import Deal
from mapsite.pipeline.deal import DealJob, DealPages, make_deal
from mapsite.pipeline.find import DealLocation
from mapsite.pipeline.spool import Spool
from mapsite.protect.audit import (
    SHARED_KINDS,
    Needle,
    Search,
    audit,
    deal_needles,
    found_in,
    haystack,
    page_folders,
    search_for,
    with_quorum,
)
from mapsite.read.site import Site
from mapsite.render.blueprints import BLUEPRINT_DIR, BLUEPRINTS, render_blueprint
from mapsite.render.pages import Page
from mapsite.render.theme import Theme


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
    return distinctive_needles(protected, shown, public_text(site, template_text(site, today), public))


def public_text(site: Site, template: bytes, public: list[bytes]) -> bytes:
    """What is shown without any leak: the site title and the seller's name, the template text
    (see ``template_text``) and the site-wide static files (``public``), lower-cased."""
    return b"\n".join([site.title.encode(), site.seller.name.encode(), template, *public]).lower()


def distinctive_needles(needles: list[Needle], public_deals: list[Needle], shown_text: bytes) -> list[Needle]:
    """``needles`` minus every text that is shown without any leak.

    That is ``shown_text`` (see ``public_text``) and what a public deal shows as its own step,
    seller-side person or file name (``public_deals``: that deal's needles). A stakeholder's
    name or email on the buyer's side, a note or a sentence stay needles wherever they appear.
    """
    if not needles:
        return []
    own = {(n.kind, n.text) for n in public_deals if n.kind in SHARED_KINDS}
    kept = [n for n in needles if (n.kind, n.text) not in own]
    shown = found_in(shown_text, {n.text for n in kept})
    return with_quorum([n for n in kept if n.text not in shown])


PROBE_BUYER = "Probe Buyer"


def template_text(site: Site, today: dt.date, theme: Theme | None = None) -> bytes:
    """What any public page says whatever the deal: mapsite's own words.

    The default theme's templates as written (every branch), mapsite's blueprints, and each
    blueprint rendered as a deal, page and calendars, for the words mapsite's code adds ("moves
    the signature", "on track"). A deal's milestone called "Signature" is no secret of that
    deal. A site's own theme is not template text: a template that names a buyer is a leak.
    ``theme`` is the run's, used when it is the default theme (its templates are compiled).
    """
    default = Theme.for_site(None)
    theme = theme if theme is not None and theme.folders == default.folders else default
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
    """A blueprint's deal made as a public portal; none if the site's theme cannot draw it."""
    deal_folder = folder / blueprint
    deal_folder.mkdir()
    path = deal_folder / "index.md"
    close = today + dt.timedelta(days=60)
    path.write_text(render_blueprint(blueprint, PROBE_BUYER, close, site.seller.name, today), "utf-8")
    job = DealJob(site, theme, today, {})
    return list(make_deal(job, DealLocation(path, deal_folder, blueprint)).pages)


def leak_audit(
    job: DealJob,
    protected: Iterable[list[Needle]],
    shown: list[Needle],
    files: Iterable[tuple[str, bytes]],
    shared: list[Page],
) -> None:
    """Raise if any file to write (with ``shared``, the site-wide pages) holds a protected deal's text.

    ``protected`` are the protected deals' needles in batches of whole deals, ``shown`` the
    public deals' needles (what they show as their own). ``files`` are the readable bytes of every file to
    write: a sealed page's login shell, a calendar, an asset (see ``protect.audit.scannable``);
    read once, into a ``Haystack`` that every batch searches.
    """
    # The batches' needles (100,000 objects each) set off the cycle collector again and again,
    # and each full collection went through the millions of objects a 10,000-deal build holds
    # by now: 1.7 of the audit's 6.4 s. The audit makes no reference cycles (needles, lists,
    # the automaton), so it runs without; what it lets go of is freed as ever.
    collecting = gc.isenabled()
    gc.disable()
    try:
        hay = haystack(chain(((page.path, page.content) for page in shared), files))
        folders = page_folders(hay.paths)
        template = template_text(job.site, job.today, job.theme)
        shown_text = public_text(job.site, template, public_files(shared))
        leaks = []
        for batch in protected:
            needles = distinctive_needles(batch, shown, shown_text)
            leaks += audit(hay, needles, folders)
    finally:
        if collecting:
            gc.enable()
    _stop_on(leaks)


# Deals saved since the preview's search of every deal was made, searched apart: beyond this
# many, the whole search is made again. Making it took 74 ms for 1,000 bench deals, 6 ms for 64.
MAX_SAVED_APART = 64


@dataclass
class AuditMemo:
    """What the leak audits of one preview keep from one save to the next.

    A save remakes one deal, yet its audit drew the template text's probe pages again, filtered
    every deal's needles against what public pages show and made them into one search: ~250 ms a
    save at 1,000 bench deals, nearly all of the save. Kept here: the template text (for the
    job's site, theme and day), each deal's distinctive needles (while what public pages show
    is the same) and one search of every deal's needles (``whole``). A save's audit uses that
    search without the deals made since it (their needles are searched apart, as they are now),
    so saving another deal does not make it again. Objects are kept with their ids, so an id is
    never taken for another object's.
    """

    template: tuple[Site, Theme, dt.date, bytes] | None = None
    shown: bytes = b""  # digest of what ``distinct`` was filtered against
    distinct: dict[int, tuple[DealPages, list[Needle]]] = field(default_factory=dict)
    whole: tuple[dict[int, DealPages], Search] | None = None  # the deals searched, by id


def audit_save(
    job: DealJob, kept: list[DealPages], remade: list[DealPages], shared: list[Page], memo: AuditMemo
) -> None:
    """``leak_audit`` for a preview's save: the files of ``remade`` and ``shared`` against the
    needles of every protected deal in ``kept``, as found without ``memo``."""
    files = [(page.path, page.content) for deal in remade for page in deal.pages]
    scanned = haystack([(page.path, page.content) for page in shared] + files)
    folders = page_folders(scanned.paths)
    held = memo.template
    if held is None or held[0] is not job.site or held[1] is not job.theme or held[2] != job.today:
        held = memo.template = (job.site, job.theme, job.today, template_text(job.site, job.today, job.theme))
    shown_text = public_text(job.site, held[3], public_files(shared))
    shown = [n for deal in kept if deal.public for n in deal.needles]
    digest = hashlib.sha256(shown_text)
    for needle in shown:
        digest.update(b"\0".join([needle.kind.encode(), needle.text, b""]))
    if digest.digest() != memo.shown:
        memo.shown, memo.distinct, memo.whole = digest.digest(), {}, None
    protected = [deal for deal in kept if not deal.public]
    fresh = [deal for deal in protected if memo.distinct.get(id(deal), (None, []))[0] is not deal]
    found: dict[str, list[Needle]] = {}
    for needle in distinctive_needles([n for deal in fresh for n in deal.needles], shown, shown_text):
        found.setdefault(needle.deal, []).append(needle)
    # A deal's needles all name its slug: ``claimed`` keeps one deal per slug.
    anew = {id(deal) for deal in fresh}
    memo.distinct = {
        id(deal): (deal, found.get(deal.slug or "", [])) if id(deal) in anew else memo.distinct[id(deal)]
        for deal in protected
    }
    now = {id(deal) for deal in remade}
    current = {id(deal) for deal in protected}
    whole = memo.whole
    if whole is None or len(current.symmetric_difference(whole[0])) > MAX_SAVED_APART:
        searched = {id(deal): deal for deal in protected}
        needles = [n for deal in protected for n in memo.distinct[id(deal)][1]]
        whole = memo.whole = (searched, search_for(needles))
    # Left out of the whole search: deals remade now, and those it holds in an older version.
    gone = frozenset(deal.slug or "" for key, deal in whole[0].items() if key not in current or key in now)
    apart = [
        n
        for deal in protected
        if id(deal) not in whole[0] and id(deal) not in now
        for n in memo.distinct[id(deal)][1]
    ]
    own = [n for deal in protected if id(deal) in now for n in memo.distinct[id(deal)][1]]
    leaks = audit(scanned, whole[1], folders, skip=gone) + audit(scanned, apart + own, folders)
    _stop_on(leaks)


def _stop_on(leaks: list[Finding]) -> None:
    if leaks:
        raise MapsiteError(
            f"the leak audit found plaintext of protected deals in {len({f.path for f in leaks})} file(s); "
            "nothing was written",
            leaks,
        )


# Needles the audit searches for at once. Searching costs memory for every needle (~16 KB a deal
# of the bench corpus as Python objects, ~14 KB in the search automaton): all of a 10,000-deal
# site's at once grew its build by hundreds of megabytes. So they are searched in batches of
# about this many (~700 bench deals), each batch over the files' distinct lines (see
# ``protect.audit.Haystack``), which makes a batch cheap: at 10,000 deals, batches of 50,000
# rather than 100,000 took the build's peak from 192 to 167 MB for 0.85 s more.
NEEDLE_BATCH = 50_000


def spool_needles(spool: Spool[tuple[int, int]], group: int, needles: Sequence[Needle]) -> None:
    """Keep a protected deal's needles (``group``: its index in the build) until the audit."""
    record = pickle.dumps([(n.deal, n.what, n.text, n.kind, n.needed) for n in needles])
    spool.add((group, len(needles)), record)


def needle_batches(spool: Spool[tuple[int, int]], groups: Container[int]) -> Iterator[list[Needle]]:
    """The needles of ``groups`` in lists of whole deals, each of about ``NEEDLE_BATCH`` needles."""
    batch: list[Needle] = []
    for (_, count), record in spool.read(lambda key: key[0] in groups):
        if batch and len(batch) + count > NEEDLE_BATCH:
            yield batch
            batch = []
        batch += [Needle(*fields) for fields in pickle.loads(record)]
    if batch:
        yield batch
