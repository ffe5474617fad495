"""A corpus site as plain Markdown pages, for the anchors (MkDocs, Hugo) to render.

mapsite turns a deal's frontmatter into tables of its portal; a general site generator only
renders Markdown. The comparison is fair only if the anchors render about the same text, so each
deal becomes one page holding its title, value summary, the frontmatter's lists as Markdown
tables (owners by name, as a portal shows them) and its body; a folder deal's extra pages and
files come along. ``write_mkdocs`` and ``write_hugo`` lay the same pages out for each tool.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import yaml


class MkdocsVariant(NamedTuple):
    """One way to configure MkDocs on the same docs/ folder; ``setup`` says how, for the results."""

    config: str
    options: dict
    setup: str


FRONTMATTER = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.DOTALL)
MARKDOWN_LINK = re.compile(r"\]\(([\w./-]+)\.md\)")
TABLES = (
    ("stakeholders", "Stakeholders"),
    ("milestones", "Milestones"),
    ("actions", "Actions"),
    ("success_criteria", "Success criteria"),
    ("risks", "Risks"),
)
OWNER_FIELDS = ("owner", "owners")
SITE_TITLE = "Benchmark deal rooms"
# Highlight.js is off in every variant: the pages hold no code, and the theme loads it from a CDN.
MKDOCS_THEME = {"name": "mkdocs", "highlightjs": False}
# The second variant is MkDocs's fastest plain build: a trivial navigation (the automatic one lists
# every page on every page) and no search index, which a portal does not offer either.
MKDOCS_CONFIGS = {
    "mkdocs": MkdocsVariant("mkdocs.yml", {}, "automatic navigation, default plugins (search)"),
    "mkdocs_nav": MkdocsVariant(
        "mkdocs-nav.yml", {"nav": ["index.md"], "plugins": []}, "nav: [index.md], no plugins"
    ),
}
HUGO_SETUP = "minimal layouts; no taxonomies, RSS, sitemap, robots.txt"
HUGO_LAYOUTS = {
    "baseof.html": (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>{{ .Title }} · {{ site.Title }}</title>\n</head>\n"
        '<body>\n<main>{{ block "main" . }}{{ end }}</main>\n</body>\n</html>\n'
    ),
    "single.html": '{{ define "main" }}{{ .Content }}{{ end }}\n',
    "list.html": '{{ define "main" }}{{ .Content }}{{ end }}\n',
}
HUGO_404 = '{{ define "main" }}<h1>Page not found</h1>{{ end }}\n'
# Taxonomies, feeds, sitemap and robots.txt are work mapsite does not do; a 404 page it does.
HUGO_CONFIG = f"""\
baseURL = "https://deals.example/"
title = "{SITE_TITLE}"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT"]
"""


@dataclass(frozen=True)
class Page:
    """One Markdown page; ``path`` is relative, without ``.md`` (``deal-0000/pricing``)."""

    path: str
    title: str
    markdown: str


@dataclass(frozen=True)
class PlainSite:
    pages: list[Page]
    files: list[tuple[str, Path]]  # (relative destination, source)

    @property
    def deals(self) -> int:
        return sum(1 for page in self.pages if is_deal(page.path))


def _cell(value: object, names: dict[str, str], field: str) -> str:
    """A table cell: lists joined, owner ids shown as names, pipes escaped."""
    items = value if isinstance(value, list) else [value]
    if field in OWNER_FIELDS:
        items = [names.get(str(item), item) for item in items]
    return ", ".join(str(item) for item in items).replace("|", "\\|").replace("\n", " ")


def markdown_table(rows: list[dict], names: dict[str, str]) -> str:
    """Rows of a frontmatter list as a Markdown table, columns in order of first appearance."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    header = "| " + " | ".join(column.replace("_", " ").capitalize() for column in columns) + " |"
    rule = "|" + "---|" * len(columns)
    lines = [header, rule]
    for row in rows:
        lines.append("| " + " | ".join(_cell(row.get(c, ""), names, c) for c in columns) + " |")
    return "\n".join(lines)


