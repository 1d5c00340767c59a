/**
 * The exact neighbour engine.
 *
 * - `computeNeighbors(X, opts)` (async: worker threads, progress, cancellable) and
 *   `computeNeighborsSync(X, opts)` (this thread) give the same table: `maxk + 1` columns, the
 *   point itself in column 0, then its neighbours by increasing distance, ties by ascending
 *   index, float64 distances computed with direct differences. Deterministic whatever the number
 *   of threads or the engine.
 * - Engines (`engine` option, default 'auto'): 'exact-js' (float64 brute force, the reference),
 *   'kdtree' (typed-array kd-tree: euclidean, manhattan, chebyshev, periodic boxes; chosen for
 *   D <= 8), 'wasm' (WebAssembly SIMD stage 1 in float32 or float64 (`precision`), exact float64
 *   re-rank and certification: every metric, no period; chosen for D > 8, and for cosine at any
 *   D). 'auto' uses exact-js for tiny N (<= 256) and for periodic data at D > 8.
 * - `crossNeighbors(Q, X, k, opts)`: the k nearest rows of X for each row of Q (no self
 *   exclusion), e.g. for densities at new points.
 * - `forEachNeighborBlock(X, opts, cb)`: the same table as computeNeighbors, streamed as row
 *   blocks `cb(r0, r1, distances, indices)` in increasing r0 (block arrays have (r1 - r0) rows of
 *   maxk + 1 columns; `cb` may return a Promise, which is awaited before the next block is
 *   delivered). Only a few blocks are held at a time, so estimators that need a huge maxk (Gride
 *   with rangeMax 1024 at N = 20000: 246 MB as a full table) can consume rows as they come.
 *   The arrays passed to cb are the callback's to keep. With the WebAssembly engine the
 *   symmetric tiles are used when their resident candidate buffers (about N k' 24 bytes) stay under 512 MB (then
 *   the blocks come after the whole stage 1, about half its time), else row blocks (each block
 *   as soon as it is computed); `symmetric: false` forces row blocks.
 * - `shutdownNeighborPool()` terminates the worker threads (idle workers never keep the process
 *   alive anyway).
 */
import { DadalabError } from '../errors';
import { checkOptionKeys } from '../options';
import { asMatrix, validateCoordinates, type Matrix, type MatrixLike } from '../matrix';
import { checkpoint, startProgress, type ProgressHandle } from '../runtime/progress';
import { bruteForceCross, bruteForceRows } from './brute';
import { TopK } from './heap';
import { pairDistance } from './distance';
import { KdTree, kdTreeCross, kdTreeRows } from './kdtree';
import { hammingEngine, parseMetric, parsePeriod, type Metric } from './metrics';
import { defaultWorkerCount, getPool } from './pool';
import { align16, prepareWasmLayout, exactRankRow, finishRanksFrom, rankOutputs, rankPlan, rankSetup, rankScratch, slotLayout, rowViews, type RankPlan, type WasmPlan, exactFull, exactMessage, fillHeaps, finalizeCall, finishRowsFrom, fullViews, symBlockRows, symSchedule, tileArgs, tileFn, finishRows, instantiate, loadKnnModule, prepareWasm, requireKnnModule, runKernelOn, runKernelSync, setupMessage, type Precision, type WasmMetric } from './wasm';
import { makeTable, zeroDistanceRows, type NeighborTable } from './table';

export * from './table';
export * from './metrics';
export { dedupe, findDuplicates, type Dedupe } from './duplicates';
export { fromPrecomputed, fromDistanceMatrix, type PrecomputedOptions } from './precomputed';
export { pairDistance } from './distance';
export { bruteForceCross } from './brute';
export { KdTree } from './kdtree';
export { shutdownNeighborPool } from './pool';
export { loadKnnModule, type Precision } from './wasm';

export type Engine = 'auto' | 'exact-js' | 'kdtree' | 'wasm';
export const ENGINES: readonly Engine[] = ['auto', 'exact-js', 'kdtree', 'wasm'];

export interface NeighborOptions {
  /** Neighbours per point beyond the point itself; DADApy's default min(100, N - 1). */
  maxk?: number;
  metric?: Metric | string;
  /** Box length per coordinate (or one for all) for periodic data: euclidean and manhattan only. */
  period?: number | ArrayLike<number> | null;
  /** Stops the async computation at its next block. */
  signal?: AbortSignal;
  /** Which engine computes the table (all give the same exact table); default 'auto'. */
  engine?: Engine;
  /** Arithmetic of the WebAssembly stage 1 (the final distances are exact float64 either way). */
  precision?: Precision;
  /** Worker threads for the async WebAssembly engine (default 2; 0 = this thread). */
  workers?: number;
  /**
   * WebAssembly engine, euclidean and cosine tables: compute each pair once and feed both rows
   * (symmetric tiles, about half the work; the default when N spans >= 3 tiles). false: the
   * row-block path (what forEachNeighborBlock and crossNeighbors use). Same table either way.
   */
  symmetric?: boolean;
}

export interface ResolvedNeighborOptions {
  maxk: number;
  metric: Metric;
  period: Float64Array | null;
  engine: Exclude<Engine, 'auto'>;
  precision: Precision;
  workers: number;
}

/** Which engine computed the last table, and how many rows the WebAssembly engine had to recompute exactly. */
export interface NeighborStats {
  engine: Exclude<Engine, 'auto'>;
  precision: Precision;
  workers: number;
  fallbackRows: number;
  /** Whether the WebAssembly engine used the symmetric tiles. */
  symmetric: boolean;
}
let stats: NeighborStats | null = null;
export function lastNeighborStats(): NeighborStats | null {
  return stats;
}

const KD_MAX_DIM = 8;
const TINY_N = 256;

