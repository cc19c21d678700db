// A scan's live progress, shared by the owner's storage panel and the administration table: a bar of the files done
// over the files found, and the counters the scan reports (directories, files, analysed, errors, bytes read).
import { label, formatDateTime, formatNumber, formatBytes, errorText } from "./labels.js";
import { el, api } from "./ui.js";

export const SETTLED = ["succeeded", "failed", "partial"];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reads a scan's state every second, handing each to onState, until it settles; returns the last one (null when
 * cancelled or when the storage is gone). Right after a new declaration or "Relancer" the previous scan's settled
 * state may still be the one read: given that state as since, it waits (up to 15 s) for one that differs.
 */
export async function followScan(url, onState, options = {}) {
  const since = options.since ?? null;
  const cancelled = options.cancelled ?? (() => false);
  let started = since === null, polls = 0;
  while (!cancelled()) {
    let scan;
    try { scan = await api(url); } catch (error) { if (error.status === 404) return null; await sleep(3000); continue; }
    if (cancelled()) return null;
    onState(scan);
    started ||= !SETTLED.includes(scan.status) || scan.lastSuccessAt !== since.lastSuccessAt || scan.lastError !== since.lastError;
    if (SETTLED.includes(scan.status) && (started || ++polls >= 15)) return scan;
    await sleep(1000);
  }
  return null;
}

/** The view of one scan state; compact (a table cell) leaves out the last success and the error box. */
export function progressView(state, options = {}) {
  const p = state.progress || {};
  const done = (p.analysed || 0) + (p.unchanged || 0) + (p.errors || 0);
  const total = Math.max(p.files || 0, done);
  const running = !SETTLED.includes(state.status);
  const bar = el("progress", { class: "pcrs-progress", max: total || 1, value: running ? done : total || 1, "aria-label": "Avancement du scan" });
  if (running && !total) bar.removeAttribute("value");
  return el("div", { "data-progress": state.status },
    el("p", { class: "fr-mb-1w" }, el("strong", { text: `Scan : ${label("scan", state.status)}` }),
      running && total ? ` — ${formatNumber(done)} fichiers sur ${formatNumber(total)}` : ""),
    bar,
    el("ul", { class: "pcrs-counters fr-text--sm" },
      el("li", { text: `${formatNumber(p.directories || 0)} dossiers` }),
      el("li", { text: `${formatNumber(p.files || 0)} fichiers` }),
      el("li", { text: `${formatNumber(p.analysed || 0)} analysés` }),
      p.unchanged ? el("li", { text: `${formatNumber(p.unchanged)} inchangés` }) : null,
      el("li", { text: `${formatNumber(p.errors || 0)} en erreur` }),
      el("li", { text: `${formatBytes(p.bytesRead || 0)} lus` })),
    !options.compact && state.lastSuccessAt ? el("p", { class: "fr-text--sm fr-mb-1w", text: `Dernier scan accompli avec succès le ${formatDateTime(state.lastSuccessAt)}` }) : null,
    !options.compact && state.status === "partial" ? el("div", { class: "fr-alert fr-alert--warning fr-alert--sm", role: "status" }, el("p", {}, el("strong", { text: "Scan partiel : " }), errorText(state.lastErrorCode, state.lastError) || "une partie du stockage n'a pas pu être lue")) : null,
    !options.compact && state.status === "failed" ? el("div", { class: "fr-alert fr-alert--error fr-alert--sm", role: "alert" }, el("p", {}, el("strong", { text: "Échec du scan : " }), errorText(state.lastErrorCode, state.lastError) || "raison inconnue")) : null);
}
