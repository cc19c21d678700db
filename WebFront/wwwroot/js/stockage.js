// One deliverable's storage in the follow-up form: the declaration form of its type, trust of a certificate or host key
// by the fingerprint a failed scan named, "Relancer le scan", "Supprimer" with a confirmation, and the scan's live progress.
import { entries } from "./labels.js";
import { progressView, followScan } from "./progression.js";
import { el, api, ApiError, showAlert, messageOf } from "./ui.js";
import { field, showErrors } from "./form.js";
import { errorLists } from "./erreurs.js";

function checkbox(path, text, checked, hint) {
  const id = `case-${path}-${Math.random().toString(36).slice(2, 8)}`;
  return el("div", { class: "fr-fieldset__element", "data-group": path },
    el("div", { class: "fr-checkbox-group" },
      el("input", { type: "checkbox", id, "data-field": path, checked }),
      el("label", { class: "fr-label", for: id }, text, hint ? el("span", { class: "fr-hint-text", text: hint }) : null),
      el("p", { class: "fr-error-text", hidden: true })));
}

/** The fields of one storage type; values kept from what was declared (the password is never sent back). */
function typeFields(type, storage) {
  const s = storage || {};
  if (type === "http") {
    return [field("url", "Adresse du dossier (http ou https)", s.url, { type: "url", hint: "ex. https://donnees.exemple.fr/pcrs/2024/ : l'index du dossier doit être listable" }),
      field("username", "Identifiant (facultatif)", s.username, { autocomplete: "off" }),
      field("password", "Mot de passe (facultatif)", "", { type: "password", autocomplete: "new-password" })];
  }
  const fields = [field("host", "Serveur", s.host, { hint: "nom ou adresse du serveur" }),
    field("port", "Port", s.port ?? (type === "sftp" ? 22 : 21), { type: "number", min: 1, max: 65535, inputmode: "numeric" }),
    field("path", "Dossier de départ", s.path ?? "/", { hint: "ex. /pcrs/2024" }),
    field("username", "Identifiant", s.username),
    field("password", "Mot de passe", "", { type: "password", autocomplete: "new-password" })];
  if (type === "ftp") fields.push(field("tls", "Chiffrement", s.tls ?? "none", { select: entries("tls") }));
  return fields;
}

function readValue(form, name) {
  const input = form.querySelector(`[data-field="${name}"]`);
  if (!input) return undefined;
  if (input.type === "checkbox") return input.checked;
  const v = input.value.trim();
  if (v === "") return null;
  return input.type === "number" ? Number(v) : v;
}

