"""Delivering recaps over SMTP: one connection, one message per recipient, one-line failures.

A failure to connect, to start TLS or to log in stops the run before anything is sent and says
why in one line (the server's own words when it gave any), since the rep must fix a setting. A
recipient the server refuses is reported and the others still get their message.
Certificates are always verified (Python's default context: the system's CAs, or SSL_CERT_FILE
when set), plus ``email: ca_file``; a certificate that does not verify is said as such.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage

from mapsite.errors import MapsiteError
from mapsite.recap.settings import PASSWORD_ENV, EmailSettings

TIMEOUT = 30  # seconds for the connection and each command


@dataclass(frozen=True)
class Delivery:
    address: str
    error: str | None = None  # why the server refused this recipient


def deliver(settings: EmailSettings, messages: Iterable[EmailMessage]) -> list[Delivery]:
    """Send each message to its To address; a MapsiteError when the server cannot be used at all."""
    where = f"{settings.host}:{settings.port}"
    try:
        with _connect(settings) as server:
            if settings.user:
                server.login(settings.user, settings.password or "")
            return [_send(server, settings.sender, message) for message in messages]
    except smtplib.SMTPAuthenticationError as exc:
        raise MapsiteError(
            f"{where} refused the login of '{settings.user}': {_said(exc.smtp_code, exc.smtp_error)}",
            hint=f"check email: user in mapsite.yml and the password in {PASSWORD_ENV}",
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise MapsiteError(
            f"{where} does not offer STARTTLS",
            hint="set email: security: ssl (port 465), or ask for the right port",
        ) from None
    except ssl.SSLCertVerificationError as exc:
        raise MapsiteError(
            f"the server's certificate is not trusted: {exc.verify_message or exc.reason} ({where})",
            hint="set email.ca_file in mapsite.yml to the PEM file of the CA that signed it",
        ) from None
    except ssl.SSLError as exc:
        raise MapsiteError(
            f"TLS with {where} failed: {exc.reason or exc}",
            hint="check email: security and port in mapsite.yml",
        ) from None
    except ConnectionRefusedError:
        raise MapsiteError(
            f"cannot connect to {where}: connection refused", hint="check email: host and port"
        ) from None
    except TimeoutError:
        raise MapsiteError(
            f"{where} did not answer within {TIMEOUT} s", hint="check email: host and port"
        ) from None
    except socket.gaierror:
        raise MapsiteError(
            f"cannot find the mail server '{settings.host}'", hint="check email: host"
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise MapsiteError(f"sending through {where} failed: {_one_line(exc)}") from None


def _context(settings: EmailSettings) -> ssl.SSLContext:
    """The system's trust (or SSL_CERT_FILE), plus ``email: ca_file``; host names are checked."""
    context = ssl.create_default_context()
    if settings.ca_file is not None:
        try:
            context.load_verify_locations(cafile=settings.ca_file)
        except ssl.SSLError:
            raise MapsiteError(
                f"email: ca_file '{settings.ca_file}' holds no PEM certificate",
                hint="give the CA certificate in PEM form (-----BEGIN CERTIFICATE-----)",
            ) from None
    return context


def _connect(settings: EmailSettings) -> smtplib.SMTP:
    if settings.security == "ssl":
        context = _context(settings)
        return smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT, context=context)
    server = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT)
    if settings.security == "starttls":
        try:
            server.starttls(context=_context(settings))
        except BaseException:
            server.close()
            raise
    return server


def _send(server: smtplib.SMTP, sender: str, message: EmailMessage) -> Delivery:
    address = message["To"].addresses[0].addr_spec
    try:
        server.send_message(message, from_addr=sender, to_addrs=[address])
    except smtplib.SMTPRecipientsRefused as exc:
        code, said = next(iter(exc.recipients.values()))
        return Delivery(address, _said(code, said))
    except smtplib.SMTPDataError as exc:
        return Delivery(address, _said(exc.smtp_code, exc.smtp_error))
    return Delivery(address)


def _said(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", errors="replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(words.split())}"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
