/* Section navigation: the portal's sticky bar lists every section of the plan, and none may hide.
 * Without this script the bar is a row of plain links that scrolls sideways (the stylesheet fades
 * its end as a cue). With it, an arrow shows on each side where sections are out of view and
 * scrolls the bar when clicked (pointer only: a link reached with Tab scrolls into view by itself),
 * and the section being read is marked with aria-current="location", brought into view in the bar
 * on a narrow screen.
 * The section being read is the last one whose top has passed a line below the bar; at the
 * bottom of the page, where the last short sections never reach that line, the one the reader
 * jumped to if it is in view, else the last one in view. IntersectionObservers say when to look
 * again (a section crossing the line, the footer coming into view), so scrolling costs nothing.
 * unlock.js re-creates the page's scripts on every page it shows, so this runs again each time;
 * its window listeners let go once its bar has left the document. */
(() => {
  "use strict";

  const nav = document.querySelector("nav.toc");
  const bar = nav?.querySelector("ul");
  if (!bar) return;
  const sections = [];
  for (const link of bar.querySelectorAll('a[href^="#"]')) {
    const section = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (section) sections.push({ link, section });
  }
  const motion = () => (matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth");
  nav.classList.add("toc-enhanced");

  /* ---------------------------------------------------------------- the overflow cues */

  const SVG = "http://www.w3.org/2000/svg";
  function cue(side) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = `toc-cue toc-cue-${side}`;
    // A pointer's shortcut to what Tab and a screen reader reach anyway: kept out of both.
    button.tabIndex = -1;
    button.setAttribute("aria-hidden", "true");
    button.title = side === "start" ? "Earlier sections" : "More sections";
    button.hidden = true;
    const icon = document.createElementNS(SVG, "svg");
    icon.setAttribute("viewBox", "0 0 24 24");
    icon.setAttribute("width", "18");
    icon.setAttribute("height", "18");
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", side === "start" ? "M15 5l-7 7 7 7" : "M9 5l7 7-7 7");
    icon.append(path);
    button.append(icon);
    button.addEventListener("click", () => {
      const step = Math.max(visible().width * 0.7, 120);
      bar.scrollBy({ left: side === "start" ? -step : step, behavior: motion() });
    });
    nav.append(button);
    return button;
  }
  const start = cue("start");
  const end = cue("end");

  // The part of the bar sections show in: its box, less the log out button pinned at its end.
  function visible() {
    const box = bar.getBoundingClientRect();
    const logout = bar.querySelector(".toc-logout");
    const pinned = logout && getComputedStyle(logout).position === "sticky";
    const right = pinned ? logout.getBoundingClientRect().left : box.right;
    return { left: box.left, right, width: right - box.left };
  }

  function placeCues() {
    const room = visible();
    const frame = nav.getBoundingClientRect();
    start.style.left = `${room.left - frame.left}px`;
    end.style.right = `${frame.right - room.right}px`;
    const hidden = bar.scrollWidth - bar.clientWidth;
    start.hidden = bar.scrollLeft <= 1;
    end.hidden = bar.scrollLeft >= hidden - 1;
  }
  bar.addEventListener("scroll", placeCues, { passive: true });
  new ResizeObserver(placeCues).observe(bar);

  /* ---------------------------------------------------------------- the section being read */

  let shown = null;
  let jumped = sections.find((entry) => entry.link.hash === location.hash) ?? null;
  bar.addEventListener("click", (event) => {
    const link = event.target.closest?.("a");
    jumped = sections.find((entry) => entry.link === link) ?? jumped;
    // At the page's end a click may scroll nothing, and no observer would tell.
    requestAnimationFrame(update);
  });

  // The reading line, a fifth of the way down from the stuck bar: a section a link jumped to
  // passes it even when something above it (a lazy diagram) grew while the page scrolled.
  const line = () => Math.round(nav.offsetHeight + 0.2 * (innerHeight - nav.offsetHeight));
  const inView = (element) => {
    const box = element.getBoundingClientRect();
    return box.bottom > line() && box.top < innerHeight;
  };

  function reading() {
    const root = document.documentElement;
    if (innerHeight + scrollY >= root.scrollHeight - 2) {
      if (jumped && inView(jumped.section)) return jumped;
      return sections.findLast((entry) => inView(entry.section)) ?? null;
    }
    return sections.findLast((entry) => entry.section.getBoundingClientRect().top <= line()) ?? null;
  }

  // Scrolls the bar (never the page) so the marked link sits in its middle, if it was not in view;
  // never under a mouse pointer resting on the bar, where it would move what the reader aims at.
  const mouse = matchMedia("(hover: hover)");
  function reveal(link) {
    if (mouse.matches && nav.matches(":hover")) return;
    const room = visible();
    const box = link.getBoundingClientRect();
    const margin = 44;
    if (box.left >= room.left + margin && box.right <= room.right - margin) return;
    const offset = box.left + box.width / 2 - (room.left + room.right) / 2;
    bar.scrollBy({ left: offset, behavior: motion() });
  }

  function update() {
    const entry = reading();
    if (entry === shown) return;
    shown?.link.removeAttribute("aria-current");
    shown = entry;
    if (!entry) return;
    entry.link.setAttribute("aria-current", "location");
    reveal(entry.link);
  }

  // A one-pixel band at the line: a section's top (or bottom) crossing it is the only change that
  // can make another section the one being read, apart from reaching the bottom of the page.
  let band = null;
  function watch() {
    band?.disconnect();
    const top = line();
    const bottom = Math.max(0, innerHeight - top - 1);
    band = new IntersectionObserver(update, { rootMargin: `-${top}px 0px -${bottom}px 0px` });
    for (const entry of sections) band.observe(entry.section);
  }
  const footer = document.querySelector(".site-footer");
  if (footer) new IntersectionObserver(update, { threshold: [0, 0.5, 1] }).observe(footer);

  function resized() {
    if (!bar.isConnected) return letGo();
    watch();
    placeCues();
    update();
  }
  // Where a scroll comes to rest is looked at once more: a jump that ends at the page's bottom
  // may cross no band and bring the footer no further into view, so no observer would tell.
  function settled() {
    if (!bar.isConnected) return letGo();
    update();
  }
  function letGo() {
    removeEventListener("resize", resized);
    removeEventListener("scrollend", settled);
    band?.disconnect();
  }
  addEventListener("resize", resized);
  addEventListener("scrollend", settled, { passive: true });
  watch();
  placeCues();
  update();
})();
