// Home page: every project in a table, and on the map the extent of its scanned deliverables.
"use strict";

(async function () {
  const status = document.getElementById("status");
  try {
    const projects = await getJson("/api/projects");
    const located = projects.filter(p => p.bbox);
    const map = await createMap(located.length);
    const tbody = document.querySelector("#projects tbody");
    const bounds = [];
    for (const project of projects) {
      const row = document.createElement("tr");
      const nameCell = document.createElement("td");
      const link = el("a", project.name);
      link.href = "/projects/" + encodeURIComponent(project.id);
      nameCell.appendChild(link);
      row.appendChild(nameCell);
      row.appendChild(el("td", project.regime));
      row.appendChild(el("td", project.nature));
      row.appendChild(el("td", statusLabels[project.currentStatus] || project.currentStatus || "–"));
      row.appendChild(el("td", project.deliverables));
      tbody.appendChild(row);
      if (project.bbox) {
        const [w, s, e, n] = project.bbox;
        const rectangle = L.rectangle([[s, w], [n, e]], { color: "#000091", weight: 2, fillOpacity: 0.2 }).addTo(map);
        rectangle.bindTooltip(project.name);
        rectangle.on("click", () => { window.location.href = link.href; });
        bounds.push([s, w], [n, e]);
      }
    }
    if (bounds.length) map.fitBounds(bounds, { padding: [20, 20] });
    document.body.dataset.features = String(located.length);
    status.textContent = projects.length + " projet(s), " + located.length + " sur la carte";
  } catch (error) {
    status.textContent = "Erreur : " + error.message;
    status.className = "status error";
  }
  document.body.dataset.ready = "true";
})();
