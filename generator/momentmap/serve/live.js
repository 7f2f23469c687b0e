// momentmap serve's live-reload client: injected into pages by the preview
// server only, never part of a built site. It reloads the page when the page
// changed and shows build errors over it until the next good build.
(function () {
  "use strict";
  var overlay = null;
  var generation = null;

  function currentFile() {
    var path = decodeURIComponent(location.pathname).replace(/^\//, "");
    return path === "" || path.slice(-1) === "/" ? path + "index.html" : path;
  }

  function place(error) {
    var text = error.file;
    if (error.line) text += ":" + error.line + (error.col ? ":" + error.col : "");
    return text;
  }

  // The overlay is a bar with the error count and a button; its list of errors can be
  // folded away (remembered for the tab), and the page gets room below so that no part
  // of it stays hidden behind the overlay.
  var FOLDED = "momentmap-errors-folded";

  function folded() {
    try { return sessionStorage.getItem(FOLDED) === "1"; } catch (e) { return false; }
  }

  function fold(value) {
    try { sessionStorage.setItem(FOLDED, value ? "1" : "0"); } catch (e) { /* private mode */ }
  }

  function room() {
    document.body.style.paddingBottom = overlay ? overlay.offsetHeight + "px" : "";
  }

  function show(errors) {
    if (!errors.length) {
      if (overlay) overlay.remove();
      overlay = null;
      room();
      return;
    }
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "_momentmap-errors";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText =
        "position:fixed;inset:auto 0 0 0;max-height:min(60vh,24rem);overflow:auto;" +
        "z-index:2147483647;margin:0;padding:.5rem 1rem;background:#2b0b0b;color:#fff;" +
        "border-top:4px solid #e5484d;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var bar = document.createElement("div");
    bar.style.cssText = "display:flex;gap:.75rem;align-items:center;justify-content:space-between;";
    var title = document.createElement("strong");
    title.textContent =
      "Build failed: " + errors.length + " error" + (errors.length === 1 ? "" : "s") +
      ". This is the last good version of the page.";
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.style.cssText =
      "flex:none;font:inherit;color:#fff;background:transparent;border:1px solid #ffb4b4;" +
      "border-radius:4px;padding:.1rem .6rem;cursor:pointer;";
    bar.appendChild(title);
    bar.appendChild(toggle);
    overlay.appendChild(bar);
    var list = document.createElement("ul");
    list.id = "_momentmap-error-list";
    list.style.cssText = "margin:.5rem 0 .25rem;padding-left:1.25rem;";
    errors.forEach(function (error) {
      var item = document.createElement("li");
      var where = document.createElement("code");
      where.style.color = "#ffb4b4";
      where.textContent = place(error);
      item.appendChild(where);
      item.appendChild(document.createTextNode(": " + error.message));
      list.appendChild(item);
    });
    overlay.appendChild(list);
    toggle.setAttribute("aria-controls", list.id);
    function render() {
      var hidden = folded();
      list.hidden = hidden;
      toggle.textContent = hidden ? "Show errors" : "Hide errors";
      toggle.setAttribute("aria-expanded", hidden ? "false" : "true");
      room();
    }
    toggle.addEventListener("click", function () {
      fold(!folded());
      render();
    });
    render();
  }

  var events = new EventSource("/_momentmap/events");
  events.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    var changed = state.changed === "*" || state.changed.indexOf(currentFile()) >= 0;
    if (generation !== null && state.generation !== generation && changed && !state.errors.length) {
      location.reload();
      return;
    }
    generation = state.generation;
    show(state.errors);
  });
})();
