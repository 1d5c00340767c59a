import { warn } from '../runtime/warnings';
import { checkpoint, startProgress } from '../runtime/progress';
import { checkOptionKeys, optionKeys } from '../options';
import type { NeighborTable } from '../neighbors/table';
import { checkId, checkKstar, logPrefactor } from './knn';
import { makeDensityResult, type DensityResult } from './result';

const EPS64 = 2.220446049250313e-16;

export interface PakOptions {
  /**
   * DADApy's `optimized` flag: true (default) is the all-points Cython solver, which falls back to a
   * fixed-point step where the Hessian is singular; false the one-point solver, which does not.
   * With a regular Hessian both give identical numbers.
   */
  optimized?: boolean;
  /** Cap on fixed-point steps per point (DADApy loops without a bound there; we stop and warn). */
  maxFixedPointSteps?: number;
  /** Densities at new points: DADApy's interpolation variant (k − 1 shells' worth of error). */
  interpolation?: boolean;
  /** The N that normalises the density (default: the number of rows). */
  normaliseBy?: number;
  /**
   * Shell volumes beyond e^300 or below 1e-300 (large ID or extreme scales): DADApy caps the
   * exponent at 300 (meaningless densities) or skips the fit (k*NN value). By default these points
   * are fitted in log space instead (exact; the other points keep DADApy's arithmetic). true: DADApy's rule.
   */
  dadapyVolumeRange?: boolean;
}
export const PAK_KEYS = optionKeys<PakOptions>({ optimized: 1, maxFixedPointSteps: 1, interpolation: 1, normaliseBy: 1, dadapyVolumeRange: 1 });

/** What the PAk iteration reports besides the densities. */
export interface PakDiagnostics {
  /** Newton iterations of each point (0 where the optimisation was skipped). */
  readonly iterations: Int32Array;
  /** The slope a_i of the log density along the neighbour rank at the optimum. */
  readonly slope: Float64Array;
  /** A singular Hessian was met and the fixed-point step used (optimized solver only). */
  readonly singular: boolean;
  /** Points whose optimisation was skipped (a shell volume below 1e-300): their density is the k*NN start. */
  readonly skipped: number;
  /** Points that stopped at the iteration cap rather than on the gradient criterion. */
  readonly unconverged: number;
  /** Points fitted in log space because their shell volumes leave [1e-300, e^300] (see dadapyVolumeRange). */
  readonly logSpace: number;
}

export interface PakResult extends DensityResult, PakDiagnostics {
  /** What DADApy would warn about (identical radii, overflowing volumes, singular Hessians). */
  readonly warnings: string[];
}

/**
 * Shell volumes v_l = ω_d (r_l^d − r_{l−1}^d), l = 1..k, for one row of distances (column 0 is
 * r_0, the stored self-distance, as in DADApy), computed as ω_d exp(d log r_l + log(1 − (r_{l−1}/r_l)^d)):
 * a ratio within 1e-15 of 1 is lowered by 1e-14 (identical distances), the exponent is capped at 300.
 * Returns the number of capped exponents and of near-identical radii through `flags`.
 */
export function shellVolumes(distances: Float64Array, offset: number, k: number, d: number, logPref: number,
  out: Float64Array, flags?: { capped: number; identical: number }, exponents?: Float64Array): void {
  const pref = Math.exp(logPref);
  for (let l = 1; l <= k; l++) {
    const r0 = distances[offset + l - 1];
    const r1 = distances[offset + l];
    if (!(r1 > 0)) { out[l - 1] = 0; if (exponents) exponents[l - 1] = -Infinity; continue; } // both radii zero (duplicates): an empty shell
    let ratio = r0 / r1;
    if (Math.abs(ratio - 1) < 1e-15) {
      ratio -= 1e-14;
      if (flags) flags.identical++;
    }
    let exponent = d * Math.log(r1) + Math.log(1 - Math.pow(ratio, d));
    if (exponents) exponents[l - 1] = exponent;
    if (exponent > 300) {
      exponent = 300;
      if (flags) flags.capped++;
    }
    out[l - 1] = pref * Math.exp(exponent);
  }
}

