"""The timeline as inline SVG, drawn at build time.

No chart library reaches the buyer: the layout (lanes per phase, markers at due dates, labels
that don't collide, today and close lines) is computed here and emitted as plain SVG that the
theme's CSS colours. Status is carried by marker shape and a legend, not colour alone; the legend
lists every mark the drawing can use (overdue and critical path too), and critical path has its own
fixed colour, so a buyer's brand colour never looks like a status.

The drawing carries its dates as data: the plot's first and last day on the <svg> (x is linear
between them, as x_of computes it) and each milestone's due date on its group, so the portal's
live-dates.js recounts the today line and the overdue marks for the reader's day from the dates
Python used, never from positions read back off the drawing.

An SVG wide enough for a laptop is unreadable on a phone, so the same milestones are also emitted
as a list by phase with dates, which the theme shows instead of the drawing on narrow screens.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

from mapsite.render.formatting import long_date, month_label, short_date
from mapsite.schedule.portal import STATUS_LABELS, MilestoneView, PortalView

WIDTH = 960
LABEL_COLUMN = 150
PLOT_LEFT = 166
PLOT_RIGHT = WIDTH - 24
AXIS_HEIGHT = 58
FLAG_ROWS = (14, 30)
TICK_LABEL_Y = 50
ROW_HEIGHT = 22
LANE_PADDING = 6
LEGEND_HEIGHT = 34
CHAR_WIDTH = 6.4
MARKER_RADIUS = 6
# The symbols of partials/macros.html's status_badge, for the phone list's badges.
STATUS_ICONS = {
    "done": "✓",
    "in_progress": "◐",
    "pending": "○",
    "blocked": "■",
    "at_risk": "▲",
    "skipped": "\u2013",  # an en dash
}


@dataclass(frozen=True)
class _Placed:
    view: MilestoneView
    x: float
    row: int
    anchor_end: bool


def render_timeline(plan: PortalView) -> Markup:
    deal = plan.deal
    milestones = [m for phase in plan.phases for m in phase.milestones]
    if not milestones:
        return Markup("")
    dates = [m.milestone.due for m in milestones] + [plan.today, deal.close_date]
    if deal.go_live:
        dates.append(deal.go_live)
    start = min(dates) - dt.timedelta(days=4)
    end = max(dates) + dt.timedelta(days=4)
    span = max((end - start).days, 1)

    def x_of(day: dt.date) -> float:
        return PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) * (day - start).days / span

    lanes = []
    top = AXIS_HEIGHT
    for phase in plan.phases:
        placed = _place_labels([(m, x_of(m.milestone.due)) for m in phase.milestones])
        rows = max((p.row for p in placed), default=0) + 1
        height = rows * ROW_HEIGHT + 2 * LANE_PADDING
        lanes.append((phase.name, placed, top, height))
        top += height
    plot_bottom = top
    total_height = plot_bottom + LEGEND_HEIGHT

    parts: list[str] = []
    summary = (
        f"{len(milestones)} milestones in {len(plan.phases)} phases; target close "
        f"{long_date(deal.close_date)}; today is {long_date(plan.today)}."
    )
    parts.append(
        f'<svg class="timeline" viewBox="0 0 {WIDTH} {total_height}" width="{WIDTH}" '
        f'height="{total_height}" data-start="{start.isoformat()}" data-end="{end.isoformat()}" '
        f'role="img" aria-labelledby="tl-title tl-desc" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="12">'
        f'<title id="tl-title">Timeline of the plan</title><desc id="tl-desc">{escape(summary)}</desc>'
    )
    for index, (name, _placed, lane_top, height) in enumerate(lanes):
        parts.append(
            f'<rect class="tl-lane{" tl-lane-alt" if index % 2 else ""}" x="0" y="{lane_top}" '
            f'width="{WIDTH}" height="{height}"/>'
            f'<text class="tl-lane-label" x="12" y="{lane_top + LANE_PADDING + ROW_HEIGHT / 2 + 4:.0f}">'
            f"{escape(_fit(name, LABEL_COLUMN - 18))}</text>"
        )
    parts.extend(_axis(start, end, x_of, plot_bottom))
    lines = [("tl-today", "Today", plan.today), ("tl-close", "Close", deal.close_date)]
    if deal.go_live:
        lines.append(("tl-golive", "Go-live", deal.go_live))
    parts.extend(_date_lines(lines, x_of, plot_bottom))
    for _name, placed, lane_top, _height in lanes:
        for item in placed:
            parts.append(_milestone(item, lane_top))
    parts.append(_legend(plot_bottom))
    parts.append("</svg>")
    parts.append(_phone_list(plan))
    return Markup("".join(parts))


def _place_labels(items: list[tuple[MilestoneView, float]]) -> list[_Placed]:
    """Greedy rows: a label goes in the first row where it overlaps nothing already placed."""
    rows: list[list[tuple[float, float]]] = []
    placed = []
    for view, x in sorted(items, key=lambda item: item[1]):
        width = len(view.milestone.name) * CHAR_WIDTH + MARKER_RADIUS * 2 + 6
        anchor_end = x + width > PLOT_RIGHT + 20
        span = (x - width, x + MARKER_RADIUS) if anchor_end else (x - MARKER_RADIUS, x + width)
        for row_index, occupied in enumerate(rows):
            if all(span[1] + 6 < a or span[0] > b + 6 for a, b in occupied):
                occupied.append(span)
                placed.append(_Placed(view, x, row_index, anchor_end))
                break
        else:
            rows.append([span])
            placed.append(_Placed(view, x, len(rows) - 1, anchor_end))
    return placed


def _axis(start: dt.date, end: dt.date, x_of: Callable[[dt.date], float], bottom: float) -> list[str]:
    parts = [
        f'<line class="tl-axis" x1="{PLOT_LEFT}" y1="{AXIS_HEIGHT}" x2="{PLOT_RIGHT}" y2="{AXIS_HEIGHT}"/>'
    ]
    tick = dt.date(start.year, start.month, 1)
    weekly = (end - start).days < 45
    step = dt.timedelta(days=7)
    if weekly:
        tick = start + dt.timedelta(days=(7 - start.weekday()) % 7)
    while tick <= end:
        if tick >= start and x_of(tick) + 34 < WIDTH:
            x = x_of(tick)
            label = short_date(tick) if weekly else month_label(tick, with_year=tick.month == 1)
            parts.append(
                f'<line class="tl-tick" x1="{x:.1f}" y1="{AXIS_HEIGHT}" x2="{x:.1f}" y2="{bottom:.0f}"/>'
                f'<text class="tl-tick-label" x="{x + 4:.1f}" y="{TICK_LABEL_Y}">{label}</text>'
            )
        if weekly:
            tick += step
        else:
            tick = dt.date(tick.year + (tick.month == 12), tick.month % 12 + 1, 1)
    return parts


def _date_lines(
    lines: list[tuple[str, str, dt.date]], x_of: Callable[[dt.date], float], bottom: float
) -> list[str]:
    """Vertical lines for today, close and go-live, labels on two rows so none overlap."""
    parts: list[str] = []
    taken: list[list[tuple[float, float]]] = [[] for _ in FLAG_ROWS]
    for css, label, day in lines:
        x = x_of(day)
        text = f"{label} · {short_date(day)}"
        width = len(text) * CHAR_WIDTH
        # Centred on its line, but kept inside the drawing near either edge.
        anchor, span = "middle", (x - width / 2, x + width / 2)
        if span[1] > WIDTH - 4:
            anchor, span = "end", (x - width, x)
        elif span[0] < PLOT_LEFT:
            anchor, span = "start", (x, x + width)
        row = next(
            (i for i, used in enumerate(taken) if all(span[1] + 8 < a or span[0] > b + 8 for a, b in used)),
            len(FLAG_ROWS) - 1,
        )
        taken[row].append(span)
        y = FLAG_ROWS[row]
        parts.append(
            f'<line class="{css}" x1="{x:.1f}" y1="{y + 4}" x2="{x:.1f}" y2="{bottom:.0f}"/>'
            f'<text class="{css}-label" x="{x:.1f}" y="{y}" text-anchor="{anchor}">{escape(text)}</text>'
        )
    return parts


def _shape(status: str, x: float, y: float) -> str:
    r = MARKER_RADIUS
    if status == "done":
        return (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}"/>'
            f'<path class="tl-check" d="M{x - 3:.1f} {y:.1f} l2 2.5 l4 -5" fill="none"/>'
        )
    if status == "in_progress":
        return (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" class="tl-hollow"/>'
            f'<path d="M{x:.1f} {y - r:.1f} A{r} {r} 0 0 1 {x:.1f} {y + r:.1f} Z"/>'
        )
    if status == "blocked":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" height="{2 * r}" rx="1.5"/>'
    if status == "at_risk":
        top, right, left = (
            f"{x:.1f} {y - r - 1:.1f}",
            f"{x + r + 1:.1f} {y + r:.1f}",
            f"{x - r - 1:.1f} {y + r:.1f}",
        )
        return f'<path d="M{top} L{right} L{left} Z"/>'
    if status == "skipped":
        return (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" class="tl-hollow"/>'
            f'<line x1="{x - r + 2:.1f}" y1="{y:.1f}" x2="{x + r - 2:.1f}" y2="{y:.1f}"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" class="tl-hollow"/>'


def _milestone(item: _Placed, lane_top: float) -> str:
    """Marker and label side by side: the status classes style the shape, never the text."""
    milestone = item.view.milestone
    y = lane_top + LANE_PADDING + item.row * ROW_HEIGHT + ROW_HEIGHT / 2
    status = milestone.status
    overdue = " tl-overdue" if item.view.overdue else ""
    tooltip = f"{milestone.name}: {STATUS_LABELS[status]}, due {long_date(milestone.due)}"
    if item.view.overdue:
        tooltip += " (overdue)"
    if item.view.critical:
        tooltip += " (critical path)"
    text_x = item.x - MARKER_RADIUS - 5 if item.anchor_end else item.x + MARKER_RADIUS + 5
    anchor = ' text-anchor="end"' if item.anchor_end else ""
    return (
        f'<g class="tl-milestone" data-due="{milestone.due.isoformat()}"><title>{escape(tooltip)}</title>'
        f"{_critical_ring(item.x, y) if item.view.critical else ''}"
        f'<g class="tl-marker st-{status}{overdue}">{_shape(status, item.x, y)}</g>'
        f'<text class="tl-label{overdue}" x="{text_x:.1f}" y="{y + 4:.1f}"{anchor}>'
        f"{escape(milestone.name)}</text></g>"
    )


def _critical_ring(x: float, y: float) -> str:
    """A diamond around the marker, in the theme's fixed critical-path colour."""
    r = MARKER_RADIUS + 4
    corners = f"M{x:.1f} {y - r:.1f} L{x + r:.1f} {y:.1f} L{x:.1f} {y + r:.1f} L{x - r:.1f} {y:.1f} Z"
    return f'<path class="tl-critical" d="{corners}"/>'


