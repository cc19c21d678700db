// Bulk download on the project page: a deliverable's tiles, whole or within a rectangle drawn on the map (or the map's
// current view, for the keyboard), as one ZIP or a URL list for wget -i. The size is shown before starting; a ZIP up
// to IN_PAGE_LIMIT is fetched with a progress bar, a bigger one goes to the browser's own download manager.
import { formatBytes, formatNumber, countOf } from "./labels.js";
import { el, api, readBody, saveFile, messageOf } from "./ui.js";

const IN_PAGE_LIMIT = 500_000_000;

export function setupBulkDownload(project, map) {
  const candidates = project.deliverables.filter((d) => d.storage?.downloadAllowed && d.storage?.scan?.tiles > 0);
  if (!candidates.length) return;
  const section = document.getElementById("telechargement");
  const content = document.getElementById("telechargement-contenu");
  section.hidden = false;
  let bbox = null, rectangle = null, drawing = false, start = null;

  const deliverableSelect = el("select", { class: "fr-select", id: "telechargement-livrable" },
    candidates.map((d) => el("option", { value: d.id, text: `${d.name} (${countOf(d.storage.scan.tiles, "dalle")})` })));
  const summary = el("p", { id: "telechargement-resume", role: "status", class: "fr-mb-2w" });
  const actions = el("div", { class: "fr-btns-group fr-btns-group--inline-md" });
  const progress = el("div", { id: "telechargement-progression", "aria-live": "polite" });
  const modeWhole = el("input", { type: "radio", name: "etendue", id: "etendue-tout", value: "tout", checked: true });
  const modeBox = el("input", { type: "radio", name: "etendue", id: "etendue-rectangle", value: "rectangle" });
  const drawButton = el("button", { type: "button", class: "fr-btn fr-btn--secondary fr-btn--sm", id: "dessiner-rectangle" }, "Dessiner un rectangle sur la carte");
  const viewButton = el("button", { type: "button", class: "fr-btn fr-btn--tertiary fr-btn--sm", id: "vue-actuelle" }, "Prendre la vue actuelle de la carte");

  content.append(
    el("div", { class: "fr-select-group" }, el("label", { class: "fr-label", for: "telechargement-livrable", text: "Livrable" }), deliverableSelect),
    el("fieldset", { class: "fr-fieldset" }, el("legend", { class: "fr-fieldset__legend fr-text--regular", text: "Dalles à télécharger" }),
      el("div", { class: "fr-fieldset__element" }, el("div", { class: "fr-radio-group" }, modeWhole, el("label", { class: "fr-label", for: "etendue-tout", text: "Tout le livrable" }))),
      el("div", { class: "fr-fieldset__element" }, el("div", { class: "fr-radio-group" }, modeBox, el("label", { class: "fr-label", for: "etendue-rectangle", text: "Les dalles d'un rectangle" })))),
    el("div", { class: "fr-btns-group fr-btns-group--inline-sm fr-mb-2w", id: "outils-rectangle", hidden: true }, drawButton, viewButton),
    summary, actions, progress);

  const query = () => (modeBox.checked && bbox ? `?bbox=${bbox.map((v) => v.toFixed(6)).join(",")}` : "");
  const base = () => `/api/projects/${project.id}/deliverables/${deliverableSelect.value}`;

  const refresh = async () => {
    document.getElementById("outils-rectangle").hidden = !modeBox.checked;
    actions.replaceChildren();
    if (modeBox.checked && !bbox) { summary.textContent = "Dessinez un rectangle sur la carte (cliquer-glisser) ou prenez la vue actuelle."; return; }
    summary.textContent = "Calcul de la sélection…";
    const size = await api(`${base()}/selection${query()}`);
    summary.dataset.tiles = String(size.tiles);
    summary.textContent = size.tiles === 0 ? "Aucune dalle dans cette sélection."
      : `${formatNumber(size.tiles)} dalle${size.tiles > 1 ? "s" : ""}, ${formatBytes(size.bytes)} au total.`;
    if (size.tiles === 0) return;
    if (size.tiles > size.maxTiles) { summary.textContent += ` C'est plus que les ${formatNumber(size.maxTiles)} dalles d'une archive : choisissez un rectangle plus petit, ou la liste d'adresses.`; }
    const zipUrl = `${base()}/archive.zip${query()}`;
    const zip = el("a", { class: "fr-btn", href: zipUrl, download: "", id: "telecharger-zip" }, "Télécharger l'archive ZIP");
    if (size.bytes <= IN_PAGE_LIMIT) zip.addEventListener("click", (e) => { e.preventDefault(); fetchWithProgress(zipUrl, size.bytes); });
    actions.replaceChildren(zip,
      el("a", { class: "fr-btn fr-btn--secondary", href: `${base()}/urls.txt${query()}`, download: "", id: "telecharger-liste" }, "Liste des adresses (wget -i)"));
    progress.replaceChildren(el("p", { class: "fr-hint-text", text: "Une archive interrompue se reprend là où elle s'est arrêtée : curl -C - -o dalles.zip « adresse de l'archive », ou wget -c. Avec la liste : wget -i dalles.txt, ou curl --remote-name-all $(cat dalles.txt) ; chaque fichier se reprend aussi (wget -c)." }));
  };

  // The archive's entries are stored, so its length is the tiles' bytes plus a few headers: the bar is exact enough.
  const fetchWithProgress = async (url, expected) => {
    const bar = el("progress", { class: "pcrs-progress", max: expected, value: 0, "aria-label": "Téléchargement de l'archive" });
    const text = el("p", { class: "fr-text--sm" });
    progress.replaceChildren(bar, text);
    const response = await fetch(url);
    if (!response.ok) { text.textContent = `Le téléchargement a échoué (HTTP ${response.status}).`; return; }
    const { chunks, received } = await readBody(response, (soFar) => {
      bar.value = Math.min(soFar, expected);
      text.textContent = `${formatBytes(soFar)} reçus sur environ ${formatBytes(expected)}`;
    });
    text.textContent = `Archive reçue : ${formatBytes(received)}.`;
    text.dataset.done = "true";
    saveFile(chunks, "application/zip", `dalles-${deliverableSelect.value}.zip`);
  };

  const setBox = (bounds) => {
    bbox = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()];
    rectangle?.remove();
    rectangle = L.rectangle(bounds, { color: "#000091", weight: 2, dashArray: "6 4", fill: false, interactive: false }).addTo(map);
    modeBox.checked = true;
    refresh().catch((e) => { summary.textContent = messageOf(e); });
  };
  drawButton.addEventListener("click", () => {
    drawing = true;
    map.dragging.disable();
    map.getContainer().style.cursor = "crosshair";
    summary.textContent = "Cliquez-glissez sur la carte pour dessiner le rectangle.";
  });
  viewButton.addEventListener("click", () => setBox(map.getBounds()));
  map.on("mousedown", (e) => { if (drawing) start = e.latlng; });
  map.on("mousemove", (e) => {
    if (!drawing || !start) return;
    rectangle?.remove();
    rectangle = L.rectangle(L.latLngBounds(start, e.latlng), { color: "#000091", weight: 2, dashArray: "6 4", fill: false, interactive: false }).addTo(map);
  });
  map.on("mouseup", (e) => {
    if (!drawing || !start) return;
    drawing = false;
    map.dragging.enable();
    map.getContainer().style.cursor = "";
    const bounds = L.latLngBounds(start, e.latlng);
    start = null;
    setBox(bounds);
  });
  for (const input of [deliverableSelect, modeWhole, modeBox]) input.addEventListener("change", () => refresh().catch((e) => { summary.textContent = messageOf(e); }));
  refresh().catch((e) => { summary.textContent = messageOf(e); });
}
