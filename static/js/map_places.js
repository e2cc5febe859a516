/* Commune outlines and names on a Leaflet map drawn without tiles (circonscriptions/places.py
   sends them; with a tile server, the tiles show the places and nothing is sent).
   window.qgMapPlaces(map, places): outlines under everything else, names as text labels that
   take no pointer and no keyboard focus. Labels are DOM text nodes, never HTML. */
(function () {
  "use strict";

  window.qgMapPlaces = function (map, places) {
    if (!places || !places.length || !window.L) return null;
    var outlines = L.geoJSON({ type: "FeatureCollection", features: places.map(function (p) {
      return { type: "Feature", geometry: p.geometry, properties: { name: p.name } };
    }) }, { style: { color: "#8c877b", weight: 1, dashArray: "4 3", fill: false }, interactive: false });
    outlines.addTo(map);
    outlines.bringToBack();
    places.forEach(function (p) {
      var text = document.createElement("span");
      text.textContent = p.name;
      var icon = L.divIcon({ className: "map-place-label", html: text, iconSize: null });
      L.marker([p.label[1], p.label[0]], { icon: icon, interactive: false, keyboard: false }).addTo(map);
    });
    return outlines;
  };
})();
