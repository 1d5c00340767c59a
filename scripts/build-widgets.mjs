// The browser side of the widgets (widgets/frontend/views.ts, with vega, vega-lite and vega-embed
// bundled in: nothing loads from the network), built by esbuild twice:
//  - kernel/jupyter/nbextensions/dadalab/widgets.js: an AMD module for the classic Notebook, which
//    loads it with requirejs as 'nbextensions/dadalab/widgets' (the Notebook serves nbextensions
//    from every Jupyter data folder: kernel/jupyter is one through JUPYTER_PATH, `dadalab install`
//    copies it to the user's). It takes the widget base classes from 'jupyter-js-widgets'
//    (ipywidgets 6) or '@jupyter-widgets/base' (ipywidgets 7 and 8), whichever the page has.
//  - dist/widgets/frontend/views.mjs: an ES module (`defineViews(base)`) for pages that run
//    @jupyter-widgets/html-manager.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const esbuild = require('esbuild');
const entry = join(root, 'widgets', 'frontend', 'views.ts');
const common = { entryPoints: [entry], bundle: true, minify: true, platform: 'browser', target: 'es2020', legalComments: 'none', logLevel: 'warning' };

const esm = join(root, 'dist', 'widgets', 'frontend', 'views.mjs');
mkdirSync(dirname(esm), { recursive: true });
await esbuild.build({ ...common, format: 'esm', outfile: esm });

const iife = await esbuild.build({ ...common, format: 'iife', globalName: '__dadalabViews', write: false });
const body = iife.outputFiles[0].text;
// `define` is hidden from the bundle (a dependency's UMD check would register an anonymous module
// and break requirejs), then the real one registers ours.
const amd = `/* dadalab widget views, built by scripts/build-widgets.mjs */
(function (amdDefine) {
var define = undefined;
${body}
var deps = (typeof window !== 'undefined' && window.require && window.require.defined && window.require.defined('@jupyter-widgets/base'))
  ? ['@jupyter-widgets/base'] : ['jupyter-js-widgets'];
amdDefine(deps, function (base) { return __dadalabViews.defineViews(base); });
})(typeof define === 'function' ? define : function () { throw new Error('dadalab widgets need requirejs (the classic Notebook)'); });
`;
const nbext = join(root, 'kernel', 'jupyter', 'nbextensions', 'dadalab', 'widgets.js');
mkdirSync(dirname(nbext), { recursive: true });
writeFileSync(nbext, amd);
console.log(`widget views written to ${nbext} (${(amd.length / 1024).toFixed(0)} KiB) and ${esm}`);
