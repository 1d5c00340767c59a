/**
 * Neighbour ranks of given targets (information imbalance): countNeighborRanks, and
 * computeNeighborsAndRanks (a table and the ranks from the same pass over the pairs).
 */
import { DadalabError } from '../errors';
import { asMatrix, validateCoordinates, type Matrix, type MatrixLike } from '../matrix';
import { checkpoint } from '../runtime/progress';
import { pairDistance } from './distance';
import { parseMetric, type Metric } from './metrics';
import { scaleForSearch } from './scale';
import { parseWorkers, resolveNeighborOptions, TINY_N, wasmMetric, type NeighborOptions } from './options';
import { getPool } from './pool';
import { rankBlocks } from './rankblocks';
import { stripLayout, STRIPS_MAX_BYTES } from './strips';
import { table } from './search';
import type { NeighborTable } from './table';
import { align16, countParams, loadKnnModule, prepareWasm, prepareWasmLayout, setupMessage, slotLayout, type WasmModule } from './wasm';


export interface CountRanksOptions {
  metric?: Metric | string;
  /** Worker threads (default 2; 0 = this thread, the JS count). */
  workers?: number;
  signal?: AbortSignal;
  /**
   * Count only these points' rows (point indices, any order): `targets` then holds rows.length x k
   * entries (those of point rows[q] from q * k), and so does the result. The distances of these
   * rows to all N points are computed (M N pairs), not every pair: the way to finish ranks that are
   * known for most rows already (a neighbour table holds the small ones, layerProfile).
   */
  rows?: Int32Array;
}

/**
 * For each point i and each target `targets[i * k + m]` (a point index; -1 = skip), the rank
 * of the target among i's neighbours in the complete exact table of X: 1 + the number of other
 * points closer to i, ties by ascending index (the column the target would have in a table
 * with maxk = N - 1). Float64Array N x k (-1 where skipped); with `rows`, the same for those
 * points only (rows.length x k). On the WebAssembly engine (euclidean, cosine) the workers
 * compute each row's float32 values and count with the certified bounds, computing exact float64
 * distances only near the target's; else one exact distance row per point in JS. The same numbers
 * either way.
 */
export async function countNeighborRanks(data: MatrixLike, targets: Int32Array, k: number, opts: CountRanksOptions = {}): Promise<Float64Array> {
  const X0 = asMatrix(data);
  validateCoordinates(X0, 2);
  // ranks do not depend on the scale; far from 1 the squares would overflow or underflow (scale.ts)
  const X = scaleForSearch(X0, parseMetric(opts.metric), null).X;
  const N = X.rows;
  const rows = opts.rows ?? null;
  if (rows !== null) {
    if (!(rows instanceof Int32Array)) throw new DadalabError(`rows must be an Int32Array of point indices, got ${describeRows(rows)}`, 'Pass Int32Array.from(indices)');
    for (let q = 0; q < rows.length; q++) {
      if (rows[q] < 0 || rows[q] >= N) throw new DadalabError(`Row ${rows[q]} (entry ${q} of rows) is not a point index`, `Pass indices between 0 and ${N - 1}`);
    }
  }
  const M = rows ? rows.length : N;
  if (!Number.isInteger(k) || k < 1 || targets.length !== M * k) {
    throw new DadalabError(`The targets hold ${targets.length} entries, not ${rows ? 'rows.length' : 'N'} x k = ${M} x ${k}`, `Pass k target indices per ${rows ? 'row' : 'point'} (-1 to skip)`);
  }
  for (let t = 0; t < targets.length; t++) {
    const a = targets[t], q = Math.floor(t / k), i = rows ? rows[q] : q;
    if (a >= N || a < -1 || a === i) {
      throw new DadalabError(`Target ${a} of point ${i} is not another point's index`, `Pass indices between 0 and ${N - 1} other than the point itself, or -1`);
    }
  }
  const metric = parseMetric(opts.metric);
  const workers = parseWorkers(opts.workers);
  const module = workers > 0 && N > TINY_N && (metric === 'euclidean' || metric === 'cosine') ? loadKnnModule() : null;
  if (rows === null) return countAllRows(X, targets, k, metric, workers, module, opts.signal);
  if (M === 0) return new Float64Array(0);
  // most rows asked for: the pass over all rows costs less than M rows x N where each pair's value
  // is computed once (the strips fit; beyond them it computes all N^2)
  if (module && 2 * M >= N && stripsFit(X, workers, metric) && distinct(rows, N)) {
    const all = new Int32Array(N * k).fill(-1);
    for (let q = 0; q < M; q++) all.set(targets.subarray(q * k, q * k + k), rows[q] * k);
    const full = await countAllRows(X, all, k, metric, workers, module, opts.signal);
    const out = new Float64Array(M * k);
    for (let q = 0; q < M; q++) out.set(full.subarray(rows[q] * k, rows[q] * k + k), q * k);
    return out;
  }
  const counted = module ? await countRowsWasm(X, rows, targets, k, metric, workers, module, opts.signal) : null;
  return counted ?? jsCount(X, rows, targets, k, metric, opts.signal);
}

