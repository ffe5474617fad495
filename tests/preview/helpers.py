"""A real ``mapsite serve`` process for tests: its output lines as they come, bounded waits on
them, and raw HTTP requests to it; and the example site's lines the preview tests edit.

Shared by the preview tests (through the ``serve`` fixture) and the Chromium tests of the preview,
which start their own process.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import REPO, TODAY

ACME = Path("content/deals/acme/index.md")
ACME_TITLE = "Acme x Northwind: Marketing Automation Rollout"
GLOBEX_TITLE = "Globex Logistics x Northwind x Initech: Account-Based Marketing Platform"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
MS = r"\d+ ms"
CHANGED = r"\(\d+ pages? changed\)"
# A YAML syntax error on line 4 of acme's file (``  name: Acme Corp`` gets a bracket it never closes),
# reported at that line: the line of the mistake, not the one where YAML noticed it.
ACME_GOOD_LINE = "  name: Acme Corp\n"
ACME_BAD_LINE = "  name: [Acme Corp\n"
ACME_ERROR = "content/deals/acme/index.md:4: error: YAML syntax error"


@dataclass(frozen=True)
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: str


class Serve:
    """One ``mapsite serve`` process: its output lines as they come, and bounded waits on them."""

    def __init__(self, site: Path, *args: str, tmpdir: Path):
        self.site = site
        self.tmpdir = tmpdir
        tmpdir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        env.update(PYTHONUNBUFFERED="1", TMPDIR=str(tmpdir), COLUMNS="250", NO_COLOR="1")
        command = [sys.executable, "-m", "mapsite", "serve", "--site", str(site), "--today", TODAY]
        self.proc = subprocess.Popen(
            [*command, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            bufsize=1,
            cwd=site,
            env=env,
        )
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._eof = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.base = ""
        self.port = 0
        self.token = ""

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            with self._changed:
                self.lines.append(ANSI.sub("", raw.rstrip("\r\n")))
                self._changed.notify_all()
        with self._changed:
            self._eof = True
            self._changed.notify_all()

    @property
    def output(self) -> str:
        with self._changed:
            return "\n".join(self.lines)

    def mark(self) -> int:
        """Where the output is now: waits ``since`` a mark ignore everything printed before."""
        with self._changed:
            return len(self.lines)

    def since(self, mark: int) -> list[str]:
        with self._changed:
            return self.lines[mark:]

    def wait_for_line(self, pattern: str, timeout: float = 20, since: int = 0) -> re.Match:
        """The first line from ``since`` on matching the regex ``pattern`` (searched, not anchored)."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._changed:
            index = since
            while True:
                while index < len(self.lines):
                    match = regex.search(self.lines[index])
                    if match:
                        return match
                    index += 1
                left = deadline - time.monotonic()
                if self._eof or left <= 0:
                    break
                self._changed.wait(min(left, 0.5))
        if self._eof:
            try:
                state = f"exited with code {self.proc.wait(5)}"
            except subprocess.TimeoutExpired:
                state = "closed its output"
        else:
            state = f"still running after {timeout} s"
        pytest.fail(f"no line matching {pattern!r} (mapsite serve {state}); output:\n{self.output}")

    def started(self, timeout: float = 30) -> Serve:
        match = self.wait_for_line(r"^Serving .* at (http://127\.0\.0\.1:(\d+)/)\?token=([\w-]+) \(", timeout)
        self.base, self.port, self.token = match.group(1), int(match.group(2)), match.group(3)
        self.wait_for_line(r"^Watching for changes\. Press Ctrl-C to stop\.$", timeout)
        return self

    def link(self, path: str = "") -> str:
        """The URL of ``path`` as printed: with the token that lets a browser in."""
        return f"{self.base}{path}?token={self.token}"

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 10) -> int:
        """Ctrl-C, as a rep stops it; killed if it does not stop in time. Returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._reader.join(10)
        return self.proc.returncode

    # --- HTTP, with raw paths: http.client sends them exactly as written -------------------------

    def get(self, path: str, timeout: float = 10, **headers: str) -> tuple[int, str, str]:
        """(status, content type, body) of GET ``path``, as a browser let in by the printed URL
        sends it (its Host and the preview's cookie); ``headers`` replace or add headers
        (``Host=...``, ``Origin=...``, ``Cookie=""`` to send none)."""
        sent = {"Host": f"127.0.0.1:{self.port}", "Cookie": f"mapsite_preview_{self.port}={self.token}"}
        sent.update(headers)
        reply = self.request(path, sent, timeout)
        return reply.status, reply.headers.get("Content-Type", ""), reply.body

    def request(self, path: str, headers: dict[str, str], timeout: float = 10) -> Reply:
        """GET ``path`` with exactly ``headers`` (empty ones left out)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
            for name, value in headers.items():
                if value:
                    conn.putheader(name, value)
            conn.endheaders()
            response = conn.getresponse()
            return Reply(response.status, response.headers, response.read().decode("utf-8", "replace"))
        finally:
            conn.close()


def edit(path: Path, old: str, new: str, *, atomic: bool = False) -> None:
    """Save ``path`` with ``old`` replaced, in place or as editors do (temporary file, then rename)."""
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    text = text.replace(old, new, 1)
    if atomic:
        temporary = path.with_name(f".{path.name}.tmp-{time.monotonic_ns()}")
        temporary.write_text(text, "utf-8")
        os.replace(temporary, path)
    else:
        path.write_text(text, "utf-8")


def rebuilt(slug: str) -> str:
    return rf"^rebuilt {re.escape(slug)} in {MS} {CHANGED}$"
