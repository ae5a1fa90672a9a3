// Bundles entry.js (plotly.js's core with the traces the web UI draws, and the Vietnamese locale)
// into caunoi/app/static/vendor/, the way plotly.js builds its own bundles (its esbuild-config.js),
// minified, with plotly.js's licence header. Run from this folder: npm ci && npm run build
'use strict';
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');
const { environmentPlugin } = require('esbuild-plugin-environment');
const InlineCSSPlugin = require('esbuild-plugin-inline-css');

const version = require('plotly.js/package.json').version;
const vendor = path.join(__dirname, '..', '..', 'caunoi', 'app', 'static', 'vendor');
const outfile = path.join(vendor, `plotly-${version}-caunoi.min.js`);
const banner = `/*! plotly.js v${version} (core, bar, pie, choropleth; locale vi) | Copyright 2012-2026, Plotly, Inc. | MIT licence: plotly-LICENSE.txt | built by tools/plotly */`;

esbuild
  .build({
    entryPoints: [path.join(__dirname, 'entry.js')],
    outfile,
    format: 'iife',
    globalName: 'Plotly',
    bundle: true,
    minify: true,
    legalComments: 'none',
    banner: { js: banner },
    plugins: [InlineCSSPlugin(), environmentPlugin({ NODE_DEBUG: false })],
    define: { global: 'window', 'define.amd': 'false' },
    target: 'es2016',
    logLevel: 'info',
  })
  .then(() => {
    fs.copyFileSync(require.resolve('plotly.js/LICENSE'), path.join(vendor, 'plotly-LICENSE.txt'));
  })
  .catch(() => process.exit(1));
