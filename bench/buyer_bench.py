"""Buyer-side benchmark: what a buyer waits for and downloads when opening a protected portal.

``python -m bench.buyer_bench`` builds 20 generated deals (protected, with a share link), serves the
output on loopback and measures in Chromium, each sample in a fresh browser context (no cache, no
stored key): password typed -> plan readable, share link opened -> plan readable, and clicks
between two pages of the unlocked deal. It also weighs the portal page as the browser fetched it:
HTML, CSS and JS, raw and gzipped, with the encrypted payload counted apart from the shell.
Prints a table and the figures as JSON; compare ratios, not seconds, across machines.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import re
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bench.corpus import password_env, write_corpus
from bench.machine import machine
from bench.measure import run_mapsite

REPO = Path(__file__).resolve().parent.parent
DEALS = 20
SLUG = "deal-0000"  # a folder deal: its plan links to a pricing page
SAMPLES = 5
CLICKS = 6
TODAY = "2027-02-22"
TIMEOUT_MS = 30_000
BROWSER_ARGS = ["--disable-gpu", "--no-first-run", "--disable-background-networking"]
# The login shell's body is "kind-login": these match only once the real page is swapped in.
READABLE_PLAN = "body.kind-deal h1"
READABLE_PAGE = "body.kind-page h1"
PAGE_LINK = "#pages a[href]"
BACK_LINK = "a.back-link"
ENVELOPE = re.compile(rb'(<script type="application/json" id="mapsite-envelope">)(.*?)(</script>)', re.S)
KINDS = {"document": "html", "stylesheet": "css", "script": "js"}
# In-page clock for moves between pages: when a link is clicked, and when the first frame showing
# the next readable page has been drawn (a task after its animation frame). A move may load a new
# document or swap the body in place (unlock.js does that within a deal), so the observer is
# armed on every load and every click. Playwright's own detection of an element adds 20-100 ms.
PAINT_CLOCK = """
function armPaintClock(previousBody) {
  new MutationObserver((_, observer) => {
    if (document.body === previousBody || !document.body?.matches(".kind-deal, .kind-page")) return;
    observer.disconnect();
    requestAnimationFrame(() => setTimeout(() => {
      window.benchPainted = performance.timeOrigin + performance.now();
    }));
  }).observe(document, { childList: true, subtree: true });
}
addEventListener("click", () => {
  sessionStorage.setItem("bench-click", String(performance.timeOrigin + performance.now()));
  window.benchPainted = undefined;
  armPaintClock(document.body);
}, true);
armPaintClock(null);
"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    """Chromium drops connections when a sample's context closes mid-transfer; that is no error."""

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """The output as a static host serves it, on loopback; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = _QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=BROWSER_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def fresh_page(browser) -> Iterator:
    """A new context per sample, so no HTTP cache or stored key helps the next one."""
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


# In-page clock for an unlock: when Enter went down on the password field, and when the first frame
# showing the readable page's h1 (SELECTOR, holding TEXT) has been drawn (a task after its
# animation frame). Playwright finds an element by polling the page at 0, 20, 70, 170, 270 and 770
# ms, and a poll waits while the page lays out: its time is the first poll that is answered.
# StatiCrypt swaps its document with document.write, which keeps the window and this observer.
UNLOCK_CLOCK = """
addEventListener("keydown", (event) => {
  if (event.key === "Enter") sessionStorage.setItem("bench-enter", String(performance.now()));
}, true);
new MutationObserver((_, observer) => {
  const title = document.querySelector(SELECTOR);
  if (!title || !title.textContent.includes(TEXT)) return;
  observer.disconnect();
  requestAnimationFrame(() => setTimeout(() => { window.benchDrawn = performance.now(); }));
}).observe(document, { childList: true, subtree: true });
"""
DRAWN = "window.benchDrawn && window.benchDrawn - Number(sessionStorage.getItem('bench-enter'))"


@dataclass(frozen=True)
class Unlocked:
    """One unlock: seconds until its first frame was drawn (the page's clock), and until
    Playwright saw the title visible."""

    drawn_s: float
    observed_s: float


def clocked_unlock(page, url: str, field: str, password: str, selector: str, text: str) -> Unlocked:
    """Type ``password`` into ``field`` of the page at ``url``, press Enter, and time it until the
    element ``selector`` holding ``text`` is drawn."""
    clock = UNLOCK_CLOCK.replace("SELECTOR", json.dumps(selector)).replace("TEXT", json.dumps(text))
    page.add_init_script(clock)
    page.goto(url)
    page.fill(field, password)
    started = time.perf_counter()
    page.press(field, "Enter")
    page.locator(selector, has_text=text).wait_for(state="visible", timeout=TIMEOUT_MS)
    observed = time.perf_counter() - started
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not (drawn := page.evaluate(DRAWN)):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url}: no frame was drawn with {selector} after the unlock")
        time.sleep(0.01)
    return Unlocked(drawn / 1000, observed)


def unlock(page, url: str, password: str) -> float:
    """Seconds from pressing Enter on a typed password until the plan's title is visible."""
    page.goto(url)
    page.fill("#mapsite-password", password)
    started = time.perf_counter()
    page.press("#mapsite-password", "Enter")
    page.locator(READABLE_PLAN).wait_for(state="visible", timeout=TIMEOUT_MS)
    return time.perf_counter() - started


def open_share_link(page, url: str) -> float:
    """Seconds from starting to load a share link until the plan's title is visible."""
    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.locator(READABLE_PLAN).wait_for(state="visible", timeout=TIMEOUT_MS)
    return time.perf_counter() - started


def click_to(page, link: str, readable: str) -> tuple[float, float]:
    """Seconds from clicking ``link`` until the next page of the deal is decrypted and visible:
    as the page's own clock tells it (see PAINT_CLOCK), and as Playwright observes it.

    The click is dispatched in the page: Playwright's own ``click()`` first checks that the link
    is stable over animation frames, which costs 50-140 ms here and is no part of the buyer's wait.
    """
    target = page.locator(link).first
    started = time.perf_counter()
    target.dispatch_event("click")
    page.locator(readable).wait_for(state="visible", timeout=TIMEOUT_MS)
    observed = time.perf_counter() - started
    painted = page.wait_for_function(
        "window.benchPainted && window.benchPainted - Number(sessionStorage.getItem('bench-click'))",
        timeout=TIMEOUT_MS,
    )
    return painted.json_value() / 1000, observed


def navigation_times(page, clicks: int) -> list[tuple[float, float]]:
    """Plan -> extra page -> plan ...: each click opens the next page of the unlocked deal.

    Needs PAINT_CLOCK installed in the page's context before the plan was opened.
    """
    samples = []
    for click in range(clicks):
        forward = click % 2 == 0
        samples.append(
            click_to(page, *((PAGE_LINK, READABLE_PAGE) if forward else (BACK_LINK, READABLE_PLAN)))
        )
    return samples


def gzipped(data: bytes) -> int:
    """Size as a static host would send it (gzip level 9)."""
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def weigh(responses: list) -> dict:
    """Per-resource sizes of what the browser fetched, and the shell / payload totals."""
    resources, payload = [], b""
    for response in responses:
        body = response.body()
        kind = KINDS.get(response.request.resource_type, response.request.resource_type)
        row = {"path": urlsplit(response.url).path, "kind": kind, "status": response.status}
        if kind == "html" and (match := ENVELOPE.search(body)):
            payload = match.group(2)
            row["payload_raw_bytes"], row["payload_gzip_bytes"] = len(payload), gzipped(payload)
            body = body[: match.start(2)] + body[match.end(2) :]
        resources.append(row | {"raw_bytes": len(body), "gzip_bytes": gzipped(body)})
    shell = [r for r in resources if r["kind"] in ("html", "css", "js")]
    return {
        "resources": resources,
        "shell_raw_bytes": sum(r["raw_bytes"] for r in shell),
        "shell_gzip_bytes": sum(r["gzip_bytes"] for r in shell),
        "payload_raw_bytes": len(payload),
        "payload_gzip_bytes": gzipped(payload),
        "kdf_iterations": json.loads(payload)["kdf"]["iterations"] if payload else None,
    }


def portal_weight(page, url: str, password: str) -> dict:
    """Everything the browser requests from opening the portal until the plan is readable.

    The sizes of the HTML exclude the encrypted payload (the envelope JSON in the page), which is
    reported on its own: the shell is what every portal costs whatever its deal says.
    """
    responses: list = []
    page.on("response", lambda response: responses.append(response))  # Playwright cannot wrap a builtin
    unlock(page, url, password)
    return weigh(responses)


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


def max_ms(samples: list[float]) -> float:
    return round(max(samples) * 1000, 1)


def measure_buyer(
    out: Path,
    slug: str,
    password: str,
    share_link: str | None = None,
    samples: int = SAMPLES,
    clicks: int = CLICKS,
) -> dict:
    """Buyer-side times and portal weight for one protected deal of the built output ``out``.

    ``slug`` must be a deal with an extra page linked from its plan (a folder deal of the
    corpus); ``share_link`` is a link as ``mapsite share`` prints it (only its secret, after the
    ``#``, is used: the origin is the local server's). Times in ms, except unlock and share link.
    """
    with static_server(out) as base, chromium() as browser:
        portal = f"{base}{slug}/"
        unlocks, shares = [], []
        for _ in range(samples):
            with fresh_page(browser) as page:
                unlocks.append(unlock(page, portal, password))
        if share_link:
            for _ in range(samples):
                with fresh_page(browser) as page:
                    shares.append(open_share_link(page, f"{portal}#{urlsplit(share_link).fragment}"))
        with fresh_page(browser) as page:
            page.context.add_init_script(PAINT_CLOCK)
            unlock(page, portal, password)
            moves = navigation_times(page, clicks)
        with fresh_page(browser) as page:
            weight = portal_weight(page, portal, password)
    return {
        "slug": slug,
        "samples": samples,
        "unlock_s": round(statistics.median(unlocks), 3),
        "unlock_max_s": round(max(unlocks), 3),
        "share_link_s": round(statistics.median(shares), 3) if shares else None,
        "share_link_max_s": round(max(shares), 3) if shares else None,
        "clicks": clicks,
        "navigate_ms": median_ms([painted for painted, _ in moves]),
        "navigate_max_ms": max_ms([painted for painted, _ in moves]),
        "navigate_observed_ms": median_ms([observed for _, observed in moves]),
        **weight,
    }


def make_share_link(site: Path, env: dict[str, str], slug: str) -> str:
    """A new share link for ``slug`` (it works once the site is rebuilt)."""
    _, printed = run_mapsite(site, env, "share", slug, "--label", "bench")
    return re.search(r"\S+#share=\S+", printed).group(0)


def print_table(results: dict) -> None:
    print(f"machine: {results['machine']}; {results['deals']} deals; portal {results['slug']}")
    print(
        f"unlock (password typed -> plan readable): {results['unlock_s']} s (max {results['unlock_max_s']})"
    )
    print(f"share link (opened -> plan readable):     {results['share_link_s']} s")
    print(
        f"between pages of an unlocked deal:        {results['navigate_ms']} ms in the page "
        f"({results['navigate_observed_ms']} ms as Playwright sees it)"
    )
    print(f"{'resource':<48}{'kind':>6}{'raw':>9}{'gzip':>8}")
    for row in results["resources"]:
        print(f"{row['path']:<48}{row['kind']:>6}{row['raw_bytes']:>9}{row['gzip_bytes']:>8}")
    print(f"{'shell (HTML without payload + CSS + JS)':<54}{results['shell_raw_bytes']:>9}", end="")
    print(f"{results['shell_gzip_bytes']:>8}")
    print(f"{'encrypted payload':<54}{results['payload_raw_bytes']:>9}{results['payload_gzip_bytes']:>8}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        env = write_corpus(site, DEALS)
        link = make_share_link(site, env, SLUG)
        run_mapsite(site, env, "build", "--today", TODAY)
        password = env[password_env(int(SLUG.rsplit("-", 1)[1]))]
        measured = measure_buyer(site / "output", SLUG, password, link)
    results = {"machine": machine(), "deals": DEALS, **measured}
    print(json.dumps(results, indent=2))
    print_table(results)


if __name__ == "__main__":
    main()
