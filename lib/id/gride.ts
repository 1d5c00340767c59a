import { warn } from '../runtime/warnings';
import { checkOptionKeys, finiteNumber, nonNegativeNumber, optionKeys, positiveNumber } from '../options';
import { listSome, InputError } from '../errors';
import type { Matrix } from '../matrix';
import { forEachNeighborRankBlock } from '../neighbors';
import type { Metric } from '../neighbors/metrics';
import { makeTable, type NeighborTable } from '../neighbors/table';
import { defaultWorkerCount, ROW_JOB_BASE, runRowJobs } from '../neighbors/pool';
import { lgamma, pairwiseSum, percentileSorted } from '../stats/special';
import type { Chart } from '../../widgets/chart';
import { scaleCurveChart } from '../../widgets/id/charts';
import { fmt } from './format';

/** float64 machine epsilon (np.finfo(float64).eps). */
export const EPS64 = 2.220446049250313e-16;

export interface GrideOptions {
  /** Lower end of the bisection (DADApy's d0 = 0.001). */
  d0?: number;
  /** Upper end of the bisection (DADApy's d1 = 1000). */
  d1?: number;
  /** Bisection tolerance, also the regularisation of 1 - mu^-d in the score (DADApy's 1e-7). */
  eps?: number;
}
export const GRIDE_OPTION_KEYS = optionKeys<GrideOptions>({ d0: 1, d1: 1, eps: 1 });

type Ranks = number | ArrayLike<number>;
const at = (n: Ranks, i: number): number => (typeof n === 'number' ? n : n[i]);

/**
 * DADApy's _filter_mus: mus exactly 1 are bumped IN PLACE by 10 eps; then only mu < 20 (q95 - q50)
 * + q50 are kept (a generous cut of the tail left by near-duplicates), with their n1, n2.
 */
export function filterMus(mus: Float64Array, n1: Ranks, n2: Ranks): { mus: Float64Array; n1: Ranks; n2: Ranks } {
  for (let i = 0; i < mus.length; i++) if (mus[i] === 1) mus[i] += 10 * EPS64;
  const sorted = Float64Array.from(mus).sort();
  const q95 = percentileSorted(sorted, 95), q50 = percentileSorted(sorted, 50);
  const muMax = 20 * (q95 - q50) + q50;
  let m = 0;
  for (let i = 0; i < mus.length; i++) if (mus[i] < muMax) m++;
  if (m === mus.length) return { mus, n1, n2 };
  const out = new Float64Array(m);
  const o1 = typeof n1 === 'number' ? n1 : new Float64Array(m);
  const o2 = typeof n2 === 'number' ? n2 : new Float64Array(m);
  let k = 0;
  for (let i = 0; i < mus.length; i++) {
    if (mus[i] < muMax) {
      out[k] = mus[i];
      if (typeof o1 !== 'number') o1[k] = at(n1, i);
      if (typeof o2 !== 'number') o2[k] = at(n2, i);
      k++;
    }
  }
  return { mus: out, n1: o1, n2: o2 };
}

/**
 * The derivative of the negative log-likelihood in d (DADApy's _neg_dloglik_did):
 * sum [(1 - n2 + n1) / t_i + n2 - 1] log mu_i - (M - 1) / d, t_i = max(1 - mu_i^-d, 2 eps).
 */
function negDLogLik(d: number, mus: Float64Array, logMus: Float64Array, n1: Ranks, n2: Ranks, M: number, eps: number, buf: Float64Array): number {
  for (let i = 0; i < mus.length; i++) {
    let t = 1 - Math.pow(mus[i], -d);
    if (t < 2 * eps) t = 2 * eps;
    const a = at(n1, i), b = at(n2, i);
    buf[i] = ((1 - b + a) / t + b - 1) * logMus[i];
  }
  return pairwiseSum(buf, 0, mus.length) - (M - 1) / d;
}

