// National map: projects drawn by their scanned extent, coloured by status, nature or régime; filters, place search,
// a sortable paged list following the same filters, and a panel to pick among projects that overlap where one clicks.
import { label, entries, fold, parsePerimeter } from "./labels.js";
import { el, api, createMap, palette, autocomplete, messageOf } from "./ui.js";

const PAGE_SIZE = 15;
const mapNode = document.getElementById("carte");
const state = { projects: [], filters: { status: "", nature: "", regime: "", actor: null, place: null }, colour: "status", sort: { key: "name", asc: true }, page: 0 };
const kinds = { status: "status", nature: "projectNature", regime: "regime" };

function fillSelect(id, kind) {
  const select = document.getElementById(id);
  for (const [code, text] of entries(kind)) select.append(el("option", { value: code, text }));
  return select;
}

function colourOf(project) {
  const kind = kinds[state.colour];
  const codes = entries(kind).map(([code]) => code);
  const value = state.colour === "status" ? project.currentStatus : project[state.colour];
  const i = codes.indexOf(value);
  return i < 0 ? "#666666" : palette[i % palette.length];
}

function matches(project) {
  const f = state.filters;
  if (f.status && project.currentStatus !== f.status) return false;
  if (f.nature && project.nature !== f.nature) return false;
  if (f.regime && project.regime !== f.regime) return false;
  if (f.actor && !(project.actors || []).some((a) => a.siren === f.actor.siren)) return false;
  if (f.place && !project.perimeters.some((p) => f.place.touching.has(p))) return false;
  return true;
}

// Only what shows is on the map: below zoom 10 a dot per project, from zoom 10 its extent, and in both cases only the
// projects that match the filters and lie in (or near) the view. The canvas redraws every layer it holds at each pan,
// so 500 shapes on it, most off screen or hidden, made each pan a long task; the layers themselves are built once per
// zoom bucket and moved on and off the map.
let map, drawn, shapeLayers = new Map(), dotLayers = new Map(), lastZoomBucket = null;
const DOTS_BELOW_ZOOM = 10;

function drawLegend() {
  const kind = kinds[state.colour];
  const used = new Set(state.projects.map((p) => state.colour === "status" ? p.currentStatus : p[state.colour]));
  document.getElementById("legende").replaceChildren(...entries(kind).filter(([code]) => used.has(code)).map(([code, text], _, all) => {
    const i = entries(kind).findIndex(([c]) => c === code);
    const colour = palette[i % palette.length];
    return el("li", {}, el("span", { class: "pcrs-swatch", style: `background:${colour}33;border-color:${colour}`, "aria-hidden": "true" }), text);
  }));
}

function paint(id) {
  const colour = colourOf(state.byId.get(id));
  shapeLayers.get(id)?.setStyle({ color: colour, fillColor: colour, weight: 2, opacity: 0.9, fillOpacity: 0.25 });
  dotLayers.get(id)?.setStyle({ color: colour, fillColor: colour, opacity: 1, fillOpacity: 0.6 });
}

function place(layer, wanted) {
  if (wanted === drawn.hasLayer(layer)) return false;
  if (wanted) drawn.addLayer(layer); else drawn.removeLayer(layer);
  return wanted;
}

/** Puts on the map the dots or shapes of the matching projects in (or half a screen around) the view, nothing else. */
function placeLayers() {
  const dots = map.getZoom() < DOTS_BELOW_ZOOM;
  const near = map.getBounds().pad(0.5);
  for (const [id, shape] of shapeLayers) {
    const project = state.byId.get(id);
    const visible = !!project && matches(project);
    const dot = dotLayers.get(id);
    const added = [place(shape, visible && !dots && near.intersects(shape.getBounds())), place(dot, visible && dots && near.contains(dot.getLatLng()))];
    if (added.some(Boolean)) paint(id);
  }
  mapNode.dataset.onMap = String(drawn.getLayers().length);
}

function styleShapes() {
  for (const id of shapeLayers.keys()) if (drawn.hasLayer(shapeLayers.get(id)) || drawn.hasLayer(dotLayers.get(id))) paint(id);
  placeLayers();
  mapNode.dataset.features = String([...shapeLayers.keys()].filter((id) => state.byId.get(id) && matches(state.byId.get(id))).length);
}

async function loadShapes() {
  const bucket = Math.max(0, Math.min(18, Math.round(map.getZoom() / 2) * 2));
  if (bucket === lastZoomBucket) return;
  lastZoomBucket = bucket;
  const collection = await api(`/api/projects/extents?zoom=${bucket}`);
  if (bucket !== lastZoomBucket) return;
  drawn.clearLayers();
  shapeLayers = new Map();
  dotLayers = new Map();
  for (const feature of collection.features) {
    const id = feature.properties.id;
    const shape = L.GeoJSON.geometryToLayer(feature);
    shape.feature = feature;
    shape.bindTooltip(() => tooltipOf(id), { sticky: true });
    shapeLayers.set(id, shape);
    // Below zoom 10 a project's extent is a few pixels: a dot at its centre keeps it visible and clickable.
    const dot = L.circleMarker(shape.getBounds().getCenter(), { radius: 6, weight: 2 });
    dot.feature = feature;
    dot.projectId = id;
    dot.bindTooltip(() => tooltipOf(id));
    dotLayers.set(id, dot);
  }
  styleShapes();
}

