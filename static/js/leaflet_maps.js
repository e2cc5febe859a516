/* Starts the maps of django-leaflet's {% leaflet_map %} tag (templates/leaflet/_leaflet_map.html).
   The tag's own inline script would be refused by QG's Content-Security-Policy: this file does
   the same from the data- attributes. `data-callback` names a global function
   ("window.qgProfileMap"); it is looked up, never evaluated. */
(function () {
  "use strict";

  function globalFunction(path) {
    if (!path) { return null; }
    var value = window;
    path.replace(/^window\./, "").split(".").forEach(function (key) {
      value = value === undefined || value === null ? undefined : value[key];
    });
    return typeof value === "function" ? value : null;
  }

  function start(marker) {
    if (marker.dataset.started) { return; }  // the script is included once per map
    marker.dataset.started = "1";
    var name = marker.dataset.qgLeafletMap;
    var globals = marker.dataset.globals === "true";
    function loadmap() {
      var map = L.Map.djangoMap(name, {
        djoptions: JSON.parse(marker.dataset.options),
        initfunc: loadmap,
        globals: globals,
        callback: globalFunction(marker.dataset.callback)
      });
      if (globals) { window["leafletmap" + name] = map; }
    }
    if (globals) { window["loadmap" + name] = loadmap; }
    var events = JSON.parse(marker.dataset.loadevents);
    if (events.length === 0) { loadmap(); return; }
    events.forEach(function (event) { window.addEventListener(event, loadmap, false); });
  }

  document.querySelectorAll("[data-qg-leaflet-map]").forEach(start);
})();
