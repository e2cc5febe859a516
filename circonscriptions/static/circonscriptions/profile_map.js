/* Choropleths of the profile pages, drawn with Leaflet from GeoJSON embedded in the page.
   No tile layer unless settings.MAP_TILE_URL gives one: the polygons alone make the map. */
(function () {
  "use strict";

  var LEANING = { left: "#c8102e", swing: "#8e5cc4", right: "#1f4e9c" };
  var LEANING_LABEL = { left: "acquis à gauche", swing: "hésitant", right: "acquis à droite" };

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function ramp(t, from, to) {
    // Linear blend of two RGB colours; t in [0, 1].
    var c = [0, 1, 2].map(function (i) { return Math.round(from[i] + (to[i] - from[i]) * t); });
    return "rgb(" + c.join(",") + ")";
  }

  function scaleOf(features, key) {
    var values = features.map(function (f) { return f.properties[key]; }).filter(function (v) { return v !== null && v !== undefined; });
    if (!values.length) return null;
    return { min: Math.min.apply(null, values), max: Math.max.apply(null, values) };
  }

  function colour(mode, props, scales) {
    if (mode === "leaning") return LEANING[props.leaning] || "#bbbbbb";
    var v = props[mode], s = scales[mode];
    if (v === null || v === undefined || !s) return "#d0d0d0";
    var t = s.max > s.min ? (v - s.min) / (s.max - s.min) : 0.5;
    return mode === "abstention" ? ramp(t, [237, 231, 246], [74, 20, 140]) : ramp(t, [255, 237, 160], [189, 0, 38]);
  }

  function fmt(mode, v) {
    if (v === null || v === undefined) return "—";
    return mode === "abstention" ? (100 * v).toFixed(1) + " %" : v.toFixed(2);
  }

  function legend(el, mode, scales) {
    if (!el) return;
    el.innerHTML = "";
    var items = [];
    if (mode === "leaning") {
      Object.keys(LEANING).forEach(function (k) { items.push([LEANING[k], LEANING_LABEL[k]]); });
    } else if (scales[mode]) {
      var s = scales[mode];
      items.push([colour(mode, { [mode]: s.min }, scales), fmt(mode, s.min)]);
      items.push([colour(mode, { [mode]: s.max }, scales), fmt(mode, s.max)]);
    }
    items.forEach(function (item) {
      var li = document.createElement("li");
      var sw = document.createElement("span");
      sw.className = "swatch";
      sw.style.background = item[0];
      li.appendChild(sw);
      li.appendChild(document.createTextNode(item[1]));
      el.appendChild(li);
    });
  }

  window.qgProfileMap = function (map) {
    var data = readJson("profile-map-data");
    if (!data) return;
    var outline = readJson("profile-map-outline");
    var modes = document.querySelectorAll('input[name="map-mode"]');
    var checked = document.querySelector('input[name="map-mode"]:checked');
    var mode = checked ? checked.value : "opportunity";
    var scales = {};
    ["priority", "abstention", "opportunity"].forEach(function (k) { scales[k] = scaleOf(data.features, k); });
    var legendEl = document.getElementById("profile-map-legend");

    function style(feature) {
      return { color: "#333333", weight: 1, fillOpacity: 0.75, fillColor: colour(mode, feature.properties, scales) };
    }
    if (outline) {
      L.geoJSON(outline, { style: { color: "#111111", weight: 2.5, fill: false }, interactive: false }).addTo(map);
    }
    var layer = L.geoJSON(data, {
      style: style,
      onEachFeature: function (feature, lyr) {
        var p = feature.properties;
        lyr.bindTooltip(p.name);
        if (p.url) lyr.on("click", function () { window.location.href = p.url; });
      }
    }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
    legend(legendEl, mode, scales);
    Array.prototype.forEach.call(modes, function (input) {
      input.addEventListener("change", function () {
        mode = input.value;
        layer.setStyle(style);
        legend(legendEl, mode, scales);
      });
    });
  };
})();
