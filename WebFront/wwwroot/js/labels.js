// Every code the API speaks, in the French the platform's users know. The one place where a code becomes words:
// pages never print a raw code (an unknown one is shown as is, marked, so it is noticed rather than hidden).
import { errorSentences } from "./phrases.js";

const tables = {
  status: {
    investigation: "Investigation", convention_signee: "Convention signée", marche_public_en_cours: "Marché public en cours",
    prod_en_cours: "Production en cours", controle_en_cours: "Contrôle en cours", realise: "Réalisé", disponible: "Publié",
    obsolete: "Obsolète",
  },
  regime: { production: "Production initiale", maj: "Mise à jour", anticipation: "Anticipation" },
  projectNature: { vecteur: "Vecteur", raster: "Raster", mixte: "Mixte" },
  deliverableNature: { geotiff: "GeoTIFF", jpeg2000: "JPEG 2000", gml: "GML", dxf: "DXF", dwg: "DWG", gpkg: "GeoPackage" },
  licence: { ouvert_lo: "Licence ouverte (Etalab)", ouvert_odbl: "ODbL", ferme: "Licence fermée" },
  diffusion: { wms: "WMS", wmts: "WMTS", wfs: "WFS", tms: "TMS", none: "Aucune diffusion" },
  storageType: { http: "HTTP(S)", ftp: "FTP", sftp: "SFTP" },
  tls: { none: "Sans chiffrement", explicit: "FTPS explicite (AUTH TLS)", implicit: "FTPS implicite" },
  scan: {
    queued: "En attente", verifying: "Vérification des accès", listing: "Lecture des dossiers", analysing: "Analyse des fichiers",
    running: "En cours", succeeded: "Réussi", failed: "Échec", partial: "Partiel", revoked: "Révoqué",
  },
  classification: {
    "PCRS raster": "PCRS raster", "PCRS vector": "PCRS vecteur", "other raster": "Autre raster",
    "other vector": "Autre vecteur", mixed: "Mixte", empty: "Vide", unknown: "Non reconnu",
  },
  format: {
    GTiff: "GeoTIFF", GeoTIFF: "GeoTIFF", geotiff: "GeoTIFF", JP2: "JPEG 2000", JPEG2000: "JPEG 2000", jpeg2000: "JPEG 2000",
    J2K: "JPEG 2000 (flux brut)", GML: "GML", GPKG: "GeoPackage", GeoPackage: "GeoPackage", DXF: "DXF",
  },
  band: {
    Red: "Rouge", Green: "Vert", Blue: "Bleu", Alpha: "Alpha", Gray: "Niveaux de gris", Grey: "Niveaux de gris",
    Undefined: "Indéfinie", NIR: "Proche infrarouge", Palette: "Palette", Infrared: "Infrarouge",
  },
  role: {
    aplc: "Autorité publique locale compétente", porteur: "Porteur", financeur: "Financeur", diffuseur: "Diffuseur",
    presta_vol: "Prestataire de vol", presta_lidar: "Prestataire LiDAR", controleur: "Contrôleur",
  },
  subsidy: { feder: "FEDER", cper: "CPER", cepr: "CPER", detr: "DETR" },
  source: { documentation: "Documentation", site: "Site web", portail: "Portail", autre: "Autre" },
  compression: { LZW: "LZW", DEFLATE: "Deflate", JPEG: "JPEG", NONE: "Aucune", None: "Aucune", PACKBITS: "PackBits", ZSTD: "Zstandard", WEBP: "WebP", LERC: "LERC", JPEG2000: "JPEG 2000" },
  perimeterKind: { commune: "Commune", epci: "EPCI", departement: "Département", region: "Région" },
  error: errorSentences,
};

/**
 * The French of a coded error ({code, args} the API sends beside its English sentence); each arg is text (a path, a
 * number, a server's own reply) or another coded error. Without a code, or with one this table lacks, the English is
 * returned as is: the tests make sure every code the server can send is here.
 */
export function errorText(coded, english) {
  if (!coded || typeof coded !== "object") return english ?? "";
  const args = (coded.args || []).map((a) => (a && typeof a === "object" ? errorText(a, "") : String(a ?? "")));
  if (coded.code === "sentences") return args.join(" ");
  const template = tables.error[coded.code];
  if (template === undefined) return english ?? "";
  // A part that starts with an article ("le stockage") follows "à" or "de" in French as "au", "du".
  return template.replace(/\{(\d+)\}/g, (_, i) => args[Number(i)] ?? "").replace(/(^|\s)([àÀ]) le /g, (_, s, a) => `${s}${a === "à" ? "au" : "Au"} `)
    .replace(/(^|\s)([dD])e le /g, "$1$2u ");
}

