"""The preview answers only to its own names, its own origin and the holder of its token (issue 12, 5).

Each test attacks a real ``mapsite serve`` process on 127.0.0.1 the way a web page would through
DNS rebinding (``evil.example`` resolving to 127.0.0.1: the browser sends ``Host: evil.example``
and treats the answer as evil.example's own), or from another site (its ``Origin``), or without
the URL printed in the terminal. Requests are raw HTTP, so every header is exactly the one a
browser would send; the same checks in Chromium are in tests/browser/test_serve_browser.py.
"""

from __future__ import annotations

import base64
import re
import secrets
import time
from http.cookies import SimpleCookie

from tests.preview.helpers import ACME_TITLE, GLOBEX_TITLE, Serve

# What a page that read the preview would learn: titles, private text, the deal list, the logo.
DEAL_CONTENT = (ACME_TITLE, GLOBEX_TITLE, "Q1 budget freeze", "Dana Whitfield", "<svg")
PATHS = ("/", "/acme/", "/globex/", "/acme/security/", "/acme/acme-logo.svg", "/no-such-deal/")
LOCKED = "Open the link printed in the terminal"
MISDIRECTED = "421 Misdirected Request"


def leaked(body: str) -> list[str]:
    return [text for text in DEAL_CONTENT if text in body]


def handshake(server: Serve, **headers: str) -> int:
    """Status of a LiveReload WebSocket handshake (101 when the socket opens), as a browser sends it."""
    sent = {
        "Host": f"127.0.0.1:{server.port}",
        "Origin": f"http://127.0.0.1:{server.port}",
        "Cookie": f"mapsite_preview_{server.port}={server.token}",
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": base64.b64encode(secrets.token_bytes(16)).decode(),
    } | headers
    return server.request("/livereload", sent).status


def test_a_rebound_host_name_gets_421_and_no_deal_content(serve, example_site):
    """DNS rebinding: the page of evil.example asks 127.0.0.1 with its own name in ``Host``."""
    server = serve(example_site)
    port = server.port
    spoofed = (
        f"evil.example:{port}",
        "evil.example",
        f"127.0.0.1.evil.example:{port}",
        f"localhost.evil.example:{port}",
        f"127.0.0.1:{port}.evil.example",
        f"127.0.0.1:{port + 1 if port < 65535 else port - 1}",
    )
    for host in spoofed:
        # Even holding the cookie (a browser never sends it to evil.example) or the token.
        for path in (*PATHS, f"/acme/?token={server.token}"):
            status, kind, body = server.get(path, Host=host)
            assert status == 421, (host, path, status)
            assert kind.startswith("text/plain"), (host, path, kind)
            assert body.startswith(MISDIRECTED) and "printed in the terminal" in body, body
            assert not leaked(body), (host, path, leaked(body))
    # The reload socket of the rebound page is refused too: it would learn every saved path.
    assert handshake(server, Host=f"evil.example:{port}", Origin=f"http://evil.example:{port}") == 421
    # The server's own names still work.
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", f"LOCALHOST:{port}"):
        status, _, body = server.get("/acme/", Host=host)
        assert status == 200 and ACME_TITLE in body, host
    assert server.alive()


def test_a_request_from_another_origin_gets_403(serve, example_site):
    """A page of another site (or a sandboxed frame, Origin ``null``) gets nothing, cookie or not."""
    server = serve(example_site)
    port = server.port
    foreign = (
        "http://evil.example",
        f"http://evil.example:{port}",
        f"https://127.0.0.1:{port}",
        f"http://127.0.0.1:{port + 1 if port < 65535 else port - 1}",
        f"http://localhost:{port}",  # another name of this server, but not the page's own origin
        "null",
    )
    for origin in foreign:
        for path in PATHS:
            status, _, body = server.get(path, Origin=origin)
            assert status == 403, (origin, path, status)
            assert not leaked(body), (origin, path, leaked(body))
    # The server's own origin, as its own pages send it, is served.
    status, _, body = server.get("/acme/", Origin=f"http://127.0.0.1:{port}")
    assert status == 200 and ACME_TITLE in body


def test_the_reload_socket_opens_only_for_its_own_origin_with_the_cookie(serve, example_site):
    server = serve(example_site)
    port = server.port
    assert handshake(server) == 101  # a preview page's own client
    assert handshake(server, Origin="http://evil.example") == 403
    assert handshake(server, Origin=f"http://localhost:{port}") == 403
    assert handshake(server, Origin="null") == 403
    assert handshake(server, Origin="") == 403  # browsers always send one
    assert handshake(server, Cookie="") == 403
    assert handshake(server, Cookie=f"mapsite_preview_{port}={secrets.token_urlsafe(32)}") == 403
    assert handshake(server, Host=f"evil.example:{port}") == 421
    assert server.alive()


