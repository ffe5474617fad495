"""Per-deal keys: the content key, its id, the salt and one key slot per way in.

Derived, never stored: the same site secret, passwords and share list give the same keys on
any machine, so remembered logins and share links survive rebuilds and CI deploys.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from mapsite.errors import MapsiteError
from mapsite.model.deal import AccessEntry
from mapsite.paths import site_display
from mapsite.protect import envelope, updates
from mapsite.protect.kdf import KdfCache
from mapsite.protect.secrets import MissingPassword, Share, load_shares, resolve_password
from mapsite.protect.strength import WeakPassword
from mapsite.protect.updates import Sender


class Guarded(Protocol):
    """What is locked with its own key: a deal, or the team dashboard."""

    @property
    def slug(self) -> str: ...

    @property
    def access(self) -> tuple[AccessEntry, ...]: ...

    @property
    def source(self) -> Path: ...


@dataclass(frozen=True)
class DealKeys:
    deal: str
    key: bytes
    kid: str
    salt: bytes
    iterations: int
    slots: tuple[envelope.Slot, ...]
    paths: bytes  # names the folders of extra pages; see envelope.path_key
    # Update codes (docs/updates.md): U and L go into the sealed page; the senders (every access
    # entry and share link, revoked and expired ones too) are what the inbox checks a code against.
    update_key: bytes = field(repr=False)
    pending_key: bytes = field(repr=False)
    senders: tuple[Sender, ...]


def resolve_passwords(guarded: Guarded, site_dir: Path) -> tuple[list[str], list[MapsiteError]]:
    """The passwords of every access entry, and one problem per password that is not set."""
    display = site_display(guarded.source, site_dir)
    resolved, problems = [], []
    for entry in guarded.access:
        try:
            resolved.append(resolve_password(entry, display, site_dir))
        except MapsiteError as exc:
            problems.append(exc)
    return resolved, problems


def missing_passwords(problems: list[MapsiteError]) -> MapsiteError:
    """All passwords that are not set, in one error: the rep fixes them in one go. A password
    that is set but too short to lock with is said as such, at its entry's line."""
    weak = [finding for p in problems if isinstance(p, WeakPassword) for finding in p.findings]
    if weak:
        return MapsiteError(
            f"{len(weak)} access password{'s are' if len(weak) > 1 else ' is'} too short "
            "to lock a portal with",
            weak,
        )
    names = sorted({p.variable for p in problems if isinstance(p, MissingPassword) and p.variable})
    return MapsiteError(
        f"{len(problems)} access password{'s are' if len(problems) > 1 else ' is'} not set: "
        + ", ".join(names),
        hint="export each variable before building, or use --no-protect for a local preview",
    )


def derive_deal_keys(
    deals: list[Guarded],
    site_dir: Path,
    site_secret: bytes,
    today: dt.date,
    cache: KdfCache | None = None,
    shares: list[Share] | None = None,
) -> dict[str, DealKeys]:
    """Keys of every protected deal; all missing passwords are reported in one error.

    With a ``cache`` the caller saves it; without, the site's KDF cache is loaded and saved here.
    """
    shares = load_shares(site_dir) if shares is None else shares
    passwords: dict[str, list[str]] = {}
    problems: list[MapsiteError] = []
    for deal in deals:
        passwords[deal.slug], missing = resolve_passwords(deal, site_dir)
        problems += missing
    if problems:
        raise missing_passwords(problems)

    salts = {deal.slug: envelope.deal_salt(site_secret, deal.slug) for deal in deals}
    requests = [
        (password, salts[slug], envelope.ITERATIONS)
        for slug, values in passwords.items()
        for password in values
    ]
    own_cache = cache is None
    cache = cache or KdfCache(site_dir, site_secret)
    derived = cache.derive_all(requests)
    if own_cache:
        cache.save()

    keys = {}
    for deal in deals:
        mine = [s for s in shares if s.deal == deal.slug]
        revoked = [s.id for s in mine if not s.active(today)]
        salt = salts[deal.slug]
        roots = [derived[(password, salt, envelope.ITERATIONS)] for password in passwords[deal.slug]]
        # The fingerprint is made of KDF outputs, never of passwords: with the site secret in
        # hand, testing a guess against the published kid still costs a full PBKDF2.
        key = envelope.content_key(site_secret, deal.slug, envelope.access_fingerprint(roots, revoked))
        slots = [
            replace(
                envelope.wrap_key(root, key, deal.slug, "password"),
                side=entry.side,
                credential=f"entry:{entry.label}",
            )
            for root, entry in zip(roots, deal.access, strict=True)
        ]
        slots += [_share_slot(share, key, salt, deal.slug) for share in mine if share.active(today)]
        keys[deal.slug] = DealKeys(
            deal=deal.slug,
            key=key,
            kid=envelope.key_id(key),
            salt=salt,
            iterations=envelope.ITERATIONS,
            slots=tuple(sorted(slots, key=lambda slot: slot.ct)),
            paths=envelope.path_key(site_secret, deal.slug),
            update_key=updates.update_key(key),
            pending_key=updates.pending_key(site_secret, deal.slug),
            senders=_senders(deal, roots, mine, salt, today),
        )
    return keys


def _share_slot(share: Share, key: bytes, salt: bytes, deal: str) -> envelope.Slot:
    root = envelope.share_root(envelope.unb64(share.secret), salt)
    slot = envelope.wrap_key(root, key, deal, "share", share.expires)
    return replace(slot, side=share.side, credential=f"link:{share.id}")


def _senders(
    deal: Guarded, roots: list[bytes], shares: list[Share], salt: bytes, today: dt.date
) -> tuple[Sender, ...]:
    """Who may send this deal update codes, and who no longer may (to say so by name)."""
    senders = []
    for root, entry in zip(roots, deal.access, strict=True):
        key = updates.sender_key(root)
        senders.append(Sender(updates.sender_id(key), key, entry.label, "password", entry.side))
    for share in shares:
        key = updates.sender_key(envelope.share_root(envelope.unb64(share.secret), salt))
        state, since = "active", None
        if share.revoked is not None:
            state, since = "revoked", share.revoked
        elif not share.active(today):
            state, since = "expired", share.expires
        senders.append(Sender(updates.sender_id(key), key, share.label, "share", share.side, state, since))
    return tuple(senders)
