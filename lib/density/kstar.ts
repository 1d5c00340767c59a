import { checkOptionKeys, optionKeys } from '../options';
import { InputError } from '../errors';
import type { NeighborTable } from '../neighbors/table';
import { defaultWorkerCount, ROW_JOB_BASE, runRowJobs } from '../neighbors/pool';
import { chi2Isf1 } from '../stats/chi2';
import { logUnitBallVolume } from '../stats/special';

export interface KstarOptions {
  /** Significance of the likelihood-ratio test (DADApy's default 1e-6). */
  alpha?: number;
  /** Divide alpha by N (a Bonferroni correction over the points). */
  bonferroniDeloc?: boolean;
  /** Divide alpha by h + 1 at the h-th test of a point (a Bonferroni correction along the neighbours). */
  bonferroniLoc?: boolean;
}
export const KSTAR_KEYS = optionKeys<KstarOptions>({ alpha: 1, bonferroniDeloc: 1, bonferroniLoc: 1 });

export interface KstarResult {
  /** k* of every point, 3 <= k* <= maxk - 1. */
  readonly kstar: Int32Array;
  /** Distance of each point's k*-th neighbour (DADApy's dc). */
  readonly dc: Float64Array;
  /** The intrinsic dimension the test used. */
  readonly id: number;
  readonly alpha: number;
  /** The threshold on the statistic, chi2.isf(alpha_eff, 1) (the one of h = 0 with bonferroniLoc). */
  readonly threshold: number;
  readonly bonferroniDeloc: boolean;
  readonly bonferroniLoc: boolean;
  summary(): string;
}

/** chi2.isf(p, 1), exact to the last digit at DADApy's default alpha. */
export function kstarThreshold(p: number): number {
  if (p === 1e-6) return 23.928126976934827;
  return chi2Isf1(p);
}

/** The checks of computeKstar (option keys, ID, alpha, table width); returns the options with their defaults. */
export function checkKstarInputs(nn: NeighborTable, id: number, opts: KstarOptions, where: string): { alpha: number; deloc: boolean; loc: boolean } {
  checkOptionKeys(opts, KSTAR_KEYS, where);
  const alpha = opts.alpha ?? 1e-6;
  const deloc = opts.bonferroniDeloc ?? false;
  const loc = opts.bonferroniLoc ?? false;
  if (!(id > 0) || !Number.isFinite(id)) {
    throw new InputError(`k* needs a positive intrinsic dimension, got ${id}`,
      'Compute or set the intrinsic dimension first (computeId2NN() or setId(d) with d > 0)');
  }
  if (!(alpha > 0 && alpha <= 1)) {
    throw new InputError(`alpha must be in (0, 1], got ${alpha}`, 'Pass a significance level such as 1e-6');
  }
  if (nn.maxk < 4) {
    throw new InputError(`k* needs at least 4 neighbours per point, but the table holds maxk = ${nn.maxk}`,
      'Compute distances with a larger maxk (DADApy uses 100 by default)');
  }
  return { alpha, deloc, loc };
}

/**
 * DADApy's adaptive neighbourhood size k* (KStar.compute_kstar, Cython _compute_kstar): for each
 * point i, starting from j = 4, compare the volume of i's (j-1)-ball with that of the (j-1)-ball of
 * its j-th neighbour through the likelihood-ratio statistic
 *   dL = -2 k (log Vi + log Vj - 2 log(Vi + Vj) + log 4),   k = j - 1,
 * and stop at the first j where dL exceeds the threshold; k*_i = j - 1. The loop runs while j < maxk,
 * so k* lies in [3, maxk - 1]. When both radii are zero dL is NaN and the test passes, as in DADApy;
 * when exactly one is zero dL is +Infinity and the test stops.
 */
export function computeKstar(nn: NeighborTable, id: number, opts: KstarOptions = {}): KstarResult {
  const { alpha, deloc, loc } = checkKstarInputs(nn, id, opts, 'computeKstar');
  const { n, maxk } = nn;
  const w = maxk + 1;
  const { dthr, thrLoc } = kstarThresholds(n, maxk, opts);
  const omega = Math.exp(logUnitBallVolume(id));
  const kstar = new Int32Array(n);
  const dc = new Float64Array(n);
  kstarRows(nn.distances, nn.indices, w, maxk, 0, n, id, omega, thrLoc, kstar, dc);
  return kstarResult(kstar, dc, id, alpha, dthr, deloc, loc);
}

/** The test thresholds of computeKstar: dthr and, per step h, the one in force (bonferroniLoc). */
export function kstarThresholds(n: number, maxk: number, opts: KstarOptions): { dthr: number; thrLoc: Float64Array; alpha: number; deloc: boolean; loc: boolean } {
  const alpha = opts.alpha ?? 1e-6;
  const deloc = opts.bonferroniDeloc ?? false;
  const loc = opts.bonferroniLoc ?? false;
  const alphaEff = deloc ? alpha / n : alpha;
  const dthr = kstarThreshold(alphaEff);
  const thrLoc = new Float64Array(maxk);
  for (let h = 0; h < maxk; h++) thrLoc[h] = loc ? kstarThreshold(alphaEff / (h + 1)) : dthr;
  return { dthr, thrLoc, alpha, deloc, loc };
}

