/* The fiche's interactive map: Leaflet, from the GeoJSON embedded in the page, no tile
   layer unless the site configures one. Priority stations are outlined and numbered.
   Colours and labels of the leanings come from the page (json_script "fiche-map-style",
   the one table of circonscriptions/profiles/leanings.py); tooltips are DOM nodes. */
(function () {
  "use strict";

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function tooltip(p, labels) {
    var box = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = (p.priority_rank ? p.priority_rank + ". " : "") + p.label;
    box.appendChild(name);
    if (labels[p.leaning]) {
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(labels[p.leaning]));
    }
    return box;
  }

  function legend(box, style) {
    // The SVG map (and its legend) is hidden when Leaflet draws: the same legend, as text nodes.
    var wrap = document.createElement("div");
    wrap.className = "fiche-legend";
    var title = document.createElement("p");
    title.className = "fiche-legend-title";
    title.textContent = style.title || "";
    wrap.appendChild(title);
    var list = document.createElement("ul");
    style.leanings.forEach(function (l) {
      var li = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "fiche-swatch";
      swatch.style.background = l.colour;
      li.appendChild(swatch);
      li.appendChild(document.createTextNode(l.label));
      list.appendChild(li);
    });
    wrap.appendChild(list);
    if (style.numbered) {
      var note = document.createElement("p");
      note.textContent = style.numbered;
      wrap.appendChild(note);
    }
    box.parentNode.insertBefore(wrap, box.nextSibling);
  }

  function start() {
    var el = document.getElementById("fiche-map-data");
    var box = document.getElementById("fiche-leaflet");
    if (!el || !box || !window.L) return;
    var data = JSON.parse(el.textContent);
    var style = readJson("fiche-map-style") || { leanings: [] };
    var colours = {}, labels = {}, fallback = "#c9c9c9";
    style.leanings.forEach(function (l) {
      if (l.value === null) { fallback = l.colour; return; }
      colours[l.value] = l.colour;
      labels[l.value] = l.label;
    });
    var article = document.querySelector(".fiche");
    if (article) article.classList.add("has-leaflet");
    // keyboard: false — the box is hidden from screen readers (the SVG map and its legend say
    // the same in text), so nothing in it may take the keyboard focus (axe: aria-hidden-focus).
    var map = L.map(box, { attributionControl: true, zoomSnap: 0.25, keyboard: false });
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
                 fillColor: colours[p.leaning] || fallback, fillOpacity: p.priority_rank ? 0.85 : 0.45 };
      },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        layer.bindTooltip(tooltip(p, labels));
      }
    }).addTo(map);
    layers.push(stations);
    var bounds = null;
    layers.forEach(function (l) { var b = l.getBounds(); if (b.isValid()) bounds = bounds ? bounds.extend(b) : b; });
    if (bounds) map.fitBounds(bounds, { padding: [8, 8] });
    else map.setView([46.6, 2.4], 5);
    if (!(tile && tile.url) && data.communes && data.communes.length) {
      // No tiles: the communes' names, written at a point inside each (circonscriptions/places.py).
      data.communes.forEach(function (c) {
        if (!c.label) return;
        var text = document.createElement("span");
        text.textContent = c.name;
        L.marker([c.label[1], c.label[0]], {
          icon: L.divIcon({ className: "map-place-label", html: text, iconSize: null }), interactive: false, keyboard: false
        }).addTo(map);
      });
    }
    legend(box, style);
    // The zoom buttons and attribution links are links: out of the tab order with the rest of the box.
    box.querySelectorAll("a, button, input, [tabindex]").forEach(function (el) { el.setAttribute("tabindex", "-1"); });
    box.setAttribute("data-ready", "1");
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

// The share link's field selects itself on focus (here, not inline: QG's CSP runs no inline handler).
document.querySelectorAll("[data-select-on-focus]").forEach(function (field) {
  field.addEventListener("focus", function () { field.select(); });
});
