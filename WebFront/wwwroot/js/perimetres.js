// A perimeter row of the follow-up form: the code the API keeps ("commune:57463") and a search by name that fills it,
// with the official name shown beside the code so that an owner never has to know an INSEE code or a SIREN.
import { label } from "./labels.js";
import { el, api, autocomplete } from "./ui.js";
import { field } from "./form.js";

let seq = 0;

export function perimeterRow(value, i) {
  const id = `perimetre-nom-${++seq}`;
  const search = el("input", { class: "fr-input", type: "text", id, autocomplete: "off", spellcheck: "false", "data-perimeter-search": "" });
  const codeGroup = field(`perimeters[${i}]`, `Périmètre ${i + 1} (code)`, value, { hint: "commune:INSEE, epci:SIREN ou departement:code" });
  const code = codeGroup.querySelector("input");
  const named = el("p", { class: "fr-hint-text fr-mt-1v", "data-perimeter-name": "", "aria-live": "polite" });
  const show = (t) => { named.textContent = t ? `${t.name} — ${label("perimeterKind", t.kind)}${t.context && t.kind !== "departement" ? ", " + t.context : ""}` : (code.value.trim() ? "Code absent de la liste officielle des communes, EPCI et départements." : ""); };
  const resolve = async () => {
    const v = code.value.trim();
    if (!v) { show(null); return; }
    const [t] = await api(`/api/territories?ids=${encodeURIComponent(v)}`).catch(() => []);
    if (code.value.trim() === v) show(t);
  };
  code.addEventListener("change", resolve);
  resolve();
  const searchGroup = el("div", { class: "fr-input-group pcrs-relative" },
    el("label", { class: "fr-label", for: id }, `Chercher le périmètre ${i + 1} par nom`, el("span", { class: "fr-hint-text", text: "Commune, EPCI ou département" })),
    search);
  // After the input has its parent: the suggestions list goes right after it.
  autocomplete(search, async (q) => q.trim().length < 2 ? [] :
    (await api(`/api/territories?q=${encodeURIComponent(q)}`)).map((t) => ({ label: t.name, context: `${label("perimeterKind", t.kind)}${t.context ? ", " + t.context : ""}`, territory: t })),
    (item) => { if (!item) return; code.value = item.territory.id; show(item.territory); search.value = ""; });
  return [searchGroup, el("div", {}, codeGroup, named)];
}
