"""The preview's HTTP and LiveReload server (tornado, as shipped with livereload).

It serves only files inside the preview folder: paths are decoded once and any ``..``,
backslash or NUL is refused before the file system is touched. Every request, the reload
socket's included, first passes the guard (``guard.py``): the server's own ``Host``, its own
``Origin``, and the token of this run or the cookie it was traded for. Reload messages follow
the LiveReload protocol; each page's client decides whether a changed path is its own.
"""

from __future__ import annotations

import asyncio
import errno
import mimetypes
import signal
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qsl, unquote, urlencode

from livereload.handlers import LiveReloadHandler
from markupsafe import escape
from tornado import web
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.netutil import bind_sockets

from mapsite.errors import MapsiteError
from mapsite.paths import inside, safe_relpath
from mapsite.preview.guard import TOKEN_PARAM, Guard, is_loopback, new_guard, url_host


class Served(Protocol):
    """What the server needs of a preview session: the folder it builds into, and the error page
    of a page that failed to build. The session drives the server, never the other way round."""

    @property
    def out(self) -> Path: ...

    def error_for(self, path: str) -> bytes | None: ...


CLIENT_PATH = "/__mapsite/preview.js"
CLIENT_SCRIPT = Path(__file__).with_name("client.js")
SOCKET_PATH = "/livereload"
FORBIDDEN = b"<!doctype html><title>Forbidden</title><h1>Forbidden</h1>"
MISDIRECTED = (
    b"421 Misdirected Request: this mapsite preview answers only to its own address. "
    b"Open the URL printed in the terminal where mapsite serve runs.\n"
)
FOREIGN = b"403 Forbidden: this mapsite preview does not answer requests sent by other sites.\n"
LOCKED = (
    b'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Open the preview link</title>'
    b"</head><body><h1>Open the link printed in the terminal</h1>"
    b"<p>This preview is only for the person who started it. Open the URL that "
    b"<code>mapsite serve</code> printed in its terminal (it carries a token that is new for "
    b"every run), or restart <code>mapsite serve</code> to get a new one.</p></body></html>"
)


def admit(handler: web.RequestHandler, socket: bool = False) -> bool:
    """True when the request may go on; otherwise its refusal (or the token's redirect) is sent.

    A request is refused with 421 when its ``Host`` is not one of the server's names, with 403
    when its ``Origin`` is another site's (the reload socket must name its own), and with 403
    when it carries neither this run's token nor its cookie. A valid token in the query sets the
    cookie and moves on to the same URL without it, so the token never stays in the address bar.
    """
    guard: Guard = handler.settings["guard"]
    request = handler.request
    host = request.headers.get("Host", "")
    if not guard.host_allowed(host):
        return _answer(handler, 421, MISDIRECTED, "text/plain")
    origin = request.headers.get("Origin")
    if (origin is not None or socket) and not guard.origin_allowed(origin or "", host):
        return _answer(handler, 403, FOREIGN, "text/plain")
    query = parse_qsl(request.query, keep_blank_values=True)
    tokens = [value for name, value in query if name == TOKEN_PARAM]
    if tokens and not socket:
        if len(tokens) != 1 or not guard.trade(tokens[0]):
            return _answer(handler, 403, LOCKED, "text/html")
        handler.set_cookie(guard.cookie, guard.token, httponly=True, samesite="Strict")
        rest = urlencode([(name, value) for name, value in query if name != TOKEN_PARAM])
        target = local_path(request.path) + (f"?{rest}" if rest else "")
        handler.set_header("Cache-Control", "no-store")
        handler.set_header("Referrer-Policy", "no-referrer")
        if request.headers.get("Sec-Fetch-Site") in ("none", "same-origin"):
            handler.redirect(target)
            return False
        # Another site's link or a local file started this visit: the browser withholds a
        # SameSite=Strict cookie from the redirect of such a navigation, but sends it when this
        # page moves on by itself.
        return _answer(handler, 200, landing_page(target), "text/html")
    if not guard.token_matches(handler.get_cookie(guard.cookie)):
        return _answer(handler, 403, LOCKED, "text/html")
    return True


def landing_page(target: str) -> bytes:
    """A page that moves on to ``target`` (a path of this server) as soon as it is shown."""
    url = escape(target)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0;url={url}"><title>Opening the preview</title></head>'
        f'<body><p><a href="{url}">Open the preview</a></p></body></html>'
    ).encode()


def local_path(path: str) -> str:
    """``path`` with one leading slash: ``//host/`` or ``/\\host/`` would redirect off-site."""
    return "/" + path.lstrip("/\\")


def _answer(handler: web.RequestHandler, status: int, body: bytes, kind: str) -> bool:
    """Send a whole response from ``prepare``; False, as the request goes no further."""
    handler.set_status(status)
    handler.set_header("Content-Type", f"{kind}; charset=utf-8")
    handler.set_header("Cache-Control", "no-store")
    handler.finish(body)
    return False


