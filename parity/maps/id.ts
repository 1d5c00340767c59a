// Parity mappings for the id methods (DADApy name -> ours, outputs, comparators). See ../registry.ts.
import { IdDiscrete } from '../../lib/data/idDiscrete';
import type { Matrix } from '../../lib/matrix';
import { registerClass, registerComparator, registerComplete, registerMethods, snakeToCamel } from '../registry';
import { initOptions } from './base';

// Gride on a fresh object: DADApy computes its distances with sklearn's ||x||² + ||y||² - 2x·y
// (about 1e-8 relative error), we compute them exactly: DESIGN.md's 1e-6 for this path.
registerComparator((output, ctx) => {
  if (ctx.step.method !== 'return_id_scaling_gride') return undefined;
  if (ctx.history.includes('compute_distances')) return undefined;
  if (output === 'dist_indices') return { kind: 'exact' };
  return { kind: 'numeric', rtol: 1e-6 };
});

// TwoNN decimation errors: each subset's id is our closed-form least-squares slope, which agrees
// with DADApy's curve_fit (MINPACK Levenberg-Marquardt with a finite-difference Jacobian) to about
// 1e-10 relative; id_err = std(ids) / sqrt(n_iter) amplifies that by id / std (up to ~600 on these
// cases), so the errors are held to 1e-7 while the ids stay at 1e-9. (Replaying lmdif step by step
// does not help: DADApy's answer is sometimes the first Gauss-Newton iterate, which carries the
// finite-difference Jacobian's error, and sometimes the converged one, decided by the sign of
// lmdif's actual reduction, 1 - (|f1|/|f0|)², which at that point is rounding noise of 1e-16.)
registerComparator((output, ctx) => {
  const m = ctx.step.method;
  const decimated = m === 'return_id_scaling_2NN' || (m === 'compute_id_2NN' && ctx.step.kwargs && 'data_fraction' in ctx.step.kwargs);
  if (decimated && (output === 'id_err' || output === 'ids_err')) return { kind: 'numeric', rtol: 1e-7 };
  return undefined;
});

// The binomial model-validation p-values come from DADApy's unseeded module generator.
registerComparator((output) => (output === 'pv' || output === 'pvalues' ? { kind: 'informational', rtol: 1e-1 } : undefined));

registerComplete(['compute_id_2NN', 'return_id_scaling_2NN', 'compute_id_2NN_wprior', 'return_id_scaling_gride',
  'compute_id_binomial_k', 'compute_id_binomial_rk', 'return_ids_kstar_binomial', 'return_ids_kstar_gride', 'set_id']);

// ---------------------------------------------------------------- IdDiscrete (DADApy's id_discrete.py)

registerClass('IdDiscrete', {
  create: ({ coordinates, kwargs }) => {
    if (kwargs.weights !== undefined && kwargs.weights !== null) {
      throw new Error("IdDiscrete's weights are not ported (DADApy's set_w fails on NumPy >= 1.24)");
    }
    return new IdDiscrete((coordinates ?? kwargs.coordinates) as Matrix, initOptions(kwargs, ['weights', 'is_network']) as never);
  },
});

/** DADApy's keywords that only draw (plot, path): dropped; the rest camelCase. */
function withoutPlots(kw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kw)) if (k !== 'plot' && k !== 'path') out[snakeToCamel(k)] = v;
  return out;
}

registerMethods({
  'IdDiscrete.compute_id_binomial_lk': { args: (kw) => [withoutPlots(kw)] },
  'IdDiscrete.compute_id_binomial_k_discrete': { args: (kw) => [withoutPlots(kw)] },
  // DADApy's older name of the same method
  'IdDiscrete.compute_id_binomial_k': { name: 'computeIdBinomialKDiscrete', args: (kw) => [withoutPlots(kw)] },
  'IdDiscrete.return_id_scaling': { args: (kw) => [withoutPlots(kw)] },
  'IdDiscrete.return_id_scaling_k': { args: (kw) => [withoutPlots(kw)] },
  'IdDiscrete.return_id_fit_continuum': {
    args: (kw) => [withoutPlots(kw)],
    returned: { ids: (ret) => ret.ids, scales: (ret) => ret.scales, R: (ret) => ret.scales, r: (ret) => ret.scales, radii: (ret) => ret.scales },
  },
  // DADApy stores N(r) in an array of the scales' dtype: integer radii (the lattice's, and JSON's
  // whole numbers) truncate the mean counts, which our truncateCounts reproduces
  'IdDiscrete.return_id_fit': {
    args: (kw) => {
      const scales = Array.from(kw.scales as ArrayLike<number>);
      return [{ scales, subset: kw.subset, truncateCounts: scales.every((x) => Number.isInteger(x)) }];
    },
    returned: { ids: (ret) => ret.ids, ids_log: (ret) => ret.idsLog, idsl: (ret) => ret.idsLog, scales: (ret) => ret.scales },
  },
  'IdDiscrete.compute_local_density': { args: () => [] },
  'IdDiscrete.fix_lk': { args: (kw) => [withoutPlots(kw)] },
  'IdDiscrete.fix_k': { args: (kw) => [{ k: kw.k_eff ?? kw.k, ratio: kw.ratio }] },
  'IdDiscrete.fix_k_shell': { args: (kw) => [{ k: kw.k_shell ?? kw.k, ratio: kw.ratio }] },
  'IdDiscrete.set_id': { args: (kw) => [kw.d] },
});
