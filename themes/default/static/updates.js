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
  if (!root || !island || !window.isSecureContext || root.dataset.ready) return;
  root.dataset.ready = "1";

  const info = JSON.parse(island.textContent);
  const outcomes = JSON.parse(document.getElementById("mapsite-update-outcomes")?.textContent || "{}");
  const MAIL_LIMIT = 1800; // what mail clients reliably accept in a mailto: link
  const toEmail = root.dataset.toEmail || null;
  const toName = root.dataset.toName || null;
  const title = root.dataset.dealTitle;
  const readerSide = document.documentElement.dataset.readerSide || "buyer";
  const utf8 = new TextEncoder();
  const $ = (selector, scope = root) => scope.querySelector(selector);
  const $$ = (selector, scope = root) => [...scope.querySelectorAll(selector)];
  const unb64 = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const randomHex = (bytes) => [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");

  /* ---------------------------------------------------------------- the encrypted record */

  // One record per deal: {iv, ct}, AES-GCM under L of the reader's state (docs/updates.md).
  let database = null;
  function pendingStore(mode, work) {
    database ??= new Promise((resolve, reject) => {
      const request = indexedDB.open("mapsite-pending", 1);
      request.onupgradeneeded = () => request.result.createObjectStore("pending");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return database.then((db) => new Promise((resolve, reject) => {
      const tx = db.transaction("pending", mode);
      const request = work(tx.objectStore("pending"));
      tx.oncomplete = () => resolve(request?.result);
      tx.onerror = tx.onabort = () => reject(tx.error);
    }));
  }

  const aad = utf8.encode(`mapsite:v2:pending:${info.deal}`);
  const pendingKey = crypto.subtle.importKey("raw", unb64(info.L), "AES-GCM", false, ["encrypt", "decrypt"]);
  // device: drawn once; seqs: the last seq sent per sender; last: the last code sent, to send again.
  let state = { device: randomHex(4), seqs: {}, name: "", changes: [], last: null };

  async function load() {
    const record = await pendingStore("readonly", (store) => store.get(info.deal));
    if (!record) return;
    try {
      const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: record.iv, additionalData: aad }, await pendingKey, record.ct);
      state = { ...state, ...JSON.parse(new TextDecoder().decode(plain)) };
    } catch {
      // A record this page cannot open (damaged, or written for another site): start afresh.
    }
  }

  async function save() {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const plain = utf8.encode(JSON.stringify(state, (key, value) => (key === "outcome" || key === "reason_declined" ? undefined : value)));
    const ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad }, await pendingKey, plain));
    await pendingStore("readwrite", (store) => store.put({ iv, ct }, info.deal));
  }

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

  const shortDate = (iso) => new Date(`${iso}T12:00:00`).toLocaleDateString("en-US", { month: "short", day: "numeric" });

  function describe(change) {
    const on = change.itemName ? `“${change.itemName}”` : "the plan";
    switch (change.op) {
      case "done": return `Done: ${on}`;
      case "blocked": return `Blocked: ${on} (${change.reason})`;
      case "date": return `New date for ${on}: ${shortDate(change.to)}${change.from ? ` instead of ${shortDate(change.from)}` : ""}${change.reason ? ` (${change.reason})` : ""}`;
      case "comment": return `Comment on ${on}: ${change.text}`;
      case "colleague": return `Suggested colleague: ${[change.name, change.title, change.email].filter(Boolean).join(", ")}`;
      default: return `${change.name} agrees to this plan`;
    }
  }

  function subjectOf(changes) {
    const count = (op) => changes.filter((c) => c.op === op).length;
    const words = [
      [count("done"), "done", "done"], [count("blocked"), "blocked", "blocked"], [count("date"), "new date", "new dates"],
      [count("comment"), "comment", "comments"], [count("colleague"), "colleague", "colleagues"], [count("agree"), "agreement", "agreements"],
    ].filter(([n]) => n).map(([n, one, many]) => `${n} ${n === 1 ? one : many}`);
    return `Update for ${title}: ${words.join(", ")}`;
  }

  function stateText(change) {
    if (change.outcome === "confirmed") return "confirmed";
    if (change.outcome === "declined") return `declined${change.reason_declined ? `: ${change.reason_declined}` : ""}`;
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
    for (const el of $$("#plan [data-item], #commitments [data-item]", document)) {
      const open = !["done", "skipped"].includes(el.dataset.status);
      const own = open && el.dataset.side.split(" ").includes(readerSide);
      const ops = [...(own ? ["done", "blocked"] : []), ...(open ? ["date"] : []), "comment"];
      const labels = { done: "Done", blocked: "Blocked…", date: "New date…", comment: "Comment…" };
      const menu = document.createElement("details");
      menu.className = "upd-menu";
      const summary = document.createElement("summary");
      summary.className = "upd-menu-button";
      summary.textContent = "Update";
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
      (el.querySelector(":scope > .ms-main, :scope > .check-body") || el).append(menu, marks);
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
    const change = { local: randomHex(6), op, state: "new" };
    if (["done", "blocked", "date", "comment"].includes(op)) Object.assign(change, { item, itemName: name });
    if (op === "blocked") change.reason = value("reason");
    if (op === "date") Object.assign(change, { from, to: value("to"), reason: value("reason") });
    if (op === "comment") change.text = value("text");
    if (op === "colleague") Object.assign(change, { name: value("person"), title: value("title"), email: value("email"), role: value("role") || "other" });
    if (op === "agree") {
      change.name = value("name");
      state.name ||= change.name;
    }
    // A new state (done or blocked) or date for an item replaces the one not sent yet.
    const kind = (o) => (o === "date" ? "date" : ["done", "blocked"].includes(o) ? "state" : null);
    if (kind(op)) state.changes = state.changes.filter((c) => !(c.state === "new" && c.item === item && kind(c.op) === kind(op)));
    state.changes.push(change);
    closeForm();
    await persist(`Saved: ${describe(change)}. Not sent yet.`);
  }

  /* ---------------------------------------------------------------- sending */

  // The mail's readable list keeps each line short, so the code fits in few parts; the code holds it all.
  const clip = (text, max) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

  const review = $(".upd-review");
  let prepared = null; // the code of the changes not sent yet: {seq, payload, armour, mails, file}

  // The changes not sent yet, sealed as the next code of this sender on this device.
  async function prepare() {
    const fresh = state.changes.filter((c) => c.state === "new");
    prepared = null;
    if (!fresh.length || !sender) return;
    const codec = globalThis.MapsiteUpdateCode;
    const seq = (state.seqs[sender.id] || 0) + 1;
    const changes = fresh.map((c, n) => {
      const { local, state: _, itemName: __, ...fields } = c;
      return { ...fields, id: `${seq}.${n + 1}` };
    });
    const payload = {
      v: 1, deal: info.deal, sender: sender.id, device: state.device, seq, time: new Date().toISOString().slice(0, 19) + "Z",
      generation: info.generation, changes, ...(state.name ? { name: state.name } : {}),
    };
    const code = await codec.seal(payload);
    const armour = codec.armour(code);
    const subject = subjectOf(fresh);
    const body = `${subject}\n\n${fresh.map((c) => `- ${clip(describe(c), 120)}`).join("\n")}\n\nThe update code below is for mapsite inbox:\n\n`;
    prepared = { seq, fresh, armour, mails: await mailLinks(codec, code, armour, subject, body), file: `${info.deal}-update-${seq}.mapsite-update.txt` };
  }

  // One mailto: link, or numbered parts each under MAIL_LIMIT characters.
  async function mailLinks(codec, code, armour, subject, body) {
    if (!toEmail) return [];
    const link = (subj, text) => `mailto:${encodeURIComponent(toEmail)}?subject=${encodeURIComponent(subj)}&body=${encodeURIComponent(text)}`;
    const whole = link(subject, body + armour + "\n");
    if (whole.length <= MAIL_LIMIT) return [whole];
    for (const intro of [body, `${subject}\n\n`]) {
      for (let max = 1400; max >= 300; max -= 100) {
        const parts = await codec.split(code, max);
        const numbered = (i) => (parts.length > 1 ? ` (part ${i + 1} of ${parts.length})` : "");
        const links = parts.map((part, i) =>
          link(subject + numbered(i), (i === 0 ? intro : `Part ${i + 1} of ${parts.length}.\n\n`) + part + "\n"));
        if (links.every((l) => l.length <= MAIL_LIMIT)) return links;
      }
    }
    return [];
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
    const { seq, fresh, armour, mails, file } = prepared;
    fresh.forEach((c, n) => Object.assign(c, { state: "sent", seq, id: `${seq}.${n + 1}`, ref: `${sender.id}:${state.device}:${seq}.${n + 1}` }));
    state.seqs[sender.id] = seq;
    state.last = { seq, armour, mails, file };
    prepared = null;
    await persist(`Sent ${fresh.length === 1 ? "1 change" : `${fresh.length} changes`}: waiting for confirmation.`);
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
        // update-code.js may have arrived after this script: prepare again if it had not.
        if (!prepared && state.changes.some((c) => c.state === "new")) await prepare().catch(() => announce("The update could not be prepared. Reload the page and try again."));
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
      await load();
    } catch {
      // No storage (a private mode may refuse it): changes live in this page until sent.
    }
    for (const change of state.changes) if (change.state === "sent") Object.assign(change, outcomeOf(change));
    render();
    // Confirmed and declined changes are shown once, then leave the device.
    if (state.changes.some((c) => c.outcome)) {
      const shown = state.changes;
      state = { ...state, changes: shown.filter((c) => !c.outcome) };
      await save().catch(() => {});
      state.changes = shown;
    }
    await prepare().catch(() => {});
    showSend();
  }

  start();
})();
