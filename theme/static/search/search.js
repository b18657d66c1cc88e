/* Search page: reads ?q=…&sort=…&tag=… from the URL, queries the site's Pagefind bundle
   (engine.js, query.js), shows the results, their count and the filters. The count is the
   whole archive's: "at least N" while older index groups load in the background, then the
   exact total; "More results" never changes it. */
import { openBundle } from "./engine.js";
import { startQuery } from "./query.js";
import { excerpt, number, say } from "./words.js";
import { onCommit } from "./commit.js";

var root = document.getElementById("search");
var form = document.getElementById("search-form");
var input = document.getElementById("search-q");
var order = document.getElementById("search-sort");
var refine = document.getElementById("search-refine");
var heading = document.getElementById("search-status");
var live = document.getElementById("search-live");
var list = document.getElementById("search-results");
var more = document.getElementById("search-more");
var text = JSON.parse(document.getElementById("search-text").textContent);
var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-filter]"));
var KEYS = selects.map(function (s) { return s.getAttribute("data-filter"); });
var PAGE = 10;
var bundleUrl = new URL(root.getAttribute("data-bundle"), location.href);
var site = new URL(root.getAttribute("data-site"), location.href).pathname;
var lang = document.documentElement.lang || "fr";
var french = /^fr\b/i.test(lang);
var dateFormat = new Intl.DateTimeFormat(lang, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
var run = 0;
var query = null;
var current = null;
var commits = [];

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
  commits.forEach(function (c) { c.reset(); });
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
  li.appendChild(excerpt(data, french));
  return li;
}

/* The heading states the count; data-count says whether it is exact ("partial": at least). */
function countText(state) {
  var count = query.count();
  var template = !count.exact ? text.atLeast : count.n === 0 ? text.none : count.n === 1 ? text.one : text.many;
  root.setAttribute("data-count", count.exact ? "exact" : "partial");
  return say(template, { n: number(count.n, lang), q: state.q });
}

function showCount(state, announce) {
  var words = countText(state);
  if (heading.textContent === words) return;
  heading.textContent = words;
  if (announce) live.textContent = words;
}

function showPage(token, state, focus) {
  return query.next(PAGE).then(function (part) {
    return Promise.all(part.map(function (r) { return r.data(); }));
  }).then(function (datas) {
    if (token !== run) return;
    var first = null;
    datas.forEach(function (d) { var li = item(d); first = first || li; list.appendChild(li); });
    showCount(state, focus === "result");
    more.hidden = query.done();
    if (focus === "result" && first) first.querySelector("a").focus();
    if (focus === "heading") heading.focus();
  });
}

/* Each filter's values with their counts; a select being changed with the keys keeps the
   value it shows (its change is applied on Enter or when it loses focus). */
function fillSelects(counts, state) {
  selects.forEach(function (s) {
    var key = s.getAttribute("data-filter");
    var values = counts[key] || {};
    var shown = s === document.activeElement ? s.value : state.filters[key] || "";
    var names = Object.keys(values).filter(function (v) { return values[v] > 0 || v === state.filters[key] || v === shown; });
    names.sort(key === "year" ? function (a, b) { return b.localeCompare(a); } : function (a, b) { return a.localeCompare(b, lang); });
    while (s.options.length > 1) s.remove(1);
    names.forEach(function (v) { s.add(new Option(v + " (" + number(values[v] || 0, lang) + ")", v)); });
    s.value = shown;
  });
}

/* In the background, once the first page is shown: the exact total (merging the groups not
   searched yet) and, when the filters are open, each filter value's count. */
function complete(token, state, mine) {
  var withCounts = refine.open;
  if (token !== run || (mine.count().exact && !withCounts)) return;
  mine.total(withCounts).then(function (got) {
    if (token !== run) return;
    showCount(state, true);
    if (got.counts) fillSelects(got.counts, state);
  }).catch(broken(token));
}

function broken(token) {
  return function (err) {
    if (token === run) {
      heading.textContent = text.broken;
      root.setAttribute("data-count", "exact");
    }
    if (window.console) console.error(err);
  };
}

function search(state, focus) {
  var token = ++run;
  current = state;
  query = null;
  fillForm(state);
  list.textContent = "";
  live.textContent = "";
  more.hidden = true;
  root.removeAttribute("data-count");
  if (!state.q) {
    heading.textContent = text.empty;
    root.removeAttribute("aria-busy");
    root.setAttribute("data-state", "ready");
    return Promise.resolve();
  }
  heading.textContent = text.busy;
  root.setAttribute("aria-busy", "true");
  root.setAttribute("data-state", "busy");
  return openBundle(bundleUrl, site).then(function (bundle) {
    if (token !== run) return;
    query = startQuery(bundle, state);
    return showPage(token, state, focus ? "heading" : null);
  }).then(function () {
    var mine = query;
    if (token === run && mine) setTimeout(function () { complete(token, state, mine); }, 0);
  }, broken(token)).then(function () {
    if (token !== run) return;
    if (focus && heading.textContent === text.broken) heading.focus();
    root.removeAttribute("aria-busy");
    root.setAttribute("data-state", "ready");
  });
}

function submit(event) {
  if (event) event.preventDefault();
  var state = formState();
  var url = stateUrl(state);
  if (url !== location.pathname + location.search) history.pushState(null, "", url);
  search(state, true);
}

form.addEventListener("submit", submit);
[order].concat(selects).forEach(function (s) {
  commits.push(onCommit(s, function () { if (input.value.trim()) submit(); }));
});
refine.addEventListener("toggle", function () {
  if (refine.open && query) complete(run, current, query);
});
more.addEventListener("click", function () {
  if (query) showPage(run, current, "result").catch(broken(run));
});
window.addEventListener("popstate", function () { search(readUrl(), true); });
search(readUrl(), true).then(function () { if (!input.value) input.focus(); });
