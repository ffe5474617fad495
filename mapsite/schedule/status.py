"""One row per deal for the people who run the pipeline: ``mapsite status`` and the team page.

The same rows feed the terminal table, the ``--json`` output (a stable format for CRMs and
scripts, documented in docs/status.md) and the protected ``/_team/`` dashboard, so all three
always agree. "Last buyer activity" is not in the deal file: it comes from the rep's machine
(read/activity.py) and is added to the rows by whoever has the site folder at hand; the slip count
comes from the deal file's git history (pipeline/slips.py), added the same way (``with_slips``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from mapsite.model.deal import Deal
from mapsite.read.activity import BuyerActivity
from mapsite.schedule.feasibility import feasibility
from mapsite.schedule.health import plan_health
from mapsite.schedule.overdue import overdue_by_side
from mapsite.schedule.portal import risk_score, risk_severity

JSON_VERSION = 1
SORTS = ("close", "risk", "updated")


@dataclass(frozen=True)
class NextMilestone:
    id: str
    name: str
    due: dt.date


@dataclass(frozen=True)
class DealStatus:
    slug: str
    title: str
    buyer: str
    stage: str
    close_date: dt.date
    days_to_close: int
    milestones_done: int
    milestones_total: int
    overdue: dict[str, int]  # per side, each overdue item once (schedule/overdue.py)
    next_milestone: NextMilestone | None
    projected_close: dt.date
    business_days_late: int
    updated: dt.date | None
    days_since_update: int | None
    open_high_risks: int
    on_track: bool  # the projection's verdict (schedule/feasibility.py), not only days late
    schedule_phrase: str  # "on track", "6 business days after the target", "at risk: ..."
    assumption: str | None  # what the projection assumed ("assumes 1 business day for ...")
    plan_status: str | None  # on_track, at_risk, stalled (schedule/health.py); None once won or lost
    plan_status_reason: str | None
    owner: str | None = None  # the seller's account executive, who answers for the deal
    amount: Decimal | None = None
    currency: str | None = None
    last_buyer_activity: BuyerActivity | None = None  # a buyer's latest view or applied update
    days_since_buyer_activity: int | None = None
    slip_count: int = 0  # due-date moves of items and of the close date, from git (with_slips)

    @property
    def close_quarter(self) -> str:
        """The calendar quarter of the close date, as forecasts group deals: ``2027-Q2``."""
        return f"{self.close_date.year}-Q{(self.close_date.month - 1) // 3 + 1}"

    @property
    def percent_done(self) -> int:
        return round(100 * self.milestones_done / self.milestones_total) if self.milestones_total else 0

    @property
    def overdue_total(self) -> int:
        return sum(self.overdue.values())

    def as_json(self) -> dict:
        return {
            "slug": self.slug,
            "title": self.title,
            "buyer": self.buyer,
            "stage": self.stage,
            "close_date": self.close_date.isoformat(),
            "days_to_close": self.days_to_close,
            "milestones": {
                "done": self.milestones_done,
                "total": self.milestones_total,
                "percent_done": self.percent_done,
            },
            "overdue": dict(self.overdue),
            "overdue_total": self.overdue_total,
            "next_milestone": (
                {
                    "id": self.next_milestone.id,
                    "name": self.next_milestone.name,
                    "due": self.next_milestone.due.isoformat(),
                }
                if self.next_milestone
                else None
            ),
            "projected_close": self.projected_close.isoformat(),
            "business_days_late": self.business_days_late,
            "on_track": self.on_track,
            "schedule": self.schedule_phrase,
            "assumption": self.assumption,
            "plan_status": self.plan_status,
            "plan_status_reason": self.plan_status_reason,
            "updated": self.updated.isoformat() if self.updated else None,
            "days_since_update": self.days_since_update,
            "open_high_risks": self.open_high_risks,
            "last_buyer_activity": self.last_buyer_activity.as_json() if self.last_buyer_activity else None,
            "days_since_buyer_activity": self.days_since_buyer_activity,
            "owner": self.owner,
            "amount": _json_number(self.amount),
            "currency": self.currency,
            "close_quarter": self.close_quarter,
            "slip_count": self.slip_count,
        }


def deal_status(deal: Deal, today: dt.date) -> DealStatus:
    open_milestones = sorted((m for m in deal.milestones if not m.is_closed), key=lambda m: (m.due, m.line))
    upcoming = open_milestones[0] if open_milestones else None
    schedule = feasibility(deal, deal.calendar, today)
    counted = [m for m in deal.milestones if m.status != "skipped"]
    health = plan_health(deal, schedule, today)
    return DealStatus(
        slug=deal.slug,
        title=deal.title,
        buyer=deal.buyer.name,
        stage=deal.stage,
        close_date=deal.close_date,
        days_to_close=(deal.close_date - today).days,
        milestones_done=sum(1 for m in counted if m.status == "done"),
        milestones_total=len(counted),
        overdue=overdue_by_side(deal, today),
        next_milestone=NextMilestone(upcoming.id, upcoming.name, upcoming.due) if upcoming else None,
        projected_close=schedule.projected_close,
        business_days_late=schedule.days_late,
        updated=deal.updated,
        days_since_update=(today - deal.updated).days if deal.updated else None,
        open_high_risks=sum(
            1 for risk in deal.risks if risk.status == "open" and risk_severity(risk_score(risk)) == "high"
        ),
        on_track=schedule.on_track,
        schedule_phrase=schedule.target_phrase,
        assumption=schedule.assumption,
        plan_status=health.status if health else None,
        plan_status_reason=health.reason if health else None,
        owner=next(
            (s.name for s in deal.stakeholders if s.side == "seller" and s.role == "account_executive"), None
        ),
        amount=deal.amount,
        currency=deal.currency,
    )


def with_slips(rows: list[DealStatus], slip_counts: Mapping[str, int]) -> list[DealStatus]:
    """``rows`` with each deal's slip count, as pipeline/slips.py reads it from git."""
    return [replace(row, slip_count=slip_counts.get(row.slug, 0)) for row in rows]