function tooltipOf(id) {
  const p = state.byId.get(id);
  return p ? `${escapeHtml(p.name)} — ${escapeHtml(label("status", p.currentStatus))}` : "";
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

// Every visible project whose extent holds the clicked point: one opens directly, several are offered in a panel.
function pickAt(latlng, clicked) {
  const hits = [];
  // A dot stands for its project: the projects whose dots overlap it on screen are the candidates.
  if (clicked && clicked.projectId && dotLayers.has(clicked.projectId)) {
    const at = map.latLngToContainerPoint(clicked.getLatLng());
    for (const [id, dot] of dotLayers) {
      const project = state.byId.get(id);
      if (project && matches(project) && map.latLngToContainerPoint(dot.getLatLng()).distanceTo(at) <= 12) hits.push(project);
    }
    return showPicked(hits);
  }
  for (const [id, layer] of shapeLayers) {
    const project = state.byId.get(id);
    if (!project || !matches(project) || !layer.getBounds().contains(latlng)) continue;
    if (containsPoint(layer.feature.geometry, latlng.lng, latlng.lat)) hits.push(project);
  }
  showPicked(hits);
}

function showPicked(hits) {
  const panel = document.getElementById("superposes");
  if (hits.length === 1) { window.location.href = `/projects/${hits[0].id}`; return; }
  if (hits.length === 0) { panel.hidden = true; return; }
  panel.replaceChildren(
    el("h3", { class: "fr-h6", text: `${hits.length} projets à cet endroit` }),
    el("ul", {}, hits.map((p) => el("li", {}, el("a", { href: `/projects/${p.id}`, class: "fr-link", text: p.name }), " — ", label("status", p.currentStatus)))));
  panel.hidden = false;
  panel.focus();
}

function containsPoint(geometry, x, y) {
  const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
  return polygons.some((rings) => {
    let inside = false;
    for (const ring of rings) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i], [xj, yj] = ring[j];
        if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
    }
    return inside;
  });
}

function sortValue(project, key) {
  if (key === "name") return fold(project.name);
  if (key === "tiles") return project.bbox ? 1 : 0;
  if (key === "status") return entries("status").findIndex(([c]) => c === project.currentStatus);
  return label(key === "nature" ? "projectNature" : "regime", project[key]);
}

// Before any scan a project has no extent to draw (no commune contours are served here): its places say where it is.
function perimeterText(project) {
  const names = (project.territories || []).map((t) => t.name ? `${t.name}${t.kind === "commune" && t.context ? ` (${t.context.replace(/^.*\((\w+)\)$/, "$1")})` : ""}` : `${label("perimeterKind", t.kind)} ${t.code}`);
  if (!names.length) return "";
  return "Périmètre : " + (names.length > 3 ? `${names.slice(0, 3).join(", ")} et ${names.length - 3} autre${names.length > 4 ? "s" : ""}` : names.join(", "));
}

