/* mapsite updates, the record: the reader's changes as data (docs/updates.md).
 *
 * updates.js is the page (menus, forms, the bar and the review panel); this file is what it keeps
 * and sends, with no DOM of its own: the reader's state on this device, stored only encrypted
 * under the deal's pending key L (IndexedDB "mapsite-pending", one record per deal, AES-GCM with
 * P2 + "pending:" + deal as associated data); each change in words, for the page and the mail;
 * and the next update code of the changes not sent yet (sealed by update-code.js, signed by
 * unlock.js's mapsiteSender) with its mail links, split in numbered parts under what mail clients
 * accept. Kept apart so the page's code reads as the page, and the stored and sent bytes as one
 * short contract.
 *
 * Exposes globalThis.MapsiteUpdateRecord = { newState, load, save, add, markSent, describe, prepare }.
 * Loaded before updates.js (the head's order; unlock.js keeps it on sealed pages). No eval.
 */
"use strict";

(() => {
  const island = document.getElementById("mapsite-updates");
  if (!island || globalThis.MapsiteUpdateRecord) return;
  const info = JSON.parse(island.textContent);
  const MAIL_LIMIT = 1800; // what mail clients reliably accept in a mailto: link
  const utf8 = new TextEncoder();
  const unb64 = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const randomHex = (bytes) => [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");

  /* ---------------------------------------------------------------- the encrypted record */

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
  const newState = () => ({ device: randomHex(4), seqs: {}, name: "", changes: [], last: null });

  // The stored state, or {} when there is none or this page cannot open it (damaged, another site).
  async function load() {
    const record = await pendingStore("readonly", (store) => store.get(info.deal));
    if (!record) return {};
    try {
      const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: record.iv, additionalData: aad }, await pendingKey, record.ct);
      return JSON.parse(new TextDecoder().decode(plain));
    } catch {
      return {};
    }
  }

  // A change the rebuilt page confirmed or declined (it has an outcome) is shown once, never stored.
  async function save(state) {
    const kept = { ...state, changes: state.changes.filter((c) => !c.outcome) };
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const plain = utf8.encode(JSON.stringify(kept));
    const ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad }, await pendingKey, plain));
    await pendingStore("readwrite", (store) => store.put({ iv, ct }, info.deal));
  }

  // A new state (done or blocked) or date for an item replaces the one not sent yet.
  function add(state, change) {
    const kind = (op) => (op === "date" ? "date" : ["done", "blocked"].includes(op) ? "state" : null);
    if (kind(change.op)) {
      state.changes = state.changes.filter((c) => !(c.state === "new" && c.item === change.item && kind(c.op) === kind(change.op)));
    }
    state.changes.push(change);
    if (change.op === "agree") state.name ||= change.name;
  }

  // Sending (mail, copy or download) makes a prepared code's changes "sent", each with its ref.
  function markSent(state, prepared, sender) {
    const { seq, fresh, armour, mails, file } = prepared;
    fresh.forEach((c, n) => Object.assign(c, { state: "sent", seq, id: `${seq}.${n + 1}`, ref: `${sender.id}:${state.device}:${seq}.${n + 1}` }));
    state.seqs[sender.id] = seq;
    state.last = { seq, armour, mails, file };
  }

  /* ---------------------------------------------------------------- words */

  const shortDate = (iso) => new Date(`${iso}T12:00:00`).toLocaleDateString("en-US", { month: "short", day: "numeric" });

  function describe(change) {
    const on = change.itemName ? `“${change.itemName}”` : "the plan";
    switch (change.op) {
      case "done": return `Done: ${on}`;
      case "blocked": return `Blocked: ${on} (${change.reason})`;
      case "date": {
        const from = change.from ? " instead of " + shortDate(change.from) : "";
        const why = change.reason ? " (" + change.reason + ")" : "";
        return `New date for ${on}: ${shortDate(change.to)}${from}${why}`;
      }
      case "comment": return `Comment on ${on}: ${change.text}`;
      case "colleague": return `Suggested colleague: ${[change.name, change.title, change.email].filter(Boolean).join(", ")}`;
      default: return `${change.name} agrees to this plan`;
    }
  }

  function subjectOf(title, changes) {
    const count = (op) => changes.filter((c) => c.op === op).length;
    const words = [
      [count("done"), "done", "done"], [count("blocked"), "blocked", "blocked"], [count("date"), "new date", "new dates"],
      [count("comment"), "comment", "comments"], [count("colleague"), "colleague", "colleagues"], [count("agree"), "agreement", "agreements"],
    ].filter(([n]) => n).map(([n, one, many]) => `${n} ${n === 1 ? one : many}`);
    return `Update for ${title}: ${words.join(", ")}`;
  }

  /* ---------------------------------------------------------------- the code */

  // The mail's readable list keeps each line short, so the code fits in few parts; the code holds it all.
  const clip = (text, max) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

  // The changes of `state` not sent yet, sealed as the next code of `sender` on this device:
  // {seq, fresh, armour, mails, file}, or null when there is nothing to send or nobody to send as.
  async function prepare({ state, sender, title, toEmail }) {
    const fresh = state.changes.filter((c) => c.state === "new");
    if (!fresh.length || !sender) return null;
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
    const subject = subjectOf(title, fresh);
    const listed = fresh.map((c) => "- " + clip(describe(c), 120)).join("\n");
    const body = `${subject}\n\n${listed}\n\nThe update code below is for mapsite inbox:\n\n`;
    const mails = toEmail ? await mailLinks(codec, code, armour, toEmail, subject, body) : [];
    return { seq, fresh, armour, mails, file: `${info.deal}-update-${seq}.mapsite-update.txt` };
  }

  // One mailto: link, or numbered parts each under MAIL_LIMIT characters.
  async function mailLinks(codec, code, armour, toEmail, subject, body) {
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

  globalThis.MapsiteUpdateRecord = Object.freeze({ newState, load, save, add, markSent, describe, prepare });
})();
