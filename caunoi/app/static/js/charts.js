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
      if (!el) return;
      window.Plotly.newPlot(el, chart.data, chart.layout, config).then(function (plot) {
        if (chart.links) follow(plot);
      });
    });
  }
  // A chart whose points carry links (customdata: a path of this site, such as /search?q=…&from=…):
  // a click on a bar or a point opens the articles behind it. Anything but a path here is ignored.
  function follow(plot) {
    plot.classList.add("linked");
    plot.on("plotly_click", function (event) {
      var point = event && event.points && event.points[0];
      var url = point && point.customdata;
      if (typeof url === "string" && /^\/(?![\/\\])/.test(url)) window.location.assign(url);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
