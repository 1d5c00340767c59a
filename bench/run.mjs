// `npm run bench` runs every bench/*.mjs (except this runner and _helpers) in name order;
// `npm run bench -- knn id` runs bench/knn.mjs and bench/id.mjs. Flags (e.g. --quick) are passed on.
// The benches import the built package from dist/: run `npm run build` first.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('-'));
const names = args.filter((a) => !a.startsWith('-')).map((a) => a.replace(/\.mjs$/, ''));
if (!existsSync(join(here, '..', 'dist', 'lib', 'index.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(1);
}
const all = readdirSync(here).filter((f) => f.endsWith('.mjs') && f !== 'run.mjs' && !f.startsWith('_')).map((f) => f.slice(0, -4)).sort();
const chosen = names.length ? names : all;
let failed = 0;
for (const n of chosen) {
  if (!all.includes(n)) { console.error(`no bench/${n}.mjs (have: ${all.join(', ')})`); failed++; continue; }
  console.log(`\n=== bench/${n}.mjs ${flags.join(' ')}`);
  try {
    execFileSync(process.execPath, [join(here, `${n}.mjs`), ...flags], { stdio: 'inherit' });
  } catch {
    failed++;
  }
}
process.exit(failed ? 1 : 0);
