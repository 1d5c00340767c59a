/**
 * Special functions in float64. lgamma: Lanczos (g = 7, n = 9; Numerical Recipes 3rd ed. §6.1),
 * relative error ~1e-15 for x > 0, with the reflection formula below 0.5. digamma: recurrence to
 * x >= 10 (asymptotic-series error below 1e-15), then the asymptotic series (Abramowitz & Stegun 6.3.18).
 */
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];

export function lgamma(x: number): number {
  if (x < 0.5) {
    // Γ(x) Γ(1 - x) = π / sin(π x)
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  }
  x -= 1;
  let a = LANCZOS[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

export function gamma(x: number): number {
  if (Number.isInteger(x) && x > 0 && x < 171) {
    let r = 1;
    for (let i = 2; i < x; i++) r *= i;
    return r;
  }
  const s = x < 0.5 ? Math.sign(Math.sin(Math.PI * x)) : 1;
  return s * Math.exp(lgamma(x));
}

export function digamma(x: number): number {
  let r = 0;
  if (x <= 0 && Number.isInteger(x)) return NaN;
  if (x < 0) return digamma(1 - x) - Math.PI / Math.tan(Math.PI * x);
  while (x < 10) { r -= 1 / x; x += 1; }
  const f = 1 / (x * x);
  return r + Math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))));
}

/** log of the volume of the unit d-ball, log(π^{d/2} / Γ(d/2 + 1)). */
export function logUnitBallVolume(d: number): number {
  return (d / 2) * Math.log(Math.PI) - lgamma(d / 2 + 1);
}

/** log C(n, k) through lgamma. */
export function logBinomial(n: number, k: number): number {
  return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1);
}

/**
 * NumPy's pairwise summation (np.sum / np.add.reduce over a contiguous float64 array): blocks
 * of up to 128 summed with 8 accumulators, larger ranges split in halves (multiples of 8).
 * Matching it keeps sums bit-identical to DADApy's, which matters where a sign decides a branch.
 */
export function pairwiseSum(a: ArrayLike<number>, start = 0, n = a.length - start): number {
  if (n < 8) {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[start + i];
    return s;
  }
  if (n <= 128) {
    let r0 = a[start], r1 = a[start + 1], r2 = a[start + 2], r3 = a[start + 3];
    let r4 = a[start + 4], r5 = a[start + 5], r6 = a[start + 6], r7 = a[start + 7];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      r0 += a[start + i]; r1 += a[start + i + 1]; r2 += a[start + i + 2]; r3 += a[start + i + 3];
      r4 += a[start + i + 4]; r5 += a[start + i + 5]; r6 += a[start + i + 6]; r7 += a[start + i + 7];
    }
    let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

/** Trigamma ψ₁(x) = d²/dx² log Γ(x): recurrence to x >= 10, then the asymptotic series. */
export function trigamma(x: number): number {
  if (x <= 0 && Number.isInteger(x)) return NaN;
  if (x < 0) {
    // reflection: ψ₁(1 - x) + ψ₁(x) = π² / sin²(π x)
    const s = Math.sin(Math.PI * x);
    return -trigamma(1 - x) + (Math.PI * Math.PI) / (s * s);
  }
  let r = 0;
  while (x < 10) { r += 1 / (x * x); x += 1; }
  const f = 1 / (x * x);
  // 1/x + 1/(2x²) + 1/(6x³) - 1/(30x⁵) + 1/(42x⁷) - 1/(30x⁹) + 5/(66x¹¹)
  return r + 1 / x + f / 2 + (1 / x) * f * (1 / 6 - f * (1 / 30 - f * (1 / 42 - f * (1 / 30 - f * 5 / 66))));
}

/**
 * NumPy's percentile with the default 'linear' method on a SORTED array: virtual index
 * (n - 1) q, and NumPy's lerp (computed from the upper end when the fraction is >= 0.5).
 */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  const v = (n - 1) * (q / 100);
  let lo = Math.floor(v);
  const g = v - lo;
  lo = Math.min(Math.max(lo, 0), n - 1);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo], b = sorted[hi];
  const diff = b - a;
  return g >= 0.5 ? b - diff * (1 - g) : a + diff * g;
}
