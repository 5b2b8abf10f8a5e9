// Movement form: show the destination only for movements that take the person somewhere, and the expected
// release date only for those that start a stay. Without JavaScript every field stays visible; the server
// ignores the ones that do not apply.
(function () {
  "use strict";
  const form = document.querySelector("[data-movement-form]");
  if (!form) return;
  const needs = {
    facility: ["admission", "transfer", "readmission"],
    expected_release_date: ["admission", "readmission"],
  };
  function update() {
    const checked = form.querySelector("input[name=kind]:checked");
    const kind = checked ? checked.value : "";
    Object.keys(needs).forEach(function (name) {
      const wrapper = form.querySelector('[data-movement-field="' + name + '"]');
      if (wrapper) wrapper.hidden = needs[name].indexOf(kind) === -1;
    });
  }
  form.addEventListener("change", update);
  update();
})();
