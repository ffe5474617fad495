"""`mapsite serve`, end to end: a real process on a copy of the example site, its terminal and its HTTP.

Every server runs on a free port of 127.0.0.1, is read line by line in a background thread, and is
stopped with Ctrl-C (SIGINT) when the test ends. Waits are bounded and wait for a line or a
response, never for a fixed time, except where a test must show that something does NOT happen.
Requests carry the cookie a browser gets for the token of the printed URL (tests of the guard
itself are in test_preview_security.py).
"""

from __future__ import annotations

import itertools
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.helpers import REPO, TODAY
from tests.htmltree import parse
from tests.preview.helpers import (
    ACME,
    ACME_BAD_LINE,
    ACME_ERROR,
    ACME_GOOD_LINE,
    ACME_TITLE,
    CHANGED,
    GLOBEX_TITLE,
    MS,
    edit,
    rebuilt,
)

SLUGS = ("acme", "bluebird-bakery", "globex")
BLUEBIRD_TITLE = "Bluebird Bakery x Northwind: Customer Loyalty Emails"
BUILD_FAILED = "build failed: fix the error and save again (the browser shows it too)"
# Lines of the example mapsite.yml that must never reach a browser.
SITE_YML_SECRETS = ("base_url: https://deals.northwind.example/", "password_env: MAPSITE_TEAM_PASSWORD")


def preview_folders(*roots: Path) -> set[Path]:
    found: set[Path] = set()
    for root in {Path("/tmp"), Path(tempfile.gettempdir()), *roots}:
        if root.is_dir():
            found.update(root.glob("mapsite-preview-*"))
    return found


# --- start, stop, port ----------------------------------------------------------------------------


def test_start_prints_the_url_of_every_deal_and_serves_them(serve, example_site):
    server = serve(example_site)
    out = server.output.splitlines()
    first = next(i for i, line in enumerate(out) if line.startswith("Serving "))
    assert out[first] == f"Serving Northwind deal rooms at {server.link()} (preview, not protected)"
    assert server.base == f"http://127.0.0.1:{server.port}/" and server.port > 0
    assert len(server.token) >= 32
    watching = out.index("Watching for changes. Press Ctrl-C to stop.")
    listed = out[first + 1 : watching]
    for slug in SLUGS:
        assert f"  {slug}: {server.link(f'{slug}/')}" in listed, server.output
    assert "Building into" not in server.output
    for slug, title in zip(SLUGS, (ACME_TITLE, BLUEBIRD_TITLE, GLOBEX_TITLE), strict=True):
        status, kind, body = server.get(f"/{slug}/")
        assert status == 200 and kind.startswith("text/html"), (slug, status, kind)
        assert title in body
        # Readable without a password, and saying so.
        assert "Preview, not protected" in body
    status, _, body = server.get("/acme/security/")
    assert status == 200 and "Security review pack" in body
    status, _, _ = server.get("/acme/acme-logo.svg")
    assert status == 200
    assert server.stop() == 0


def test_ctrl_c_stops_cleanly_and_removes_the_build_folder(serve, example_site, tmp_path):
    before = preview_folders(tmp_path / "tmp0")
    server = serve(example_site)
    during = preview_folders(server.tmpdir) - before
    assert during, "no mapsite-preview-* build folder while serving (expected in $TMPDIR or /tmp)"
    assert server.get("/acme/")[0] == 200
    code = server.stop()
    assert code == 0, server.output
    assert server.output.splitlines()[-1] == "Stopped.", server.output
    assert "Traceback" not in server.output
    assert "KeyboardInterrupt" not in server.output
    left = preview_folders(server.tmpdir) - before
    assert not left, f"build folders left behind: {sorted(left)}"


