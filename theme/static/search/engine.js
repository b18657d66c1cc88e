/* The Pagefind bundle of the site: its index groups (pagefind/indexes.json, newest first), the
   newest loaded first and the others merged (Pagefind's mergeIndex) when a query needs them.
   Each group carries a synthetic "bundle" filter naming it, so one group can be searched. */

var EXCERPT_WORDS = 26;

/* The groups as listed by the manifest, or the bundle as one group when there is none. */
function readManifest(bundle) {
  return fetch(new URL("indexes.json", bundle)).then(function (r) {
    return r.ok ? r.json() : null;
  }).catch(function () { return null; }).then(function (manifest) {
    var groups = manifest && manifest.indexes;
    return groups && groups.length ? groups : [{ path: "", key: "all" }];
  });
}

function Bundle(pf, groups, bundle, site) {
  this.pf = pf;
  this.groups = groups;
  this.bundle = bundle;
  this.site = site;
  this.merging = [Promise.resolve()];
  this.ready = 1;
}

/* Promise of group `i` being searchable (merged and initialised). */
Bundle.prototype.merge = function (i) {
  var self = this;
  if (!this.merging[i]) {
    var group = this.groups[i];
    this.merging[i] = this.pf.mergeIndex(new URL(group.path, this.bundle).pathname, {
      baseUrl: this.site, excerptLength: EXCERPT_WORDS, mergeFilter: { bundle: group.key }
    }).then(function () { self.ready += 1; });
  }
  return this.merging[i];
};

/* Promise of every group being searchable. */
Bundle.prototype.mergeAll = function () {
  var jobs = [];
  for (var i = 0; i < this.groups.length; i++) jobs.push(this.merge(i));
  return Promise.all(jobs);
};

/* Whether every group is merged and initialised already. */
Bundle.prototype.complete = function () {
  return this.ready >= this.groups.length;
};

var opened = null;

/* Promise of the site's Bundle (loaded once): `bundle` is the URL of pagefind/, `site` the
   path result links start with. */
export function openBundle(bundle, site) {
  if (!opened) {
    opened = Promise.all([import(new URL("pagefind.js", bundle).href), readManifest(bundle)])
      .then(function (got) {
        var pf = got[0], groups = got[1];
        return pf.options({
          basePath: bundle.pathname, baseUrl: site, noWorker: true,
          excerptLength: EXCERPT_WORDS, mergeFilter: { bundle: groups[0].key }
        }).then(function () { return new Bundle(pf, groups, bundle, site); });
      });
    opened.catch(function () { opened = null; });
  }
  return opened;
}
