import { checkOptionKeys, optionKeys } from '../options';
import { InputError } from '../errors';
import type { NeighborTable } from '../neighbors/table';
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
  checkOptionKeys(opts, KSTAR_KEYS, 'computeKstar');
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
  const { n, maxk } = nn;
  if (maxk < 4) {
    throw new InputError(`k* needs at least 4 neighbours per point, but the table holds maxk = ${maxk}`,
      'Compute distances with a larger maxk (DADApy uses 100 by default)');
  }
  const w = maxk + 1;
  const alphaEff = deloc ? alpha / n : alpha;
  const dthr = kstarThreshold(alphaEff);
  const thrLoc = new Float64Array(maxk);
  for (let h = 0; h < maxk; h++) thrLoc[h] = loc ? kstarThreshold(alphaEff / (h + 1)) : dthr;
  const logOmega = logUnitBallVolume(id);
  const omega = Math.exp(logOmega);
  const LOG4 = Math.log(4);
  const D = nn.distances, I = nn.indices;
  const kstar = new Int32Array(n);
  const dc = new Float64Array(n);
  for (let i = 0; i < n; i++) {
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
  return Object.freeze({
    kstar, dc, id, alpha, threshold: dthr, bonferroniDeloc: deloc, bonferroniLoc: loc,
    summary(): string {
      let s = 0, mn = Infinity, mx = -Infinity;
      for (let i = 0; i < n; i++) { s += kstar[i]; if (kstar[i] < mn) mn = kstar[i]; if (kstar[i] > mx) mx = kstar[i]; }
      return `k* mean ${(s / Math.max(n, 1)).toFixed(1)} (min ${mn}, max ${mx}) over ${n} points at ID ${id.toPrecision(3)}, alpha ${alpha}`;
    },
  });
}
