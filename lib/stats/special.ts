/**
 * Special functions in float64. lgamma: Lanczos (g = 7, n = 9; Numerical Recipes 3rd ed. §6.1),
 * relative error ~1e-15 for x > 0, with the reflection formula below 0.5. digamma: recurrence to
 * x >= 6, then the asymptotic series (Abramowitz & Stegun 6.3.18).
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
  while (x < 6) { r -= 1 / x; x += 1; }
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