function drawList() {
  const filtered = state.projects.filter(matches);
  const unmapped = filtered.filter((p) => !p.bbox).length;
  document.getElementById("sans-emprise").textContent = unmapped === 0 ? ""
    : `${unmapped} projet${unmapped > 1 ? "s" : ""} sans dalle scannée ${unmapped > 1 ? "ne sont" : "n'est"} pas sur la carte : ${unmapped > 1 ? "ils figurent" : "il figure"} dans la liste avec ${unmapped > 1 ? "leur" : "son"} périmètre.`;
  const { key, asc } = state.sort;
  filtered.sort((a, b) => { const x = sortValue(a, key), y = sortValue(b, key); return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1); });
  const pages = Math.max(1, Math.ceil(filtered.length / PAGE_SIZE));
  state.page = Math.min(state.page, pages - 1);
  const shown = filtered.slice(state.page * PAGE_SIZE, (state.page + 1) * PAGE_SIZE);
  document.getElementById("compte").textContent = filtered.length === state.projects.length
    ? `${filtered.length} projet${filtered.length > 1 ? "s" : ""}`
    : `${filtered.length} projet${filtered.length > 1 ? "s" : ""} sur ${state.projects.length} correspondent aux filtres`;
  document.querySelector("#liste tbody").replaceChildren(...shown.map((p) => el("tr", { "data-project": p.id },
    el("td", {}, el("a", { href: `/projects/${p.id}`, class: "fr-text--bold", text: p.name }),
      el("span", { class: "fr-hint-text", text: `${label("projectNature", p.nature)} · ${label("regime", p.regime)}${p.bbox ? "" : " · aucune dalle scannée"}` }),
      el("span", { class: "fr-hint-text", "data-perimeters": "", text: perimeterText(p) })),
    el("td", {}, el("span", { class: "pcrs-status" }, el("span", { class: "pcrs-swatch", style: `background:${colourOf(p)}33;border-color:${colourOf(p)}`, "aria-hidden": "true" }), label("status", p.currentStatus))))));
  const nav = document.getElementById("pages");
  if (pages <= 1) { nav.replaceChildren(); return; }
  const link = (text, page, attrs = {}) => el("li", {}, el("button", {
    type: "button", class: `fr-pagination__link ${attrs.class || ""}`, ...(page === state.page && !attrs.class ? { "aria-current": "page" } : {}),
    disabled: page < 0 || page >= pages || (attrs.class && page === state.page), title: attrs.title, onclick: () => { state.page = page; drawList(); },
  }, text));
  const numbers = [];
  for (let i = Math.max(0, state.page - 2); i <= Math.min(pages - 1, state.page + 2); i++) numbers.push(link(String(i + 1), i, { title: `Page ${i + 1}` }));
  nav.replaceChildren(el("ul", { class: "fr-pagination__list" },
    link("Précédente", state.page - 1, { class: "fr-pagination__link--prev fr-pagination__link--lg-label", title: "Page précédente" }),
    numbers,
    link("Suivante", state.page + 1, { class: "fr-pagination__link--next fr-pagination__link--lg-label", title: "Page suivante" })));
}

function refresh() {
  state.page = 0;
  drawLegend();
  styleShapes();
  drawList();
}

async function main() {
  fillSelect("filtre-statut", "status").addEventListener("change", (e) => { state.filters.status = e.target.value; refresh(); });
  fillSelect("filtre-nature", "projectNature").addEventListener("change", (e) => { state.filters.nature = e.target.value; refresh(); });
  fillSelect("filtre-regime", "regime").addEventListener("change", (e) => { state.filters.regime = e.target.value; refresh(); });
  for (const radio of document.querySelectorAll("input[name=couleur]")) radio.addEventListener("change", (e) => { state.colour = e.target.value; refresh(); });
  document.getElementById("tri").addEventListener("change", (e) => {
    const [key, order] = e.target.value.split(":");
    state.sort = { key, asc: order === "asc" };
    state.page = 0;
    drawList();
  });

  map = await createMap("carte", { canvas: true });
  window.__pcrsMap = map; // for the browser benchmark (tests/Benchmarks/Site)
  drawn = L.featureGroup().addTo(map);
  drawn.on("click", (e) => pickAt(e.latlng, e.layer));
  const [projects] = await Promise.all([api("/api/projects")]);
  state.projects = projects;
  state.byId = new Map(projects.map((p) => [p.id, p]));

  const actors = new Map();
  for (const p of projects) for (const a of p.actors || []) if (!actors.has(a.siren)) actors.set(a.siren, { label: a.name || a.siren, context: `SIREN ${a.siren}`, siren: a.siren });
  const actorList = [...actors.values()];
  autocomplete(document.getElementById("acteur"), (q) => actorList.filter((a) => fold(a.label).includes(fold(q)) || a.siren.startsWith(q.trim())),
    (item) => { state.filters.actor = item; refresh(); });
  autocomplete(document.getElementById("lieu"), async (q) => q.trim().length < 2 ? [] :
    (await api(`/api/territories?q=${encodeURIComponent(q)}`)).map((t) => ({ label: t.name, context: `${label("perimeterKind", t.kind)}${t.context ? ", " + t.context : ""}`, id: t.id })),
    async (item) => {
      if (!item) { state.filters.place = null; refresh(); return; }
      const match = await api(`/api/territories/${encodeURIComponent(item.id)}/touching`);
      state.filters.place = { id: item.id, touching: new Set(match.touching) };
      refresh();
      const bounds = state.projects.filter(matches).filter((p) => p.bbox).map((p) => [[p.bbox[1], p.bbox[0]], [p.bbox[3], p.bbox[2]]]);
      if (bounds.length) map.fitBounds(L.latLngBounds(bounds.flat()), { maxZoom: 13, padding: [20, 20] });
    });
  document.getElementById("effacer").addEventListener("click", () => {
    document.getElementById("filtres").reset();
    state.filters = { status: "", nature: "", regime: "", actor: null, place: null };
    refresh();
  });

  map.on("zoomend", () => loadShapes().then(styleShapes).catch(() => {}));
  map.on("moveend", placeLayers);
  await loadShapes();
  refresh();
  mapNode.dataset.ready = "true";
}

main().catch((error) => {
  document.getElementById("compte").textContent = "Les projets n'ont pas pu être chargés : " + messageOf(error);
  mapNode.dataset.ready = "error";
});
