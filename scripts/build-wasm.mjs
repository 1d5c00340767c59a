// Compiles the AssemblyScript kernels of the neighbour engine (asm/knn.ts) into
// dist/wasm/knn.wasm. Run by scripts/build.mjs (so by `npm ci` and `npm run build`).
// The .wasm is not committed; lib/neighbors/wasm.ts loads it at run time with fs and
// falls back to the exact pure-JS engine (engine 'auto') when it is missing.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'wasm', 'knn.wasm');
mkdirSync(dirname(out), { recursive: true });
const asc = join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
execFileSync(process.execPath, [asc, join(root, 'asm', 'knn.ts'), '-o', out,
  '-O3', '--runtime', 'stub', '--noAssert', '--importMemory', '--sharedMemory',
  '--initialMemory', '1', '--maximumMemory', '65536', '--enable', 'simd', '--enable', 'threads',
  '--memoryBase', '65536'], { cwd: root, stdio: 'inherit' });
console.log(`wasm kernels built: ${out}`);