class ReloadSocket(LiveReloadHandler):
    """LiveReload's handshake, with the connections kept per server and admitted by the guard."""

    def initialize(self, server: PreviewServer) -> None:
        self.server = server

    def prepare(self) -> None:
        admit(self, socket=True)

    def open(self, *_args: str, **_kwargs: str) -> None:
        self.server.sockets.add(self)

    def on_close(self) -> None:
        self.server.sockets.discard(self)
        super().on_close()

    def check_origin(self, origin: str) -> bool:
        return self.settings["guard"].origin_allowed(origin, self.request.headers.get("Host", ""))


class ClientHandler(web.RequestHandler):
    def prepare(self) -> None:
        admit(self)

    def get(self) -> None:
        self.set_header("Content-Type", "text/javascript; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.write(CLIENT_SCRIPT.read_bytes())


class FileHandler(web.RequestHandler):
    """Files of the preview folder; the error page instead of a page whose deal is broken."""

    def initialize(self, preview: Served) -> None:
        self.preview = preview

    def prepare(self) -> None:
        admit(self)

    def get(self, _path: str) -> None:
        self._serve(include_body=True)

    def head(self, _path: str) -> None:
        self._serve(include_body=False)

    def _serve(self, include_body: bool) -> None:
        root = self.preview.out
        decoded = unquote(self.request.path)
        if "\\" in decoded or "\x00" in decoded or ".." in decoded.split("/"):
            return self._send(403, FORBIDDEN, "text/html")
        relative = decoded.lstrip("/")
        if relative == "" or relative.endswith("/"):
            relative += "index.html"
        safe = safe_relpath(relative)
        target = root / safe if safe else None
        if target is None or not inside(target, root):
            return self._send(403, FORBIDDEN, "text/html")
        if target.is_dir():
            return self.redirect(local_path(self.request.path) + "/")
        if relative.endswith(".html") and (page := self.preview.error_for(relative)) is not None:
            return self._send(500, page, "text/html", include_body)
        if not target.is_file():
            missing = root / "404.html"
            body = missing.read_bytes() if missing.is_file() else b"<!doctype html><h1>Page not found</h1>"
            return self._send(404, body, "text/html", include_body)
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if not (relative == "404.html" or relative.endswith("index.html")):
            # Not a page mapsite rendered: a deal's attachment (an .html or .svg file among them,
            # published raw in this readable preview) opened as a document runs nothing here.
            self.set_header("Content-Security-Policy", "sandbox")
        self._send(200, target.read_bytes(), kind, include_body)

    def _send(self, status: int, body: bytes, kind: str, include_body: bool = True) -> None:
        self.set_status(status)
        self.set_header("Content-Type", f"{kind}; charset=utf-8" if kind.startswith("text/") else kind)
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        if include_body:
            self.write(body)
        self.finish()


class PreviewServer:
    def __init__(self, preview: Served, host: str, port: int):
        asyncio.set_event_loop(asyncio.new_event_loop())
        self.loop = IOLoop.current()
        self.sockets: set[ReloadSocket] = set()
        try:
            listening = bind_sockets(port, address=host)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise MapsiteError(
                    f"port {port} is in use",
                    hint="stop the other server, choose another --port, or use --port 0 for a free one",
                ) from None
            raise MapsiteError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
        self.port = listening[0].getsockname()[1]
        addresses = [sock.getsockname()[0] for sock in listening]
        self.loopback = is_loopback(addresses)
        self.guard = new_guard(host, addresses, self.port)
        self.origin = f"http://{url_host(host)}:{self.port}/"
        app = web.Application(
            [
                (SOCKET_PATH, ReloadSocket, {"server": self}),
                (CLIENT_PATH, ClientHandler),
                (r"/(.*)", FileHandler, {"preview": preview}),
            ],
            guard=self.guard,
            log_function=lambda _handler: None,  # the terminal is for the rep's own changes
        )
        self.http = HTTPServer(app)
        self.http.add_sockets(listening)

    def link(self, path: str = "", once: bool = False) -> str:
        """The URL of ``path`` that lets a browser in: the only place a token is ever shown.

        ``once`` gives the one-visit token, for a URL handed to another program (``--open``)
        whose arguments other users of the machine can read.
        """
        token = self.guard.once if once else self.guard.token
        return f"{self.origin}{path}?{TOKEN_PARAM}={token}"

    def notify(self, paths: list[str]) -> None:
        """Tell every open page which paths changed (safe to call from the rebuild thread)."""
        if paths:
            self.loop.add_callback(self._send, list(paths))

    def _send(self, paths: list[str]) -> None:
        for path in paths:
            message = {"command": "reload", "path": path if path == "*" else "/" + path, "liveCSS": True}
            for socket in list(self.sockets):
                socket.send_message(message)

    def run_until_interrupted(self) -> None:
        """Serve until SIGINT or SIGTERM, then stop cleanly (no traceback)."""

        def stop(*_args: object) -> None:
            self.loop.add_callback_from_signal(self.loop.stop)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self.loop.start()
        self.http.stop()


def start_server(preview: Served, host: str, port: int) -> PreviewServer:
    return PreviewServer(preview, host, port)
