/* Draws the donor report's charts with the vendored Chart.js.
 *
 * Each <canvas data-report-chart="ID"> is drawn from the JSON in <script id="ID" type="application/json">
 * ({type, title, labels, datasets: [{label, data}]}), written by Django's json_script filter. A bar whose count is
 * withheld (under 5) is null in the data and its label already says "<5": the page never holds the small count.
 * No inline code, so the page works under a strict content security policy.
 */
(function () {
  "use strict";

  var COLOUR = "#0d6efd";

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.reportChart);
    if (!source || typeof Chart === "undefined") {
      return null;
    }
    var spec = JSON.parse(source.textContent);
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (dataset) {
          return { label: dataset.label, data: dataset.data, backgroundColor: COLOUR, borderColor: COLOUR };
        }),
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-report-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