/** The bisection interval and tolerance of grideArgmax, checked (DADApy's d0 = 0.001, d1 = 1000, eps = 1e-7). */
function bisectionSettings(opts: GrideOptions): { d0: number; d1: number; eps: number } {
  const d0 = opts.d0 === undefined ? 0.001 : nonNegativeNumber(opts.d0, 'd0', 'Gride');
  const d1 = opts.d1 === undefined ? 1000 : finiteNumber(opts.d1, 'd1', 'Gride');
  const eps = opts.eps === undefined ? 1e-7 : positiveNumber(opts.eps, 'eps', 'Gride');
  if (!(d1 > d0)) throw new InputError(`Gride: the bisection interval [d0, d1] = [${d0}, ${d1}] is empty`, 'Pass d0 < d1 (DADApy: d0 = 0.001, d1 = 1000)');
  return { d0, d1, eps };
}

/**
 * DADApy's bisection of the score on [d0, d1] for filtered mus with constant ranks n1, n2: the
 * scale curve's case. Standalone (the pool's workers run its source: it refers to nothing outside
 * itself but the `pairwiseSum` defined beside it), the same operations as negDLogLik.
 */
export function grideBisect(mus: Float64Array, logMus: Float64Array, M: number, n1: number, n2: number, d0: number, d1: number, eps: number,
  buf: Float64Array, sum: (a: Float64Array, start: number, n: number) => number): number {
  const score = (d: number): number => {
    for (let i = 0; i < M; i++) {
      let t = 1 - Math.pow(mus[i], -d);
      if (t < 2 * eps) t = 2 * eps;
      buf[i] = ((1 - n2 + n1) / t + n2 - 1) * logMus[i];
    }
    return sum(buf, 0, M) - (M - 1) / d;
  };
  const l1 = score(d1);
  while (Math.abs(d0 - d1) > eps) {
    const d2 = (d0 + d1) / 2;
    const l2 = score(d2);
    if (l2 * l1 > 0) d1 = d2;
    else d0 = d2;
  }
  return (d0 + d1) / 2;
}

/** The Gride maximum-likelihood id by DADApy's bisection on [d0, d1] (mus filtered first, bumped in place). */
export function grideArgmax(mus: Float64Array, n1: Ranks, n2: Ranks, opts: GrideOptions = {}): number {
  const st = bisectionSettings(opts);
  let d0 = st.d0, d1 = st.d1;
  const eps = st.eps;
  const f = filterMus(mus, n1, n2);
  const M = f.mus.length;
  const logMus = Float64Array.from(f.mus, Math.log);
  const buf = new Float64Array(M);
  if (typeof f.n1 === 'number' && typeof f.n2 === 'number') return grideBisect(f.mus, logMus, M, f.n1, f.n2, d0, d1, eps, buf, pairwiseSum);
  const l1 = negDLogLik(d1, f.mus, logMus, f.n1, f.n2, M, eps, buf);
  while (Math.abs(d0 - d1) > eps) {
    const d2 = (d0 + d1) / 2;
    const l2 = negDLogLik(d2, f.mus, logMus, f.n1, f.n2, M, eps, buf);
    if (l2 * l1 > 0) d1 = d2;
    else d0 = d2;
  }
  return (d0 + d1) / 2;
}

/**
 * Fisher information of the Gride likelihood at d (DADApy's _fisher_info_scaling), over the
 * unfiltered mus: N / d² + sum (n2 - n1 - 1) (log mu / t)² mu^-d, t = max(1 - mu^-d, eps).
 */
export function grideFisherInfo(d: number, mus: Float64Array, n1: Ranks, n2: Ranks, eps = 5 * EPS64): number {
  const N = mus.length;
  const tmp = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const p = Math.pow(mus[i], -d);
    let t = 1 - p;
    if (t < eps) t = eps;
    const f1 = Math.log(mus[i]) / t;
    tmp[i] = (at(n2, i) - at(n1, i) - 1) * (f1 * f1 * p);
  }
  return N / (d * d) + pairwiseSum(tmp);
}

/**
 * Gride at one pair of scales (DADApy's _compute_id_gride_single_scale): the id by bisection
 * with (n1, n2) and the error 1/sqrt(Fisher information) computed with n2 = 2 n1, as DADApy does
 * (every caller doubles). `mus` is bumped in place where it equals 1.
 */
