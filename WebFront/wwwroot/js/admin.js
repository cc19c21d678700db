// Administration: every declared storage with its deliverable, project, scan state and errors; revoke, rescan (its
// progress shown live in the row), and renew a project's editor key. Needs an administrator token (sessionStorage only).
import { label, entries, formatDateTime, formatNumber, fold, errorText } from "./labels.js";
import { el, api, session, showAlert, messageOf } from "./ui.js";
import { progressView, followScan } from "./progression.js";

const root = document.getElementById("admin");
const messages = document.getElementById("messages");
const state = { storages: [], query: "", status: "", errorsOnly: false };
const RUNNING = ["queued", "verifying", "listing", "analysing", "running"];
/** Scans followed live, by deliverable id: their latest state, drawn in place of the row's status badge. */
const watched = new Map();

function inError(s) { return s.status === "failed" || s.status === "partial" || (s.errors || 0) > 0; }

function matches(s) {
  if (state.status && s.status !== state.status) return false;
  if (state.errorsOnly && !inError(s)) return false;
  if (state.query) {
    const q = fold(state.query);
    if (![s.projectName, s.deliverableName, s.location].some((t) => fold(t).includes(q))) return false;
  }
  return true;
}

function statusBadge(status) {
  const kind = status === "succeeded" ? "success" : status === "failed" ? "error" : status === "partial" ? "warning" : "info";
  return el("p", { class: `fr-badge fr-badge--sm fr-badge--${kind}`, text: label("scan", status) });
}

function confirmButton(text, question, action, attrs = {}) {
  const wrap = el("span", { class: "pcrs-confirm" });
  const ask = el("button", { type: "button", class: "fr-btn fr-btn--sm fr-btn--tertiary", ...attrs }, text);
  ask.addEventListener("click", () => {
    wrap.replaceChildren(el("span", { class: "fr-text--xs", text: question + " " }),
      el("button", { type: "button", class: "fr-btn fr-btn--sm", "data-confirm": attrs["data-action"] || "", onclick: async () => { await action(); } }, "Confirmer"),
      el("button", { type: "button", class: "fr-btn fr-btn--sm fr-btn--secondary", onclick: () => wrap.replaceChildren(ask) }, "Annuler"));
    wrap.querySelector("button").focus();
  });
  wrap.append(ask);
  return wrap;
}

function row(s) {
  const base = `/api/projects/${s.projectId}/deliverables/${s.deliverableId}`;
  return el("tr", { "data-deliverable": s.deliverableId },
    el("td", {}, el("a", { href: `/projects/${s.projectId}`, text: s.projectName }), el("span", { class: "fr-hint-text", text: s.deliverableName })),
    el("td", {}, el("code", { class: "pcrs-break", text: s.location }), el("span", { class: "fr-hint-text", text: `${label("storageType", s.type)} · déclaré le ${formatDateTime(s.declaredAt)}` })),
    el("td", { "data-state": "" }, watched.get(s.deliverableId) ? progressView(watched.get(s.deliverableId), { compact: true }) : statusBadge(s.status)),
    el("td", { text: s.lastSuccessAt ? formatDateTime(s.lastSuccessAt) : "jamais" }),
    el("td", { class: "pcrs-break fr-text--sm", text: errorText(s.lastErrorCode, s.lastError) || "—" }),
    el("td", {}, s.errors ? el("a", { href: `/projects/${s.projectId}#livrable-${s.deliverableId}`, text: `${formatNumber(s.errors)} sur ${formatNumber(s.filesScanned)}` }) : (s.filesScanned !== null ? "0" : "—")),
    el("td", {}, el("div", { class: "pcrs-actions" },
      el("button", { type: "button", class: "fr-btn fr-btn--sm fr-btn--secondary", "data-action": "relancer", onclick: async () => {
        try { await api(`${base}/scan`, { method: "POST" }); showAlert(messages, "info", null, `Scan relancé : ${s.projectName}, ${s.deliverableName}.`); watch(s, true); }
        catch (error) { showAlert(messages, "error", "Le scan n'a pas pu être relancé", messageOf(error)); }
      } }, "Relancer"),
      confirmButton("Révoquer", "Révoquer ce stockage ?", async () => {
        try { await api(`${base}/storage`, { method: "DELETE" }); showAlert(messages, "success", null, `Stockage révoqué : ${s.projectName}, ${s.deliverableName}.`); await load(); }
        catch (error) { showAlert(messages, "error", "La révocation a échoué", messageOf(error)); }
      }, { "data-action": "revoquer" }),
      confirmButton("Nouvelle clé d'édition", "L'ancienne clé cessera de fonctionner.", async () => {
        try {
          const renewed = await api(`/api/admin/projects/${s.projectId}/editor-key`, { method: "POST" });
          showAlert(messages, "success", `Nouvelle clé d'édition de « ${s.projectName} »`, `À transmettre au porteur ; elle ne sera plus affichée : ${renewed.editorKey}`);
        } catch (error) { showAlert(messages, "error", "La clé n'a pas pu être renouvelée", messageOf(error)); }
      }, { "data-action": "cle" }))));
}

