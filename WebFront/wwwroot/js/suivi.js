// Follow-up form: sign in with an editor key or an administrator token (kept in sessionStorage only), create or edit a
// project and its deliverables with the server's validation messages beside each field, and declare, trust, rescan or
// revoke each deliverable's storage while its scan's progress updates live.
import { entries } from "./labels.js";
import { el, api, session, ApiError, showAlert, messageOf } from "./ui.js";
import { storagePanel } from "./stockage.js";
import { field, showErrors } from "./form.js";
import { perimeterRow } from "./perimetres.js";

const root = document.getElementById("suivi");
const messages = document.getElementById("messages");
const editor = document.getElementById("editeur");
const pathProject = location.pathname.match(/^\/projects\/([0-9a-f-]{36})\/suivi$/)?.[1] ?? null;
function value(scope, path) {
  const input = scope.querySelector(`[data-field="${CSS.escape(path)}"]`);
  if (!input) return null;
  const v = input.value.trim();
  return v === "" ? null : v;
}

function number(scope, path) {
  const v = value(scope, path);
  return v === null ? null : Number(v.replace(",", "."));
}

/** A repeatable block of rows (steps, actors…): each row's fields are named list[i].field; "Ajouter" and "Retirer". */
function rows(listName, title, items, makeRow, blank) {
  const fieldset = el("fieldset", { class: "fr-fieldset fr-mb-3w", "data-list": listName });
  fieldset.append(el("legend", { class: "fr-fieldset__legend", text: title }));
  const container = el("div", { class: "fr-fieldset__element" });
  fieldset.append(container);
  const draw = (list) => {
    container.replaceChildren(...list.map((item, i) => {
      const row = el("div", { class: "pcrs-row", "data-row": i, "data-id": item && item.id ? item.id : null });
      row.append(...makeRow(item, i), el("button", { type: "button", class: "fr-btn fr-btn--tertiary fr-btn--sm", onclick: () => {
        const current = read(); current.splice(i, 1); draw(current);
      } }, "Retirer"));
      return row;
    }));
  };
  const read = () => [...container.querySelectorAll(":scope > .pcrs-row")].map((row, i) => collect[listName](row, i));
  fieldset.append(el("div", { class: "fr-fieldset__element" }, el("button", { type: "button", class: "fr-btn fr-btn--secondary fr-btn--sm", onclick: () => {
    const current = read(); current.push(blank()); draw(current);
  } }, `Ajouter`)));
  draw(items);
  fieldset.readRows = read;
  return fieldset;
}

const collect = {
  perimeters: (row, i) => value(row, `perimeters[${i}]`),
  steps: (row, i) => ({ status: value(row, `steps[${i}].status`), startDate: value(row, `steps[${i}].startDate`) }),
  actors: (row, i) => ({ siren: value(row, `actors[${i}].siren`), name: value(row, `actors[${i}].name`), contact: value(row, `actors[${i}].contact`),
    role: value(row, `actors[${i}].role`), phone: value(row, `actors[${i}].phone`), email: value(row, `actors[${i}].email`),
    financingPercent: number(row, `actors[${i}].financingPercent`), financingEuros: number(row, `actors[${i}].financingEuros`) }),
  subsidies: (row, i) => ({ name: value(row, `subsidies[${i}].name`), nature: value(row, `subsidies[${i}].nature`), amount: number(row, `subsidies[${i}].amount`), date: value(row, `subsidies[${i}].date`) }),
  sources: (row, i) => ({ kind: value(row, `sources[${i}].kind`), url: value(row, `sources[${i}].url`) }),
  deliverables: (row, i) => ({ id: row.dataset.id || null, name: value(row, `deliverables[${i}].name`), nature: value(row, `deliverables[${i}].nature`),
    licence: value(row, `deliverables[${i}].licence`), diffusion: value(row, `deliverables[${i}].diffusion`), diffusionUrl: value(row, `deliverables[${i}].diffusionUrl`),
    diffusionLayer: value(row, `deliverables[${i}].diffusionLayer`), deliveryDate: value(row, `deliverables[${i}].deliveryDate`), progress: number(row, `deliverables[${i}].progress`),
    acquisitionDate: value(row, `deliverables[${i}].acquisitionDate`), acceptanceDate: value(row, `deliverables[${i}].acceptanceDate`),
    sideOverlap: number(row, `deliverables[${i}].sideOverlap`), forwardOverlap: number(row, `deliverables[${i}].forwardOverlap`),
    focalLength: number(row, `deliverables[${i}].focalLength`), cost: number(row, `deliverables[${i}].cost`) }),
};