function pickEngine(N: number, D: number, metric: Metric, period: Float64Array | null, requested: Engine | undefined): Exclude<Engine, 'auto'> {
  const e = requested ?? 'auto';
  if (!(ENGINES as readonly string[]).includes(e)) {
    throw new DadalabError(`Unknown neighbour engine '${e}'`, `Use one of ${ENGINES.join(', ')}`);
  }
  if (metric === 'hamming') return hammingEngine(e);
  if (e === 'wasm' && period) {
    throw new DadalabError(`engine 'wasm' computes distances without a period, not periodic ${metric}`,
      "Use engine 'auto' (or 'kdtree' / 'exact-js') for this metric");
  }
  if (e === 'kdtree' && metric === 'cosine') {
    throw new DadalabError("engine 'kdtree' does not support the cosine metric", "Use engine 'auto' or 'exact-js' for cosine");
  }
  if (e !== 'auto') return e;
  if (N <= TINY_N) return 'exact-js';
  if (metric === 'cosine') return loadKnnModule() ? 'wasm' : 'exact-js';
  if (D <= KD_MAX_DIM) return 'kdtree';
  if (!period && loadKnnModule()) return 'wasm';
  return 'exact-js';
}

function parsePrecision(p: string | undefined): Precision {
  const v = p ?? 'float32';
  if (v !== 'float32' && v !== 'float64') {
    throw new DadalabError(`Unknown precision '${v}'`, "Use 'float32' (default) or 'float64'");
  }
  return v;
}

function parseWorkers(w: number | undefined): number {
  if (w === undefined) return defaultWorkerCount();
  if (!Number.isInteger(w) || w < 0 || w > 64) {
    throw new DadalabError(`workers = ${w} is not a whole number between 0 and 64`, 'Pass workers: 0 (this thread), 1 or 2');
  }
  return w;
}

/** Checks data and options and fills in DADApy's defaults. */
export function resolveNeighborOptions(X: Matrix, opts: NeighborOptions = {}): ResolvedNeighborOptions {
  validateCoordinates(X, 2);
  const N = X.rows;
  const maxk = opts.maxk ?? Math.min(100, N - 1);
  if (!Number.isInteger(maxk) || maxk < 1) {
    throw new DadalabError(`maxk = ${maxk} is not a positive whole number`, 'Pass maxk >= 1');
  }
  if (maxk >= N) {
    throw new DadalabError(`maxk = ${maxk} but there are only N = ${N} points: each point has at most N - 1 = ${N - 1} neighbours`,
      `Pass maxk <= ${N - 1}`);
  }
  const metric = parseMetric(opts.metric);
  const period = parsePeriod(opts.period, X.cols, metric);
  const engine = pickEngine(N, X.cols, metric, period, opts.engine);
  return { maxk, metric, period, engine, precision: parsePrecision(opts.precision), workers: parseWorkers(opts.workers) };
}

const BLOCK_ROWS = 256;

/** Rows per block of the exact JS brute force: about 5e7 pair-coordinates (~50-100 ms), so interrupts land quickly. */
function bruteBlockRows(N: number, D: number): number {
  return Math.max(1, Math.min(BLOCK_ROWS, Math.floor(5e7 / (N * D))));
}

function kdBlockRows(N: number, k: number): number {
  return Math.max(64, Math.min(4096, Math.floor(2e6 / Math.max(1, k))));
}

function wasmMetric(m: Metric): WasmMetric {
  return m as WasmMetric;
}

/**
 * Whether the symmetric tiles apply (self table, dot-product metrics, at least 3 row blocks):
 * every pair is computed once and feeds both rows' candidate buffers, half the work of the row-block path.
 */
function symBlocks(N: number, D: number, k: number, metric: Metric, precision: Precision, workers: number): number {
  if (metric !== 'euclidean' && metric !== 'cosine') return 0;
  const kp = Math.min(N - 1, k + Math.max(16, k >> 2));
  if (N * kp * 24 > 1.5 * 2 ** 30) return 0; // resident buffers too large: the row-block path
  const lanes = precision === 'float64' ? 2 : 4;
  const B = symBlockRows(N, Math.ceil(D / lanes) * lanes, workers);
  return Math.ceil(N / B) >= 3 ? B : 0;
}

/** The symmetric WebAssembly engine on this thread: the whole table into dist / ind. */
function symSync(X: Matrix, k: number, metric: Metric, precision: Precision, B: number, dist: Float64Array, ind: Int32Array): number {
  const module = requireKnnModule();
  const p = prepareWasm(X, null, k, precision, 0, wasmMetric(metric), true);
  const ex = instantiate(module, p);
  fillHeaps(p);
  const N = X.rows, nb = Math.ceil(N / B);
  const kernel = ex[tileFn(p)] as (...a: number[]) => void;
  for (const round of symSchedule(nb)) for (const [I, J, sym] of round) kernel(...tileArgs(p, B, I, J, sym));
  const fin = finalizeCall(p, 0, N);
  (ex[fin.fn] as (...a: number[]) => void)(...fin.args);
  exactFull(p, 0, N);
  return finishRowsFrom(p, X, null, k, 0, N, fullViews(p, 0, N), dist, ind, new TopK(k));
}

