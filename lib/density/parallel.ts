/**
 * k* and PAk on the neighbour engine's worker threads: the rows are split over the workers and
 * each runs the same standalone row function as the single-thread path (kstar.ts kstarRows,
 * pak.ts pakRows), so the numbers are identical bit for bit whatever the thread count. The table
 * is copied into the pool's shared memory (about N (maxk + 1) 12 bytes); small inputs (N < 2000)
 * or workers = 0 run on this thread.
 */
import { checkOptionKeys } from '../options';
import { align16 } from '../neighbors/wasm';
import { defaultWorkerCount, ROW_JOB_BASE, runRowJobs } from '../neighbors/pool';
import type { NeighborTable } from '../neighbors/table';
import { logUnitBallVolume } from '../stats/special';
import { checkId, checkKstar } from './knn';
import { checkKstarInputs, computeKstar, kstarResult, kstarRows, kstarThresholds, type KstarOptions, type KstarResult } from './kstar';
import {
  densityPAk, PAK_COUNTERS, PAK_KEYS, pakNewton, pakNewtonLog, pakResultParts, pakRows, pakSettings, shellVolumes, type PakOptions, type PakResult,
} from './pak';
import { makeDensityResult } from './result';

/** Below this many points the workers cost more than they save. */
const PARALLEL_MIN_ROWS = 2000;

function workersFor(n: number, workers: number | undefined): number {
  const w = workers ?? defaultWorkerCount();
  return n >= PARALLEL_MIN_ROWS ? w : 0;
}

/** Byte offsets of consecutive arrays (16-aligned) from ROW_JOB_BASE; the total is relative to it. */
function layout(sizes: number[]): { offs: number[]; bytes: number } {
  const offs: number[] = [];
  let o = 0;
  for (const b of sizes) { offs.push(ROW_JOB_BASE + o); o += align16(b); }
  return { offs, bytes: o };
}

// The workers' side: views over the shared memory, then the row function (the adapters are
// JavaScript source: they call the row functions by the names the bundle defines).
const KSTAR_BUNDLE = {
  name: 'kstar',
  src: `${kstarRows.toString()}
function runKstar(buf, a) {
  kstarRows(new Float64Array(buf, a.o[0], a.n * a.w), new Int32Array(buf, a.o[1], a.n * a.w), a.w, a.maxk, a.i0, a.i1, a.id, a.omega,
    new Float64Array(buf, a.o[2], a.maxk), new Int32Array(buf, a.o[3], a.n), new Float64Array(buf, a.o[4], a.n));
}
return { runKstar };`,
};
const PAK_BUNDLE = {
  name: 'pak',
  src: `${shellVolumes.toString()}
${pakNewton.toString()}
${pakNewtonLog.toString()}
${pakRows.toString()}
function runPak(buf, a) {
  pakRows(new Float64Array(buf, a.o[0], a.n * a.w), a.w, a.i0, a.i1, a.id, a.lp, a.logN, new Int32Array(buf, a.o[1], a.n), a.optimized, a.interp,
    a.maxFixed, a.dadapyRange, new Float64Array(buf, a.o[2], a.n), new Float64Array(buf, a.o[3], a.n), new Float64Array(buf, a.o[4], a.n),
    new Int32Array(buf, a.o[5], a.n), new Float64Array(buf, a.o[6], a.n), new Float64Array(buf, a.cOff, a.nc));
}
return { runPak };`,
};

