/**
 * Before any test: dist/ (what the kernel, the notebooks, the CLI and the browser tests run) must
 * be built from the current sources. When a source is newer than the last build (dist/.build-stamp,
 * written by scripts/build.mjs), the build runs first; if it fails, no test runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const SOURCES = ['lib', 'widgets', 'kernel', 'parity', 'asm', 'scripts', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];

/** The newest modification time under the sources (parity's case fixtures excluded: data, not code). */
function newest(path: string): { mtime: number; file: string } {
  const st = statSync(path);
  if (!st.isDirectory()) return { mtime: st.mtimeMs, file: path };
  let best = { mtime: 0, file: path };
  for (const e of readdirSync(path)) {
    if (e === 'node_modules' || (path.endsWith('parity') && (e === 'cases' || e === 'data'))) continue;
    const n = newest(join(path, e));
    if (n.mtime > best.mtime) best = n;
  }
  return best;
}

export default function setup(): void {
  const stamp = join(root, 'dist', '.build-stamp');
  let src = { mtime: 0, file: '' };
  for (const s of SOURCES) {
    const p = join(root, s);
    if (!existsSync(p)) continue;
    const n = newest(p);
    if (n.mtime > src.mtime) src = n;
  }
  const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
  if (built >= src.mtime) return;
  const why = built === 0 ? 'dist/ has not been built' : `${src.file.slice(root.length + 1)} is newer than dist/`;
  process.stderr.write(`dadalab tests: ${why}: running npm run build first\n`);
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}
