// Compiles the AssemblyScript kernels of the neighbour engine (asm/knn.ts) into
// dist/wasm/knn.wasm (WebAssembly SIMD) and dist/wasm/knn-fma.wasm (the same kernels with the
// dot products on relaxed-SIMD multiply-add; lib/neighbors/wasm.ts uses it where the runtime
// accepts relaxed SIMD, else knn.wasm). Run by scripts/build.mjs (so by `npm ci` and
// `npm run build`). The .wasm files are not committed; lib/neighbors/wasm.ts loads them at run
// time with fs and falls back to the exact pure-JS engine (engine 'auto') when they are missing.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const asc = join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
for (const [name, fma] of [['knn.wasm', 0], ['knn-fma.wasm', 1]]) {
  const out = join(root, 'dist', 'wasm', name);
  mkdirSync(dirname(out), { recursive: true });
  execFileSync(process.execPath, [asc, join(root, 'asm', 'knn.ts'), '-o', out,
    '-O3', '--runtime', 'stub', '--noAssert', '--importMemory', '--sharedMemory',
    '--initialMemory', '1', '--maximumMemory', '65536', '--enable', 'simd', '--enable', 'threads',
    ...(fma ? ['--enable', 'relaxed-simd'] : []),
    '--memoryBase', '65536'], { cwd: root, stdio: 'inherit' });
  console.log(`wasm kernels built: ${out}`);
}
