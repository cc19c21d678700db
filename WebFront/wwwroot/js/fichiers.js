// Files the server builds on request (tile indexes, Shapefile and STAC ZIPs, ISO records, CSV and GeoJSON exports),
// fetched in the page instead of followed as plain links, so that a 100,000-tile export shows how far it is and can be
// cancelled: while the server builds the file (a ZIP or GeoPackage sends its first byte only once complete, 10-30 s
// at 100,000 tiles), the tiles written so far, polled from /api/exports/progress/{id} with the id the request sent
// in X-Progress-Id; then the bytes received out of the length the server announces. The file is then saved under
// the name the server gives. The request carries no credential, like the plain link it replaces.
import { formatBytes, formatNumber } from "./labels.js";
import { el, readBody, saveFile, messageOf } from "./ui.js";

const POLL_MS = 500;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Makes every link matching a[data-fichier] under root download with progress (the link still works without script). */
export function enhanceFileLinks(root) {
  for (const link of root.querySelectorAll("a[data-fichier]")) {
    link.addEventListener("click", (event) => {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button === 1) return; // new tab: the plain link
      event.preventDefault();
      downloadWithProgress(link);
    });
  }
}

function fileName(response, url) {
  const disposition = response.headers.get("Content-Disposition") || "";
  const quoted = /filename="([^"]+)"/.exec(disposition);
  return quoted ? quoted[1] : decodeURIComponent(new URL(url, location.href).pathname.split("/").pop());
}

async function downloadWithProgress(link) {
  if (link.dataset.busy === "true") return;
  link.dataset.busy = "true";
  if (link.nextElementSibling?.classList.contains("pcrs-file-progress")) link.nextElementSibling.remove();
  const name = link.dataset.fichier || link.textContent;
  const id = crypto.randomUUID();
  const abort = new AbortController();
  const phase = el("p", { class: "fr-text--sm fr-mb-1w", role: "status", "aria-live": "polite" }, `${name} : préparation par le serveur…`);
  const bar = el("progress", { class: "pcrs-progress", "aria-label": `Avancement : ${name}` });
  const detail = el("p", { class: "fr-text--xs fr-mb-1w", "data-detail": "" });
  const cancel = el("button", { type: "button", class: "fr-btn fr-btn--tertiary fr-btn--sm fr-icon-close-line fr-btn--icon-left" }, "Annuler");
  const panel = el("div", { class: "pcrs-file-progress fr-my-1w", "data-progress-id": id, "data-state": "building" }, phase, bar, detail, cancel);
  link.after(panel);
  cancel.addEventListener("click", () => abort.abort());

  const finish = (state, kind, message) => {
    const hadFocus = panel.contains(document.activeElement);
    panel.dataset.state = state;
    panel.replaceChildren(el("div", { class: `fr-alert fr-alert--${kind} fr-alert--sm`, role: kind === "error" ? "alert" : "status" }, el("p", { text: message })));
    delete link.dataset.busy;
    if (hadFocus) link.focus();
  };

  // The build's progress, until the first byte arrives (a streamed file keeps counting while it is sent).
  let polling = true;
  const poll = (async () => {
    while (polling) {
      await sleep(POLL_MS);
      if (!polling) break;
      const answer = await fetch(`/api/exports/progress/${id}`, { signal: abort.signal }).catch(() => null);
      if (!polling || !answer?.ok) continue;
      const { written, expected } = await answer.json();
      if (!polling || panel.dataset.state !== "building") continue;
      if (expected > 0) { bar.max = expected; bar.value = Math.min(written, expected); }
      panel.dataset.written = String(written);
      detail.textContent = `${formatNumber(written)} dalle${written > 1 ? "s" : ""} écrite${written > 1 ? "s" : ""}${expected > 0 ? ` sur ${formatNumber(expected)}` : ""}`;
    }
  })();

  try {
    const response = await fetch(link.href, { headers: { "X-Progress-Id": id }, signal: abort.signal });
    if (!response.ok) throw new Error(`le serveur a répondu ${response.status}`);
    polling = false;
    const total = Number(response.headers.get("Content-Length")) || 0;
    panel.dataset.state = "receiving";
    phase.textContent = `${name} : réception…`;
    if (total) { bar.max = total; bar.value = 0; } else bar.removeAttribute("value");
    const { chunks, received } = await readBody(response, (soFar) => {
      if (total) bar.value = Math.min(soFar, total);
      panel.dataset.received = String(soFar);
      detail.textContent = total ? `${formatBytes(soFar)} reçus sur ${formatBytes(total)}` : `${formatBytes(soFar)} reçus`;
    });
    const saved = fileName(response, link.href);
    saveFile(chunks, response.headers.get("Content-Type") || "application/octet-stream", saved);
    finish("done", "success", `${saved} enregistré (${formatBytes(received)}).`);
  } catch (error) {
    if (abort.signal.aborted) finish("cancelled", "info", `${name} : téléchargement annulé.`);
    else finish("failed", "error", `${name} : le téléchargement a échoué (${messageOf(error)}).`);
  } finally {
    polling = false;
    await poll.catch(() => {});
  }
}
