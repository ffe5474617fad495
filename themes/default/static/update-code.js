/* mapsite update codes: the browser's half of docs/updates.md (format version 1).
 *
 * A reader's answers to the plan leave the portal as an update code: the payload, compressed,
 * sealed with AES-GCM under the deal's update key U (from the sealed page's #mapsite-updates
 * island) and authenticated with the sender key A of the credential the reader logged in with.
 * A never reaches this script: unlock.js holds it as a non-extractable key and lends the page
 * window.mapsiteSender.sign(bytes). The rep's `mapsite inbox` (mapsite/protect/updates.py) opens
 * the same bytes; the tests seal here and open there.
 *
 * Exposes globalThis.MapsiteUpdateCode = { seal, armour, split, summary } and nothing else. U and
 * the payload never go to the console, storage or the network from here.
 */
"use strict";

(() => {
  const island = document.getElementById("mapsite-updates");
  if (!island || globalThis.MapsiteUpdateCode) return;
  const info = JSON.parse(island.textContent);
  const PREFIX = "mapsite:v2:";
  const VERSION = 1;
  const LINE = 64;
  const utf8 = new TextEncoder();

  const unb64 = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const b64 = (bytes) => {
    let text = "";
    for (const byte of bytes) text += String.fromCharCode(byte);
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };
  const hexBytes = (hex) => Uint8Array.from(hex.match(/../g), (pair) => parseInt(pair, 16));
  const concat = (...parts) => {
    const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  };

  // U is imported once, non-extractable: the island's text stays the only copy of its bytes.
  const updateKey = crypto.subtle.importKey("raw", unb64(info.U), { name: "AES-GCM" }, false, ["encrypt"]);

  async function deflate(bytes) {
    const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("deflate-raw"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  // code = 0x01 || kid || sender id || iv || AES-GCM(U, iv, z, aad) || mac. The IV is a PRF of
  // the sender key and the plaintext: no random source can make U see one nonce twice.
  async function seal(payload) {
    const sender = globalThis.mapsiteSender;
    if (!sender) throw new Error("Log in again to send updates from this device.");
    const full = { ...payload, v: VERSION, deal: info.deal, sender: sender.id };
    const z = await deflate(utf8.encode(JSON.stringify(full)));
    const sign = async (label, bytes) => new Uint8Array(await sender.sign(concat(utf8.encode(label), bytes)));
    const iv = (await sign(`${PREFIX}update-iv:`, z)).slice(0, 12);
    const aad = utf8.encode(`${PREFIX}update:${info.deal}:${info.kid}:${sender.id}`);
    const ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad }, await updateKey, z));
    const body = concat(Uint8Array.of(VERSION), hexBytes(info.kid), hexBytes(sender.id), iv, ct);
    const mac = (await sign(`${PREFIX}update-mac:${info.deal}:`, body)).slice(0, 16);
    return concat(body, mac);
  }

  function block(text, part) {
    const lines = ["-----BEGIN MAPSITE UPDATE-----", `Deal: ${info.deal}`];
    if (part) lines.push(`Part: ${part.index}/${part.count} ${part.id}`);
    for (let at = 0; at < text.length; at += LINE) lines.push(text.slice(at, at + LINE));
    lines.push("-----END MAPSITE UPDATE-----");
    return lines.join("\n") + "\n";
  }

  const armour = (code) => block(b64(code), null);

  // b64 characters that fit in `chars` characters of 64-character lines, each with its newline.
  const room = (chars) => Math.floor(chars / (LINE + 1)) * LINE + Math.max(0, (chars % (LINE + 1)) - 1);

  // The code in as few blocks of at most maxChars characters as hold it, numbered and named by
  // hex(SHA-256(code)[:4]); one unnumbered block when it fits.
  async function split(code, maxChars) {
    const whole = armour(code);
    if (whole.length <= maxChars) return [whole];
    const text = b64(code);
    const id = [...new Uint8Array(await crypto.subtle.digest("SHA-256", code)).slice(0, 4)]
      .map((byte) => byte.toString(16).padStart(2, "0"))
      .join("");
    for (let count = 2; ; count++) {
      const fits = room(maxChars - block("", { index: count, count, id }).length);
      if (fits <= 0) throw new Error(`${maxChars} characters cannot hold a part of an update code`);
      if (count * fits >= text.length) {
        const step = Math.ceil(text.length / count);
        return Array.from({ length: count }, (_, i) => block(text.slice(i * step, (i + 1) * step), { index: i + 1, count, id }));
      }
    }
  }

  // "2 done, 1 new date, 1 question": what the update holds, for a mail's subject and a list.
  function summary(payload) {
    const counts = new Map();
    const count = (label) => counts.set(label, (counts.get(label) ?? 0) + 1);
    for (const change of payload.changes ?? []) {
      if (change.op === "done") count("done");
      else if (change.op === "blocked") count("blocked");
      else if (change.op === "date") count("new date");
      else if (change.op === "comment") count(String(change.text ?? "").trim().endsWith("?") ? "question" : "comment");
      else if (change.op === "colleague") count("colleague");
      else if (change.op === "agree") count("agreement");
    }
    const plural = { "new date": "new dates", question: "questions", comment: "comments", colleague: "colleagues", agreement: "agreements" };
    return [...counts].map(([label, n]) => `${n} ${n > 1 ? (plural[label] ?? label) : label}`).join(", ");
  }

  globalThis.MapsiteUpdateCode = Object.freeze({ seal, armour, split, summary });
})();
