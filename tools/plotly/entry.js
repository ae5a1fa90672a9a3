// The traces the web UI draws (caunoi/app/ui/dashboard.py: dashboard_charts and _hbar) and the Vietnamese
// locale: what goes into caunoi/app/static/vendor/plotly-<version>-caunoi.min.js. A chart of another
// trace type needs its module registered here and the bundle rebuilt (README.md).
'use strict';
var Plotly = require('plotly.js/lib/core');
Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/pie'),
    require('plotly.js/lib/choropleth'),
    require('plotly.js/lib/locales/vi'),
]);
module.exports = Plotly;
