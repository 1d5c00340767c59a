import { registerAttributes, registerComparator, registerComplete } from '../registry';

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
