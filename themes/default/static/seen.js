/* New since your last visit: a returning reader sees at once what moved in the plan.
 * The page carries the facts to compare (#mapsite-seen, schedule/seen.py: each item's state and
 * due date, each discussion entry's answer), sealed with the page. This browser keeps the last
 * two versions of those facts it was shown, and marks what differs between them: items done,
 * due dates moved ("moved from Apr 30"), new answers; This week opens with one line that counts
 * them. The marks stay on every visit until the plan changes again, so a reload or a jump to
 * another page of the deal does not lose them; the first visit marks nothing.
 *
 * What it keeps is deal content, so it is stored only encrypted: one IndexedDB record per deal
 * (database "mapsite-seen") under an opaque id, {iv, ct} = AES-GCM under the deal's pending key
 * L (from the sealed #mapsite-updates island, docs/updates.md) with a random IV. Without that
 * island (a public or unprotected page) nothing is stored and nothing is marked. Nothing leaves
 * the device. unlock.js re-creates the page's scripts on every page it shows, so this runs again
 * each time. */
(() => {
  "use strict";

  const DB = "mapsite-seen";
  const STORE = "snapshots";
  const LABEL = "mapsite:v2:seen:";
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const encoder = new TextEncoder();

  // As formatting.short_date writes it: "Apr 30".
  const shortDate = (iso) => `${MONTHS[+iso.slice(5, 7) - 1]} ${+iso.slice(8, 10)}`;
  const plural = (count, one, many) => `${count} ${count === 1 ? one : many}`;

  function fromB64(text) {
    const standard = text.replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(standard + "=".repeat((4 - (standard.length % 4)) % 4));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  }

  const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");

  function island(id) {
    const element = document.getElementById(id);
    if (!element) return null;
    try {
      return JSON.parse(element.textContent);
    } catch {
      return null;
    }
  }

  function database() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  function inStore(db, mode, work) {
    return new Promise((resolve, reject) => {
      const request = work(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  // A record's id says nothing of the deal: a hash of its pending key.
  async function vault(updates) {
    const raw = fromB64(updates.L);
    const key = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
    const id = hex(await crypto.subtle.digest("SHA-256", new Uint8Array([...encoder.encode(LABEL), ...raw])));
    return { key, id: id.slice(0, 32), aad: encoder.encode(LABEL + updates.deal) };
  }

  async function load(db, box) {
    const record = await inStore(db, "readonly", (store) => store.get(box.id));
    if (!record) return null;
    try {
      const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: record.iv, additionalData: box.aad }, box.key, record.ct);
      return JSON.parse(new TextDecoder().decode(plain));
    } catch {
      return null; // another key (a rebuilt site secret) or damage: start again as a first visit
    }
  }

  async function save(db, box, value) {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const plain = encoder.encode(JSON.stringify(value));
    const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: box.aad }, box.key, plain);
    await inStore(db, "readwrite", (store) => store.put({ iv, ct }, box.id));
  }

  // What is compared: state and due date per item, the answer per discussion entry.
  function snapshot(facts) {
    return {
      items: Object.fromEntries(facts.items.map(([key, state, due]) => [key, [state, due]])),
      answers: Object.fromEntries(facts.answers.map(([key, answer]) => [key, answer])),
    };
  }

  // The same snapshot whatever the order of the deal file: keys sorted.
  const canonical = (snap) =>
    JSON.stringify([Object.entries(snap.items).sort(), Object.entries(snap.answers).sort()]);

  // Each change between the earlier snapshot and the page's facts, in the page's order.
  function changes(before, facts) {
    const found = [];
    for (const [key, state, due, name, anchor] of facts.items) {
      const old = Object.hasOwn(before.items, key) ? before.items[key] : null;
      if (!old) continue;
      if (state === "done" && old[0] !== "done") found.push({ kind: "done", key, name, anchor, what: "done" });
      else if (due && old[1] && due !== old[1] && state !== "done" && state !== "skipped") {
        found.push({ kind: "moved", key, name, anchor, what: `moved from ${shortDate(old[1])}`, to: shortDate(due) });
      }
    }
    for (const [key, answer, question, anchor] of facts.answers) {
      if (Object.hasOwn(before.answers, key) && before.answers[key] === answer) continue;
      const what = answer.startsWith("declined: ") ? "declined" : "answered";
      found.push({ kind: "answer", key, name: question, anchor, what });
    }
    return found;
  }

  function badge() {
    const mark = document.createElement("span");
    mark.className = "badge badge-new";
    mark.textContent = "New";
    return mark;
  }

  // The mark next to an item's status, an action's meta line, an answer's heading.
  function mark(change) {
    const targets = new Set();
    if (change.kind === "answer") targets.add(document.getElementById(change.anchor));
    else {
      for (const row of document.querySelectorAll(`[data-item="${CSS.escape(change.key)}"]`)) targets.add(row);
      if (!change.key.includes("/")) targets.add(document.getElementById(`ms-${change.key}`));
    }
    for (const target of targets) {
      if (!target || target.querySelector(":scope .seen-mark")) continue;
      const host = target.querySelector(
        ":scope .ms-badges, :scope > .check-body > .check-meta, :scope [data-seen-mark] .talk-reply-head",
      );
      const note = document.createElement("span");
      note.className = "seen-mark";
      const what = document.createElement("span");
      what.className = "seen-what";
      what.textContent = change.what;
      note.append(badge(), what);
      target.classList.add("is-new");
      (host ?? target).append(" ", note);
    }
  }

  // "Since your last visit: 2 done, 1 date moved, 1 answer", and behind it the list of changes.
  function summary(found) {
    const place = document.getElementById("seen-summary");
    if (!place) return;
    const count = (kind) => found.filter((change) => change.kind === kind).length;
    const parts = [];
    if (count("done")) parts.push(`${count("done")} done`);
    if (count("moved")) parts.push(plural(count("moved"), "date moved", "dates moved"));
    if (count("answer")) parts.push(plural(count("answer"), "answer", "answers"));
    const fold = document.createElement("details");
    fold.className = "seen-fold";
    const head = document.createElement("summary");
    head.className = "fold-summary";
    const line = document.createElement("span");
    line.className = "fold-count seen-line";
    line.append(badge(), ` Since your last visit: ${parts.join(", ")}`);
    const cue = document.createElement("span");
    cue.className = "fold-cue";
    for (const [name, text] of [["cue-show", "Show"], ["cue-hide", "Hide"]]) {
      const word = document.createElement("span");
      word.className = name;
      word.textContent = text;
      cue.append(word);
    }
    head.append(line, cue);
    const list = document.createElement("ul");
    list.className = "seen-list";
    for (const change of found) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = `#${change.anchor}`;
      link.textContent = change.kind === "answer" ? `“${change.name}”` : change.name;
      const what = change.kind === "moved" ? `${change.what} to ${change.to}` : change.what;
      item.append(link, `: ${what}`);
      list.append(item);
    }
    fold.append(head, list);
    place.replaceChildren(fold);
    place.hidden = false;
  }

  async function start() {
    const updates = island("mapsite-updates");
    const facts = island("mapsite-seen");
    if (!updates?.L || !updates.deal || !Array.isArray(facts?.items) || !Array.isArray(facts.answers) || !window.indexedDB || !crypto.subtle) return;
    const box = await vault(updates);
    const db = await database();
    try {
      const record = await load(db, box);
      const now = snapshot(facts);
      let before = null;
      if (!record?.current) await save(db, box, { current: now });
      else if (canonical(record.current) !== canonical(now)) {
        before = record.current;
        await save(db, box, { current: now, before });
      } else before = record.before ?? null;
      if (!before) return;
      const found = changes(before, facts);
      if (!found.length) return;
      found.forEach(mark);
      summary(found);
    } finally {
      db.close();
    }
  }

  const run = () => start().catch(() => {}); // a private window without IndexedDB: no marks, nothing else lost
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();
