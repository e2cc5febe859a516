// Draws the GeoJSON held by each <div class="qg-shape-map" data-geojson="…"> with Leaflet.
// No tile layer unless one is configured (data-tiles): the polygons draw on a blank background.
(function () {
  "use strict";
  function draw(element) {
    var map = L.map(element, { attributionControl: false });
    var tiles = element.dataset.tiles;
    if (tiles) {
      L.tileLayer(tiles, { attribution: element.dataset.attribution || "" }).addTo(map);
    }
    var layer = L.geoJSON(JSON.parse(element.dataset.geojson), {
      style: { color: "#b5121b", weight: 2, fillOpacity: 0.15 },
    }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [10, 10] });
    } else {
      map.setView([46.6, 2.4], 5);
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".qg-shape-map[data-geojson]").forEach(draw);
  });
})();
