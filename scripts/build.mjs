// `npm run build` (run by `npm ci` through `prepare`): compiles the TypeScript to dist/ (CommonJS,
// what tslab's cells require()), then writes the ESM entry that re-exports it. Build steps of
// other concerns (the WebAssembly kernels) are listed in BUILD_STEPS and run first.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

// 1. per-concern build steps: scripts/build-*.mjs, in name order
for (const f of readdirSync(join(root, 'scripts')).filter((f) => /^build-.*\.mjs$/.test(f)).sort()) {
  run(process.execPath, [join('scripts', f)]);
}

// 2. TypeScript -> dist/
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json']);

// 3. the ESM entry: named re-exports of the CommonJS build
const require = createRequire(import.meta.url);
const lib = require(join(root, 'dist', 'lib', 'index.js'));
const names = Object.keys(lib).filter((n) => n !== 'default' && n !== '__esModule');
mkdirSync(join(root, 'dist', 'esm'), { recursive: true });
writeFileSync(join(root, 'dist', 'esm', 'index.mjs'),
  `import lib from '../lib/index.js';\nexport const { ${names.join(', ')} } = lib;\nexport default lib;\n`);
if (!existsSync(join(root, 'dist', 'lib', 'index.d.ts'))) throw new Error('build produced no type declarations');
// 4. the stamp test/globalSetup.ts compares with the sources (a stale dist/ is rebuilt before the tests)
writeFileSync(join(root, 'dist', '.build-stamp'), `${new Date().toISOString()}\n`);
console.log(`dadalab built: ${names.length} exports`);
