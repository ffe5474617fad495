"""A deploy killed half-way leaves whole portals behind, and the next deploy finishes the job.

The deploy runs in a real process that pauses itself exactly half-way through its uploads; the
test then kills it (SIGKILL, or SIGINT as Ctrl-C would), inspects what the target serves, and
deploys again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from mapsite.deploy.report import plan_lines
from mapsite.deploy.store import StoreTarget
from mapsite.protect import envelope
from mapsite.write.manifest import FileEntry
from tests import envelope_reader
from tests.deploy.helpers import add_targets, build_site, published, run_mapsite
from tests.helpers import MINIMAL_DEAL, PASSWORDS

# The child takes Ctrl-C as a terminal's foreground process does, even when the suite itself was
# started in the background (``cmd &``), which makes SIGINT ignored in every process it starts.
PAUSING_DEPLOY = """\
import signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
from pathlib import Path
from mapsite.cli import main as cli
from mapsite.deploy import folder

half, ready, site = int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
sent = 0
real_put = folder.FolderStore.put

def put(self, entry, source):
    global sent
    if sent == half:
        ready.write_text("paused", "utf-8")
        time.sleep(120)
    real_put(self, entry, source)
    sent += 1

folder.FolderStore.put = put
sys.argv = ["mapsite", "deploy", "--no-build", "--site", site]
cli.main()
"""


def open_sealed(shell: bytes, passwords: list[str]) -> tuple[bytes, str, dict]:
    """(content key, page HTML, file map) of a sealed page, opened with any of ``passwords``."""
    found = re.search(rb'<script type="application/json" id="mapsite-envelope">(.*?)</script>', shell)
    assert found, "a deal page on the target is not a sealed shell"
    data = json.loads(found.group(1))
    salt = envelope.unb64(data["kdf"]["salt"])
    for password in passwords:
        try:
            key, page = envelope_reader.open_envelope(
                data, envelope.password_root(password, salt, data["kdf"]["iterations"])
            )
        except ValueError:
            continue
        html = page.decode("utf-8")
        files = re.search(r'<script type="application/json" id="mapsite-files">(.*?)</script>', html)
        return key, html, json.loads(files.group(1)) if files else {}
    raise AssertionError(f"no password opens {data['path']}")


def assert_serves_whole_portals(www: Path, passwords: dict[str, list[str]]) -> None:
    """Every page on the target opens, and every asset and file it uses is there and matches its key."""
    for page in sorted(www.rglob("*.html")):
        relpath = page.relative_to(www).as_posix()
        shell = page.read_bytes()
        for url in re.findall(rb'(?:src|href)="(\.\./[^"#?]*|assets/[^"#?]*)"', shell):
            target = (page.parent / url.decode()).resolve()
            if url.endswith(b"/"):
                continue
            assert target.is_file(), f"{relpath} uses {url.decode()}, which the target lacks"
        deal = relpath.split("/")[0]
        if "/" not in relpath:
            continue
        key, html, files = open_sealed(shell, passwords[deal])
        assert "<h1" in html
        for path, info in files.items():
            blob = www / deal / info["url"]
            assert blob.is_file(), f"{relpath} lists {path}, missing on the target"
            envelope_reader.open_file(key, deal, path, info, blob.read_bytes())


@pytest.fixture
def half_deployed(example_site, tmp_path, monkeypatch):
    """v1 deployed; v2 (acme re-keyed, globex removed, a deal added) built and ready to deploy."""
    www = tmp_path / "www"
    add_targets(example_site, f"deploy:\n  www: {{type: folder, path: {www}}}\n")
    build_site(example_site)
    assert run_mapsite("deploy", "--no-build", site=example_site).returncode == 0
    monkeypatch.setenv("ACME_PORTAL_PASSWORD", "a-new-acme-password")
    shutil.rmtree(example_site / "content" / "deals" / "globex")
    (example_site / "content" / "deals" / "buyer-co.md").write_text(textwrap.dedent(MINIMAL_DEAL), "utf-8")
    build_site(example_site)
    return example_site, www


def start_paused_deploy(site: Path, tmp_path: Path) -> subprocess.Popen:
    plan = run_mapsite("deploy", "--no-build", "--dry-run", site=site).stdout.splitlines()
    transfers = [line for line in plan if line.startswith(("upload  ", "update  "))]
    assert len(transfers) >= 4
    ready = tmp_path / "paused"
    half = len(transfers) // 2
    process = subprocess.Popen(
        [sys.executable, "-c", PAUSING_DEPLOY, str(half), str(ready), str(site)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the deploy never got half-way"
        time.sleep(0.02)
    return process


PASSWORDS_BY_DEAL = {
    "acme": ["a-new-acme-password", PASSWORDS["ACME_PORTAL_PASSWORD"]],
    "bluebird-bakery": [PASSWORDS["BLUEBIRD_PORTAL_PASSWORD"]],
    "globex": [PASSWORDS["GLOBEX_PORTAL_PASSWORD"]],
    "buyer-co": [PASSWORDS["TEST_PORTAL_PASSWORD"]],
    "_team": [PASSWORDS["MAPSITE_TEAM_PASSWORD"]],
}


def test_a_killed_deploy_leaves_whole_portals_and_the_next_one_completes(half_deployed, tmp_path):
    site, www = half_deployed
    process = start_paused_deploy(site, tmp_path)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL

    assert published(www) != published(site / "output"), "the deploy was cut short"
    assert (www / "globex" / "index.html").is_file(), "nothing is deleted before every upload landed"
    assert_serves_whole_portals(www, PASSWORDS_BY_DEAL)

    again = run_mapsite("deploy", "--no-build", site=site)
    assert again.returncode == 0, again.stderr
    assert published(www) == published(site / "output")
    assert_serves_whole_portals(www, PASSWORDS_BY_DEAL)
    settled = run_mapsite("deploy", "--no-build", site=site)
    assert "Nothing to deploy" in settled.stdout


def test_ctrl_c_during_a_deploy_explains_and_exits_130(half_deployed, tmp_path):
    site, www = half_deployed
    process = start_paused_deploy(site, tmp_path)
    process.send_signal(signal.SIGINT)
    _stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "deploy interrupted: the target still serves whole portals" in stderr
    assert "run mapsite deploy again to finish" in stderr
    assert "Traceback" not in stderr
    assert_serves_whole_portals(www, PASSWORDS_BY_DEAL)
    assert run_mapsite("deploy", "--no-build", site=site).returncode == 0
    assert published(www) == published(site / "output")


class FlakyStore:
    """A file store that fails on its n-th upload, as a dropped connection would."""

    def __init__(self, fail_at: int):
        self.files: dict[str, bytes] = {}
        self.state: bytes | None = None
        self.fail_at = fail_at
        self.location = "flaky"

    def list_files(self) -> dict[str, int]:
        return {path: len(data) for path, data in self.files.items()}

    def read(self, _path: str) -> bytes | None:
        return self.state

    def write(self, _path: str, data: bytes) -> None:
        self.state = data

    def put(self, entry: FileEntry, source: Path) -> None:
        if self.fail_at == 0:
            raise ConnectionError("network cut")
        self.fail_at -= 1
        self.files[entry.path] = source.read_bytes()

    def delete(self, paths: list[str]) -> None:
        for path in paths:
            del self.files[path]

    def close(self) -> None:
        pass


def test_files_changed_by_a_cut_deploy_are_sent_again_even_when_reverted(tmp_path):
    """The state is rewritten before the first upload, so a half-done change is never trusted."""
    secret = os.urandom(32)
    out = tmp_path / "out"
    out.mkdir()

    def build(version: bytes) -> dict[str, FileEntry]:
        entries = {}
        for name in ("a.css", "b.html"):
            content = f"{name} ".encode() + version
            (out / name).write_bytes(content)
            entries[name] = FileEntry(
                name, len(content), hashlib.sha256(content).hexdigest(), "text/plain", ""
            )
        return entries

    store = FlakyStore(fail_at=10)
    v1 = build(b"one")
    target = StoreTarget(store, secret)
    target.publish(target.plan(v1), v1, out, lambda _path, _size: None)

    store.fail_at = 1  # a.css lands, then the connection drops before b.html
    v2 = build(b"two")
    target = StoreTarget(store, secret)
    with pytest.raises(ConnectionError):
        target.publish(target.plan(v2), v2, out, lambda _path, _size: None)
    assert store.files["a.css"].endswith(b"two")

    v1_again = build(b"one")  # the rep reverts: same sizes and hashes as the recorded v1
    replan = StoreTarget(store, secret).plan(v1_again)
    assert sorted((u.entry.path, u.reason) for u in replan.updates) == [
        ("a.css", "unverified"),
        ("b.html", "unverified"),
    ]
    # A dry run says why each file goes again in words a rep can read.
    assert plan_lines(replan) == [
        "update  a.css  (9 B, content not verified)",
        "update  b.html  (10 B, content not verified)",
    ]
