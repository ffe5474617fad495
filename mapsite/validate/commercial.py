"""The deal's commercial fields: ``amount:``, ``currency:`` and ``crm:``.

They are for the seller's team only (the pipeline totals of ``/_team/`` and the CRM export of
``mapsite status --format``), never shown on the buyer's portal. A wrong amount would put a wrong
number in a forecast, and a wrong CRM id would make an import update another deal or none, so
each is checked here, where the message can name the line: an amount is a plain non-negative
number with its currency (ISO 4217, three capital letters), a Salesforce id is the 15 or 18
letters and digits Salesforce shows, a HubSpot id is the digits of the deal's record id.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from mapsite.model.deal import CrmIds
from mapsite.read.fields import FieldReader
from mapsite.read.yaml import YamlMap

WHERE = "the deal"
_CURRENCY = re.compile(r"[A-Z]{3}")
_SALESFORCE_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")
_HUBSPOT_ID = re.compile(r"[0-9]{1,20}")


def read_amount(reader: FieldReader, data: YamlMap) -> tuple[Decimal | None, str | None]:
    """``amount`` and ``currency``: both or neither, since totals never add euros to dollars."""
    raw = data.get("amount")
    currency = reader.text(data, "currency", WHERE)
    if currency is not None and not _CURRENCY.fullmatch(currency):
        reader.error(
            data.line_of("currency"),
            f"'currency' is '{currency}', which is not a three-letter currency code",
            "write the ISO 4217 code in capitals, e.g. currency: USD or currency: EUR",
        )
        currency = None
    if raw is None:
        if currency is not None:
            reader.warning(
                data.line_of("currency"), "'currency' is set but 'amount' is not", "add amount: 48000"
            )
        return None, None
    amount = _decimal(raw)
    if amount is None or amount < 0:
        reader.error(
            data.line_of("amount"),
            f"'amount' is '{raw}', which is not a plain number",
            "write the deal's value without symbols or separators, e.g. amount: 48000 or amount: 48000.50",
        )
        return None, None
    if currency is None:
        if data.get("currency") is None:
            reader.error(
                data.line_of("amount"), "'amount' needs a 'currency'", "add currency: USD (or EUR, GBP, ...)"
            )
        return None, None
    return amount, currency


def read_crm(reader: FieldReader, data: YamlMap) -> CrmIds:
    """``crm: {salesforce_id, hubspot_id}``: the CRM records the export's rows update."""
    crm = reader.mapping(data, "crm", WHERE)
    if crm is None:
        return CrmIds()
    reader.unknown_keys(crm, ("salesforce_id", "hubspot_id"), "crm")
    salesforce = reader.text(crm, "salesforce_id", "crm")
    if salesforce is not None and not _SALESFORCE_ID.fullmatch(salesforce):
        reader.error(
            crm.line_of("salesforce_id"),
            f"'salesforce_id' is '{salesforce}', which is not a Salesforce record id",
            "copy the 15 or 18 letters and digits from the opportunity's URL, e.g. 0065g00000AbCdEAAV",
        )
        salesforce = None
    hubspot = reader.text(crm, "hubspot_id", "crm")
    if hubspot is not None and not _HUBSPOT_ID.fullmatch(hubspot):
        reader.error(
            crm.line_of("hubspot_id"),
            f"'hubspot_id' is '{hubspot}', which is not a HubSpot record id",
            "copy the digits of the deal's Record ID, e.g. hubspot_id: '18234567890'",
        )
        hubspot = None
    return CrmIds(salesforce, hubspot)


def _decimal(raw: object) -> Decimal | None:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None