/** The French of an API error (ApiError or a problem): its detail, else its title, else the field messages. */
export function problemText(problem, fallback) {
  if (!problem) return fallback;
  if (problem.detail) return errorText(problem.detailCode, problem.detail);
  const fields = Object.entries(problem.errors || {});
  if (fields.length) {
    return fields.map(([field, texts]) => texts.map((t, i) => errorText(problem.errorCodes?.[field]?.[i], t)).join(" ")).join(" ; ");
  }
  if (problem.title) return errorText(problem.titleCode, problem.title);
  return fallback;
}

/** The French label of a code of one kind; an unknown code is returned as is. */
export function label(kind, code) {
  if (code === null || code === undefined || code === "") return "—";
  const table = tables[kind];
  return (table && Object.prototype.hasOwnProperty.call(table, code)) ? table[code] : String(code);
}

/** The codes of a kind with their labels, in the table's order (for selects and legends). */
export function entries(kind) {
  return Object.entries(tables[kind] || {});
}

const dateTime = new Intl.DateTimeFormat("fr-FR", {
  weekday: "long", day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "Europe/Paris",
});
const dateOnly = new Intl.DateTimeFormat("fr-FR", { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
const shortDate = new Intl.DateTimeFormat("fr-FR", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

/** "lundi 23 octobre 2023 à 23:18" (Paris time) for an instant. */
export function formatDateTime(value) {
  if (!value) return "—";
  const d = new Date(value);
  if (isNaN(d)) return String(value);
  const parts = dateTime.formatToParts(d);
  const get = (t) => parts.find((p) => p.type === t)?.value ?? "";
  return `${get("weekday")} ${get("day")} ${get("month")} ${get("year")} à ${get("hour")}:${get("minute")}`;
}

/** "lundi 23 octobre 2023" for a calendar date "2023-10-23" (no time zone shift). */
export function formatDate(value, long = true) {
  if (!value) return "—";
  const d = new Date(value.length === 10 ? value + "T00:00:00Z" : value);
  return isNaN(d) ? String(value) : (long ? dateOnly : shortDate).format(d);
}

const number = new Intl.NumberFormat("fr-FR");
export function formatNumber(value) {
  return value === null || value === undefined ? "—" : number.format(value);
}

/** "1 dalle", "3 dalles", "0 dalle": French puts the singular below 2. */
export function countOf(value, singular, plural = singular + "s") {
  return `${formatNumber(value)} ${Math.abs(value) >= 2 ? plural : singular}`;
}

/** Bytes in French units (o, ko, Mo, Go, To), decimal as the platform shows them. */
export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined) return "—";
  const units = ["o", "ko", "Mo", "Go", "To", "Po"];
  let value = bytes, unit = 0;
  while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit++; }
  return value.toLocaleString("fr-FR", { maximumFractionDigits: unit === 0 ? 0 : 1 }) + " " + units[unit];
}

/** A ground resolution in metres as the PCRS speaks of it: "5 cm". */
export function formatResolution(metres) {
  if (metres === null || metres === undefined) return "—";
  const cm = metres * 100;
  return cm < 100 ? `${cm.toLocaleString("fr-FR", { maximumFractionDigits: 1 })} cm` : `${metres.toLocaleString("fr-FR", { maximumFractionDigits: 2 })} m`;
}

/** "commune:57463" → { kind: "commune", code: "57463" }. */
export function parsePerimeter(value) {
  const i = String(value).indexOf(":");
  return i < 0 ? { kind: "", code: String(value) } : { kind: value.slice(0, i), code: value.slice(i + 1) };
}

/** Lower case without accents, for searches ("Évry" matches "evry"). */
export function fold(text) {
  return String(text ?? "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[’']/g, " ").replace(/\s+/g, " ").trim();
}

/** Why tiles are not "PCRS raster": the rules of the scanner's classification, said in French. */
export function pcrsRasterGaps(summary, resolutions, acceptedEpsg) {
  const gaps = [];
  if (!summary) return gaps;
  if (!summary.epsg) gaps.push("aucune projection reconnue (géoréférencement absent ou inconnu)");
  else if (!acceptedEpsg.includes(summary.epsg)) gaps.push(`la projection EPSG:${summary.epsg} n'est pas admise pour un PCRS (Lambert-93, coniques conformes CC42 à CC50 ou UTM des outre-mer)`);
  const coarse = (resolutions || []).filter((r) => r > 0.05 + 1e-9);
  if (coarse.length) gaps.push(`résolution de ${formatResolution(Math.max(...coarse))} : un PCRS raster demande 5 cm ou mieux`);
  const bands = (summary.bands || []).filter((b) => b !== "Alpha");
  const rgb = bands.length === 3 && ["Red", "Green", "Blue"].every((b) => bands.includes(b));
  const irc = bands.length >= 3 && bands.some((b) => /NIR|Infrared|Undefined/.test(b));
  if (bands.length && !rgb && !irc) gaps.push(`bandes ${bands.map((b) => label("band", b)).join(", ")} : un PCRS raster est en couleurs (rouge, vert, bleu) ou en infrarouge couleur`);
  return gaps;
}
