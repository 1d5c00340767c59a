// kNN engine benchmark (issue 2): all-points k = 100 neighbour tables of standard normal data,
// N in {5000, 20000} x D in {3, 10, 50, 768}, stage-1 precision float32 and float64
// (float32 runs use Float32Array data, as hidden representations usually are).
// GFLOP/s = 3 N^2 D / seconds: 3 flops (subtract, multiply, add) per coordinate per ordered pair,
// the brute-force distance work, whatever the engine really does (a kd-tree does much less; the
// WASM kernel computes x.y, 2 flops per coordinate, on each unordered pair once (symmetric
// tiles), then re-ranks k' = 125 candidates per row exactly in float64). `--quick`: N = 5000 only, plus
// N = 20000 at D = 768. Baselines: issue 2 / perf-knn.md §3, same kind of 2-core machine
// (sklearn 1.2 brute force with OpenBLAS, 2 threads; the numbers vary +-50% with machine load).
// 'cpu-s' is the CPU time of the whole process (all threads) during the run: on a shared, loaded
// machine the wall time says little, and GFLOP per CPU-second ('GF/cpu-s', same 3 N^2 D count)
// is the steadier figure. The load average at the start is printed.
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { normal } from './_common.mjs';
const require = createRequire(import.meta.url);
const { Matrix, computeNeighbors, lastNeighborStats, shutdownNeighborPool } = require('../dist/lib/index.js');

const quick = process.argv.includes('--quick');
const K = 100;


// sklearn brute 2 threads (s), perf-knn.md §3 [f32, f64]; kd: sklearn kd_tree 1 thread
const BASE = {
  '5000,3': { f64: 0.167, kd: 0.116 }, '5000,10': { f64: 0.169 },
  '5000,50': { f32: 0.195, f64: 0.204 }, '5000,768': { f32: 1.06, f64: 0.813 },
  '20000,3': { f64: 1.64, kd: 0.554 }, '20000,10': { f64: 1.23 },
  '20000,50': { f32: 1.93, f64: 1.79 }, '20000,768': { f32: 11.8, f64: 9.82 },
};
const ISSUE = { f32: 'issue 2: sklearn+OpenBLAS 9.1-9.5 s, WASM probe 2t 11.5 s', f64: 'issue 2: sklearn+OpenBLAS 9.1-9.5 s, WASM probe 2t 22 s' };

const cells = [];
for (const N of [5000, 20000]) for (const D of [3, 10, 50, 768]) {
  if (quick && N === 20000 && D !== 768) continue;
  for (const prec of ['float32', 'float64']) cells.push({ N, D, prec });
}
const rows = [];
const pad = (s, n) => String(s).padEnd(n);
console.log(`k = ${K}; GFLOP/s = 3 N^2 D / s; engine 'auto' (kd-tree for D <= 8, WASM SIMD + exact re-rank above)`);
console.log(`load average at start: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (2 cores)`);
console.log([pad('N', 6), pad('D', 4), pad('prec', 8), pad('engine', 8), pad('seconds', 8), pad('GFLOP/s', 8), pad('cpu-s', 8), pad('GF/cpu-s', 8), pad('fallback', 8), 'baseline (sklearn brute 2t s; perf-knn §3)'].join(' '));
for (const { N, D, prec } of cells) {
  const raw = normal(N * D, 1234 + N + D);
  const data = prec === 'float32' ? Float32Array.from(raw) : raw;
  const X = new Matrix(data, N, D);
  // warm-up on a small slice (worker start-up, wasm compile)
  await computeNeighbors(new Matrix(data.subarray(0, 600 * D), 600, D), { maxk: 20, precision: prec });
  const t0 = process.hrtime.bigint(), c0 = process.cpuUsage();
  await computeNeighbors(X, { maxk: K, precision: prec });
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  const cu = process.cpuUsage(c0), cpu = (cu.user + cu.system) / 1e6;
  const st = lastNeighborStats();
  const gf = (3 * N * N * D) / sec / 1e9;
  const b = BASE[`${N},${D}`] ?? {};
  const key = prec === 'float32' ? 'f32' : 'f64';
  let base = b[key] !== undefined ? `${b[key]} s` : b.f64 !== undefined ? `${b.f64} s (f64)` : '';
  if (b.kd) base += `; sklearn kd_tree 1t ${b.kd} s`;
  if (N === 20000 && D === 768) base += `; ${ISSUE[key]}`;
  const line = [pad(N, 6), pad(D, 4), pad(prec, 8), pad(st.engine, 8), pad(sec.toFixed(3), 8), pad(gf.toFixed(1), 8), pad(cpu.toFixed(2), 8), pad(((3 * N * N * D) / cpu / 1e9).toFixed(1), 8), pad(st.fallbackRows, 8), base].join(' ');
  rows.push(line);
  console.log(line);
}
await shutdownNeighborPool();
