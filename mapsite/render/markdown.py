"""Markdown to HTML for deal text, with links and images resolved inside the deal.

Raw HTML is off: deal text comes from many hands and ends up in front of executives. Relative
links to ``*.md`` become links to the deal's extra pages, relative files are published with the
portal, and images from other hosts become plain links, so opening a portal never makes a
request to another server.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup

from mapsite.names import slugify
from mapsite.paths import inside, relative_url, safe_relpath

_md = MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(
    ["table", "strikethrough", "replacements", "smartquotes"]
)
_SAFE_SCHEMES = ("http", "https", "mailto", "tel")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


@dataclass
class LinkContext:
    """What a piece of Markdown may link to, and what it ended up using."""

    page_path: str
    slug: str
    deal_root: Path
    page_names: frozenset[str]
    used_files: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    def resolve(self, target: str, is_image: bool) -> str | None:
        """The URL to emit for ``target``, or None when it must not be linked."""
        parts = urlsplit(target)
        if parts.scheme:
            if parts.scheme.lower() not in _SAFE_SCHEMES:
                self.problems.append(f"the link '{target}' uses {parts.scheme}:, which is not allowed")
                return None
            if is_image:
                return None
            return target
        if target.startswith("#"):
            return target
        if target.startswith("/") or parts.netloc:
            self.problems.append(f"the link '{target}' is absolute; link to files of the deal relatively")
            return None
        relpath = safe_relpath(unquote(parts.path))
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        if relpath is None:
            self.problems.append(f"the link '{target}' points outside the deal folder")
            return None
        if relpath.endswith(".md") and not is_image:
            name = slugify(Path(relpath).stem)
            if name == "index":
                return relative_url(self.page_path, f"{self.slug}/") + fragment
            if name in self.page_names:
                return relative_url(self.page_path, f"{self.slug}/{name}/") + fragment
            self.problems.append(f"the link '{target}' names no page of this deal")
            return None
        source = self.deal_root / relpath
        if not source.is_file() or not inside(source, self.deal_root):
            self.problems.append(f"'{target}' does not exist in the deal folder")
            return None
        self.used_files.add(relpath)
        return relative_url(self.page_path, f"{self.slug}/{relpath}") + fragment


def _render_link_open(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    context: LinkContext | None = env.get("links")
    href = str(token.attrGet("href") or "")
    resolved = context.resolve(href, is_image=False) if context else href
    shown = token.copy(attrs={name: value for name, value in token.attrs.items() if name != "href"})
    if resolved is not None:
        shown.attrSet("href", resolved)
        if urlsplit(resolved).scheme in ("http", "https"):
            shown.attrSet("rel", "noopener noreferrer")
    return _render_as(renderer, tokens, idx, options, env, shown)


def _render_image(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    context: LinkContext | None = env.get("links")
    src = str(token.attrGet("src") or "")
    alt = renderer.renderInlineAsText(token.children or [], options, env)
    resolved = context.resolve(src, is_image=True) if context else None
    if resolved is None:
        scheme = urlsplit(src).scheme.lower()
        if scheme in ("http", "https"):
            # An image from another host would call that host when the page opens.
            return f'<a href="{Markup.escape(src)}" rel="noopener noreferrer">{Markup.escape(alt or src)}</a>'
        return str(Markup.escape(alt))
    # Loaded with the page, not lazily: an image of unknown size that grows while a section link
    # scrolls the page makes the jump stop short of its section (hundreds of pixels on Acme's notes).
    return f'<img src="{Markup.escape(resolved)}" alt="{Markup.escape(alt)}">'


def _render_heading(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Shift headings under the page's own: the text's top level becomes ``heading_floor``."""
    token = tokens[idx]
    level = int(token.tag[1]) - env["top_level"] + env["heading_floor"]
    shown = token.copy(tag=f"h{min(max(level, env['heading_floor']), 6)}")
    return _render_as(renderer, tokens, idx, options, env, shown)


def _render_as(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
    token: Token,
) -> str:
    """``token`` rendered where ``tokens[idx]`` is, the parsed tokens left as they were: they are
    kept (``_parsed``) and rendered again with other links. The default renderer looks at the
    tokens either side only, so a window of three renders alike."""
    start = max(idx - 1, 0)
    window = list(tokens[start : idx + 2])
    window[idx - start] = token
    return renderer.renderToken(window, idx - start, options, env)


def _render_table_open(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """A table scrolls inside its own box, so a wide one never widens a phone's page; the box is
    focusable (keyboard scrolling) and says in words, for eyes and screen readers, that it scrolls."""
    return (
        '<div class="table-scroll" tabindex="0" role="group" aria-label="Table (scrolls sideways)">'
        '<p class="table-scroll-cue">Scroll sideways for more</p>'
        + renderer.renderToken(tokens, idx, options, env)
    )


def _render_table_close(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return renderer.renderToken(tokens, idx, options, env) + "</div>\n"


_md.add_render_rule("link_open", _render_link_open)
_md.add_render_rule("table_open", _render_table_open)
_md.add_render_rule("table_close", _render_table_close)
_md.add_render_rule("image", _render_image)
_md.add_render_rule("heading_open", _render_heading)
_md.add_render_rule("heading_close", _render_heading)


def render_markdown(text: str, links: LinkContext | None = None, heading_floor: int = 3) -> Markup:
    """Render deal Markdown; ``links`` decides where relative links and images point.

    ``heading_floor`` is the level the text's top headings become: 3 inside a portal section
    (under its h2), 2 on an extra page (under its h1); deeper headings keep their distance.
    HTML comments are notes for the rep, never shown.
    """
    text = _COMMENT.sub("", text or "")
    if not text.strip():
        return Markup("")
    tokens, top_level = _parsed(text)
    env: dict = {"links": links, "heading_floor": heading_floor, "top_level": top_level}
    return Markup(_md.renderer.render(tokens, _md.options, env))


@functools.lru_cache(maxsize=32)
def _parsed(text: str) -> tuple[list[Token], int]:
    """The tokens of ``text`` and its top heading level, parsed once for every render of it.

    A deal's summary and body are rendered when it loads (to list the files they link) and
    again on its page; parsing is three quarters of a render (markdown-it-py, measured over the
    bench corpus), so the second costs a quarter. Render rules never change a parsed token.
    """
    tokens = _md.parse(text, {})
    levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    return tokens, min(levels, default=1)
