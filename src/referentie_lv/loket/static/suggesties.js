// Suggestions as you type for the address field (ARIA 1.2 combobox with a listbox), fetched from
// the Locatieserver service of this origin. Without JavaScript the form still works: the server
// then resolves the typed text itself.
(function () {
  "use strict";
  var veld = document.getElementById("adres");
  if (!veld) return;
  var lijst = document.getElementById("adres-suggesties");
  var verborgen = document.getElementById("adres_id");
  var status = document.getElementById("adres-status");
  var url = veld.getAttribute("data-suggest-url");
  var actief = -1, laatste = "", timer = null, opties = [];

  function sluit() {
    lijst.innerHTML = ""; opties = []; actief = -1;
    veld.setAttribute("aria-expanded", "false");
    veld.removeAttribute("aria-activedescendant");
  }
  function markeer(i) {
    opties.forEach(function (li, j) { li.setAttribute("aria-selected", j === i ? "true" : "false"); });
    actief = i;
    if (i >= 0) veld.setAttribute("aria-activedescendant", opties[i].id);
    else veld.removeAttribute("aria-activedescendant");
  }
  function kies(li) {
    veld.value = li.getAttribute("data-naam");
    verborgen.value = li.getAttribute("data-id");
    laatste = veld.value;
    sluit();
    status.textContent = "Gekozen: " + veld.value;
  }
  function toon(docs) {
    sluit();
    docs.forEach(function (d, i) {
      var li = document.createElement("li");
      li.id = "adres-suggestie-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.setAttribute("data-id", d.id);
      li.setAttribute("data-naam", d.weergavenaam);
      li.textContent = d.weergavenaam;
      li.addEventListener("mousedown", function (e) { e.preventDefault(); kies(li); });
      lijst.appendChild(li);
      opties.push(li);
    });
    veld.setAttribute("aria-expanded", docs.length ? "true" : "false");
    status.textContent = docs.length ? docs.length + " suggesties beschikbaar. Gebruik pijltje omlaag om te kiezen."
                                     : "Geen suggesties gevonden.";
  }
  function haal() {
    var q = veld.value.trim();
    if (q.length < 2 || q === laatste) return;
    laatste = q;
    fetch(url + "?rows=7&fq=type:adres&q=" + encodeURIComponent(q), {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : {response: {docs: []}}; })
      .then(function (j) { if (veld.value.trim() === q) toon((j.response && j.response.docs) || []); })
      .catch(function () { status.textContent = "Suggesties zijn nu niet beschikbaar; u kunt gewoon zoeken."; });
  }
  veld.addEventListener("input", function () {
    verborgen.value = "";
    clearTimeout(timer);
    timer = setTimeout(haal, 150);
  });
  veld.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" && opties.length) { e.preventDefault(); markeer((actief + 1) % opties.length); }
    else if (e.key === "ArrowUp" && opties.length) { e.preventDefault(); markeer(actief <= 0 ? opties.length - 1 : actief - 1); }
    else if (e.key === "Enter" && actief >= 0) { e.preventDefault(); kies(opties[actief]); }
    else if (e.key === "Escape") { sluit(); }
  });
  veld.addEventListener("blur", function () { setTimeout(sluit, 100); });
})();