export function storagePanel(project, d) {
  const base = `/api/projects/${project.id}/deliverables/${d.id}`;
  const panel = el("div", { class: "fr-card fr-card--no-arrow fr-p-3w", "data-storage-panel": d.id });
  const banner = el("div", { tabindex: "-1", "aria-live": "polite" });
  const status = el("div", { class: "fr-mb-2w", "aria-live": "polite" });
  const trustBox = el("div");
  const errorsBox = el("div", { "data-owner-errors": d.id });
  let declared = d.storage;
  let lastForm = null;
  panel.append(el("h3", { class: "fr-h5", text: d.name }), banner, status, errorsBox, trustBox);

  // One follower at a time: a newer one (a declaration, "Relancer", a revocation) ends the one before.
  let generation = 0, current = null;
  const poll = async (since = null) => {
    const mine = ++generation;
    errorsBox.replaceChildren();
    if (!declared) { status.replaceChildren(el("p", { class: "pcrs-muted", text: "Aucun stockage déclaré." })); return; }
    status.setAttribute("aria-busy", "true");
    try {
      const last = await followScan(`${base}/scan`, (state) => {
        current = state;
        status.replaceChildren(progressView(state));
        drawTrust(state);
      }, { since, cancelled: () => mine !== generation });
      // The settled scan's files in error and folders not read, with their reasons, as the public page lists them.
      const lists = last ? await errorLists(project.id, d.id, last, last.progress?.errors) : [];
      if (mine === generation) errorsBox.replaceChildren(...lists);
    } finally {
      if (mine === generation) status.removeAttribute("aria-busy");
    }
  };

  // A scan refused for an unknown certificate or host key names its fingerprint: offer to trust exactly that one.
  const drawTrust = (state) => {
    const fingerprint = state.status === "failed" ? state.lastError?.match(/SHA256:[A-Za-z0-9+/=]{20,}/)?.[0] : null;
    if (!fingerprint || (declared?.trust || []).includes(fingerprint)) { trustBox.replaceChildren(); return; }
    trustBox.replaceChildren(el("div", { class: "fr-callout fr-mb-2w" },
      el("p", { class: "fr-callout__text fr-text--sm" }, "Le serveur présente un certificat ou une clé d'hôte inconnus. Si son empreinte est bien ", el("code", { text: fingerprint }),
        " (vérifiez-la auprès de l'hébergeur), vous pouvez lui faire confiance pour ce stockage."),
      el("button", { type: "button", class: "fr-btn fr-btn--sm", onclick: () => declare([...(declared?.trust || []), fingerprint]) }, "Faire confiance à cette empreinte")));
  };

  const form = el("form", { novalidate: true, "data-storage-form": d.id });
  const typeSelect = field("type", "Type de stockage", declared?.type || "http", { select: entries("storageType") });
  const typeArea = el("div");
  const drawType = () => typeArea.replaceChildren(...typeFields(form.querySelector('[data-field="type"]').value, declared));
  form.append(typeSelect, typeArea,
    el("fieldset", { class: "fr-fieldset" }, el("legend", { class: "fr-fieldset__legend fr-text--regular", text: "Diffusion par la plateforme" }),
      checkbox("publicConnection", "Rendre publiques les informations de connexion", declared?.public ?? false, "L'adresse, l'identifiant et le mot de passe seront affichés sur la page du projet."),
      checkbox("downloadAllowed", "Autoriser le téléchargement via la plateforme", declared?.downloadAllowed ?? true, "Les visiteurs pourront télécharger les dalles depuis la carte.")),
    el("div", { class: "fr-notice fr-notice--info fr-mb-2w" }, el("div", { class: "fr-container" }, el("div", { class: "fr-notice__body" },
      el("p", { class: "fr-notice__title fr-text--sm", text: "En déclarant ce stockage, vous confirmez avoir le droit de le diffuser. Les fichiers servis par FTP ou SFTP transitent par la plateforme, qui n'en garde aucune copie ; les identifiants sont chiffrés et effacés à la suppression." })))),
    el("div", { class: "fr-btns-group fr-btns-group--inline-sm" },
      el("button", { class: "fr-btn", type: "submit", text: declared ? "Enregistrer le stockage" : "Déclarer le stockage" })));
  form.querySelector('[data-field="type"]').addEventListener("change", drawType);
  drawType();

  const declare = async (trust) => {
    const body = { type: readValue(form, "type"), publicConnection: readValue(form, "publicConnection"), downloadAllowed: readValue(form, "downloadAllowed") };
    for (const name of ["url", "host", "port", "path", "username", "password", "tls"]) {
      const v = readValue(form, name);
      if (v !== undefined) body[name] = v;
    }
    if (trust) body.trust = trust;
    try {
      await api(`${base}/storage`, { method: "PUT", body });
      showErrors(form, null, banner);
      showAlert(banner, "success", null, trust ? "Empreinte enregistrée : le scan est relancé." : "Stockage enregistré : le scan est lancé.");
      declared = { ...(declared || {}), type: body.type, public: body.publicConnection, downloadAllowed: body.downloadAllowed, trust: trust || declared?.trust };
      lastForm = body;
      drawActions();
      poll(current);
    } catch (error) {
      if (error instanceof ApiError) {
        showErrors(form, error.problem, banner);
        if (trust && error.problem?.errors?.password) showAlert(banner, "warning", "Mot de passe à saisir de nouveau", "Pour enregistrer l'empreinte, saisissez le mot de passe du stockage (il n'est jamais renvoyé par la plateforme).");
      } else showAlert(banner, "error", "L'enregistrement a échoué", messageOf(error));
    }
  };
  form.addEventListener("submit", (e) => { e.preventDefault(); declare(null); });

  const actions = el("div", { class: "fr-btns-group fr-btns-group--inline-sm fr-mt-2w" });
  const drawActions = () => {
    if (!declared) { actions.replaceChildren(); return; }
    const confirmBox = el("div", { hidden: true, class: "fr-alert fr-alert--warning fr-alert--sm fr-mt-2w", role: "alertdialog", "aria-labelledby": `confirmer-${d.id}` },
      el("p", { id: `confirmer-${d.id}`, text: "Supprimer ce stockage ? Ses identifiants seront effacés et ses dalles disparaîtront de la page publique, des exports et des téléchargements." }),
      el("div", { class: "fr-btns-group fr-btns-group--inline-sm fr-mt-1w" },
        el("button", { type: "button", class: "fr-btn fr-btn--sm", "data-action": "confirmer-suppression", onclick: async () => {
          try {
            await api(`${base}/storage`, { method: "DELETE" });
            declared = null; current = null; drawActions(); poll(); trustBox.replaceChildren();
            showAlert(banner, "success", null, "Stockage supprimé.");
          } catch (error) { showAlert(banner, "error", "La suppression a échoué", messageOf(error)); }
        } }, "Confirmer la suppression"),
        el("button", { type: "button", class: "fr-btn fr-btn--secondary fr-btn--sm", onclick: () => { confirmBox.hidden = true; } }, "Annuler")));
    actions.replaceChildren(
      el("button", { type: "button", class: "fr-btn fr-btn--secondary", "data-action": "relancer", onclick: async () => {
        try { await api(`${base}/scan`, { method: "POST" }); showAlert(banner, "info", null, "Scan relancé."); poll(current); }
        catch (error) { showAlert(banner, "error", "Le scan n'a pas pu être relancé", messageOf(error)); }
      } }, "Relancer le scan"),
      el("button", { type: "button", class: "fr-btn fr-btn--tertiary", "data-action": "supprimer", onclick: () => { confirmBox.hidden = false; confirmBox.querySelector("button").focus(); } }, "Supprimer"),
      confirmBox);
  };
  drawActions();
  panel.append(form, actions);
  poll();
  return panel;
}
