import { DadalabError } from '../errors';

/**
 * The metrics of the neighbour engine (sklearn's names). 'hamming' is the NUMBER of differing
 * coordinates, as DADApy returns it (sklearn's fraction times the number of features); it runs on
 * the exact JavaScript engine only (see hammingEngine).
 */
export type Metric = 'euclidean' | 'manhattan' | 'chebyshev' | 'cosine' | 'hamming';
export const METRICS: readonly Metric[] = ['euclidean', 'manhattan', 'chebyshev', 'cosine', 'hamming'];

/**
 * The engine for the hamming metric: the exact JavaScript one (the kd-tree and the WebAssembly
 * kernels have no hamming distance); asking for another is refused.
 */
export function hammingEngine(requested: string | undefined): 'exact-js' {
  if (requested !== undefined && requested !== 'auto' && requested !== 'exact-js') {
    throw new DadalabError(`engine '${requested}' has no hamming distance`, "Use engine 'auto' or 'exact-js' for the hamming metric");
  }
  return 'exact-js';
}

/** DADApy accepts 'minkowski' (p = 2) as euclidean; we map the aliases and refuse the rest clearly. */
export function parseMetric(metric: string | undefined): Metric {
  const m = (metric ?? 'euclidean').toLowerCase();
  if (m === 'minkowski' || m === 'l2') return 'euclidean';
  if (m === 'cityblock' || m === 'l1') return 'manhattan';
  if (m === 'infinity' || m === 'linf') return 'chebyshev';
  if ((METRICS as readonly string[]).includes(m)) return m as Metric;
  throw new DadalabError(`Unknown metric '${metric}'`, `Use one of ${METRICS.join(', ')}`);
}

/**
 * A period per coordinate (periodic boxes, DADApy's `period`): a scalar is broadcast to every
 * coordinate; an array must have one positive entry per coordinate. Only euclidean and manhattan
 * are defined on a torus here (as in DADApy, which uses scipy's cKDTree with p = 2 or 1).
 */
export function parsePeriod(period: number | ArrayLike<number> | null | undefined, dims: number, metric: Metric): Float64Array | null {
  if (period === null || period === undefined) return null;
  if (metric !== 'euclidean' && metric !== 'manhattan') {
    throw new DadalabError(`A periodic box was given with metric '${metric}'`,
      "Periodic distances are defined for 'euclidean' and 'manhattan' only: drop the period or change the metric");
  }
  let p: Float64Array;
  if (typeof period === 'number') {
    p = new Float64Array(dims).fill(period);
  } else {
    if (period.length !== dims) {
      throw new DadalabError(`The period has ${period.length} entries but the data have ${dims} coordinates`,
        `Pass one period per coordinate (${dims} values), or a single number for a cubic box`);
    }
    p = Float64Array.from(period);
  }
  for (let j = 0; j < dims; j++) {
    if (!(p[j] > 0) || !Number.isFinite(p[j])) {
      throw new DadalabError(`Period ${j} is ${p[j]}, not a positive finite box length`,
        'Give every coordinate a positive box length');
    }
  }
  return p;
}
