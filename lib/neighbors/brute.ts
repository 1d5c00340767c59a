import type { Matrix } from '../matrix';
import type { Metric } from './metrics';
import { pairDistance } from './distance';
import { TopK } from './heap';

/**
 * The exact reference engine: every pair in float64 with direct differences, a bounded heap per
 * row. Row i always has itself in column 0 (DADApy's convention; with duplicate points a tie
 * could otherwise put another copy first), then its `maxk` nearest other points.
 * Rows [r0, r1) only, so callers can split work and report progress. Row i is written at row
 * `i - rowBase` of the output (0: the full table; r0: a block of its own).
 */
export function bruteForceRows(X: Matrix, maxk: number, metric: Metric, period: Float64Array | null,
  r0: number, r1: number, outD: Float64Array, outI: Int32Array, rowBase = 0): void {
  const N = X.rows, D = X.cols, data = X.data, w = maxk + 1;
  const heap = new TopK(maxk);
  for (let i = r0; i < r1; i++) {
    heap.reset();
    for (let j = 0; j < N; j++) {
      if (j === i) continue;
      const dist = pairDistance(data, i, data, j, D, metric, period);
      if (dist <= heap.bound()) heap.push(dist, j);
    }
    const o = (i - rowBase) * w;
    outD[o] = 0;
    outI[o] = i;
    heap.drainSorted(outD, outI, o + 1);
  }
}

/**
 * Exact neighbours of query rows `Q` among the rows of `X` (no self exclusion): `k` columns.
 * Used for densities at new points and for cross-representation tables.
 */
export function bruteForceCross(Q: Matrix, X: Matrix, k: number, metric: Metric, period: Float64Array | null,
  outD: Float64Array, outI: Int32Array, r0 = 0, r1 = Q.rows): void {
  const N = X.rows, D = X.cols;
  const heap = new TopK(k);
  for (let i = r0; i < r1; i++) {
    heap.reset();
    for (let j = 0; j < N; j++) {
      const dist = pairDistance(Q.data, i, X.data, j, D, metric, period);
      if (dist <= heap.bound()) heap.push(dist, j);
    }
    heap.drainSorted(outD, outI, i * k);
  }
}
