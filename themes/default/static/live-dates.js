/* Live dates: a portal page opened weeks after its build still tells the truth about today.
 * Python decides the plan at build time (schedule/portal.py: projection, critical path) and writes
 * the dated facts into the page as a JSON island (#mapsite-live, sealed with the page). This
 * script recounts, for the reader's own day, only what depends on the date: days to close, the
 * overdue marks and count (the rule of schedule/overdue.py: an open item due before today, counted
 * once for its side), what "Next up" lists (overdue or due within the horizon) and the timeline's
 * today line. view() is the twin of the Python arithmetic; tests/browser/test_live_dates.py checks
 * it against portal_view day by day. Without this script the page says which day it is as of.
 * unlock.js re-creates the page's scripts on every page it shows, so this runs again each time. */
(() => {
  "use strict";

  const DAY_MS = 864e5;
  const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  // Days since 1970-01-01 for an ISO date, and back: whole days, no time zone or DST in between.
  const dayNumber = (iso) => Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / DAY_MS;
  const isoDay = (number) => new Date(number * DAY_MS).toISOString().slice(0, 10);

  // The reader's calendar day, where they are.
  const localToday = (now) => isoDay(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()) / DAY_MS);

  // As formatting.long_date and short_date write them: "Tue, Apr 30, 2027", "Apr 30".
  function longDate(iso) {
    const day = new Date(dayNumber(iso) * DAY_MS);
    return `${WEEKDAYS[day.getUTCDay()]}, ${shortDate(iso)}, ${day.getUTCFullYear()}`;
  }
  const shortDate = (iso) => `${MONTHS[+iso.slice(5, 7) - 1]} ${+iso.slice(8, 10)}`;

  // As schedule/portal.relative_days words it.
  function closePhrase(days) {
    if (days === 0) return "today";
    if (days === 1) return "tomorrow";
    if (days > 0) return `in ${days} days`;
    return days === -1 ? "1 day ago" : `${-days} days ago`;
  }

  // Every figure of the page that depends only on the day, for the day `today` (ISO).
  function view(data, today) {
    const daysToClose = dayNumber(data.close) - dayNumber(today);
    const horizon = isoDay(dayNumber(today) + data.horizon);
    const overdueBySide = {};
    const soonBySide = {};
    let overdue = 0;
    for (const [due, side] of data.open) {
      if (due < today) {
        overdue += 1;
        overdueBySide[side] = (overdueBySide[side] ?? 0) + 1;
      }
      if (due <= horizon) soonBySide[side] = (soonBySide[side] ?? 0) + 1;
    }
    return { today, horizon, daysToClose, closePhrase: closePhrase(daysToClose), overdue, overdueBySide, soonBySide };
  }

  const all = (selector, root = document) => root.querySelectorAll(selector);
  const capitalize = (text) => text.charAt(0).toUpperCase() + text.slice(1);

  // An item's overdue mark: its class, and the theme's "Overdue" badge (from its <template>).
  function mark(item, overdue) {
    item.classList.toggle("is-overdue", overdue);
    const host = item.matches(".tl-list li")
      ? item
      : item.querySelector(":scope .ms-badges, :scope > .next-meta, :scope > .check-body > .check-meta");
    if (!host) return;
    const badge = host.querySelector(":scope > .badge-overdue");
    const template = document.getElementById("mapsite-overdue-badge");
    if (!overdue) badge?.remove();
    else if (!badge && template) {
      const fresh = template.content.cloneNode(true);
      const status = host.querySelector(":scope > .badge");
      if (status) status.after(" ", fresh);
      else host.append(" ", fresh);
    }
  }

  // The timeline carries its dates (render/timeline.py): the plot's first and last day on the
  // <svg>, between which x is linear along the axis as Python's x_of draws it, and each
  // milestone's due date on its group. The today line moves to the reader's day; each open
  // milestone due before it is marked overdue.
  function timeline(today) {
    const svg = document.querySelector("svg.timeline[data-start][data-end]");
    const line = svg?.querySelector("line.tl-today");
    const axis = svg?.querySelector("line.tl-axis");
    if (!svg || !line || !axis) return;
    for (const group of all(".tl-milestone[data-due]", svg)) {
      const marker = group.querySelector(":scope > .tl-marker");
      const overdue = !!marker && !marker.matches(".st-done, .st-skipped") && group.dataset.due < today;
      for (const part of [marker, group.querySelector(":scope > .tl-label")]) part?.classList.toggle("tl-overdue", overdue);
      const title = group.querySelector(":scope > title");
      if (title) title.textContent = title.textContent.replace(/(, due [^(]*\d)( \(overdue\))?/, overdue ? "$1 (overdue)" : "$1");
    }
    const desc = svg.querySelector("desc");
    if (desc) desc.textContent = desc.textContent.replace(/today is [^.]*\./, `today is ${longDate(today)}.`);
    const first = dayNumber(svg.dataset.start);
    const span = Math.max(dayNumber(svg.dataset.end) - first, 1);
    const left = +axis.getAttribute("x1");
    const x = left + ((+axis.getAttribute("x2") - left) * (dayNumber(today) - first)) / span;
    moveTodayLine(line, axis, x, today);
  }

  // Off the drawn range, the line is hidden.
  function moveTodayLine(line, axis, x, today) {
    const label = document.querySelector("svg .tl-today-label");
    const inside = x >= +axis.getAttribute("x1") && x <= +axis.getAttribute("x2");
    line.setAttribute("visibility", inside ? "visible" : "hidden");
    line.setAttribute("x1", x.toFixed(1));
    line.setAttribute("x2", x.toFixed(1));
    if (!label) return;
    label.setAttribute("visibility", inside ? "visible" : "hidden");
    label.setAttribute("x", x.toFixed(1));
    label.textContent = `Today · ${shortDate(today)}`;
    const width = label.getComputedTextLength?.() ?? 0;
    const right = +axis.getAttribute("x2") + 20;
    const anchor = x + width / 2 > right ? "end" : x - width / 2 < +axis.getAttribute("x1") ? "start" : "middle";
    label.setAttribute("text-anchor", anchor);
  }

  function apply(data, today) {
    const figures = view(data, today);
    for (const element of all("[data-live=countdown]")) {
      element.value = String(figures.daysToClose);
      element.textContent = capitalize(figures.closePhrase);
    }
    for (const element of all("[data-live=as-of]")) {
      element.textContent =
        today === data.built
          ? `Figures as of today, ${longDate(today)}.`
          : `Figures as of today, ${longDate(today)}. Plan published ${longDate(data.built)}.`;
    }
    for (const element of all("[data-live=overdue-count]")) element.textContent = String(figures.overdue);
    for (const element of all("[data-live=overdue-pill]")) element.hidden = figures.overdue === 0;
    for (const item of all("[data-due]:not(.tl-milestone)")) mark(item, item.dataset.due < today);
    // Actions and the timeline's phone list carry their due date in a <time>, their state in a class.
    for (const item of all("li.check.is-open, .tl-list li:not(:has(.st-done, .st-skipped))")) {
      const due = item.querySelector(":scope > .check-body .check-due time, :scope > time")?.dateTime;
      if (due) mark(item, due < today);
    }
    for (const item of all(".next-item[data-due]")) item.hidden = item.dataset.due > figures.horizon;
    let listed = false;
    for (const group of all(".next-group")) {
      group.hidden = !group.querySelector(".next-item:not([hidden])");
      listed ||= !group.hidden;
    }
    for (const element of all("[data-live=next-empty]")) element.hidden = listed;
    timeline(today);
  }

  function start() {
    const island = document.getElementById("mapsite-live");
    // ?as-built: a snapshot (mapsite pdf prints the plan as of its build day, --today included).
    if (!island || new URLSearchParams(location.search).has("as-built")) return;
    apply(JSON.parse(island.textContent), localToday(new Date()));
  }

  // What the tests compare with Python, day by day.
  window.mapsiteLiveDates = { view, longDate };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