/** The symmetric WebAssembly engine on the worker pool (rounds of disjoint tiles, then the exact stage by row blocks). */
async function symAsync(X: Matrix, k: number, metric: Metric, precision: Precision, workers: number, B: number,
  signal: AbortSignal | undefined, bar: ProgressHandle, sink: BlockSink): Promise<number> {
  const module = requireKnnModule();
  const pool = getPool(workers);
  const N = X.rows, w = k + 1, nb = Math.ceil(N / B);
  return pool.exclusive(async () => {
    const p = prepareWasm(X, null, k, precision, 0, wasmMetric(metric), true);
    fillHeaps(p);
    await Promise.all(Array.from({ length: workers }, (_, i) => pool.call(i, setupMessage(module, p))));
    const rounds = symSchedule(nb), fn = tileFn(p);
    const rowsOf = (I: number) => Math.min(N, (I + 1) * B) - I * B;
    let totalWork = 0, doneWork = 0, fallbacks = 0;
    for (const r of rounds) for (const [I, J, sym] of r) totalWork += rowsOf(I) * rowsOf(J) * (sym ? 1 : 0.5);
    let failure: unknown = null;
    try {
      for (const round of rounds) {
        let q = 0;
        const loop = async (wi: number): Promise<void> => {
          while (failure === null && q < round.length) {
            const [I, J, sym] = round[q++];
            try {
              await pool.call(wi, { type: 'tile', fn, args: tileArgs(p, B, I, J, sym) });
              doneWork += rowsOf(I) * rowsOf(J) * (sym ? 1 : 0.5);
              bar.update(Math.floor((0.97 * N * doneWork) / totalWork));
              await checkpoint(signal);
            } catch (e) {
              if (failure === null) failure = e;
            }
          }
        };
        await Promise.all(Array.from({ length: workers }, (_, i) => loop(i)));
        if (failure !== null) break;
      }
      if (failure === null) {
        const heap = new TopK(k), R = Math.max(64, Math.min(1024, Math.ceil(N / (8 * workers))));
        const order = new InOrder(sink, () => failure !== null);
        let next = 0;
        const loop = async (wi: number): Promise<void> => {
          while (failure === null && next < N) {
            const r0 = next, r1 = Math.min(N, r0 + R);
            next = r1;
            try {
              await pool.call(wi, exactMessage(p, r0, r1));
              const d = new Float64Array((r1 - r0) * w), ix = new Int32Array((r1 - r0) * w);
              fallbacks += finishRowsFrom(p, X, null, k, r0, r1, fullViews(p, r0, r1), d, ix, heap);
              await order.push(r0, r1, d, ix);
              await checkpoint(signal);
            } catch (e) {
              if (failure === null) failure = e;
            }
          }
        };
        await Promise.all(Array.from({ length: workers }, (_, i) => loop(i)));
        if (failure === null) await order.flush();
      }
    } catch (e) {
      if (failure === null) failure = e;
    } finally {
      await Promise.all(Array.from({ length: workers }, (_, i) => pool.call(i, { type: 'release' }).catch(() => undefined)));
    }
    if (failure !== null) throw failure;
    bar.update(N);
    return fallbacks;
  });
}

/**
 * Delivers blocks finished in any order to `sink` in row order, one drain at a time; `push`
 * resolves once the blocks ready in order have been delivered (backpressure on the producers).
 */
class InOrder {
  private readonly ready = new Map<number, { r1: number; d: Float64Array; ix: Int32Array }>();
  private next = 0;
  private chain: Promise<void> = Promise.resolve();
  constructor(private readonly sink: BlockSink, private readonly stopped: () => boolean) {}
  private async drain(): Promise<void> {
    while (!this.stopped() && this.ready.has(this.next)) {
      const b = this.ready.get(this.next) as { r1: number; d: Float64Array; ix: Int32Array };
      this.ready.delete(this.next);
      await this.sink(this.next, b.r1, b.d, b.ix);
      this.next = b.r1;
    }
  }
  push(r0: number, r1: number, d: Float64Array, ix: Int32Array): Promise<void> {
    this.ready.set(r0, { r1, d, ix });
    return this.flush();
  }
  flush(): Promise<void> {
    this.chain = this.chain.then(() => this.drain());
    return this.chain;
  }
}

type BlockSink = (r0: number, r1: number, d: Float64Array, ix: Int32Array) => void | Promise<void>;
/** Stage 2 of a row block of a wasm plan (after its kernel and exact distances ran in `slot`). */
type Finisher = (p: WasmPlan, r0: number, r1: number, slot: number, g: RankPlan | null) => { fallbacks: number; d: Float64Array; ix: Int32Array };

/** The WebAssembly engine on this thread. */
function wasmSync(X: Matrix, Q: Matrix | null, k: number, metric: Metric, precision: Precision, sink: BlockSink): number {
  const module = requireKnnModule();
  const p = prepareWasm(X, Q, k, precision, 1, wasmMetric(metric));
  const ex = instantiate(module, p);
  const M = Q ? Q.rows : X.rows, w = Q ? k : k + 1;
  const heap = new TopK(k);
  let fallbacks = 0;
  for (let r0 = 0; r0 < M; r0 += p.BR) {
    const r1 = Math.min(M, r0 + p.BR);
    runKernelSync(p, ex, r0, r1, 0);
    const d = new Float64Array((r1 - r0) * w), ix = new Int32Array((r1 - r0) * w);
    fallbacks += finishRows(p, X, Q, k, r0, r1, 0, d, ix, heap);
    void sink(r0, r1, d, ix);
  }
  return fallbacks;
}

/** The WebAssembly engine on the worker pool (or this thread with workers = 0), blocks delivered in order. */
async function wasmAsync(X: Matrix, Q: Matrix | null, k: number, metric: Metric, precision: Precision, workers: number,
  signal: AbortSignal | undefined, bar: ProgressHandle, sink: BlockSink, finisher?: Finisher,
  rank?: { ranks: Int32Array; keep: number }): Promise<number> {
  const module = requireKnnModule();
  const M = Q ? Q.rows : X.rows, w = Q ? k : k + 1;
  const heap = new TopK(k);
  const finish: Finisher = finisher ?? ((p, r0, r1, slot) => {
    const d = new Float64Array((r1 - r0) * w), ix = new Int32Array((r1 - r0) * w);
    return { fallbacks: finishRows(p, X, Q, k, r0, r1, slot, d, ix, heap), d, ix };
  });
  if (workers === 0) {
    const p = prepareWasm(X, Q, k, precision, 1, wasmMetric(metric));
    const ex = instantiate(module, p);
    let fallbacks = 0;
    for (let r0 = 0; r0 < M; r0 += p.BR) {
      const r1 = Math.min(M, r0 + p.BR);
      runKernelSync(p, ex, r0, r1, 0);
      const f = finish(p, r0, r1, 0, null);
      fallbacks += f.fallbacks;
      await sink(r0, r1, f.d, f.ix);
      bar.update(r1);
      await checkpoint(signal);
    }
    return fallbacks;
  }
  const pool = getPool(workers);
  return pool.exclusive(async () => {
    const p = prepareWasm(X, Q, k, precision, workers, wasmMetric(metric));
    const g = rank ? rankPlan(p, rank.ranks, rank.keep) : null;
    await Promise.all(Array.from({ length: workers }, (_, i) => pool.call(i, setupMessage(module, p, g ? rankSetup(p, g) : undefined))));
    let next = 0, done = 0, fallbacks = 0;
    let failure: unknown = null;
    const free = Array.from({ length: workers }, (_, i) => i);
    const order = new InOrder(sink, () => failure !== null);
    const loop = async (wi: number): Promise<void> => {
      while (failure === null && next < M) {
        const r0 = next, r1 = Math.min(M, r0 + p.BR);
        next = r1;
        const slot = free.pop() as number;
        try {
          await runKernelOn(pool, wi, p, r0, r1, slot, g !== null);
          const f = finish(p, r0, r1, slot, g);
          fallbacks += f.fallbacks;
          free.push(slot);
          await order.push(r0, r1, f.d, f.ix);
          done += r1 - r0;
          bar.update(done);
          await checkpoint(signal);
        } catch (e) {
          if (failure === null) failure = e;
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: workers }, (_, i) => loop(i)));
      if (failure === null) await order.flush();
    } catch (e) {
      if (failure === null) failure = e;
    } finally {
      await Promise.all(Array.from({ length: workers }, (_, i) => pool.call(i, { type: 'release' }).catch(() => undefined)));
    }
    if (failure !== null) throw failure;
    return fallbacks;
  });
}

