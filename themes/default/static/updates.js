/* mapsite updates: the reader answers the plan from the portal, with no server (docs/updates.md).
 *
 * A reader of an unlocked protected portal marks their side's items done or blocked, proposes
 * dates, comments, suggests a colleague and agrees to the plan. Each change shows at once as "not
 * sent yet" and is kept on this device only, encrypted under the deal's pending key L (IndexedDB
 * "mapsite-pending"), so it survives a reload and a browser restart and nothing of it is readable
 * on disk. "Send" seals the changes into an update code (update-code.js, signed for the credential
 * by unlock.js's mapsiteSender) and hands it to the reader's mail app, the clipboard or a file; the
 * rep's `mapsite inbox` opens it. A rebuilt page that shows a change (the item done, the date
 * moved, the colleague listed, the entry recorded in the discussion) marks it confirmed, or
 * declined with the rep's reason, and it leaves the list.
 *
 * This file is the page: the menus, the change form, the bar and the review panel. What is kept
 * and sent (the encrypted record, each change in words, the code and its mail links) is
 * updates-record.js, which the head loads just before this one.
 *
 * Runs only on a sealed page, which carries the #mapsite-updates island (public and --no-protect
 * pages have none). Sending also needs window.mapsiteSender, which unlock.js sets at login: a login
 * remembered before sender keys existed has none, so the reader keeps making changes and the review
 * panel says to log out and in again to send them. No inline script, no eval.
 */
"use strict";

