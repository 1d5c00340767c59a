/** Cross queries: the k nearest rows of X for each row of Q (no self exclusion). */
import { DadalabError } from '../errors';
import { checkOptionKeys } from '../options';
import { asMatrix, validateCoordinates, type Matrix, type MatrixLike } from '../matrix';
import { rescaleDistances, scaleForSearch } from './scale';
import { checkpoint, startProgress } from '../runtime/progress';
import { bruteForceCross } from './brute';
import { KdTree, kdTreeCross } from './kdtree';
import { parseMetric, parsePeriod, type Metric } from './metrics';
import { ensureMemory } from '../runtime/memory';
import { bruteBlockRows, kdBlockRows, neighborSearchBytes, parsePrecision, parseWorkers, pickEngine, setNeighborStats, TINY_N, type NeighborOptions } from './options';
import { wasmAsync } from './rowblocks';


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
  opts: Omit<NeighborOptions, 'maxk' | 'symmetric'> = {}): Promise<CrossNeighbors> {
  checkOptionKeys(opts, ['metric', 'period', 'signal', 'engine', 'precision', 'workers'], 'crossNeighbors');
  // no `symmetric`: a cross query has no pair to compute once (refused as unknown rather than ignored)
  const Q0 = asMatrix(queries), X0 = asMatrix(data);
  validateCoordinates(X0, 1);
  validateCoordinates(Q0, 1, 'The query points');
  if (Q0.cols !== X0.cols) {
    throw new DadalabError(`The query points have ${Q0.cols} coordinates but the data have ${X0.cols}`,
      'Pass query points with the same features, in the same order, as the data');
  }
  const N = X0.rows, M = Q0.rows;
  if (!Number.isInteger(k) || k < 1 || k > N) {
    throw new DadalabError(`k = ${k} neighbours asked for, but the data have N = ${N} points`, `Pass k between 1 and ${N}`);
  }
  const metric = parseMetric(opts.metric);
  // far from 1 the squares overflow or underflow: search on 2^-e X, distances back times 2^e (scale.ts)
  const period0 = parsePeriod(opts.period, X0.cols, metric);
  const s = scaleForSearch(X0, metric, period0, Q0);
  const X = s.X, Q = s.Q as Matrix, period = s.period;
  const engine = pickEngine(N * M <= TINY_N * TINY_N ? 1 : N, X.cols, metric, period, opts.engine);
  const precision = parsePrecision(opts.precision), workers = parseWorkers(opts.workers);
  ensureMemory(M * k * 12 + neighborSearchBytes(N + M, X.cols, { maxk: k, engine, precision, workers }, false),
    `crossNeighbors of ${M} query points among ${N} points x ${X.cols} coordinates with k = ${k} (${engine} engine)`,
    'Query fewer points at a time, lower k, or reduce D first (e.g. PCA)');
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
  setNeighborStats({ engine, precision, workers: engine === 'wasm' ? workers : 0, fallbackRows, symmetric: false });
  rescaleDistances(dist, s.up);
  return Object.freeze({ nQueries: M, k, distances: dist, indices: ind, metric, period: period0 });
}
