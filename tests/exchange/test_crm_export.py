"""Issue 17: ``mapsite status --format salesforce-csv|hubspot-csv`` in a real process, against
rows computed by hand (today Monday 2027-02-22; the demo takes a day, the signature the next)."""

from __future__ import annotations

import csv
import io

from tests.helpers import MINIMAL_DEAL, SITE_YML, TODAY, run

LINKED = MINIMAL_DEAL.replace(
    "updated: 2027-02-20",
    "updated: 2027-02-20\namount: 48000\ncurrency: USD\n"
    "crm: {salesforce_id: 0065g00000AbCdEAAV, hubspot_id: '18234567890'}",
).replace("name: Technical Demo", "name: '=HYPERLINK(1)'")
UNLINKED = MINIMAL_DEAL.replace("Buyer Co", "Other Co")
VALUES = [
    "https://deals.northwind.example/buyer-co/", "on_track", "projected close 2027-02-23, by the target",
    "active", "0", "'=HYPERLINK(1)", "2027-03-01", "2027-04-30", "2027-02-23", "2027-02-20", "1", "0", "0",
]  # fmt: skip


def export(site_factory, fmt: str):
    site = site_factory.make(
        {"buyer-co.md": LINKED, "other-co.md": UNLINKED},
        SITE_YML + "base_url: https://deals.northwind.example/\n",
    )
    result = run("status", "--format", fmt, "--today", TODAY, "--site", str(site))
    assert result.returncode == 0, result.stderr
    return list(csv.reader(io.StringIO(result.stdout))), result.stderr


def test_salesforce_rows_use_field_api_names_and_the_opportunity_id(site_factory):
    rows, stderr = export(site_factory, "salesforce-csv")
    assert rows[0][:2] == ["Id", "MAP_Portal_URL__c"] and "NextStep" in rows[0]
    assert rows[1:] == [["0065g00000AbCdEAAV", *VALUES]], "one row: the deal without an id is left out"
    assert "left out, no salesforce id in crm: other-co" in stderr


def test_hubspot_rows_use_property_labels_and_the_record_id(site_factory):
    rows, stderr = export(site_factory, "hubspot-csv")
    assert rows[0][:3] == ["Record ID", "MAP Portal URL", "MAP Plan Status"] and "Next Step" in rows[0]
    assert rows[1:] == [["18234567890", *VALUES]]
    assert "other-co" in stderr