function stripsFit(X: Matrix, workers: number, metric: Metric): boolean {
  if (process.env.DADALAB_STRIPS === '0') return false;
  const strips = stripLayout(X.rows, prepareWasmLayout(X, 1, workers, wasmMetric(metric)).BR);
  return strips.bytes <= STRIPS_MAX_BYTES;
}

function describeRows(x: unknown): string {
  return x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x === 'object' ? (x as object).constructor?.name ?? 'an object' : typeof x;
}

function distinct(rows: Int32Array, N: number): boolean {
  const seen = new Uint8Array(N);
  for (let q = 0; q < rows.length; q++) {
    if (seen[rows[q]]) return false;
    seen[rows[q]] = 1;
  }
  return true;
}

/** One exact distance row per counted point, in JS (rows: the points counted, null = all). */
async function jsCount(X: Matrix, rows: Int32Array | null, targets: Int32Array, k: number, metric: Metric, signal: AbortSignal | undefined): Promise<Float64Array> {
  const N = X.rows, D = X.cols, M = rows ? rows.length : N;
  const out = new Float64Array(M * k).fill(-1);
  const row = new Float64Array(N);
  for (let q = 0; q < M; q++) {
    const i = rows ? rows[q] : q;
    let done = false;
    for (let m = 0; m < k; m++) {
      const a = targets[q * k + m];
      if (a < 0) continue;
      if (!done) { for (let j = 0; j < N; j++) row[j] = pairDistance(X.data, i, X.data, j, D, metric, null); done = true; }
      const da = row[a];
      let r = 1;
      for (let j = 0; j < N; j++) if (j !== i && (row[j] < da || (row[j] === da && j < a))) r++;
      out[q * k + m] = r;
    }
    if ((q & 63) === 63) await checkpoint(signal);
  }
  return out;
}

/**
 * Rows [b0, b1) of `total`, `B` at a time, dealt to the workers as each finishes its last block;
 * `slot` is a scratch slot no other block in flight uses. The first failure stops the dealing and
 * is thrown once every worker has stopped (the caller then releases the workers).
 */
