// Parity mappings for the density methods (DADApy name -> ours, outputs, comparators). See ../registry.ts.
import { registerComparator, registerComplete, registerMethods } from '../registry';

registerComplete([
  'compute_kstar', 'set_kstar', 'compute_density_kNN', 'compute_density_kstarNN', 'compute_density_kpeaks',
  'compute_density_PAk', 'return_entropy', 'return_interpolated_density_kNN', 'return_interpolated_density_kstarNN',
]);

const DENSITY_METHODS = new Set([
  'compute_density_kNN', 'compute_density_kstarNN', 'compute_density_kpeaks', 'compute_density_PAk', 'return_entropy',
  'return_interpolated_density_kNN', 'return_interpolated_density_kstarNN', 'return_interpolated_density_PAk',
]);

// Densities are exact functions of (neighbour table, ID): with set_id they agree with DADApy to
// ~1e-15. After compute_id_2NN the ID itself differs from DADApy's by up to ~5e-10 relative (DADApy
// fits the 2NN slope with scipy's curve_fit, which stops short of the closed-form least-squares
// slope), and d·log r carries that into log ρ at ~1e-9. Downstream of a 2NN ID the densities are
// held to 1e-8; with a given ID to DESIGN.md's 1e-9.
registerComparator((output, ctx) => {
  if (!ctx.step.method || !DENSITY_METHODS.has(ctx.step.method)) return undefined;
  if (output === 'kstar') return { kind: 'exact' };
  const fitted = ctx.history.lastIndexOf('compute_id_2NN') > ctx.history.lastIndexOf('set_id');
  return { kind: 'numeric', rtol: fitted ? 1e-8 : 1e-9 };
});

// set_kstar(k): DADApy's positional k (a number or one per point)
registerMethods({
  set_kstar: { args: (kw) => [kw.k ?? 0] },
});