/**
 * k* of rows [i0, i1) (computeKstar's loop, DADApy's arithmetic). Standalone: the neighbour
 * pool's workers run its source, so the numbers do not depend on how the rows are split.
 */
export function kstarRows(D: Float64Array, I: Int32Array, w: number, maxk: number, i0: number, i1: number, id: number, omega: number,
  thrLoc: Float64Array, kstar: Int32Array, dc: Float64Array): void {
  const LOG4 = Math.log(4);
  for (let i = i0; i < i1; i++) {
    let j = 4, h = 0;
    const row = i * w;
    while (j < maxk) {
      const k = j - 1;
      const nb = I[row + j];
      const Vi = omega * Math.pow(D[row + k], id);
      const Vj = omega * Math.pow(D[nb * w + k], id);
      const dL = -2 * k * (Math.log(Vi) + Math.log(Vj) - 2 * Math.log(Vi + Vj) + LOG4);
      if (dL > thrLoc[h]) break;
      j++; h++;
    }
    kstar[i] = j - 1;
    dc[i] = D[row + j - 1];
  }
}

/** The frozen k* result. */
export function kstarResult(kstar: Int32Array, dc: Float64Array, id: number, alpha: number, dthr: number, deloc: boolean, loc: boolean): KstarResult {
  const n = kstar.length;
  return Object.freeze({
    kstar, dc, id, alpha, threshold: dthr, bonferroniDeloc: deloc, bonferroniLoc: loc,
    summary(): string {
      let s = 0, mn = Infinity, mx = -Infinity;
      for (let i = 0; i < n; i++) { s += kstar[i]; if (kstar[i] < mn) mn = kstar[i]; if (kstar[i] > mx) mx = kstar[i]; }
      return `k* mean ${(s / Math.max(n, 1)).toFixed(1)} (min ${mn}, max ${mx}) over ${n} points at ID ${id.toPrecision(3)}, alpha ${alpha}`;
    },
  });
}

/** The workers' side of computeKstarAsync: kstarRows on views of the shared memory. */
const KSTAR_BUNDLE = {
  name: 'kstar',
  src: `${kstarRows.toString()}
function runKstar(buf, a) {
  kstarRows(new Float64Array(buf, a.o[0], a.n * a.w), new Int32Array(buf, a.o[1], a.n * a.w), a.w, a.maxk, a.i0, a.i1, a.id, a.omega,
    new Float64Array(buf, a.o[2], a.maxk), new Int32Array(buf, a.o[3], a.n), new Float64Array(buf, a.o[4], a.n));
}
return { runKstar };`,
};

/**
 * computeKstar on the neighbour engine's worker threads (N >= 2000 and workers > 0; else on this
 * thread): the rows split over the workers, each running the same kstarRows, so the same numbers
 * bit for bit. The table is copied into the pool's shared memory (about N (maxk + 1) 12 bytes).
 */
export async function computeKstarAsync(nn: NeighborTable, id: number, opts: KstarOptions = {}, workers?: number): Promise<KstarResult> {
  const n = nn.n, maxk = nn.maxk, w = maxk + 1;
  const nw = n >= 2000 ? workers ?? defaultWorkerCount() : 0;
  if (nw === 0) return computeKstar(nn, id, opts);
  const { alpha, deloc, loc } = checkKstarInputs(nn, id, opts, 'computeKstar');
  const th = kstarThresholds(n, maxk, opts);
  const omega = Math.exp(logUnitBallVolume(id));
  const sizes = [n * w * 8, n * w * 4, maxk * 8, n * 4, n * 8];
  const o: number[] = [];
  let bytes = 0;
  for (const b of sizes) { o.push(ROW_JOB_BASE + bytes); bytes += Math.ceil(b / 16) * 16; }
  const kstar = new Int32Array(n), dc = new Float64Array(n);
  await runRowJobs({
    workers: nw, n, bytes, bundle: KSTAR_BUNDLE, fn: 'runKstar',
    fill: (buf) => {
      new Float64Array(buf, o[0], n * w).set(nn.distances);
      new Int32Array(buf, o[1], n * w).set(nn.indices);
      new Float64Array(buf, o[2], maxk).set(th.thrLoc);
    },
    args: (i0, i1) => ({ n, w, maxk, i0, i1, id, omega, o }),
    read: (buf) => { kstar.set(new Int32Array(buf, o[3], n)); dc.set(new Float64Array(buf, o[4], n)); },
  });
  return kstarResult(kstar, dc, id, alpha, th.dthr, deloc, loc);
}
