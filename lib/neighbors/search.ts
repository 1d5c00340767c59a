/**
 * The neighbour table entries: computeNeighborsSync (this thread), computeNeighbors (async:
 * worker threads, progress, cancellable) and forEachNeighborBlock (the same table streamed as row
 * blocks). Each resolves its options (options.ts) and runs one engine: the kd-tree and the exact
 * brute force here, the WebAssembly engine through its symmetric tiles (tiles.ts) or its row
 * blocks (rowblocks.ts).
 */
import { checkOptionKeys } from '../options';
import { asMatrix, type Matrix, type MatrixLike } from '../matrix';
import { checkpoint, startProgress } from '../runtime/progress';
import { bruteForceRows } from './brute';
import { TopK } from './heap';
import { sharedRows } from './inorder';
import { KdTree, kdTreeRows } from './kdtree';
import { buildKdTreeParallel, KD_PARALLEL_MIN, kdTreeRowsParallel } from './kdrows';
import { BLOCK_ROWS, bruteBlockRows, ensureNeighborMemory, kdBlockRows, resolveNeighborOptions, setNeighborStats, type NeighborOptions, type NeighborPath, type ResolvedNeighborOptions } from './options';
import { wasmAsync, wasmSync } from './rowblocks';
import { makeTable, type NeighborTable } from './table';
import { rescaleDistances, scaleForSearch } from './scale';
import { stripsAsync } from './strips';
import { symAsync, symBlocks, symSync } from './tiles';

export function table(X: Matrix, r: ResolvedNeighborOptions, d: Float64Array, ix: Int32Array): NeighborTable {
  return makeTable(X.rows, r.maxk, d, ix, r.metric, r.period);
}

/** The options a table search takes (unknown keys are refused by name). */
const TABLE_OPTION_KEYS = ['maxk', 'metric', 'period', 'signal', 'engine', 'precision', 'workers', 'symmetric'];

/**
 * What every table search does first: resolve the options, refuse what cannot fit in memory
 * (`wholeTable`: the N x (maxk + 1) table is held, not streamed), and bring extreme coordinates
 * into range (lib/neighbors/scale.ts; `s.up` multiplies the distances back).
 */
function prepareSearch(data: MatrixLike, opts: NeighborOptions, where: string, wholeTable: boolean) {
  const X0 = asMatrix(data);
  const r = resolveNeighborOptions(X0, opts);
  ensureNeighborMemory(X0.rows, X0.cols, r, wholeTable, where);
  const s = scaleForSearch(X0, r.metric, r.period);
  return { X0, r, s };
}

/**
 * The exact neighbour table of every point, synchronously on this thread.
 * Column 0 is the point itself; ties are broken by ascending index.
 */
export function computeNeighborsSync(data: MatrixLike, opts: NeighborOptions = {}): NeighborTable {
  checkOptionKeys(opts, TABLE_OPTION_KEYS, 'computeNeighborsSync');
  const { X0, r, s } = prepareSearch(data, opts, 'computeNeighborsSync', true);
  const { maxk, metric } = r;
  const X = s.X, period = s.period;
  const w = maxk + 1, N = X.rows;
  const dist = new Float64Array(N * w), ind = new Int32Array(N * w);
  let fallbackRows = 0, symmetric = false, path: NeighborPath = null;
  if (r.engine === 'kdtree') {
    const tree = new KdTree(X, metric, period);
    kdTreeRows(tree, maxk, 0, N, dist, ind);
  } else if (r.engine === 'wasm') {
    const B = opts.symmetric === false ? 0 : symBlocks(N, X.cols, maxk, metric, r.precision, 1);
    symmetric = B > 0;
    path = B > 0 ? 'tiles' : 'rows';
    if (B > 0) fallbackRows = symSync(X, maxk, metric, r.precision, B, dist, ind);
    else fallbackRows = wasmSync(X, null, maxk, metric, r.precision, (r0, _r1, d, ix) => { dist.set(d, r0 * w); ind.set(ix, r0 * w); });
  } else {
    bruteForceRows(X, maxk, metric, period, 0, N, dist, ind);
  }
  setNeighborStats({ engine: r.engine, precision: r.precision, workers: 0, fallbackRows, symmetric, path });
  rescaleDistances(dist, s.up);
  return table(X0, r, dist, ind);
}

/**
 * The exact neighbour table, computed in blocks with progress reports and interruption points
 * (`signal`, or the kernel's interrupt through lib/runtime/progress). Same numbers as
 * `computeNeighborsSync`.
 */