def test_without_the_printed_url_the_preview_is_locked(serve, example_site):
    server = serve(example_site)
    port = server.port
    wrong = secrets.token_urlsafe(32)
    attempts = [
        {"Cookie": ""},
        {"Cookie": f"mapsite_preview_{port}={wrong}"},
        {"Cookie": f"mapsite_preview_{port}="},
        {"Cookie": f"mapsite_preview_{port + 1}={server.token}"},  # another preview's cookie name
    ]
    for headers in attempts:
        for path in (*PATHS, "/__mapsite/preview.js", "/404.html"):
            status, kind, body = server.get(path, **headers)
            assert status == 403, (headers, path, status)
            assert kind.startswith("text/html")
            assert LOCKED in body and "mapsite serve" in body, body
            assert not leaked(body), (headers, path, leaked(body))
            assert server.token not in body
    # A wrong token in the URL is no key either, and sets no cookie.
    for query in (
        f"token={wrong}",
        "token=",
        f"token={server.token[:-1]}",
        f"token={wrong}&token={server.token}",
    ):
        reply = server.request(f"/acme/?{query}", {"Host": f"127.0.0.1:{port}", "Sec-Fetch-Site": "none"})
        assert reply.status == 403, (query, reply.status)
        assert reply.headers.get("Set-Cookie") is None
        assert LOCKED in reply.body and not leaked(reply.body)


def test_the_printed_url_sets_the_cookie_and_drops_the_token(serve, example_site):
    server = serve(example_site)
    port = server.port
    printed = re.search(r"^  acme: (\S+)$", server.output, re.M)
    assert printed and printed.group(1) == server.link("acme/")
    path = printed.group(1).removeprefix(server.base[:-1])
    # Opened from the terminal (the browser marks it Sec-Fetch-Site: none): a redirect.
    reply = server.request(path, {"Host": f"127.0.0.1:{port}", "Sec-Fetch-Site": "none"})
    assert reply.status == 302, reply.status
    assert reply.headers["Location"] == "/acme/"
    assert reply.headers["Cache-Control"] == "no-store"
    raw = reply.headers["Set-Cookie"]
    cookie = SimpleCookie(raw)[f"mapsite_preview_{port}"]
    assert cookie["httponly"] is True and cookie["samesite"] == "Strict" and cookie["path"] == "/", raw
    # The cookie alone lets the browser in from now on, on every path.
    jar = {"Cookie": f"mapsite_preview_{port}={cookie.value}", "Host": f"127.0.0.1:{port}"}
    acme = server.request("/acme/", jar)
    assert acme.status == 200 and ACME_TITLE in acme.body
    assert server.request("/globex/", jar).status == 200
    # Other query parameters survive; a path that would redirect to another host does not.
    reply = server.request(
        f"/acme/?x=1&token={server.token}&y=2", {"Host": f"127.0.0.1:{port}", "Sec-Fetch-Site": "none"}
    )
    assert reply.headers["Location"] == "/acme/?x=1&y=2"
    reply = server.request(
        f"//evil.example/?token={server.token}", {"Host": f"127.0.0.1:{port}", "Sec-Fetch-Site": "none"}
    )
    assert reply.headers["Location"] == "/evil.example/"
    # Followed from another site's link: a page of this server moves on by itself, because a
    # browser withholds a SameSite=Strict cookie from the redirect of a cross-site navigation.
    reply = server.request(path, {"Host": f"127.0.0.1:{port}", "Sec-Fetch-Site": "cross-site"})
    assert reply.status == 200 and reply.headers["Set-Cookie"] == raw
    assert '<meta http-equiv="refresh" content="0;url=/acme/">' in reply.body
    assert reply.headers["Referrer-Policy"] == "no-referrer"
    assert server.token not in reply.body and not leaked(reply.body)
    # The token is printed in the URLs and nowhere else.
    lines = [line for line in server.output.splitlines() if server.token in line]
    assert lines and all(f"?token={server.token}" in line and "http://127.0.0.1:" in line for line in lines)


def test_each_run_has_its_own_token(serve, example_site):
    first = serve(example_site)
    second = serve(example_site)
    assert first.token != second.token
    # One run's cookie does not open the other (cookies ignore ports: the names differ too).
    status, _, _ = second.get("/acme/", Cookie=f"mapsite_preview_{second.port}={first.token}")
    assert status == 403


