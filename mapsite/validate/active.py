"""Deal files a browser would run as code, refused before anything is published.

Everything mapsite publishes is served from the seller's portal origin. A script that runs there
reads what that origin keeps: the keys "Remember me" stores in IndexedDB open every deal they
were stored for, and any page of the site can be fetched and sent elsewhere. A public deal's
files are published as they are, so a buyer's ``logo.svg`` with a ``<script>``, or an ``.html``
attachment, would be exactly that script. So every file a deal publishes (logos, attachments,
images of public and protected deals alike) is inspected here, as are the site's own seller logo
and the SVG files of the site's theme, which are published for every deal:

- An SVG must be a plain picture. It is parsed with expat (a real XML parser: the browser parses
  an SVG the same way, so a trick of spelling cannot hide an element from this check) and refused
  with the line and what to delete when it has a ``<script>``, an event-handler attribute
  (``onload=``), ``<foreignObject>``, embedded HTML or MathML, ``<iframe>``/``<embed>``/``<object>``/
  ``<handler>``/``<listener>``, an animation that rewrites a link or a handler, a link or reference
  that is not ``#id`` in the same file or an inline PNG/JPEG/GIF/WebP ``data:`` image, a
  ``javascript:`` URL, a stylesheet that imports or loads anything, a processing instruction
  (``<?xml-stylesheet?>``), or a DOCTYPE with declarations (entities can smuggle markup and
  attribute defaults past the eye). A bare ``<!DOCTYPE svg PUBLIC ...>`` line, as older editors
  write, declares nothing and browsers never fetch it, so it is allowed. The file must be UTF-8:
  with one encoding there is one reading of the bytes, the browser's and this check's.
- HTML, XHTML, XML (any ``+xml`` type), MHTML, compressed SVG and JavaScript files are refused in
  public deals: a static host serves them with a type the browser runs. A file of unknown type
  that starts like markup is refused too, since a host that cannot name its type may let the
  browser guess. In protected deals these files are allowed: they are sealed into opaque blobs
  under ``_files/``, and the portal's unlock script offers a decrypted file only as a download
  with an inert type, never as a page of the portal's origin. (A ``--no-protect`` build publishes
  them readable; deploy refuses such output.)

Files are refused, never rewritten. Silently dropping parts of a file changes what the rep
published (a logo can lose the shapes a stylesheet coloured) and hides that the file came with
something hostile; a clear error naming the file and the line is fixed in one edit, and the rep
learns which source not to trust.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from mapsite.errors import Finding
from mapsite.model.deal import Deal
from mapsite.paths import site_display
from mapsite.read.site import Site

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
# Elements of these vocabularies inside an SVG document are live HTML or MathML, handlers included.
FOREIGN_NAMESPACES = {
    "http://www.w3.org/1999/xhtml": "HTML",
    "http://www.w3.org/1998/Math/MathML": "MathML",
}
# Refused whatever their namespace: a picture never needs them.
ACTIVE_ELEMENTS = {
    "script": "a <script> element, which would run as code on the portal's site",
    "foreignObject": "a <foreignObject> element, which embeds HTML that can run code",
    "iframe": "an <iframe> element, which loads another document",
    "embed": "an <embed> element, which loads another document",
    "object": "an <object> element, which loads another document",
    "handler": "a <handler> element, which holds event-handling code",
    "listener": "a <listener> element, which attaches event-handling code",
}
ANIMATIONS = {"set", "animate", "animateMotion", "animateTransform", "animateColor"}
INLINE_IMAGE = re.compile(r"data:image/(png|jpeg|jpg|gif|webp)[;,]", re.IGNORECASE)
CSS_URL = re.compile(r"url\(\s*(['\"]?)\s*([^'\")\s]*)")
CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6}\s?|.)", re.DOTALL)
CSS_COMMENT = re.compile(r"/\*.*?(\*/|$)", re.DOTALL)
# One attribute as written in a start tag: its name, then its whole quoted value.
WRITTEN_ATTRIBUTE = re.compile(rb"""\s([^\s=/>]+)\s*=\s*(?:"[^"]*"|'[^']*')""")
# Stripped by URL parsers anywhere in a URL, so "java&#9;script:" is still javascript:.
URL_IGNORED = re.compile(r"[\t\n\r]")

# Types a static host serves so that a browser runs or renders them as a document of the site.
ACTIVE_SUFFIXES = {
    ".html", ".htm", ".shtml", ".xhtml", ".xht", ".xml", ".xsl", ".xslt", ".rss", ".atom", ".rdf",
    ".mml", ".svgz", ".mht", ".mhtml", ".js", ".mjs",
}  # fmt: skip
ACTIVE_TYPES = {
    "text/html",
    "text/xml",
    "application/xml",
    "text/javascript",
    "application/javascript",
    "message/rfc822",
    "multipart/related",
}
SNIFF_BYTES = 512


