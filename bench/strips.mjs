// The fused strips (native/knn.c stripLists: no value stored, lib/neighbors/strips.ts) beside the
// stored strips they replace (DADALAB_FUSED=0: N^2 / 2 float32 values kept, then read back), on the
// same data in the same run, rounds interleaved; cell = median over rounds of the table's seconds,
// ratio = fused / stored (lower is better). The two give the same bytes (test/neighbors). Needs the
// native accelerator (npm run build where a C compiler exists); without it both rows run the
// stored strips on WebAssembly and the ratio is about 1. Run `npm run build` first.
//   node bench/strips.mjs [--rounds 7]
import { gaussianSampler, lib, loadLine } from './_common.mjs';

const args = process.argv.slice(2);
const rounds = Number(args.includes('--rounds') ? args[args.indexOf('--rounds') + 1] : 7);
const normal = (N, D, f32, seed) => { const g = gaussianSampler(seed); return new lib.Matrix((f32 ? Float32Array : Float64Array).from({ length: N * D }, g), N, D); };
const cases = [
  ['5000 x 50 float64, maxk = 30 (an overlap\'s table)', normal(5000, 50, false, 5050), 30],
  ['5000 x 50 float64, maxk = 100', normal(5000, 50, false, 5050), 100],
  ['5000 x 128 float32, maxk = 30', normal(5000, 128, true, 7), 30],
  ['3000 x 20 float32, maxk = 30', normal(3000, 20, true, 8), 30],
  ['5000 x 50 float64, all points equal, maxk = 30', new lib.Matrix(new Float64Array(5000 * 50).fill(1.5), 5000, 50), 30],
];
const secs = async (X, k) => { const t0 = performance.now(); await lib.computeNeighbors(X, { maxk: k }); return (performance.now() - t0) / 1000; };
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
console.log(`fused strips against stored strips, ${rounds} interleaved rounds (the first of each case untimed); ${loadLine()}`);
console.log(`${'data'.padEnd(50)} ${'fused s'.padStart(8)} ${'stored s'.padStart(9)} ${'ratio'.padStart(6)}  kernel`);
for (const [name, X, k] of cases) {
  const fused = [], stored = [];
  for (let r = 0; r <= rounds; r++) {
    delete process.env.DADALAB_FUSED;
    const a = await secs(X, k);
    const kernel = lib.lastNeighborStats().kernel;
    process.env.DADALAB_FUSED = '0';
    const b = await secs(X, k);
    delete process.env.DADALAB_FUSED;
    if (r === 0) continue;
    fused.push(a);
    stored.push(b);
    if (r === rounds) console.log(`${name.padEnd(50)} ${median(fused).toFixed(4).padStart(8)} ${median(stored).toFixed(4).padStart(9)} ${(median(fused) / median(stored)).toFixed(2).padStart(6)}  ${kernel}`);
  }
}
await lib.shutdownNeighborPool();
