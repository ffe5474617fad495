"""``mapsite status --format salesforce-csv|hubspot-csv``: the status rows as a CRM import file.

Managers forecast in the CRM, not in the plan. These files carry what MAP tools sync to the
opportunity (portal, plan status, progress, next step, dates, access, slips) keyed by the deal file's
``crm:`` ids, with headers the import tools match without a mapping step: Salesforce Data
Loader's "Auto-Match Fields to Columns" matches field API names (``Id``, ``NextStep`` and the
custom ``MAP_..__c`` fields of docs/status.md), HubSpot's importer matches property labels and
updates the deal named by "Record ID". A deal without an id for that CRM has no row: an import
cannot update a record it cannot name, and a row without an id would create a duplicate.
No secret goes in: access entries and share links are counted, never listed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from mapsite.model.deal import Deal
from mapsite.schedule.status import DealStatus

FORMATS = ("salesforce-csv", "hubspot-csv")


@dataclass(frozen=True)
class CrmRow:
    """What one deal exports, before a CRM names the columns."""

    record_id: str
    portal_url: str
    status: DealStatus
    access_entries: int
    share_links: int


# (Salesforce API name, HubSpot label, value), in the order both files list them.
Value = Callable[[CrmRow], str]
COLUMNS: tuple[tuple[str, str, Value], ...] = (
    ("Id", "Record ID", lambda r: r.record_id),
    ("MAP_Portal_URL__c", "MAP Portal URL", lambda r: r.portal_url),
    ("MAP_Plan_Status__c", "MAP Plan Status", lambda r: r.status.plan_status or ""),
    ("MAP_Plan_Status_Reason__c", "MAP Plan Status Reason", lambda r: r.status.plan_status_reason or ""),
    ("MAP_Stage__c", "MAP Stage", lambda r: r.status.stage),
    ("MAP_Progress__c", "MAP Progress", lambda r: str(r.status.percent_done)),
    ("NextStep", "Next Step", lambda r: r.status.next_milestone.name if r.status.next_milestone else ""),
    (
        "MAP_Next_Step_Due__c",
        "MAP Next Step Due",
        lambda r: r.status.next_milestone.due.isoformat() if r.status.next_milestone else "",
    ),
    ("MAP_Target_Close__c", "MAP Target Close", lambda r: r.status.close_date.isoformat()),
    ("MAP_Projected_Close__c", "MAP Projected Close", lambda r: r.status.projected_close.isoformat()),
    (
        "MAP_Last_Updated__c",
        "MAP Last Updated",
        lambda r: r.status.updated.isoformat() if r.status.updated else "",
    ),
    ("MAP_Access_Entries__c", "MAP Access Entries", lambda r: str(r.access_entries)),
    ("MAP_Share_Links__c", "MAP Share Links", lambda r: str(r.share_links)),
    ("MAP_Slip_Count__c", "MAP Slip Count", lambda r: str(r.status.slip_count)),
)


def crm_csv(
    fmt: str,
    rows: list[DealStatus],
    deals: Mapping[str, Deal],
    share_counts: Mapping[str, int],
    base_url: str,
) -> tuple[str, list[str]]:
    """The CSV text for ``fmt``, and the slugs left out for want of an id in that CRM."""
    salesforce = fmt == "salesforce-csv"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([sf if salesforce else hs for sf, hs, _ in COLUMNS])
    skipped = []
    for status in rows:
        deal = deals[status.slug]
        record_id = deal.crm.salesforce_id if salesforce else deal.crm.hubspot_id
        if record_id is None:
            skipped.append(status.slug)
            continue
        row = CrmRow(
            record_id,
            portal_url(base_url, status.slug),
            status,
            len(deal.access),
            share_counts.get(status.slug, 0),
        )
        writer.writerow([_cell(value(row)) for _, _, value in COLUMNS])
    return out.getvalue(), skipped


def portal_url(base_url: str, slug: str) -> str:
    return f"{base_url.rstrip('/')}/{slug}/"


def _cell(text: str) -> str:
    """A spreadsheet runs a cell starting with = + - @ as a formula: a deal's text never does."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
