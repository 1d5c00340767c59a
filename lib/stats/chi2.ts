/**
 * The complementary error function and the upper-tail quantile of the chi-square distribution with
 * one degree of freedom (scipy's chi2.isf(p, df=1)), in float64 to ~1e-15 relative.
 *
 * erfc: below x = 2 through erf's everywhere-positive series erf(x) = 2/√π e^{-x²} Σ 2^n x^{2n+1}/(2n+1)!!
 * (no cancellation); above it through the Laplace continued fraction evaluated by modified Lentz.
 */
const SQRT_PI = Math.sqrt(Math.PI);

export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) return 1 - erfSeries(x);
  return erfcContinuedFraction(x);
}

export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return -erf(-x);
  if (x < 2) return erfSeries(x);
  return 1 - erfcContinuedFraction(x);
}

function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x, sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return (2 / SQRT_PI) * Math.exp(-x2) * sum;
}

/** erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), x >= 2. */
function erfcContinuedFraction(x: number): number {
  if (x > 27.3) return 0;
  const tiny = 1e-300;
  // f = b0 + a1/(b1 + a2/(b2 + ...)) with b_n = x, a_n = n/2
  let f = x, C = x, D = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    D = x + a * D;
    if (D === 0) D = tiny;
    C = x + a / C;
    if (C === 0) C = tiny;
    D = 1 / D;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / SQRT_PI / f;
}

/**
 * chi2.isf(p, df = 1): the value t with P(χ²₁ > t) = p, i.e. t = 2 x² where erfc(x) = p.
 * p = 1e-6 gives 23.928126976934827 (DADApy's k* threshold).
 */
export function chi2Isf1(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 1) return 0;
  if (p === 0) return Infinity;
  // starting point: asymptotic inverse of erfc, then Newton on log erfc(x) - log p
  let x: number;
  if (p > 0.5) {
    // erfc(x) ≈ 1 - 2x/√π near 0
    x = (1 - p) * SQRT_PI / 2;
  } else {
    const l = -Math.log(p);
    x = Math.sqrt(Math.max(l - 0.5 * Math.log(Math.max(l, 1e-3) * Math.PI), 1e-3));
  }
  const lp = Math.log(p);
  for (let it = 0; it < 100; it++) {
    const e = erfc(x);
    const f = Math.log(e) - lp;
    const fp = -(2 / SQRT_PI) * Math.exp(-x * x) / e;
    const step = f / fp;
    let xn = x - step;
    if (xn < 0) xn = x / 2;
    if (Math.abs(xn - x) <= 1e-16 * Math.max(1, x)) { x = xn; break; }
    x = xn;
  }
  return 2 * x * x;
}
