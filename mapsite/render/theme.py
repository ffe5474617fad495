"""Theme loading: a site theme layered over the default, templates and static files alike.

A site overrides any template or static file by putting one of the same name in
``themes/<name>/templates`` or ``themes/<name>/static`` and naming the theme in ``mapsite.yml``.
Static files are published under ``assets/`` with a content hash in their name, so hosts can
cache them for a long time and a changed stylesheet is never served stale.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import jinja2

from mapsite.layout import ASSET_DIR
from mapsite.render.formatting import FILTERS
from mapsite.render.minify import minified


def default_theme_dir() -> Path:
    """The bundled theme: inside the installed package, or at the top of a source checkout."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "themes" / "default", package.parent / "themes" / "default"):
        if (candidate / "templates").is_dir():
            return candidate
    raise FileNotFoundError("mapsite's default theme is missing; reinstall mapsite")


@dataclass(frozen=True)
class Asset:
    name: str
    url_path: str
    content: bytes


@dataclass(frozen=True)
class Theme:
    """Theme folders in lookup order: the site's own first, the default last."""

    folders: tuple[Path, ...]

    @classmethod
    def for_site(cls, site_theme: Path | None) -> Theme:
        folders = [site_theme] if site_theme else []
        return cls(tuple([*folders, default_theme_dir()]))

    @cached_property
    def environment(self) -> jinja2.Environment:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(f / "templates") for f in self.folders]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            # One Theme serves one build (serve makes a new one when a template changes), so
            # Jinja need not stat every template each time a page includes or imports it:
            # 12 stat calls a deal over the bench corpus, ~1% of its build time.
            auto_reload=False,
        )
        env.filters.update(FILTERS)
        return env

    @cached_property
    def assets(self) -> dict[str, Asset]:
        """Static files by name, the site's overriding the default's, with hashed paths."""
        found: dict[str, Path] = {}
        for folder in reversed(self.folders):
            static = folder / "static"
            if static.is_dir():
                for path in sorted(static.rglob("*")):
                    if path.is_file() and not path.name.startswith("."):
                        found[path.relative_to(static).as_posix()] = path
        assets = {}
        for name, path in sorted(found.items()):
            content = minified(name, path.read_bytes(), own=path.is_relative_to(default_theme_dir()))
            digest = hashlib.sha256(content).hexdigest()[:10]
            stem, dot, suffix = name.rpartition(".")
            hashed = f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"
            assets[name] = Asset(name, f"{ASSET_DIR}/{hashed}", content)
        return assets

    def template(self, name: str) -> jinja2.Template:
        return self.environment.get_template(name)

    def compile_all(self) -> None:
        """Compile every template now, before a build forks its workers, so that each worker
        inherits them instead of compiling them again (~0.2 s of CPU each). A template that does
        not compile is left for the render, which reports it at its file and line."""
        for name in self.environment.list_templates(extensions=["html"]):
            try:
                self.environment.get_template(name)
            except jinja2.TemplateError:
                continue

    def display(self, filename: str) -> str:
        """``themes/<name>/templates/x.html`` for a template file, as a rep finds it."""
        path = Path(filename)
        for folder in self.folders:
            if path.is_relative_to(folder):
                return f"themes/{folder.name}/{path.relative_to(folder).as_posix()}"
        return filename
