/* momentmap stories: filter the listed stories by customer and year, in the page.
   Works from file://, a sub-path or any server; without it every story shows.
   The choice is kept in the address (?customer=…&year=…) so it can be shared. */
"use strict";
(function () {
  var form = document.getElementById("_story-filters");
  var list = document.getElementById("_stories");
  var status = document.getElementById("_story-status");
  if (!form || !list || !status) return;
  var selects = form.querySelectorAll("select");
  var items = list.children;

  function chosen() {
    var values = {};
    for (var i = 0; i < selects.length; i++) values[selects[i].name] = selects[i].value;
    return values;
  }

  function apply() {
    var values = chosen();
    var shown = 0;
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      var match =
        (!values.customer || item.getAttribute("data-customer") === values.customer) &&
        (!values.year || item.getAttribute("data-year") === values.year);
      item.hidden = !match;
      if (match) shown++;
    }
    status.textContent = shown + (shown === 1 ? " story" : " stories") +
      (shown < items.length ? " of " + items.length : "");
  }

  function remember() {
    var values = chosen();
    var query = [];
    for (var name in values) {
      if (values[name]) query.push(encodeURIComponent(name) + "=" + encodeURIComponent(values[name]));
    }
    try {
      history.replaceState(null, "", query.length ? "?" + query.join("&") : location.pathname);
    } catch (e) {
      /* some browsers refuse it on file://: the filter works all the same */
    }
  }

  // A shared address (or the form sent without this script) preselects its filters.
  var params = new URLSearchParams(location.search);
  for (var i = 0; i < selects.length; i++) {
    var wanted = params.get(selects[i].name);
    for (var j = 0; wanted && j < selects[i].options.length; j++) {
      if (selects[i].options[j].value === wanted) selects[i].value = wanted;
    }
    selects[i].addEventListener("change", function () {
      apply();
      remember();
    });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    apply();
    remember();
  });
  apply();
})();
