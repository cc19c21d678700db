// Form helpers shared by the follow-up form and the storage panels: labelled fields bound to the API's JSON paths,
// and the server's ProblemDetails errors shown beside those fields.
import { el, showAlert } from "./ui.js";
import { errorText, problemText } from "./labels.js";

let fieldSeq = 0;

/** A labelled input bound to a JSON path ("steps[2].startDate"): the server's error for that path shows beneath it. */
export function field(path, text, value, options = {}) {
  const id = `champ-${++fieldSeq}`;
  const group = el("div", { class: options.select ? "fr-select-group" : "fr-input-group", "data-group": path });
  const hint = options.hint ? el("span", { class: "fr-hint-text", text: options.hint }) : null;
  group.append(el("label", { class: "fr-label", for: id }, text, options.required ? " (obligatoire)" : "", hint));
  let input;
  if (options.select) {
    input = el("select", { class: "fr-select", id, "data-field": path },
      options.empty !== undefined ? el("option", { value: "", text: options.empty }) : null,
      options.select.map(([code, name]) => el("option", { value: code, text: name, selected: code === value })));
  } else {
    input = el("input", { class: "fr-input", id, "data-field": path, type: options.type || "text", value: value ?? "", autocomplete: options.autocomplete || "off",
      inputmode: options.inputmode, min: options.min, max: options.max, step: options.step });
  }
  input.setAttribute("aria-describedby", `${id}-erreur`);
  group.append(input, el("p", { class: "fr-error-text", id: `${id}-erreur`, hidden: true }));
  return group;
}

/** Puts the ProblemDetails errors beside their fields; those without a field go in the banner. Returns how many were placed. */
export function showErrors(scope, problem, banner) {
  for (const group of scope.querySelectorAll(".fr-input-group--error, .fr-select-group--error")) {
    group.classList.remove("fr-input-group--error", "fr-select-group--error");
    const p = group.querySelector(".fr-error-text"); if (p) { p.hidden = true; p.textContent = ""; }
  }
  const errors = problem?.errors || {};
  const unplaced = [];
  let placed = 0;
  for (const [path, texts] of Object.entries(errors)) {
    const group = [...scope.querySelectorAll("[data-group]")].find((g) => g.dataset.group.toLowerCase() === path.toLowerCase());
    if (!group) { unplaced.push(`${path} : ${texts.map((t, i) => errorText(problem.errorCodes?.[path]?.[i], t)).join(" ")}`); continue; }
    group.classList.add(group.classList.contains("fr-select-group") ? "fr-select-group--error" : "fr-input-group--error");
    const p = group.querySelector(".fr-error-text");
    p.textContent = texts.map((t, i) => errorText(problem.errorCodes?.[path]?.[i], t)).join(" ");
    p.hidden = false;
    placed++;
  }
  if (placed || unplaced.length || problem) {
    showAlert(banner, "error", placed ? `${placed} champ${placed > 1 ? "s" : ""} à corriger` : "L'enregistrement a échoué",
      unplaced.length ? unplaced.join(" ; ") : (placed ? "Les messages sont sous les champs concernés." : problemText(problem, "")));
    const first = scope.querySelector(".fr-input-group--error input, .fr-select-group--error select");
    (first || banner).focus?.();
  }
  return placed;
}

