/* The fiche's interactive map: Leaflet, from the GeoJSON embedded in the page, no tile
   layer unless the site configures one. Priority stations are outlined and numbered. */
(function () {
  "use strict";
  var COLOURS = { left: "#c8102e", swing: "#8e5cc4", right: "#1f4e9c" };

  function start() {
    var el = document.getElementById("fiche-map-data");
    var box = document.getElementById("fiche-leaflet");
    if (!el || !box || !window.L) return;
    var data = JSON.parse(el.textContent);
    var article = document.querySelector(".fiche");
    if (article) article.classList.add("has-leaflet");
    var map = L.map(box, { attributionControl: true, zoomSnap: 0.25 });
    var tiles = document.getElementById("fiche-map-tiles");
    var tile = tiles ? JSON.parse(tiles.textContent) : null;
    if (tile && tile.url) L.tileLayer(tile.url, { attribution: tile.attribution || "" }).addTo(map);
    var layers = [];
    if (data.communes && data.communes.length) {
      layers.push(L.geoJSON({ type: "FeatureCollection", features: data.communes.map(function (c) {
        return { type: "Feature", geometry: c.geometry, properties: { name: c.name } };
      }) }, { style: { color: "#b5b0a5", weight: 1, fillColor: "#f1efe9", fillOpacity: 1 }, interactive: false }).addTo(map));
    }
    if (data.outline) {
      layers.push(L.geoJSON(data.outline, { style: { color: "#111111", weight: 2.5, fill: false }, interactive: false }).addTo(map));
    }
    var stations = L.geoJSON({ type: "FeatureCollection", features: (data.stations || []).map(function (s) {
      return { type: "Feature", geometry: s.geometry, properties: s };
    }) }, {
      style: function (f) {
        var p = f.properties;
        return { color: p.priority_rank ? "#111111" : "#ffffff", weight: p.priority_rank ? 2 : 0.5,
                 fillColor: COLOURS[p.leaning] || "#c9c9c9", fillOpacity: p.priority_rank ? 0.85 : 0.45 };
      },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        layer.bindTooltip((p.priority_rank ? p.priority_rank + ". " : "") + p.label);
      }
    }).addTo(map);
    layers.push(stations);
    var bounds = null;
    layers.forEach(function (l) { var b = l.getBounds(); if (b.isValid()) bounds = bounds ? bounds.extend(b) : b; });
    if (bounds) map.fitBounds(bounds, { padding: [8, 8] });
    else map.setView([46.6, 2.4], 5);
    box.setAttribute("data-ready", "1");
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

// The share link's field selects itself on focus (here, not inline: QG's CSP runs no inline handler).
document.querySelectorAll("[data-select-on-focus]").forEach(function (field) {
  field.addEventListener("focus", function () { field.select(); });
});
