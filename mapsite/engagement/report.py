"""Who engaged: view-file hits mapped back to deals, access entries and share links (docs/views.md).

A view name is an HMAC the rep's machine can recompute for every deal, every way in (each
access entry by its label, each share link by its id, revoked and expired ones too: an old log
still holds their visits) and every page. Names nobody can recompute (another site, a deal since
removed, a renamed access entry) are counted, not guessed at.

One reader's visit is a run of opens less than 30 minutes apart: reading the plan, then the
security page, then the plan again is one visit; coming back after lunch is another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from mapsite.engagement.logs import Hit
from mapsite.model.deal import Deal
from mapsite.protect.secrets import Share
from mapsite.protect.views import view_name

VISIT_GAP = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class Way:
    """One way into a deal: an access entry or a share link."""

    deal: str
    label: str
    kind: str  # "password" or "link"
    credential: str  # as protect/views.py names it
    side: str = "buyer"  # the access entry's or link's side: only buyer and partner opens are buyer activity


@dataclass
class Engagement:
    way: Way
    opens: list[dt.datetime] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)  # page path -> its title, as opened

    @property
    def visits(self) -> int:
        times = sorted(self.opens)
        return sum(
            1
            for before, after in zip([None, *times], times, strict=False)
            if before is None or after - before >= VISIT_GAP
        )


@dataclass(frozen=True)
class DealViews:
    slug: str
    title: str
    readers: tuple[Engagement, ...]

    @property
    def last(self) -> dt.datetime | None:
        return max((max(r.opens) for r in self.readers if r.opens), default=None)

    @property
    def last_by_buyer(self) -> dt.datetime | None:
        """The latest open with a buyer-side or partner-side password or link (``status`` shows it)."""
        opens = [max(r.opens) for r in self.readers if r.opens and r.way.side != "seller"]
        return max(opens, default=None)


def ways_in(deal: Deal, shares: Iterable[Share]) -> list[Way]:
    ways = [Way(deal.slug, e.label, "password", f"entry:{e.label}", e.side) for e in deal.access]
    ways += [Way(deal.slug, s.label, "link", f"link:{s.id}", s.side) for s in shares if s.deal == deal.slug]
    return ways


def page_titles(deal: Deal) -> dict[str, str]:
    """Every page a deal publishes, by its readable path, as render/pages.py names them."""
    pages = {f"{deal.slug}/index.html": "the plan"}
    pages.update({f"{deal.slug}/{page.name}/index.html": page.title for page in deal.pages})
    return pages


def engagement(
    key: bytes, deals: Iterable[Deal], shares: list[Share], hits: list[Hit]
) -> tuple[list[DealViews], int]:
    """Per protected deal, each way in and what it opened; and how many hits matched no name."""
    names: dict[str, tuple[Engagement, str, str]] = {}
    report: list[tuple[Deal, list[Engagement]]] = []
    for deal in deals:
        if deal.public or (not deal.access and not any(s.deal == deal.slug for s in shares)):
            continue
        readers = [Engagement(way) for way in ways_in(deal, shares)]
        for reader in readers:
            for path, title in page_titles(deal).items():
                names[view_name(key, deal.slug, reader.way.credential, path)] = (reader, path, title)
        report.append((deal, readers))
    unmatched = 0
    for hit in hits:
        if hit.name not in names:
            unmatched += 1
            continue
        reader, path, title = names[hit.name]
        reader.opens.append(hit.time)
        reader.pages[path] = title
    views = [DealViews(deal.slug, deal.title, tuple(readers)) for deal, readers in report]
    return views, unmatched


def as_json(views: list[DealViews], unmatched: int) -> dict:
    """The stable JSON of ``mapsite views --json`` (docs/views.md)."""

    def stamp(when: dt.datetime | None) -> str | None:
        return when.isoformat().replace("+00:00", "Z") if when else None

    return {
        "deals": [
            {
                "slug": deal.slug,
                "title": deal.title,
                "last_open": stamp(deal.last),
                "readers": [
                    {
                        "label": r.way.label,
                        "kind": r.way.kind,
                        "first_open": stamp(min(r.opens, default=None)),
                        "last_open": stamp(max(r.opens, default=None)),
                        "opens": len(r.opens),
                        "visits": r.visits,
                        "pages": sorted(r.pages),
                    }
                    for r in deal.readers
                ],
            }
            for deal in views
        ],
        "unmatched": unmatched,
    }
