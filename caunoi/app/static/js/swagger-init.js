// Starts Swagger UI on /docs over the schema the page names in data-openapi: the page carries no
// inline script (the Content-Security-Policy forbids it), as static/js/charts.js does for charts.
(function () {
  "use strict";
  function start() {
    var box = document.getElementById("swagger-ui");
    if (!box || !window.SwaggerUIBundle) return;
    window.ui = window.SwaggerUIBundle({
      url: box.dataset.openapi,
      dom_id: "#swagger-ui",
      layout: "BaseLayout",
      deepLinking: true,
      showExtensions: true,
      showCommonExtensions: true,
      validatorUrl: null,
      presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIBundle.SwaggerUIStandalonePreset],
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
