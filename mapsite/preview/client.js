/* mapsite preview client: reloads this page when its own content changed, keeping the scroll.
 *
 * Speaks the LiveReload protocol (hello, info, reload) with the preview server. Injected into
 * preview pages only; a build for deploy never contains it.
 */
"use strict";

(() => {
  const scrollKey = `mapsite-preview-scroll:${location.pathname}`;
  const saved = sessionStorage.getItem(scrollKey);
  if (saved !== null) {
    sessionStorage.removeItem(scrollKey);
    const restore = () => window.scrollTo(0, Number(saved));
    if (document.readyState === "complete") restore();
    else window.addEventListener("load", restore);
  }

  // "/acme/" and "/acme/index.html" name the same page.
  const normal = (path) => (path.endsWith("/") ? `${path}index.html` : path);
  const here = normal(decodeURI(location.pathname));

  // Its own page, a stylesheet, or an image it shows (a logo keeps its name when it changes).
  function concerned(path) {
    if (path === "*" || normal(path) === here || path.endsWith(".css")) return true;
    return [...document.images].some((img) => img.src && decodeURI(new URL(img.src).pathname) === path);
  }

  function reload() {
    sessionStorage.setItem(scrollKey, String(window.scrollY));
    location.reload();
  }

  function connect(delay) {
    const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/livereload`);
    socket.onopen = () => {
      socket.send(JSON.stringify({ command: "hello", protocols: ["http://livereload.com/protocols/official-7"] }));
    };
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.command === "hello") socket.send(JSON.stringify({ command: "info", url: location.href, plugins: {} }));
      if (message.command === "reload" && concerned(message.path || "*")) reload();
    };
    // The server restarted or the laptop slept: try again, gently.
    socket.onclose = () => setTimeout(() => connect(Math.min(delay * 2, 5000)), delay);
  }
  connect(500);
})();
