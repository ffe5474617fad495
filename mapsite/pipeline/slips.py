"""A deal's slip history, read from its deal file's git history.

Each committed version is validated as the deal file it was (``from_text``), so a relative date
resolves as it did then; the file as it is now, when it differs from the last commit, is the
newest version. Two git processes per deal (``read.history.all_texts``), and versions already
validated in this process are not validated again, so ``serve`` and repeated checks stay fast.
A site outside git, or a file never committed, simply has no slips.
"""

from __future__ import annotations

import hashlib

from mapsite.errors import Finding, MapsiteError
from mapsite.model.deal import Deal
from mapsite.paths import site_display
from mapsite.pipeline.from_text import deal_from_text
from mapsite.read.history import all_texts
from mapsite.read.site import Site
from mapsite.schedule.slips import CLOSE_MOVES_WARNING, NO_SLIPS, SlipHistory, slip_history

_VALIDATED: dict[tuple[str, str], Deal | None] = {}


def deal_slips(site: Site, deal: Deal) -> SlipHistory:
    """The slips of ``deal`` over its committed versions and the file as it is now."""
    try:
        texts = [text for _, text in all_texts(deal.source)]
    except MapsiteError:
        return NO_SLIPS  # no git, or git failing: the plan still builds, without history
    if not texts:
        return NO_SLIPS
    versions = [old for text in texts if (old := _validated(site, deal, text))]
    if deal.source.read_text("utf-8-sig") != texts[-1]:
        versions.append(deal)
    elif versions:
        versions[-1] = deal
    return slip_history(versions)


def _validated(site: Site, deal: Deal, text: str) -> Deal | None:
    """An old version as a Deal; None when it did not validate then (it is skipped)."""
    key = (str(deal.source), hashlib.sha256(text.encode("utf-8")).hexdigest())
    if key not in _VALIDATED:
        old, findings = deal_from_text(site, deal, text)
        _VALIDATED[key] = None if any(f.is_error for f in findings) else old
    return _VALIDATED[key]


def close_slip_warning(site: Site, deal: Deal, slips: SlipHistory) -> Finding | None:
    """``check``'s warning when the close date moved three times or more."""
    close = slips.close
    if close is None or close.moves < CLOSE_MOVES_WARNING:
        return None
    lines = deal.source.read_text("utf-8-sig").splitlines()
    line = next((n for n, text in enumerate(lines, 1) if text.startswith("close_date:")), None)
    return Finding(
        site_display(deal.source, site.dir),
        line,
        "warning",
        f"the close date moved {close.moves} times, from {close.first:%Y-%m-%d} to "
        f"{close.current:%Y-%m-%d} ({close.days:+d} business days): the close date is becoming fiction",
        "agree the real signature date with the economic buyer, and the steps that lead to it",
    )
