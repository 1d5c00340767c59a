// Intrinsic-dimension benchmark (issue 3): returnIdScalingGride({ rangeMax: 1024 }) and TwoNN on a
// fresh Data object, N = 20000 standard-normal points in D = 50 and 768, neighbour search
// included, beside the times DADApy took on this machine (issue 3). `--quick`: N = 5000 only.
// Gride reads only the distances at ranks 1, 2, 4, ..., 1024 (and keeps the first maxk columns):
// the engine's ranks mode (forEachNeighborRankBlock) computes each pair once in float32,
// selects the candidates per row and computes exact float64 distances only where the order
// against a requested rank is undecided; the numbers are those of the full exact table.
// Run `npm run build` first.
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { normal, time, silence } from './_common.mjs';
const require = createRequire(import.meta.url);
const { Data, Matrix, computeNeighbors, twoNN, shutdownNeighborPool, lastNeighborStats } = require('../dist/lib/index.js');

const quick = process.argv.includes('--quick');
const N = quick ? 5000 : 20000;


// DADApy on this machine (issue 3), N = 20000: compute_distances (maxk 100) and return_id_scaling_gride(range_max=1024)
const DADAPY = {
  50: { distances: '1.7 s', gride: '15 s', total: '~16.7 s' },
  768: { distances: '12-16 s', gride: '29-34 s', total: '~41-50 s' },
};


console.log(`N = ${N}, standard normal data, float64; times in seconds (one run each; the machine is shared; cpu-s = CPU seconds of all threads)`);
console.log(`load average at start: ${loadavg().map((v) => v.toFixed(1)).join(' ')} (2 cores)`);
for (const D of [50, 768]) {
  const X = new Matrix(normal(N * D, 1000 + D), N, D);
  const [g, tg, cg] = await time(silence(() => new Data(X).returnIdScalingGride({ rangeMax: 1024 })));
  const engine = typeof lastNeighborStats === 'function' ? JSON.stringify(lastNeighborStats()) : '';
  const [t, tt, ct] = await time(silence(async () => { const d = new Data(X); return d.computeId2NN(); }));
  const [t2, tt2, ct2] = await time(async () => twoNN(await computeNeighbors(X, { maxk: 2 })));
  console.log(`\nD = ${D}`);
  console.log(`  returnIdScalingGride({ rangeMax: 1024 }) on a fresh Data (neighbours to rank 1024 included): ${tg.toFixed(2)} s (cpu-s ${cg.toFixed(1)})`);
  console.log(`    ids ${Array.from(g.ids, (v) => v.toFixed(2)).join(' ')}`);
  console.log(`    neighbour engine: ${engine}`);
  console.log(`    DADApy: distances ${DADAPY[D].distances} + Gride scaling ${DADAPY[D].gride} (${DADAPY[D].total})`);
  console.log(`  computeId2NN() on a fresh Data (maxk = 100 table, as DADApy): ${tt.toFixed(2)} s (cpu-s ${ct.toFixed(1)})  (ID ${t.id.toFixed(3)}); DADApy distances alone ${DADAPY[D].distances}`);
  console.log(`  twoNN on a 2-neighbour table (core API): ${tt2.toFixed(2)} s (cpu-s ${ct2.toFixed(1)})  (ID ${t2.id.toFixed(3)})`);
}
if (typeof shutdownNeighborPool === 'function') await shutdownNeighborPool();
