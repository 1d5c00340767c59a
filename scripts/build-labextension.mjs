// The JupyterLab 4 extension of dadalab's widget views (widgets/frontend/labextension): a prebuilt
// ("federated") labextension, the format `jupyter labextension build` writes, built here from npm
// packages without Python:
//  1. esbuild strips the TypeScript of widgets/frontend/{labextension/index,views}.ts into
//     dist/labextension-src/ (module per file, imports kept), beside a copy of the extension's
//     package.json with the dadalab version;
//  2. @jupyterlab/builder's build-labextension (webpack 5 module federation) bundles it into
//     kernel/jupyter/labextensions/dadalab: package.json with `jupyterlab._build`,
//     static/remoteEntry.<hash>.js and the chunks, third-party licences. JupyterLab finds it in any
//     Jupyter data folder (kernel/jupyter through JUPYTER_PATH; `dadalab install` copies it to the
//     user's or a prefix's).
// The builder's --core-path wants JupyterLab's own package.json (in the Python package, not on
// npm) only for two things: which packages JupyterLab provides as singletons (never bundled by an
// extension), and their versions. The extension imports none of them (only @jupyter-widgets/base,
// shared by JupyterLab's widget extension, see its package.json), so a core description with
// JupyterLab 4's singleton list and no versions is enough; an import of one of those packages
// would be consumed from JupyterLab, never bundled.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const esbuild = require('esbuild');
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const frontend = join(root, 'widgets', 'frontend');
const staging = join(root, 'dist', 'labextension-src');
const pkgDir = join(staging, 'labextension');
const out = join(root, 'kernel', 'jupyter', 'labextensions', 'dadalab');

// JupyterLab 4's singleton packages (its staging package.json, `jupyterlab.singletonPackages`)
const SINGLETONS = [
  '@codemirror/language', '@codemirror/state', '@codemirror/view', '@jupyter/react-components', '@jupyter/web-components',
  '@jupyter/ydoc', '@jupyterlab/application', '@jupyterlab/apputils', '@jupyterlab/cell-toolbar', '@jupyterlab/codeeditor',
  '@jupyterlab/codemirror', '@jupyterlab/completer', '@jupyterlab/console', '@jupyterlab/coreutils', '@jupyterlab/debugger',
  '@jupyterlab/docmanager', '@jupyterlab/documentsearch', '@jupyterlab/extensionmanager', '@jupyterlab/filebrowser',
  '@jupyterlab/fileeditor', '@jupyterlab/htmlviewer', '@jupyterlab/imageviewer', '@jupyterlab/inspector', '@jupyterlab/launcher',
  '@jupyterlab/logconsole', '@jupyterlab/lsp', '@jupyterlab/mainmenu', '@jupyterlab/markdownviewer', '@jupyterlab/mermaid',
  '@jupyterlab/metadataform', '@jupyterlab/notebook', '@jupyterlab/pluginmanager', '@jupyterlab/rendermime',
  '@jupyterlab/rendermime-interfaces', '@jupyterlab/services', '@jupyterlab/settingeditor', '@jupyterlab/settingregistry',
  '@jupyterlab/statedb', '@jupyterlab/statusbar', '@jupyterlab/terminal', '@jupyterlab/toc', '@jupyterlab/tooltip',
  '@jupyterlab/translation', '@jupyterlab/ui-components', '@jupyterlab/workspaces', '@lezer/common', '@lezer/highlight',
  '@lumino/algorithm', '@lumino/application', '@lumino/commands', '@lumino/coreutils', '@lumino/datagrid', '@lumino/disposable',
  '@lumino/domutils', '@lumino/dragdrop', '@lumino/keyboard', '@lumino/messaging', '@lumino/polling', '@lumino/properties',
  '@lumino/signaling', '@lumino/virtualdom', '@lumino/widgets', '@microsoft/fast-element', '@microsoft/fast-foundation',
  'react', 'react-dom', 'yjs',
];

const started = Date.now();
rmSync(staging, { recursive: true, force: true });
mkdirSync(pkgDir, { recursive: true });

// 1. TypeScript -> JavaScript, one module per file (webpack does the bundling and the sharing)
await esbuild.build({
  entryPoints: [join(frontend, 'labextension', 'index.ts'), join(frontend, 'views.ts')],
  outbase: frontend, outdir: staging, bundle: false, format: 'esm', platform: 'browser', target: 'es2020',
  define: { __DADALAB_VERSION__: JSON.stringify(version) }, logLevel: 'warning',
});
const pkg = JSON.parse(readFileSync(join(frontend, 'labextension', 'package.json'), 'utf8'));
pkg.version = version;
pkg.jupyterlab.outputDir = relative(pkgDir, out);
writeFileSync(join(pkgDir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
copyFileSync(join(frontend, 'labextension', 'webpack.config.js'), join(pkgDir, 'webpack.config.js'));

// 2. the federated bundle
const core = join(staging, 'jupyterlab-core');
mkdirSync(core, { recursive: true });
writeFileSync(join(core, 'package.json'), JSON.stringify({
  name: '@jupyterlab/application-top', private: true, dependencies: {}, resolutions: {}, jupyterlab: { singletonPackages: SINGLETONS },
}, null, 2) + '\n');
const builder = require.resolve('@jupyterlab/builder/lib/build-labextension.js');
try {
  execFileSync(process.execPath, [builder, '--core-path', core, pkgDir], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
} catch (e) {
  // the builder exits non-zero on any webpack error; its log says which
  process.stderr.write(`${e.stdout ?? ''}${e.stderr ?? ''}`);
  throw new Error('the labextension build failed (@jupyterlab/builder, log above)');
}
const built = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'));
// build-time fields (paths into this repository) leave the installed metadata
delete built.jupyterlab.outputDir;
delete built.jupyterlab.webpackConfig;
writeFileSync(join(out, 'package.json'), JSON.stringify(built, null, 2) + '\n');
const entry = join(out, built.jupyterlab._build.load);
const size = statSync(entry).size;
console.log(`labextension written to ${out} (${built.jupyterlab._build.load}, ${(size / 1024).toFixed(0)} KiB entry; ${((Date.now() - started) / 1000).toFixed(1)} s)`);