function projectForm(project) {
  const form = el("form", { id: "form-projet", novalidate: true });
  const banner = el("div", { tabindex: "-1" });
  form.append(banner);
  form.append(el("h2", { class: "fr-h4", text: "Le projet" }),
    field("name", "Nom du projet", project.name, { required: true }),
    el("div", { class: "pcrs-grid" },
      field("regime", "Régime", project.regime, { select: entries("regime"), required: true }),
      field("nature", "Nature", project.nature, { select: entries("projectNature"), required: true }),
      field("budget", "Budget (€)", project.budget, { type: "number", inputmode: "numeric", min: 0 })));
  const lists = {
    perimeters: rows("perimeters", "Périmètres (communes, EPCI ou départements)", project.perimeters, (p, i) => perimeterRow(p, i), () => ""),
    steps: rows("steps", "Étapes (dans l'ordre chronologique)", project.steps, (s, i) => [
      field(`steps[${i}].status`, "Statut", s.status, { select: entries("status") }),
      field(`steps[${i}].startDate`, "Date de début", s.startDate, { type: "date" })], () => ({ status: "investigation", startDate: "" })),
    actors: rows("actors", "Acteurs", project.actors, (a, i) => [
      field(`actors[${i}].siren`, "SIREN", a.siren, { inputmode: "numeric" }), field(`actors[${i}].name`, "Nom", a.name),
      field(`actors[${i}].role`, "Rôle", a.role, { select: entries("role") }), field(`actors[${i}].contact`, "Interlocuteur", a.contact),
      field(`actors[${i}].email`, "Courriel", a.email, { type: "email" }), field(`actors[${i}].phone`, "Téléphone", a.phone, { type: "tel" }),
      field(`actors[${i}].financingPercent`, "Part du financement (%)", a.financingPercent, { type: "number", min: 0, max: 100, step: "any" }),
      field(`actors[${i}].financingEuros`, "Part du financement (€)", a.financingEuros, { type: "number", min: 0, step: "any" })],
      () => ({ siren: "", name: "", role: "porteur" })),
    subsidies: rows("subsidies", "Subventions", project.subsidies, (s, i) => [
      field(`subsidies[${i}].name`, "Nom", s.name), field(`subsidies[${i}].nature`, "Nature", s.nature, { select: entries("subsidy").filter(([c]) => c !== "cepr") }),
      field(`subsidies[${i}].amount`, "Montant (€)", s.amount, { type: "number", min: 0, step: "any" }), field(`subsidies[${i}].date`, "Échéance", s.date, { type: "date" })],
      () => ({ name: "", nature: "feder" })),
    sources: rows("sources", "Sources", project.sources, (s, i) => [
      field(`sources[${i}].kind`, "Type", s.kind, { hint: "ex. documentation" }), field(`sources[${i}].url`, "Adresse web", s.url, { type: "url" })], () => ({ kind: "documentation", url: "" })),
  };
  form.append(...Object.values(lists));
  form.append(el("h2", { class: "fr-h4", text: "Livrables" }));
  const deliverables = rows("deliverables", "Livrables du projet", project.deliverables, (d, i) => [
    field(`deliverables[${i}].name`, "Nom du livrable", d.name), field(`deliverables[${i}].nature`, "Nature", d.nature, { select: entries("deliverableNature") }),
    field(`deliverables[${i}].licence`, "Licence", d.licence, { select: entries("licence") }), field(`deliverables[${i}].diffusion`, "Diffusion", d.diffusion, { select: entries("diffusion") }),
    field(`deliverables[${i}].diffusionUrl`, "Adresse du service de diffusion", d.diffusionUrl, { type: "url" }), field(`deliverables[${i}].diffusionLayer`, "Couche diffusée", d.diffusionLayer),
    field(`deliverables[${i}].deliveryDate`, "Date de livraison", d.deliveryDate, { type: "date" }),
    field(`deliverables[${i}].progress`, "Avancement (%)", d.progress, { type: "number", min: 0, max: 100 }),
    field(`deliverables[${i}].acquisitionDate`, "Date des prises de vue", d.acquisitionDate, { type: "date", hint: "le premier jour si les vols en ont pris plusieurs" }),
    field(`deliverables[${i}].acceptanceDate`, "Date de recette", d.acceptanceDate, { type: "date" }),
    field(`deliverables[${i}].sideOverlap`, "Recouvrement latéral (%)", d.sideOverlap, { type: "number", min: 0, max: 100, step: "any" }),
    field(`deliverables[${i}].forwardOverlap`, "Recouvrement longitudinal (%)", d.forwardOverlap, { type: "number", min: 0, max: 100, step: "any" }),
    field(`deliverables[${i}].focalLength`, "Focale (mm)", d.focalLength, { type: "number", min: 1, max: 10000 }),
    field(`deliverables[${i}].cost`, "Coût (€)", d.cost, { type: "number", min: 0, step: "any" })],
    () => ({ id: null, name: "", nature: "jpeg2000", licence: "ouvert_lo", diffusion: "none" }));
  form.append(deliverables);
  form.append(el("div", { class: "fr-btns-group fr-btns-group--inline-md fr-mt-3w" }, el("button", { class: "fr-btn", type: "submit", text: project.id ? "Enregistrer le projet" : "Créer le projet" })));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = {
      name: value(form, "name"), regime: value(form, "regime"), nature: value(form, "nature"), budget: number(form, "budget"),
      perimeters: lists.perimeters.readRows(), steps: lists.steps.readRows(), actors: lists.actors.readRows(),
      subsidies: lists.subsidies.readRows(), sources: lists.sources.readRows(), deliverables: deliverables.readRows(),
    };
    try {
      if (project.id) {
        await api(`/api/projects/${project.id}`, { method: "PUT", body });
        sessionStorage.setItem("pcrs-flash", "Le projet est enregistré.");
      } else {
        const created = await api("/api/projects", { method: "POST", body });
        sessionStorage.setItem("pcrs-flash", `Le projet est créé. Sa clé d'édition, à transmettre à son porteur, ne sera plus affichée : ${created.editorKey}`);
        history.replaceState(null, "", `/projects/${created.id}/suivi`);
      }
      location.reload();
    } catch (error) {
      if (error instanceof ApiError) showErrors(form, error.problem, banner);
      else showAlert(banner, "error", "L'enregistrement a échoué", messageOf(error));
    }
  });
  return form;
}