export function grideSingleScale(mus: Float64Array, n1: Ranks, n2: Ranks, opts: GrideOptions = {}): { id: number; idErr: number } {
  const id = grideArgmax(mus, n1, n2, opts);
  const twice = typeof n1 === 'number' ? 2 * n1 : Float64Array.from(n1, (v) => 2 * v);
  const idErr = 1 / Math.sqrt(grideFisherInfo(id, mus, n1, twice));
  return { id, idErr };
}

/**
 * The Gride negative log-likelihood at d on the filtered mus (DADApy's _neg_loglik), with its
 * (M - 1) log d term.
 */
export function grideNegLogLik(d: number, musIn: Float64Array, n1: Ranks, n2: Ranks): number {
  const f = filterMus(musIn, n1, n2);
  const M = f.mus.length;
  const t2 = new Float64Array(M), t3 = new Float64Array(M), t4 = new Float64Array(M);
  for (let i = 0; i < M; i++) {
    const a = at(f.n1, i), b = at(f.n2, i), mu = f.mus[i];
    t2[i] = (b - a - 1) * Math.log(Math.pow(mu, d) - 1);
    t3[i] = lgamma(b - a) + lgamma(a) - lgamma(b);
    t4[i] = ((b - 1) * d + 1) * Math.log(mu);
  }
  const term1 = (M - 1) * Math.log(d);
  return -(term1 + pairwiseSum(t2) - pairwiseSum(t3) - pairwiseSum(t4));
}

/** The Gride ID scale curve (DADApy's return_id_scaling_gride), immutable. */
export interface GrideScalingResult {
  readonly ids: Float64Array;
  readonly idsErr: Float64Array;
  /** The mean radius of each estimate, or the ranks n2 when returnRanks was asked. */
  readonly scales: Float64Array;
  /** Mean over points of (r_n1 + r_n2) / 2 at each scale. */
  readonly radii: Float64Array;
  /** n2 = 2, 4, 8, ... of each scale. */
  readonly ranks: Int32Array;
  readonly rangeMax: number;
  /** N x S row-major: mu of each point at each scale (after DADApy's in-place bump of mus equal to 1). */
  readonly mus: Float64Array;
  summary(): string;
  plot(options?: { x?: 'radius' | 'rank' }): Chart;
}

function scalingResult(ids: Float64Array, idsErr: Float64Array, radii: Float64Array, ranks: Int32Array,
  returnRanks: boolean, rangeMax: number, mus: Float64Array): GrideScalingResult {
  const r: GrideScalingResult = {
    ids, idsErr, radii, ranks, rangeMax, mus,
    scales: returnRanks ? Float64Array.from(ranks) : radii,
    summary() {
      const parts: string[] = [];
      for (let i = 0; i < ids.length; i++) parts.push(`${fmt(ids[i])} ± ${fmt(idsErr[i])} at r = ${fmt(radii[i])} (n2 = ${ranks[i]})`);
      return `Gride ID scale curve: ${parts.join('; ')}`;
    },
    plot(options = {}) {
      return scaleCurveChart({ ids, idsErr, radii, ranks, x: options.x ?? 'radius', title: 'Gride: intrinsic dimension across scales' });
    },
  };
  return Object.freeze(r);
}

/** The neighbour ranks used up to rangeMax: [1, 2, 4, ..., 2^maxStep], maxStep = int(log2(rangeMax)). */
export function grideRanks(maxRank: number): number[] {
  const maxStep = Math.trunc(Math.log2(maxRank) + 1e-12);
  const out: number[] = [];
  for (let i = 0; i <= maxStep; i++) out.push(2 ** i);
  return out;
}

/**
 * Scale i's ratios mu = r(2^(i+1)) / r(2^i) of every point into `mus`, from rd (N x w, row-major);
 * returns the scale's radius, the mean of both distances (pairwise-summed in `rsum`, as DADApy's np.mean).
 */
function musAtScale(rd: Float64Array, N: number, w: number, i: number, mus: Float64Array, rsum: Float64Array): number {
  for (let p = 0; p < N; p++) {
    const a = rd[p * w + i];
    const b = rd[p * w + i + 1];
    mus[p] = b / a;
    rsum[2 * p] = a;
    rsum[2 * p + 1] = b;
  }
  return pairwiseSum(rsum) / (2 * N);
}

