// The Places map of a dossier: the world's borders from the app's own copy (world-atlas, drawn as
// the only base layer: no tile server), and the images' GPS points, clustered. A point's popup names
// the file and links to its page; no image is shown here.
(function () {
  "use strict";

  function text(tag, value) {
    const element = document.createElement(tag);
    element.textContent = value;
    return element;
  }

  function popup(properties) {
    const box = document.createElement("div");
    const link = document.createElement("a");
    link.href = properties.url;
    link.textContent = properties.path;
    box.appendChild(link);
    const facts = [properties.exhibit, properties.taken, properties.camera].filter(Boolean).join(" · ");
    if (facts) box.appendChild(text("div", facts));
    return box;
  }

  async function draw(container) {
    // No tile layer: the clusters need the zoom range said explicitly.
    const map = L.map(container, { worldCopyJump: true, attributionControl: false, minZoom: 2, maxZoom: 18 });
    map.setView([50.8, 4.4], 3);
    const world = await fetch(container.dataset.world, { credentials: "same-origin" }).then((r) => r.json());
    L.geoJSON(topojson.feature(world, world.objects.countries), {
      style: { color: "#8a8f98", weight: 0.6, fillColor: "#e8e9ec", fillOpacity: 1 },
      interactive: false,
    }).addTo(map);
    const points = await fetch(container.dataset.points, { credentials: "same-origin" }).then((r) => r.json());
    const cluster = L.markerClusterGroup();
    const layer = L.geoJSON(points, {
      pointToLayer: (feature, latlng) => L.circleMarker(latlng, { radius: 6, color: "#7a1f1f", weight: 2 }),
      onEachFeature: (feature, marker) => marker.bindPopup(popup(feature.properties)),
    });
    cluster.addLayer(layer);
    map.addLayer(cluster);
    if (points.features.length) map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 12 });
    container.dataset.drawn = String(points.features.length);
  }

  document.addEventListener("DOMContentLoaded", function () {
    const container = document.getElementById("places-map");
    if (container && window.L) draw(container).catch(function (error) {
      container.dataset.drawn = "error";
      container.appendChild(text("p", String(error)));
    });
  });
})();
