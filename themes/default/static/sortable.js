/* Sortable tables: a header button per column of every table[data-sortable].
 * Cells may carry data-sort (a number or ISO date) to sort by instead of their text; empty values
 * sort last. The header says the current order through aria-sort, so screen readers announce it. */
(() => {
  "use strict";

  function value(cell) {
    const raw = cell.dataset.sort ?? cell.textContent.trim();
    if (raw === "") return null;
    const number = Number(raw);
    return Number.isFinite(number) ? number : raw.toLowerCase();
  }

  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a).localeCompare(String(b));
  }

  function enhance(table) {
    const headers = [...table.tHead.rows[0].cells];
    headers.forEach((header, column) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      button.append(...header.childNodes);
      header.append(button);
      button.addEventListener("click", () => {
        const ascending = header.getAttribute("aria-sort") !== "ascending";
        for (const other of headers) other.removeAttribute("aria-sort");
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const body = table.tBodies[0];
        const rows = [...body.rows].sort((x, y) => {
          const a = value(x.cells[column]);
          const b = value(y.cells[column]);
          if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
          return ascending ? compare(a, b) : compare(b, a);
        });
        body.append(...rows);
      });
    });
  }

  function start() {
    for (const table of document.querySelectorAll("table[data-sortable]")) {
      if (!table.dataset.sortableReady) {
        table.dataset.sortableReady = "yes";
        enhance(table);
      }
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
