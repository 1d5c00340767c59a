// The tie cliff (issue 9): neighbour tables of data where many points tie at the k-th distance,
// beside the same data without the ties, in the same run. N standard-normal float32 rows, the
// first `dup` of them set to zero (dead-ReLU rows): with the gaussian rows centred at 0 the zero
// rows are every row's nearest, so every row ties at its k-th distance ("all rows tie"); with the
// gaussian rows shifted by +3 the zero rows are far from the others and only they tie ("zero rows
// tie"). maxk = 100 (k' = 126 candidates per row from stage 1): more tied points than that make
// stage 1 unable to certify a row, and the second pass (lib/neighbors/refine.ts) recomputes it.
// Before the second pass existed those rows ran a JavaScript brute force on the main thread
// (measured on this machine: 5000 x 4096 with 1000 zero rows, 194 s instead of 6.9 s).
// `--quick`: the 2000 x 1024 cases only. Run `npm run build` first.
import { gaussianSampler, lib, loadLine, time } from './_common.mjs';

const internal = (await import('node:module')).createRequire(import.meta.url)('../dist/lib/internal.js');
const quick = process.argv.includes('--quick');

function data(N, D, dup, shift, seed) {
  const g = gaussianSampler(seed);
  const a = new Float32Array(N * D);
  for (let i = 0; i < a.length; i++) a[i] = g() + shift;
  a.fill(0, 0, dup * D);
  return new lib.Matrix(a, N, D);
}

const cases = [[2000, 1024, [0, 300, 1500], 0]];
if (!quick) cases.push([5000, 4096, [0, 1000], 0], [10000, 768, [0, 2000], 0], [10000, 768, [2000], 3]);

console.log(`computeNeighbors(X, { maxk: 100 }) and computeNeighborsAndRanks; ${loadLine()}`);
console.log('N x D          zero rows  ties             path    wall s   CPU s  rows refined   | +ranks of 2 targets: wall s  CPU s');
for (const [N, D, dups, shift] of cases) {
  for (const dup of dups) {
    const X = data(N, D, dup, shift, 7);
    const [, wall, cpu] = await time(() => lib.computeNeighbors(X, { maxk: 100 }));
    const s = lib.lastNeighborStats();
    const targets = new Int32Array(N * 2).map((_, t) => (Math.floor(t / 2) + 1 + (t % 2) * 7) % N);
    const [both, wall2, cpu2] = await time(() => internal.computeNeighborsAndRanks(X, { maxk: 100 }, targets, 2));
    const ties = dup === 0 ? 'none' : shift === 0 ? 'all rows tie' : 'zero rows tie';
    console.log(`${`${N} x ${D}`.padEnd(15)}${String(dup).padStart(9)}  ${ties.padEnd(15)}  ${String(s.path).padEnd(6)} ${wall.toFixed(2).padStart(7)} ${cpu.toFixed(2).padStart(7)} ${String(s.fallbackRows).padStart(13)}   | ${both ? `${wall2.toFixed(2).padStart(27)} ${cpu2.toFixed(2).padStart(6)}` : '(one pass does not apply: strips too large)'}`);
  }
}
await lib.shutdownNeighborPool();
