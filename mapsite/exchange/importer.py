"""``mapsite import``: a spreadsheet MAP -> a new deal file that passes ``mapsite check``.

The rep gets a deal from the good rows and a list of the rows that need a look, rather than
nothing until the whole sheet is clean; only a sheet without a single usable row is refused.
An existing deal is never overwritten. Like ``mapsite new``, the file is named after the buyer
and the portal's URL folder is random, unless the rep picks one with ``--slug``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mapsite.errors import MapsiteError
from mapsite.exchange.deal_writer import DealHeader, clean_text, deal_text
from mapsite.exchange.read_csv import read_csv
from mapsite.exchange.read_xlsx import read_xlsx
from mapsite.exchange.rows import ImportedMilestone, ImportedPlan, read_plan
from mapsite.exchange.table import RawTable
from mapsite.exchange.years import SIGNATURE
from mapsite.names import opaque_slug, slugify
from mapsite.read.site import Site

READERS: dict[str, Callable[[Path, str], RawTable]] = {
    ".csv": read_csv,
    ".tsv": read_csv,
    ".txt": read_csv,
    ".xlsx": read_xlsx,
    ".xlsm": read_xlsx,
}


@dataclass(frozen=True)
class ImportResult:
    path: Path
    table: RawTable
    plan: ImportedPlan
    close_date: dt.date
    close_reason: str
    buyer: str
    slug: str


def import_plan(
    site: Site,
    file: Path,
    today: dt.date,
    report: Callable[[str], None],
    slug: str | None = None,
    buyer: str | None = None,
    close: dt.date | None = None,
) -> ImportResult:
    """Write ``content/deals/<name>.md``; every row not taken over is passed to ``report`` first.

    The name is ``slug`` if given (then also the URL folder), else from ``buyer`` or the file's
    name; the portal then gets a random ``slug:``. ``site`` is the site the command read (its
    mapsite.yml without errors).
    """
    reader = READERS.get(file.suffix.lower())
    if reader is None:
        hint = "save it from Excel as .xlsx or CSV" if file.suffix.lower() == ".xls" else None
        raise MapsiteError(f"{file.name}: mapsite imports .csv and .xlsx files", hint=hint)
    if not file.is_file():
        raise MapsiteError(f"{file} does not exist")
    buyer = clean_text(buyer) if buyer is not None else None
    name = slug or slugify(buyer or file.stem)
    if not name or (slug is not None and slugify(slug) != slug):
        raise MapsiteError(
            f"'{clean_text(name)}' cannot be a slug", hint="pass --slug with only a-z, 0-9 and dashes"
        )
    target = site.deals_dir / f"{name}.md"
    if target.exists() or (site.deals_dir / name).exists():
        raise MapsiteError(
            f"a deal named '{name}' already exists in content/deals; it was left as it is",
            hint="pick another name with --slug",
        )

    table = reader(file, file.name)
    plan = read_plan(table, site.calendar, close, today)
    for problem in plan.problems:
        report(
            f"{table.name} row {problem.row}: {problem.message}"
            if problem.row
            else f"{table.name}: {problem.message}"
        )
    if not plan.data_rows:
        raise MapsiteError(f"{table.name} has no rows below its header; no deal was written")
    if not plan.milestones:
        raise MapsiteError(
            f"none of the {plan.data_rows} rows of {table.name} could be read; no deal was written",
            hint="each row above says what is wrong with it",
        )
    close_date, close_reason = _close_date(plan.milestones, close)
    buyer_name = buyer or name.replace("-", " ").title()
    url = slug or opaque_slug()
    written_slug = None if slug else url  # a slug the rep gave is the file's name already
    header = DealHeader(name, buyer_name, site.seller.name, close_date, today, file.name, written_slug)
    site.deals_dir.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8") as handle:  # "x": never replace a deal written meanwhile
        handle.write(deal_text(header, plan))
    return ImportResult(target, table, plan, close_date, close_reason, buyer_name, url)


def _close_date(milestones: tuple[ImportedMilestone, ...], given: dt.date | None) -> tuple[dt.date, str]:
    """The target signature date and where it came from, for the rep to confirm."""
    if given:
        return given, "given with --close"
    signing = [m for m in milestones if SIGNATURE.search(f"{m.phase or ''} {m.name}")]
    if signing:
        last = max(signing, key=lambda m: m.due)
        return last.due, f"the due date of '{clean_text(last.name)}'"
    last = max(milestones, key=lambda m: m.due)
    return last.due, (
        f"the latest due date, of '{clean_text(last.name)}', as no milestone is a close or signature step "
        "(pass --close to choose)"
    )
