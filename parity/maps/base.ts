import { Data } from '../../lib/data';
import { Matrix as MatrixClass, type Matrix } from '../../lib/matrix';
import { registerAttributes, registerClass, registerComparator, registerComplete, snakeToCamel } from '../registry';

/** DADApy's constructor keywords that change no number: dropped (n_jobs keeps joblib in one process). */
export const IGNORED_INIT = new Set(['n_jobs', 'njobs', 'working_memory', 'verbose']);

/** Our options from DADApy's constructor keywords: camelCase, rng_seed as rng, the ignored ones dropped. */
export function initOptions(kwargs: Record<string, unknown>, drop: readonly string[] = []): Record<string, unknown> {
  const opts: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs)) {
    if (IGNORED_INIT.has(k) || drop.includes(k) || k === 'coordinates' || k === 'distances') continue;
    opts[k === 'rng_seed' ? 'rng' : snakeToCamel(k)] = v;
  }
  return opts;
}

// Every DADApy class of the Data family is our Data (which has all their methods, FeatureWeighting's included).
registerClass(['Data', 'Base', 'IdEstimation', 'DensityEstimation', 'KStar', 'Clustering', 'MetricComparisons', 'NeighGraph',
  'DensityAdvanced', 'FeatureWeighting'], {
  create: ({ coordinates, distances, kwargs }) => {
    const opts = initOptions(kwargs);
    const coords = coordinates ?? (kwargs.coordinates as Matrix | undefined) ?? null;
    const rows = (m: unknown) => (m instanceof MatrixClass ? m.toRows() : m);
    const dist = distances ?? kwargs.distances;
    if (dist !== undefined && dist !== null) opts.distances = Array.isArray(dist) && dist.length === 2 ? dist.map(rows) : rows(dist);
    return new Data(coords as Matrix | null, opts);
  },
});

registerComplete(['compute_distances']);

// Neighbour tables: distances to 1e-12 (DESIGN.md), indices exactly.
registerComparator((output, ctx) => {
  if (ctx.step.method !== 'compute_distances') return undefined;
  if (output === 'distances') return { kind: 'numeric', rtol: 1e-12 };
  if (output === 'dist_indices') return { kind: 'exact' };
  return undefined;
});

registerAttributes({
  dist_indices: 'distIndices',
  // DADApy stores a scalar period broadcast to an array
  period: (obj) => (typeof obj.period === 'number' && obj.dims ? new Float64Array(obj.dims).fill(obj.period) : obj.period),
});
