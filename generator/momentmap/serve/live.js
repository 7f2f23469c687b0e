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

  function show(errors) {
    if (!errors.length) {
      if (overlay) overlay.remove();
      overlay = null;
      return;
    }
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "_momentmap-errors";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText =
        "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;" +
        "margin:0;padding:1rem 1.25rem;background:#2b0b0b;color:#fff;border-top:4px solid #e5484d;" +
        "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var title = document.createElement("strong");
    title.textContent =
      "Build failed: " + errors.length + " error" + (errors.length === 1 ? "" : "s") +
      ". This is the last good version of the page.";
    overlay.appendChild(title);
    var list = document.createElement("ul");
    list.style.cssText = "margin:.5rem 0 0;padding-left:1.25rem;";
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
