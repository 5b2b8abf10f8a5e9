// Certificate screens: confirm before a form with data-confirm is submitted (revoking a certificate), and
// reload the batch page once its progress bar reports that rendering has finished, to show the downloads.
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  document.body.addEventListener("htmx:afterSettle", function () {
    var progress = document.getElementById("batch-progress");
    if (progress && !progress.hasAttribute("hx-get")) {
      window.location.reload();
    }
  });
})();