/**
 * Gride across scales from the distances at ranks 1, 2, 4, ..., 2^S of every point
 * (`rd`: N x (S + 1), row-major). Scale i uses n1 = 2^i, n2 = 2^(i+1).
 */
export function grideScalingFromRankDistances(rd: Float64Array, N: number, steps: number, opts: GrideOptions & { returnRanks?: boolean; rangeMax?: number } = {}): GrideScalingResult {
  const S = steps, w = S + 1;
  const ids = new Float64Array(S), idsErr = new Float64Array(S), radii = new Float64Array(S);
  const ranks = new Int32Array(S);
  const mus = new Float64Array(N);
  const musAll = new Float64Array(N * S);
  const rsum = new Float64Array(2 * N);
  for (let i = 0; i < S; i++) {
    const n1 = 2 ** i;
    const radius = musAtScale(rd, N, w, i, mus, rsum);
    const g = grideSingleScale(mus, n1, 2 * n1, opts);
    for (let p = 0; p < N; p++) musAll[p * S + i] = mus[p];
    ids[i] = g.id; idsErr[i] = g.idErr;
    radii[i] = radius;
    ranks[i] = 2 * n1;
  }
  return scalingResult(ids, idsErr, radii, ranks, opts.returnRanks ?? false, opts.rangeMax ?? 2 ** S, musAll);
}

const BISECT_BUNDLE = {
  name: 'gride',
  src: `const pairwiseSum = ${pairwiseSum.toString()};
const grideBisect = ${grideBisect.toString()};
function runBisect(buf, a) {
  const ids = new Float64Array(buf, a.out, a.S);
  for (let s = a.p0; s < a.p1; s++) {
    const M = a.M[s], o = a.o[s];
    ids[s] = grideBisect(new Float64Array(buf, o, M), new Float64Array(buf, o + M * 8, M), M, a.n1[s], a.n2[s], a.d0, a.d1, a.eps, new Float64Array(M), pairwiseSum);
  }
}
return { runBisect };`,
};

/**
 * grideScalingFromRankDistances with the scales' bisections on the neighbour pool's workers (the
 * main thread's dominant cost after the search: about 34 score evaluations of N powers per scale):
 * the mus are filtered here, each scale bisected in a worker by the same grideBisect, so the same
 * numbers bit for bit. Small N: on this thread.
 */
export async function grideScalingFromRankDistancesAsync(rd: Float64Array, N: number, steps: number,
  opts: GrideOptions & { returnRanks?: boolean; rangeMax?: number } = {}, workers = defaultWorkerCount()): Promise<GrideScalingResult> {
  const S = steps, w = S + 1;
  if (workers === 0 || S < 2 || N < 2000) return grideScalingFromRankDistances(rd, N, S, opts);
  const { d0, d1, eps } = bisectionSettings(opts);
  const idsErr = new Float64Array(S), radii = new Float64Array(S), ranks = new Int32Array(S);
  const musAll = new Float64Array(N * S), rsum = new Float64Array(2 * N);
  const filtered: { mus: Float64Array; log: Float64Array }[] = [];
  const allMus: Float64Array[] = [];
  for (let i = 0; i < S; i++) {
    const n1 = 2 ** i;
    const mus = new Float64Array(N);
    radii[i] = musAtScale(rd, N, w, i, mus, rsum);
    const f = filterMus(mus, n1, 2 * n1); // bumps mus equal to 1 in place, as grideArgmax does
    filtered.push({ mus: f.mus, log: Float64Array.from(f.mus, Math.log) });
    allMus.push(mus);
    for (let p = 0; p < N; p++) musAll[p * S + i] = mus[p];
    ranks[i] = 2 * n1;
  }
  const o: number[] = [];
  let at0 = 0;
  for (const f of filtered) { o.push(ROW_JOB_BASE + at0); at0 += f.mus.length * 16; }
  const out = ROW_JOB_BASE + at0;
  const ids = new Float64Array(S);
  await runRowJobs({
    workers, n: S, bytes: at0 + S * 8, bundle: BISECT_BUNDLE, fn: 'runBisect', chunks: S,
    fill: (buf) => {
      filtered.forEach((f, s) => { new Float64Array(buf, o[s], f.mus.length).set(f.mus); new Float64Array(buf, o[s] + f.mus.length * 8, f.mus.length).set(f.log); });
    },
    args: (p0, p1) => ({ p0, p1, S, o, out, M: filtered.map((f) => f.mus.length), n1: filtered.map((_, s) => 2 ** s), n2: filtered.map((_, s) => 2 ** (s + 1)), d0, d1, eps }),
    read: (buf) => ids.set(new Float64Array(buf, out, S)),
  });
  for (let i = 0; i < S; i++) {
    const n1 = 2 ** i;
    idsErr[i] = 1 / Math.sqrt(grideFisherInfo(ids[i], allMus[i], n1, 2 * n1));
  }
  return scalingResult(ids, idsErr, radii, ranks, opts.returnRanks ?? false, opts.rangeMax ?? 2 ** S, musAll);
}

