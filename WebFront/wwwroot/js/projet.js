// Project page: the project's facts, each deliverable's scan facts, and a map of the tiles (one colour per deliverable)
// with hover details and download on click when the owner allowed it.
import { label, formatDate, formatDateTime, formatBytes, formatNumber, formatResolution, parsePerimeter, pcrsRasterGaps, countOf, errorText } from "./labels.js";
import { errorLists } from "./erreurs.js";
import { el, api, createMap, palette, pageConfig, messageOf } from "./ui.js";
import { setupBulkDownload } from "./telechargement.js";
import { enhanceFileLinks } from "./fichiers.js";

/** Deliverables with more tiles than this are drawn as their extent, and their tiles only for the part in view. */
const ALL_TILES_UP_TO = 5000;
const VIEWPORT_TILES_FROM_ZOOM = 14;

const root = document.getElementById("projet");
const projectId = location.pathname.split("/")[2];

function dl(pairs) {
  return el("dl", { class: "pcrs-facts" }, pairs.filter(([, value]) => value !== null && value !== undefined && value !== "")
    .map(([term, value]) => el("div", {}, el("dt", { text: term }), el("dd", {}, value))));
}

function badge(text, kind) {
  return el("p", { class: `fr-badge fr-badge--sm${kind ? " fr-badge--" + kind : ""} fr-badge--no-icon`, text });
}

async function territoryNames(perimeters) {
  if (!perimeters.length) return new Map();
  const found = await api(`/api/territories?ids=${encodeURIComponent(perimeters.join(","))}`).catch(() => []);
  return new Map(found.map((t) => [t.id, t]));
}