def with_activity(
    rows: list[DealStatus], activity: Mapping[str, BuyerActivity], today: dt.date
) -> list[DealStatus]:
    """``rows`` with each deal's last buyer activity, as read/activity.py finds it."""
    return [
        replace(
            row,
            last_buyer_activity=(found := activity.get(row.slug)),
            days_since_buyer_activity=(today - found.day).days if found else None,
        )
        for row in rows
    ]


def status_rows(
    deals: tuple[Deal, ...] | list[Deal],
    today: dt.date,
    stage: str | None = None,
    sort: str = "close",
    activity: Mapping[str, BuyerActivity] | None = None,
) -> list[DealStatus]:
    rows = [deal_status(deal, today) for deal in deals if stage is None or deal.stage == stage]
    rows = with_activity(rows, activity or {}, today)
    if sort == "risk":
        return sorted(
            rows,
            key=lambda r: (-r.business_days_late, r.on_track, -r.open_high_risks, -r.overdue_total, r.slug),
        )
    if sort == "updated":
        # Stalest first; a plan that never says when it was updated is the stalest of all.
        never = 10**6
        return sorted(
            rows, key=lambda r: (-(never if r.days_since_update is None else r.days_since_update), r.slug)
        )
    return sorted(rows, key=lambda r: (r.close_date, r.slug))


def _json_number(value: Decimal | None) -> int | float | None:
    """A whole amount as an integer (48000, not 48000.0), cents as a decimal number."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def status_json(rows: list[DealStatus], today: dt.date) -> dict:
    return {"version": JSON_VERSION, "today": today.isoformat(), "deals": [row.as_json() for row in rows]}


@dataclass(frozen=True)
class PipelineTotal:
    """The deals of one close quarter and plan status, and their amounts, one sum per currency."""

    quarter: str
    plan_status: str
    deals: int
    amounts: dict[str, Decimal]  # currency -> sum; several currencies are never converted

    @property
    def amount_text(self) -> str:
        """``48,000 USD``; ``48,000 USD + 9,500 EUR (mixed currencies)``; ``—`` without amounts."""
        parts = [f"{money_text(total)} {currency}" for currency, total in sorted(self.amounts.items())]
        mixed = " (mixed currencies)" if len(parts) > 1 else ""
        return " + ".join(parts) + mixed if parts else "—"


def money_text(value: Decimal) -> str:
    """48000 as ``48,000``, 48000.5 as ``48,000.50``: the figure a forecast shows."""
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def pipeline_totals(rows: list[DealStatus]) -> list[PipelineTotal]:
    """Open deals (with a plan status) by close quarter, then status worst first."""
    order = {"stalled": 0, "at_risk": 1, "on_track": 2}
    groups: dict[tuple[str, str], list[DealStatus]] = {}
    for row in rows:
        if row.plan_status is not None:
            groups.setdefault((row.close_quarter, row.plan_status), []).append(row)
    totals = []
    for (quarter, status), members in sorted(groups.items(), key=lambda g: (g[0][0], order[g[0][1]])):
        amounts: dict[str, Decimal] = {}
        for row in members:
            if row.amount is not None and row.currency:
                amounts[row.currency] = amounts.get(row.currency, Decimal(0)) + row.amount
        totals.append(PipelineTotal(quarter, status, len(members), amounts))
    return totals
