/* Registers QG's service worker (its address comes from <meta name="qg-service-worker">),
   so that the observation form and the activist's home open without network after a
   first visit. Browsers without service workers (or outside HTTPS) get the pages online only. */
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="qg-service-worker"]');
  if (!meta || !("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register(meta.getAttribute("content"), { scope: "/" }).catch(function () {
    /* not available here (private mode, an old browser): the pages still work online */
  });
})();
