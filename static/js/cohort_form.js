// Cohort form: "Add a slot" appends an empty weekly-slot row to the formset. Without JavaScript the
// form still offers a few empty rows, so the button stays hidden until this script runs.
(function () {
  "use strict";
  const button = document.getElementById("add-slot");
  const template = document.getElementById("slot-empty-row");
  const rows = document.getElementById("slot-rows");
  if (!button || !template || !rows) return;
  const prefix = button.dataset.prefix;
  const total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  if (!total) return;
  button.classList.remove("d-none");
  button.addEventListener("click", function () {
    const index = parseInt(total.value, 10);
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const added = rows.lastElementChild && rows.lastElementChild.querySelector("select, input");
    if (added) added.focus();
  });
  // Ticking "remove" greys the row out so it is clear it will not be saved.
  rows.addEventListener("change", function (event) {
    const target = event.target;
    if (target instanceof HTMLInputElement && target.name.endsWith("-DELETE")) {
      const row = target.closest(".slot-row");
      if (row) row.classList.toggle("opacity-50", target.checked);
    }
  });
})();
