// Comparing representations (issue 5): the information imbalance between two representations of
// the same N = 20000 points (A: D = 50; B: D = 768, a random linear image of A plus noise) with
// DADApy's defaults (subset size 2000, so 10 subsets with complete 2000 x 1999 rank tables), and
// the neighbourhood overlap of the two at k = 30 (two k = 30 tables), beside the times DADApy
// took on this machine (issue 5: 7-20 s at N = 20000). `--quick`: N = 5000.
// Run `npm run build` first.
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { normal, time, silence } from './_common.mjs';
const require = createRequire(import.meta.url);
const { Data, Matrix, shutdownNeighborPool } = require('../dist/lib/index.js');

const quick = process.argv.includes('--quick');
const N = quick ? 5000 : 20000;



const DA = 50, DB = 768;
const A = new Matrix(normal(N * DA, 7), N, DA);
const R = normal(DA * DB, 8), noise = normal(N * DB, 9);
const b = new Float64Array(N * DB);
for (let i = 0; i < N; i++) {
  for (let j = 0; j < DB; j++) {
    let s = 0;
    for (let t = 0; t < DA; t++) s += A.data[i * DA + t] * R[t * DB + j];
    b[i * DB + j] = s / Math.sqrt(DA) + 0.5 * noise[i * DB + j];
  }
}
const B = new Matrix(b, N, DB);

console.log(`N = ${N}, A: D = ${DA}, B: D = ${DB} (B = A R / sqrt(50) + 0.5 noise); times in seconds, one run each, shared machine; cpu-s = CPU seconds of all threads`);
console.log(`load average at start: ${loadavg().map((v) => v.toFixed(1)).join(' ')} (2 cores)`);
const [ii, tii, cii] = await time(silence(() => new Data(A).returnInformationImbalance({ coordinates: B, k: 1 })));
console.log(`returnInformationImbalance({ coordinates: B }) (subsetSize 2000, ${ii.repeats} subsets): ${tii.toFixed(2)} s (cpu-s ${cii.toFixed(1)})`);
console.log(`  ${ii.summary()}`);
// worst case for the rank lookup: unrelated representations (every neighbour falls outside the
// short tables: the neighbour engine counts its rank, countNeighborRanks)
const C = new Matrix(normal(N * DB, 10), N, DB);
const [iu, tiu, ciu] = await time(silence(() => new Data(A).returnInformationImbalance({ coordinates: C, k: 1 })));
console.log(`returnInformationImbalance({ coordinates: C }) with C unrelated to A (worst case): ${tiu.toFixed(2)} s (cpu-s ${ciu.toFixed(1)})`);
console.log(`  ${iu.summary()}`);
const [ov, tov, cov] = await time(silence(() => new Data(A).returnDataOverlap({ coordinates: B, k: 30 })));
console.log(`returnDataOverlap({ coordinates: B, k: 30 }) on a fresh Data (both k = 30 tables included): ${tov.toFixed(2)} s (cpu-s ${cov.toFixed(1)})`);
console.log(`  ${ov.summary()}`);
console.log('DADApy on this machine (issue 5): 7-20 s at N = 20000 with its defaults (subset size 2000)');
if (typeof shutdownNeighborPool === 'function') await shutdownNeighborPool();
