import { DadalabError, InputError, listSome } from '../errors';
import type { Metric } from './metrics';

/**
 * A neighbour table as DADApy has it: `maxk + 1` columns per point, the point itself in column 0
 * (distance 0), then its neighbours by increasing distance, ties broken by ascending index.
 * Row-major: entry (i, j) is at `i * (maxk + 1) + j`.
 */
export interface NeighborTable {
  readonly n: number;
  readonly maxk: number;
  readonly distances: Float64Array;
  readonly indices: Int32Array;
  readonly metric: Metric | 'precomputed';
  readonly period: Float64Array | null;
}

export function makeTable(n: number, maxk: number, distances: Float64Array, indices: Int32Array,
  metric: Metric | 'precomputed', period: Float64Array | null = null): NeighborTable {
  return Object.freeze({ n, maxk, distances, indices, metric, period });
}

/** Distance from point i to its j-th neighbour (j = 0 is i itself). */
export function nnDist(t: NeighborTable, i: number, j: number): number {
  return t.distances[i * (t.maxk + 1) + j];
}
/** Index of the j-th neighbour of point i. */
export function nnIndex(t: NeighborTable, i: number, j: number): number {
  return t.indices[i * (t.maxk + 1) + j];
}

/** The first `k` neighbours of every point, as a new table (k <= t.maxk). */
export function truncateTable(t: NeighborTable, k: number): NeighborTable {
  if (k > t.maxk) {
    throw new DadalabError(`Asked for ${k} neighbours but the table holds ${t.maxk}`, `Compute distances with maxk >= ${k}`);
  }
  if (k === t.maxk) return t;
  const w0 = t.maxk + 1, w = k + 1;
  const d = new Float64Array(t.n * w), ix = new Int32Array(t.n * w);
  for (let i = 0; i < t.n; i++) {
    d.set(t.distances.subarray(i * w0, i * w0 + w), i * w);
    ix.set(t.indices.subarray(i * w0, i * w0 + w), i * w);
  }
  return makeTable(t.n, k, d, ix, t.metric, t.period);
}

/** Rows i whose neighbour at column 1 is at distance 0 (a duplicate point), sorted. */
export function zeroDistanceRows(t: NeighborTable, threshold = 0): Int32Array {
  const w = t.maxk + 1;
  const out: number[] = [];
  if (t.maxk < 1) return new Int32Array(0);
  for (let i = 0; i < t.n; i++) if (t.distances[i * w + 1] <= threshold) out.push(i);
  return Int32Array.from(out);
}

/**
 * Refuses estimators that divide by r1 when duplicates exist (DADApy crashes on embedding layers
 * for this reason) and points to `dedupe`.
 */
export function assertNoZeroDistances(t: NeighborTable, what: string): void {
  const rows = zeroDistanceRows(t);
  if (rows.length > 0) {
    throw new InputError(
      `${what} needs distinct points, but ${rows.length} point${rows.length === 1 ? ' has' : 's have'} a neighbour at distance 0 (duplicates; rows ${listSome(rows)})`,
      'Remove duplicates first: `const { data, kept } = dedupe(X)` keeps the first copy of each point and returns the kept indices so labels stay aligned');
  }
}
