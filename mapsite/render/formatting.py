"""How values read on the page: dates the way people say them, roles in plain words.

Locale-independent on purpose: the same build gives the same bytes on any machine.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from mapsite.schedule.portal import relative_days

if TYPE_CHECKING:
    from mapsite.read.activity import BuyerActivity

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def long_date(day: dt.date | None) -> str:
    """``Tue, Apr 30, 2027``."""
    if day is None:
        return ""
    return f"{_DAYS[day.weekday()]}, {_MONTHS[day.month - 1]} {day.day}, {day.year}"


def short_date(day: dt.date | None) -> str:
    """``Apr 30``: for tables and the timeline, where the year is obvious from context."""
    if day is None:
        return ""
    return f"{_MONTHS[day.month - 1]} {day.day}"


def date_near(day: dt.date | None, today: dt.date) -> str:
    """``Apr 30`` in today's year, ``Apr 30, 2028`` in any other: a table of dates that spans a new
    year says which year each date is in."""
    if day is None:
        return ""
    return short_date(day) if day.year == today.year else f"{short_date(day)}, {day.year}"


def iso_date(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def role_label(role: str | None) -> str:
    """``economic_buyer`` -> ``Economic buyer``."""
    return role.replace("_", " ").capitalize() if role else ""


# What a buyer calls each role: sales words ("Economic buyer", "Champion") read as labels the seller
# puts on the buyer's people. A site that wants them sets `sales_roles: true` in mapsite.yml.
_BUYER_ROLES = {
    "economic_buyer": "Budget owner",
    "champion": "Project lead",
    "decision_maker": "Decision maker",
    "technical_evaluator": "Technical evaluation",
    "executive_sponsor": "Executive sponsor",
    "influencer": "Adviser",
    "end_user": "User",
    "legal": "Legal",
    "procurement": "Procurement",
    "security": "Security",
    "finance": "Finance",
    "project_manager": "Project manager",
    "account_executive": "Account executive",
    "sales_engineer": "Solutions engineer",
    "customer_success": "Customer success",
    "other": "Other",
}


def buyer_role(role: str | None, sales_roles: bool = False) -> str:
    """``economic_buyer`` -> ``Budget owner`` (or ``Economic buyer`` when the site opts in)."""
    if not role or sales_roles:
        return role_label(role)
    return _BUYER_ROLES.get(role, role_label(role))


def countdown_label(days: int) -> str:
    """The heading of the days-to-close figure: once the target date is behind, it says so, so the
    figure reads "Target date passed: 45 days ago", never "Days to close: 45 days ago"."""
    return "Days to close" if days >= 0 else "Target date passed"


def month_label(day: dt.date, *, with_year: bool) -> str:
    """``Apr`` or ``Apr 2027``: a month tick of the timeline (``strftime``'s ``%b`` follows LC_TIME)."""
    month = _MONTHS[day.month - 1]
    return f"{month} {day.year}" if with_year else month


def activity_label(activity: BuyerActivity | None, days_ago: int | None) -> str:
    """``3 days ago · viewed`` within a week, else ``Feb 2 · update`` (with its year when it is not
    the year it is ``days_ago`` from); ``—`` for none."""
    if activity is None or days_ago is None:
        return "—"
    if 0 <= days_ago < 7:
        return f"{relative_days(-days_ago)} · {activity.kind}"
    today = activity.day + dt.timedelta(days=days_ago)
    return f"{date_near(activity.day, today)} · {activity.kind}"


FILTERS = {
    "longdate": long_date,
    "shortdate": short_date,
    "isodate": iso_date,
    "role_label": role_label,
    "buyer_role": buyer_role,
    "countdown_label": countdown_label,
    "date_near": date_near,
    "relative_days": relative_days,
    "activity_label": activity_label,
}
