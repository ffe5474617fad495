"""The leak audit of a run: every file about to be written, scanned for a protected deal's text.

Runs on bytes in memory, after sealing and before anything replaces ``output/`` (or the preview
folder), so a leak stops the run. The needles are each protected deal's distinctive text; what
any public page shows anyway (the site's title, template text, a public deal's own steps) is
taken out of them, or the audit would cry wolf on every build.
"""

from __future__ import annotations

import datetime as dt
import pickle
import tempfile
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from itertools import chain
from pathlib import Path
from types import TracebackType

from mapsite.errors import MapsiteError
from mapsite.model.deal import Deal
from mapsite.pipeline.deal import DealJob, DealPages, make_deal
from mapsite.pipeline.find import DealLocation
from mapsite.protect.audit import (
    SHARED_KINDS,
    Needle,
    audit,
    deal_needles,
    found_in,
    page_folders,
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
    return distinctive_needles(protected, shown, public_text(site, today, public))


def public_text(site: Site, today: dt.date, public: list[bytes], theme: Theme | None = None) -> bytes:
    """What is shown without any leak: the site title and the seller's name, the site-wide
    static files (``public``) and template text (see ``template_text``), lower-cased."""
    return b"\n".join(
        [site.title.encode(), site.seller.name.encode(), template_text(site, today, theme), *public]
    ).lower()


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


def needles_of(made: Sequence[DealPages]) -> tuple[list[Needle], list[Needle]]:
    """The needles of the protected deals among ``made``, and the public ones' (what they show)."""
    protected = [n for deal in made if not deal.public for n in deal.needles]
    return protected, [n for deal in made if deal.public for n in deal.needles]


def leak_audit(
    job: DealJob,
    protected: Iterable[list[Needle]],
    shown: list[Needle],
    files: Callable[[], Iterable[tuple[str, bytes]]],
    shared: list[Page],
    paths: Iterable[str] | None = None,
) -> None:
    """Raise if any file to write (with ``shared``, the site-wide pages) holds a protected deal's text.

    ``protected`` are the protected deals' needles in batches of whole deals, ``shown`` the
    public deals' (see ``needles_of``). ``files()`` gives the readable bytes of every file to
    write: a sealed page's login shell, a calendar, an asset (see ``protect.audit.scannable``);
    it is read once per batch. ``paths`` are their paths, given when ``files()`` is read from a
    ``ScanSpool``; without them it is listed once more first.
    """
    if paths is None:
        paths = [path for path, _ in files()]
    scanned = [(page.path, page.content) for page in shared]
    folders = page_folders([*(path for path, _ in scanned), *paths])
    shown_text = public_text(job.site, job.today, public_files(shared), job.theme)
    leaks = []
    for batch in protected:
        needles = distinctive_needles(batch, shown, shown_text)
        leaks += audit(chain(scanned, files()), needles, folders)
    if leaks:
        raise MapsiteError(
            f"the leak audit found plaintext of protected deals in {len({f.path for f in leaks})} file(s); "
            "nothing was written",
            leaks,
        )


class NeedleSpool:
    """The protected deals' needles, on disk until the audit reads them, in batches.

    Searching for a deal's text costs memory for every needle (~16 KB a deal as Python objects)
    and again in the search automaton (~14 KB): held for every deal until the last is made, that
    grew a 10,000-deal build by hundreds of megabytes. Here each deal's needles are one pickled
    record in an anonymous temporary file (this user's only, gone when closed), and the audit
    reads them back ``BATCH`` needles at a time (about 1,400 deals of the bench corpus), scanning
    every file once per batch: a site of up to that many deals is scanned once, as before; a
    larger one trades a pass over the readable bytes per batch for memory that does not grow.
    """

    BATCH = 100_000

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="mapsite-needles-")  # noqa: SIM115 (closed by __exit__)
        self._entries: list[tuple[int, int, int]] = []  # group, size, needles: in the file's order

    def add(self, group: int, needles: Sequence[Needle]) -> None:
        record = pickle.dumps([(n.deal, n.what, n.text, n.kind, n.needed) for n in needles])
        self._file.write(record)
        self._entries.append((group, len(record), len(needles)))

    def batches(self, groups: Container[int]) -> Iterator[list[Needle]]:
        """The needles of ``groups`` in lists of whole deals, each of about ``BATCH`` needles."""
        self._file.flush()
        self._file.seek(0)
        batch: list[Needle] = []
        for group, size, count in self._entries:
            if group not in groups:
                self._file.seek(size, 1)
                continue
            if batch and len(batch) + count > self.BATCH:
                yield batch
                batch = []
            batch += [Needle(*fields) for fields in pickle.loads(self._file.read(size))]
        if batch:
            yield batch

    def __enter__(self) -> NeedleSpool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._file.close()


class ScanSpool:
    """The readable bytes of a build's files, on disk until the leak audit reads them.

    The audit can scan a file only once every deal's needles are known, that is after the last
    deal is made. Held in memory until then, what each worker hands back to be scanned (a sealed
    page's login shell, a calendar, an asset: see ``protect.audit.scannable``) grew the build's
    memory by kilobytes a deal. Kept here instead, in an anonymous temporary file (gone when
    closed, this user's only, and holding only what the output publishes readable), the memory
    stays flat however many deals a site has, and the audit still reads every byte before the swap.
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="mapsite-audit-")  # noqa: SIM115 (closed by __exit__)
        self._entries: list[tuple[int, str, int]] = []  # group, path, size: in the file's order

    def add(self, group: int, files: Iterable[tuple[str, bytes]]) -> None:
        """Keep ``files`` under ``group`` (a deal's index in the build)."""
        for path, content in files:
            self._file.write(content)
            self._entries.append((group, path, len(content)))

    def paths(self, groups: Container[int]) -> list[str]:
        return [path for group, path, _ in self._entries if group in groups]

    def files(self, groups: Container[int]) -> Iterator[tuple[str, bytes]]:
        """The files of ``groups``, one at a time, in the order they were added."""
        self._file.flush()
        self._file.seek(0)
        for group, path, size in self._entries:
            if group in groups:
                yield path, self._file.read(size)
            else:
                self._file.seek(size, 1)

    def __enter__(self) -> ScanSpool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._file.close()