def test_a_port_in_use_is_a_clear_message(example_site, tmp_path):
    before = preview_folders(tmp_path)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        env = dict(os.environ, PYTHONPATH=str(REPO), TMPDIR=str(tmp_path), COLUMNS="250")
        result = subprocess.run(
            [sys.executable, "-m", "mapsite", "serve", "--site", str(example_site), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert f"port {port} is in use" in output
    assert "--port 0" in output
    assert "Traceback" not in output
    assert not preview_folders(tmp_path) - before, "a failed start leaves no build folder"


def test_protect_serves_the_protected_pages(serve, example_site):
    server = serve(example_site, "--protect")
    assert (
        f"Serving Northwind deal rooms at {server.link()} (protected preview)" in server.output.splitlines()
    )
    status, _, body = server.get("/acme/")
    assert status == 200
    assert "Q1 budget freeze" not in body and "Dana Whitfield" not in body
    assert "Preview, not protected" not in body


# --- what the server refuses ----------------------------------------------------------------------

TRAVERSALS = [
    "/../mapsite.yml",
    "/../../mapsite.yml",
    "/../../../mapsite.yml",
    "/%2e%2e/mapsite.yml",
    "/%2E%2E/%2E%2E/mapsite.yml",
    "/%2e%2e%2f%2e%2e%2fmapsite.yml",
    "/acme/..%2f..%2fmapsite.yml",
    "/acme/..%2f..%2f..%2f..%2fmapsite.yml",
    "/acme/../../../../mapsite.yml",
    "/..%5cmapsite.yml",
    "/..%5c..%5c..%5cmapsite.yml",
    "/acme/..%5c..%5c..%5c..%5cmapsite.yml",
    "/%252e%252e/mapsite.yml",
    "/%252e%252e%252f%252e%252e%252fmapsite.yml",
    "/..%252fmapsite.yml",
    "/%c0%ae%c0%ae/mapsite.yml",  # overlong UTF-8 for "..": not even valid UTF-8, 400 is fine too
    "/.%2e/.%2e/example/mapsite.yml",
    "/../../example/mapsite.yml",
    "/../../../example/mapsite.yml",
    "/acme/..%2f..%2f..%2fexample%2fcontent%2fdeals%2facme%2findex.md",
    "//etc/passwd",
    "/%2fetc%2fpasswd",
    "/mapsite.yml",
    "/content/deals/acme/index.md",
]


def test_path_traversal_never_reaches_the_site_files(serve, example_site, tmp_path):
    server = serve(example_site)
    # Bait wherever a ``..`` could lead from the build folder (in $TMPDIR): $TMPDIR and its parent.
    bait = "BAIT-mapsite-yml-outside-the-output"
    for folder in (server.tmpdir, tmp_path):
        (folder / "mapsite.yml").write_text(f"title: {bait}\n", "utf-8")
    secrets = (*SITE_YML_SECRETS, bait, "password_env: ACME_PORTAL_PASSWORD", "root:x:0:0")
    for path in TRAVERSALS:
        status, _, body = server.get(path)
        allowed = (400, 403, 404) if "%c0" in path else (403, 404)
        assert status in allowed, f"GET {path} -> {status}"
        leaked = [secret for secret in secrets if secret in body]
        assert not leaked, f"GET {path} returned {leaked}"
    assert server.alive()
    assert server.get("/acme/")[0] == 200


def test_unknown_paths_get_a_friendly_404(serve, example_site):
    server = serve(example_site)
    for path in ("/no-such-deal/", "/acme/no-such-page/", "/acme/files/missing.pdf", "/nothing.html"):
        status, kind, body = server.get(path)
        assert status == 404, (path, status)
        assert kind.startswith("text/html"), (path, kind)
        assert "<html" in body.lower() and "not found" in body.lower(), (path, body[:500])
        assert "Traceback" not in body


# --- rebuilds -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pauses",
    [(0.04, 0.04, 0.04, 0.04), (0.002, 0.002, 0.002, 0.03)],
    ids=["evenly", "editor-save-pattern"],
)
def test_a_burst_of_saves_rebuilds_once_and_only_that_deal(serve, example_site, pauses):
    """A burst of saves (temp file + rename, rewrites, gaps under 50 ms): one rebuild.

    Saves more than the quiet window (100 ms) apart are separate saves and may each rebuild:
    a longer window would push save-to-page latency past its 150 ms target.
    """
    server = serve(example_site)
    acme = example_site / ACME
    mark = server.mark()
    title = ACME_TITLE
    saved_at = []
    for i, pause in enumerate((0, *pauses), 1):
        time.sleep(pause)
        new = f"Acme x Northwind: Marketing Automation Rollout v{i}"
        edit(acme, title, new, atomic=i % 2 == 1)
        saved_at.append(time.monotonic())
        title = new
    gaps = [round((b - a) * 1000) for a, b in itertools.pairwise(saved_at)]
    server.wait_for_line(rebuilt("acme"), since=mark)
    time.sleep(2)  # nothing may follow: a burst is one rebuild
    lines = server.since(mark)
    rebuilds = [line for line in lines if line.startswith("rebuilt ")]
    assert len(rebuilds) == 1 and re.match(rebuilt("acme"), rebuilds[0]), (f"gaps {gaps} ms", lines)
    status, _, body = server.get("/acme/")
    assert status == 200 and title in body
    assert not list(acme.parent.glob(".index.md.tmp-*"))


def test_editing_one_deal_leaves_the_others_alone(serve, example_site):
    server = serve(example_site)
    mark = server.mark()
    edit(example_site / ACME, "name: Technical Demo,", "name: Technical Deep-Dive Demo,")
    match = server.wait_for_line(rebuilt("acme"), since=mark)
    assert int(re.search(r"\((\d+) pages? changed\)", match.group(0)).group(1)) >= 1
    # A second save and its rebuild: anything the first one set off has been printed by then.
    second = server.mark()
    edit(example_site / ACME, "name: Kickoff Call,", "name: Kickoff Meeting,")
    server.wait_for_line(rebuilt("acme"), since=second)
    lines = server.since(mark)
    for other in ("globex", "bluebird-bakery", "all"):
        assert not any(line.startswith(f"rebuilt {other}") for line in lines), lines
    assert "Technical Deep-Dive Demo" in server.get("/acme/")[2]
    assert GLOBEX_TITLE in server.get("/globex/")[2]


def test_a_site_setting_rebuilds_every_deal(serve, example_site):
    server = serve(example_site)
    mark = server.mark()
    edit(example_site / "mapsite.yml", 'accent: "#5B2A86"', 'accent: "#1D6B3A"')
    server.wait_for_line(rf"^rebuilt all 3 deals in {MS} {CHANGED}$", since=mark)
    status, _, body = server.get("/globex/")
    assert status == 200 and GLOBEX_TITLE in body


def test_a_new_seller_logo_is_published(serve, example_site):
    """The seller logo is a site file: a new one rebuilds every deal and is served under its new name."""
    server = serve(example_site)
    logo_url = re.compile(r"assets/brand/northwind\.[0-9a-f]+\.svg")
    [before] = set(logo_url.findall(server.get("/globex/")[2]))
    logo = example_site / "assets" / "northwind.svg"
    mark = server.mark()
    logo.write_text(logo.read_text("utf-8").replace("</svg>", "<!-- new logo --></svg>"), "utf-8")
    match = server.wait_for_line(rf"^rebuilt all 3 deals in {MS} {CHANGED}$", since=mark)
    assert not match.group(0).endswith("(0 pages changed)"), match.group(0)
    [after] = set(logo_url.findall(server.get("/globex/")[2]))
    assert after != before
    status, _, body = server.get("/" + after)
    assert status == 200 and "<!-- new logo -->" in body


def test_a_new_deal_appears_and_a_deleted_one_goes(serve, example_site):
    server = serve(example_site)
    deals = example_site / "content" / "deals"
    newco = deals / "newco.md"
    text = (deals / "bluebird-bakery.md").read_text("utf-8")
    newco_title = "Newco x Northwind: Loyalty Pilot"
    mark = server.mark()
    newco.write_text(text.replace(BLUEBIRD_TITLE, newco_title), "utf-8")
    server.wait_for_line(rf"^added deal newco in {MS}$", since=mark)
    status, _, body = server.get("/newco/")
    assert status == 200 and newco_title in body
    assert BLUEBIRD_TITLE in server.get("/bluebird-bakery/")[2]

    mark = server.mark()
    newco.unlink()
    server.wait_for_line(r"^removed deal newco$", since=mark)
    status, kind, body = server.get("/newco/")
    assert status == 404 and kind.startswith("text/html")
    assert newco_title not in body
    # Deleting a deal is not an error the rep has to fix.
    assert not [line for line in server.since(mark) if "error" in line or line.startswith("build failed")]
    assert server.get("/acme/")[0] == 200
    assert server.alive()


def test_a_broken_file_shows_the_error_and_the_fix_brings_the_portal_back(serve, example_site):
    server = serve(example_site)
    acme = example_site / ACME
    mark = server.mark()
    edit(acme, ACME_GOOD_LINE, ACME_BAD_LINE)
    server.wait_for_line(rf"^{re.escape(ACME_ERROR)}: ", since=mark)
    server.wait_for_line(rf"^{re.escape(BUILD_FAILED)}$", since=mark)
    assert server.alive()
    status, kind, body = server.get("/acme/")
    assert status in (200, 500) and kind.startswith("text/html"), status
    assert "content/deals/acme/index.md:4" in body
    assert "YAML syntax error" in body
    assert "error-line" in body
    assert "name: [Acme Corp" in body  # the offending lines themselves
    marked = [e.text() for e in parse(body).iter() if "error-line" in e.attrs.get("class", "").split()]
    assert len(marked) == 1 and "name: [Acme Corp" in marked[0], marked  # line 4, the mistake's own
    assert "Traceback" not in body + server.output
    # The other deals keep working while acme is broken.
    status, _, body = server.get("/globex/")
    assert status == 200 and GLOBEX_TITLE in body

    mark = server.mark()
    edit(acme, ACME_BAD_LINE, ACME_GOOD_LINE)
    server.wait_for_line(rebuilt("acme"), since=mark)
    status, _, body = server.get("/acme/")
    assert status == 200 and ACME_TITLE in body
    assert "error-line" not in body and "YAML syntax error" not in body
    assert server.alive()
    assert server.stop() == 0


def test_a_broken_site_file_shows_on_every_deal_until_it_is_fixed(serve, example_site):
    server = serve(example_site)
    site_yml = example_site / "mapsite.yml"
    mark = server.mark()
    edit(site_yml, "title: Northwind deal rooms\n", "title: [Northwind deal rooms\n")
    server.wait_for_line(r"^mapsite\.yml:\d+: error: YAML syntax error", since=mark)
    server.wait_for_line(rf"^{re.escape(BUILD_FAILED)}$", since=mark)
    for slug in SLUGS:
        status, _, body = server.get(f"/{slug}/")
        assert status in (200, 500), (slug, status)
        assert "mapsite.yml:" in body and "YAML syntax error" in body and "error-line" in body, slug
    assert server.alive()

    mark = server.mark()
    edit(site_yml, "title: [Northwind deal rooms\n", "title: Northwind deal rooms\n")
    server.wait_for_line(rf"^rebuilt all 3 deals in {MS} {CHANGED}$", since=mark)
    for slug, title in zip(SLUGS, (ACME_TITLE, BLUEBIRD_TITLE, GLOBEX_TITLE), strict=True):
        status, _, body = server.get(f"/{slug}/")
        assert status == 200 and title in body and "error-line" not in body, slug


# --- the deploy output stays clean ----------------------------------------------------------------


@pytest.mark.parametrize("protect", [True, False], ids=["protected", "no-protect"])
def test_a_normal_build_has_no_preview_script_or_banner(example_site, tmp_path, protect):
    out = tmp_path / "out"
    args = ["build", "--site", str(example_site), "--today", TODAY, "--out", str(out)]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    result = subprocess.run(
        [sys.executable, "-m", "mapsite", *args, *([] if protect else ["--no-protect"])],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    pages = [p for p in out.rglob("*") if p.suffix in (".html", ".js", ".css") and p.is_file()]
    assert any(p.name == "index.html" for p in pages)
    for page in pages:
        text = page.read_text("utf-8", "replace")
        assert "livereload" not in text.lower(), page
        assert "Preview, not protected" not in text, page
    if not protect:
        assert ACME_TITLE in (out / "acme" / "index.html").read_text("utf-8")


def test_an_internal_error_is_shown_and_the_server_stays_up(tmp_path):
    """A bug inside mapsite during a rebuild: message in the terminal and the browser, detail logged."""
    import datetime as dt

    from mapsite.preview.session import Preview

    lines: list[str] = []
    preview = Preview(tmp_path, tmp_path, dt.date(2027, 2, 22), False, lines.append, lambda _findings: None)

    def broken(_key):
        raise RuntimeError("renderer exploded")

    preview.build_deal = broken
    sent: list[list[str]] = []
    preview.notify = sent.append
    preview.on_change({tmp_path / "content" / "deals" / "acme.md"})
    assert "build failed: fix the error and save again (the browser shows it too)" in lines
    page = preview.error_for("acme/index.html").decode()
    assert "internal error while rebuilding: RuntimeError: renderer exploded" in page
    assert sent == [["*"]]


def test_the_team_dashboard_is_previewed_like_the_build_and_follows_each_edit(serve, example_site):
    """The build writes /_team/ for a site with team_access; the preview serves it too, and a
    deal's rebuild refreshes its row."""
    server = serve(example_site)
    status, kind, body = server.get("/_team/")
    assert status == 200 and kind.startswith("text/html"), status
    assert ACME_TITLE in body and GLOBEX_TITLE in body
    mark = server.mark()
    edit(example_site / ACME, f'title: "{ACME_TITLE}"', 'title: "Acme x Northwind: Renamed Rollout"')
    server.wait_for_line(rebuilt("acme"), since=mark)
    body = server.get("/_team/")[2]
    assert "Acme x Northwind: Renamed Rollout" in body and ACME_TITLE not in body
    assert GLOBEX_TITLE in body


def test_the_protected_preview_locks_the_team_dashboard(serve, example_site):
    server = serve(example_site, "--protect")
    status, _, body = server.get("/_team/")
    assert status == 200 and 'id="mapsite-envelope"' in body
    assert ACME_TITLE not in body


def test_a_theme_template_saved_while_serving_shows_on_every_page(serve, example_site):
    """Templates are compiled once per build (no re-reading each time a page includes one), so
    a saved template must start a build of every deal with the theme read afresh."""
    footer = REPO / "themes" / "default" / "templates" / "partials" / "deal_footer.html"
    override = example_site / "themes" / "brand" / "templates" / "partials" / "deal_footer.html"
    override.parent.mkdir(parents=True)
    override.write_text(
        footer.read_text("utf-8").replace("<p>Prepared by", "<p>Footer one. Prepared by"), "utf-8"
    )
    with (example_site / "mapsite.yml").open("a", encoding="utf-8") as settings:
        settings.write("theme: brand\n")
    server = serve(example_site)
    assert "Footer one." in server.get("/acme/")[2]
    mark = server.mark()
    edit(override, "Footer one.", "Footer two.")
    server.wait_for_line(rf"^rebuilt all 3 deals in {MS} {CHANGED}$", since=mark)
    for slug in SLUGS:
        page = server.get(f"/{slug}/")[2]
        assert "Footer two." in page and "Footer one." not in page, slug
