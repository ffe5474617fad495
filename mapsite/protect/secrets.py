"""Where protection's secrets come from: the site secret, passwords, share links.

Locally they live in the git-ignored ``.mapsite/`` folder of the site; in CI they come from
environment variables (``MAPSITE_SECRET``, ``MAPSITE_SHARES``, each deal's ``password_env``).
Nothing here is ever printed or written to ``output/``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets as random
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from mapsite.atomic import write_atomic
from mapsite.errors import MapsiteError
from mapsite.layout import PASSWORDS_FILE, STATE_DIR
from mapsite.model.deal import SIDES, AccessEntry
from mapsite.protect.envelope import b64, unb64
from mapsite.protect.strength import refuse_if_too_short

SECRET_ENV = "MAPSITE_SECRET"
SHARES_ENV = "MAPSITE_SHARES"
# A generated access password: 15 random bytes, 20 URL-safe characters (120 bits).
GENERATED_PASSWORD_BYTES = 15


def private_write(path: Path, text: str) -> None:
    """Write a secret file readable by its owner only, atomically."""
    write_atomic(path, text, private=True)


def site_secret(site_dir: Path, create: bool = True) -> tuple[bytes, bool]:
    """The site secret and whether it was just created."""
    from_env = os.environ.get(SECRET_ENV, "").strip()
    if from_env:
        try:
            secret = unb64(from_env)
        except ValueError:
            secret = b""
        if len(secret) < 32:
            raise MapsiteError(
                f"{SECRET_ENV} must be at least 32 random bytes in base64url",
                hint="copy the contents of .mapsite/secret from the machine that built the site before",
            )
        return secret, False
    path = site_dir / STATE_DIR / "secret"
    if path.is_file():
        return unb64(path.read_text("utf-8").strip()), False
    if not create:
        raise MapsiteError(f"no site secret: set {SECRET_ENV} or build once to create {path}")
    secret = random.token_bytes(32)
    private_write(path, b64(secret) + "\n")
    return secret, True


def passwords_path(site_dir: Path) -> Path:
    return site_dir / STATE_DIR / PASSWORDS_FILE


def local_passwords(site_dir: Path) -> dict[str, str]:
    """``NAME=value`` lines of ``.mapsite/passwords``: a rep's local alternative to exporting."""
    try:
        lines = passwords_path(site_dir).read_text("utf-8").splitlines()
    except OSError:
        return {}
    values = {}
    for line in lines:
        name, sep, value = line.strip().partition("=")
        if sep and not name.startswith("#"):
            values[name.strip().removeprefix("export ").strip()] = value.strip().strip("'\"")
    return values


def password_source(entry: AccessEntry, site_dir: Path) -> str | None:
    """The password of an access entry: literal, environment, then .mapsite/passwords."""
    if entry.password is not None:
        return entry.password
    name = entry.password_env or ""
    return os.environ.get(name) or local_passwords(site_dir).get(name) or None


