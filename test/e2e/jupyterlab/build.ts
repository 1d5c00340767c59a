/**
 * Bundles a page of JupyterLab 4's packages (page.ts: its renderers; ../widgets-page/jupyterlab.ts: its widget
 * manager) and its CSS into one offline HTML page with esbuild. Returns the page's path.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export async function buildJupyterLabPage(outDir: string, entry = 'page.ts', name = 'jupyterlab'): Promise<string> {
  const esbuild = require('esbuild');
  const root = path.resolve(__dirname, '..', '..', '..');
  // JupyterLab's CSS imports packages webpack-style ('~@lumino/widgets/style/index.css')
  const tilde = {
    name: 'webpack-tilde',
    setup(build: any) {
      build.onResolve({ filter: /^~/ }, (args: { path: string; resolveDir: string }) => ({
        path: require.resolve(args.path.slice(1), { paths: [args.resolveDir, root] }),
      }));
    },
  };
  await esbuild.build({
    entryPoints: { [name]: path.join(__dirname, entry) }, bundle: true, outdir: outDir, format: 'iife', platform: 'browser', minify: true,
    absWorkingDir: root, plugins: [tilde], logLevel: 'error',
    loader: { '.svg': 'dataurl', '.woff': 'dataurl', '.woff2': 'dataurl', '.ttf': 'dataurl', '.png': 'dataurl', '.gif': 'dataurl' },
    define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
  });
  const js = readFileSync(path.join(outDir, `${name}.js`), 'utf8').replace(/<\/script/gi, '<\\/script');
  const css = readFileSync(path.join(outDir, `${name}.css`), 'utf8');
  const file = path.join(outDir, `${name}.html`);
  writeFileSync(file, `<!DOCTYPE html><html><head><meta charset="utf-8"><style>${css}</style></head>
<body class="jp-ThemedContainer" data-jp-theme-light="true"><div id="notebook" class="jp-Notebook"></div><script>${js}</script></body></html>`);
  return file;
}
