"""Who may talk to the preview server: its own names, its own origin, and the holder of its token.

A preview serves readable deal pages on the rep's machine. Listening on loopback is not enough:
with DNS rebinding, any web page the rep visits can make ``evil.example`` resolve to 127.0.0.1
and read the preview as its own origin. So the server answers only when the ``Host`` header is
one of its own names, refuses requests sent by other origins, and asks for a secret: a token,
new for every run, carried by the URL printed in the terminal, traded on first visit for an
HttpOnly, SameSite=Strict cookie. A page on another site never holds the token and its requests
never carry the cookie.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

TOKEN_PARAM = "token"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
# A documentation address (RFC 5737): connecting a UDP socket to it sends nothing, it only asks
# the kernel which local address the default route would use.
ROUTE_PROBE = ("192.0.2.1", 9)


@dataclass
class Guard:
    """The names the server answers to (``name:port``, lower case), its tokens and cookie name.

    ``token`` is printed for the rep and is the cookie's value. ``once`` is good for one visit:
    it is the one ``--open`` hands to the browser on its command line, which other users of the
    machine can read, so it is spent by the time they could use it.
    """

    names: frozenset[str]
    token: str
    once: str
    cookie: str
    spent: bool = False

    def host_allowed(self, host: str) -> bool:
        """True when a request's ``Host`` header names this server."""
        return _netloc(host) in self.names

    def origin_allowed(self, origin: str, host: str) -> bool:
        """True when ``Origin`` is this server's own origin, as reached through ``host``."""
        parts = urlsplit(origin)
        if parts.scheme != "http" or parts.path or parts.query or parts.fragment:
            return False
        return self.host_allowed(parts.netloc) and _netloc(parts.netloc) == _netloc(host)

    def token_matches(self, value: str | None) -> bool:
        """True for the token of this run (compared in constant time)."""
        return value is not None and _same(value, self.token)

    def trade(self, value: str) -> bool:
        """True when ``value`` may be traded for the cookie: the token, or ``once`` the first time."""
        if self.token_matches(value):
            return True
        if self.spent or not _same(value, self.once):
            return False
        self.spent = True
        return True


def new_guard(host: str, addresses: list[str], port: int) -> Guard:
    """The guard of a server asked to listen on ``host``, bound to ``addresses`` on ``port``."""
    return Guard(
        names=frozenset(f"{name}:{port}" for name in own_names(host, addresses) if name),
        token=secrets.token_urlsafe(32),
        once=secrets.token_urlsafe(32),
        # Cookies ignore ports: two previews on one machine must not overwrite each other's.
        cookie=f"mapsite_preview_{port}",
    )


def own_names(host: str, addresses: list[str]) -> set[str]:
    """Host names a browser may use to reach a server asked for ``host`` and bound to ``addresses``."""
    names = {_bracketed(host.lower()), *(_bracketed(a) for a in addresses)}
    ips = [ipaddress.ip_address(a.split("%", 1)[0]) for a in addresses]
    if any(ip.is_loopback or ip.is_unspecified for ip in ips):
        names.update(LOOPBACK_NAMES)
    if not is_loopback(addresses):
        names.add(socket.gethostname().lower())
    if any(ip.is_unspecified for ip in ips) and (routed := _routed_address()):
        names.add(routed)
    return names


def is_loopback(addresses: list[str]) -> bool:
    """True when every bound address is a loopback one (nobody else on the network reaches it)."""
    return all(ipaddress.ip_address(a.split("%", 1)[0]).is_loopback for a in addresses)


def url_host(host: str) -> str:
    """``host`` as written in a URL (an IPv6 address in brackets)."""
    return _bracketed(host)


def _same(value: str, secret: str) -> bool:
    return hmac.compare_digest(value.encode(), secret.encode())


def _bracketed(name: str) -> str:
    return f"[{name}]" if ":" in name and not name.startswith("[") else name


def _netloc(netloc: str) -> str:
    """``name:port`` in lower case with the port made explicit (80, as browsers omit it), or
    an empty string for anything that is not a plain host and port."""
    text = netloc.strip().lower()
    if text.startswith("["):
        name, bracket, port = text.partition("]")
        name += bracket
    else:
        name, colon, port = text.partition(":")
        port = colon + port
    if port and not (port.startswith(":") and port[1:].isdigit()):
        return ""
    if not name or any(c in name for c in "@/\\ "):
        return ""
    return f"{name}:{int(port[1:]) if port else 80}"


def _routed_address() -> str | None:
    """The machine's address on its default route, as others on the network reach it."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(ROUTE_PROBE)
            return probe.getsockname()[0]
    except OSError:
        return None
