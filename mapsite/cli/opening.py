"""``mapsite open DEAL``: the deal's portal in the browser: the running preview's page when a
``mapsite serve`` of this site is up, else the published portal (``base_url`` + slug).

The preview's address carries its token, and a browser is started with its address on the
command line, which other users of the machine can read. So the preview is opened through a
private page in ``.mapsite/`` that sends the browser on: the token stays in files only the rep
can read. Without a browser, the address is printed (a preview's without its token).

Stages are imported inside the command (see cli/main.py).
"""

from __future__ import annotations

import html
import webbrowser
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import click

from mapsite.atomic import write_atomic
from mapsite.cli.app import main, read_site, site_option
from mapsite.cli.console import stdout
from mapsite.cli.lookup import one_deal
from mapsite.clock import resolve_today
from mapsite.errors import MapsiteError
from mapsite.layout import STATE_DIR

FORWARD_PAGE = "open-preview.html"


@main.command(name="open")
@click.argument("name", metavar="DEAL")
@site_option
def open_command(name: str, site_dir: Path) -> None:
    """Open DEAL's portal in the browser: the running preview's, else the published one."""
    from mapsite.preview.running import running_preview

    site = read_site(site_dir)
    deal = one_deal(site, name, resolve_today())
    preview = running_preview(site_dir)
    if preview is not None:
        page = urlunsplit(urlsplit(preview)._replace(path=f"/{deal.slug}/"))
        bare = urlunsplit(urlsplit(page)._replace(query=""))
        forward = site_dir / STATE_DIR / FORWARD_PAGE
        write_atomic(forward, forward_page(page), private=True)
        if webbrowser.open(forward.resolve().as_uri()):
            stdout.print(f"Opened the preview of {deal.slug} ({bare}) in your browser.", markup=False)
        else:
            stdout.print(
                f"No browser found here: open {bare} in a browser that has opened the preview "
                "before, or the address mapsite serve printed.",
                markup=False,
            )
        return
    base_url = site.base_url
    if not base_url.startswith(("https://", "http://")):
        raise MapsiteError(
            "no preview of this site is running, and mapsite.yml sets no base_url to find the portal at",
            hint="start one with: mapsite serve (in another terminal), or set base_url in mapsite.yml",
        )
    url = f"{base_url}{deal.slug}/"
    if webbrowser.open(url):
        stdout.print(f"Opened {url} in your browser.", markup=False)
    else:
        stdout.print(f"No browser found here: the portal is at {url}", markup=False)


def forward_page(url: str) -> str:
    """A page that sends the browser on to ``url`` at once."""
    target = html.escape(url, quote=True)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0;url={target}"><title>Opening the preview</title>'
        f'</head><body><p><a href="{target}">Open the preview</a></p></body></html>\n'
    )
