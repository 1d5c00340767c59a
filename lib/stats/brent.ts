import { InputError } from '../errors';

/**
 * Bounded scalar minimisation: a line-by-line port of scipy.optimize.fminbound (Brent's method,
 * golden section with parabolic steps; the `minimize_scalar(method="bounded")` DADApy's discrete
 * ID uses), so the same function gives the same iterates: xatol 1e-5 and 500 evaluations by default.
 */
export function fminbound(f: (x: number) => number, lower: number, upper: number,
  opts: { xatol?: number; maxiter?: number } = {}): { x: number; fx: number; evaluations: number; converged: boolean } {
  if (!(lower < upper)) throw new InputError(`fminbound needs lower < upper, got [${lower}, ${upper}]`, 'Pass a proper interval');
  const xtol = opts.xatol ?? 1e-5, maxfun = opts.maxiter ?? 500;
  const sqrtEps = Math.sqrt(2.2e-16);
  const golden = 0.5 * (3 - Math.sqrt(5));
  let a = lower, b = upper;
  let fulc = a + golden * (b - a);
  let nfc = fulc, xf = fulc;
  let rat = 0, e = 0;
  let x = xf;
  let fx = f(x);
  let num = 1;
  let fu: number;
  let ffulc = fx, fnfc = fx;
  let xm = 0.5 * (a + b);
  let tol1 = sqrtEps * Math.abs(xf) + xtol / 3;
  let tol2 = 2 * tol1;
  let converged = true;
  const sign = (v: number) => (v > 0 ? 1 : v < 0 ? -1 : 0);
  while (Math.abs(xf - xm) > tol2 - 0.5 * (b - a)) {
    let isGolden = true;
    if (Math.abs(e) > tol1) {
      isGolden = false;
      let r = (xf - nfc) * (fx - ffulc);
      let q = (xf - fulc) * (fx - fnfc);
      let p = (xf - fulc) * q - (xf - nfc) * r;
      q = 2 * (q - r);
      if (q > 0) p = -p;
      q = Math.abs(q);
      r = e;
      e = rat;
      if (Math.abs(p) < Math.abs(0.5 * q * r) && p > q * (a - xf) && p < q * (b - xf)) {
        rat = p / q;
        x = xf + rat;
        if (x - a < tol2 || b - x < tol2) {
          const si = sign(xm - xf) + (xm - xf === 0 ? 1 : 0);
          rat = tol1 * si;
        }
      } else {
        isGolden = true;
      }
    }
    if (isGolden) {
      e = xf >= xm ? a - xf : b - xf;
      rat = golden * e;
    }
    const si = sign(rat) + (rat === 0 ? 1 : 0);
    x = xf + si * Math.max(Math.abs(rat), tol1);
    fu = f(x);
    num++;
    if (fu <= fx) {
      if (x >= xf) a = xf; else b = xf;
      fulc = nfc; ffulc = fnfc;
      nfc = xf; fnfc = fx;
      xf = x; fx = fu;
    } else {
      if (x < xf) a = x; else b = x;
      if (fu <= fnfc || nfc === xf) {
        fulc = nfc; ffulc = fnfc;
        nfc = x; fnfc = fu;
      } else if (fu <= ffulc || fulc === xf || fulc === nfc) {
        fulc = x; ffulc = fu;
      }
    }
    xm = 0.5 * (a + b);
    tol1 = sqrtEps * Math.abs(xf) + xtol / 3;
    tol2 = 2 * tol1;
    if (num >= maxfun) { converged = false; break; }
  }
  return { x: xf, fx, evaluations: num, converged };
}
