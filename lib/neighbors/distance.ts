import type { Metric } from './metrics';

/**
 * The sum of squared differences of rows at a[oa..] and b[ob..] (D coordinates) in dadalab's
 * fixed order, the one every engine uses (so every engine gives the same bits): eight partial
 * sums p_m over the coordinates t = m (mod 8), each added in increasing t, then
 * ((p0 + p4) + (p2 + p6)) + ((p1 + p5) + (p3 + p7)). It is the order of four float64x2
 * accumulators (the exact stage in WebAssembly, asm/knn.ts exact_l2), and in JavaScript eight
 * independent sums run faster than one chain. (Any fixed order is exact to within D roundings;
 * this one changes results from the sequential sum by about 1e-16 relative.)
 */
export function sqEuclid(a: ArrayLike<number>, oa: number, b: ArrayLike<number>, ob: number, D: number): number {
  let p0 = 0, p1 = 0, p2 = 0, p3 = 0, p4 = 0, p5 = 0, p6 = 0, p7 = 0, e = 0, t = 0;
  for (; t + 8 <= D; t += 8) {
    e = a[oa + t] - b[ob + t]; p0 += e * e;
    e = a[oa + t + 1] - b[ob + t + 1]; p1 += e * e;
    e = a[oa + t + 2] - b[ob + t + 2]; p2 += e * e;
    e = a[oa + t + 3] - b[ob + t + 3]; p3 += e * e;
    e = a[oa + t + 4] - b[ob + t + 4]; p4 += e * e;
    e = a[oa + t + 5] - b[ob + t + 5]; p5 += e * e;
    e = a[oa + t + 6] - b[ob + t + 6]; p6 += e * e;
    e = a[oa + t + 7] - b[ob + t + 7]; p7 += e * e;
  }
  const r = D - t;
  if (r > 0) { e = a[oa + t] - b[ob + t]; p0 += e * e; }
  if (r > 1) { e = a[oa + t + 1] - b[ob + t + 1]; p1 += e * e; }
  if (r > 2) { e = a[oa + t + 2] - b[ob + t + 2]; p2 += e * e; }
  if (r > 3) { e = a[oa + t + 3] - b[ob + t + 3]; p3 += e * e; }
  if (r > 4) { e = a[oa + t + 4] - b[ob + t + 4]; p4 += e * e; }
  if (r > 5) { e = a[oa + t + 5] - b[ob + t + 5]; p5 += e * e; }
  if (r > 6) { e = a[oa + t + 6] - b[ob + t + 6]; p6 += e * e; }
  return ((p0 + p4) + (p2 + p6)) + ((p1 + p5) + (p3 + p7));
}

/** sqEuclid with periodic boxes: the minimum-image difference per coordinate, the same order. */
export function sqEuclidPeriodic(a: ArrayLike<number>, oa: number, b: ArrayLike<number>, ob: number, D: number, period: Float64Array): number {
  const p = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let t = 0; t < D; t++) {
    const L = period[t];
    let e = Math.abs(a[oa + t] - b[ob + t]) % L;
    if (e > L - e) e = L - e;
    p[t & 7] += e * e;
  }
  return ((p[0] + p[4]) + (p[2] + p[6])) + ((p[1] + p[5]) + (p[3] + p[7]));
}

/**
 * Exact float64 distance between row i of `a` and row j of `b` (both row-major with `D` columns),
 * with direct differences (no ||x||^2 + ||y||^2 - 2x.y cancellation); euclidean sums in the order
 * of sqEuclid. Periodic boxes use the minimum image per coordinate, min(|dx| mod L, L - |dx| mod L),
 * which holds for coordinates outside [0, L) too (scipy's cKDTree refuses those; we need not).
 */
export function pairDistance(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number, D: number,
  metric: Metric, period: Float64Array | null): number {
  const oa = i * D, ob = j * D;
  switch (metric) {
    case 'euclidean':
      return Math.sqrt(period ? sqEuclidPeriodic(a, oa, b, ob, D, period) : sqEuclid(a, oa, b, ob, D));
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
