// Density and clustering benchmark (issue 4): k*, PAk and ADP for N = 20000 points at D = 2 (Fig1,
// the ADP benchmark set), 50 and 768 (standard normal), the neighbour search (maxk = 100) timed
// separately, beside the times DADApy took on this machine (issue 4; D = 2 from the parity
// fixture's recorded seconds). `--quick`: N = 5000 only. Run `npm run build` first.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normal } from './_common.mjs';
const require = createRequire(import.meta.url);
const { Matrix, computeNeighbors, twoNN, computeKstar, densityPAk, adpClustering, shutdownNeighborPool } = require('../dist/lib/index.js');

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const N = quick ? 5000 : 20000;


function fig1() {
  const rows = gunzipSync(readFileSync(join(here, '..', 'data', 'Fig1.dat.gz'))).toString('utf8').trim().split('\n')
    .slice(0, N).map((l) => l.trim().split(/\s+/).map(Number));
  return new Matrix(Float64Array.from(rows.flat()), rows.length, 2);
}

// DADApy on this machine, N = 20000 (issue 4): PAk includes its k* computation.
const DADAPY = {
  2: { pak: '2.7 s (Fig1, parity fixture)', adp: '0.18 s (Fig1, parity fixture)' },
  50: { pak: '0.23 s', adp: '0.13 s' },
  768: { pak: '4-13 s', adp: '0.25-0.4 s' },
};

const time = async (f) => { const t0 = performance.now(); const r = await f(); return [r, (performance.now() - t0) / 1000]; };

console.log(`N = ${N}; neighbour search maxk = 100; times in seconds (one run each; the machine is shared)`);
for (const D of [2, 50, 768]) {
  const X = D === 2 ? fig1() : new Matrix(normal(N * D, 2000 + D), N, D);
  const [nn, tn] = await time(() => computeNeighbors(X, { maxk: 100 }));
  const id = twoNN(nn).id;
  const [ks, tk] = await time(() => computeKstar(nn, id));
  const [pak, tp] = await time(() => densityPAk(nn, id, ks.kstar));
  const [adp, ta] = await time(() => adpClustering(nn, pak.logDen, pak.logDenErr, ks.kstar, { Z: 1.65 }));
  let it = 0;
  for (let i = 0; i < N; i++) it += pak.iterations[i];
  console.log(`\nD = ${D}${D === 2 ? ' (Fig1)' : ''}: ID ${id.toFixed(2)}, mean k* ${(ks.kstar.reduce((a, b) => a + b, 0) / N).toFixed(1)}`);
  console.log(`  neighbour search (maxk 100):  ${tn.toFixed(2)} s`);
  console.log(`  k*:                           ${tk.toFixed(3)} s`);
  console.log(`  PAk (Newton only):            ${tp.toFixed(3)} s  (mean ${(it / N).toFixed(0)} iterations a point)`);
  console.log(`  k* + PAk:                     ${(tk + tp).toFixed(3)} s   DADApy compute_density_PAk: ${DADAPY[D].pak}`);
  console.log(`  ADP (Z = 1.65):               ${ta.toFixed(3)} s  (${adp.nClusters} clusters)   DADApy compute_clustering_ADP: ${DADAPY[D].adp}`);
}
if (typeof shutdownNeighborPool === 'function') await shutdownNeighborPool();
