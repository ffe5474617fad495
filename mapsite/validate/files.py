"""Which files a deal may name: only its own (a single-file deal's siblings, a folder deal's
contents), so no deal can publish another deal's attachments; and its resources."""

from __future__ import annotations

from pathlib import Path

from mapsite.model.deal import (
    Resource,
)
from mapsite.paths import inside, safe_relpath
from mapsite.read.fields import FieldReader
from mapsite.read.site import Site
from mapsite.read.yaml import YamlMap
from mapsite.validate.input import DealInput

RESOURCE_KEYS = ("title", "file", "url")


NOT_OWN_HINT = "copy the file next to this deal's file, or make the deal a folder with its files in it"


def outside_own_folder(item: DealInput, site: Site, path: Path) -> bool:
    """Whether a single-file deal names a file that is not its to publish.

    A folder deal's files are those in its folder (paths leaving it are refused elsewhere). A
    single-file deal's folder is ``content/deals/`` itself, which also holds the other deals:
    their folders, their Markdown, drafts kept in ``_``- or ``.``-folders. None of those may be
    published with it, or a public deal would carry a protected deal's ROI model.
    """
    if item.folder != site.deals_dir:
        return False
    return not_own_file(site.deals_dir, path)


def not_own_file(deals_dir: Path, path: Path) -> bool:
    """For a file named by a single-file deal: is it Markdown, hidden, or in a deal's folder?"""
    try:
        base = deals_dir.resolve()
        rel = path.resolve().relative_to(base)
    except (OSError, RuntimeError, ValueError):
        return True
    if rel.suffix.casefold() == ".md" or any(part.startswith((".", "_")) for part in rel.parts):
        return True
    folder = base
    for part in rel.parts[:-1]:
        folder = folder / part
        if (folder / "index.md").exists():
            return True
    return False


def not_own_text(shown: str) -> str:
    return f"'{shown}', which is not a file of this deal (another deal's, or kept out of the site)"


def read_resources(reader: FieldReader, data: YamlMap, item: DealInput, site: Site) -> tuple[Resource, ...]:
    folder = item.folder
    result = []
    for entry, line in reader.items(data, "resources", "the deal"):
        if not isinstance(entry, YamlMap):
            reader.error(line, "each resource must be {title, file} or {title, url}")
            continue
        title = reader.text(entry, "title", "a resource", required=True)
        where = f"resource '{title}'"
        reader.unknown_keys(entry, RESOURCE_KEYS, where)
        url = reader.text(entry, "url", where)
        file_text = reader.text(entry, "file", where)
        if bool(url) == bool(file_text):
            reader.error(line, f"{where} needs exactly one of 'file' or 'url'")
            continue
        if url and not url.startswith(("https://", "http://", "mailto:")):
            reader.error(
                entry.line_of("url"),
                f"{where} has url '{url}'; links must start with https://, http:// or mailto:",
            )
            continue
        file_rel = None
        if file_text:
            file_rel = safe_relpath(file_text)
            if file_rel is None or not inside(folder / file_rel, folder):
                reader.error(
                    entry.line_of("file"),
                    f"{where} file '{file_text}' points outside the deal folder",
                    "put the file in the deal's folder and use a relative path such as files/roi.pdf",
                )
                continue
            if not (folder / file_rel).is_file():
                reader.error(entry.line_of("file"), f"{where} file '{file_text}' does not exist")
                continue
            if outside_own_folder(item, site, folder / file_rel):
                reader.error(
                    entry.line_of("file"),
                    f"{where} file is {not_own_text(file_rel)}",
                    NOT_OWN_HINT,
                )
                continue
        if title:
            result.append(Resource(title=title, url=url, file=file_rel))
    return tuple(result)
