"""``mapsite list``: every deal on one line, readable in an 80-column terminal (issue 14)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import MINIMAL_DEAL, run


def listed(site: Path, columns: int | None = None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "COLUMNS"}
    if columns:
        env["COLUMNS"] = str(columns)
    return subprocess.run(
        [sys.executable, "-m", "mapsite", "list", "--site", str(site)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_every_deal_on_one_line_with_its_portal_address(example_site):
    result = listed(example_site)  # piped: nothing is cut
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "FILE                SLUG             BUYER             STAGE   CLOSE       PORTAL",
        "acme/               acme             Acme Corp         active  2027-04-30  https://deals.northwind.example/acme/",
        "bluebird-bakery.md  bluebird-bakery  Bluebird Bakery   active  2027-03-12  "
        "https://deals.northwind.example/bluebird-bakery/",
        "globex/             globex           Globex Logistics  active  2027-06-15  https://deals.northwind.example/globex/",
    ]


def test_at_80_columns_no_line_is_wider_and_no_address_is_cut(example_site):
    result = listed(example_site, columns=80)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), lines
    assert lines == [
        "PORTAL is the folder under https://deals.northwind.example/",
        "FILE                BUYER             STAGE   CLOSE       PORTAL",
        "acme/               Acme Corp         active  2027-04-30  acme/",
        "bluebird-bakery.md  Bluebird Bakery   active  2027-03-12  bluebird-bakery/",
        "globex/             Globex Logistics  active  2027-06-15  globex/",
    ]


def test_a_deal_with_errors_is_listed_and_points_to_check(site_factory):
    broken = MINIMAL_DEAL.replace("close_date: 2027-04-30", "close_date: someday")
    site = site_factory.make({"buyer-co.md": MINIMAL_DEAL, "zeta.md": broken})
    lines = listed(site, columns=80).stdout.splitlines()
    assert lines == [
        "FILE         SLUG      BUYER     STAGE   CLOSE       PORTAL",
        "buyer-co.md  buyer-co  Buyer Co  active  2027-04-30  /buyer-co/",
        "zeta.md                                              (has errors: run mapsite check)",
    ]


def test_hints_that_list_deals_name_mapsite_list(example_site):
    result = run("plan", "nope", "--site", str(example_site))
    assert result.returncode == 1
    assert "list them with: mapsite list)" in result.stderr
