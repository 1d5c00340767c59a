// The optional native accelerator (native/knn.c: the symmetric tile kernel with AVX2 + FMA) into
// dist/native/knn.node, built only where it can be: x86-64, a C compiler (cc, gcc or clang) and
// Node's C headers (node_api.h next to this Node, or in /usr/include/node). Anything missing, or
// a failed compile, prints one line and the build goes on: the WebAssembly kernels do the same
// work (lib/neighbors/native.ts loads this file when it is there and the CPU has AVX2 and FMA;
// DADALAB_NATIVE=0 turns it off). It is never required, and nothing else compiles C at install.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'native', 'knn.node');
const skip = (why) => { rmSync(out, { force: true }); console.log(`native accelerator not built (${why}): the WebAssembly kernels run`); };

if (process.env.DADALAB_NATIVE === '0') skip('DADALAB_NATIVE=0');
else if (process.arch !== 'x64') skip(`${process.arch} CPU, the kernel is x86-64 AVX2`);
else {
  const headers = [join(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node', '/usr/local/include/node']
    .find((d) => existsSync(join(d, 'node_api.h')));
  const cc = ['cc', 'gcc', 'clang'].find((c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0);
  if (!headers) skip("Node's C headers (node_api.h) not found");
  else if (!cc) skip('no C compiler');
  else {
    mkdirSync(dirname(out), { recursive: true });
    // -ffp-contract=off: exact_l2_f32 must multiply then add (pairDistance's bits), never fuse
    const flags = ['-O3', '-ffp-contract=off', '-fno-math-errno', '-fPIC', '-shared', `-I${headers}`, '-o', out, join(root, 'native', 'knn.c')];
    if (process.platform === 'darwin') flags.push('-undefined', 'dynamic_lookup');
    const r = spawnSync(cc, flags, { encoding: 'utf8' });
    if (r.status !== 0) skip(`${cc} failed: ${(r.stderr || '').split('\n')[0]}`);
    else console.log(`native accelerator built: ${out}`);
  }
}
