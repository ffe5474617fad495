"""Where a portal reader's updates go, and what the deal file already says of them.

The portal's update controls (static/updates.js, docs/updates.md) need two facts from the deal
file: the address "Send to <rep>" mails to, and which changes sent earlier the rep has recorded
(accepted into the discussion, or declined with a reason). Both are read here, once, so the
template and the sealed page's update island name the same rep.
"""

from __future__ import annotations

from dataclasses import dataclass

from mapsite.model.deal import Deal


@dataclass(frozen=True)
class UpdateAddress:
    """Where a reader's updates go by mail (docs/updates.md): a name for "Send to <name>" (None
    when ``updates_to:`` names an address no stakeholder has) and the address."""

    name: str | None
    email: str


def update_address(deal: Deal) -> UpdateAddress | None:
    """The deal's ``updates_to:``, else its seller-side account executive with an email; None when
    neither, and the portal offers only "Copy update" and "Download update file"."""
    if deal.updates_to:
        named = next((s for s in deal.stakeholders if s.email == deal.updates_to), None)
        return UpdateAddress(named.name if named else None, deal.updates_to)
    rep = next(
        (s for s in deal.stakeholders if s.side == "seller" and s.role == "account_executive" and s.email),
        None,
    )
    return UpdateAddress(rep.name, rep.email) if rep and rep.email else None


def update_outcomes(deal: Deal) -> dict[str, str | None]:
    """Each change of a reader's update the deal file records (its ``discussion:`` entries with a
    ``ref``): the rep's reason when declined, else None. The portal marks a pending change with a
    recorded ref confirmed or declined; other changes it confirms from the plan itself."""
    return {entry.ref: entry.declined for entry in deal.discussion if entry.ref}