function draw() {
  const shown = state.storages.filter(matches);
  const failed = state.storages.filter((s) => s.status === "failed").length;
  const running = state.storages.filter((s) => RUNNING.includes(s.status)).length;
  document.getElementById("stats").replaceChildren(el("ul", { class: "fr-badges-group" },
    el("li", {}, el("p", { class: "fr-badge", text: `${state.storages.length} stockages` })),
    el("li", {}, el("p", { class: "fr-badge fr-badge--error", text: `${failed} en échec` })),
    el("li", {}, el("p", { class: "fr-badge fr-badge--info", text: `${running} en cours` })),
    el("li", {}, el("p", { class: "fr-badge fr-badge--warning", text: `${state.storages.filter((s) => (s.errors || 0) > 0).length} avec des fichiers en erreur` }))));
  document.getElementById("compte").textContent = `${shown.length} stockage${shown.length > 1 ? "s" : ""} affiché${shown.length > 1 ? "s" : ""}`;
  document.querySelector("#table-stockages tbody").replaceChildren(...shown.map(row));
}

/** Follows one storage's scan, its progress drawn in the row, then reads the list again. */
async function watch(s, relaunched = false) {
  const id = s.deliverableId;
  if (watched.has(id)) return;
  watched.set(id, null);
  try {
    await followScan(`/api/projects/${s.projectId}/deliverables/${id}/scan`, (scan) => {
      watched.set(id, scan);
      document.querySelector(`#table-stockages tr[data-deliverable="${id}"] [data-state]`)?.replaceChildren(progressView(scan, { compact: true }));
    }, { since: relaunched ? s : null });
  } finally {
    watched.delete(id);
  }
  await load();
}

async function load() {
  state.storages = await api("/api/admin/storages");
  state.storages.sort((a, b) => (inError(b) - inError(a)) || a.projectName.localeCompare(b.projectName, "fr"));
  draw();
  for (const s of state.storages) if (RUNNING.includes(s.status)) watch(s).catch(() => {});
}

async function main() {
  document.getElementById("form-connexion").addEventListener("submit", async (e) => {
    e.preventDefault();
    session.token = document.getElementById("jeton").value.trim();
    const me = await api("/api/session").catch(() => null);
    if (me?.role === "admin") { location.reload(); return; }
    session.token = me ? session.token : null;
    const p = document.getElementById("jeton-erreur");
    p.textContent = me ? "Ce jeton est une clé d'édition de projet, pas un jeton d'administration." : "Ce jeton n'est pas reconnu.";
    p.hidden = false;
    document.getElementById("groupe-jeton").classList.add("fr-input-group--error");
  });
  const me = session.token ? await api("/api/session").catch(() => null) : null;
  if (me?.role !== "admin") { document.getElementById("connexion").hidden = false; root.dataset.ready = "true"; return; }
  const select = document.getElementById("filtre-etat");
  for (const [code, text] of entries("scan")) select.append(el("option", { value: code, text }));
  select.addEventListener("change", () => { state.status = select.value; draw(); });
  document.getElementById("filtre-erreur").addEventListener("change", (e) => { state.errorsOnly = e.target.checked; draw(); });
  document.getElementById("recherche").addEventListener("input", (e) => { state.query = e.target.value; draw(); });
  document.getElementById("stockages").hidden = false;
  await load();
  root.dataset.ready = "true";
}

main().catch((error) => { showAlert(messages, "error", "La page n'a pas pu être chargée", messageOf(error)); root.dataset.ready = "error"; });
