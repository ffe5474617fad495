"""Where things are: the site folder's fixed names and the paths mapsite itself publishes.

Every stage needs a few of these (the build writes ``assets/``, validation refuses a deal slugged
``assets``, the preview serves ``_team/``), so they are defined once here, below all stages,
instead of in the stage that happened to need them first.
"""

from __future__ import annotations

SITE_FILE = "mapsite.yml"
# The site's own folders that hold sources (what a build reads besides mapsite.yml).
SOURCE_FOLDERS = ("content", "themes", "assets")
# The git-ignored folder of local state: the site secret, passwords, share links, caches.
STATE_DIR = ".mapsite"
PASSWORDS_FILE = "passwords"

ASSET_DIR = "assets"
TEAM_SLUG = "_team"
TEAM_PAGE = f"{TEAM_SLUG}/index.html"
FILES_DIR = "_files"
# Inside each deal's folder: the tiny files an unlocked portal requests when analytics are on
# (protect/views.py), so the host's access log records who opened what.
VIEWS_DIR = "_v"
CALENDAR_DIR = "calendar"
MARKER = ".mapsite-build.json"

# What the site itself publishes at the root of output/: theme files, seller logo and unlock
# script (assets/), the team dashboard, the landing, 404 and robots pages, the build marker, and
# what the git deploy adds (.nojekyll, CNAME). Hosts such as GitHub Pages also answer /index and
# /404 with the .html file, so those names are taken as well. Names starting with "." or "_" are
# the site's and the host's too (staging folders, _headers, .well-known/). Compared case-folded:
# on a case-insensitive host ASSETS/ and assets/ are one folder.
SHARED_NAMES = frozenset(
    name.casefold()
    for name in (
        ASSET_DIR, TEAM_SLUG, "index.html", "index", "404.html", "404", "robots.txt", MARKER,
        ".nojekyll", "CNAME",
    )
)  # fmt: skip


def reserved_slug(slug: str) -> bool:
    """Whether ``output/<slug>/`` would be, or be served as, a path the site itself publishes."""
    return slug.casefold() in SHARED_NAMES or slug.startswith((".", "_"))
