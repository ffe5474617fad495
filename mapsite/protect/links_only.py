"""A deal opened only by share links (``access: links``) that no active link opens.

Such a deal has no password slot, so its pages are sealed for nobody until a link is made (or
after its last link is revoked or expired). That is a legitimate state for a moment (the rep
builds before sharing) but never one to publish unnoticed: ``check`` and ``build`` warn, at the
``access:`` line, with the command that fixes it. A warning, not an error: nothing leaks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from mapsite.errors import Finding
from mapsite.model.deal import Deal
from mapsite.protect.secrets import Share


def unopenable_warning(deal: Deal, shares: Iterable[Share], today: dt.date, display: str) -> Finding | None:
    """The warning for a links-only ``deal`` (its file shown as ``display``) without an active
    share link on ``today``; None when a link opens it, or when passwords do."""
    if not deal.links_only:
        return None
    mine = [share for share in shares if share.deal == deal.slug]
    if any(share.active(today) for share in mine):
        return None
    state = "every link it had is revoked or expired" if mine else "it has no share link yet"
    return Finding(
        display,
        deal.links_only_line,
        "warning",
        f"nobody can open this deal: it opens only by share links (access: links), and {state}",
        f'make one: mapsite share {deal.slug} --label "Buying team"',
    )
