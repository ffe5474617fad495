"""A recap as an email: plain text and HTML alternatives of the same sections, in the seller's
branding (name and accent colour), one message per recipient.

Mail clients strip ``<style>`` blocks and scripts, so the HTML is a narrow table-free layout
with inline styles only, and every value from the deal file is escaped. The plain text carries
everything the HTML does, for clients that show only text.
"""

from __future__ import annotations

import datetime as dt
import html
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from mapsite.recap.content import Item, Recap

DEFAULT_ACCENT = "#2F4F8F"


def subject(recap: Recap) -> str:
    return f"{recap.facts.deal.title}: plan recap, {_day(recap.facts.today)}"


def sections(recap: Recap) -> list[tuple[str, list[str]]]:
    """The recap's sections as titled lists of lines, shared by the text and the HTML."""
    facts = recap.facts
    changes = facts.changes
    changed: list[str] = []
    if changes is None:
        changed.append(f"(no committed version of the plan from before {_day(facts.since)} to compare with)")
    else:
        changed += [f"{m.entry.name}: {_day(m.old)} -> {_day(m.new)}" for m in changes.moved]
        if changes.close:
            changed.append(f"Target close: {_day(changes.close.old)} -> {_day(changes.close.new)}")
        changed += [f"Added: {e.name}" + (f", due {_day(e.due)}" if e.due else "") for e in changes.added]
        changed += [f"Removed: {e.name}" for e in changes.removed]
        changed += [
            f"New on the team: {s.name}" + (f", {s.title}" if s.title else "") for s in changes.people_added
        ]
    deal = facts.deal
    target = _day(deal.close_date)
    projected = f"Projected close {_day(facts.projected_close)}"
    if facts.days_late > 0:
        close = [f"{projected}, {facts.days_late} business days after the target {target}."]
    else:
        close = [f"{projected}; the target is {target}."]
    if facts.health is not None:
        # The same plan status as `mapsite status` and the team page, with its reason: a plan is
        # never "on track" here while the schedule says otherwise.
        status = facts.health.status.replace("_", " ").capitalize()
        close.append(f"Plan status: {status} ({facts.health.reason}).")
    return [
        (f"Done since {_day(facts.since)}", list(facts.done) or ["Nothing was completed."]),
        ("What changed", changed or ["No dates moved and nobody was added."]),
        ("Due next for you", [_item(i, False) for i in recap.yours] or ["Nothing in the next two weeks."]),
        (
            "Due next for the others",
            [_item(i, True) for i in recap.others] or ["Nothing in the next two weeks."],
        ),
        ("Overdue", [_item(i, True) for i in recap.overdue] or ["Nothing is overdue."]),
        ("Next meeting", [recap.next_meeting or "None scheduled in the plan."]),
        ("Close", close),
    ]


def build_message(
    recap: Recap, sender: str | None, now: dt.datetime, site_accent: str | None
) -> EmailMessage:
    """The email for one recipient: To them only, text and HTML alternatives; the accent is the
    deal's seller's, else the site's seller's, as on the portal."""
    deal, person = recap.facts.deal, recap.person
    assert person.email
    message = EmailMessage()
    message["Subject"] = subject(recap)
    if sender:
        message["From"] = formataddr((deal.seller.name, sender))
    message["To"] = formataddr((person.name, person.email))
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain="mapsite.invalid")
    message.set_content(_text(recap))
    message.add_alternative(_html(recap, recap.facts.deal.seller.accent or site_accent), subtype="html")
    return message


def _text(recap: Recap) -> str:
    lines = [f"Hello {recap.person.name},", "", f"Here is where {recap.facts.deal.title} stands."]
    for title, entries in sections(recap):
        lines += ["", title.upper(), *(f"- {entry}" for entry in entries)]
    lines += ["", f"Open the plan: {recap.link}", "", f"-- {recap.facts.deal.seller.name}"]
    return "\n".join(lines) + "\n"


def _html(recap: Recap, accent_given: str | None) -> str:
    deal = recap.facts.deal
    accent = accent_given or DEFAULT_ACCENT
    esc = html.escape
    parts = [
        '<!DOCTYPE html><html><body style="margin:0;padding:0;background:#f4f4f6">',
        '<div style="max-width:600px;margin:0 auto;background:#ffffff;font-family:Arial,Helvetica,'
        'sans-serif;font-size:15px;line-height:1.5;color:#1f2328">',
        f'<div style="background:{esc(accent)};color:#ffffff;padding:16px 24px;font-size:18px;'
        f'font-weight:bold">{esc(deal.seller.name)}</div>',
        '<div style="padding:16px 24px">',
        f"<p>Hello {esc(recap.person.name)},</p>",
        f"<p>Here is where <strong>{esc(deal.title)}</strong> stands.</p>",
    ]
    for title, entries in sections(recap):
        parts.append(f'<h2 style="font-size:16px;margin:20px 0 6px;color:{esc(accent)}">{esc(title)}</h2>')
        parts.append('<ul style="margin:0;padding-left:20px">')
        parts += [f"<li>{esc(entry)}</li>" for entry in entries]
        parts.append("</ul>")
    parts += [
        f'<p style="margin:24px 0"><a href="{esc(recap.link)}" style="background:{esc(accent)};color:#ffffff;'
        f'padding:10px 18px;text-decoration:none;border-radius:4px">Open the plan</a></p>',
        f'<p style="font-size:13px;color:#59636e">{esc(deal.seller.name)}</p>',
        "</div></div></body></html>",
    ]
    return "\n".join(parts) + "\n"


def _item(item: Item, owners: bool) -> str:
    who = f" ({', '.join(item.owners)})" if owners and item.owners else ""
    return f"{item.name}{who}, due {_day(item.due)}"


def _day(day: dt.date) -> str:
    return f"{day:%a %b} {day.day}, {day.year}"
