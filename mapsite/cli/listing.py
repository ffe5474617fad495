"""``mapsite list``: every deal, one line each, with what a rep needs to name it in other commands
and where its portal is. A deal with errors is listed too (its file is what the rep must open).

The portal's address is never cut: it is what the rep copies. When the lines are wider than the
terminal, the slug column goes first (the address ends with it), then the buyer and file names
are shortened. Piped output is never cut, unless COLUMNS says how wide it may be.

Stages are imported inside the command (see cli/main.py).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import click

from mapsite.cli.app import main, read_site, site_option
from mapsite.cli.console import stdout
from mapsite.clock import resolve_today

HEADERS = ("FILE", "SLUG", "BUYER", "STAGE", "CLOSE", "PORTAL")
FILE, SLUG, BUYER, PORTAL = 0, 1, 2, 5
SHORTEST = {BUYER: 10, FILE: 12}  # what a shortened column keeps, ellipsis included
GAP = "  "


@main.command(name="list")
@site_option
def list_command(site_dir: Path) -> None:
    """Every deal, one line each: file, slug, buyer, stage, close date and portal address."""
    from mapsite.pipeline.find import find_deals
    from mapsite.pipeline.load import load_deals

    site = read_site(site_dir)
    locations, _ = find_deals(site)
    if not locations:
        stdout.print('No deals yet: start one with mapsite new "Buyer" --close YYYY-MM-DD')
        return
    deals = {deal.source: deal for deal in load_deals(site, resolve_today()).deals}
    rows = []
    for location in locations:
        name = location.key + ("/" if location.file.name == "index.md" else ".md")
        deal = deals.get(location.file)
        if deal is None:
            rows.append((name, "", "", "", "", "(has errors: run mapsite check)"))
        else:
            close = f"{deal.close_date:%Y-%m-%d}"
            rows.append((name, deal.slug, deal.buyer.name, deal.stage, close, f"{deal.slug}/"))
    width = stdout.width if stdout.is_terminal or "COLUMNS" in os.environ else None
    for line in fit(HEADERS, rows, site.base_url, width):
        click.echo(line)


def fit(
    headers: tuple[str, ...], rows: Sequence[tuple[str, ...]], base_url: str, width: int | None
) -> list[str]:
    """Aligned lines, no wider than ``width`` if that can be done without cutting an address.

    Too wide, the slug column goes first (the address ends with it), then the addresses are
    shown from the slug on, under one line naming the site's address, and last the buyer and
    file names are shortened. A deal with errors says so in the last column, which may overflow.
    """
    portals = [row[PORTAL] if not row[SLUG] else base_url + row[PORTAL] for row in rows]
    table = [headers, *((*row[:PORTAL], portal) for row, portal in zip(rows, portals, strict=True))]
    shown = list(range(len(headers)))
    widths = [max(len(row[i]) for row in table if row[SLUG] or i != PORTAL) for i in shown]
    preface: list[str] = []

    def excess() -> int:
        return sum(widths[i] for i in shown) + len(GAP) * (len(shown) - 1) - (width or 0)

    if width is not None and excess() > 0:
        shown.remove(SLUG)
    if width is not None and excess() > 0 and base_url != "/":
        preface = [f"PORTAL is the folder under {base_url}"]
        table = [headers, *rows]
        widths[PORTAL] = max(len(row[PORTAL]) for row in table if row[SLUG])
    for column in (BUYER, FILE):
        if width is not None and excess() > 0:
            widths[column] = max(SHORTEST[column], widths[column] - excess())
    return preface + [
        GAP.join(_cell(row[i], widths[i], i in SHORTEST) for i in shown).rstrip() for row in table
    ]


def _cell(text: str, width: int, shortened: bool) -> str:
    return (text[: width - 1] + "…" if shortened and len(text) > width else text).ljust(width)
