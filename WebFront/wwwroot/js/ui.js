// Shared helpers of the pages: DOM building (user data always as text, never as HTML), API calls, maps.
import { fold, problemText } from "./labels.js";

export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** The credential of this browser tab (editor key or administrator token): kept in sessionStorage only. */
export const session = {
  get token() { return sessionStorage.getItem("pcrs-token"); },
  set token(value) { if (value) sessionStorage.setItem("pcrs-token", value); else sessionStorage.removeItem("pcrs-token"); },
};

export class ApiError extends Error {
  constructor(status, problem) {
    super(problemText(problem, `Erreur HTTP ${status}`));
    this.status = status;
    this.problem = problem;
  }
}

/**
 * What went wrong, in French: an API error says it with the server's coded sentence; anything else the browser raised
 * (a network cut, an unreadable answer) has only an English message, so it is named by what it means.
 */
export function messageOf(error) {
  // ApiError, and the pages' own plain Errors, already speak French.
  if (error instanceof ApiError || error?.constructor === Error) return error.message;
  if (error instanceof TypeError) return "la connexion au serveur a été interrompue";
  return "erreur inattendue dans le navigateur";
}

/** Calls the API (with the session's credential when there is one); ProblemDetails become an ApiError. */
export async function api(path, options = {}) {
  const headers = { Accept: "application/json", ...(options.headers || {}) };
  if (session.token && options.auth !== false) headers.Authorization = "Bearer " + session.token;
  let body = options.body;
  if (body !== undefined && typeof body !== "string") { body = JSON.stringify(body); headers["Content-Type"] = "application/json"; }
  const response = await fetch(path, { method: options.method || "GET", headers, body });
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch { /* not JSON */ }
    throw new ApiError(response.status, problem);
  }
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") || "";
  return type.includes("json") ? response.json() : response.text();
}

let configPromise;
export function pageConfig() {
  configPromise ??= api("/api/pages/config", { auth: false }).catch(() => ({ baseLayers: [], pcrsEpsg: [] }));
  return configPromise;
}

/**
 * A Leaflet map with the configured background layers and a switch between them. Without any layer (closed network),
 * the map still shows the shapes on a plain background and says so.
 */
export async function createMap(id, options = {}) {
  const config = await pageConfig();
  const container = document.getElementById(id);
  const map = L.map(container, { preferCanvas: !!options.canvas, zoomSnap: 0.25, minZoom: 2, attributionControl: true }).setView([46.6, 2.4], 5.5);
  map.attributionControl.setPrefix(false);
  const layers = {};
  for (const layer of config.baseLayers || []) {
    layers[layer.name] = L.tileLayer(layer.url, { attribution: layer.attribution || "", maxZoom: layer.maxZoom || 19, crossOrigin: true });
  }
  const names = Object.keys(layers);
  if (names.length) {
    layers[names[0]].addTo(map);
    if (names.length > 1) L.control.layers(layers, null, { collapsed: true, position: "topright" }).addTo(map);
  } else {
    map.attributionControl.addAttribution("Aucun fond de carte configuré");
  }
  // Keyboard users reach the map; Leaflet's own controls are then labelled in French.
  container.setAttribute("tabindex", "0");
  container.querySelectorAll(".leaflet-control-zoom-in").forEach((a) => { a.title = "Zoomer"; a.setAttribute("aria-label", "Zoomer"); });
  container.querySelectorAll(".leaflet-control-zoom-out").forEach((a) => { a.title = "Dézoomer"; a.setAttribute("aria-label", "Dézoomer"); });
  return map;
}

/** A palette readable on light backgrounds and distinct for up to 12 categories. */
export const palette = ["#000091", "#c9191e", "#18753c", "#b34000", "#6a6af4", "#a558a0", "#0078f3", "#716043", "#009081", "#e4794a", "#3a3a3a", "#b7a73f"];

/** Accent-insensitive autocomplete on a text input: suggestions from a list or a function, keyboard and mouse. */
export function autocomplete(input, source, onPick) {
  const listId = input.id + "-suggestions";
  const list = el("ul", { id: listId, role: "listbox", class: "pcrs-suggestions", hidden: true, "aria-label": "Suggestions" });
  input.after(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listId);
  let items = [], active = -1, seq = 0, closing = 0;
  const close = () => { list.hidden = true; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); active = -1; };
  const render = () => {
    list.replaceChildren(...items.map((item, i) => el("li", {
      id: `${listId}-${i}`, role: "option", "aria-selected": i === active ? "true" : "false",
      onmousedown: (e) => { e.preventDefault(); pick(i); },
    }, item.label, item.context ? el("span", { class: "pcrs-muted", text: " — " + item.context }) : null)));
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
    if (active >= 0) input.setAttribute("aria-activedescendant", `${listId}-${active}`);
  };
  const pick = (i) => { const item = items[i]; close(); if (item) { input.value = item.label; onPick(item); } };
  // A close planned by a blur must not hide the suggestions of typing that started after it (focus came back).
  const keepOpen = () => { clearTimeout(closing); closing = 0; };
  input.addEventListener("focus", keepOpen);
  input.addEventListener("input", async () => {
    keepOpen();
    const mine = ++seq;
    const query = input.value;
    const found = typeof source === "function" ? await source(query) : source.filter((s) => fold(s.label).includes(fold(query)));
    if (mine !== seq) return;
    items = query.trim().length === 0 ? [] : found.slice(0, 12);
    active = -1;
    render();
    if (query.trim().length === 0) onPick(null);
  });
  input.addEventListener("keydown", (e) => {
    if (list.hidden) return;
    if (e.key === "ArrowDown") { active = Math.min(items.length - 1, active + 1); render(); e.preventDefault(); }
    else if (e.key === "ArrowUp") { active = Math.max(0, active - 1); render(); e.preventDefault(); }
    else if (e.key === "Enter" && active >= 0) { pick(active); e.preventDefault(); }
    else if (e.key === "Escape") close();
  });
  input.addEventListener("blur", () => { keepOpen(); closing = setTimeout(close, 150); });
}

/** A DSFR alert in <paramref name="container"/> (role=alert for errors). */
export function showAlert(container, kind, title, text) {
  const alert = el("div", { class: `fr-alert fr-alert--${kind} fr-alert--sm fr-mb-2w`, role: kind === "error" ? "alert" : "status" },
    title ? el("h3", { class: "fr-alert__title", text: title }) : null, text ? el("p", { text }) : null);
  container.replaceChildren(alert);
  return alert;
}

/** Reads a response's body to its end, calling onChunk(bytesReceivedSoFar) after each chunk. */
export async function readBody(response, onChunk) {
  const reader = response.body.getReader();
  const chunks = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { chunks, received };
    chunks.push(value);
    received += value.length;
    onChunk(received);
  }
}

/** Hands bytes received in the page to the browser as a downloaded file named name. */
export function saveFile(chunks, type, name) {
  const url = URL.createObjectURL(new Blob(chunks, { type }));
  const anchor = el("a", { href: url, download: name, hidden: true });
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // Revoked later, not at once: the browser may still be reading the blob after the click.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
