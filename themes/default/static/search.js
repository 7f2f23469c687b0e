/* momentmap search: runs from file://, a sub-path or any server, offline.
   The index is split into script files (search/index.js, terms-N.js, text-N.js)
   that call back into this file; a query loads only the files it needs.
   Everything a writer typed is put on the page as text, never as markup. */
"use strict";
(function () {
  var WEIGHTS = [10, 4, 1]; // a word in the title or customer; in tags, people, type or stage; in the text
  var PAGE = 20; // results shown at a time
  var SNIPPET = 220; // characters of text around the first match
  var SECTIONS = ["", "Learnings", "Do differently", "Assumptions", "Plan"];

  var index = null;
  var loads = {}; // script name -> {promise, resolve}
  var terms = {}; // shard number -> {word: [postings by field]}
  var texts = {}; // shard number -> [texts of each moment]
  var shown = 0; // results on the page
  var results = [];
  var query = []; // the words searched for
  var prefix = false; // whether the last of them matches as a prefix
  var generation = 0; // the newest search; older ones stop when they see it changed
  var firstResults = false;

  var form = document.getElementById("_search");
  var input = document.getElementById("_q");
  var status = document.getElementById("_search-status");
  var list = document.getElementById("_results");
  var more = document.getElementById("_more");
  var indexUrl = ""; // search/index.js as the browser resolved it; the other files sit beside it

  // Words are folded like the index folds them: NFKD, every mark dropped, lower case.
  function fold(text) {
    return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
  }
  function words(text) {
    return fold(text).match(/[\p{L}\p{N}]+/gu) || [];
  }
  function shardOf(word) {
    var value = 0;
    var chars = Array.from(word).slice(0, 2);
    for (var i = 0; i < chars.length; i++) value = (value * 31 + chars[i].codePointAt(0)) % 65521;
    return value % index.shards;
  }

  function load(name) {
    if (!loads[name]) {
      var entry = {};
      entry.promise = new Promise(function (resolve, reject) {
        entry.resolve = resolve;
        var script = document.createElement("script");
        script.src = new URL(name + ".js", indexUrl).href;
        script.onerror = function () { reject(new Error(name)); };
        document.head.appendChild(script);
      });
      loads[name] = entry;
    }
    return loads[name].promise;
  }
  function loaded(name) {
    if (!loads[name]) loads[name] = { promise: Promise.resolve() };
    if (loads[name].resolve) loads[name].resolve();
  }

  window.momentmapSearch = {
    index: function (data) {
      indexUrl = document.getElementById("_search-index").src;
      index = data;
      index.stop = new Set(data.stopWords);
      start();
    },
    terms: function (data) {
      terms[data.shard] = data.terms;
      loaded("terms-" + data.shard);
    },
    text: function (data) {
      texts[data.shard] = data.texts;
      loaded("text-" + data.shard);
    },
  };

  // The moments (by number, newest first) holding a word, with the weight of its best field.
  function matches(word, asPrefix) {
    var shard = shardOf(word);
    return load("terms-" + shard).then(function () {
      var found = new Map();
      var table = terms[shard];
      var keys = asPrefix ? Object.keys(table).filter(function (t) { return t.startsWith(word); }) : [word];
      keys.forEach(function (key) {
        var fields = table[key];
        if (!fields) return;
        var exact = key === word ? 1 : 0.7;
        fields.forEach(function (deltas, field) {
          var doc = 0;
          for (var i = 0; i < deltas.length; i++) {
            doc += deltas[i];
            var weight = WEIGHTS[field] * exact;
            if (!(found.get(doc) >= weight)) found.set(doc, weight);
          }
        });
      });
      return found;
    });
  }

  function filters() {
    var chosen = {};
    form.querySelectorAll("select").forEach(function (select) {
      if (select.value) chosen[select.name] = select.value;
    });
    return chosen;
  }

  function passes(doc, chosen) {
    function is(list, number, value) { return number >= 0 && list[number] === value; }
    return (!chosen.customer || index.customers[doc[2]][0] === chosen.customer) &&
      (!chosen.type || is(index.types, doc[4], chosen.type)) &&
      (!chosen.stage || is(index.stages, doc[5], chosen.stage)) &&
      (!chosen.sentiment || is(index.sentiments, doc[6], chosen.sentiment)) &&
      (!chosen.year || doc[3].slice(0, 4) === chosen.year);
  }

  function search() {
    var run = ++generation;
    var text = input.value;
    var chosen = filters();
    remember(text, chosen);
    var all = words(text);
    // Common words are not indexed in the text: leave them out unless nothing else is left.
    var useful = all.filter(function (w) { return !index.stop.has(w); });
    if (useful.length) all = useful;
    query = all;
    prefix = !/\s$/.test(text); // the last word is still being typed: it matches as a prefix
    if (!all.length && !Object.keys(chosen).length) {
      show(run, null, "");
      return;
    }
    Promise.all(all.map(function (word, i) {
      return matches(word, prefix && i === all.length - 1 && Array.from(word).length > 1);
    })).then(function (found) {
      if (run !== generation) return;
      var scored = [];
      for (var doc = 0; doc < index.docs.length; doc++) {
        if (!passes(index.docs[doc], chosen)) continue;
        var score = 0;
        for (var i = 0; i < found.length && score >= 0; i++) {
          var weight = found[i].get(doc);
          score = weight ? score + weight : -1;
        }
        if (score >= 0) scored.push([score, doc]);
      }
      // Best score first; the index lists moments newest first, which breaks ties.
      scored.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
      show(run, scored.map(function (s) { return s[1]; }), text);
    }, failed);
  }

  // `docs` is null when nothing was asked: no words and no filters.
  function show(run, docs, text) {
    results = docs || [];
    shown = 0;
    list.textContent = "";
    if (!docs) {
      status.textContent = index.docs.length + " moments to search.";
    } else if (!docs.length) {
      status.textContent = "No moments match" + (text ? " \u201c" + text + "\u201d" : " these filters") + ".";
    } else {
      status.textContent = docs.length + (docs.length === 1 ? " moment matches." : " moments match.");
    }
    showMore(run);
  }

  function showMore(run) {
    var page = results.slice(shown, shown + PAGE);
    page.forEach(function (doc) { list.appendChild(result(doc)); });
    shown += page.length;
    more.hidden = shown >= results.length;
    if (page.length && !firstResults) {
      firstResults = true;
      performance.mark("momentmap-search-first-results");
    }
    page.forEach(function (doc) {
      var shard = Math.floor(doc / index.textShard);
      load("text-" + shard).then(function () {
        if (run === generation) snippet(doc, texts[shard][doc % index.textShard]);
      }, failed);
    });
  }

  function href(target) {
    var url = index.links === "portable" ? target + "index.html" : target;
    return new URL("../" + url, indexUrl).href;
  }

  // The index shortens ids that start with the customer's slug and the date (see search.py).
  function momentId(doc, customer) {
    var id = doc[0];
    if (id.startsWith("//")) return customer[0] + "/" + doc[3].slice(0, 10) + "-" + id.slice(2);
    if (id.startsWith("/")) return customer[0] + id;
    return id;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function result(number) {
    var doc = index.docs[number];
    var customer = index.customers[doc[2]];
    var item = element("li", "moment-row search-result" + (doc[8] ? " truth" : ""));
    item.id = "_r" + number;
    var time = element("time", "", doc[3]);
    time.dateTime = doc[3].replace(" ", "T");
    var title = element("a", "moment-title");
    title.href = href("moments/" + momentId(doc, customer) + "/");
    highlight(title, doc[1]);
    var who = element("a", "customer-name");
    who.href = href("customers/" + customer[0] + "/");
    highlight(who, customer[1]);
    var meta = element("span", "meta");
    var sentiment = index.sentiments[doc[6]];
    meta.appendChild(element("span", "sentiment s" + (doc[7] + 2) + (sentiment === "mixed" ? " mixed" : ""), sentiment));
    if (doc[4] >= 0) { meta.append(" "); meta.appendChild(element("span", "tag", index.types[doc[4]])); }
    if (doc[5] >= 0) { meta.append(" "); meta.appendChild(element("span", "tag", index.stages[doc[5]])); }
    if (doc[8]) { meta.append(" "); meta.appendChild(element("span", "tag truth-tag", "moment of truth")); }
    item.append(time, title, who, meta, element("p", "snippet"));
    return item;
  }

  // The first part of the moment's text where a query word appears, words marked.
  function snippet(number, fields) {
    var item = document.getElementById("_r" + number);
    if (!item) return;
    var target = item.querySelector(".snippet");
    var best = null;
    for (var f = 0; f < fields.length && !best; f++) {
      var at = firstMatch(fields[f]);
      if (at >= 0) best = [f, at];
    }
    if (!best) best = [0, 0];
    var text = fields[best[0]];
    var start = Math.max(0, best[1] - SNIPPET / 3);
    if (start > 0) {
      var space = text.indexOf(" ", start);
      start = space >= 0 && space < best[1] ? space + 1 : start;
    }
    var end = Math.min(text.length, start + SNIPPET);
    var shownText = (start > 0 ? "\u2026" : "") + text.slice(start, end).replace(/\s+/g, " ") + (end < text.length ? "\u2026" : "");
    target.textContent = "";
    if (SECTIONS[best[0]]) target.appendChild(element("span", "snippet-section", SECTIONS[best[0]] + ": "));
    highlight(target, shownText);
  }

  // Where a query word (or, for the last one, a word starting with it) begins in `text`, or -1.
  function firstMatch(text) {
    var spans = wordSpans(text);
    for (var i = 0; i < spans.length; i++) if (spans[i][2]) return spans[i][0];
    return -1;
  }

  // [start, end, matches] of each word of `text`, in `text`'s own offsets.
  function wordSpans(text) {
    var spans = [];
    var pattern = /[\p{L}\p{N}\p{M}]+/gu; // marks too: fold drops them from words, not between
    var m;
    while ((m = pattern.exec(text))) {
      var folded = words(m[0]).join("");
      var hit = query.some(function (q, i) {
        return folded === q || (prefix && i === query.length - 1 && q.length > 1 && folded.startsWith(q));
      });
      spans.push([m.index, m.index + m[0].length, hit]);
    }
    return spans;
  }

  function highlight(node, text) {
    var last = 0;
    wordSpans(text).forEach(function (span) {
      if (!span[2]) return;
      node.append(text.slice(last, span[0]));
      node.appendChild(element("mark", "", text.slice(span[0], span[1])));
      last = span[1];
    });
    node.append(text.slice(last));
  }

  function failed(error) {
    status.textContent = "The search index could not be loaded (" + error.message + "). Rebuild the site and reload this page.";
  }

  // The query lives in the address, so a search can be bookmarked and shared.
  function remember(text, chosen) {
    var params = new URLSearchParams(chosen);
    if (text) params.set("q", text);
    var search = params.toString();
    try {
      history.replaceState(null, "", search ? "?" + search : location.pathname);
    } catch (e) {
      /* some browsers refuse this for file:// pages; the search still works */
    }
  }

  function start() {
    var params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    form.querySelectorAll("select").forEach(function (select) {
      var wanted = params.get(select.name);
      if (wanted && Array.from(select.options).some(function (o) { return o.value === wanted; })) select.value = wanted;
    });
    var timer = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 60);
    });
    // The box searches as it is typed in. Leaving it also fires "change", which must not
    // redraw the results: the arrow keys just moved the focus into them.
    form.addEventListener("change", function (event) {
      if (event.target !== input) search();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      search();
    });
    more.addEventListener("click", function () {
      var next = shown;
      showMore(generation);
      var link = list.children[next] && list.children[next].querySelector("a");
      if (link) link.focus();
    });
    document.addEventListener("keydown", keys);
    search();
    if (!input.value) input.focus();
  }

  // "/" jumps to the search box; arrows move between the results' titles and the box.
  function keys(event) {
    var links = Array.from(list.querySelectorAll("a.moment-title"));
    var at = links.indexOf(document.activeElement);
    var typing = /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName);
    if (event.key === "/" && !typing) {
      event.preventDefault();
      input.focus();
      input.select();
    } else if (event.key === "ArrowDown" && (document.activeElement === input || at >= 0)) {
      if (at + 1 < links.length) {
        event.preventDefault();
        links[at + 1].focus();
      }
    } else if (event.key === "ArrowUp" && at >= 0) {
      event.preventDefault();
      (at > 0 ? links[at - 1] : input).focus();
    } else if (event.key === "Escape" && document.activeElement === input && input.value) {
      input.value = "";
      search();
    }
  }
})();
