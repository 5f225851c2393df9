// Filters for the findings list: by severity and status. No network, no libraries; the page
// works from disk. Without JavaScript every finding stays visible.
(function () {
  var form = document.getElementById("filters");
  if (!form) { return; }
  form.hidden = false;
  var items = Array.prototype.slice.call(document.querySelectorAll(".bevinding"));
  var teller = document.getElementById("filter-telling");
  function gekozen(naam) {
    var uit = {};
    form.querySelectorAll("input[name='" + naam + "']").forEach(function (i) { uit[i.value] = i.checked; });
    return uit;
  }
  function pas_toe() {
    var ernst = gekozen("ernst"), status = gekozen("status"), zichtbaar = 0;
    items.forEach(function (el) {
      var tonen = ernst[el.dataset.ernst] !== false && status[el.dataset.status] !== false;
      el.hidden = !tonen;
      if (tonen) { zichtbaar += 1; }
    });
    teller.textContent = zichtbaar + " van " + items.length + " bevindingen zichtbaar";
  }
  form.addEventListener("change", pas_toe);
  pas_toe();
})();
