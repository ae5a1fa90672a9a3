// Draws the Plotly charts of a page from its <script type="application/json" id="chart-data">
// block: the page carries data, never inline script (the Content-Security-Policy forbids it).
(function () {
  "use strict";
  function draw() {
    var block = document.getElementById("chart-data");
    if (!block || !window.Plotly) return;
    var config = {
      responsive: true,
      displaylogo: false,
      topojsonURL: "/static/topojson/",
      // the bundle carries plotly.js's Vietnamese locale: "Tháng 4" on date axes
      locale: document.documentElement.lang === "vi" ? "vi" : "en",
    };
    JSON.parse(block.textContent).forEach(function (chart) {
      var el = document.getElementById(chart.id);
      if (el) window.Plotly.newPlot(el, chart.data, chart.layout, config);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