/** computeKstar on the worker threads (same numbers). */
export async function computeKstarAsync(nn: NeighborTable, id: number, opts: KstarOptions = {}, workers?: number): Promise<KstarResult> {
  const n = nn.n, maxk = nn.maxk, w = maxk + 1;
  const nw = workersFor(n, workers);
  if (nw === 0) return computeKstar(nn, id, opts);
  checkKstarInputs(nn, id, opts, 'computeKstar');
  const th = kstarThresholds(n, maxk, opts);
  const omega = Math.exp(logUnitBallVolume(id));
  const { offs, bytes } = layout([n * w * 8, n * w * 4, maxk * 8, n * 4, n * 8]);
  const kstar = new Int32Array(n), dc = new Float64Array(n);
  await runRowJobs({
    workers: nw, n, bytes, bundle: KSTAR_BUNDLE, fn: 'runKstar',
    fill: (buf) => {
      new Float64Array(buf, offs[0], n * w).set(nn.distances);
      new Int32Array(buf, offs[1], n * w).set(nn.indices);
      new Float64Array(buf, offs[2], maxk).set(th.thrLoc);
    },
    args: (i0, i1) => ({ n, w, maxk, i0, i1, id, omega, o: offs }),
    read: (buf) => { kstar.set(new Int32Array(buf, offs[3], n)); dc.set(new Float64Array(buf, offs[4], n)); },
  });
  return kstarResult(kstar, dc, id, th.alpha, th.dthr, th.deloc, th.loc);
}

/** densityPAk on the worker threads (same numbers). */
export async function densityPAkAsync(nn: NeighborTable, id: number, kstar: ArrayLike<number>, opts: PakOptions = {}, workers?: number): Promise<PakResult> {
  const n = nn.n, w = nn.maxk + 1;
  const nw = workersFor(n, workers);
  if (nw === 0) return densityPAk(nn, id, kstar, opts);
  checkOptionKeys(opts, PAK_KEYS, 'densityPAk');
  checkId(id);
  checkKstar(kstar, nn, opts.interpolation ? 3 : 2);
  const ks = Int32Array.from(kstar);
  const st = pakSettings(n, id, opts);
  const chunks = 16 * nw;
  const { offs, bytes } = layout([n * w * 8, n * 4, n * 8, n * 8, n * 8, n * 4, n * 8, chunks * PAK_COUNTERS * 8]);
  const logDen = new Float64Array(n), logDenErr = new Float64Array(n), dc = new Float64Array(n), iterations = new Int32Array(n), slope = new Float64Array(n);
  const counters = new Float64Array(PAK_COUNTERS);
  const size = Math.ceil(n / chunks);
  await runRowJobs({
    workers: nw, n, bytes, bundle: PAK_BUNDLE, fn: 'runPak', chunks,
    fill: (buf) => {
      new Float64Array(buf, offs[0], n * w).set(nn.distances);
      new Int32Array(buf, offs[1], n).set(ks);
      new Float64Array(buf, offs[7], chunks * PAK_COUNTERS).fill(0);
    },
    args: (i0, i1) => ({ n, w, i0, i1, id, lp: st.lp, logN: st.logN, optimized: st.optimized, interp: st.interp, maxFixed: st.maxFixed,
      dadapyRange: st.dadapyRange, o: offs, cOff: offs[7] + Math.floor(i0 / size) * PAK_COUNTERS * 8, nc: PAK_COUNTERS }),
    read: (buf) => {
      logDen.set(new Float64Array(buf, offs[2], n)); logDenErr.set(new Float64Array(buf, offs[3], n)); dc.set(new Float64Array(buf, offs[4], n));
      iterations.set(new Int32Array(buf, offs[5], n)); slope.set(new Float64Array(buf, offs[6], n));
      const c = new Float64Array(buf, offs[7], chunks * PAK_COUNTERS);
      for (let q = 0; q < chunks; q++) {
        for (let t = 0; t < PAK_COUNTERS; t++) counters[t] = t === 5 ? Math.max(counters[t], c[q * PAK_COUNTERS + t]) : counters[t] + c[q * PAK_COUNTERS + t];
      }
    },
  });
  const r = pakResultParts(logDen, logDenErr, dc, iterations, slope, counters, st.maxFixed, st.dadapyRange);
  return makeDensityResult('PAk', r.logDen, r.logDenErr, r.dc, ks, id, { ...r.diagnostics, warnings: r.warnings }) as PakResult;
}