function table(X: Matrix, r: ResolvedNeighborOptions, d: Float64Array, ix: Int32Array): NeighborTable {
  return makeTable(X.rows, r.maxk, d, ix, r.metric, r.period);
}

/**
 * The exact neighbour table of every point, synchronously on this thread.
 * Column 0 is the point itself; ties are broken by ascending index.
 */
export function computeNeighborsSync(data: MatrixLike, opts: NeighborOptions = {}): NeighborTable {
  checkOptionKeys(opts, ['maxk', 'metric', 'period', 'signal', 'engine', 'precision', 'workers', 'symmetric'], 'computeNeighborsSync');
  const X = asMatrix(data);
  const r = resolveNeighborOptions(X, opts);
  const { maxk, metric, period } = r;
  const w = maxk + 1, N = X.rows;
  const dist = new Float64Array(N * w), ind = new Int32Array(N * w);
  let fallbackRows = 0, symmetric = false;
  if (r.engine === 'kdtree') {
    const tree = new KdTree(X, metric, period);
    kdTreeRows(tree, maxk, 0, N, dist, ind);
  } else if (r.engine === 'wasm') {
    const B = opts.symmetric === false ? 0 : symBlocks(N, X.cols, maxk, metric, r.precision, 1);
    symmetric = B > 0;
    if (B > 0) fallbackRows = symSync(X, maxk, metric, r.precision, B, dist, ind);
    else fallbackRows = wasmSync(X, null, maxk, metric, r.precision, (r0, _r1, d, ix) => { dist.set(d, r0 * w); ind.set(ix, r0 * w); });
  } else {
    bruteForceRows(X, maxk, metric, period, 0, N, dist, ind);
  }
  stats = { engine: r.engine, precision: r.precision, workers: 0, fallbackRows, symmetric };
  return table(X, r, dist, ind);
}

/**
 * The exact neighbour table, computed in blocks with progress reports and interruption points
 * (`signal`, or the kernel's interrupt through lib/runtime/progress). Same numbers as
 * `computeNeighborsSync`.
 */
export async function computeNeighbors(data: MatrixLike, opts: NeighborOptions = {}): Promise<NeighborTable> {
  checkOptionKeys(opts, ['maxk', 'metric', 'period', 'signal', 'engine', 'precision', 'workers', 'symmetric'], 'computeNeighbors');
  const X = asMatrix(data);
  const r = resolveNeighborOptions(X, opts);
  const { maxk, metric, period } = r;
  const w = maxk + 1, N = X.rows;
  const dist = new Float64Array(N * w), ind = new Int32Array(N * w);
  const bar = startProgress('neighbours', N);
  let fallbackRows = 0, symmetric = false;
  try {
    if (r.engine === 'kdtree') {
      const tree = new KdTree(X, metric, period);
      const B = kdBlockRows(N, maxk);
      for (let p0 = 0; p0 < N; p0 += B) {
        const p1 = Math.min(N, p0 + B);
        kdTreeRows(tree, maxk, p0, p1, dist, ind);
        bar.update(p1);
        await checkpoint(opts.signal);
      }
    } else if (r.engine === 'wasm') {
      const B = opts.symmetric === false || r.workers === 0 ? 0 : symBlocks(N, X.cols, maxk, metric, r.precision, r.workers);
      symmetric = B > 0;
      if (B > 0) {
        fallbackRows = await symAsync(X, maxk, metric, r.precision, r.workers, B, opts.signal, bar,
          (r0, _r1, d, ix) => { dist.set(d, r0 * w); ind.set(ix, r0 * w); });
      }
      else {
        fallbackRows = await wasmAsync(X, null, maxk, metric, r.precision, r.workers, opts.signal, bar,
          (r0, _r1, d, ix) => { dist.set(d, r0 * w); ind.set(ix, r0 * w); });
      }
    } else {
      const BB = bruteBlockRows(N, X.cols);
      for (let r0 = 0; r0 < N; r0 += BB) {
        const r1 = Math.min(N, r0 + BB);
        bruteForceRows(X, maxk, metric, period, r0, r1, dist, ind);
        bar.update(r1);
        await checkpoint(opts.signal);
      }
    }
  } finally {
    bar.finish();
  }
  stats = { engine: r.engine, precision: r.precision, workers: r.engine === 'wasm' ? r.workers : 0, fallbackRows, symmetric };
  return table(X, r, dist, ind);
}

/**
 * The neighbour table streamed as row blocks, in increasing row order (see the module comment).
 * Same numbers as computeNeighbors; resolves when every block has been delivered.
 */
