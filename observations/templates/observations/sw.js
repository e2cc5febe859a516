/* QG's service worker: the observation form and the activist's home open without network.

   Served at /sw.js (scope: the whole site) by observations.views.service_worker, which
   writes the lists below. Pages: network first — a page received is kept, replacing the
   former copy — and the kept copy when the network fails. A page that answers with a
   redirect (the log-in page after the session ended) is never kept. Static files: the
   copy kept, else the network (their names change with their content in production).
   Logging out deletes everything kept (static/js/logout.js). */
"use strict";

var PREFIX = "qg-offline-";
var CACHE = PREFIX + {{ version_json|safe }};
var PAGES = {{ pages_json|safe }};
var ASSETS = {{ assets_json|safe }};
var STATIC = {{ static_json|safe }};

function keep(cache, path) {
  return fetch(path, { credentials: "same-origin" }).then(function (response) {
    if (response.ok && !response.redirected) return cache.put(path, response);
  }, function () { /* offline at install: kept at the next visit */ });
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(ASSETS.concat(PAGES).map(function (path) { return keep(cache, path); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf(PREFIX) === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && PAGES.indexOf(url.pathname) !== -1) {
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
      }
      return response;
    }, function () {
      return caches.match(url.pathname).then(function (kept) { return kept || Response.error(); });
    }));
    return;
  }
  if (url.pathname.indexOf(STATIC) === 0) {
    event.respondWith(caches.match(url.pathname).then(function (kept) {
      return kept || fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
        }
        return response;
      });
    }));
  }
});