@dataclass(frozen=True)
class Problem:
    """One reason an SVG is not inert: where, what is wrong, and what to delete."""

    line: int | None
    message: str
    hint: str


def deal_file_findings(deal: Deal, site_dir: Path) -> list[Finding]:
    """Every file the deal publishes: SVGs must be inert; active types only in protected deals."""
    findings: list[Finding] = []
    for file in deal.files:
        display = site_display(file.source, site_dir)
        if file.source.suffix.lower() == ".svg":
            findings.extend(_svg_findings(file.source, display))
        elif deal.public and (reason := active_type(file.source)):
            findings.append(
                Finding(
                    display,
                    None,
                    "error",
                    f"a public deal cannot publish {file.source.name}: {reason}, and a browser "
                    "would run it as a page of the portal's site",
                    "attach it as PDF instead, or protect the deal (remove public: true) so it is "
                    "sealed and offered only as a download",
                )
            )
    return findings


def site_file_findings(site: Site) -> list[Finding]:
    """The site seller's logo and the site theme's SVGs, which every portal publishes."""
    paths = [site.seller.logo] if site.seller.logo and site.seller.logo.is_file() else []
    static = site.theme_dir / "static" if site.theme_dir else None
    if static and static.is_dir():
        paths.extend(sorted(p for p in static.rglob("*") if p.suffix.lower() == ".svg" and p.is_file()))
    findings: list[Finding] = []
    for path in paths:
        display = site_display(path, site.dir)
        if path.suffix.lower() == ".svg":
            findings.extend(_svg_findings(path, display))
        elif reason := active_type(path):
            findings.append(
                Finding(
                    display,
                    None,
                    "error",
                    f"the site logo {path.name} cannot be published: {reason}",
                    "use a PNG or SVG logo",
                )
            )
    return findings


def active_type(path: Path) -> str | None:
    """Why a file would be served as something a browser runs, or None for an inert file."""
    suffix = path.suffix.lower()
    kind = mimetypes.guess_type(path.name, strict=False)[0]
    if suffix in ACTIVE_SUFFIXES or kind in ACTIVE_TYPES or (kind or "").endswith("+xml"):
        return f"{suffix or 'this'} files are served as {kind or 'web pages or scripts'}"
    if kind is None and _starts_like_markup(path):
        return "the file starts like HTML or XML markup and has no type a host would know"
    return None


