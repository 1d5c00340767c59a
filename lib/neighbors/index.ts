import { DadalabError } from '../errors';
import { asMatrix, validateCoordinates, type Matrix, type MatrixLike } from '../matrix';
import { checkpoint, startProgress } from '../runtime/progress';
import { bruteForceRows } from './brute';
import { parseMetric, parsePeriod, type Metric } from './metrics';
import { makeTable, zeroDistanceRows, type NeighborTable } from './table';

export * from './table';
export * from './metrics';
export { dedupe, findDuplicates, type Dedupe } from './duplicates';
export { fromPrecomputed, fromDistanceMatrix, type PrecomputedOptions } from './precomputed';
export { pairDistance } from './distance';
export { bruteForceCross } from './brute';

export interface NeighborOptions {
  /** Neighbours per point beyond the point itself; DADApy's default min(100, N - 1). */
  maxk?: number;
  metric?: Metric | string;
  /** Box length per coordinate (or one for all) for periodic data: euclidean and manhattan only. */
  period?: number | ArrayLike<number> | null;
  /** Stops the async computation at its next block. */
  signal?: AbortSignal;
}

export interface ResolvedNeighborOptions {
  maxk: number;
  metric: Metric;
  period: Float64Array | null;
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
  return { maxk, metric, period };
}

const BLOCK_ROWS = 256;

/**
 * The exact neighbour table of every point, synchronously on this thread.
 * Column 0 is the point itself; ties are broken by ascending index.
 */
export function computeNeighborsSync(data: MatrixLike, opts: NeighborOptions = {}): NeighborTable {
  const X = asMatrix(data);
  const { maxk, metric, period } = resolveNeighborOptions(X, opts);
  const w = maxk + 1;
  const dist = new Float64Array(X.rows * w), ind = new Int32Array(X.rows * w);
  bruteForceRows(X, maxk, metric, period, 0, X.rows, dist, ind);
  return makeTable(X.rows, maxk, dist, ind, metric, period);
}

/**
 * The exact neighbour table, computed in blocks with progress reports and interruption points.
 * Same numbers as `computeNeighborsSync`.
 */
export async function computeNeighbors(data: MatrixLike, opts: NeighborOptions = {}): Promise<NeighborTable> {
  const X = asMatrix(data);
  const { maxk, metric, period } = resolveNeighborOptions(X, opts);
  const w = maxk + 1;
  const dist = new Float64Array(X.rows * w), ind = new Int32Array(X.rows * w);
  const bar = startProgress('neighbours', X.rows);
  try {
    for (let r0 = 0; r0 < X.rows; r0 += BLOCK_ROWS) {
      const r1 = Math.min(X.rows, r0 + BLOCK_ROWS);
      bruteForceRows(X, maxk, metric, period, r0, r1, dist, ind);
      bar.update(r1);
      await checkpoint(opts.signal);
    }
  } finally {
    bar.finish();
  }
  return makeTable(X.rows, maxk, dist, ind, metric, period);
}

export { zeroDistanceRows };
