"""The ``email:`` section of mapsite.yml: how ``mapsite recap --send`` reaches an SMTP server.

Host, port, user, security and the From address are settings a team shares in git; the
password is not, so it is read only from the environment (``MAPSITE_SMTP_PASSWORD``), never
from a file, an option or a process argument. Every problem names mapsite.yml, the line and
the fix, because a recap run that fails halfway leaves some people mailed and others not.
``ca_file`` names a PEM file of certificates to trust besides the system's (a company mail
server with its own CA); it is checked here so a typo is named before any message is made.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from mapsite.errors import MapsiteError
from mapsite.layout import SITE_FILE
from mapsite.read.site import Site
from mapsite.read.yaml import YamlMap

PASSWORD_ENV = "MAPSITE_SMTP_PASSWORD"
SECURITY = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
EMAIL_KEYS = ("host", "port", "user", "security", "from", "ca_file")
EXAMPLE = "email: {host: smtp.example.com, port: 587, user: rep@example.com, from: rep@example.com}"


@dataclass(frozen=True)
class EmailSettings:
    host: str
    port: int
    security: str
    sender: str  # the From address
    user: str | None = None
    password: str | None = None  # from the environment only
    ca_file: Path | None = None  # extra certificates to trust (PEM), besides the system's

    def __repr__(self) -> str:  # never print the password, even in a debugger or a traceback
        return f"EmailSettings(host={self.host!r}, port={self.port}, user={self.user!r})"


def sender_address(site: Site) -> str | None:
    """The From address of ``email:`` when set (``--out`` writes it into the .eml files)."""
    value = site.email.get("from") if site.email else None
    return str(value) if isinstance(value, str) and value.strip() else None


def email_settings(site: Site) -> EmailSettings:
    """The settings ``--send`` needs; a clear error naming the line when one is missing or wrong."""
    data = site.email
    if data is None:
        raise MapsiteError(
            f"{SITE_FILE} has no email: section, so recaps cannot be sent", hint=f"add {EXAMPLE}"
        )
    for key in data:
        if key not in EMAIL_KEYS:
            _fail(data, key, f"unknown setting '{key}' in email:", f"use only {', '.join(EMAIL_KEYS)}")
    host = _text(data, "host")
    sender = _text(data, "from")
    security = str(data.get("security", "starttls"))
    if security not in SECURITY:
        _fail(data, "security", f"email: security is '{security}'", f"use one of {', '.join(SECURITY)}")
    port = data.get("port", DEFAULT_PORTS[security])
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        _fail(
            data, "port", f"email: port is '{port}'", "give a port number, e.g. 587 for starttls, 465 for ssl"
        )
    user = data.get("user")
    if user is not None and not isinstance(user, str):
        _fail(data, "user", "email: user must be text", "write the login name, e.g. user: rep@example.com")
    password = os.environ.get(PASSWORD_ENV) or None
    if user and password is None:
        raise MapsiteError(
            f"{SITE_FILE} sets email: user, but {PASSWORD_ENV} is not set",
            hint=f"export {PASSWORD_ENV} with the SMTP password (it is never read from a file)",
        )
    ca_file = _ca_file(site, data)
    return EmailSettings(host, port, security, sender, user or None, password if user else None, ca_file)


def _ca_file(site: Site, data: YamlMap) -> Path | None:
    """``email: ca_file``, relative to the folder of mapsite.yml; it must be a readable file."""
    value = data.get("ca_file")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        _fail(data, "ca_file", "email: ca_file must be a path", "e.g. ca_file: certs/mail-ca.pem")
    path = site.dir / value.strip()
    if not path.is_file():
        _fail(
            data, "ca_file", f"email: ca_file '{value}' is not a file", "give the PEM file of the CA to trust"
        )
    return path


def _text(data: YamlMap, key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        _fail(data, key, f"email: needs '{key}'", f"add it, e.g. {EXAMPLE}")
    return str(value).strip()


def _fail(data: YamlMap, key: str, message: str, hint: str) -> NoReturn:
    raise MapsiteError(f"{SITE_FILE}:{data.line_of(key)}: {message}", hint=hint)