def _starts_like_markup(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError:
        return False
    return head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n\f").startswith(b"<")


def _svg_findings(path: Path, display: str) -> list[Finding]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [Finding(display, None, "error", f"cannot read the file: {exc.strerror or exc}")]
    return [Finding(display, p.line, "error", p.message, p.hint) for p in svg_problems(data)]


def svg_problems(data: bytes) -> list[Problem]:
    """Everything in an SVG document that could run code or load something; empty when inert."""
    try:
        data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return [Problem(line, "the SVG is not UTF-8 text", "save it as UTF-8 (plain SVG) in your editor")]
    inspector = _SvgInspector(data)
    try:
        inspector.parser.Parse(data, True)
    except _Stop:
        pass
    except expat.ExpatError as exc:
        inspector.problems.append(
            Problem(
                exc.lineno,
                f"the SVG is not well-formed XML ({expat.ErrorString(exc.code)})",
                "export it again from the drawing program as plain SVG",
            )
        )
    return inspector.problems


class _Stop(Exception):
    """A DOCTYPE with declarations: what follows cannot be read as the browser would."""


class _SvgInspector:
    """Expat handlers that note each problem at the line the parser is on (an attribute's own
    line, when a start tag spans several)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.problems: list[Problem] = []
        self.depth = 0
        # The text of an open <style> element and its line: checked whole when it closes, since
        # expat hands text over in pieces (split at character references such as &#108;).
        self.style: list[str] | None = None
        self.style_line = 0
        self.parser = expat.ParserCreate(encoding="UTF-8", namespace_separator=" ")
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text
        self.parser.StartDoctypeDeclHandler = self.doctype
        self.parser.SkippedEntityHandler = self.skipped
        self.parser.ProcessingInstructionHandler = self.instruction

    def problem(self, message: str, hint: str, attribute: str | None = None) -> None:
        line = self.parser.CurrentLineNumber
        if attribute:
            # Expat places a start tag at its first line; the attribute is found in the tag's
            # bytes, whole values skipped so that text inside another value is never taken for it.
            tag = self.parser.CurrentByteIndex
            for found in WRITTEN_ATTRIBUTE.finditer(self.data, tag):
                if found.group(1).rpartition(b":")[2] == attribute.encode():
                    line += self.data.count(b"\n", tag, found.start(1))
                    break
        self.problems.append(Problem(line, message, hint))

    def start(self, name: str, attributes: dict[str, str]) -> None:
        namespace, _, local = name.rpartition(" ")
        if self.depth == 0 and local == "svg" and namespace != SVG_NS:
            self.problem(
                "the <svg> element is not in the SVG namespace, so browsers show it as text",
                f'write it as <svg xmlns="{SVG_NS}" ...>',
            )
        elif self.depth == 0 and local != "svg":
            self.problem(
                f"the file's root element is <{local}>, not <svg>: this is no SVG image",
                f'an SVG image starts with <svg xmlns="{SVG_NS}">; export it again as plain SVG',
            )
        self.depth += 1
        if local == "style":
            self.style, self.style_line = [], self.parser.CurrentLineNumber
        if local in ACTIVE_ELEMENTS:
            hint = f"delete the <{local}> element and everything inside it"
            if local == "foreignObject":
                hint += " (from Illustrator: save without 'Preserve Illustrator Editing Capabilities')"
            self.problem(f"the SVG contains {ACTIVE_ELEMENTS[local]}", hint)
        elif namespace in FOREIGN_NAMESPACES:
            vocabulary = FOREIGN_NAMESPACES[namespace]
            self.problem(
                f"the SVG contains an {vocabulary} <{local}> element, which can run code in an SVG",
                f"delete the <{local}> element; an image needs SVG shapes only",
            )
        elif local in ANIMATIONS:
            target = attributes.get("attributeName", "").rpartition(":")[2]
            if target == "href" or target.lower().startswith("on"):
                self.problem(
                    f"the <{local}> animation changes the attribute '{target}', which can make it run code",
                    f"delete the <{local}> element",
                    "attributeName",
                )
        for key, value in attributes.items():
            self.attribute(local, key, value)

    def attribute(self, element: str, key: str, value: str) -> None:
        namespace, _, local = key.rpartition(" ")
        shown = {XLINK_NS: "xlink:", XML_NS: "xml:"}.get(namespace, "") + local
        url = URL_IGNORED.sub("", value).strip(" \f\x00").lower()
        if local.lower().startswith("on"):
            self.problem(
                f"the <{element}> element has the event handler {shown}=, which runs code",
                f'delete the {shown}="..." attribute',
                local,
            )
        elif "javascript:" in url:
            self.problem(
                f"the {shown}= attribute of <{element}> holds a javascript: URL, which runs code",
                f"delete the {shown}= attribute",
                local,
            )
        elif local == "href" and not (url.startswith("#") or INLINE_IMAGE.match(url)):
            self.problem(
                f"the <{element}> element links to '{_short(value)}'; an SVG may only refer to "
                "#ids in the same file or embed PNG, JPEG, GIF or WebP data: images",
                f"delete the {shown}= attribute (or the element), or embed the picture it points to",
                local,
            )
        elif namespace == XML_NS and local == "base":
            self.problem(
                f"the <{element}> element sets xml:base, which moves where its links point",
                "delete the xml:base attribute",
                local,
            )
        elif reason := css_problem(value):
            self.problem(
                f"the {shown}= attribute of <{element}> {reason}", f"delete that from {shown}=", local
            )

    def end(self, name: str) -> None:
        self.depth -= 1
        if name.rpartition(" ")[2] == "style" and self.style is not None:
            if reason := css_problem("".join(self.style)):
                hint = "delete that rule from the <style> element"
                self.problems.append(Problem(self.style_line, f"the <style> element {reason}", hint))
            self.style = None

    def text(self, data: str) -> None:
        if self.style is not None:
            self.style.append(data)

    def doctype(self, _name: str, _system: str | None, _public: str | None, has_internal_subset: int) -> None:
        if has_internal_subset:
            self.problem(
                "the SVG's <!DOCTYPE> declares entities or attributes, which can hide markup",
                "delete the <!DOCTYPE ... [ ... ]> block at the top of the file",
            )
            raise _Stop

    def skipped(self, name: str, _is_parameter: int) -> None:
        self.problem(
            f"the SVG uses the undefined entity &{name};", f"replace &{name}; with the text it stands for"
        )

    def instruction(self, target: str, _data: str) -> None:
        self.problem(
            f"the SVG contains the processing instruction <?{target} ...?>, which can load a stylesheet",
            f"delete the <?{target} ...?> line",
        )


def css_problem(css: str) -> str | None:
    """What in CSS text (a stylesheet or a property value) would import or load something."""
    text = CSS_ESCAPE.sub(_unescape, CSS_COMMENT.sub(" ", css)).lower()
    if "@import" in text:
        return "imports a stylesheet with @import"
    for match in CSS_URL.finditer(text):
        if not match.group(2).startswith("#"):
            return f"loads url({_short(match.group(2))}), which is not an #id in the same file"
    if "image-set(" in text:
        return "loads images with image-set()"
    if "javascript:" in URL_IGNORED.sub("", text):
        return "holds a javascript: URL"
    return None


def _unescape(match: re.Match[str]) -> str:
    escaped = match.group(1)
    if len(escaped.strip()) > 1 or escaped[0] in "0123456789abcdefABCDEF":
        code = int(escaped.strip(), 16)
        return chr(code) if 0 < code <= 0x10FFFF else "\ufffd"
    return escaped


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