function renderSummary(project, names) {
  const steps = [...project.steps].sort((a, b) => a.startDate.localeCompare(b.startDate));
  const today = new Date().toISOString().slice(0, 10);
  const container = document.getElementById("resume");
  container.replaceChildren(
    dl([
      ["Statut actuel", label("status", project.currentStatus)],
      ["Régime", label("regime", project.regime)],
      ["Nature", label("projectNature", project.nature)],
      ["Budget", project.budget !== null ? `${formatNumber(project.budget)} €` : null],
    ]),
    el("h3", { class: "fr-h6 fr-mt-3w", text: "Territoires" }),
    el("ul", {}, project.perimeters.map((p) => {
      const t = names.get(p), { kind, code } = parsePerimeter(p);
      return el("li", {}, el("strong", { text: t ? t.name : code }), ` — ${label("perimeterKind", kind)} ${code}${t?.context && kind !== "departement" ? ", " + t.context : ""}`);
    })),
    el("h3", { class: "fr-h6 fr-mt-3w", text: "Étapes" }),
    el("ol", { class: "pcrs-steps" }, steps.map((s) => el("li", { "aria-current": s.status === project.currentStatus ? "step" : null },
      el("strong", { text: label("status", s.status) }), ` — ${s.startDate > today ? "prévue le" : "depuis le"} ${formatDate(s.startDate)}`))),
    el("h3", { class: "fr-h6 fr-mt-3w", text: "Acteurs" }),
    project.actors.length ? el("div", { class: "fr-table fr-table--sm fr-table--no-caption pcrs-table-wrap" }, el("table", {},
      el("caption", { text: "Acteurs du projet" }),
      el("thead", {}, el("tr", {}, ["Acteur", "Rôle", "Financement"].map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, project.actors.map((a) => el("tr", {},
        el("td", {}, a.name || "—", el("span", { class: "fr-hint-text", text: `SIREN ${a.siren}` })),
        el("td", { text: label("role", a.role) }),
        el("td", { text: [a.financingPercent !== null ? `${formatNumber(a.financingPercent)} %` : null, a.financingEuros !== null ? `${formatNumber(a.financingEuros)} €` : null].filter(Boolean).join(" · ") || "—" })))))) : el("p", { text: "Aucun acteur déclaré." }),
    el("h3", { class: "fr-h6 fr-mt-3w", text: "Subventions" }),
    project.subsidies.length ? el("ul", {}, project.subsidies.map((s) => el("li", {}, el("strong", { text: s.name }),
      ` — ${label("subsidy", s.nature)}${s.amount !== null ? `, ${formatNumber(s.amount)} €` : ""}${s.date ? `, échéance le ${formatDate(s.date, false)}` : ""}`)))
      : el("p", { text: "Aucune subvention déclarée." }),
    el("h3", { class: "fr-h6 fr-mt-3w", text: "Sources" }),
    project.sources.length ? el("ul", {}, project.sources.map((s) => el("li", {}, `${label("source", s.kind)} : `,
      el("a", { href: s.url, rel: "noopener", target: "_blank", title: `${s.url} - nouvelle fenêtre`, text: s.url }))))
      : el("p", { text: "Aucune source déclarée." }));
}

function scanLine(scan) {
  if (!scan) return el("p", { class: "fr-mb-1w", text: "Aucun scan pour l'instant." });
  const parts = [];
  if (["queued", "verifying", "listing", "analysing", "running"].includes(scan.status)) {
    parts.push(el("p", { class: "fr-badge fr-badge--info fr-badge--sm", text: `Scan : ${label("scan", scan.status).toLowerCase()}` }));
  }
  if (scan.lastSuccessAt) parts.push(el("p", { class: "fr-mb-1w" }, el("span", { class: "fr-icon-success-line fr-icon--sm", "aria-hidden": "true" }), ` Dernier scan accompli avec succès le ${formatDateTime(scan.lastSuccessAt)}`));
  if (scan.status === "failed") parts.push(el("div", { class: "fr-alert fr-alert--error fr-alert--sm fr-mb-2w" }, el("p", {}, el("strong", { text: "Échec du dernier scan : " }), errorText(scan.lastErrorCode, scan.lastError) || "raison inconnue")));
  // Partial: what was read is current, the rest is read again at the next scan; the error says how much and why.
  if (scan.status === "partial") parts.push(el("div", { class: "fr-alert fr-alert--warning fr-alert--sm fr-mb-2w", "data-partial": "" }, el("p", {}, el("strong", { text: "Dernier scan partiel : " }), errorText(scan.lastErrorCode, scan.lastError) || "une partie du stockage n'a pas pu être lue")));
  return parts;
}

function deliverableCard(project, d, colour, resolutions) {
  const s = d.storage, scan = s?.scan;
  const card = el("article", { class: "fr-col-12 fr-col-lg-6", id: `livrable-${d.id}`, "data-deliverable": d.id });
  const body = el("div", { class: "fr-card fr-card--no-arrow fr-p-3w" });
  card.append(body);
  body.append(el("h3", { class: "fr-h5" }, el("span", { class: "pcrs-swatch", style: `background:${colour}33;border-color:${colour}`, "aria-hidden": "true" }), " ", d.name));
  body.append(dl([
    ["Nature déclarée", label("deliverableNature", d.nature)],
    ["Licence", label("licence", d.licence)],
    ["Diffusion", d.diffusion === "none" ? label("diffusion", d.diffusion) : `${label("diffusion", d.diffusion)}${d.diffusionLayer ? ` (couche ${d.diffusionLayer})` : ""}`],
    ["Date de livraison", d.deliveryDate ? formatDate(d.deliveryDate, false) : null],
    ["Avancement", d.progress !== null && d.progress !== undefined ? `${d.progress} %` : null],
    ["Prises de vue", d.acquisitionDate ? formatDate(d.acquisitionDate, false) : null],
    ["Recette", d.acceptanceDate ? formatDate(d.acceptanceDate, false) : null],
  ]));
  if (!s) {
    body.append(el("p", { class: "fr-mt-2w pcrs-muted", text: "Aucun stockage déclaré pour ce livrable." }));
    return card;
  }
  body.append(el("ul", { class: "fr-badges-group fr-mt-2w" },
    el("li", {}, badge(`Stockage ${label("storageType", s.type)}`)),
    el("li", {}, badge(s.public ? "Connexion publique" : "Connexion privée", s.public ? "info" : null)),
    el("li", {}, badge(s.downloadAllowed ? "Téléchargement autorisé" : "Téléchargement non autorisé", s.downloadAllowed ? "success" : "warning"))));
  if (s.public) {
    const where = s.url || `${s.host}:${s.port}${s.path || ""}`;
    body.append(el("p", { class: "fr-text--sm" }, "Adresse : ", el("code", { text: where }), s.username ? ` — identifiant ${s.username}` : ""));
  }
  const scanBox = el("div", { class: "fr-mt-2w", "data-scan": d.id });
  scanBox.append(...[scanLine(scan)].flat());
  body.append(scanBox);
  if (scan && scan.tiles !== null && scan.tiles !== undefined) {
    body.append(dl([
      ["Nature constatée", label("classification", scan.nature)],
      ["Format", label("format", scan.format)],
      ["Nombre de dalles", formatNumber(scan.tiles)],
      ["Projection", scan.projection ? `${scan.projection}${scan.epsg ? ` (EPSG:${scan.epsg})` : ""}` : scan.epsg ? `EPSG:${scan.epsg}` : "—"],
      ["Poids", formatBytes(scan.totalBytes)],
      ["Résolution", resolutions.length ? (Math.min(...resolutions) === Math.max(...resolutions) ? formatResolution(resolutions[0]) : `${formatResolution(Math.min(...resolutions))} à ${formatResolution(Math.max(...resolutions))}`) : "—"],
      ["Fichiers scannés", `${formatNumber(scan.filesScanned)}${scan.errors ? ` dont ${formatNumber(scan.errors)} en erreur` : ", aucun en erreur"}`],
    ]));
    const meta = `/api/projects/${project.id}/deliverables/${d.id}/metadata`;
    const file = (path, text, name) => el("a", { href: `${meta}/${path}`, "data-fichier": name, text });
    const files = el("details", { class: "fr-mt-2w", "data-metadata": d.id }, el("summary", { text: "Métadonnées et index des dalles" }),
      el("ul", { class: "fr-text--sm" },
        el("li", {}, "Index des dalles : ", file("dalles.geojson", "GeoJSON", "index GeoJSON"), ", ", file("dalles.gpkg", "GeoPackage", "index GeoPackage"), ", ", file("dalles.shp.zip", "Shapefile (zip)", "index Shapefile")),
        el("li", {}, file("conformite.json", "Rapport de conformité au PCRS (JSON)", "rapport de conformité")),
        el("li", {}, file("iso19139.xml", "Fiche de métadonnées ISO 19139 / INSPIRE", "fiche ISO 19139")),
        el("li", {}, file("stac.zip", "Catalogue STAC statique (zip)", "catalogue STAC"))));
    enhanceFileLinks(files);
    body.append(files);
    if (scan.bands?.length) body.append(el("p", { class: "fr-mt-2w fr-mb-1w" }, "Bandes : "), el("ul", { class: "fr-badges-group" }, scan.bands.map((b) => el("li", {}, badge(label("band", b))))));
    if (scan.nature && scan.nature !== "PCRS raster" && scan.tiles > 0) {
      return pageConfig().then((config) => {
        const gaps = pcrsRasterGaps(scan, resolutions, config.pcrsEpsg || []);
        body.append(el("div", { class: "fr-callout fr-mt-2w" },
          el("h4", { class: "fr-callout__title fr-h6", text: `Pourquoi « ${label("classification", scan.nature)} » et pas « PCRS raster » ?` }),
          gaps.length ? el("ul", { class: "fr-callout__text fr-text--sm" }, gaps.map((g) => el("li", { text: g }))) : el("p", { class: "fr-callout__text fr-text--sm", text: "Les dalles ne sont pas toutes de même nature." })));
        return withErrors(project, d, scan, body, card);
      });
    }
  }
  return withErrors(project, d, scan, body, card);
}

async function withErrors(project, d, scan, body, card) {
  body.append(...await errorLists(project.id, d.id, scan, scan?.errors));
  return card;
}

function tileTooltip(props, deliverableName) {
  const name = props.path.split("/").pop();
  const lines = [`<strong>${escapeHtml(name)}</strong>`, escapeHtml(deliverableName),
    `${escapeHtml(label("format", props.format))} · ${escapeHtml(formatBytes(props.size))}`,
    props.width ? `${formatNumber(props.width)} × ${formatNumber(props.height)} px · ${escapeHtml(formatResolution(props.resolution))}` : null,
    props.downloadUrl ? "Cliquer pour télécharger" : "Téléchargement non autorisé"];
  return lines.filter(Boolean).join("<br>");
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function download(url) {
  const a = el("a", { href: url, download: "" });
  document.body.append(a);
  a.click();
  a.remove();
}

async function drawDeliverable(map, renderer, project, d, colour, bounds, counts) {
  const base = `/api/projects/${project.id}/deliverables/${d.id}`;
  const style = { color: colour, weight: 1, fillColor: colour, fillOpacity: 0.2, renderer };
  const onEach = (feature, layer) => {
    layer.bindTooltip(() => tileTooltip(feature.properties, d.name), { sticky: true });
    layer.on("mouseover", () => layer.setStyle({ fillOpacity: 0.5, weight: 2 }));
    layer.on("mouseout", () => layer.setStyle({ fillOpacity: 0.2, weight: 1 }));
    layer.on("click", () => { if (feature.properties.downloadUrl) download(feature.properties.downloadUrl); });
  };
  const tiles = d.storage.scan.tiles;
  if (tiles <= ALL_TILES_UP_TO) {
    const collection = await api(`${base}/tiles`);
    const layer = L.geoJSON(collection, { style: () => style, onEachFeature: onEach }).addTo(map);
    counts.drawn += collection.features.length;
    if (collection.features.length) bounds.extend(layer.getBounds());
    return collection.features.map((f) => f.properties.resolution).filter((r) => r !== null && r !== undefined);
  }
  // Large deliverables: the extent at any zoom, the tiles in view from a zoom where a view holds a few thousand.
  const emprise = await api(`${base}/emprise`);
  if (emprise.geometry) {
    const outline = L.geoJSON(emprise, { style: () => ({ ...style, fillOpacity: 0.1, weight: 2 }), interactive: false }).addTo(map);
    bounds.extend(outline.getBounds());
  }
  let inView = null, seq = 0;
  const refresh = async () => {
    const mine = ++seq;
    if (map.getZoom() < VIEWPORT_TILES_FROM_ZOOM) { inView?.remove(); inView = null; return; }
    const b = map.getBounds();
    const collection = await api(`${base}/tiles?bbox=${[b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(6)).join(",")}`);
    if (mine !== seq) return;
    inView?.remove();
    inView = L.geoJSON(collection, { style: () => style, onEachFeature: onEach }).addTo(map);
  };
  map.on("moveend", () => refresh().catch(() => {}));
  counts.large = true;
  return [];
}

async function main() {
  const project = await api(`/api/projects/${projectId}`);
  document.title = `${project.name} | Explorateur de stockages PCRS`;
  document.getElementById("nom").textContent = project.name;
  document.getElementById("ariane-projet").textContent = project.name;
  document.getElementById("lien-suivi").href = `/projects/${project.id}/suivi`;
  document.getElementById("lien-flux").href = `/api/projects/${project.id}/changes.atom`;
  document.getElementById("badges").replaceChildren(
    el("li", {}, badge(label("status", project.currentStatus), project.currentStatus === "disponible" ? "success" : "info")),
    el("li", {}, badge(label("regime", project.regime))),
    el("li", {}, badge(label("projectNature", project.nature))));
  const names = await territoryNames(project.perimeters);
  renderSummary(project, names);

  const mapNode = document.getElementById("carte");
  const totalTiles = project.deliverables.reduce((n, d) => n + (d.storage?.scan?.tiles || 0), 0);
  const map = await createMap("carte", { canvas: totalTiles > 2000 });
  window.__pcrsMap = map; // for the browser benchmark (tests/Benchmarks/Site)
  const renderer = totalTiles > 2000 ? L.canvas({ padding: 0.2, tolerance: 2 }) : undefined;
  const bounds = L.latLngBounds([]);
  const counts = { drawn: 0, large: false };
  const legend = [];
  const overlays = {};
  const cards = [];
  for (const [i, d] of project.deliverables.entries()) {
    const colour = palette[i % palette.length];
    let resolutions = [];
    if (d.storage?.scan?.tiles > 0) {
      resolutions = await drawDeliverable(map, renderer, project, d, colour, bounds, counts);
      legend.push(el("li", {}, el("span", { class: "pcrs-swatch", style: `background:${colour}33;border-color:${colour}`, "aria-hidden": "true" }), `${d.name} (${countOf(d.storage.scan.tiles, "dalle")})`));
    }
    if (d.diffusionUrl && d.diffusionLayer && (d.diffusion === "wms" || d.diffusion === "wmts")) {
      overlays[`Aperçu ${label("diffusion", d.diffusion)} : ${d.name}`] = d.diffusion === "wms"
        ? L.tileLayer.wms(d.diffusionUrl, { layers: d.diffusionLayer, format: "image/png", transparent: true, version: "1.3.0" })
        : L.tileLayer(`${d.diffusionUrl}${d.diffusionUrl.includes("?") ? "&" : "?"}SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=${encodeURIComponent(d.diffusionLayer)}&STYLE=normal&TILEMATRIXSET=PM&FORMAT=image/png&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}`);
    }
    cards.push(deliverableCard(project, d, colour, resolutions));
  }
  if (Object.keys(overlays).length) L.control.layers({}, overlays, { collapsed: false, position: "bottomright" }).addTo(map);
  document.getElementById("legende").replaceChildren(...legend);
  document.getElementById("livrables").replaceChildren(...await Promise.all(cards));
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17, animate: false });
  document.getElementById("carte-aide").textContent = totalTiles === 0
    ? "Aucune dalle scannée pour l'instant."
    : `${formatNumber(counts.drawn)} dalle${counts.drawn > 1 ? "s" : ""} affichée${counts.drawn > 1 ? "s" : ""}${counts.large ? ` ; pour les grands livrables, l'emprise est dessinée et les dalles apparaissent à partir du zoom ${VIEWPORT_TILES_FROM_ZOOM}` : ""}. Survolez une dalle pour ses caractéristiques ; cliquez pour la télécharger quand le propriétaire l'autorise.`;
  mapNode.dataset.features = String(counts.drawn);
  mapNode.dataset.ready = "true";
  setupBulkDownload(project, map);
  root.dataset.ready = "true";
}

main().catch((error) => {
  document.getElementById("nom").textContent = "Ce projet n'a pas pu être chargé";
  document.getElementById("resume").replaceChildren(el("div", { class: "fr-alert fr-alert--error fr-alert--sm", role: "alert" }, el("p", { text: messageOf(error) })));
  root.dataset.ready = "error";
});