export async function computeNeighbors(data: MatrixLike, opts: NeighborOptions = {}): Promise<NeighborTable> {
  checkOptionKeys(opts, TABLE_OPTION_KEYS, 'computeNeighbors');
  const { X0, r, s } = prepareSearch(data, opts, 'computeNeighbors', true);
  const { maxk, metric } = r;
  const X = s.X, period = s.period;
  const w = maxk + 1, N = X.rows;
  const parallelKd = r.engine === 'kdtree' && r.workers > 0 && N >= KD_PARALLEL_MIN; // (its table arrays come from the workers' shared buffer)
  // the WebAssembly engine's workers write the rows into the table's arrays (shared rows)
  const shared = r.engine === 'wasm' && r.workers > 0 ? sharedRows(N, w) : null;
  let dist: Float64Array = parallelKd ? new Float64Array(0) : shared ? shared.dist : new Float64Array(N * w);
  let ind: Int32Array = parallelKd ? new Int32Array(0) : shared ? shared.ind : new Int32Array(N * w);
  const bar = startProgress('neighbours', N);
  let fallbackRows = 0, symmetric = false, path: NeighborPath = null;
  try {
    if (r.engine === 'kdtree') {
      const tree = parallelKd ? await buildKdTreeParallel(X, metric, period, r.workers) : new KdTree(X, metric, period);
      if (parallelKd) {
        ({ dist, ind } = await kdTreeRowsParallel(tree, maxk, r.workers, async (done) => { bar.update(done); await checkpoint(opts.signal); }));
      } else {
        const B = kdBlockRows(N, maxk);
        for (let p0 = 0; p0 < N; p0 += B) {
          const p1 = Math.min(N, p0 + B);
          kdTreeRows(tree, maxk, p0, p1, dist, ind);
          bar.update(p1);
          await checkpoint(opts.signal);
        }
      }
    } else if (r.engine === 'wasm') {
      const sink = shared ?? ((r0: number, _r1: number, d: Float64Array, ix: Int32Array) => { dist.set(d, r0 * w); ind.set(ix, r0 * w); });
      const strips = opts.symmetric === false ? null
        : await stripsAsync(X, maxk, metric, r.precision, r.workers, opts.signal, bar, sink, { kind: 'table' });
      const B = strips !== null || opts.symmetric === false || r.workers === 0 ? 0 : symBlocks(N, X.cols, maxk, metric, r.precision, r.workers);
      symmetric = strips !== null || B > 0;
      path = strips !== null ? 'strips' : B > 0 ? 'tiles' : 'rows';
      if (strips !== null) fallbackRows = strips;
      else if (B > 0) fallbackRows = await symAsync(X, maxk, metric, r.precision, r.workers, B, opts.signal, bar, sink);
      else fallbackRows = await wasmAsync(X, null, maxk, metric, r.precision, r.workers, opts.signal, bar, sink);
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
  setNeighborStats({ engine: r.engine, precision: r.precision, workers: r.engine === 'wasm' || parallelKd ? r.workers : 0, fallbackRows, symmetric, path });
  rescaleDistances(dist, s.up);
  return table(X0, r, dist, ind);
}

/**
 * The neighbour table streamed as row blocks, in increasing row order (see the module comment).
 * Same numbers as computeNeighbors; resolves when every block has been delivered.
 */
export async function forEachNeighborBlock(data: MatrixLike, opts: NeighborOptions,
  cb: (r0: number, r1: number, distances: Float64Array, indices: Int32Array) => void | Promise<void>): Promise<void> {
  const { r, s } = prepareSearch(data, opts, 'forEachNeighborBlock', false);
  const { maxk, metric } = r;
  const X = s.X, period = s.period;
  if (s.up !== 1) {
    const inner = cb;
    cb = (r0, r1, d, ix) => { rescaleDistances(d, s.up); return inner(r0, r1, d, ix); };
  }
  const w = maxk + 1, N = X.rows, D = X.cols;
  const bar = startProgress('neighbours', N);
  let fallbackRows = 0, symmetric = false, path: NeighborPath = null;
  try {
    if (r.engine === 'wasm') {
      // the strips when they fit; symmetric tiles when their resident buffers stay modest (<= 512 MiB); else row blocks
      const strips = opts.symmetric === false ? null
        : await stripsAsync(X, maxk, metric, r.precision, r.workers, opts.signal, bar, cb, { kind: 'table' });
      const kp = Math.min(N - 1, maxk + Math.max(16, maxk >> 2));
      const B = strips !== null || opts.symmetric === false || r.workers === 0 || N * kp * 24 > 2 ** 29 ? 0
        : symBlocks(N, D, maxk, metric, r.precision, r.workers);
      symmetric = strips !== null || B > 0;
      path = strips !== null ? 'strips' : B > 0 ? 'tiles' : 'rows';
      if (strips !== null) fallbackRows = strips;
      else if (B > 0) fallbackRows = await symAsync(X, maxk, metric, r.precision, r.workers, B, opts.signal, bar, cb);
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
  setNeighborStats({ engine: r.engine, precision: r.precision, workers: r.engine === 'wasm' ? r.workers : 0, fallbackRows, symmetric, path });
}
