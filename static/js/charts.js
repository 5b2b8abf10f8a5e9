/* Draws the dashboard charts with the vendored Chart.js.
 *
 * Each <canvas data-chart="ID"> is drawn from the JSON in <script id="ID" type="application/json">, written by
 * Django's json_script filter: {type, labels, datasets: [{label, data}], percent?, stacked?}. No inline code,
 * so the page works under a strict content security policy.
 */
(function () {
  "use strict";

  var PALETTE = ["#0d6efd", "#adb5bd", "#198754", "#fd7e14", "#6f42c1", "#d63384"];

  function datasetStyle(spec, dataset, index) {
    var colour = PALETTE[index % PALETTE.length];
    var style = { label: dataset.label, data: dataset.data, borderColor: colour, backgroundColor: colour };
    if (spec.type === "line") {
      style.backgroundColor = colour + "33";
      style.fill = true;
      style.spanGaps = false; // a week without registers is a gap, not a slope
      style.tension = 0.25;
      style.pointRadius = 4;
    }
    return style;
  }

  function options(spec) {
    var y = { beginAtZero: true, stacked: !!spec.stacked, ticks: { precision: 0 } };
    if (spec.percent) {
      y.max = 100;
      y.ticks.callback = function (value) { return value + " %"; };
    }
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: spec.datasets.length > 1, position: "bottom" } },
      scales: { x: { stacked: !!spec.stacked }, y: y },
    };
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof Chart === "undefined") {
      return null;
    }
    var spec = JSON.parse(source.textContent);
    return new Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (dataset, index) { return datasetStyle(spec, dataset, index); }),
      },
      options: options(spec),
    });
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
