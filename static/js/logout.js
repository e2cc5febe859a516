/* Logging out leaves nothing of QG on the phone: the reports kept offline by the
   observation form (observations/offline.js) may name a sympathiser met in the street,
   with their phone number, and a phone is often shared. Every form that logs out (the
   menu's button, allauth's confirmation page) clears QG's keys from localStorage as it
   is sent, and deletes the pages kept offline by the service worker. The log-out URL comes from the page (<meta name="qg-logout-url">). */
(function () {
  "use strict";

  var PREFIX = "qg-";
  var meta = document.querySelector('meta[name="qg-logout-url"]');
  if (!meta) return;
  var logoutPath = new URL(meta.getAttribute("content"), window.location.href).pathname;

  function clearQG() {
    try {
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var key = localStorage.key(i);
        if (key && key.indexOf(PREFIX) === 0) localStorage.removeItem(key);
      }
    } catch (e) { /* storage disabled: nothing was kept */ }
    // The pages the service worker keeps for offline use show the member's name and federation.
    if (window.caches) {
      caches.keys().then(function (keys) {
        keys.forEach(function (key) { if (key.indexOf(PREFIX) === 0) caches.delete(key); });
      });
    }
  }

  // Captured on the document: any log-out form, wherever the page puts it.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.getAttribute) return;
    var action = form.getAttribute("action") || window.location.href;
    if (new URL(action, window.location.href).pathname === logoutPath) clearQG();
  }, true);
})();
