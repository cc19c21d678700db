// Project page: facts, one card per deliverable with its scan summary, and the footprints of its tiles on the map.
"use strict";

(async function () {
  const status = document.getElementById("status");
  const id = window.location.pathname.split("/").filter(Boolean).pop();
  try {
    const project = await getJson("/api/projects/" + encodeURIComponent(id));
    document.title = "PCRS – " + project.name;
    document.getElementById("title").textContent = project.name;
    document.getElementById("facts").textContent =
      [project.regime, project.nature, statusLabels[project.currentStatus] || project.currentStatus, project.perimeters.join(", ")]
        .filter(Boolean).join(" · ");

    const collections = [];
    for (const deliverable of project.deliverables) {
      const tiles = deliverable.storage
        ? await getJson("/api/projects/" + encodeURIComponent(project.id) + "/deliverables/" + encodeURIComponent(deliverable.id) + "/tiles")
        : { features: [] };
      collections.push({ deliverable, tiles });
      document.getElementById("deliverables").appendChild(card(deliverable, tiles.features.length));
    }

    const total = collections.reduce((sum, c) => sum + c.tiles.features.length, 0);
    const map = await createMap(total);
    const layers = collections.map(c => L.geoJSON(c.tiles, {
      style: { color: "#000091", weight: 1, fillOpacity: 0.2 },
      onEachFeature: (feature, layer) => {
        const p = feature.properties;
        layer.bindTooltip(p.path + " – " + (p.format || "?") + " – " + formatBytes(p.size));
        if (p.downloadUrl) layer.on("click", () => window.open(p.downloadUrl, "_blank", "noopener"));
      }
    }).addTo(map));
    const group = L.featureGroup(layers);
    if (total > 0) map.fitBounds(group.getBounds(), { padding: [20, 20] });
    document.body.dataset.features = String(total);
    status.textContent = total + " dalle(s) affichée(s)";
  } catch (error) {
    status.textContent = "Erreur : " + error.message;
    status.className = "status error";
  }
  document.body.dataset.ready = "true";
})();

function card(deliverable, shown) {
  const section = el("div", null, "card");
  section.appendChild(el("h2", deliverable.name));
  const dl = document.createElement("dl");
  const add = (label, value) => { dl.appendChild(el("dt", label)); const dd = el("dd", null); if (value instanceof Node) dd.appendChild(value); else dd.textContent = value ?? "–"; dl.appendChild(dd); };
  add("Nature", deliverable.nature);
  add("Licence", deliverable.licence);
  const storage = deliverable.storage;
  if (!storage) {
    add("Stockage", "aucun");
  } else {
    add("Stockage", storage.type.toUpperCase() + (storage.public ? " (public)" : " (privé)"));
    if (storage.public) add("Connexion", storage.url || (storage.host + ":" + storage.port + (storage.path || "")));
    add("Téléchargement", storage.downloadAllowed ? "autorisé" : "non autorisé");
    const scan = storage.scan;
    if (scan) {
      add("Scan", scan.status === "failed" ? "Échec du scan : " + (scan.lastError || "") : scan.status);
      if (scan.lastSuccessAt) add("Dernier scan réussi", new Date(scan.lastSuccessAt).toLocaleString("fr-FR"));
      add("Nature des données", scan.nature);
      add("Format", scan.format);
      add("Nombre de dalles", scan.tiles);
      add("Projection", scan.projection ? scan.projection + (scan.epsg ? " (EPSG:" + scan.epsg + ")" : "") : null);
      add("Poids", formatBytes(scan.totalBytes));
      const bands = document.createElement("span");
      for (const band of scan.bands || []) bands.appendChild(el("span", band, "badge " + band));
      add("Bandes", bands);
      add("Fichiers scannés", (scan.filesScanned ?? "–") + " dont " + (scan.errors ?? 0) + " en erreur");
    }
    add("Dalles sur la carte", shown);
  }
  section.appendChild(dl);
  return section;
}
