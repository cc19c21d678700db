// Shared helpers of the pages. User data is always inserted with textContent, never as HTML.
"use strict";

async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(url + " : HTTP " + response.status);
  return response.json();
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

// A Leaflet map with the configured basemap, or none (plain background) when no URL is configured.
async function createMap(featureCount) {
  const config = await getJson("/api/pages/config").catch(() => ({}));
  // Canvas draws tens of thousands of footprints without one DOM node each; SVG keeps small maps inspectable.
  const map = L.map("map", { preferCanvas: featureCount > 2000, zoomSnap: 0.25 }).setView([46.9, 1.7], 5);
  if (config.basemapUrl) {
    L.tileLayer(config.basemapUrl, { attribution: config.basemapAttribution || "", maxZoom: 19 }).addTo(map);
  }
  return map;
}

const statusLabels = {
  investigation: "Investigation", convention_signee: "Convention signée", marche_public_en_cours: "Marché public en cours",
  prod_en_cours: "Production en cours", controle_en_cours: "Contrôle en cours", realise: "Réalisé", disponible: "Publié",
  obsolete: "Obsolète"
};

function formatBytes(bytes) {
  if (bytes === null || bytes === undefined) return "–";
  const units = ["o", "Ko", "Mo", "Go", "To"];
  let value = bytes, unit = 0;
  while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit++; }
  return value.toLocaleString("fr-FR", { maximumFractionDigits: 1 }) + " " + units[unit];
}