def test_a_non_loopback_address_is_a_clear_warning(serve, example_site):
    """Only a non-loopback address is warned about: localhost and 127.0.0.1 stay on the machine."""
    for host in ("localhost", "127.0.0.1"):
        quiet = serve(example_site, "--host", host, wait=False)
        quiet.wait_for_line(r"^Watching for changes\.", timeout=30)
        assert "warning" not in quiet.output.lower(), quiet.output
        quiet.stop()
    server = serve(example_site, "--host", "0.0.0.0", wait=False)
    match = server.wait_for_line(r"^warning: ", timeout=30)
    assert match.string == (
        "warning: listening on 0.0.0.0, not loopback: anyone on the network can read the previews "
        "of readable deals (the default --host 127.0.0.1 keeps them on this machine)"
    )
    server.wait_for_line(r"^Watching for changes\.", timeout=30)
    assert sum(line.startswith("warning: ") for line in server.lines) == 1
    printed = server.wait_for_line(r"^Serving .* at http://0\.0\.0\.0:(\d+)/\?token=([\w-]+) \(")
    server.port, server.token = int(printed.group(1)), printed.group(2)
    port = server.port
    # Still guarded: a rebound name is refused and the token is still needed.
    assert server.get("/acme/", Host=f"evil.example:{port}")[0] == 421
    assert server.get("/acme/", Cookie="")[0] == 403
    assert server.get("/acme/", Host=f"0.0.0.0:{port}")[0] == 200
    assert server.get("/acme/", Host=f"localhost:{port}")[0] == 200
    assert server.stop() == 0, server.output


def test_open_hands_the_browser_a_link_good_for_one_visit(serve, example_site, tmp_path, monkeypatch):
    """``--open`` puts its URL on a command line, which every user of the machine can read."""
    seen = tmp_path / "opened.txt"
    recorder = tmp_path / "browser.sh"
    recorder.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> "{seen}"\n', "utf-8")
    recorder.chmod(0o755)
    monkeypatch.setenv("BROWSER", f"{recorder} %s")  # what Python's webbrowser runs
    server = serve(example_site, "--open")
    deadline = time.monotonic() + 10
    while not (seen.is_file() and seen.read_text("utf-8").endswith("\n")) and time.monotonic() < deadline:
        time.sleep(0.05)
    [opened] = seen.read_text("utf-8").split()
    match = re.fullmatch(rf"http://127\.0\.0\.1:{server.port}/\?token=([\w-]+)", opened)
    assert match, opened
    once = match.group(1)
    assert once != server.token and once not in server.output
    path = f"/?token={once}"
    first = server.request(path, {"Host": f"127.0.0.1:{server.port}", "Sec-Fetch-Site": "none"})
    assert first.status == 302 and first.headers["Location"] == "/"
    cookie = SimpleCookie(first.headers["Set-Cookie"])[f"mapsite_preview_{server.port}"]
    jar = {"Host": f"127.0.0.1:{server.port}", "Cookie": f"{cookie.key}={cookie.value}"}
    assert server.request("/acme/", jar).status == 200
    # Whoever copies it from the process list afterwards finds it spent.
    again = server.request(path, {"Host": f"127.0.0.1:{server.port}", "Sec-Fetch-Site": "none"})
    assert again.status == 403 and again.headers.get("Set-Cookie") is None


def test_a_deal_file_opened_as_a_document_runs_nothing(serve, example_site):
    """The readable preview publishes a deal's files raw, an HTML attachment among them: opened in
    the preview's origin it must not run (sandboxed, and never sniffed into another type)."""
    files = example_site / "content" / "deals" / "acme" / "files"
    (files / "notes.html").write_text("<script>document.title = 'PWNED'</script>", "utf-8")
    body = (example_site / "content" / "deals" / "acme" / "index.md").read_text("utf-8")
    (example_site / "content" / "deals" / "acme" / "index.md").write_text(
        body + "\n[Meeting notes](files/notes.html)\n", "utf-8"
    )
    server = serve(example_site)
    for path, sandboxed in (
        ("/acme/files/notes.html", True),
        ("/acme/acme-logo.svg", True),
        ("/acme/", False),
    ):
        reply = server.request(
            path,
            {"Host": f"127.0.0.1:{server.port}", "Cookie": f"mapsite_preview_{server.port}={server.token}"},
        )
        assert reply.status == 200, (path, reply.status)
        assert reply.headers.get("X-Content-Type-Options") == "nosniff"
        assert (reply.headers.get("Content-Security-Policy") == "sandbox") is sandboxed, path