/**
 * The damped Newton–Raphson maximisation of the PAk likelihood for one point, exactly as DADApy's
 * Cython `_nrmaxl` solvers run it (same step rule, stopping rule and operation order), so the
 * results agree to ~1e-12:
 *   L(F, a) = Σ_{l=1}^{k} (F + a l) − v_l e^{F + a l},
 * starting at F = F0 (the k*NN estimate), a = 0; step = H⁻¹ g scaled by 0.1, or by stepmax/|δF|
 * when |0.1 δF| > 0.1 |F0|; stop when max(|g_F/F|, |g_a/a|) ≤ 1e-3 (absolute gradients when F or a
 * is within eps of 0) or after 10000 steps.
 * Returns F (not normalised), writing a and the iteration count into `state`.
 */
export function pakNewton(F0: number, k: number, v: Float64Array, optimized: boolean,
  state: { a: number; niter: number; singular: boolean; fixedSteps: number }, maxFixed: number): number {
  let F = F0, a = 0;
  const stepmax = 0.1 * Math.abs(F0);
  const half = ((k + 1) * k) / 2;
  let gF = 0, gA = 0, h00 = 0, h01 = 0, h11 = 0, det = 0;
  let i00 = 0, i01 = 0, i10 = 0, i11 = 0;
  let singular = false;
  // gradient and Hessian at (F, a), the loop of DADApy's solver (inlined twice for speed)
  // e^{F + a l} by the recurrence e_{l+1} = e_l e^a (two exp a step instead of k; ~l ulp apart from
  // DADApy's direct exp, far below the 1e-3 stopping rule's sensitivity)
  gF = k; gA = half;
  let ea = Math.exp(a), e = Math.exp(F + a);
  for (let j = 0; j < k; j++) {
    const l = j + 1;
    const t = v[j] * e;
    e *= ea;
    gF -= t; gA -= l * t; h00 -= t; h01 -= l * t; h11 -= l * l * t;
  }
  det = h00 * h11 - h01 * h01;
  if (optimized && det < EPS64) singular = true;
  else { const di = 1 / det; i00 = di * h11; i10 = -di * h01; i01 = -di * h01; i11 = di * h00; }
  let func = 100;
  let niter = 0, fixed = 0;
  while (func > 1e-3 && niter < 10000) {
    if (optimized && det < EPS64) {
      // DADApy's fixed-point update (niter not advanced there: we bound it separately)
      F = (-a * k * (k + 1) / 2 - (gF - k)) / k;
      a = (-F * k - (gF - k)) / (k * (k + 1) / 2);
      fixed++;
      if (fixed > maxFixed) { state.fixedSteps += fixed; break; }
    } else {
      const dF = i00 * gF + i01 * gA;
      const dA = i10 * gF + i11 * gA;
      niter++;
      let lr = 0.1;
      if (Math.abs(lr * dF) > stepmax) lr = Math.abs(stepmax / dF);
      F -= lr * dF;
      a -= lr * dA;
    }
    gF = k; gA = half; h00 = 0; h01 = 0; h11 = 0;
    ea = Math.exp(a); e = Math.exp(F + a);
    for (let j = 0; j < k; j++) {
      const l = j + 1;
      const t = v[j] * e;
      e *= ea;
      gF -= t; gA -= l * t; h00 -= t; h01 -= l * t; h11 -= l * l * t;
    }
    det = h00 * h11 - h01 * h01;
    if (optimized && det < EPS64) singular = true;
    else { const di = 1 / det; i00 = di * h11; i10 = -di * h01; i01 = -di * h01; i11 = di * h00; }
    if (Math.abs(a) <= EPS64 || Math.abs(F) <= EPS64) func = Math.max(Math.abs(gF), Math.abs(gA));
    else func = Math.max(Math.abs(gF / F), Math.abs(gA / a));
  }
  if (singular) state.singular = true;
  state.a = a;
  state.niter = niter;
  return F;
}

/**
 * The same damped Newton iteration with the shell volumes given by their logarithms
 * (t_l = exp(log v_l + F + a l)), for points whose volumes leave the float64 range.
 */
