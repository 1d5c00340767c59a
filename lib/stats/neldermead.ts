/**
 * Nelder-Mead simplex minimisation (standard coefficients: reflection 1, expansion 2, contraction
 * 0.5, shrink 0.5), deterministic. Stops when the simplex's function values and size are within
 * the tolerances, or after maxIter iterations.
 */
export function nelderMead(f: (x: number[]) => number, x0: number[], opts: { step?: number[]; xtol?: number; ftol?: number; maxIter?: number } = {}): { x: number[]; fx: number; iterations: number } {
  const n = x0.length;
  const xtol = opts.xtol ?? 1e-10, ftol = opts.ftol ?? 1e-14, maxIter = opts.maxIter ?? 2000 * n;
  const simplex: number[][] = [x0.slice()];
  for (let i = 0; i < n; i++) {
    const p = x0.slice();
    const s = opts.step?.[i] ?? (p[i] !== 0 ? 0.05 * p[i] : 0.00025);
    p[i] += s;
    simplex.push(p);
  }
  let fv = simplex.map((p) => f(p));
  let it = 0;
  const order = () => {
    const idx = fv.map((_, i) => i).sort((a, b) => fv[a] - fv[b]);
    const s2 = idx.map((i) => simplex[i]), f2 = idx.map((i) => fv[i]);
    for (let i = 0; i <= n; i++) { simplex[i] = s2[i]; }
    fv = f2;
  };
  order();
  while (it < maxIter) {
    let size = 0;
    for (let i = 1; i <= n; i++) for (let j = 0; j < n; j++) size = Math.max(size, Math.abs(simplex[i][j] - simplex[0][j]));
    if (size <= xtol && Math.abs(fv[n] - fv[0]) <= ftol) break;
    it++;
    const c = new Array(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) c[j] += simplex[i][j] / n;
    const at = (t: number) => c.map((v, j) => v + t * (simplex[n][j] - v));
    const xr = at(-1), fr = f(xr);
    if (fr < fv[0]) {
      const xe = at(-2), fe = f(xe);
      if (fe < fr) { simplex[n] = xe; fv[n] = fe; } else { simplex[n] = xr; fv[n] = fr; }
    } else if (fr < fv[n - 1]) {
      simplex[n] = xr; fv[n] = fr;
    } else {
      const outside = fr < fv[n];
      const xc = at(outside ? -0.5 : 0.5), fc = f(xc);
      if (fc <= (outside ? fr : fv[n])) {
        simplex[n] = xc; fv[n] = fc;
      } else {
        for (let i = 1; i <= n; i++) {
          simplex[i] = simplex[i].map((v, j) => simplex[0][j] + 0.5 * (v - simplex[0][j]));
          fv[i] = f(simplex[i]);
        }
      }
    }
    order();
  }
  return { x: simplex[0], fx: fv[0], iterations: it };
}
