// Applies the saved or system colour scheme before the first paint (no light flash in dark mode), as the design system asks.
(function () {
  try {
    var saved = localStorage.getItem("scheme");
    var dark = saved === "dark" || ((!saved || saved === "system") && window.matchMedia("(prefers-color-scheme: dark)").matches);
    document.documentElement.setAttribute("data-fr-theme", dark ? "dark" : "light");
  } catch (e) { /* storage refused: the design system's default */ }
})();