def deal_markdown(front: dict, body: str) -> str:
    """A deal's frontmatter and body as one Markdown page, in the order a portal shows them."""
    names = {str(person["id"]): person["name"] for person in front.get("stakeholders", [])}
    parts = [f"# {front['title']}", str(front.get("value_summary", "")).strip()]
    for field, heading in TABLES:
        if front.get(field):
            parts.append(f"## {heading}\n\n{markdown_table(front[field], names)}")
    parts.append(body.strip())
    return "\n\n".join(parts) + "\n"


def plain_page(path: str, text: str) -> Page:
    """A deal file (with frontmatter) or an extra page (title from its first heading)."""
    match = FRONTMATTER.match(text)
    if match:
        front = yaml.load(match.group(1), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        return Page(path, str(front["title"]), deal_markdown(front, match.group(2)))
    heading = next((line[2:] for line in text.splitlines() if line.startswith("# ")), path)
    return Page(path, heading.strip(), text)


def plain_site(site: Path) -> PlainSite:
    """Every deal of ``site/content/deals`` as plain pages, with folder deals' extra pages and files."""
    deals = site / "content" / "deals"
    pages: list[Page] = []
    files: list[tuple[str, Path]] = []
    for entry in sorted(deals.iterdir()):
        if entry.suffix == ".md":
            pages.append(plain_page(entry.stem, entry.read_text("utf-8")))
        elif entry.is_dir():
            for source in sorted(entry.rglob("*")):
                relative = source.relative_to(deals).as_posix()
                if source.suffix == ".md":
                    pages.append(plain_page(relative[:-3], source.read_text("utf-8")))
                elif source.is_file():
                    files.append((relative, source))
    return PlainSite(pages, files)


def is_deal(path: str) -> bool:
    """A deal's own page, as opposed to an extra page of a folder deal."""
    return "/" not in path or (path.count("/") == 1 and path.endswith("/index"))


def _index_markdown(plain: PlainSite, link: Callable[[str], str]) -> str:
    """The home page: a link to every deal, so each tool renders a landing page like a site would."""
    lines = [f"# {SITE_TITLE}", ""]
    lines += [f"- [{page.title}]({link(page.path)})" for page in plain.pages if is_deal(page.path)]
    return "\n".join(lines) + "\n"


def _copy_files(plain: PlainSite, root: Path) -> None:
    for relative, source in plain.files:
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def write_mkdocs(plain: PlainSite, root: Path) -> None:
    """``root/docs`` with the pages, and one config per entry of ``MKDOCS_CONFIGS``."""
    docs = root / "docs"
    for page in plain.pages:
        target = docs / f"{page.path}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.markdown, "utf-8")
    (docs / "index.md").write_text(_index_markdown(plain, lambda path: f"{path}.md"), "utf-8")
    _copy_files(plain, docs)
    for variant in MKDOCS_CONFIGS.values():
        config = {"site_name": SITE_TITLE, "docs_dir": "docs", "theme": MKDOCS_THEME, **variant.options}
        (root / variant.config).write_text(yaml.safe_dump(config, sort_keys=False), "utf-8")


def _hugo_path(path: str) -> str:
    """Hugo renders a folder deal as a branch bundle, so its ``index`` page is ``_index``."""
    return path[: -len("index")] + "_index" if path.endswith("/index") else path


def write_hugo(plain: PlainSite, root: Path) -> None:
    """``root`` as a Hugo project: content/, static/ for files, minimal layouts and hugo.toml."""
    content = root / "content"
    for page in plain.pages:
        target = content / f"{_hugo_path(page.path)}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        body = MARKDOWN_LINK.sub(r"](\1/)", page.markdown)
        target.write_text(f"---\ntitle: {json.dumps(page.title)}\n---\n{body}", "utf-8")
    home = _index_markdown(plain, lambda path: f"/{path.removesuffix('/index')}/")
    (content / "_index.md").write_text(f"---\ntitle: {json.dumps(SITE_TITLE)}\n---\n{home}", "utf-8")
    _copy_files(plain, root / "static")
    layouts = root / "layouts"
    (layouts / "_default").mkdir(parents=True, exist_ok=True)
    for name, template in HUGO_LAYOUTS.items():
        (layouts / "_default" / name).write_text(template, "utf-8")
    (layouts / "404.html").write_text(HUGO_404, "utf-8")
    (root / "hugo.toml").write_text(HUGO_CONFIG, "utf-8")
