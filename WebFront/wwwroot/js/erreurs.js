// The files a deliverable's last scan could not read and the folders it could not list, each with its reason in
// French, grouped by kind (file that is not a readable tile, access refused, file gone, time out, crawl bound, server or
// connection failure): shown on the project page and in the owner's storage panel, from GET …/errors.
import { errorText, formatNumber } from "./labels.js";
import { el, api } from "./ui.js";

/** Kinds in the order they are listed, with their French heading. */
const KINDS = [
  ["format", "Fichiers qui ne sont pas des dalles lisibles (en-tête absent, tronqué ou invalide)"],
  ["access", "Accès refusé par le serveur"],
  ["missing", "Fichiers ou dossiers absents du serveur"],
  ["timeout", "Délai dépassé (serveur lent ou occupé)"],
  ["bound", "Limites d'exploration et boucles"],
  ["server", "Erreurs du serveur ou de la connexion"],
  ["other", "Autres erreurs"],
];

const FORMAT_PREFIXES = ["jp2.", "tiff.", "geotiff.", "gml.", "wkt."];
const FORMAT_CODES = ["file.empty", "file.looks-html", "file.xml-not-gml", "file.sqlite-not-gpkg", "file.no-signature", "file.byte-budget", "file.byte-budget-need", "file.not-analysed", "file.header-unreadable"];
const ACCESS_CODES = ["http.denied", "http.login-refused", "sftp.denied", "sftp.login-refused", "local.denied", "local.directory-denied", "address.refused", "scan.no-proven-login"];
const MISSING_CODES = ["http.not-found", "sftp.missing", "local.file-missing", "local.directory-missing"];

/** The kind of a coded error: the reason inside "reading … failed: reason" counts, not the wrapper. */
export function errorKind(coded) {
  if (!coded) return "other";
  const code = coded.code;
  const inner = (coded.args || []).find((a) => a && typeof a === "object");
  if ((code === "file.read-failed" || code === "sentences" || code === "what.on" || code.startsWith("ftp.answered")) && inner && code !== "ftp.answered") return errorKind(inner);
  if (FORMAT_PREFIXES.some((p) => code.startsWith(p)) || FORMAT_CODES.includes(code)) return "format";
  if (ACCESS_CODES.includes(code)) return "access";
  if (MISSING_CODES.includes(code)) return "missing";
  if (code.includes("timeout") || code.includes("timed-out") || code === "file.no-connection" || code === "scan.no-answer" || code === "ftp.no-progress") return "timeout";
  if (code.startsWith("scan.bound") || code === "scan.loop" || code === "scan.long-names" || code.endsWith("-max") || code.endsWith("-entries")) return "bound";
  return "server";
}

function grouped(items, attribute, id) {
  const byKind = new Map();
  for (const item of items) {
    const kind = errorKind(item.errorCode);
    if (!byKind.has(kind)) byKind.set(kind, []);
    byKind.get(kind).push(item);
  }
  return el("div", { [attribute]: id }, KINDS.filter(([kind]) => byKind.has(kind)).map(([kind, heading]) => el("div", { "data-error-kind": kind },
    el("p", { class: "fr-text--sm fr-text--bold fr-mb-1v fr-mt-1w", text: `${heading} (${formatNumber(byKind.get(kind).length)})` }),
    el("ul", { class: "fr-text--sm" }, byKind.get(kind).map((f) => el("li", {}, el("code", { text: f.path }), ` : ${errorText(f.errorCode, f.error)}`))))));
}

/** The "Dossiers non lus" and "Fichiers en erreur" sections of a deliverable, or nothing when its scan read everything. */
export async function errorLists(projectId, deliverableId, scan, errorCount) {
  if (!(errorCount > 0) && scan?.status !== "partial") return [];
  const errors = await api(`/api/projects/${projectId}/deliverables/${deliverableId}/errors?limit=200`).catch(() => null);
  const parts = [];
  if (errors?.directories?.length) {
    parts.push(el("details", { class: "fr-mt-2w" },
      el("summary", { text: `Dossiers non lus (${formatNumber(errors.directories.length)}${errors.directoriesTruncated ? " et plus" : ""})` }),
      grouped(errors.directories, "data-directory-errors", deliverableId)));
  }
  if (errors?.files?.length) {
    parts.push(el("details", { class: "fr-mt-2w" },
      el("summary", { text: `Fichiers en erreur (${formatNumber(Math.max(errorCount || 0, errors.files.length))})` }),
      grouped(errors.files, "data-errors", deliverableId),
      errors.truncated ? el("p", { class: "fr-text--sm", text: `Les ${formatNumber(errors.files.length)} premiers sont listés.` }) : null));
  }
  return parts;
}