(() => {
  const root = document.querySelector("[data-updates]");
  const island = document.getElementById("mapsite-updates");
  const sender = window.mapsiteSender;
  const record = globalThis.MapsiteUpdateRecord;
  if (!root || !island || !record || !window.isSecureContext || root.dataset.ready) return;
  root.dataset.ready = "1";

  const outcomes = JSON.parse(document.getElementById("mapsite-update-outcomes")?.textContent || "{}");
  const toEmail = root.dataset.toEmail || null;
  const toName = root.dataset.toName || null;
  const title = root.dataset.dealTitle;
  const readerSide = document.documentElement.dataset.readerSide || "buyer";
  const $ = (selector, scope = root) => scope.querySelector(selector);
  const $$ = (selector, scope = root) => [...scope.querySelectorAll(selector)];
  const describe = record.describe;

  let state = record.newState();
  const save = () => record.save(state);

  /* ---------------------------------------------------------------- words */

  const OPS = {
    done: { title: "Mark done", save: "Mark done", fields: [] },
    blocked: { title: "Blocked", save: "Save", fields: ["reason"], reason: "What is blocking it?" },
    date: { title: "Propose a new date", save: "Save", fields: ["to", "reason"], reason: "Why? (optional)" },
    comment: { title: "Ask a question or comment", save: "Save", fields: ["text"] },
    colleague: { title: "Suggest a colleague", save: "Save", fields: ["person", "title", "email", "role"] },
    agree: { title: "We agree to this plan", save: "Agree", fields: ["name"] },
  };
  const REQUIRED = { reason: (op) => op === "blocked", to: () => true, text: () => true, person: () => true, name: () => true };

  function stateText(change) {
    if (change.outcome === "confirmed") return "confirmed";
    if (change.outcome === "declined") return "declined" + (change.reason_declined ? ": " + change.reason_declined : "");
    if (change.state === "sent") return `sent to ${toName || "the team"}, waiting for confirmation`;
    return "not sent yet";
  }

  /* ---------------------------------------------------------------- the page */

  const itemElements = (key) => $$("[data-item]", document).filter((el) => el.dataset.item === key);

  function itemName(el) {
    const name = el.querySelector(".ms-name, .check-task");
    return name ? [...name.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join("").trim() : "";
  }

  // What the rebuilt page says of a change sent earlier: confirmed, declined or nothing yet.
  function outcomeOf(change) {
    if (change.ref && Object.hasOwn(outcomes, change.ref)) {
      return outcomes[change.ref] ? { outcome: "declined", reason_declined: outcomes[change.ref] } : { outcome: "confirmed" };
    }
    const el = change.item ? itemElements(change.item)[0] : null;
    const yes = { outcome: "confirmed" };
    if (change.op === "done" && el?.dataset.status === "done") return yes;
    if (change.op === "blocked" && el?.dataset.status === "blocked") return yes;
    if (change.op === "date" && el?.dataset.itemDue === change.to) return yes;
    if (change.op === "colleague") {
      const email = (change.email || "").toLowerCase();
      const listed = $$("#people .person-card", document).some((card) =>
        (email && card.querySelector(`a[href="mailto:${CSS.escape(email)}" i]`)) ||
        card.querySelector(".person-card-name")?.textContent.trim().toLowerCase() === change.name.toLowerCase());
      if (listed) return yes;
    }
    return null;
  }

  // An "Update" menu on each item of the plan and the commitments: Done / Blocked… / New date… /
  // Comment… on the reader's own side's open items; Comment… and New date… on the others.
  function addMenus() {
    // An action the plan lists under its milestone gets its menu there only: Commitments repeats it.
    const inPlan = new Set($$("#plan [data-item]", document).map((el) => el.dataset.item));
    const elsewhere = $$("#commitments [data-item]", document).filter((el) => !inPlan.has(el.dataset.item));
    for (const el of [...$$("#plan [data-item]", document), ...elsewhere]) {
      const open = !["done", "skipped"].includes(el.dataset.status);
      const own = open && el.dataset.side.split(" ").includes(readerSide);
      const ops = [...(own ? ["done", "blocked"] : []), ...(open ? ["date"] : []), "comment"];
      const labels = { done: "Done", blocked: "Blocked…", date: "New date…", comment: "Comment…" };
      const menu = document.createElement("details");
      menu.className = "upd-menu";
      const summary = document.createElement("summary");
      summary.className = "upd-menu-button";
      const label = document.createElement("span");
      label.className = "upd-menu-label";
      label.textContent = "Update";
      summary.append(label);
      const hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = ` ${itemName(el)}`;
      summary.append(hidden);
      const list = document.createElement("div");
      list.className = "upd-menu-list";
      for (const op of ops) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = labels[op];
        button.dataset.updOp = op;
        list.append(button);
      }
      menu.append(summary, list);
      const marks = document.createElement("ul");
      marks.className = "upd-marks";
      marks.hidden = true;
      // Beside what the row already shows (at the end of a milestone's name, of an action's line),
      // not on a line of its own: a row's height is the page's length times its rows.
      const name = el.querySelector(":scope > .ms-main > .ms-head > .ms-name, :scope > .check-body > .check-task");
      const body = el.querySelector(":scope > .ms-main, :scope > .check-body") || el;
      if (name) name.after(menu);
      else body.append(menu);
      body.append(marks);
    }
  }

  // A menu closes when another opens, on Escape, and on a tap elsewhere.
  function wireMenus() {
    const menus = $$("details.upd-menu", document);
    for (const menu of menus) {
      menu.addEventListener("toggle", () => menu.open && menus.forEach((other) => other !== menu && (other.open = false)));
      menu.addEventListener("keydown", (event) => {
        if (event.key === "Escape" && menu.open) {
          menu.open = false;
          menu.querySelector("summary").focus();
        }
      });
    }
    document.body.addEventListener("click", (event) => {
      for (const menu of menus) if (menu.open && !menu.contains(event.target)) menu.open = false;
    });
  }

  /* ---------------------------------------------------------------- the change form */

  const formDialog = $(".upd-form-dialog");
  const form = $("[data-upd-form]");
  let editing = null; // {op, item, itemName, from, opener}

  function openForm(op, el, opener) {
    const spec = OPS[op];
    editing = { op, opener, item: el ? el.dataset.item : null, itemName: el ? itemName(el) : "", from: el?.dataset.itemDue || null };
    form.reset();
    $("[data-upd-form-title]").textContent = spec.title;
    $("[data-upd-form-item]").textContent = editing.itemName ? `“${editing.itemName}”` : op === "comment" ? "On the plan as a whole" : "";
    $("[data-upd-save]").textContent = spec.save;
    $("[data-upd-reason-label]").textContent = spec.reason || "Reason";
    $("[data-upd-form-error]").textContent = "";
    for (const field of $$("[data-upd-field]", form)) {
      const name = field.dataset.updField;
      const shown = spec.fields.includes(name);
      field.hidden = !shown;
      const input = field.querySelector("input, textarea, select");
      input.required = shown && Boolean(REQUIRED[name]?.(op));
    }
    if (op === "date" && editing.from) form.elements.to.value = editing.from;
    if (op === "agree") form.elements.name.value = state.name;
    formDialog.showModal();
    (spec.fields.length ? form.elements[spec.fields[0] === "person" ? "person" : spec.fields[0]] : $("[data-upd-save]")).focus();
  }

  function closeForm() {
    formDialog.close();
    editing?.opener?.focus();
    editing = null;
  }

  async function submitForm(event) {
    event.preventDefault();
    if (!editing) return;
    const value = (name) => form.elements[name].value.trim();
    const error = $("[data-upd-form-error]");
    if (!form.checkValidity()) {
      error.textContent = "Please fill in the highlighted field.";
      return form.querySelector(":invalid")?.focus();
    }
    const { op, item, itemName: name, from } = editing;
    if (op === "date" && value("to") === from) {
      error.textContent = "That is the date the plan already has. Choose another day.";
      return form.elements.to.focus();
    }
    const change = { local: crypto.randomUUID(), op, state: "new" };
    if (["done", "blocked", "date", "comment"].includes(op)) Object.assign(change, { item, itemName: name });
    if (op === "blocked") change.reason = value("reason");
    if (op === "date") Object.assign(change, { from, to: value("to"), reason: value("reason") });
    if (op === "comment") change.text = value("text");
    if (op === "colleague") Object.assign(change, { name: value("person"), title: value("title"), email: value("email"), role: value("role") || "other" });
    if (op === "agree") change.name = value("name");
    record.add(state, change);
    closeForm();
    await persist(`Saved: ${describe(change)}. Not sent yet.`);
  }

  /* ---------------------------------------------------------------- sending */

  const review = $(".upd-review");
  let prepared = null; // the code of the changes not sent yet: {seq, fresh, armour, mails, file}

  async function prepare() {
    prepared = null; // stays null if sealing fails
    prepared = await record.prepare({ state, sender, title, toEmail });
  }

  let fileUrl = null;
  // The send controls point at the code of the changes not sent yet, else at the last code sent.
  function showSend() {
    const code = prepared ?? state.last;
    const mail = $("[data-upd-mail]");
    if (mail) {
      mail.replaceChildren();
      const mails = code?.mails ?? [];
      mails.forEach((href, i) => {
        const item = document.createElement("li");
        const a = document.createElement("a");
        a.className = "upd-button upd-primary";
        a.href = href;
        a.dataset.updMailPart = String(i + 1);
        a.textContent = mails.length === 1 ? `Send to ${toName}` : `Send part ${i + 1} of ${mails.length} to ${toName}`;
        item.append(a);
        mail.append(item);
      });
    }
    const download = $("[data-upd-download]");
    if (fileUrl) URL.revokeObjectURL(fileUrl);
    fileUrl = code ? URL.createObjectURL(new Blob([code.armour + "\n"], { type: "text/plain" })) : null;
    if (code) {
      download.href = fileUrl;
      download.download = code.file;
    } else {
      download.removeAttribute("href");
    }
    $("[data-upd-send]").hidden = !code;
    $("[data-upd-copy]").disabled = !code;
    // Without a sender key nothing can be sealed: say what to do instead of offering dead buttons.
    $("[data-upd-relogin]").hidden = Boolean(sender) || !state.changes.some((c) => c.state === "new");
  }

  // Sending (mail, copy or download) turns the prepared code's changes into "sent".
  async function commit() {
    if (!prepared) return;
    const count = prepared.fresh.length;
    record.markSent(state, prepared, sender);
    prepared = null;
    await persist(`Sent ${count === 1 ? "1 change" : count + " changes"}: waiting for confirmation.`);
  }

  /* ---------------------------------------------------------------- showing the state */

  function render() {
    const open = state.changes.filter((c) => !c.outcome);
    const fresh = open.filter((c) => c.state === "new").length;
    const waiting = open.length - fresh;
    const confirmed = state.changes.filter((c) => c.outcome === "confirmed").length;
    const declined = state.changes.filter((c) => c.outcome === "declined").length;
    const bar = $("[data-upd-bar]");
    bar.hidden = !state.changes.length;
    document.documentElement.classList.toggle("has-upd-bar", !bar.hidden);
    const parts = [];
    if (fresh) parts.push(`${fresh} ${fresh === 1 ? "change" : "changes"} not sent`);
    if (waiting) parts.push(`${waiting} waiting for confirmation`);
    if (confirmed) parts.push(`${confirmed} confirmed`);
    if (declined) parts.push(`${declined} declined`);
    $("[data-upd-bar-text]").textContent = parts.join(" · ");
    $("[data-upd-review]").textContent = fresh ? "Review & send" : "Review";

    const list = $("[data-upd-list]");
    list.replaceChildren(...state.changes.map((change) => {
      const row = document.createElement("li");
      row.className = `upd-change is-${change.outcome || change.state}`;
      const what = document.createElement("p");
      what.className = "upd-change-what";
      what.textContent = describe(change);
      const where = document.createElement("p");
      where.className = "upd-change-state";
      where.textContent = stateText(change);
      row.append(what, where);
      if (!change.outcome) {
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "upd-remove";
        remove.dataset.updRemove = change.local;
        remove.textContent = "Remove";
        remove.setAttribute("aria-label", `Remove: ${describe(change)}`);
        row.append(remove);
      }
      return row;
    }));
    $("[data-upd-empty]").hidden = state.changes.length > 0;
    $("[data-upd-name]").value = state.name;

    for (const marks of $$(".upd-marks", document)) {
      const key = marks.closest("[data-item]").dataset.item;
      const mine = state.changes.filter((c) => c.item === key);
      marks.hidden = !mine.length;
      marks.replaceChildren(...mine.map((change) => {
        const mark = document.createElement("li");
        mark.className = `upd-mark is-${change.outcome || change.state}`;
        mark.textContent = `Your change: ${describe(change).replace(/^(.*?): “.*?”/, "$1")} · ${stateText(change)}`;
        return mark;
      }));
    }
    showSend();
  }

  function announce(text) {
    $(review.open ? "[data-upd-status]" : "[data-upd-live]").textContent = text;
  }

  async function persist(message) {
    try {
      await save();
    } catch {
      message = "Your change is shown but could not be stored on this device (storage is blocked): send it before you leave.";
    }
    await prepare().catch(() => announce("The update could not be prepared. Reload the page and try again."));
    render();
    announce(message);
  }

  /* ---------------------------------------------------------------- wiring */

  function wire() {
    root.addEventListener("click", async (event) => {
      const target = event.target.closest("button, a");
      if (!target) return;
      if (target.matches("[data-upd-close]")) return target.closest("dialog") === formDialog ? closeForm() : review.close();
      if (target.matches("[data-upd-review]")) {
        review.showModal();
        return render();
      }
      if (target.matches("[data-upd-remove]")) {
        state.changes = state.changes.filter((c) => c.local !== target.dataset.updRemove);
        return persist("Removed.");
      }
      if (target.matches("[data-upd-copy]")) {
        const code = prepared ?? state.last;
        try {
          await navigator.clipboard.writeText(code.armour + "\n");
        } catch {
          return announce("This browser did not allow copying. Use “Download update file” instead.");
        }
        await commit();
        return announce(`Copied. Paste it into a message to ${toEmail || "your contact"}.`);
      }
      if (target.matches("[data-upd-download], [data-upd-mail-part]")) {
        if (!target.getAttribute("href")) return event.preventDefault();
        // The browser opens the mail app or saves the file; the code is sent from here on.
        return commit();
      }
    });
    document.addEventListener("click", (event) => {
      const button = event.target.closest?.("[data-upd-op]");
      if (!button || !root.isConnected) return;
      const item = button.closest("[data-item]");
      button.closest("details.upd-menu")?.removeAttribute("open");
      const opener = button.closest("details.upd-menu")?.querySelector("summary") ?? button;
      openForm(button.dataset.updOp, button.hasAttribute("data-upd-plan") ? null : item, opener);
    });
    form.addEventListener("submit", submitForm);
    formDialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      closeForm();
    });
    $("[data-upd-name]").addEventListener("change", async (event) => {
      state.name = event.target.value.trim();
      await persist(state.name ? "Your name is saved on this device." : "");
    });
  }

  async function start() {
    for (const block of $$("[data-upd-into]")) document.querySelector(block.dataset.updInto)?.append(block);
    addMenus();
    wireMenus();
    wire();
    root.hidden = false;
    try {
      state = { ...state, ...(await record.load()) };
    } catch {
      // No storage (a private mode may refuse it): changes live in this page until sent.
    }
    for (const change of state.changes) if (change.state === "sent") Object.assign(change, outcomeOf(change));
    render();
    // Confirmed and declined changes are shown once: saving leaves them off the device.
    if (state.changes.some((c) => c.outcome)) await save().catch(() => {});
    await prepare().catch(() => {});
    showSend();
  }

  start();
})();
