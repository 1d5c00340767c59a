import type { SpecFragment } from '../chart';
import { zoomPan } from '../interactions';
import { r6 } from './histogram';

/**
 * Estimated against true log density (vega-lite v5), one point per data point, with the diagonal.
 * Log densities are known up to a constant (normalisation, BMTI's gauge): by default both are
 * shifted to zero mean before plotting. The title reports the mean squared error after the shift.
 */
export function densityVsTrueSpec(estimate: ArrayLike<number>, truth: ArrayLike<number>,
  opts: { removeMean?: boolean; title?: string; label?: string } = {}): SpecFragment {
  const n = Math.min(estimate.length, truth.length);
  let me = 0, mt = 0;
  if (opts.removeMean ?? true) {
    for (let i = 0; i < n; i++) { me += estimate[i]; mt += truth[i]; }
    me /= n; mt /= n;
  }
  const values: { i: number; truth: number | null; estimate: number | null }[] = [];
  let lo = Infinity, hi = -Infinity, sse = 0;
  for (let i = 0; i < n; i++) {
    const t = truth[i] - mt, e = estimate[i] - me;
    sse += (e - t) * (e - t);
    values.push({ i, truth: r6(t), estimate: r6(e) });
    lo = Math.min(lo, t, e); hi = Math.max(hi, t, e);
  }
  const mse = sse / Math.max(n, 1);
  return {
    title: opts.title ?? `${opts.label ?? 'estimated'} vs true log density (MSE ${mse.toPrecision(3)})`,
    width: 340, height: 340,
    layer: [
      {
        data: { values },
        params: [zoomPan()],
        mark: { type: 'circle', size: 8, opacity: 0.5 },
        encoding: {
          tooltip: [{ field: 'i', type: 'quantitative', title: 'point' }, { field: 'truth', type: 'quantitative', format: '.3f' }, { field: 'estimate', type: 'quantitative', format: '.3f' }],
          x: { field: 'truth', type: 'quantitative', title: 'true log density', scale: { zero: false } },
          y: { field: 'estimate', type: 'quantitative', title: `${opts.label ?? 'estimated'} log density`, scale: { zero: false } },
        },
      },
      {
        data: { values: [{ a: r6(lo), b: r6(lo) }, { a: r6(hi), b: r6(hi) }] },
        mark: { type: 'line', color: 'black', strokeDash: [4, 4] },
        encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' } },
      },
    ],
  };
}
