/* Choropleths of the profile pages, drawn with Leaflet from GeoJSON embedded in the page.
   No tile layer unless settings.MAP_TILE_URL gives one: the polygons alone make the map.
   Colours, labels and legend titles come from the page (json_script "profile-map-config",
   built from circonscriptions/profiles/leanings.py); numbers are written with
   Intl.NumberFormat in the page's language, the rule of the server's templates
   (21 310 ; 28,0 %). Tooltips and legends are DOM nodes filled with textContent. */
(function () {
  "use strict";

  var NNBSP = "\u202f";

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function formatter(language) {
    var cache = {};
    function number(v, digits) {
      var key = String(digits);
      if (!cache[key]) {
        cache[key] = new Intl.NumberFormat(language, { minimumFractionDigits: digits, maximumFractionDigits: digits });
      }
      return cache[key].format(v);
    }
    return {
      number: number,
      percent: function (v, digits) { return number(100 * v, digits) + NNBSP + "%"; },
      points: function (v, digits) { return (v > 0 ? "+" : "") + number(100 * v, digits) + NNBSP + "pt"; }
    };
  }

  function ramp(t, from, to) {
    // Linear blend of two RGB colours; t in [0, 1].
    var c = [0, 1, 2].map(function (i) { return Math.round(from[i] + (to[i] - from[i]) * t); });
    return "rgb(" + c.join(",") + ")";
  }

  var RAMPS = {
    abstention: [[237, 231, 246], [74, 20, 140]],
    turnout_differential: [[229, 245, 224], [0, 109, 44]],
    priority: [[255, 237, 160], [189, 0, 38]],
    opportunity: [[255, 237, 160], [189, 0, 38]]
  };

  function scaleOf(features, key) {
    var values = features.map(function (f) { return f.properties[key]; })
      .filter(function (v) { return v !== null && v !== undefined; });
    if (!values.length) return null;
    return { min: Math.min.apply(null, values), max: Math.max.apply(null, values) };
  }

  function makeMap(map, data, config) {
    var fmt = formatter(config.language || "fr-FR");
    var leaningColour = {};
    (config.leanings || []).forEach(function (l) { leaningColour[l.value] = l.colour; });
    var scales = {};
    Object.keys(RAMPS).forEach(function (k) { scales[k] = scaleOf(data.features, k); });

    function colour(mode, props) {
      if (mode === "leaning") return leaningColour[props.leaning] || "#c9c9c9";
      var v = props[mode], s = scales[mode], r = RAMPS[mode];
      if (v === null || v === undefined || !s || !r) return "#d0d0d0";
      var t = s.max > s.min ? (v - s.min) / (s.max - s.min) : 0.5;
      return ramp(t, r[0], r[1]);
    }

    function digitsFor(mode) {
      // Enough decimals for the legend's five steps to differ (0,31 / 0,36 rather than 0,3 / 0,4).
      var legend = config.legends[mode] || {}, s = scales[mode];
      var digits = legend.digits === undefined ? 1 : legend.digits;
      var factor = legend.percent || legend.points ? 100 : 1;
      var step = s ? factor * (s.max - s.min) / 4 : 0;
      while (step > 0 && digits < 3 && step < Math.pow(10, -digits) * 5) digits += 1;
      return digits;
    }

    function text(mode, v) {
      var legend = config.legends[mode] || {};
      if (v === null || v === undefined) return config.no_value || "—";
      var digits = digitsFor(mode);
      if (legend.percent) return fmt.percent(v, digits);
      if (legend.points) return fmt.points(v, digits);
      return fmt.number(v, digits);
    }

    function swatchItem(el, background, label, outlined) {
      var li = document.createElement("li");
      var sw = document.createElement("span");
      sw.className = "swatch" + (outlined ? " swatch-outlined" : "");
      sw.style.background = background;
      li.appendChild(sw);
      li.appendChild(document.createTextNode(label));
      el.appendChild(li);
    }

    function legend(el, mode) {
      if (!el) return;
      while (el.firstChild) el.removeChild(el.firstChild);
      var spec = config.legends[mode] || {};
      var title = document.getElementById(el.id + "-title");
      if (title) title.textContent = spec.title || "";
      if (mode === "leaning") {
        (config.leanings || []).forEach(function (l) { swatchItem(el, l.colour, l.label); });
        return;
      }
      var s = scales[mode];
      if (!s) { swatchItem(el, "#d0d0d0", config.no_value || "—"); return; }
      // Five steps from the lowest to the highest value of the map.
      for (var i = 0; i <= 4; i++) {
        var v = s.min + (s.max - s.min) * i / 4;
        var props = {}; props[mode] = v;
        swatchItem(el, colour(mode, props), text(mode, v));
      }
      if (spec.hotspot) swatchItem(el, "transparent", spec.hotspot, true);
    }

    function tooltip(props, mode) {
      var box = document.createElement("div");
      var name = document.createElement("strong");
      name.textContent = props.name;
      box.appendChild(name);
      var spec = config.legends[mode];
      if (spec && mode !== "leaning") {
        box.appendChild(document.createElement("br"));
        box.appendChild(document.createTextNode(spec.title + " : " + text(mode, props[mode])));
      } else if (props.leaning) {
        var l = (config.leanings || []).filter(function (x) { return x.value === props.leaning; })[0];
        if (l) { box.appendChild(document.createElement("br")); box.appendChild(document.createTextNode(l.label)); }
      }
      return box;
    }

    return { colour: colour, legend: legend, tooltip: tooltip };
  }

  function isOverseas(feature) { return feature.properties.metropolitan === false; }

  window.qgProfileMap = function (map) {
    var data = readJson("profile-map-data");
    var config = readJson("profile-map-config");
    if (!data || !config) return;
    var outline = readJson("profile-map-outline");
    var modes = document.querySelectorAll('input[name="map-mode"]');
    var checked = document.querySelector('input[name="map-mode"]:checked');
    var mode = checked ? checked.value : "opportunity";
    var legendEl = document.getElementById("profile-map-legend");
    var drawing = makeMap(map, data, config);

    function style(feature) {
      var p = feature.properties;
      var hot = mode === "turnout_differential" && p.turnout_differential_hotspot;
      return { color: hot ? "#000000" : "#333333", weight: hot ? 3 : 1, fillOpacity: 0.75,
               fillColor: drawing.colour(mode, p) };
    }
    if (outline) {
      L.geoJSON(outline, { style: { color: "#111111", weight: 2.5, fill: false }, interactive: false }).addTo(map);
    }
    var places = readJson("profile-map-places");
    var layer = L.geoJSON(data, {
      style: style,
      onEachFeature: function (feature, lyr) {
        var p = feature.properties;
        lyr.bindTooltip(function () { return drawing.tooltip(p, mode); });
        if (p.url) lyr.on("click", function () { window.location.href = p.url; });
      }
    }).addTo(map);
    // Without tiles, the communes' outlines and names (static/js/map_places.js), above the bureaux.
    if (places && window.qgMapPlaces) window.qgMapPlaces(map, places);
    // The national map is framed on metropolitan France: overseas territories would
    // make it a speck. They are reached with the « Outre-mer » buttons below the map.
    map.options.zoomSnap = 0.25;  // a frame close to the territory, not the nearest whole zoom level
    var home = L.latLngBounds([]);
    layer.eachLayer(function (lyr) { if (!isOverseas(lyr.feature)) home.extend(lyr.getBounds()); });
    if (!home.isValid()) home = layer.getBounds();
    // Not animated: the page opens on its frame, and a button pressed at once is not swallowed
    // by a zoom animation still running.
    if (home.isValid()) map.fitBounds(home, { padding: [8, 8], animate: false });
    map.getContainer().setAttribute("data-ready", "1");
    document.querySelectorAll("[data-zoom-departement]").forEach(function (button) {
      button.addEventListener("click", function () {
        var code = button.getAttribute("data-zoom-departement");
        var bounds = L.latLngBounds([]);
        layer.eachLayer(function (lyr) { if (lyr.feature.properties.departement === code) bounds.extend(lyr.getBounds()); });
        if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8], animate: false });
      });
    });
    var homeButton = document.querySelector("[data-zoom-home]");
    if (homeButton) homeButton.addEventListener("click", function () { map.fitBounds(home, { padding: [8, 8], animate: false }); });
    drawing.legend(legendEl, mode);
    Array.prototype.forEach.call(modes, function (input) {
      input.addEventListener("change", function () {
        mode = input.value;
        layer.setStyle(style);
        drawing.legend(legendEl, mode);
      });
    });
  };
})();
