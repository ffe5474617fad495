"""The buyer's page and the team page in plain words: roles as a buyer names them (sales terms only
when the seller opts in with `sales_roles: true`), a passed target date said as such, and the team
table's day counts never negative, its dates with a year once they leave this year."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from mapsite.pipeline.build import build
from tests.htmltree import parse

AFTER_CLOSE = dt.date(2027, 6, 14)  # Acme's target date, Apr 30, 2027, was 45 days before


def built(site: Path, today: dt.date) -> Path:
    return build(site, out=site / "output", today=today, protect=False).out


def test_a_passed_target_date_reads_as_passed_not_as_days_to_close(example_site):
    out = built(example_site, AFTER_CLOSE)
    doc = parse((out / "acme" / "index.html").read_text("utf-8"))
    dates = doc.find_all("section", **{"aria-labelledby": "dates-title"})[0].text()
    assert "Target date passed" in dates and "45 days ago" in dates
    assert "Days to close" not in dates


def test_sales_role_words_only_when_the_site_opts_in(example_site):
    site_file = example_site / "mapsite.yml"
    site_file.write_text(site_file.read_text("utf-8") + "sales_roles: true\n", "utf-8")
    out = built(example_site, dt.date(2027, 2, 22))
    people = parse((out / "acme" / "index.html").read_text("utf-8")).by_id("people").text()
    assert "Economic buyer" in people and "Champion" in people
    assert "Budget owner" not in people


def test_the_team_table_never_counts_negative_days_and_dates_carry_their_year(example_site):
    out = built(example_site, AFTER_CLOSE)
    table = parse((out / "_team" / "index.html").read_text("utf-8")).find_all("table")[0].text()
    # A minus before a count (an ISO date's dashes, as in a plan status's reason, are no count).
    assert not re.search(r"(?<!\d)-\s*\d", table), table
    assert "Passed 45 days ago" in table  # Acme's close, from the "Days to close" column
    out = built(example_site, dt.date(2026, 12, 20))  # the deals close in 2027: say so
    table = parse((out / "_team" / "index.html").read_text("utf-8")).find_all("table")[0].text()
    assert "Apr 30, 2027" in table


def test_the_team_table_shows_it_is_sorted_by_close_date(example_site):
    out = built(example_site, dt.date(2027, 2, 22))
    doc = parse((out / "_team" / "index.html").read_text("utf-8"))
    sorted_by = [th.text() for th in doc.find_all("th") if th.attrs.get("aria-sort") == "ascending"]
    assert sorted_by == ["Close"]
