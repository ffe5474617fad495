"""Reading typed fields out of located YAML, collecting every problem instead of stopping.

Both ``mapsite.yml`` and deal files go through these helpers, so a wrong type, a bad enum
value or a misspelt key is reported the same way everywhere, with its line.

A misspelt required field (``close_dte:``) is one mistake, so it gets one error, at the line the
rep wrote, instead of an "unknown field" warning there plus a "missing field" error at the top of
the mapping: whichever of the two is found first is replaced by the other's merged message.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from mapsite.errors import Finding, Severity
from mapsite.model.dates import DateSyntaxError, parse_iso
from mapsite.names import slugify
from mapsite.read.yaml import YamlList, YamlMap

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COLOR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")
# One of a field's allowed values: a Literal such as model.Side, so the value read keeps its type.
Choice = TypeVar("Choice", bound=str)
# difflib's similarity from which a word is taken for a misspelling of another: every did-you-mean.
SIMILAR = 0.6


def closest(word: str, options: Iterable[str]) -> str | None:
    """The option ``word`` is most likely a misspelling of, or None when none is close enough."""
    found = difflib.get_close_matches(word, options, n=1, cutoff=SIMILAR)
    return found[0] if found else None


@dataclass
class FieldReader:
    """Collects findings for one file while its fields are read."""

    path: str
    line_offset: int = 0
    findings: list[Finding] = field(default_factory=list)
    # (id of a mapping, field name) -> index in findings of the finding a misspelling may merge into.
    _missing: dict[tuple[int, str], int] = field(default_factory=dict, repr=False)
    _misspelt: dict[tuple[int, str], tuple[int, str]] = field(default_factory=dict, repr=False)

    def report(self, line: int | None, severity: Severity, message: str, hint: str | None = None) -> None:
        self.findings.append(Finding(self.path, self._at(line), severity, message, hint))

    def error(self, line: int | None, message: str, hint: str | None = None) -> None:
        self.report(line, "error", message, hint)

    def warning(self, line: int | None, message: str, hint: str | None = None) -> None:
        self.report(line, "warning", message, hint)

    def unknown_keys(self, mapping: YamlMap, known: Iterable[str], where: str) -> None:
        """Warn about keys mapsite ignores, suggesting the nearest known one."""
        known = list(known)
        for key in mapping:
            if key in known:
                continue
            close = closest(str(key), known)
            line = mapping.line_of(key)
            if close and close not in mapping:
                intended = (id(mapping), close)
                if intended in self._missing:
                    self._merge(self._missing.pop(intended), self._at(line), key, close, where)
                    continue
                self._misspelt[intended] = (len(self.findings), str(key))
            hint = f"did you mean '{close}'?" if close else _known_hint(known, key, mapping[key])
            self.warning(line, f"unknown field '{key}' in {where}", hint)

    def missing(self, parent: YamlMap, key: str, where: str, hint: str | None = None) -> None:
        """Report a required field that is absent; a misspelling of it already seen becomes the error."""
        intended = (id(parent), key)
        if intended in self._misspelt:
            index, written = self._misspelt.pop(intended)
            self._merge(index, self.findings[index].line, written, key, where)
            return
        self._missing[intended] = len(self.findings)
        self.error(parent.line, f"{where} is missing the required field '{key}'", hint)

    def _at(self, line: int | None) -> int | None:
        return line + self.line_offset if line else None

    def _merge(self, index: int, line: int | None, written: str, key: str, where: str) -> None:
        """Replace finding ``index`` by the one error a misspelt required field deserves."""
        self.findings[index] = Finding(
            self.path,
            line,
            "error",
            f"unknown field '{written}' in {where}, and the required field '{key}' is missing",
            f"did you mean '{key}'?",
        )

    def mapping(self, parent: YamlMap, key: str, where: str, required: bool = False) -> YamlMap | None:
        value = parent.get(key)
        if value is None:
            if required:
                self.missing(parent, key, where)
            return None
        if not isinstance(value, YamlMap):
            self.error(parent.line_of(key), f"'{key}' in {where} must be a mapping of fields")
            return None
        return value

    def items(self, parent: YamlMap, key: str, where: str, required: bool = False) -> list[tuple[Any, int]]:
        """The entries of a list field with their lines; a missing optional list is empty."""
        value = parent.get(key)
        if value is None:
            if required:
                self.missing(parent, key, where)
            return []
        if not isinstance(value, YamlList):
            self.error(parent.line_of(key), f"'{key}' in {where} must be a list")
            return []
        return [(item, value.line_of(i)) for i, item in enumerate(value)]

    def text(self, parent: YamlMap, key: str, where: str, required: bool = False) -> str | None:
        value = parent.get(key)
        if value is None or value == "":
            if required:
                self.missing(parent, key, where)
            return None
        if isinstance(value, (YamlMap, YamlList)):
            self.error(parent.line_of(key), f"'{key}' in {where} must be text, not a list or mapping")
            return None
        if isinstance(value, bool):
            # YAML 1.1 reads yes/no/on/off as booleans; the rep almost always meant the word.
            return "yes" if value else "no"
        return str(value)

    def choice(
        self,
        parent: YamlMap,
        key: str,
        where: str,
        choices: tuple[Choice, ...],
        default: Choice | None,
        required: bool = False,
        meaning: Mapping[str, Choice] | None = None,
    ) -> Choice | None:
        """One of ``choices``; a wrong value is an error whose hint is the choice it is closest to
        in spelling, or in ``meaning`` (lowercase words a rep writes for a choice, e.g. complete)."""
        value = self.text(parent, key, where, required)
        if value is None:
            return default
        chosen = next((choice for choice in choices if choice == value), None)
        if chosen is None:
            meant = (meaning or {}).get(value.strip().casefold()) or closest(value, choices)
            hint = f"did you mean '{meant}'?" if meant else None
            self.error(
                parent.line_of(key),
                f"'{key}' in {where} is '{value}'; expected one of: {', '.join(choices)}",
                hint,
            )
            return default
        return chosen

    def flag(self, parent: YamlMap, key: str, where: str, default: bool = False) -> bool:
        value = parent.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(parent.line_of(key), f"'{key}' in {where} must be true or false")
            return default
        return value

    def iso_date(self, parent: YamlMap, key: str, where: str, required: bool = False) -> dt.date | None:
        value = parent.get(key)
        if value is None:
            if required:
                self.missing(parent, key, where)
            return None
        try:
            return parse_iso(value)
        except DateSyntaxError as exc:
            self.error(parent.line_of(key), f"'{key}' in {where}: {exc}")
            return None

    def identifier(self, parent: YamlMap, key: str, where: str, required: bool = False) -> str | None:
        value = self.text(parent, key, where, required)
        if value is not None and not ID_PATTERN.match(value):
            self.error(
                parent.line_of(key),
                f"'{key}' in {where} is '{value}'; use only a-z, 0-9 and single dashes",
                f"e.g. '{slugify(value) or 'vp-marketing'}'",
            )
            return None
        return value

    def id_list(self, parent: YamlMap, key: str, where: str) -> list[tuple[str, int]]:
        """A list of ids; a single id written without brackets is accepted as a list of one."""
        value = parent.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            return [(value, parent.line_of(key))]
        if not isinstance(value, YamlList):
            self.error(parent.line_of(key), f"'{key}' in {where} must be a list of ids")
            return []
        result = []
        for index, item in enumerate(value):
            if isinstance(item, (YamlMap, YamlList)) or item is None:
                self.error(value.line_of(index), f"'{key}' in {where} must contain ids only")
                continue
            result.append((str(item), value.line_of(index)))
        return result

    def color(self, parent: YamlMap, key: str, where: str) -> str | None:
        value = self.text(parent, key, where)
        if value is not None and not COLOR_PATTERN.match(value):
            self.error(
                parent.line_of(key),
                f"'{key}' in {where} is '{value}'; write a colour as #rrggbb",
                'quote it in YAML: accent: "#0A66C2"',
            )
            return None
        return value.upper() if value else None


def _known_hint(known: list[str], key: Any, value: Any) -> str:
    """The hint for a key like none mapsite knows; a phrase without a value is most often the tail
    of the value before it, cut by a ',' inside ``{...}``."""
    if value is None and " " in str(key):
        return (
            "a ',' inside {...} ends the value: if this is the rest of the value before it, "
            'quote that whole value, e.g. name: "Discovery, goals and scope"'
        )
    return f"known fields: {', '.join(known)}"