def _legend(top: float) -> str:
    """Every mark the drawing uses: the six statuses, then overdue and critical path."""
    parts = [f'<g class="tl-legend" transform="translate({PLOT_LEFT} {top + 20})">']
    x: float = 0  # an int at first, so the first entry's coordinates print as before
    entries = [
        (f'<g class="tl-marker st-{status}">', status, label) for status, label in STATUS_LABELS.items()
    ]
    entries.append(('<g class="tl-marker st-pending tl-overdue">', "pending", "Overdue"))
    for opening, status, label in entries:
        parts.append(
            f"{opening}{_shape(status, x + MARKER_RADIUS, 0)}</g>"
            f'<text class="tl-label" x="{x + 2 * MARKER_RADIUS + 5}" y="4">{label}</text>'
        )
        x += 2 * MARKER_RADIUS + 12 + len(label) * CHAR_WIDTH + 14
    parts.append(
        f"{_critical_ring(x + MARKER_RADIUS, 0)}"
        f'<g class="tl-marker st-pending">{_shape("pending", x + MARKER_RADIUS, 0)}</g>'
        f'<text class="tl-label" x="{x + 2 * MARKER_RADIUS + 7}" y="4">Critical path</text>'
    )
    parts.append("</g>")
    return "".join(parts)


def _phone_list(plan: PortalView) -> str:
    """The milestones by phase with their dates and marks: what a phone shows instead of the SVG.

    As in the plan, closed work folds behind "N done · Show" (a phase all closed is one line), so
    a phone scrolls past what is still to do, not past what is over.
    """
    parts = ['<div class="tl-list">']
    for phase in plan.phases:
        open_items = [_phone_item(view) for view in phase.milestones if not view.milestone.is_closed]
        closed = [view for view in phase.milestones if view.milestone.is_closed]
        name = f'<p class="tl-list-phase">{escape(phase.name)}</p>'
        if open_items:
            parts.append(f"{name}<ol>{''.join(open_items)}</ol>")
        if closed:
            head = name if not open_items else ""
            fold = "tl-done-fold phase-fold" if not open_items else "tl-done-fold"
            parts.append(
                f'<details class="done-fold {fold}"><summary class="fold-summary">{head}'
                f'<span class="fold-count">{_closed_count(closed)}</span><span class="fold-cue">'
                '<span class="cue-show">Show</span><span class="cue-hide">Hide</span></span></summary>'
                f"<ol>{''.join(_phone_item(view) for view in closed)}</ol></details>"
            )
    parts.append("</div>")
    return "".join(parts)


