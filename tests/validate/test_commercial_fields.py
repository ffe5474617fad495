"""Issue 17: the optional ``amount:``, ``currency:`` and ``crm:`` fields, checked by ``mapsite check``
in a real process: a wrong value is named at its line with what to write instead."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.helpers import MINIMAL_DEAL, TODAY, line_of


def check(site_factory, fields: str) -> tuple[subprocess.CompletedProcess, str]:
    text = MINIMAL_DEAL.replace("updated: 2027-02-20", f"updated: 2027-02-20\n{fields}")
    site = site_factory.make({"buyer-co.md": text})
    env = {**os.environ, "TEST_PORTAL_PASSWORD": "correct horse battery staple", "COLUMNS": "80"}
    command = [sys.executable, "-m", "mapsite", "check", "--site", str(site), "--today", TODAY]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env), text


def test_well_formed_commercial_fields_pass(site_factory):
    result, _ = check(
        site_factory,
        "amount: 48000.50\ncurrency: EUR\ncrm: {salesforce_id: 0065g00000AbCdEAAV, hubspot_id: '18234567890'}",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert ": error:" not in result.stdout and "amount" not in result.stdout and "crm" not in result.stdout


def test_each_wrong_value_is_named_at_its_line(site_factory):
    result, text = check(
        site_factory, "amount: 48,000\ncurrency: usd\ncrm: {salesforce_id: 006ABC, hubspot_id: 12a, zoho: 1}"
    )
    assert result.returncode == 1
    where = "content/deals/buyer-co.md"
    out = result.stdout
    assert (
        f"{where}:{line_of(text, 'amount:')}: error: 'amount' is '48,000', which is not a plain number" in out
    )
    assert f"{where}:{line_of(text, 'currency:')}: error: 'currency' is 'usd'" in out
    crm = line_of(text, "crm:")
    assert f"{where}:{crm}: error: 'salesforce_id' is '006ABC', which is not a Salesforce record id" in out
    assert f"{where}:{crm}: error: 'hubspot_id' is '12a', which is not a HubSpot record id" in out
    assert f"{where}:{crm}: warning: unknown field 'zoho' in crm" in out
    assert "Traceback" not in result.stderr


def test_an_amount_without_its_currency_is_refused(site_factory):
    result, text = check(site_factory, "amount: 48000")
    assert result.returncode == 1
    assert (
        f"content/deals/buyer-co.md:{line_of(text, 'amount:')}: error: 'amount' needs a 'currency' "
        "(hint: add currency: USD" in result.stdout
    )
