/* The register: small enhancements over a form that works without JavaScript.
 * - the reason and note are shown only for people not marked present;
 * - "Mark all present" resets everyone to present;
 * - the counts under the list follow the taps;
 * - a failed htmx save (no network, server error) says so instead of failing silently.
 * Everything is delegated from the document, so it keeps working after htmx swaps the form. */
(function () {
  "use strict";

  function syncRow(row) {
    var checked = row.querySelector("input[data-status]:checked");
    var extra = row.querySelector("[data-register-extra]");
    if (!extra) return;
    var present = !checked || checked.value === "present";
    // Keep the fields visible while they hold something (a note on a present person, say).
    var reason = extra.querySelector("select");
    var note = extra.querySelector("input");
    var empty = (!reason || !reason.value) && (!note || !note.value);
    extra.hidden = present && empty;
  }

  function updateSummary(form) {
    var summary = form.querySelector("[data-register-summary]");
    if (!summary) return;
    var counts = { present: 0, late: 0, absent: 0, excused: 0 };
    form.querySelectorAll("input[data-status]:checked").forEach(function (input) {
      if (input.value in counts) counts[input.value] += 1;
    });
    Object.keys(counts).forEach(function (status) {
      var target = summary.querySelector('[data-count="' + status + '"]');
      if (target) target.textContent = String(counts[status]);
    });
  }

  function enhance(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var forms = scope.matches && scope.matches("[data-register-form]") ? [scope] : scope.querySelectorAll("[data-register-form]");
    forms.forEach(function (form) {
      form.querySelectorAll("[data-register-row]").forEach(syncRow);
      form.querySelectorAll("[data-mark-all-present]").forEach(function (button) { button.hidden = false; });
      updateSummary(form);
      var firstError = form.querySelector("[data-register-error]");
      if (firstError) firstError.scrollIntoView({ block: "center" });
    });
  }

  function showResult(form, message) {
    var result = form.querySelector("[data-register-result]");
    if (!result) return;
    var alert = document.createElement("div");
    alert.className = "alert alert-danger py-2 mb-2";
    alert.setAttribute("role", "alert");
    alert.textContent = message;
    result.replaceChildren(alert);
  }

  document.addEventListener("change", function (event) {
    var row = event.target.closest("[data-register-row]");
    if (!row) return;
    if (event.target.matches("input[data-status]")) {
      var extra = row.querySelector("[data-register-extra]");
      if (extra) extra.hidden = event.target.value === "present";
      if (event.target.value !== "present") {
        var reason = row.querySelector("[data-register-extra] select");
        if (reason && !reason.value) reason.focus({ preventScroll: true });
      }
    }
    var form = row.closest("[data-register-form]");
    if (form) updateSummary(form);
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-mark-all-present]");
    if (!button) return;
    var form = button.closest("[data-register-form]");
    form.querySelectorAll('input[data-status][value="present"]').forEach(function (input) { input.checked = true; });
    form.querySelectorAll("[data-register-row]").forEach(syncRow);
    updateSummary(form);
  });

  document.addEventListener("htmx:sendError", function (event) {
    var form = event.target.closest && event.target.closest("[data-register-form]");
    if (form) showResult(form, form.dataset.offlineMessage);
  });

  document.addEventListener("htmx:responseError", function (event) {
    var form = event.target.closest && event.target.closest("[data-register-form]");
    if (form) showResult(form, form.dataset.failedMessage);
  });

  // htmx:load fires for the page on start-up and for every piece of content htmx swaps in.
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  } else {
    enhance(document);
  }
})();