/** Refuses points whose first neighbour is at distance 0 (mu would be infinite). */
function refuseDuplicates(rows: number[], what: string): void {
  if (rows.length > 0) {
    throw new InputError(
      `${what} needs distinct points, but ${rows.length} point${rows.length === 1 ? ' has' : 's have'} a neighbour at distance 0 (duplicates; rows ${listSome(rows)})`,
      'Remove duplicates first: `const { data, kept } = dedupe(X)` keeps the first copy of each point and returns the kept indices so labels stay aligned');
  }
}

/** Gride across scales from a stored neighbour table (rangeMax <= maxk). */
export function grideScalingFromTable(nn: NeighborTable, opts: GrideOptions & { rangeMax?: number; returnRanks?: boolean } = {}): GrideScalingResult {
  checkOptionKeys(opts, [...GRIDE_OPTION_KEYS, 'rangeMax', 'returnRanks'], 'grideScalingFromTable');
  const rangeMax = Math.min(opts.rangeMax ?? 64, nn.maxk);
  if (rangeMax < (opts.rangeMax ?? 64)) warn(`rangeMax = ${opts.rangeMax ?? 64} but the table holds ${nn.maxk} neighbours: Gride runs up to rank ${rangeMax}`);
  const ranks = grideRanks(rangeMax);
  const S = ranks.length - 1;
  if (S < 1) throw new InputError(`Gride needs rangeMax >= 2, got ${opts.rangeMax}`, 'Pass rangeMax >= 2 (e.g. 64)');
  const w = nn.maxk + 1, N = nn.n;
  const rd = new Float64Array(N * (S + 1));
  const dup: number[] = [];
  for (let p = 0; p < N; p++) {
    for (let s = 0; s <= S; s++) rd[p * (S + 1) + s] = nn.distances[p * w + ranks[s]];
    if (nn.distances[p * w + 1] === 0) dup.push(p);
  }
  refuseDuplicates(dup, 'Gride');
  return grideScalingFromRankDistances(rd, N, S, { ...opts, rangeMax });
}

export interface GrideFromCoordinatesOptions extends GrideOptions {
  rangeMax?: number;
  returnRanks?: boolean;
  metric?: Metric;
  period?: Float64Array | null;
  /** Also keep the first `keepMaxk` neighbours of every point as a table (DADApy stores it). */
  keepMaxk?: number;
  signal?: AbortSignal;
}
const GRIDE_COORD_KEYS = optionKeys<GrideFromCoordinatesOptions>({ d0: 1, d1: 1, eps: 1, rangeMax: 1, returnRanks: 1, metric: 1, period: 1, keepMaxk: 1, signal: 1 });

/**
 * Gride across scales from coordinates: the neighbours up to rank 2^S = largest power of two
 * <= min(N - 1, rangeMax) are computed in row blocks and only the distances at ranks 1, 2, 4, ...
 * (and optionally the first keepMaxk columns) are kept, so neither an N x N matrix nor an
 * N x rangeMax table is held.
 */
