"""Which deal a rep means: a slug, a file name (with or without ``.md``), a folder or a path; close
matches are offered when nothing fits. Every command that takes a deal asks here.

Stages are imported inside the command (see cli/main.py).
"""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from mapsite.errors import MapsiteError, has_errors

if TYPE_CHECKING:
    from mapsite.model.deal import Deal
    from mapsite.read.site import Site


def one_deal(site: Site, name: str, today: dt.date) -> Deal:
    """The deal the rep names by its slug or by its file or folder in content/deals.

    New deals have random slugs, so every command that takes a deal also takes ``contoso``,
    ``contoso.md`` or ``content/deals/contoso/``; a file or folder of that name comes first.
    Nothing matching is a one-line error with the nearest names.
    """
    from mapsite.pipeline.find import find_deals
    from mapsite.pipeline.load import load_deals

    key = deal_key(name)
    # The file or folder named ``key``, else the deals whose file says ``slug: key``.
    loaded = load_deals(site, today, only=key) if key else None
    if loaded and loaded.deals:
        return loaded.deals[0]
    problems = [f for f in loaded.findings if f.is_error and f.path != "content/deals"] if loaded else []
    if problems:
        raise MapsiteError(f"deal '{name}' has errors; fix them first", problems)
    every = load_deals(site, today)  # a slug no file spells out (slug: random)
    deal = next((d for d in every.deals if d.slug == key), None)
    if deal is not None:
        return deal
    names = sorted({location.key for location in find_deals(site)[0]} | {d.slug for d in every.deals})
    close = difflib.get_close_matches(key, names, n=3, cutoff=0.6)
    hint = (
        f"did you mean {' or '.join(repr(c) for c in close)}?"
        if close
        else "name a deal by its slug or its file in content/deals; list them with: mapsite list"
    )
    raise MapsiteError(f"no deal with slug '{name}', nor a deal file or folder of that name", hint=hint)


def deal_slug(site: Site, name: str, today: dt.date) -> str:
    """The slug of the deal named ``name`` (see ``one_deal``): what URLs and --only use."""
    return one_deal(site, name, today).slug


def deal_key(name: str) -> str:
    """``content/deals/contoso.md``, ``contoso/index.md`` or ``contoso/`` -> ``contoso``."""
    path = PurePosixPath(name.strip().replace("\\", "/"))
    if path.name == "index.md":
        path = path.parent
    return path.name.removesuffix(".md")


def deal_name(deal: Deal) -> str:
    """The name a rep types for ``deal`` in other commands: its file or folder in content/deals
    (a random slug is no name to remember)."""
    return deal.source.parent.name if deal.source.name == "index.md" else deal.source.stem


def names_by_slug(site_dir: Path, today: dt.date) -> dict[str, str]:
    """Each loadable deal's name (see ``deal_name``) by its slug."""
    from mapsite.pipeline.load import load_deals
    from mapsite.read.site import load_site

    site, findings = load_site(site_dir)
    if has_errors(findings):
        return {}
    return {deal.slug: deal_name(deal) for deal in load_deals(site, today).deals}