class MissingPassword(MapsiteError):
    """An access entry whose password is set nowhere; ``variable`` names where it should be."""

    def __init__(self, message: str, variable: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.variable = variable


def resolve_password(entry: AccessEntry, deal_path: str, site_dir: Path) -> str:
    """The password to lock with; one not set, or too short to build with, is a MapsiteError.

    A too-short one raises ``strength.WeakPassword``, whose finding names the entry's line.
    """
    value = password_source(entry, site_dir)
    if not value:
        raise MissingPassword(
            f"{deal_path}: the password of access entry '{entry.label}' is not set",
            entry.password_env,
            hint=f"export {entry.password_env}=... before building (or use --no-protect for a local preview)",
        )
    refuse_if_too_short(entry, deal_path, value)
    return value


def add_local_password(site_dir: Path, name: str, value: str) -> None:
    path = passwords_path(site_dir)
    existing = (
        path.read_text("utf-8")
        if path.is_file()
        else ("# Access passwords for local builds (NAME=value); the environment overrides them.\n")
    )
    private_write(path, existing + f"{name}={value}\n")


def ensure_local_password(site_dir: Path, name: str) -> bool:
    """Give the variable ``name`` a strong random password in ``.mapsite/passwords`` unless that
    file sets it already; True when one was written.

    ``init``, ``new`` and ``import`` call this for the deal they write, so that it builds
    protected at once. The password is never printed: the rep reads it from the file.
    """
    if name in local_passwords(site_dir):
        return False
    add_local_password(site_dir, name, random.token_urlsafe(GENERATED_PASSWORD_BYTES))
    return True


@dataclass(frozen=True)
class Share:
    """One share link: its secret opens one deal until it expires or is revoked."""

    deal: str
    label: str
    secret: str
    created: str
    expires: str | None = None
    revoked: str | None = None
    side: str = "buyer"  # whose work the portal shows first to whoever opens the link

    @property
    def id(self) -> str:
        return self.secret[:8]

    def active(self, today: dt.date) -> bool:
        return self.revoked is None and (self.expires is None or dt.date.fromisoformat(self.expires) >= today)


def shares_path(site_dir: Path) -> Path:
    return site_dir / STATE_DIR / "shares.json"


def load_shares(site_dir: Path) -> list[Share]:
    raw = os.environ.get(SHARES_ENV)
    source = SHARES_ENV
    if raw is None:
        path = shares_path(site_dir)
        if not path.is_file():
            return []
        raw = path.read_text("utf-8")
        source = str(path)
    try:
        shares = [Share(**item) for item in json.loads(raw).get("shares", [])]
    except (ValueError, TypeError, AttributeError) as exc:
        raise MapsiteError(f"{source} is not a valid shares file ({exc})") from None
    for share in shares:
        if share.side not in SIDES:
            raise MapsiteError(
                f"{source}: the share link '{share.label}' of {share.deal} has side '{share.side}'",
                hint=f"use one of {', '.join(SIDES)}",
            )
    return shares


def save_shares(site_dir: Path, shares: list[Share]) -> None:
    if os.environ.get(SHARES_ENV) is not None:
        raise MapsiteError(
            f"share links come from {SHARES_ENV} in this environment; change them where that is set",
        )
    payload = {"shares": [asdict(share) for share in shares]}
    private_write(shares_path(site_dir), json.dumps(payload, indent=2, sort_keys=True) + "\n")


def add_share(
    site_dir: Path, deal: str, label: str, today: dt.date, expires: dt.date | None, side: str = "buyer"
) -> Share:
    shares = load_shares(site_dir)
    if any(s.deal == deal and s.label == label and s.revoked is None for s in shares):
        raise MapsiteError(
            f"deal '{deal}' already has a share link labelled '{label}'",
            hint=f'use another label, or revoke it first with: mapsite share {deal} --revoke "{label}"',
        )
    share = Share(
        deal=deal,
        label=label,
        secret=b64(random.token_bytes(16)),
        created=today.isoformat(),
        expires=expires.isoformat() if expires else None,
        side=side,
    )
    save_shares(site_dir, [*shares, share])
    return share


def deals_sharing(site_dir: Path, label: str) -> list[str]:
    """The deals (slugs) holding a link labelled ``label`` that is not revoked yet."""
    return sorted({s.deal for s in load_shares(site_dir) if s.label == label and s.revoked is None})


def revoke_share(site_dir: Path, label: str, today: dt.date, deal: str) -> list[Share]:
    """Revoke ``deal``'s links labelled ``label``: one deal's "CFO" is not another's, and
    revoking re-keys the deal, so it never reaches past the deal named."""
    shares = load_shares(site_dir)
    matching = [s for s in shares if s.label == label and s.revoked is None and s.deal == deal]
    if not matching:
        raise MapsiteError(
            f"deal '{deal}' has no active share link labelled '{label}'",
            hint="list them with: mapsite share --list",
        )
    updated = [replace(s, revoked=today.isoformat()) if s in matching else s for s in shares]
    save_shares(site_dir, updated)
    return matching


def active_share(site_dir: Path, deal: str, label: str, today: dt.date) -> Share:
    """``deal``'s working link labelled ``label``, to hand out again; a revoked or expired one
    is an error that says so."""
    mine = [s for s in load_shares(site_dir) if s.deal == deal and s.label == label]
    share = next((s for s in reversed(mine) if s.active(today)), None)
    if share is not None:
        return share
    if mine:
        last = mine[-1]
        why = f"was revoked on {last.revoked}" if last.revoked else f"expired on {last.expires}"
        raise MapsiteError(
            f"the share link '{label}' of deal '{deal}' {why}",
            hint=f'make a new one with: mapsite share {deal} --label "{label}"',
        )
    raise MapsiteError(
        f"deal '{deal}' has no share link labelled '{label}'", hint="list them with: mapsite share --list"
    )


def share_link(base_url: str, slug: str, share: Share) -> str:
    """The link to hand out: the secret sits in the fragment, which browsers never send."""
    return f"{base_url}{slug}/#share={share.secret}"


def random_slug(site_secret: bytes, name: str) -> str:
    """An unguessable, stable URL folder for ``slug: random`` (16 characters of a-z and 2-7)."""
    digest = hmac.new(site_secret, f"mapsite:v1:slug:{name}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode("ascii").lower()
