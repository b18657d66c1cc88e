/* One query over a Bundle's groups: its results in display order, page by page, and how many
   items of the whole archive match it: a lower bound while groups remain unsearched ("at
   least"), the exact total once every group was searched.

   Newest first walks the groups newest first (Pagefind's date sort is exact within a group),
   merging each only when reached, so the first page needs only the newest groups; `total()`
   then merges the rest in the background. Relevance compares every group, so its first page
   needs them all and its count is exact from the start. */

var NEWEST = { date: "desc" };

function Query(bundle, state) {
  this.bundle = bundle;
  this.q = state.q;
  this.filters = state.filters;
  this.byDate = state.sort !== "relevance";
  this.part = 0;
  this.queue = [];
  this.seen = 0;
  this.exact = null;
  this.totals = null;
  this.counting = null;
}

/* Promise of the results of group `i` only, newest first; adds them to the items seen. */
Query.prototype.searchGroup = function (i) {
  var self = this, group = this.bundle.groups[i];
  var filters = Object.assign({}, this.filters, { bundle: group.key });
  return this.bundle.merge(i).then(function () {
    return self.bundle.pf.search(self.q, { filters: filters, sort: NEWEST });
  }).then(function (found) {
    self.seen += found.results.length;
    return found.results;
  });
};

/* Promise that the queue holds `n` results, or that every group was searched. */
Query.prototype.fill = function (n) {
  var self = this, groups = this.bundle.groups.length;
  if (this.queue.length >= n || this.part >= groups) return Promise.resolve();
  return this.searchGroup(this.part++).then(function (results) {
    self.queue = self.queue.concat(results);
    if (self.part >= groups && self.exact === null) self.exact = self.seen;
    return self.fill(n);
  });
};

/* Promise of every group merged and searched at once (no sort): the exact total, and with
   `withCounts` the number of matches of each filter value (which loads every filter chunk). */
Query.prototype.total = function (withCounts) {
  var self = this, pf = this.bundle.pf;
  if (this.totals && (this.totals.counts || !withCounts)) return this.totals.done;
  var done = this.bundle.mergeAll().then(function () {
    return withCounts ? pf.filters() : null;
  }).then(function () {
    return pf.search(self.q, { filters: self.filters });
  }).then(function (found) {
    self.exact = found.results.length;
    return { found: found, counts: withCounts ? found.totalFilters || found.filters || {} : null };
  });
  this.totals = { done: done, counts: withCounts };
  return done;
};

/* Promise of the next `n` results (Pagefind results: call .data() for their fragments). */
Query.prototype.next = function (n) {
  var self = this;
  var ready;
  if (!this.byDate) {
    ready = this.list ? Promise.resolve() : this.total(false).then(function (got) {
      self.list = got.found.results;
    });
  } else if (this.part === 0 && this.bundle.complete()) {
    /* Every group is merged already (an earlier query): counting costs no download. */
    ready = this.total(false).then(function () { return self.fill(n); });
  } else {
    ready = this.fill(n);
  }
  return ready.then(function () {
    if (!self.byDate) {
      var at = self.shown || 0;
      self.shown = at + n;
      return self.list.slice(at, at + n);
    }
    return self.queue.splice(0, n);
  });
};

/* Whether every result was handed out. */
Query.prototype.done = function () {
  if (!this.byDate) return !!this.list && (this.shown || 0) >= this.list.length;
  return this.part >= this.bundle.groups.length && this.queue.length === 0;
};

/* How many items match: {n, exact}; when not exact, n is a lower bound. */
Query.prototype.count = function () {
  return this.exact === null ? { n: this.seen, exact: false } : { n: this.exact, exact: true };
};

/* A new Query for state {q, sort, filters} on `bundle`. */
export function startQuery(bundle, state) {
  return new Query(bundle, state);
}
