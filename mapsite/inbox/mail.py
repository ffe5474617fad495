"""What the rep hands ``mapsite inbox``, as texts to search for update codes.

Readers send their updates by mail, so the inbox takes what a mail program gives: a saved
message (``.eml``), a mailbox file (mbox), a Maildir folder, an update file the portal
downloaded, or text pasted on stdin. Each message is read as text: every text part, attachments
included (a forwarded update file), and HTML parts with their tags dropped and entities decoded,
because a reader's webmail may send the code only as HTML. Transfer encodings (quoted-printable,
base64) are undone by the ``email`` package. The search for codes comes after, in the one
reader of the armour (protect/armour.py), which joins a code's parts across these texts.
"""

from __future__ import annotations

import email
import email.policy
import mailbox
import re
from collections.abc import Iterator
from email.message import EmailMessage, Message
from html.parser import HTMLParser
from pathlib import Path

from mapsite.errors import MapsiteError
from mapsite.protect.armour import Text

# A mail file starts with header lines ("Received: ...", "From: ..."); an update file with text.
_HEADER = re.compile(rb"^[A-Za-z][A-Za-z0-9-]*:[ \t]")
_BLOCK_TAGS = {"br", "p", "div", "tr", "li", "pre", "blockquote", "h1", "h2", "h3", "table", "hr"}
MAX_FILE = 50 * 1024 * 1024  # a mailbox bigger than this is not an inbox of updates


def read_inputs(paths: list[Path], stdin: str | None) -> list[Text]:
    """Every text of ``paths`` (or of ``stdin`` when there are none), in the order given."""
    if not paths:
        return [Text("stdin", stdin or "")]
    texts: list[Text] = []
    for path in paths:
        texts.extend(_read_path(path))
    return texts


def _read_path(path: Path) -> list[Text]:
    if path.is_dir():
        if not all((path / sub).is_dir() for sub in ("cur", "new")):
            raise MapsiteError(
                f"{path} is a folder but not a Maildir (it has no cur/ and new/ folders)",
                hint="give a Maildir folder, or the mail files (.eml, mbox) themselves",
            )
        return _messages(path, mailbox.Maildir(path, factory=None, create=False), "Maildir")
    try:
        size = path.stat().st_size
        if size > MAX_FILE:
            raise MapsiteError(f"{path} is {size // (1024 * 1024)} MB, more than an inbox reads (50 MB)")
        head = path.open("rb").read(1024)
    except FileNotFoundError:
        raise MapsiteError(
            f"{path}: no such file", hint="check the path; '-' or no path reads stdin"
        ) from None
    except OSError as exc:
        raise MapsiteError(
            f"{path} cannot be read: {exc.strerror}", hint="check the file's permissions"
        ) from None
    if head.startswith(b"From "):
        return _messages(path, mailbox.mbox(path, create=False), "mbox")
    if _HEADER.match(head.lstrip(b"\r\n")):
        with path.open("rb") as handle:
            message = email.message_from_binary_file(handle, policy=email.policy.default)
        return [Text(str(path), message_text(message))]
    return [Text(str(path), path.read_bytes().decode("utf-8", errors="replace"))]


def _messages(path: Path, box: mailbox.Mailbox, kind: str) -> list[Text]:
    texts = []
    try:
        keys = sorted(box.keys()) if kind == "Maildir" else list(box.keys())
        for number, key in enumerate(keys, start=1):
            raw = box.get_bytes(key)
            message = email.message_from_bytes(raw, policy=email.policy.default)
            subject = " ".join(str(message.get("Subject", "")).split())[:50]
            where = f"{path}, message {number}" + (f" ('{subject}')" if subject else "")
            texts.append(Text(where, message_text(message)))
    except OSError as exc:
        raise MapsiteError(f"{path} ({kind}) cannot be read: {exc.strerror or exc}") from None
    return texts


def message_text(message: Message) -> str:
    """Every text part of ``message``, HTML as text, one after another."""
    return "\n".join(_part_texts(message))


def _part_texts(message: Message) -> Iterator[str]:
    for part in message.walk():
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        if isinstance(part, EmailMessage):
            try:
                content = part.get_content()
            except (LookupError, ValueError):  # an unknown charset: read what is ASCII
                raw = part.get_payload(decode=True)
                content = raw.decode("ascii", errors="replace") if isinstance(raw, bytes) else ""
        else:
            content = str(part.get_payload())
        if not isinstance(content, str):
            continue
        yield html_text(content) if part.get_content_subtype() == "html" else content


class _TextOfHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:  # noqa: ARG002
        if tag in ("script", "style", "head"):
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.out.append(data)


def html_text(markup: str) -> str:
    """HTML as the text a reader sees: tags dropped, a line break per block, entities decoded."""
    parser = _TextOfHtml()
    parser.feed(markup)
    parser.close()
    return "".join(parser.out).replace("\xa0", " ")
