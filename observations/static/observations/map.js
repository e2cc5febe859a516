/* HQ's map of observations: polygons of the polling stations observed, points for the
   communes observed without a polling station. No tile layer unless settings give one.
   Tooltips are DOM nodes filled with textContent, never HTML strings. */
(function () {
  "use strict";
  window.qgObservationMap = function (map) {
    var el = document.getElementById("obs-map-data");
    var data = el ? JSON.parse(el.textContent) : null;
    if (!data || !data.features.length) return;
    var layer = L.geoJSON(data, {
      style: function (f) {
        var n = f.properties.count;
        return { color: "#6e0818", weight: 1, fillColor: "#9b0d24", fillOpacity: Math.min(0.85, 0.25 + 0.12 * n) };
      },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: 5 + Math.min(10, f.properties.count), color: "#6e0818", fillColor: "#9b0d24", fillOpacity: 0.7 });
      },
      onEachFeature: function (f, l) {
        // A DOM node filled with textContent: a string given to Leaflet is inserted as HTML,
        // and the label is a commune's or a bureau's name, typed by whoever imported it.
        var box = document.createElement("span");
        box.textContent = f.properties.label + " : " + f.properties.count;
        l.bindTooltip(box);
      }
    }).addTo(map);
    var places = document.getElementById("obs-map-places");
    if (places && window.qgMapPlaces) window.qgMapPlaces(map, JSON.parse(places.textContent));
    map.fitBounds(layer.getBounds(), { maxZoom: 14 });
    document.getElementById("obs-map").dataset.features = String(data.features.length);
  };
})();
