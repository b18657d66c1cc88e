/* Search page: reads ?q=…&sort=…&tag=… from the URL, queries the Pagefind bundle, shows results.
   Loads {SITEURL}/pagefind/pagefind.js and the per-year indexes listed in pagefind/indexes.json. */
(function () {
  "use strict";
  var root = document.getElementById("search");
  if (!root) return;
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var order = document.getElementById("search-sort");
  var refine = document.getElementById("search-refine");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var text = JSON.parse(document.getElementById("search-text").textContent);
  var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-filter]"));
  var KEYS = selects.map(function (s) { return s.getAttribute("data-filter"); });
  var PAGE = 10;
  var bundle = new URL(root.getAttribute("data-bundle"), location.href);
  var site = new URL(root.getAttribute("data-site"), location.href).pathname;
  var lang = document.documentElement.lang || "fr";
  var dateFormat = new Intl.DateTimeFormat(lang, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  var engine = null;
  var filtersLoaded = null;
  var run = 0;
  var cursor = null;
  var withFilters = false;

  function say(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; });
  }

  /* Pagefind on the newest index; older indexes (pagefind/indexes.json, newest first) are merged
     only when a query needs them. Each carries a synthetic "bundle" filter naming it. */
  function load() {
    if (engine) return engine;
    var manifest = fetch(new URL("indexes.json", bundle)).then(function (r) {
      return r.ok ? r.json() : null;
    }).catch(function () { return null; });
    engine = Promise.all([import(new URL("pagefind.js", bundle).href), manifest]).then(function (got) {
      var pf = got[0];
      var indexes = (got[1] && got[1].indexes) || [{ path: "", key: "all" }];
      return pf.options({
        basePath: bundle.pathname, baseUrl: site, noWorker: true, excerptLength: 26,
        mergeFilter: { bundle: indexes[0].key }
      }).then(function () {
        return { pf: pf, indexes: indexes, merged: 1, ready: Promise.resolve() };
      });
    });
    return engine;
  }

  function mergeUpTo(engine, last) {
    var jobs = [engine.ready];
    while (engine.merged <= last && engine.merged < engine.indexes.length) {
      var index = engine.indexes[engine.merged++];
      jobs.push(engine.pf.mergeIndex(new URL(index.path, bundle).pathname,
        { baseUrl: site, mergeFilter: { bundle: index.key } }));
    }
    engine.ready = Promise.all(jobs);
    return engine.ready;
  }

  function readUrl() {
    var params = new URLSearchParams(location.search);
    var state = { q: (params.get("q") || "").trim(), sort: params.get("sort") === "relevance" ? "relevance" : "date", filters: {} };
    KEYS.forEach(function (k) { if (params.get(k)) state.filters[k] = params.get(k); });
    return state;
  }

  function fillForm(state) {
    input.value = state.q;
    order.value = state.sort;
    selects.forEach(function (s) {
      var value = state.filters[s.getAttribute("data-filter")] || "";
      if (value && !Array.prototype.some.call(s.options, function (o) { return o.value === value; })) {
        s.add(new Option(value, value));
      }
      s.value = value;
    });
    if (Object.keys(state.filters).length) refine.open = true;
  }

  function stateUrl(state) {
    var params = new URLSearchParams();
    params.set("q", state.q);
    if (state.sort !== "date") params.set("sort", state.sort);
    KEYS.forEach(function (k) { if (state.filters[k]) params.set(k, state.filters[k]); });
    return location.pathname + "?" + params.toString();
  }

  function formState() {
    var state = { q: input.value.trim(), sort: order.value, filters: {} };
    selects.forEach(function (s) { if (s.value) state.filters[s.getAttribute("data-filter")] = s.value; });
    return state;
  }

  /* Results in display order, fetched page by page. Newest first walks the indexes newest
     first (Pagefind's date sort is exact within one index), merging each only when reached. */
  function makeCursor(engine, state) {
    var pf = engine.pf;
    if (state.sort === "relevance") {
      return mergeUpTo(engine, Infinity).then(function () {
        return pf.search(state.q, { filters: state.filters });
      }).then(function (found) { return listCursor(found.results); });
    }
    var indexes = engine.indexes;
    return Promise.resolve(partCursor(indexes.length, function (i) {
      var filters = Object.assign({}, state.filters, { bundle: indexes[i].key });
      return mergeUpTo(engine, i).then(function () {
        return pf.search(state.q, { filters: filters, sort: { date: "desc" } });
      }).then(function (found) { return { results: found.results, since: indexes[i].from }; });
    }));
  }

  function listCursor(results) {
    var at = 0;
    return {
      count: results.length, complete: true, since: null,
      next: function (n) { var part = results.slice(at, at + n); at += part.length; return Promise.resolve(part); },
      done: function () { return at >= results.length; }
    };
  }

  function partCursor(parts, searchPart) {
    var part = 0, queue = [];
    var cursor = {
      count: 0, complete: false, since: null,
      next: function (n) { return fill(n).then(function () { return queue.splice(0, n); }); },
      done: function () { return cursor.complete && queue.length === 0; }
    };
    function fill(n) {
      if (queue.length >= n || cursor.complete) return Promise.resolve();
      return searchPart(part++).then(function (found) {
        queue = queue.concat(found.results);
        cursor.count += found.results.length;
        cursor.since = found.since;
        cursor.complete = part >= parts;
        return fill(n);
      });
    }
    return cursor;
  }

  function excerpt(html) {
    /* Pagefind's excerpt escapes < and > and marks matches with <mark>: rebuild it as nodes. */
    var p = document.createElement("p");
    p.className = "excerpt";
    html.split(/(<mark>[\s\S]*?<\/mark>)/).forEach(function (piece) {
      var marked = /^<mark>([\s\S]*)<\/mark>$/.exec(piece);
      var node = document.createTextNode(unescape(marked ? marked[1] : piece));
      if (marked) { var m = document.createElement("mark"); m.appendChild(node); node = m; }
      p.appendChild(node);
    });
    return p;
  }

  function unescape(s) {
    return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }

  function showDate(value) {
    /* The date as written in the item's own time zone (2025-10-31T23:30+01:00 is the 31st). */
    var ymd = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
    return ymd ? dateFormat.format(new Date(Date.UTC(+ymd[1], ymd[2] - 1, +ymd[3], 12))) : value;
  }

  function item(data) {
    var li = document.createElement("li");
    li.className = "result";
    var h = document.createElement("h2");
    var a = document.createElement("a");
    a.href = data.url;
    a.textContent = (data.meta && data.meta.title) || data.url;
    h.appendChild(a);
    li.appendChild(h);
    var meta = document.createElement("p");
    meta.className = "meta";
    if (data.meta && data.meta.date) {
      var t = document.createElement("time");
      t.dateTime = data.meta.date;
      t.textContent = showDate(data.meta.date);
      meta.appendChild(t);
    }
    var source = (data.meta && data.meta.source) || (data.filters && data.filters.source && data.filters.source[0]);
    if (source) {
      var s = document.createElement("span");
      s.className = "source";
      s.textContent = source;
      if (meta.firstChild) meta.appendChild(document.createTextNode(" · "));
      meta.appendChild(s);
    }
    li.appendChild(meta);
    li.appendChild(excerpt(data.excerpt || ""));
    return li;
  }

  /* An index's first month ("2024-03") as words ("mars 2024"). */
  var monthFormat = new Intl.DateTimeFormat(lang, { month: "long", year: "numeric", timeZone: "UTC" });
  function monthName(value) {
    var m = /^(\d{4})-(\d{2})$/.exec(value || "");
    return m ? monthFormat.format(new Date(Date.UTC(+m[1], +m[2] - 1, 1))) : value;
  }

  function showCount(state) {
    var n = cursor.count, values = { n: n.toLocaleString(lang), q: state.q, year: monthName(cursor.since) };
    var template = !cursor.complete && cursor.since ? text.since
      : n === 0 ? text.none : n === 1 ? text.one : text.many;
    status.textContent = say(template, values);
  }

  function showPage(token, state, focusFirst) {
    return cursor.next(PAGE).then(function (part) {
      return Promise.all(part.map(function (r) { return r.data(); }));
    }).then(function (datas) {
      if (token !== run) return;
      var first = null;
      datas.forEach(function (d) { var li = item(d); first = first || li; list.appendChild(li); });
      showCount(state);
      more.hidden = cursor.done();
      if (focusFirst && first) first.querySelector("a").focus();
    });
  }

  function fillSelects(counts, state) {
    selects.forEach(function (s) {
      var key = s.getAttribute("data-filter");
      var values = counts[key] || {};
      var names = Object.keys(values).filter(function (v) { return values[v] > 0 || v === state.filters[key]; });
      names.sort(key === "year" ? function (a, b) { return b.localeCompare(a); } : function (a, b) { return a.localeCompare(b, lang); });
      while (s.options.length > 1) s.remove(1);
      names.forEach(function (v) { s.add(new Option(v + " (" + (values[v] || 0) + ")", v)); });
      s.value = state.filters[key] || "";
    });
  }

  function search(state) {
    var token = ++run;
    fillForm(state);
    list.textContent = "";
    more.hidden = true;
    if (!state.q) { status.textContent = text.empty; root.setAttribute("data-state", "ready"); return Promise.resolve(); }
    status.textContent = text.busy;
    root.setAttribute("aria-busy", "true");
    root.setAttribute("data-state", "busy");
    var needFilters = refine.open || Object.keys(state.filters).length > 0;
    withFilters = needFilters;
    return load().then(function (engine) {
      if (!needFilters) return engine;
      /* Filter choices with their counts need every index and its filter chunks. */
      return mergeUpTo(engine, Infinity).then(function () { return loadFilters(engine); }).then(function () {
        return engine.pf.search(state.q, { filters: state.filters });
      }).then(function (base) {
        if (token === run) fillSelects(base.totalFilters || base.filters || {}, state);
        return engine;
      });
    }).then(function (engine) {
      return makeCursor(engine, state);
    }).then(function (made) {
      if (token !== run) return;
      cursor = made;
      return showPage(token, state, false);
    }).catch(function (err) {
      if (token === run) status.textContent = text.broken;
      if (window.console) console.error(err);
    }).then(function () {
      if (token !== run) return;
      root.removeAttribute("aria-busy");
      root.setAttribute("data-state", "ready");
    });
  }

  function loadFilters(engine) {
    if (!filtersLoaded) filtersLoaded = engine.pf.filters();
    return filtersLoaded;
  }

  function submit(event) {
    if (event) event.preventDefault();
    var state = formState();
    var url = stateUrl(state);
    if (url !== location.pathname + location.search) history.pushState(null, "", url);
    search(state);
  }

  form.addEventListener("submit", submit);
  order.addEventListener("change", function () { if (input.value.trim()) submit(); });
  selects.forEach(function (s) { s.addEventListener("change", function () { if (input.value.trim()) submit(); }); });
  refine.addEventListener("toggle", function () { if (refine.open && !withFilters && readUrl().q) search(readUrl()); });
  more.addEventListener("click", function () { showPage(run, readUrl(), true); });
  window.addEventListener("popstate", function () { search(readUrl()); });
  search(readUrl()).then(function () { if (!input.value) input.focus(); });
})();