export async function forEachNeighborBlock(data: MatrixLike, opts: NeighborOptions,
  cb: (r0: number, r1: number, distances: Float64Array, indices: Int32Array) => void | Promise<void>): Promise<void> {
  const X = asMatrix(data);
  const r = resolveNeighborOptions(X, opts);
  const { maxk, metric, period } = r;
  const w = maxk + 1, N = X.rows, D = X.cols;
  const bar = startProgress('neighbours', N);
  let fallbackRows = 0, symmetric = false;
  try {
    if (r.engine === 'wasm') {
      // symmetric tiles when their resident buffers stay modest (<= 512 MB), else row blocks
      const kp = Math.min(N - 1, maxk + Math.max(16, maxk >> 2));
      const B = opts.symmetric === false || r.workers === 0 || N * kp * 24 > 2 ** 29 ? 0
        : symBlocks(N, D, maxk, metric, r.precision, r.workers);
      symmetric = B > 0;
      if (B > 0) fallbackRows = await symAsync(X, maxk, metric, r.precision, r.workers, B, opts.signal, bar, cb);
      else fallbackRows = await wasmAsync(X, null, maxk, metric, r.precision, r.workers, opts.signal, bar, cb);
    } else {
      const tree = r.engine === 'kdtree' ? new KdTree(X, metric, period) : null;
      const B = tree ? BLOCK_ROWS : bruteBlockRows(N, D);
      const heap = new TopK(maxk);
      for (let r0 = 0; r0 < N; r0 += B) {
        const r1 = Math.min(N, r0 + B);
        const d = new Float64Array((r1 - r0) * w), ix = new Int32Array((r1 - r0) * w);
        if (tree) {
          for (let i = r0; i < r1; i++) {
            heap.reset();
            tree.query(X.data, i * D, i, heap);
            const o = (i - r0) * w;
            d[o] = 0; ix[o] = i;
            heap.drainSorted(d, ix, o + 1);
          }
        } else {
          bruteForceRows(X, maxk, metric, period, r0, r1, d, ix, r0);
        }
        await cb(r0, r1, d, ix);
        bar.update(r1);
        await checkpoint(opts.signal);
      }
    }
  } finally {
    bar.finish();
  }
  stats = { engine: r.engine, precision: r.precision, workers: r.engine === 'wasm' ? r.workers : 0, fallbackRows, symmetric };
}

export interface NeighborRankOptions extends Omit<NeighborOptions, 'maxk'> {
  /** The neighbour ranks wanted (1 = nearest neighbour), each between 1 and N - 1; any order, repeats allowed. */
  ranks: ArrayLike<number>;
  /** Also the first `keep` neighbours of every point, sorted (self in column 0, ties by index); default 0. */
  keep?: number;
}

/**
 * For every point, the exact distances at the given neighbour ranks only (and optionally the
 * first `keep` columns of its table), streamed as row blocks in increasing r0:
 * `cb(r0, r1, rankDistances, keepDistances, keepIndices)` with rankDistances (r1 - r0) x R
 * (R = ranks.length, in the order given) and, with keep > 0, keep x (keep + 1) tables like the
 * neighbour table's. The numbers equal the columns ranks[s] of the full table with maxk =
 * max(ranks), bit for bit: the WebAssembly engine re-ranks the candidates exactly but selects
 * the requested ranks (a cascade of selections from the largest rank down) instead of sorting
 * them, which is what estimators like Gride at rank 1024 need. Other engines compute the full
 * rows and pick the columns.
 */
export async function forEachNeighborRankBlock(data: MatrixLike, opts: NeighborRankOptions,
  cb: (r0: number, r1: number, rankDistances: Float64Array, keepDistances: Float64Array | null, keepIndices: Int32Array | null) => void | Promise<void>): Promise<void> {
  await rankBlocks(data, opts, cb);
}

/** Targets whose ranks are counted from the value rows of the symmetric ranks path (see countNeighborRanks). */
interface RankCount { targets: SharedArrayBuffer; k: number; out: SharedArrayBuffer }

/**
 * forEachNeighborRankBlock; with `count`, only through the symmetric ranks path, which also counts
 * the targets' ranks from the same value rows: returns false (nothing delivered) when it does not apply.
 */