const emptyProject = { id: null, name: "", regime: "production", nature: "raster", budget: null, perimeters: [""], steps: [{ status: "investigation", startDate: "" }],
  actors: [], subsidies: [], sources: [], deliverables: [{ id: null, name: "", nature: "jpeg2000", licence: "ouvert_lo", diffusion: "none" }] };

async function openEditor(role, projectId) {
  editor.hidden = false;
  if (!projectId) {
    if (role !== "admin") { editor.replaceChildren(el("p", { text: "Seul un administrateur peut créer un projet." })); return; }
    document.getElementById("titre").textContent = "Créer un projet";
    editor.replaceChildren(projectForm(emptyProject));
    return;
  }
  const project = await api(`/api/projects/${projectId}`);
  document.getElementById("titre").textContent = `Suivi : ${project.name}`;
  const storages = el("section", { "aria-labelledby": "titre-stockages", class: "fr-mt-6w" },
    el("h2", { id: "titre-stockages", class: "fr-h4", text: "Stockages des livrables" }),
    el("p", { text: "Un stockage par livrable. Déclarez où les dalles sont publiées : la plateforme les scanne (elle ne lit que les en-têtes) et les montre sur la page du projet." }),
    el("div", { class: "fr-grid-row fr-grid-row--gutters" }, project.deliverables.map((d) => el("div", { class: "fr-col-12 fr-col-lg-6" }, storagePanel(project, d)))));
  editor.replaceChildren(
    el("p", {}, el("a", { class: "fr-link fr-icon-arrow-right-line fr-link--icon-right", href: `/projects/${project.id}`, text: "Voir la page publique du projet" })),
    storages, el("hr", { class: "fr-mt-4w" }), projectForm(project));
}

async function main() {
  const flash = sessionStorage.getItem("pcrs-flash");
  if (flash) { sessionStorage.removeItem("pcrs-flash"); showAlert(messages, "success", null, flash); }
  const connexion = document.getElementById("connexion");
  document.getElementById("deconnexion").addEventListener("click", () => { session.token = null; location.reload(); });
  document.getElementById("form-connexion").addEventListener("submit", async (e) => {
    e.preventDefault();
    session.token = document.getElementById("cle").value.trim();
    try {
      const me = await api("/api/session");
      if (me.role === "editor" && !pathProject) { location.href = `/projects/${me.projectId}/suivi`; return; }
      location.reload();
    } catch (error) {
      session.token = null;
      const p = document.getElementById("cle-erreur");
      p.textContent = error.status === 401 ? "Cette clé n'ouvre aucun projet." : messageOf(error);
      p.hidden = false;
      document.getElementById("groupe-cle").classList.add("fr-input-group--error");
    }
  });
  let me = null;
  if (session.token) me = await api("/api/session").catch(() => { session.token = null; return null; });
  if (!me) { connexion.hidden = false; root.dataset.ready = "true"; return; }
  document.getElementById("session").hidden = false;
  document.getElementById("session-texte").textContent = me.role === "admin" ? "Connecté comme administrateur." : "Connecté avec la clé d'édition d'un projet.";
  if (me.role === "editor" && pathProject && pathProject !== me.projectId) {
    showAlert(messages, "warning", "Cette clé ouvre un autre projet", "Déconnectez-vous pour saisir la clé de ce projet.");
  } else if (me.role === "editor" && !pathProject) {
    location.href = `/projects/${me.projectId}/suivi`; return;
  } else {
    await openEditor(me.role, pathProject);
  }
  if (me.role === "admin" && !pathProject) editor.prepend(el("p", {}, el("a", { class: "fr-btn fr-btn--secondary", href: "/admin", text: "Voir tous les stockages (administration)" })));
  root.dataset.ready = "true";
}

main().catch((error) => { showAlert(messages, "error", "Le formulaire n'a pas pu être chargé", messageOf(error)); root.dataset.ready = "error"; });
