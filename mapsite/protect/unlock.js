/* mapsite unlock: opens a protected page in the reader's browser.
 *
 * The page is a public login shell carrying the real page encrypted in #mapsite-envelope; the
 * format is the contract in docs/protection.md ("In the browser"). No dependencies, no build step,
 * no requests but same-origin fetches of this deal's encrypted files and of its other pages' shells:
 * once the deal is open, a link to another of its pages opens in place, with the key in memory.
 */
"use strict";

(() => {
  // A share link's secret leaves the address bar and history before anything else runs (a mangled
  // one too: part of a secret is still a secret).
  const shareSecret = location.hash.startsWith("#share=") ? location.hash.slice(7) : null;
  if (shareSecret !== null) history.replaceState(null, "", location.pathname + location.search);
  // A link pasted into the address bar of its own page only changes the fragment: load it anew.
  window.addEventListener("hashchange", () => location.hash.startsWith("#share=") && location.reload());

  const envelopeElement = document.getElementById("mapsite-envelope");
  if (!envelopeElement) return;
  const env = JSON.parse(envelopeElement.textContent);

  const VERSION = 2;
  const PREFIX = `mapsite:v${VERSION}:`;
  const DAY = 24 * 3600 * 1000;
  const MESSAGES = {
    wrong: "Wrong password. Please try again.",
    revoked: "This link is no longer valid: it was revoked or has expired. Ask your contact for a new one.",
    incomplete: "This link looks incomplete: part of it is missing or was changed. Copy the whole link from the message you received and open it again.",
    reopen: "You opened this deal room on this device with a link. To come back in, open that link again.",
    damaged: "This page could not be opened: it was altered or damaged. Ask your contact for a fresh link.",
    insecure: "This deal room opens only over a secure (https) connection. Check the link you were sent.",
    stale: "This page is older than one already opened on this device: the site may be serving an outdated copy. Reload later, or ask your contact.",
    links: "This deal room opens from its share link. If you don't have the link, ask your contact to send it.",
  };
  const subtle = window.isSecureContext && crypto.subtle;
  const utf8 = new TextEncoder();
  const root = new URL(env.root, location.href);
  const dealFolder = new URL(env.root + env.deal + "/", location.href);
  // The AAD uses the path a page is really served at, never env.path: a copied ciphertext fails.
  let shownPath = sitePath(location.href);
  const rememberDays = Number(env.remember_days ?? 30);
  // A deal opened only by share links (access: links) has no password slot: its page asks for the
  // link, never for a password nobody has. The slot types are public in the envelope anyway.
  const linksOnly = !env.slots.some((slot) => slot.type === "password");
  const $ = (id) => document.getElementById(id);

  // The shell's own nodes, put back if a page or file turns out to be damaged after the swap.
  const shell = {
    attributes: [...document.documentElement.attributes].map((a) => [a.name, a.value]),
    head: [...document.head.childNodes],
    body: document.body,
  };
  // The tab icon is fetched again whenever the address changes, against the new address: a
  // relative link left in the head while history moves to a page opened in place (or the shell
  // put back there) would miss. Icon links are made absolute where they were written.
  const pinIcons = (head, base) => {
    for (const link of head.querySelectorAll("link[rel~=icon][href]")) {
      link.setAttribute("href", new URL(link.getAttribute("href"), base).href);
    }
  };
  pinIcons(document.head, location.href);
  let files = {};
  // Where this deal's extra pages are published (opaque folders), by their readable path.
  let pages = {};
  // Decrypted images, once per file however many pages of the deal show them.
  const images = new Map();
  let contentKey = null;
  // The reader's sender key A (docs/updates.md), a non-extractable HMAC key: update-code.js signs
  // with it through window.mapsiteSender and never sees it.
  let senderKey = null;
  // Which slot opened the deal: its page says whose side that credential is on (buyer, seller or
  // partner), so the page puts the reader's own work first. Inside the sealed page, never public.
  let readerSlot = null;
  let failed = false;
  let busy = false;

  // A page's envelope is ~175 KB of base64 on the path to its first frame: the browser's own
  // decoder takes 0.3 ms of it, a loop over atob's string 3-5 ms, and Uint8Array.from with a
  // function per byte (what this was) 20-40 ms in Chromium 156.
  function unb64(text) {
    if (Uint8Array.fromBase64) return Uint8Array.fromBase64(text, { alphabet: "base64url" });
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  // "acme/files/x.pdf" for a URL inside the site, null otherwise; folders mean their index.html.
  function sitePath(href) {
    try {
      const url = new URL(href, location.href);
      if (url.origin !== root.origin || !url.pathname.startsWith(root.pathname)) return null;
      const path = decodeURIComponent(url.pathname.slice(root.pathname.length));
      return path === "" || path.endsWith("/") ? path + "index.html" : path;
    } catch {
      return null;
    }
  }

  // A share secret is 16 bytes in base64url: 22 characters, the last of which carries 2 bits only
  // (A, Q, g or w). Anything else was cut short or changed on its way (a line wrapped by an email,
  // a partial copy), which no slot could tell from a revoked link. Characters base64url never uses
  // after it (a ")" or "." pasted along) are not part of it.
  function shareToken(fragment) {
    const token = fragment.match(/^[A-Za-z0-9_-]*/)[0];
    return /^[A-Za-z0-9_-]{21}[AQgw]$/.test(token) ? token : null;
  }

  // Phones: no keyboard popped over the page on arrival, and "Log out" asks first (a tap meant to
  // scroll the sticky bar must not end the login).
  const touchFirst = () => matchMedia("(pointer: coarse), (hover: none)").matches;
  const narrow = () => matchMedia("(max-width: 900px)").matches;

  function today() {
    const d = new Date();
    return [d.getFullYear(), d.getMonth() + 1, d.getDate()].map((n) => String(n).padStart(2, "0")).join("-");
  }

  /* ---------------------------------------------------------------- key storage (IndexedDB) */

  let database = null;
  function keyStore(mode, work) {
    database ??= new Promise((resolve, reject) => {
      const request = indexedDB.open("mapsite", 1);
      request.onupgradeneeded = () => request.result.createObjectStore("keys");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return database.then((db) => new Promise((resolve, reject) => {
      const tx = db.transaction("keys", mode);
      const request = work(tx.objectStore("keys"));
      tx.oncomplete = () => resolve(request?.result);
      tx.onerror = tx.onabort = () => reject(tx.error);
    }));
  }

  // A login without "Remember me" lives in this document's memory only (and moves with it to the
  // pages opened in place): nothing of it is written anywhere, so nothing survives the tab.
  const rememberName = `remember:${env.deal}`;

  async function storedKey() {
    const entry = await keyStore("readonly", (store) => store.get(rememberName));
    if (!entry) return null;
    if (entry.kid === env.kid && entry.expires > Date.now()) {
      return { key: entry.key, slot: entry.slot ?? null, sender: entry.sender ?? null };
    }
    // Expired, or the deal was re-keyed (someone lost access): forget it without a word.
    await keyStore("readwrite", (store) => store.delete(rememberName));
    return null;
  }

  // Storage that never answers (it happens in some private modes) must not keep anything waiting.
  function storedKeyWithin(ms) {
    return Promise.race([storedKey(), new Promise((done) => setTimeout(done, ms, null))]).catch(() => null);
  }

  // Only the non-extractable CryptoKey is stored (structured clone), never the password or share
  // secret. A share link's key is kept no longer than the link is valid (to the end of its last day):
  // remembering must not outlive an expiry the browser would otherwise enforce.
  async function remember({ key, slot, sender }, until = null) {
    if (!(rememberDays > 0)) return;
    let expires = Date.now() + rememberDays * DAY;
    if (until) {
      const [year, month, day] = until.split("-").map(Number);
      expires = Math.min(expires, new Date(year, month - 1, day + 1).getTime());
    }
    try {
      await keyStore("readwrite", (store) => {
        store.put({ key, slot, sender, kid: env.kid, expires }, rememberName);
      });
    } catch {
      // Storage is a convenience (it may be blocked): the page still opens.
    }
  }

  // Old remembered logins, and the per-tab sessions earlier versions wrote to disk, go.
  function sweep() {
    return keyStore("readwrite", (store) => {
      store.openCursor().onsuccess = (event) => {
        const cursor = event.target.result;
        if (!cursor) return;
        if (String(cursor.key).startsWith("session:") || !(cursor.value?.expires > Date.now())) cursor.delete();
        cursor.continue();
      };
    });
  }

  // Every tab of this site hears a log out, so a deal open in another tab locks too.
  const channel = "BroadcastChannel" in window ? new BroadcastChannel("mapsite") : null;
  channel?.addEventListener("message", (event) => {
    if (event.data?.logout === env.deal && contentKey) {
      contentKey = null;
      location.reload();
    }
  });

  // On a phone, "Log out" asks first, saying what coming back will take.
  function askLogout() {
    if (!(touchFirst() || narrow())) return logout();
    const dialog = document.createElement("dialog");
    dialog.className = "logout-confirm";
    dialog.setAttribute("aria-labelledby", "mapsite-logout-title");
    const title = document.createElement("p");
    title.id = "mapsite-logout-title";
    title.className = "logout-confirm-title";
    title.textContent = "Log out of this deal room?";
    const note = document.createElement("p");
    note.textContent = linkReader()
      ? "To come back in, you will need to open your link again."
      : "To come back in, you will need your password.";
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "logout-cancel";
    cancel.textContent = "Cancel";
    cancel.addEventListener("click", () => dialog.close());
    const confirm = document.createElement("button");
    confirm.type = "button";
    confirm.className = "logout-button logout-confirm-button";
    confirm.textContent = "Log out";
    confirm.addEventListener("click", logout);
    const actions = document.createElement("div");
    actions.className = "logout-confirm-actions";
    actions.append(cancel, confirm);
    dialog.append(title, note, actions);
    // A tap on the backdrop (outside the box) is a "no".
    dialog.addEventListener("click", (event) => event.target === dialog && dialog.close());
    dialog.addEventListener("close", () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();
  }

  async function logout() {
    contentKey = null;
    try {
      channel?.postMessage({ logout: env.deal });
      await keyStore("readwrite", (store) => store.delete(rememberName));
    } finally {
      location.reload();
    }
  }

  /* ---------------------------------------------------------------- generations */

  // The newest build of this deal this device has opened. An older page (a host serving an old
  // copy under the same key) is refused. A build dated past tomorrow (made with --today) is not
  // recorded, so it cannot lock out the real builds that follow it.
  const generationName = `mapsite-generation:${env.deal}`;
  function seenGeneration() {
    try {
      return localStorage.getItem(generationName) || "";
    } catch {
      return "";
    }
  }
  function recordGeneration(generation) {
    const tomorrow = new Date(Date.now() + DAY).toISOString().slice(0, 10);
    try {
      if (generation > seenGeneration() && generation <= tomorrow) localStorage.setItem(generationName, generation);
    } catch {
      // Without storage there is nothing to compare with: the page still opens.
    }
  }

  // Whether this device last opened the deal with a share link: "1" under mapsite-link:<deal>, and
  // nothing of the link. Once logged out, such a reader is told to open the link again, not asked
  // for a password they never had. A password login clears it.
  const linkName = `mapsite-link:${env.deal}`;
  function linkReader() {
    try {
      return localStorage.getItem(linkName) === "1";
    } catch {
      return false;
    }
  }
  function recordLogin(withLink) {
    try {
      if (withLink) localStorage.setItem(linkName, "1");
      else localStorage.removeItem(linkName);
    } catch {
      // Without storage a logged-out link reader sees the password form: the page still opens.
    }
  }

  /* ---------------------------------------------------------------- crypto */

  // A credential's root (the PBKDF2 output, or a share secret's HKDF) only ever yields keys
  // through HKDF: the slot key and the sender key here, other keys in the build. Both arrive
  // non-extractable, and the root's bits are dropped once they are made.
  async function slotKey(rootBits) {
    const root = await subtle.importKey("raw", rootBits, "HKDF", false, ["deriveKey"]);
    const hkdf = (label) => ({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(), info: utf8.encode(PREFIX + label) });
    const kek = await subtle.deriveKey(hkdf("slot-key"), root, { name: "AES-GCM", length: 256 }, false, ["unwrapKey"]);
    const sender = await subtle.deriveKey(hkdf("update-auth"), root, { name: "HMAC", hash: "SHA-256", length: 256 }, false, ["sign"]);
    return { kek, sender };
  }

  async function passwordKek(password) {
    const base = await subtle.importKey("raw", utf8.encode(password), "PBKDF2", false, ["deriveBits"]);
    const params = { name: "PBKDF2", hash: "SHA-256", salt: unb64(env.kdf.salt), iterations: env.kdf.iterations };
    return slotKey(await subtle.deriveBits(params, base, 256));
  }

  async function shareKek(secret) {
    const base = await subtle.importKey("raw", unb64(secret), "HKDF", false, ["deriveBits"]);
    const params = { name: "HKDF", hash: "SHA-256", salt: unb64(env.kdf.salt), info: utf8.encode(PREFIX + "share") };
    return slotKey(await subtle.deriveBits(params, base, 256));
  }

  // The content key arrives non-extractable: no script on the page can read its bytes. A slot is
  // bound to its deal, kind and expiry date: editing "expires" on the host breaks it. Returns the
  // key and the slot's expiry date (null when it has none).
  async function openSlot({ kek, sender }, type) {
    for (const slot of env.slots) {
      if (slot.type !== type || (slot.expires && slot.expires < today())) continue;
      const aad = utf8.encode(`${PREFIX}slot:${env.deal}:${slot.type}:${slot.expires ?? ""}`);
      try {
        const params = { name: "AES-GCM", iv: unb64(slot.iv), additionalData: aad };
        const key = await subtle.unwrapKey("raw", unb64(slot.ct), kek, params, { name: "AES-GCM" }, false, ["decrypt"]);
        return { key, slot: slotId(slot), expires: slot.expires ?? null, sender };
      } catch {
        // Not this slot: try the next one.
      }
    }
    return null;
  }

  // Names a slot in the sealed page's map of reader sides: the first 16 bytes of its ciphertext.
  const slotId = (slot) => slot.ct.slice(0, 22);

  // Pages and files are padded: 8-byte big-endian length || bytes || zeros.
  async function decrypt(aad, iv, data) {
    const params = { name: "AES-GCM", iv, additionalData: utf8.encode(aad) };
    const padded = new Uint8Array(await subtle.decrypt(params, contentKey, data));
    const length = Number(new DataView(padded.buffer).getBigUint64(0));
    return padded.subarray(8, 8 + length);
  }

  const hex = (bytes) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

  // A file blob is iv || ciphertext. The page names the blob's SHA-256: an older or foreign blob
  // served in its place is refused before it is decrypted.
  async function openBlob(info, sealedPath) {
    const response = await fetch(new URL(info.url, dealFolder));
    if (response.status === 404 || response.status === 410) throw new Gone(info.url);
    if (!response.ok) throw new Error(`${response.status} for ${info.url}`);
    const blob = new Uint8Array(await response.arrayBuffer());
    if (hex(await subtle.digest("SHA-256", blob)) !== info.sha256) throw new Error(`${info.url} is not the sealed file`);
    return decrypt(`${PREFIX}file:${env.deal}:${sealedPath}`, blob.subarray(0, 12), blob.subarray(12));
  }

  // A file this page names that the host no longer has: a newer build was published since the page
  // was opened (a file's name changes with the deal's key). Reloading opens the current page, or
  // asks again if the key changed. At most once a minute, so a host that lost a file shows the
  // damage instead of reloading for ever.
  class Gone extends Error {}
  const reloadName = `mapsite-reloaded:${env.deal}`;
  function reloadOrFail(error) {
    if (!(error instanceof Gone) || failed) return fail(error);
    try {
      if (Date.now() - Number(sessionStorage.getItem(reloadName) || 0) < 60 * 1000) return fail(error);
      sessionStorage.setItem(reloadName, String(Date.now()));
    } catch {
      return fail(error);
    }
    location.reload();
  }

  // A bundle (a deal's calendars) is one blob sealed under its own path, holding a JSON object
  // from each file's path to its text: fetched and decrypted once, whichever file is asked for.
  const bundles = new Map();
  async function openFile(path) {
    const info = files[path];
    if (!info.bundle) return new Blob([await openBlob(info, path)], { type: info.type });
    if (!bundles.has(info.bundle)) {
      const texts = openBlob(info, info.bundle).then((bytes) => JSON.parse(new TextDecoder().decode(bytes)));
      bundles.set(info.bundle, texts);
      texts.catch(() => bundles.delete(info.bundle));
    }
    const texts = await bundles.get(info.bundle);
    return new Blob([texts[path]], { type: info.type });
  }

  /* ---------------------------------------------------------------- the document */

  // Swap in another document's content. Stylesheets already loaded stay where they are (taking
  // them out of the document, even for a moment, would unload them): nothing shows unstyled. They
  // are known by the URL they were loaded from: once a move changed the address, a relative href
  // points elsewhere.
  function replaceDocument(attributes, headNodes, body) {
    const html = document.documentElement;
    const links = [...document.head.querySelectorAll("link[rel=stylesheet]")];
    const loaded = new Map(links.map((l) => [l.sheet?.href ?? l.href, l]));
    const head = headNodes.map((node) => (node.matches?.("link[rel=stylesheet]") && loaded.get(node.href)) || node);
    for (const node of [...document.head.childNodes]) if (!head.includes(node)) node.remove();
    let previous = null;
    for (const node of head) {
      if (node.parentNode !== document.head) previous ? previous.after(node) : document.head.prepend(node);
      previous = node;
    }
    for (const { name } of [...html.attributes]) html.removeAttribute(name);
    for (const [name, value] of attributes) html.setAttribute(name, value);
    document.body.replaceWith(body);
  }

  // The generation is in the associated data: a page cannot claim a newer build than it is.
  async function decryptPage(envelope, path) {
    const aad = `${PREFIX}page:${env.deal}:${envelope.gen}:${path}`;
    return new TextDecoder().decode(await decrypt(aad, unb64(envelope.iv), unb64(envelope.ct)));
  }

  class Stale extends Error {}

  // A page of an older build than this device has opened is refused, whatever its key.
  async function openSealed(envelope, path) {
    const html = await decryptPage(envelope, path);
    if (envelope.gen < seenGeneration()) throw new Stale();
    recordGeneration(envelope.gen);
    return html;
  }

  // A plan's first screen (This week, the outcome and key dates) drawn on its own: the sections
  // after it are taken out of the parsed page, and put back once that frame is drawn. Laying out
  // the whole plan at once was the larger part of the wait after decryption: Enter to a drawn
  // page took ~225 ms in Chromium on the bench's deal, ~175 with the first screen first (and a
  // phone lays out several times slower). Returns what puts the sections back.
  function firstScreenOnly(doc) {
    const wrap = doc.querySelector("body.kind-deal > main > .wrap");
    const overview = wrap?.querySelector(":scope > .overview");
    const rest = [];
    for (let node = overview?.nextSibling; node; node = node.nextSibling) rest.push(node);
    if (!rest.length) return null;
    for (const node of rest) node.remove();
    return () => {
      if (!rest[0].isConnected) wrap.append(...rest);
    };
  }

  // After the next frame is drawn. A hidden tab draws none: then after a quarter second, or when
  // the browser next runs a hidden tab's timers.
  const drawn = () =>
    new Promise((done) => {
      requestAnimationFrame(() => setTimeout(done));
      setTimeout(done, 250);
    });

  // Relative addresses in the page resolve against the address bar: it must show the page's URL.
  // Resolves once the page's own scripts have run: what they change (live-dates.js recounts the
  // page for today) moves the layout, so a scroll is restored after them, not before. Opening a
  // deal (not moving between its pages, which restores a scroll) may show the first screen first.
  async function showPage(html, firstScreenFirst = false) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    pinIcons(doc.head, location.href); // the address is already the page's own
    const map = doc.getElementById("mapsite-files");
    files = map ? JSON.parse(map.textContent) : {};
    const pageMap = doc.getElementById("mapsite-pages");
    pages = pageMap ? JSON.parse(pageMap.textContent) : {};
    // Links to extra pages point at their published, opaque folders (the names stay inside).
    for (const link of doc.querySelectorAll("a[href]")) {
      const path = sitePath(link.getAttribute("href"));
      if (path && Object.hasOwn(pages, path)) {
        const target = new URL(pages[path].replace(/index\.html$/, ""), root);
        target.hash = new URL(link.getAttribute("href"), location.href).hash;
        link.setAttribute("href", target.href);
      }
    }
    // Encrypted images must not be requested at their readable address (which does not exist).
    for (const img of doc.querySelectorAll("img[src]")) {
      const path = sitePath(img.getAttribute("src"));
      if (path && Object.hasOwn(files, path)) {
        img.dataset.mapsiteFile = path;
        img.removeAttribute("src");
      }
    }
    const attributes = [...doc.documentElement.attributes].map((a) => [a.name, a.value]);
    const readers = doc.getElementById("mapsite-readers");
    const side = readers && readerSlot ? JSON.parse(readers.textContent)[readerSlot] : null;
    const views = doc.getElementById("mapsite-views");
    const view = views && readerSlot ? JSON.parse(views.textContent)[readerSlot] : null;
    const answerable = Boolean(doc.getElementById("mapsite-updates")); // read before the body moves
    const restOfPage = firstScreenFirst ? firstScreenOnly(doc) : null;
    replaceDocument(attributes, [...doc.head.childNodes], doc.body);
    if (side) document.documentElement.dataset.readerSide = side;
    if (answerable) await offerSender();
    if (view) recordView(view);
    if (restOfPage) {
      // Printed at once, the page prints whole.
      addEventListener("beforeprint", restOfPage, { once: true });
      await drawn();
      removeEventListener("beforeprint", restOfPage);
      restOfPage();
    }
    // A page's own scripts (theme assets; the CSP allows this origin only) never run as parsed
    // nodes: each is re-created so it runs as it would on a readable page.
    const ran = [];
    for (const parsed of document.head.querySelectorAll("script[src]")) {
      const script = document.createElement("script");
      script.async = false; // in the head's order, as `defer` runs them (updates.js needs updates-record.js)
      script.src = parsed.getAttribute("src");
      ran.push(
        new Promise((done) => {
          script.addEventListener("load", done);
          script.addEventListener("error", done);
        }),
      );
      parsed.replaceWith(script);
    }

    for (const button of document.querySelectorAll("[data-mapsite-logout]")) button.addEventListener("click", askLogout);
    for (const img of document.querySelectorAll("img[data-mapsite-file]")) showImage(img);
    return Promise.all(ran);
  }

  // analytics: access_log (docs/views.md): one same-origin request of this page's opaque file for
  // the slot that opened it, so the host's access log records the visit and nothing goes elsewhere.
  // Never from the cache: each opening is one line in the log.
  function recordView(name) {
    if (!/^[0-9a-f]{24}$/.test(name)) return;
    const url = new URL(`_v/${name}.gif`, dealFolder);
    fetch(url, { cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer" }).catch(() => {});
  }

  // window.mapsiteSender = {id, sign(bytes)}, set once before the page's scripts run and never
  // replaced: the page seals update codes with it, and no script can read A or swap the signer.
  // A login remembered before sender keys existed has none: the page then offers no sending.
  async function offerSender() {
    if (!senderKey || Object.hasOwn(window, "mapsiteSender")) return;
    const key = senderKey;
    const sign = (bytes) => subtle.sign("HMAC", key, bytes);
    const id = hex((await sign(utf8.encode(PREFIX + "sender-id"))).slice(0, 8));
    Object.defineProperty(window, "mapsiteSender", { value: Object.freeze({ id, sign }), enumerable: true });
  }

  // Each image gets its own blob: URL, revoked once drawn: "open image in new tab" then has
  // nothing to open, so even an SVG never becomes a document on this origin.
  function showImage(img) {
    const path = img.dataset.mapsiteFile;
    if (!images.has(path)) images.set(path, openFile(path));
    images.get(path).then((blob) => {
      const url = URL.createObjectURL(blob);
      const done = () => URL.revokeObjectURL(url);
      img.addEventListener("load", done, { once: true });
      img.addEventListener("error", done, { once: true });
      img.src = url;
    }, reloadOrFail);
  }

  function fragmentTarget() {
    return location.hash.length > 1 && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  }

  const focusMain = () => $("main")?.focus({ preventScroll: true });

  async function openPage({ key, slot, sender }, byHand) {
    contentKey = key;
    readerSlot = slot;
    senderKey = sender ?? null;
    let html;
    try {
      html = await openSealed(env, shownPath);
    } catch (error) {
      return fail(error instanceof Stale ? MESSAGES.stale : MESSAGES.damaged);
    }
    await showPage(html, location.hash.length <= 1); // a fragment is scrolled to at once
    const target = fragmentTarget();
    if (target) target.scrollIntoView({ behavior: "instant" });
    else if (byHand) focusMain();
    whenIdle(prefetchLinks);
  }

  // Downloads keep their name and type: fetched, decrypted, then saved through a blob: link.
  document.addEventListener("click", (event) => {
    const link = contentKey && !failed && event.target.closest?.("a[href]");
    const path = link && sitePath(link.href);
    if (!path || !Object.hasOwn(files, path)) return;
    event.preventDefault();
    // Saved, never opened: a download cannot run script, whatever the file holds.
    openFile(path).then((blob) => {
      const save = document.createElement("a");
      save.href = URL.createObjectURL(blob);
      save.download = files[path].name;
      document.body.append(save);
      save.click();
      save.remove();
      setTimeout(() => URL.revokeObjectURL(save.href), 60 * 1000);
    }, reloadOrFail);
  });

  // The back-forward cache may bring back a decrypted page after "Log out": check the key again.
  // A login held in memory only is not trusted to come back that way either.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted && contentKey) location.reload();
  });

  /* ---------------------------------------------------------------- moving between pages */

  // Loading a page of the deal the usual way means a new document to parse, style and start a script
  // in before anything is decrypted; in place, the key in memory opens the next page's sealed shell.
  const SHELL_LIFETIME = 5 * 60 * 1000; // a shell fetched ahead, kept no longer than a page would be
  const PREFETCH_LIMIT = 8;
  const shells = new Map();
  // Where the reader was on each page of this tab's history, to come back to it as a load would.
  const scrolls = new Map();
  let shownEntry = history.state?.mapsiteEntry ?? null;
  let moves = 0;
  let entries = 0;
  // Unique in the tab's history: this document's start time and a count.
  const entryId = () => `${performance.timeOrigin}:${++entries}`;

  // The URL of a link to another page of this deal, or null for all the browser (or the download
  // handler) takes: other deals and sites, files, downloads, new tabs, anchors in the page shown.
  function dealPageUrl(link) {
    if (!(link instanceof HTMLAnchorElement) || link.hasAttribute("download")) return null;
    if (link.target && link.target !== "_self") return null;
    const path = sitePath(link.href);
    if (!path?.startsWith(`${env.deal}/`) || !path.endsWith(".html") || Object.hasOwn(files, path)) return null;
    return path === shownPath ? null : new URL(link.href);
  }

  // The sealed shell's text, fetched once for a while: hovering a link or idling fetches it ahead.
  function fetchShell(url) {
    const address = url.href.split("#")[0];
    const kept = shells.get(address);
    if (kept && Date.now() - kept.at < SHELL_LIFETIME) return kept.text;
    const text = fetch(address).then((response) => {
      if (!response.ok || response.redirected) throw new Error(`${response.status} for ${address}`);
      return response.text();
    });
    shells.set(address, { at: Date.now(), text });
    text.catch(() => shells.delete(address));
    return text;
  }

  function envelopeOf(shellHtml) {
    const element = new DOMParser().parseFromString(shellHtml, "text/html").getElementById("mapsite-envelope");
    const envelope = JSON.parse(element.textContent);
    // Only a page sealed for this deal under the key in hand opens in place.
    if (envelope.v !== VERSION || envelope.deal !== env.deal || envelope.kid !== env.kid) throw new Error("other key");
    return envelope;
  }

  // Anything unexpected (network, another key, damage, an older build) is left to a normal load of
  // the page, which says what is wrong. A login ended in another tab has already reloaded this one.
  // A later move wins over one still under way.
  async function move(url, push) {
    const mine = ++moves;
    const path = sitePath(url.href);
    let html;
    let problem = null;
    try {
      const envelope = await fetchShell(url).then(envelopeOf);
      if (!contentKey) throw new Error("logged out");
      try {
        html = await openSealed(envelope, path);
      } catch (error) {
        // The key in hand opens this deal's pages: one that does not open is damaged or stale,
        // which is said here (a load would first ask for the password, then say the same).
        problem = error instanceof Stale ? MESSAGES.stale : MESSAGES.damaged;
      }
    } catch {
      if (mine === moves) push ? location.assign(url.href) : location.reload();
      return;
    }
    if (mine !== moves || failed) return;
    if (problem) {
      if (push) history.pushState(null, "", url.href);
      return fail(problem);
    }
    if (push) {
      // Back and forward restore the scroll here, once the page is in, not on the page leaving.
      history.scrollRestoration = "manual";
      if (shownEntry === null) {
        shownEntry = entryId();
        history.replaceState({ ...history.state, mapsiteEntry: shownEntry }, "");
      }
      scrolls.set(shownEntry, window.scrollY);
      shownEntry = entryId();
      history.pushState({ mapsiteEntry: shownEntry }, "", url.href);
    }
    shownPath = path;
    await showPage(html);
    focusMain(); // as after a load: a screen reader starts at the new page
    const target = fragmentTarget();
    if (target) target.scrollIntoView({ behavior: "instant" });
    else window.scrollTo({ top: scrolls.get(shownEntry) ?? 0, behavior: "instant" });
    whenIdle(prefetchLinks);
  }

  document.addEventListener("click", (event) => {
    if (!contentKey || failed || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const url = dealPageUrl(event.target.closest?.("a[href]"));
    if (!url) return;
    event.preventDefault();
    move(url, true);
  });

  // Back and forward between pages opened in place open them in place again.
  window.addEventListener("popstate", (event) => {
    if (!contentKey) return;
    scrolls.set(shownEntry, window.scrollY);
    shownEntry = event.state?.mapsiteEntry ?? null;
    if (sitePath(location.href) === shownPath) return; // an anchor of the page shown
    if (failed) return location.reload();
    move(new URL(location.href), false);
  });

  function prefetch(link) {
    const url = contentKey && !failed && dealPageUrl(link);
    if (url) fetchShell(url).catch(() => {});
  }

  // The pages this one links to, fetched while the reader reads: a few, deduplicated by fetchShell.
  function prefetchLinks() {
    const links = [...document.querySelectorAll("a[href]")].filter((link) => dealPageUrl(link));
    for (const link of links.slice(0, PREFETCH_LIMIT)) prefetch(link);
  }

  const whenIdle = (work) => (window.requestIdleCallback ?? setTimeout)(work);

  for (const type of ["pointerover", "focusin", "touchstart"]) {
    document.addEventListener(type, (event) => prefetch(event.target.closest?.("a[href]")), { passive: true });
  }

  // A key that opened but content that does not decrypt: altered or damaged. Show nothing of it.
  // Also a promise's rejection handler: anything but one of MESSAGES means damage.
  function fail(message) {
    if (failed) return;
    failed = true;
    if (document.body !== shell.body) replaceDocument(shell.attributes, shell.head, shell.body);
    hideForm();
    showForm(Object.values(MESSAGES).includes(message) ? message : MESSAGES.damaged);
  }

  /* ---------------------------------------------------------------- the form */

  function showForm(message) {
    document.documentElement.classList.remove("ms-checking");
    const status = $("mapsite-status");
    status.textContent = message || "";
    status.classList.toggle("is-error", Boolean(message) && message !== MESSAGES.reopen && message !== MESSAGES.links);
  }

  // A reader who came with a share link is told to open it again; the password form stays one
  // click away, for a reader who has a password too. A theme without that button keeps the form.
  function showReopen() {
    const usePassword = $("mapsite-use-password");
    if (usePassword) {
      hideForm();
      document.querySelector(".ms-note")?.setAttribute("hidden", "");
      usePassword.hidden = false;
      usePassword.addEventListener("click", () => {
        usePassword.hidden = true;
        for (const element of [$("mapsite-login"), document.querySelector(".ms-lead"), document.querySelector(".ms-note")]) {
          if (element) element.hidden = false;
        }
        showForm("");
        $("mapsite-password").focus();
      });
    }
    showForm(MESSAGES.reopen);
  }

  // No form and no password note; the theme's own words for it, else a status line that says it.
  function showLinksOnly() {
    hideForm();
    document.querySelector(".ms-note")?.setAttribute("hidden", "");
    const lead = $("mapsite-links-only");
    if (lead) lead.hidden = false;
    return lead ? "" : MESSAGES.links;
  }

  // "Show" / "Hide" (the button's name ends in a hidden " password").
  function showPassword() {
    const input = $("mapsite-password");
    const shown = input.type === "password";
    input.type = shown ? "text" : "password";
    $("mapsite-show").firstElementChild.textContent = shown ? "Hide" : "Show";
  }

  // When no password can help, asking for one would only mislead.
  function hideForm() {
    $("mapsite-login").hidden = true;
    document.querySelector(".ms-lead")?.setAttribute("hidden", "");
  }

  function setBusy(on) {
    busy = on;
    const button = $("mapsite-submit");
    button.disabled = on;
    button.textContent = on ? "Unlocking…" : "Open deal room";
    $("mapsite-password").readOnly = on;
    $("mapsite-progress").hidden = !on;
  }

  async function submit(event) {
    event.preventDefault();
    const input = $("mapsite-password");
    if (busy || !input.value) return;
    setBusy(true);
    showForm("");
    // One PBKDF2 run per attempt, however many password slots the deal has.
    const key = await passwordKek(input.value).then((kek) => openSlot(kek, "password"), () => null);
    if (!key) {
      setBusy(false);
      // The typed value stays, selected: a slip is fixed in place, a new try replaces it.
      input.focus();
      input.select();
      return showForm(MESSAGES.wrong);
    }
    recordLogin(false);
    if ($("mapsite-remember").checked) remember(key); // not awaited: storage never holds the page back
    return openPage(key, true);
  }

  async function start() {
    $("mapsite-login").addEventListener("submit", submit);
    $("mapsite-show")?.addEventListener("click", showPassword);
    $("mapsite-username").value = env.deal;
    $("mapsite-remember").closest("label").hidden = !(rememberDays > 0);
    const days = document.querySelector("[data-mapsite-days]");
    if (days) days.textContent = rememberDays === 1 ? "1 day" : `${rememberDays} days`;
    if (!subtle) {
      hideForm();
      return showForm(MESSAGES.insecure);
    }
    if (env.v !== VERSION) return fail();
    const linksMessage = linksOnly ? showLinksOnly() : null;

    const stored = await storedKeyWithin(2000);
    if (stored) return openPage(stored, false);
    if (shareSecret !== null) {
      const token = shareToken(shareSecret);
      if (token === null) return showForm(MESSAGES.incomplete);
      const key = await shareKek(token).then((kek) => openSlot(kek, "share"), () => null);
      if (!key) return showForm(MESSAGES.revoked);
      // Remembered as "Remember me" would (remember_days, the kid, log out): a link has no form to
      // tick, and the device already keeps the link itself in its history until it expires.
      recordLogin(true);
      remember(key, key.expires);
      return openPage(key, false);
    }
    if (linksOnly) return showForm(linkReader() ? MESSAGES.reopen : linksMessage);
    if (linkReader()) return showReopen();
    showForm("");
    if (!touchFirst()) $("mapsite-password").focus();
  }

  start().finally(() => sweep().catch(() => {}));
})();