async function rankBlocks(data: MatrixLike, opts: NeighborRankOptions,
  cb: (r0: number, r1: number, rankDistances: Float64Array, keepDistances: Float64Array | null, keepIndices: Int32Array | null) => void | Promise<void>,
  count?: RankCount): Promise<boolean> {
  const X = asMatrix(data);
  const N = X.rows;
  const rk = Array.from(opts.ranks ?? [], Number);
  if (rk.length === 0) throw new DadalabError('No neighbour ranks were asked for', 'Pass ranks: e.g. [1, 2, 4, 8]');
  for (const q of rk) {
    if (!Number.isInteger(q) || q < 1 || q >= N) {
      throw new DadalabError(`Neighbour rank ${q} is not a whole number between 1 and N - 1 = ${N - 1}`, `Pass ranks between 1 and ${N - 1}`);
    }
  }
  const maxk = Math.max(...rk);
  const keep = opts.keep ?? 0;
  if (!Number.isInteger(keep) || keep < 0 || keep > maxk) {
    throw new DadalabError(`keep = ${keep} is not a whole number between 0 and the largest rank ${maxk}`, `Pass keep between 0 and ${maxk}`);
  }
  const r = resolveNeighborOptions(X, { ...opts, maxk });
  const R = rk.length, kw = keep + 1;
  if (count && (r.engine !== 'wasm' || opts.symmetric === false)) return false;
  if (r.engine !== 'wasm') {
    const w = maxk + 1;
    await forEachNeighborBlock(X, { ...opts, maxk, symmetric: false }, async (r0, r1, d, ix) => {
      const n = r1 - r0, out = new Float64Array(n * R);
      const kD = keep > 0 ? new Float64Array(n * kw) : null, kI = keep > 0 ? new Int32Array(n * kw) : null;
      for (let i = 0; i < n; i++) {
        for (let s = 0; s < R; s++) out[i * R + s] = d[i * w + rk[s]];
        if (kD && kI) { kD.set(d.subarray(i * w, i * w + kw), i * kw); kI.set(ix.subarray(i * w, i * w + kw), i * kw); }
      }
      await cb(r0, r1, out, kD, kI);
    });
    return true;
  }
  // the ranks in ascending order for the cascade, mapped back to the caller's order
  const order = rk.map((q, s) => [q, s]).sort((x, y) => x[0] - y[0]);
  const asc = order.map((o) => o[0]);
  const bar = startProgress('neighbours', N);
  let fallbackRows = 0;
  const scratch = new Map<number, ReturnType<typeof rankScratch>>();
  const finishRankBlock = (p: WasmPlan, g: RankPlan | null, r0: number, r1: number, slot: number): { fallbacks: number; d: Float64Array; ix: Int32Array } => {
    let sc = scratch.get(p.kp);
    if (!sc) { sc = rankScratch(p.kp, maxk, keep); scratch.set(p.kp, sc); }
    const n = r1 - r0;
    const outR = new Float64Array(n * R), kD = keep > 0 ? new Float64Array(n * kw) : null, kI = new Int32Array(keep > 0 ? n * kw : 0);
    let fallbacks = 0;
    if (g) {
      // the workers ran the window mode: copy their outputs, recompute the rows they could not certify
      const o = rankOutputs(p, g, slot, n);
      outR.set(o.outR);
      if (kD) { kD.set(o.keepD); kI.set(o.keepI); }
      for (let i = 0; i < n; i++) {
        if (o.status[i] === 0) continue;
        fallbacks++;
        exactRankRow(p, X, r0 + i, asc, keep, outR, i * R, kD, keep > 0 ? kI : null, i * kw, sc);
      }
    } else {
      const L = slotLayout(p, r0, r1, slot);
      fallbacks = finishRanksFrom(p, X, maxk, asc, keep, r0, r1, rowViews(p, r1 - r0, L.hh, L.hi, L.ed), outR, kD, keep > 0 ? kI : null, sc);
    }
    // packed for the sink: per row the R rank distances (ascending ranks), then the keep + 1 columns
    const d = new Float64Array(n * (R + kw));
    for (let i = 0; i < n; i++) {
      d.set(outR.subarray(i * R, (i + 1) * R), i * (R + kw));
      if (kD) d.set(kD.subarray(i * kw, (i + 1) * kw), i * (R + kw) + R);
    }
    return { fallbacks, d, ix: kI };
  };
  const sink: BlockSink = async (r0, r1, d, ix) => {
    const n = r1 - r0, out = new Float64Array(n * R);
    for (let i = 0; i < n; i++) for (let s = 0; s < R; s++) out[i * R + order[s][1]] = d[i * (R + kw) + s];
    let kD: Float64Array | null = null;
    if (keep > 0) {
      kD = new Float64Array(n * kw);
      for (let i = 0; i < n; i++) kD.set(d.subarray(i * (R + kw) + R, (i + 1) * (R + kw)), i * kw);
    }
    await cb(r0, r1, out, kD, keep > 0 ? ix : null);
  };
  const rankSpec = { ranks: Int32Array.from(asc), keep };
  let symmetric = false;
  try {
    const sym = opts.symmetric === false ? null
      : await symRanksAsync(X, maxk, r.metric, r.precision, r.workers, opts.signal, bar, sink, rankSpec, finishRankBlock, count);
    symmetric = sym !== null;
    if (count && sym === null) return false;
    fallbackRows = sym ?? await wasmAsync(X, null, maxk, r.metric, r.precision, r.workers, opts.signal, bar, sink,
      (p, r0, r1, slot, g) => finishRankBlock(p, g, r0, r1, slot), rankSpec);
  } finally {
    bar.finish();
  }
  stats = { engine: r.engine, precision: r.precision, workers: r.workers, fallbackRows, symmetric };
  return true;
}

/** The largest value store of the symmetric ranks path (N^2 / 2 float32 values). */
const SYM_RANKS_MAX_BYTES = 1.5 * 2 ** 30;

/** The strips of blocks of B rows: strip I (rows of block I, columns from I B on) at so[I] bytes after the table of offsets. */
function stripLayout(N: number, B: number): { B: number; so: number[]; bytes: number } {
  const nb = Math.ceil(N / B);
  const so: number[] = [];
  let bytes = align16(nb * 4);
  for (let I = 0; I < nb; I++) {
    so.push(bytes);
    const rows = Math.min(N, (I + 1) * B) - I * B;
    bytes += align16(rows * (N - I * B) * 4);
  }
  return { B, so, bytes };
}

/**
 * The ranks mode with each pair computed once (float32, euclidean or cosine, workers > 0, N^2 / 2
 * values <= 1.5 GiB): phase 1 computes the values of strip I (rows of block I against columns
 * from its first row on) for every block, on the workers (vals_f32); phase 2, block by block in
 * order, assembles each row's N values (its strip, and the earlier strips transposed), selects
 * the k' smallest (symsel_f32) and runs the window mode of the ranks. Returns the number of
 * fallback rows, or null when this path does not apply (the caller uses the row blocks).
 */