export function pakNewtonLog(F0: number, k: number, lv: Float64Array, state: { a: number; niter: number }): number {
  let F = F0, a = 0;
  const stepmax = 0.1 * Math.abs(F0);
  const half = ((k + 1) * k) / 2;
  let gF = 0, gA = 0, h00 = 0, h01 = 0, h11 = 0;
  const evalAt = (): void => {
    gF = k; gA = half; h00 = 0; h01 = 0; h11 = 0;
    for (let j = 0; j < k; j++) {
      const l = j + 1;
      const t = Math.exp(lv[j] + F + a * l);
      gF -= t; gA -= l * t; h00 -= t; h01 -= l * t; h11 -= l * l * t;
    }
  };
  evalAt();
  let func = 100, niter = 0;
  while (func > 1e-3 && niter < 10000) {
    const det = h00 * h11 - h01 * h01;
    if (!(det > 0)) break;
    const di = 1 / det;
    const dF = di * h11 * gF - di * h01 * gA;
    const dA = -di * h01 * gF + di * h00 * gA;
    niter++;
    let lr = 0.1;
    if (Math.abs(lr * dF) > stepmax) lr = Math.abs(stepmax / dF);
    F -= lr * dF;
    a -= lr * dA;
    evalAt();
    if (Math.abs(a) <= EPS64 || Math.abs(F) <= EPS64) func = Math.max(Math.abs(gF), Math.abs(gA));
    else func = Math.max(Math.abs(gF / F), Math.abs(gA / a));
  }
  state.a = a;
  state.niter = niter;
  return F;
}

/**
 * PAk, the point-adaptive k-NN density (DADApy's compute_density_PAk): at each point the log
 * density is modelled as linear in the neighbour rank over its k* shells and fitted by maximum
 * likelihood with DADApy's exact damped Newton iteration. Error sqrt((4k + 2)/(k(k − 1))), k = k*_i.
 * Points with an (almost) empty shell (volume < 1e-300) keep the k*NN estimate, as in DADApy.
 */
export function densityPAk(nn: NeighborTable, id: number, kstar: ArrayLike<number>, opts: PakOptions = {}): PakResult {
  checkOptionKeys(opts, PAK_KEYS, 'densityPAk');
  checkId(id);
  checkKstar(kstar, nn, opts.interpolation ? 3 : 2);
  const n = nn.n, w = nn.maxk + 1;
  const ks = Int32Array.from(kstar);
  const r = pakCore(nn.distances, w, n, id, ks, opts);
  for (const m of r.warnings) warn(m, 'numerical');
  return makeDensityResult('PAk', r.logDen, r.logDenErr, r.dc, ks, id, { ...r.diagnostics, warnings: r.warnings }) as PakResult;
}

type PakOutput = { logDen: Float64Array; logDenErr: Float64Array; dc: Float64Array; diagnostics: PakDiagnostics; warnings: string[] };

