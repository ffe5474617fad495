"""The preview's HTTP and LiveReload server (tornado, as shipped with livereload).

It serves only files inside the preview folder: paths are decoded once and any ``..``,
backslash or NUL is refused before the file system is touched. Reload messages follow the
LiveReload protocol; each page's client decides whether a changed path is its own.
"""

from __future__ import annotations

import asyncio
import errno
import mimetypes
import signal
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from livereload.handlers import LiveReloadHandler
from tornado import web
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.netutil import bind_sockets

from mapsite.errors import MapsiteError
from mapsite.paths import inside, safe_relpath

if TYPE_CHECKING:
    from mapsite.serve import Preview

CLIENT_PATH = "/__mapsite/preview.js"
CLIENT_SCRIPT = Path(__file__).with_name("client.js")
SOCKET_PATH = "/livereload"


class ReloadSocket(LiveReloadHandler):
    """LiveReload's handshake, with the connections kept per server and same-origin only."""

    def initialize(self, server: PreviewServer) -> None:
        self.server = server

    def open(self, *args, **kwargs) -> None:
        self.server.sockets.add(self)

    def on_close(self) -> None:
        self.server.sockets.discard(self)
        super().on_close()

    def check_origin(self, origin: str) -> bool:
        return urlsplit(origin).netloc == self.request.host


class ClientHandler(web.RequestHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "text/javascript; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.write(CLIENT_SCRIPT.read_bytes())


class FileHandler(web.RequestHandler):
    """Files of the preview folder; the error page instead of a page whose deal is broken."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def get(self, _path: str) -> None:
        self._serve(include_body=True)

    def head(self, _path: str) -> None:
        self._serve(include_body=False)

    def _serve(self, include_body: bool) -> None:
        root = self.preview.out
        decoded = unquote(self.request.path)
        if "\\" in decoded or "\x00" in decoded or ".." in decoded.split("/"):
            return self._send(403, b"<!doctype html><title>Forbidden</title><h1>Forbidden</h1>", "text/html")
        relative = decoded.lstrip("/")
        if relative == "" or relative.endswith("/"):
            relative += "index.html"
        safe = safe_relpath(relative)
        target = root / safe if safe else None
        if target is None or not inside(target, root):
            return self._send(403, b"<!doctype html><title>Forbidden</title><h1>Forbidden</h1>", "text/html")
        if target.is_dir():
            return self.redirect(self.request.path + "/")
        if relative.endswith(".html") and (page := self.preview.error_for(relative)) is not None:
            return self._send(500, page, "text/html", include_body)
        if not target.is_file():
            missing = root / "404.html"
            body = missing.read_bytes() if missing.is_file() else b"<!doctype html><h1>Page not found</h1>"
            return self._send(404, body, "text/html", include_body)
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        self._send(200, target.read_bytes(), kind, include_body)

    def _send(self, status: int, body: bytes, kind: str, include_body: bool = True) -> None:
        self.set_status(status)
        self.set_header("Content-Type", f"{kind}; charset=utf-8" if kind.startswith("text/") else kind)
        self.set_header("Cache-Control", "no-store")
        if include_body:
            self.write(body)
        self.finish()


class PreviewServer:
    def __init__(self, preview: Preview, host: str, port: int):
        asyncio.set_event_loop(asyncio.new_event_loop())
        self.loop = IOLoop.current()
        self.sockets: set[ReloadSocket] = set()
        app = web.Application(
            [
                (SOCKET_PATH, ReloadSocket, {"server": self}),
                (CLIENT_PATH, ClientHandler),
                (r"/(.*)", FileHandler, {"preview": preview}),
            ],
            log_function=lambda handler: None,  # the terminal is for the rep's own changes
        )
        try:
            listening = bind_sockets(port, address=host)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise MapsiteError(
                    f"port {port} is in use",
                    hint="stop the other server, choose another --port, or use --port 0 for a free one",
                ) from None
            raise MapsiteError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
        self.http = HTTPServer(app)
        self.http.add_sockets(listening)
        self.port = listening[0].getsockname()[1]
        self.url = f"http://{host}:{self.port}/"

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


def start_server(preview: Preview, host: str, port: int) -> PreviewServer:
    return PreviewServer(preview, host, port)
