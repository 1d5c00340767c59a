import { Chart } from '../../widgets/chart';
import { densityHistogramSpec } from '../../widgets/density/histogram';
import { densityVsTrueSpec } from '../../widgets/density/vsTrue';

/** Which estimator produced a density. */
export type DensityMethod = 'kNN' | 'kstarNN' | 'kpeaks' | 'PAk' | 'BMTI';

/** A log density per point with its error: what every density estimator returns. */
export interface DensityResult {
  readonly method: DensityMethod;
  /** Natural log of the density normalised by N (for kpeaks: k*, not a log density). */
  readonly logDen: Float64Array;
  readonly logDenErr: Float64Array;
  /** Distance of each point's k-th (k*-th) neighbour. */
  readonly dc: Float64Array;
  /** The neighbourhood size used at each point. */
  readonly kstar: Int32Array;
  /** The intrinsic dimension used. */
  readonly id: number;
  summary(): string;
  /** A histogram of the log densities, or, given `truth` (one true log density per point), estimate against truth. */
  plot(options?: { truth?: ArrayLike<number> }): Chart;
}

/** Mean of an array, NaN when empty. */
export function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}

export function makeDensityResult(method: DensityMethod, logDen: Float64Array, logDenErr: Float64Array,
  dc: Float64Array, kstar: Int32Array, id: number, extra: object = {}): DensityResult {
  const label = method === 'kpeaks' ? 'k-peaks' : method;
  return Object.freeze({
    method, logDen, logDenErr, dc, kstar, id, ...extra,
    summary(): string {
      const n = logDen.length;
      let mn = Infinity, mx = -Infinity;
      for (let i = 0; i < n; i++) { if (logDen[i] < mn) mn = logDen[i]; if (logDen[i] > mx) mx = logDen[i]; }
      const what = method === 'kpeaks' ? 'k-peaks score' : 'log density';
      // no "± 0.000" where an estimator gives no error (its errors are all zero)
      const err = mean(logDenErr);
      const pm = err > 0 ? ` ± ${Number(err.toPrecision(2))}` : '';
      return `${label} ${what} of ${n} points at ID ${id.toPrecision(3)}: mean ${mean(logDen).toFixed(3)}${pm} (range ${mn.toFixed(2)} to ${mx.toFixed(2)})`;
    },
    plot(options: { truth?: ArrayLike<number> } = {}): Chart {
      if (options.truth) return new Chart(densityVsTrueSpec(logDen, options.truth, { label }));
      return new Chart(densityHistogramSpec(logDen, { title: `${label} log density`, xTitle: method === 'kpeaks' ? 'k*' : 'log density' }));
    },
  }) as DensityResult;
}