async function dealBlocks(workers: number, total: number, B: number, signal: AbortSignal | undefined,
  run: (wi: number, b0: number, b1: number, slot: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const free = Array.from({ length: workers }, (_, i) => i);
  const loop = async (wi: number): Promise<void> => {
    while (failure === null && next < total) {
      const b0 = next, b1 = Math.min(total, b0 + B);
      next = b1;
      const slot = free.pop() as number;
      try {
        await run(wi, b0, b1, slot);
        free.push(slot);
        await checkpoint(signal);
      } catch (e) {
        if (failure === null) failure = e;
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, i) => loop(i)));
  if (failure !== null) throw failure;
}

/** Every row's ranks on the WebAssembly engine (module null: in JS). */
async function countAllRows(X: Matrix, targets: Int32Array, k: number, metric: Metric, workers: number, module: WasmModule | null,
  signal: AbortSignal | undefined): Promise<Float64Array> {
  const N = X.rows;
  if (!module) return jsCount(X, null, targets, k, metric, signal);
  const out = new Float64Array(N * k).fill(-1);
  // each pair computed once when the strips fit (strips.ts): the values of strip I for every
  // block, then the full rows of each block assembled from them; else the rows block by block
  const strips = process.env.DADALAB_STRIPS !== '0' ? stripLayout(N, prepareWasmLayout(X, 1, workers, wasmMetric(metric)).BR) : null;
  const useStrips = strips !== null && strips.bytes <= STRIPS_MAX_BYTES;
  const pool = getPool(workers);
  const counted = await pool.exclusive(async () => {
    const stripBytes = useStrips && strips ? align16(strips.bytes) : 0, cnt = align16(N * k * 4);
    const p = prepareWasm(X, null, 1, 'float32', workers, wasmMetric(metric), false, true, stripBytes + cnt + N * k * 8, (b) => pool.memoryFor(b));
    if (p.unsafe) return false;
    const sym = useStrips && strips !== null && strips.B === p.BR;
    const B = p.BR, soOff = p.extraOff, tOff = soOff + stripBytes, oOff = tOff + cnt;
    new Int32Array(p.memory.buffer, tOff, N * k).set(targets);
    new Float64Array(p.memory.buffer, oOff, N * k).fill(-1);
    await Promise.all(Array.from({ length: workers }, (_, i) => pool.call(i, setupMessage(module, p, undefined, i))));
    try {
      if (sym && strips) {
        const soView = new Uint32Array(p.memory.buffer, soOff, strips.so.length);
        for (let I = 0; I < strips.so.length; I++) soView[I] = soOff + strips.so[I];
        // one strip I at a time: the values of rows I*B.. against every later row
        await dealBlocks(workers, strips.so.length, 1, signal, (wi, I) => {
          const r0 = I * B, r1 = Math.min(N, r0 + B);
          return pool.call(wi, { type: 'tile', fn: 'vals_f32', args: [p.xOff, p.nOff, p.Dp, r0, r1, r0, N, p.BJ, soOff + strips.so[I], N - r0] });
        });
      }
      await dealBlocks(workers, N, p.BR, signal, (wi, r0, r1, slot) => {
        const rv = slotLayout(p, r0, r1, slot).hd + p.rvOff;
        return pool.call(wi, { type: 'count', fn: sym ? 'symrows_f32' : 'values_f32',
          args: sym ? [soOff, B, N, r0 / B, rv] : [p.xOff, p.nOff, N, p.Dp, r0, r1, p.BJ, rv],
          count: countParams(p, rv, r1 - r0, r0, tOff, k, oOff) });
      });
    } finally {
      await Promise.all(Array.from({ length: workers }, (_, i) => pool.call(i, { type: 'release' }).catch(() => undefined)));
    }
    out.set(new Float64Array(p.memory.buffer, oOff, N * k));
    return true;
  });
  return counted ? out : jsCount(X, null, targets, k, metric, signal);
}

/**
 * The ranks of some rows on the WebAssembly engine: the rows are stored again after X as query
 * rows (the same values, so the same exact distances and certified bounds), their float32 values
 * against all N points computed block by block (vals_f32, native where built), each counted as its
 * own point (the worker is told each row's index in X: the point itself is not counted, ties by
 * index as in the full count). Null when the values do not fit the float32 kernel (the JS count).
 */
async function countRowsWasm(X: Matrix, rows: Int32Array, targets: Int32Array, k: number, metric: Metric, workers: number, module: WasmModule,
  signal: AbortSignal | undefined): Promise<Float64Array | null> {
  const N = X.rows, M = rows.length;
  const Q = X.selectRows(rows);
  const pool = getPool(workers);
  return pool.exclusive(async () => {
    const cnt = align16(M * k * 4), self = align16(M * 4);
    const p = prepareWasm(X, Q, 1, 'float32', workers, wasmMetric(metric), false, true, cnt + self + M * k * 8, (b) => pool.memoryFor(b));
    if (p.unsafe) return null;
    const tOff = p.extraOff, sOff = tOff + cnt, oOff = sOff + self;
    new Int32Array(p.memory.buffer, tOff, M * k).set(targets);
    new Int32Array(p.memory.buffer, sOff, M).set(rows);
    new Float64Array(p.memory.buffer, oOff, M * k).fill(-1);
    await Promise.all(Array.from({ length: workers }, (_, i) => pool.call(i, setupMessage(module, p, undefined, i))));
    try {
      await dealBlocks(workers, M, p.BR, signal, (wi, q0, q1, slot) => {
        const rv = slotLayout(p, q0, q1, slot).hd + p.rvOff;
        return pool.call(wi, { type: 'count', fn: 'vals_f32', args: [p.xOff, p.nOff, p.Dp, N + q0, N + q1, 0, N, p.BJ, rv, N],
          count: { ...countParams(p, rv, q1 - q0, N + q0, tOff, k, oOff), t0: q0, selfOff: sOff } });
      });
    } finally {
      await Promise.all(Array.from({ length: workers }, (_, i) => pool.call(i, { type: 'release' }).catch(() => undefined)));
    }
    return new Float64Array(p.memory.buffer, oOff, M * k).slice();
  });
}

/**
 * computeNeighbors and countNeighborRanks of the same data in one pass: each pair's value is
 * computed once (the symmetric ranks path: strips of float32 values, euclidean or cosine, worker
 * threads) and each row's values give both its table row and the ranks of its targets. The same
 * table and ranks as the two calls, bit for bit. Returns null (nothing computed) where that path
 * does not apply (other metrics, periods, float64 stage 1, no workers, small N, or values beyond
 * the store): the caller then makes the two calls.
 */
export async function computeNeighborsAndRanks(data: MatrixLike, opts: NeighborOptions, targets: Int32Array, k: number): Promise<{ table: NeighborTable; ranks: Float64Array } | null> {
  const X = asMatrix(data);
  const r = resolveNeighborOptions(X, opts);
  const N = X.rows, maxk = r.maxk, w = maxk + 1;
  if (!Number.isInteger(k) || k < 1 || targets.length !== N * k) {
    throw new DadalabError(`The targets hold ${targets.length} entries, not N x k = ${N} x ${k}`, 'Pass k target indices per point (-1 to skip)');
  }
  for (let t = 0; t < targets.length; t++) {
    const a = targets[t];
    if (a >= N || a < -1 || a === Math.floor(t / k)) {
      throw new DadalabError(`Target ${a} of point ${Math.floor(t / k)} is not another point's index`, `Pass indices between 0 and ${N - 1} other than the point itself, or -1`);
    }
  }
  if (r.engine !== 'wasm' || r.workers === 0 || r.period || N <= TINY_N || (r.metric !== 'euclidean' && r.metric !== 'cosine')) return null;
  const ranks = new Float64Array(N * k).fill(-1);
  const dist = new Float64Array(N * w), ind = new Int32Array(N * w);
  const done = await rankBlocks(X, { metric: r.metric, precision: r.precision, workers: r.workers, signal: opts.signal, ranks: [maxk], keep: maxk },
    (r0, _r1, _rd, kD, kI) => { dist.set(kD as Float64Array, r0 * w); ind.set(kI as Int32Array, r0 * w); }, { targets, k, out: ranks });
  if (!done) return null;
  return { table: table(X, r, dist, ind), ranks };
}
