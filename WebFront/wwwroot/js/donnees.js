// Open data page: the export files download with the server's progress and a cancel (fichiers.js).
import { enhanceFileLinks } from "./fichiers.js";

enhanceFileLinks(document.getElementById("fichiers-donnees"));
