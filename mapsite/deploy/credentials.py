"""Passwords and tokens written into a location (a git remote, an S3 endpoint, an SSH destination).

mapsite.yml is committed, and whatever a location holds ends up on a command line (visible to
every user of the machine in the process list), in error messages and in logs. So a location
that carries a credential is refused, and every location mapsite prints is first redacted here.
The test is deliberately narrow: a user name alone (``git@github.com``, ``deploy@host``) is an
account, not a secret, unless it has the shape of a token (GitHub and GitLab put the token
itself in the user name: ``https://ghp_...@github.com``).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<rest>.*)$", re.S)
TOKEN_USER = re.compile(r"^(?:gh[pousr]_|github_pat_|glpat-|glptt-|gldt-)|^[A-Za-z0-9_-]{32,}$")
SECRET_PARAMETER = re.compile(
    r"passw|secret|token|credential|signature|sig$|api_?key|access_?key|auth|^key$", re.I
)
HIDDEN = "***"


def _split(location: str) -> tuple[str, str, str, str]:
    """(scheme, userinfo, host and path, query) of a URL or of ``user@host:path``."""
    match = SCHEME.match(location)
    scheme, rest = (match["scheme"], match["rest"]) if match else ("", location)
    rest, _, query = rest.partition("?") if scheme else (rest, "", "")
    end = len(rest)
    for mark in "/#" if scheme else "/":
        if mark in rest:
            end = min(end, rest.index(mark))
    userinfo, at, host = rest[:end].rpartition("@")
    return scheme, userinfo if at else "", (host if at else rest[:end]) + rest[end:], query


def holds_credential(location: str) -> bool:
    """Does the location carry a password or token (``user:secret@``, a token as user, ``?token=``)?"""
    _scheme, userinfo, _host, query = _split(location)
    if ":" in userinfo or TOKEN_USER.search(userinfo):
        return True
    return any(SECRET_PARAMETER.search(name) for name, _value in parse_qsl(query, keep_blank_values=True))


def redact(location: str) -> str:
    """The location as it may be printed: any user part and query of a location with a secret hidden.

    A plain account (``git@github.com:you/deals.git``) is shown as written, since it helps
    to tell targets apart and hides nothing.
    """
    if not holds_credential(location):
        return location
    scheme, userinfo, host, query = _split(location)
    shown = f"{scheme}{HIDDEN + '@' if userinfo else ''}{host}"
    return f"{shown}?{HIDDEN}" if query else shown


def without_credential(location: str, keep_account: bool = True) -> str:
    """What to write instead: the location without its secret (and without the account name,
    where that is itself a key, as an S3 access key id is)."""
    scheme, userinfo, host, _query = _split(location)
    user = userinfo.partition(":")[0]
    account = f"{user}@" if keep_account and user and not TOKEN_USER.search(user) else ""
    return f"{scheme}{account}{host}"