def _phone_item(view: MilestoneView) -> str:
    milestone = view.milestone
    marks = _badge(f"st-{milestone.status}", STATUS_ICONS[milestone.status], view.status_label)
    if view.overdue:
        marks += _badge("badge-overdue", "!", "Overdue")
    if view.critical:
        marks += _badge("badge-critical", "◆", "Critical path")
    return (
        f'<li><time datetime="{milestone.due.isoformat()}">{short_date(milestone.due)}</time>'
        f'<span class="tl-list-name">{escape(milestone.name)}</span>{marks}</li>'
    )


def _closed_count(closed: list[MilestoneView]) -> str:
    """ "3 done", "2 done, 1 skipped": the words of the plan's own fold (partials/plan.html)."""
    done = sum(view.milestone.status == "done" for view in closed)
    words = [f"{done} done"] if done else []
    if len(closed) > done:
        words.append(f"{len(closed) - done} skipped")
    return ", ".join(words)


def _badge(css: str, icon: str, label: str) -> str:
    """The plan's badge (partials/macros.html): the same symbol and words for the same mark."""
    return (
        f'<span class="badge {css}"><span class="badge-icon" aria-hidden="true">{icon}</span>{label}</span>'
    )


def _fit(text: str, width: float) -> str:
    limit = int(width / CHAR_WIDTH)
    return text if len(text) <= limit else text[: limit - 1] + "…"