async function symRanksAsync(X: Matrix, k: number, metric: Metric, precision: Precision, workers: number,
  signal: AbortSignal | undefined, bar: ProgressHandle, sink: BlockSink, rank: { ranks: Int32Array; keep: number },
  finish: (p: WasmPlan, g: RankPlan | null, r0: number, r1: number, slot: number) => { fallbacks: number; d: Float64Array; ix: Int32Array },
  count?: RankCount): Promise<number | null> {
  const N = X.rows;
  const kp = Math.min(N - 1, k + Math.max(16, k >> 2));
  if (workers === 0 || precision !== 'float32' || (metric !== 'euclidean' && metric !== 'cosine') || kp >= N - 1) return null;
  if (process.env.DADALAB_SYMRANKS === '0') return null;
  const module = loadKnnModule();
  if (!module) return null;
  // the strip sizes depend on the block rows BR of the plan: a plan without the store first
  const probe = prepareWasmLayout(X, k, workers, metric);
  const B = probe.BR, nb = Math.ceil(N / B);
  const so: number[] = [];
  let bytes = align16(nb * 4);
  for (let I = 0; I < nb; I++) {
    so.push(bytes);
    const rows = Math.min(N, (I + 1) * B) - I * B;
    bytes += align16(rows * (N - I * B) * 4);
  }
  if (bytes > SYM_RANKS_MAX_BYTES) return null;
  const pool = getPool(workers);
  return pool.exclusive(async () => {
    const p = prepareWasm(X, null, k, precision, workers, wasmMetric(metric), false, true, bytes);
    const g = rankPlan(p, rank.ranks, rank.keep);
    if (!g || p.BR !== B || !p.rowsel) return null;
    const soOff = p.extraOff;
    const soView = new Uint32Array(p.memory.buffer, soOff, nb);
    for (let I = 0; I < nb; I++) soView[I] = soOff + so[I];
    await Promise.all(Array.from({ length: workers }, (_, i) => pool.call(i, setupMessage(module, p, rankSetup(p, g)))));
    let failure: unknown = null, fallbacks = 0;
    try {
      // phase 1: the strips (largest first)
      let q = 0, doneWork = 0;
      const total = (N * (N + B)) / 2;
      const loopA = async (wi: number): Promise<void> => {
        while (failure === null && q < nb) {
          const I = q++;
          const r0 = I * B, r1 = Math.min(N, r0 + B);
          try {
            await pool.call(wi, { type: 'tile', fn: 'vals_f32', args: [p.xOff, p.nOff, p.Dp, r0, r1, r0, N, p.BJ, soOff + so[I], N - r0] });
            doneWork += (r1 - r0) * (N - r0);
            bar.update(Math.floor((0.8 * N * doneWork) / total));
            await checkpoint(signal);
          } catch (e) {
            if (failure === null) failure = e;
          }
        }
      };
      await Promise.all(Array.from({ length: workers }, (_, i) => loopA(i)));
      // phase 2: the blocks in order
      if (failure === null) {
        let next = 0;
        const free = Array.from({ length: workers }, (_, i) => i);
        const order = new InOrder(sink, () => failure !== null);
        const loopB = async (wi: number): Promise<void> => {
          while (failure === null && next < nb) {
            const I = next++;
            const r0 = I * B, r1 = Math.min(N, r0 + B);
            const slot = free.pop() as number;
            const L = slotLayout(p, r0, r1, slot);
            const rv = L.hd + p.rvOff, hs = rv + p.hsOff;
            try {
              await pool.call(wi, { type: 'run', fn: 'symsel_f32', args: [soOff, B, N, I, p.kp, L.hd, L.hi, L.hh, p.C, rv, hs],
                f64: false, hh: L.hh, rows: r1 - r0, rank: { slot, rows: r1 - r0, i0: r0, hd: L.hd, hi: L.hi, hh: L.hh },
                count: count ? { rv, rows: r1 - r0, N, i0: r0, targets: count.targets, k: count.k, sqn: p.sqn, sqnMax: p.sqnMax, eCoef: p.eCoef, u: p.u, out: count.out } : undefined });
              const f = finish(p, g, r0, r1, slot);
              fallbacks += f.fallbacks;
              free.push(slot);
              await order.push(r0, r1, f.d, f.ix);
              bar.update(Math.floor(0.8 * N + (0.2 * N * r1) / N));
              await checkpoint(signal);
            } catch (e) {
              if (failure === null) failure = e;
            }
          }
        };
        await Promise.all(Array.from({ length: workers }, (_, i) => loopB(i)));
        if (failure === null) await order.flush();
      }
    } finally {
      await Promise.all(Array.from({ length: workers }, (_, i) => pool.call(i, { type: 'release' }).catch(() => undefined)));
    }
    if (failure !== null) throw failure;
    return fallbacks;
  });
}


export interface CountRanksOptions {
  metric?: Metric | string;
  /** Worker threads (default 2; 0 = this thread, the JS count). */
  workers?: number;
  signal?: AbortSignal;
}

/**
 * For each point i and each target `targets[i * k + m]` (a point index; -1 = skip), the rank
 * of the target among i's neighbours in the complete exact table of X: 1 + the number of other
 * points closer to i, ties by ascending index (the column the target would have in a table
 * with maxk = N - 1). Float64Array N x k (-1 where skipped). On the WebAssembly engine
 * (euclidean, cosine) the workers compute each row's float32 values and count with the
 * certified bounds, computing exact float64 distances only near the target's; else one exact
 * distance row per point in JS. The same numbers either way.
 */