export async function grideScaling(X: Matrix, opts: GrideFromCoordinatesOptions = {}): Promise<{ result: GrideScalingResult; table: NeighborTable | null }> {
  checkOptionKeys(opts, GRIDE_COORD_KEYS, 'grideScaling');
  const N = X.rows;
  const maxRank = Math.min(N, opts.rangeMax ?? 64);
  if (maxRank < (opts.rangeMax ?? 64)) warn(`rangeMax = ${opts.rangeMax ?? 64} but there are only N = ${N} points: Gride runs up to rank ${maxRank}`);
  const ranks = grideRanks(maxRank);
  const S = ranks.length - 1;
  if (S < 1) throw new InputError(`Gride needs rangeMax >= 2, got ${opts.rangeMax}`, 'Pass rangeMax >= 2 (e.g. 64)');
  const top = ranks[S];
  if (top > N - 1) {
    throw new InputError(`Gride at rank ${top} needs more than ${top} points, but there are N = ${N}`, `Pass rangeMax <= ${N - 1}`);
  }
  const keep = opts.keepMaxk !== undefined ? Math.min(opts.keepMaxk, top) : 0;
  const kw = keep + 1;
  const tD = keep > 0 ? new Float64Array(N * kw) : null, tI = keep > 0 ? new Int32Array(N * kw) : null;
  const rd = new Float64Array(N * (S + 1));
  const dup: number[] = [];
  const R = S + 1;
  // only the distances at ranks 1, 2, 4, ..., top (and the first keep columns) are computed
  // exactly and selected, not whole sorted rows to rank top (the same numbers as those columns)
  await forEachNeighborRankBlock(X, { ranks, keep, metric: opts.metric ?? 'euclidean', period: opts.period ?? null, signal: opts.signal },
    (r0, r1, d, kD, kI) => {
      rd.set(d, r0 * R);
      for (let p = r0; p < r1; p++) if (d[(p - r0) * R] === 0) dup.push(p);
      if (tD && tI && kD && kI) { tD.set(kD, r0 * kw); tI.set(kI, r0 * kw); }
    });
  refuseDuplicates(dup, 'Gride');
  const result = await grideScalingFromRankDistancesAsync(rd, N, S, { ...opts, rangeMax: opts.rangeMax ?? 64 });
  const table = tD && tI ? makeTable(N, keep, tD, tI, opts.metric ?? 'euclidean', opts.period ?? null) : null;
  return { result, table };
}

/**
 * One AGRIDE step (inside DADApy's return_ids_kstar_gride): n2 = k* made even IN PLACE (odd
 * entries + 1, as DADApy mutates its kstar array), n1 = n2 / 2, mu_i = r_{i,n2} / r_{i,n1}; Gride
 * with per-point ranks; the log-likelihood at the estimate and the scale mean (r_n1 + r_n2) / 2.
 */
export function grideAdaptive(nn: NeighborTable, kstar: Int32Array, opts: GrideOptions = {}): { id: number; idErr: number; logLikelihood: number; scale: number } {
  checkOptionKeys(opts, GRIDE_OPTION_KEYS, 'grideAdaptive');
  const N = nn.n, w = nn.maxk + 1, D = nn.distances;
  if (kstar.length !== N) throw new InputError(`k* has ${kstar.length} entries but there are ${N} points`, 'Compute k* on this table');
  const n1 = new Float64Array(N), n2 = new Float64Array(N), mus = new Float64Array(N);
  const dup: number[] = [];
  let rs = 0;
  for (let i = 0; i < N; i++) {
    if (kstar[i] % 2 === 1) kstar[i] += 1;
    if (kstar[i] > nn.maxk) throw new InputError(`k* = ${kstar[i]} exceeds maxk = ${nn.maxk}`, 'Compute distances with a larger maxk');
    n2[i] = kstar[i];
    n1[i] = Math.trunc(kstar[i] / 2);
    const a = D[i * w + n1[i]], b = D[i * w + n2[i]];
    if (D[i * w + 1] === 0) dup.push(i);
    mus[i] = b / a;
    rs += a + b;
  }
  refuseDuplicates(dup, 'Gride');
  const g = grideSingleScale(mus, n1, n2, opts);
  const logLikelihood = -grideNegLogLik(g.id, mus, n1, n2);
  return { id: g.id, idErr: g.idErr, logLikelihood, scale: rs / (2 * N) };
}
