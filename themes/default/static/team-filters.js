// The team dashboard's filters (issue 17): plan status, owner and close quarter.
// Why a script: the page is one sealed static file, so filtering happens in the browser. It only
// hides rows and cards (the hidden attribute) and recounts the totals from the rows' data-*
// attributes; nothing is fetched and no code is built from strings (the portal's CSP forbids eval).
// Without it, the form stays hidden and every deal shows with the totals of all of them.
(function () {
  "use strict";
  var ORDER = { stalled: 0, at_risk: 1, on_track: 2 };

  function words(status) {
    var text = status.replace("_", " ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function money(value) {
    var whole = Math.abs(value - Math.round(value)) < 0.005;
    var digits = whole ? 0 : 2;
    return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  function matches(el, wanted) {
    return Object.keys(wanted).every(function (key) {
      return !wanted[key] || el.getAttribute("data-" + key) === wanted[key];
    });
  }

  function line(list, heading, text) {
    var li = document.createElement("li");
    if (heading) {
      var strong = document.createElement("strong");
      strong.textContent = heading;
      li.appendChild(strong);
    }
    li.appendChild(document.createTextNode(text));
    list.appendChild(li);
  }

  // The same grouping as schedule/status.py's pipeline_totals: open deals by quarter, then status.
  function recount(list, visible, withAmounts) {
    var groups = {};
    visible.forEach(function (tr) {
      var status = tr.getAttribute("data-status");
      if (!status) return;
      var key = tr.getAttribute("data-quarter") + " " + ORDER[status] + " " + status;
      var group = groups[key] || (groups[key] = { deals: 0, amounts: {} });
      group.deals += 1;
      var amount = tr.getAttribute("data-amount");
      var currency = tr.getAttribute("data-currency");
      if (amount && currency) group.amounts[currency] = (group.amounts[currency] || 0) + Number(amount);
    });
    list.textContent = "";
    var keys = Object.keys(groups).sort();
    keys.forEach(function (key) {
      var parts = key.split(" ");
      var group = groups[key];
      var text = ": " + group.deals + " deal" + (group.deals === 1 ? "" : "s");
      if (withAmounts) {
        var sums = Object.keys(group.amounts).sort().map(function (c) {
          return money(group.amounts[c]) + " " + c;
        });
        text += ", " + (sums.length ? sums.join(" + ") + (sums.length > 1 ? " (mixed currencies)" : "") : "—");
      }
      line(list, parts[0] + " · " + words(parts[2]), text);
    });
    if (!keys.length) line(list, "", "No open deals match.");
  }

  function start() {
    var form = document.querySelector("form.team-filters");
    var list = document.querySelector("ul.team-totals");
    if (!form || !list || form.getAttribute("data-ready")) return;
    form.setAttribute("data-ready", "yes");
    var items = Array.prototype.slice.call(document.querySelectorAll("[data-quarter]"));
    var rows = items.filter(function (el) { return el.tagName === "TR"; });
    var shown = form.querySelector(".team-shown");
    var withAmounts = rows.some(function (tr) { return tr.getAttribute("data-amount"); });

    function apply() {
      var wanted = {
        status: form.elements.status.value,
        owner: form.elements.owner.value,
        quarter: form.elements.quarter.value
      };
      items.forEach(function (el) { el.hidden = !matches(el, wanted); });
      var visible = rows.filter(function (tr) { return !tr.hidden; });
      shown.textContent = visible.length + " of " + rows.length + " deals shown";
      recount(list, visible, withAmounts);
    }

    form.hidden = false;
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    apply();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
