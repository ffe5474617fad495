"""What discovery found for one deal, before anything in it is trusted: the input of validation."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mapsite.model.deal import (
    DealFile,
    ExtraPage,
)
from mapsite.read.frontmatter import Document


@dataclass(frozen=True)
class DealInput:
    """Where a deal lives: its main source, its folder (for relative paths) and extras."""

    source: Document
    folder: Path
    default_slug: str
    pages: tuple[ExtraPage, ...] = ()
    files: tuple[DealFile, ...] = ()
