import type { Metric } from './metrics';

/**
 * Exact float64 distance between row i of `a` and row j of `b` (both row-major with `D` columns),
 * with direct differences (no ||x||^2 + ||y||^2 - 2x.y cancellation). Periodic boxes use the
 * minimum image per coordinate, min(|dx| mod L, L - |dx| mod L), which holds for coordinates
 * outside [0, L) too (scipy's cKDTree refuses those; we need not).
 */
export function pairDistance(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number, D: number,
  metric: Metric, period: Float64Array | null): number {
  const oa = i * D, ob = j * D;
  switch (metric) {
    case 'euclidean': {
      let s = 0;
      if (period) {
        for (let t = 0; t < D; t++) {
          const L = period[t];
          let e = Math.abs(a[oa + t] - b[ob + t]) % L;
          if (e > L - e) e = L - e;
          s += e * e;
        }
      } else {
        for (let t = 0; t < D; t++) { const e = a[oa + t] - b[ob + t]; s += e * e; }
      }
      return Math.sqrt(s);
    }
    case 'manhattan': {
      let s = 0;
      if (period) {
        for (let t = 0; t < D; t++) {
          const L = period[t];
          let e = Math.abs(a[oa + t] - b[ob + t]) % L;
          if (e > L - e) e = L - e;
          s += e;
        }
      } else {
        for (let t = 0; t < D; t++) s += Math.abs(a[oa + t] - b[ob + t]);
      }
      return s;
    }
    case 'chebyshev': {
      let s = 0;
      for (let t = 0; t < D; t++) { const e = Math.abs(a[oa + t] - b[ob + t]); if (e > s) s = e; }
      return s;
    }
    case 'hamming': {
      // the number of differing coordinates (DADApy multiplies sklearn's fraction by D)
      let s = 0;
      for (let t = 0; t < D; t++) if (a[oa + t] !== b[ob + t]) s++;
      return s;
    }
    case 'cosine': {
      // sklearn: 1 - x.y / (|x| |y|), a zero vector counting as norm 1; clipped to [0, 2]
      let xy = 0, xx = 0, yy = 0;
      for (let t = 0; t < D; t++) {
        const x = a[oa + t], y = b[ob + t];
        xy += x * y; xx += x * x; yy += y * y;
      }
      const nx = xx === 0 ? 1 : Math.sqrt(xx), ny = yy === 0 ? 1 : Math.sqrt(yy);
      const dist = 1 - xy / (nx * ny);
      return dist < 0 ? 0 : dist > 2 ? 2 : dist;
    }
  }
}