export async function countNeighborRanks(data: MatrixLike, targets: Int32Array, k: number, opts: CountRanksOptions = {}): Promise<Float64Array> {
  const X = asMatrix(data);
  validateCoordinates(X, 2);
  const N = X.rows, D = X.cols;
  if (!Number.isInteger(k) || k < 1 || targets.length !== N * k) {
    throw new DadalabError(`The targets hold ${targets.length} entries, not N x k = ${N} x ${k}`, 'Pass k target indices per point (-1 to skip)');
  }
  for (let t = 0; t < targets.length; t++) {
    const a = targets[t];
    if (a >= N || a < -1 || a === Math.floor(t / k)) {
      throw new DadalabError(`Target ${a} of point ${Math.floor(t / k)} is not another point's index`, `Pass indices between 0 and ${N - 1} other than the point itself, or -1`);
    }
  }
  const metric = parseMetric(opts.metric);
  const workers = parseWorkers(opts.workers);
  const out = new Float64Array(N * k).fill(-1);
  const module = workers > 0 && N > TINY_N && (metric === 'euclidean' || metric === 'cosine') ? loadKnnModule() : null;
  // each pair computed once when the strips fit (see symRanksAsync): the values of strip I for
  // every block, then the full rows of each block assembled from them
  const strips = module && process.env.DADALAB_SYMRANKS !== '0' ? stripLayout(N, prepareWasmLayout(X, 1, workers, wasmMetric(metric)).BR) : null;
  const useStrips = strips !== null && strips.bytes <= SYM_RANKS_MAX_BYTES;
  const p = module ? prepareWasm(X, null, 1, 'float32', workers, wasmMetric(metric), false, true, useStrips && strips ? strips.bytes : 0) : null;
  if (!module || !p || p.unsafe) {
    const row = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      let done = false;
      for (let m = 0; m < k; m++) {
        const a = targets[i * k + m];
        if (a < 0) continue;
        if (!done) { for (let j = 0; j < N; j++) row[j] = pairDistance(X.data, i, X.data, j, D, metric, null); done = true; }
        const da = row[a];
        let r = 1;
        for (let j = 0; j < N; j++) if (j !== i && (row[j] < da || (row[j] === da && j < a))) r++;
        out[i * k + m] = r;
      }
      if ((i & 63) === 63) await checkpoint(opts.signal);
    }
    return out;
  }
  const pool = getPool(workers);
  const tSab = new SharedArrayBuffer(N * k * 4), oSab = new SharedArrayBuffer(N * k * 8);
  new Int32Array(tSab).set(targets);
  const outS = new Float64Array(oSab);
  outS.fill(-1);
  const sym = useStrips && strips !== null && strips.B === p.BR;
  await pool.exclusive(async () => {
    await Promise.all(Array.from({ length: workers }, (_, i) => pool.call(i, setupMessage(module, p))));
    let next = 0;
    let failure: unknown = null;
    const B = p.BR, soOff = p.extraOff;
    if (sym && strips) {
      const soView = new Uint32Array(p.memory.buffer, soOff, strips.so.length);
      for (let I = 0; I < strips.so.length; I++) soView[I] = soOff + strips.so[I];
      let q = 0;
      const loopA = async (wi: number): Promise<void> => {
        while (failure === null && q < strips.so.length) {
          const I = q++;
          const r0 = I * B, r1 = Math.min(N, r0 + B);
          try {
            await pool.call(wi, { type: 'tile', fn: 'vals_f32', args: [p.xOff, p.nOff, p.Dp, r0, r1, r0, N, p.BJ, soOff + strips.so[I], N - r0] });
            await checkpoint(opts.signal);
          } catch (e) {
            if (failure === null) failure = e;
          }
        }
      };
      await Promise.all(Array.from({ length: workers }, (_, i) => loopA(i)));
    }
    const free = Array.from({ length: workers }, (_, i) => i);
    const loop = async (wi: number): Promise<void> => {
      while (failure === null && next < N) {
        const r0 = next, r1 = Math.min(N, r0 + p.BR);
        next = r1;
        const slot = free.pop() as number;
        const hd = slotLayout(p, r0, r1, slot).hd, rv = hd + p.rvOff;
        try {
          await pool.call(wi, { type: 'count', fn: sym ? 'symrows_f32' : 'values_f32',
            args: sym ? [soOff, B, N, r0 / B, rv] : [p.xOff, p.nOff, N, p.Dp, r0, r1, p.BJ, rv],
            count: { rv, rows: r1 - r0, N, i0: r0, targets: tSab, k, sqn: p.sqn, sqnMax: p.sqnMax, eCoef: p.eCoef, u: p.u, out: oSab } });
          free.push(slot);
          await checkpoint(opts.signal);
        } catch (e) {
          if (failure === null) failure = e;
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: workers }, (_, i) => loop(i)));
    } finally {
      await Promise.all(Array.from({ length: workers }, (_, i) => pool.call(i, { type: 'release' }).catch(() => undefined)));
    }
    if (failure !== null) throw failure;
  });
  out.set(outS);
  return out;
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
  const tSab = new SharedArrayBuffer(N * k * 4), oSab = new SharedArrayBuffer(N * k * 8);
  new Int32Array(tSab).set(targets);
  new Float64Array(oSab).fill(-1);
  const dist = new Float64Array(N * w), ind = new Int32Array(N * w);
  const done = await rankBlocks(X, { metric: r.metric, precision: r.precision, workers: r.workers, signal: opts.signal, ranks: [maxk], keep: maxk },
    (r0, _r1, _rd, kD, kI) => { dist.set(kD as Float64Array, r0 * w); ind.set(kI as Int32Array, r0 * w); }, { targets: tSab, k, out: oSab });
  if (!done) return null;
  const ranks = new Float64Array(N * k);
  ranks.set(new Float64Array(oSab));
  return { table: table(X, r, dist, ind), ranks };
}

/** The k nearest rows of X for each query row (no self exclusion): `k` columns per query. */
export interface CrossNeighbors {
  readonly nQueries: number;
  readonly k: number;
  readonly distances: Float64Array;
  readonly indices: Int32Array;
  readonly metric: Metric;
  readonly period: Float64Array | null;
}

/**
 * For each row of `Q`, its `k` nearest rows of `X` (exact, ties by ascending index, no self
 * exclusion: a query equal to a row of X gets it at distance 0). Used for densities at new points.
 */
export async function crossNeighbors(queries: MatrixLike, data: MatrixLike, k: number,
  opts: Omit<NeighborOptions, 'maxk'> = {}): Promise<CrossNeighbors> {
  checkOptionKeys(opts, ['metric', 'period', 'signal', 'engine', 'precision', 'workers', 'symmetric'], 'crossNeighbors');
  const Q = asMatrix(queries), X = asMatrix(data);
  validateCoordinates(X, 1);
  validateCoordinates(Q, 1);
  if (Q.cols !== X.cols) {
    throw new DadalabError(`The query points have ${Q.cols} coordinates but the data have ${X.cols}`,
      'Pass query points with the same features, in the same order, as the data');
  }
  const N = X.rows, M = Q.rows;
  if (!Number.isInteger(k) || k < 1 || k > N) {
    throw new DadalabError(`k = ${k} neighbours asked for, but the data have N = ${N} points`, `Pass k between 1 and ${N}`);
  }
  const metric = parseMetric(opts.metric);
  const period = parsePeriod(opts.period, X.cols, metric);
  const engine = pickEngine(N * M <= TINY_N * TINY_N ? 1 : N, X.cols, metric, period, opts.engine);
  const precision = parsePrecision(opts.precision), workers = parseWorkers(opts.workers);
  const dist = new Float64Array(M * k), ind = new Int32Array(M * k);
  const bar = startProgress('neighbours', M);
  let fallbackRows = 0;
  try {
    if (engine === 'wasm') {
      fallbackRows = await wasmAsync(X, Q, k, metric, precision, workers, opts.signal, bar,
        (r0, _r1, d, ix) => { dist.set(d, r0 * k); ind.set(ix, r0 * k); });
    } else {
      const tree = engine === 'kdtree' ? new KdTree(X, metric, period) : null;
      const B = tree ? kdBlockRows(N, k) : bruteBlockRows(N, X.cols);
      for (let r0 = 0; r0 < M; r0 += B) {
        const r1 = Math.min(M, r0 + B);
        if (tree) kdTreeCross(tree, Q, k, r0, r1, dist, ind);
        else bruteForceCross(Q, X, k, metric, period, dist, ind, r0, r1);
        bar.update(r1);
        await checkpoint(opts.signal);
      }
    }
  } finally {
    bar.finish();
  }
  stats = { engine, precision, workers: engine === 'wasm' ? workers : 0, fallbackRows, symmetric: false };
  return Object.freeze({ nQueries: M, k, distances: dist, indices: ind, metric, period });
}

export { zeroDistanceRows };