/** PAk on any row-major distance table (data tables, or cross tables for new points). */
export function pakCore(distances: Float64Array, w: number, n: number, id: number, ks: Int32Array, opts: PakOptions = {}): PakOutput {
  const steps = pakSteps(distances, w, n, id, ks, opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** densityPAk in blocks of rows with progress and the interrupt checkpoint between them (same numbers). */
export async function densityPAkAsync(nn: NeighborTable, id: number, kstar: ArrayLike<number>, opts: PakOptions & { signal?: AbortSignal } = {}): Promise<PakResult> {
  const { signal, ...rest } = opts;
  checkOptionKeys(rest, PAK_KEYS, 'densityPAk');
  checkId(id);
  checkKstar(kstar, nn, rest.interpolation ? 3 : 2);
  const ks = Int32Array.from(kstar);
  const steps = pakSteps(nn.distances, nn.maxk + 1, nn.n, id, ks, rest);
  const bar = startProgress('PAk densities', nn.n);
  try {
    for (;;) {
      const r = steps.next();
      if (r.done) {
        for (const m of r.value.warnings) warn(m, 'numerical');
        return makeDensityResult('PAk', r.value.logDen, r.value.logDenErr, r.value.dc, ks, id, { ...r.value.diagnostics, warnings: r.value.warnings }) as PakResult;
      }
      bar.update(r.value);
      await checkpoint(signal);
    }
  } finally {
    bar.finish();
  }
}

/** The PAk loop, yielding the number of points done every 1024 points (block boundaries for progress and interrupts). */
function* pakSteps(distances: Float64Array, w: number, n: number, id: number, ks: Int32Array, opts: PakOptions = {}): Generator<number, PakOutput> {
  const optimized = opts.optimized ?? true;
  const interp = opts.interpolation ?? false;
  const maxFixed = opts.maxFixedPointSteps ?? 100000;
  const lp = logPrefactor(id);
  const logN = Math.log(opts.normaliseBy ?? n);
  const logDen = new Float64Array(n), logDenErr = new Float64Array(n), dc = new Float64Array(n);
  const iterations = new Int32Array(n), slope = new Float64Array(n);
  let kmax = 0;
  for (let i = 0; i < n; i++) if (ks[i] > kmax) kmax = ks[i];
  const v = new Float64Array(kmax + 1), ex = new Float64Array(kmax + 1), lv = new Float64Array(kmax + 1);
  const dadapyRange = opts.dadapyVolumeRange ?? false;
  let logSpace = 0;
  const flags = { capped: 0, identical: 0 };
  const state = { a: 0, niter: 0, singular: false, fixedSteps: 0 };
  let skipped = 0, unconverged = 0;
  for (let i = 0; i < n; i++) {
    if ((i & 1023) === 1023) yield i;
    // kk: the shells used; for new points DADApy's interpolation uses k* − 1 in the error only
    const k = ks[i];
    const kk = interp ? k - 1 : k;
    const rk = distances[i * w + k];
    dc[i] = rk;
    logDenErr[i] = Math.sqrt((4 * kk + 2) / (kk * (kk - 1)));
    // DADApy's interpolation starts from 1/log(k − 1) (a bug); we start from log(k − 1), the
    // k*NN estimate at a new point, which is what the formula intends.
    const F0 = Math.log(kk) - (lp + id * Math.log(rk));
    const capped0 = flags.capped;
    shellVolumes(distances, i * w, k, id, lp, v, flags, ex);
    let skip = false, outOfRange = flags.capped > capped0, empty = false;
    for (let j = 0; j < k; j++) {
      if (v[j] < 1e-300) { skip = true; outOfRange = true; }
      if (!(ex[j] > -Infinity)) empty = true;
    }
    if (!dadapyRange && outOfRange && !empty && Number.isFinite(F0)) {
      // DADApy caps or skips here; fit in log space instead
      for (let j = 0; j < k; j++) lv[j] = lp + ex[j];
      const F = pakNewtonLog(F0, k, lv, state);
      iterations[i] = state.niter;
      slope[i] = state.a;
      if (state.niter >= 10000) unconverged++;
      logDen[i] = F - logN;
      logSpace++;
      continue;
    }
    if (skip || !Number.isFinite(F0)) {
      logDen[i] = F0 - logN;
      skipped++;
      continue;
    }
    const F = pakNewton(F0, k, v, optimized, state, maxFixed);
    iterations[i] = state.niter;
    slope[i] = state.a;
    if (state.niter >= 10000) unconverged++;
    logDen[i] = F - logN;
  }
  const warnings: string[] = [];
  if (flags.identical > 0) warnings.push(`PAk: ${flags.identical} shells with identical inner and outer radius (ratio lowered by 1e-14)`);
  if (flags.capped > 0 && dadapyRange) warnings.push(`PAk: ${flags.capped} shell volumes overflowed and were capped at e^300 (DADApy's rule: these densities are not meaningful)`);
  if (logSpace > 0) warnings.push(`PAk: ${logSpace} points have shell volumes outside [1e-300, e^300] (high ID or extreme distances): fitted in log space (DADApy caps the exponent at 300 or skips the fit there, so its values differ at these points)`);
  if (state.singular) warnings.push('PAk: the Hessian was singular at some points: a fixed-point step was used there');
  if (state.fixedSteps > 0) warnings.push(`PAk: the fixed-point iteration did not converge within ${maxFixed} steps at some points (DADApy would loop forever)`);
  const diagnostics: PakDiagnostics = Object.freeze({ iterations, slope, singular: state.singular, skipped, unconverged, logSpace });
  return { logDen, logDenErr, dc, diagnostics, warnings };
}
