import { InputError, ConvergenceError } from '../errors';
import { asMatrix, type MatrixLike } from '../matrix';
import { fminbound } from '../stats/brent';
import type { NeighborTable } from '../neighbors/table';
import { lgamma } from '../stats/special';
import type { Chart } from '../../widgets/chart';
import { curveChart, idCurveChart } from '../../widgets/id/charts';
import { fmt } from './format';
import { rint } from './twonn';
import type { Rng } from '../stats/rng';
import { describeOptionValue, checkOptionKeys } from '../options';

/**
 * The discrete (lattice) binomial ID, I3D (Macocco, Glielmo, Grilli, Laio, PRL 130, 067401,
 * 2023; DADApy's IdDiscrete): points on Z^D with the L1 (or Hamming) metric, ball "volumes" are
 * numbers of lattice points V(l, d), and n within radius ln among the k within lk is
 * Binomial(k, V(ln, d) / V(lk, d)).
 */

/** DADApy's D_MIN (float32 eps) and D_MAX; the MLE searches (D_MIN + float16 eps, D_MAX). */
export const D_MIN = 1.1920928955078125e-7;
export const D_MAX = 70;
const EPS16 = 0.0009765625;

/**
 * V(0..lmax, d): the number of points of Z^d within L1 distance l, continued to real d by the
 * recurrence (l+1) V(l+1) = (2d+1) V(l) + l V(l-1), V(0) = 1, V(1) = 1 + 2d (all terms positive,
 * no cancellation; equals DADApy's binom(d+l, d) 2F1(-d, -l; -d-l; -1)).
 */
export function latticeVolumes(lmax: number, d: number): Float64Array {
  const V = new Float64Array(lmax + 1);
  V[0] = 1;
  if (lmax >= 1) V[1] = 1 + 2 * d;
  for (let l = 1; l < lmax; l++) V[l + 1] = ((2 * d + 1) * V[l] + l * V[l - 1]) / (l + 1);
  return V;
}

/** V(l, d) for one radius. */
export function latticeVolume(l: number, d: number): number {
  return latticeVolumes(l, d)[l];
}

/**
 * dV(l, d)/dd for l = 0..lmax by differentiating the recurrence: V'(0) = 0, V'(1) = 2,
 * (l+1) V'(l+1) = 2 V(l) + (2d+1) V'(l) + l V'(l-1). Exact at every l (DADApy switches to an
 * approximate Stirling formula for l >= 35, which only changes the error bars there).
 */
export function latticeVolumeDerivatives(lmax: number, d: number): Float64Array {
  const V = latticeVolumes(lmax, d);
  const dV = new Float64Array(lmax + 1);
  if (lmax >= 1) dV[1] = 2;
  for (let l = 1; l < lmax; l++) dV[l + 1] = (2 * V[l] + (2 * d + 1) * dV[l] + l * dV[l - 1]) / (l + 1);
  return dV;
}

/** Cumulative neighbour counts C[i, r] = #{j : dist(i, j) <= r} (i included), r = 0..R. */
export interface LatticeCounts {
  readonly n: number;
  readonly R: number;
  /** N x (R + 1), row-major. */
  readonly counts: Int32Array;
  readonly metric: 'manhattan' | 'hamming';
}

/**
 * DADApy's condensed distances: integer coordinates, L1 distance (with a periodic box of integer
 * sides, nearest image) or Hamming distance; R = min(dMax, D max|x|) for L1, min(dMax, D) for Hamming.
 * O(N² D) time, O(N R) memory.
 */
export function latticeCounts(X: MatrixLike, opts: { metric?: 'manhattan' | 'hamming'; period?: number | ArrayLike<number> | null; dMax?: number } = {}): LatticeCounts {
  const M = asMatrix(X);
  const N = M.rows, D = M.cols, x = M.data;
  const metric = opts.metric ?? 'manhattan';
  if (metric !== 'manhattan' && metric !== 'hamming') {
    throw new InputError(`The discrete ID supports the manhattan and hamming metrics, not '${metric}'`, "Use metric: 'manhattan' (lattice data) or 'hamming' (categorical data)");
  }
  let maxAbs = 0;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isInteger(x[i])) {
      throw new InputError(`The discrete ID needs integer coordinates, but entry ${i} (row ${Math.floor(i / D)}) is ${x[i]}`, 'Round or bin the data onto a lattice first');
    }
    maxAbs = Math.max(maxAbs, Math.abs(x[i]));
  }
  const period = opts.period === undefined || opts.period === null ? null
    : typeof opts.period === 'number' ? new Float64Array(D).fill(opts.period) : Float64Array.from(opts.period);
  if (period) for (const L of period) if (!Number.isInteger(L) || L <= 0) throw new InputError(`The period must be positive integers, got ${L}`, 'Pass integer box sides');
  const dMax = opts.dMax ?? 100;
  const R = metric === 'hamming' ? Math.min(dMax, D) : Math.min(dMax, D * maxAbs);
  const w = R + 1;
  const counts = new Int32Array(N * w);
  for (let i = 0; i < N; i++) {
    counts[i * w] += 1;
    for (let j = i + 1; j < N; j++) {
      let s = 0;
      for (let t = 0; t < D && s <= R; t++) {
        const a = x[i * D + t], b = x[j * D + t];
        if (metric === 'hamming') { if (a !== b) s++; continue; }
        let e = Math.abs(a - b);
        if (period) { const L = period[t]; e %= L; if (e > L - e) e = L - e; }
        s += e;
      }
      if (s <= R) { counts[i * w + s]++; counts[j * w + s]++; }
    }
    for (let r = 1; r < w; r++) counts[i * w + r] += counts[i * w + r - 1];
  }
  return Object.freeze({ n: N, R, counts, metric });
}

/** -sum [n log p + (k - n) log(1 - p)], p = V(ln, d) / V(lk, d), per point or for scalars. */
export function discreteNegLogLik(d: number, lk: ArrayLike<number> | number, k: ArrayLike<number> | number,
  ln: ArrayLike<number> | number, n: ArrayLike<number> | number): number {
  const m = typeof n === 'number' ? 1 : n.length;
  let lmax = 0;
  for (let i = 0; i < m; i++) lmax = Math.max(lmax, typeof lk === 'number' ? lk : lk[i]);
  const V = latticeVolumes(lmax, d);
  let s = 0;
  for (let i = 0; i < m; i++) {
    const K = typeof k === 'number' ? k : k[i], Nn = typeof n === 'number' ? n : n[i];
    const p = V[typeof ln === 'number' ? ln : ln[i]] / V[typeof lk === 'number' ? lk : lk[i]];
    s += Nn * Math.log(p) + (K - Nn) * Math.log(1 - p);
  }
  return -s;
}

/** DADApy's find_d_likelihood: the bounded Brent minimum of the negative log-likelihood on (D_MIN + eps16, D_MAX). */
export function discreteMle(lk: ArrayLike<number> | number, k: ArrayLike<number> | number, ln: ArrayLike<number> | number, n: ArrayLike<number> | number): number {
  return fminbound((d) => discreteNegLogLik(d, lk, k, ln, n), D_MIN + EPS16, D_MAX, { xatol: 1e-5, maxiter: 500 }).x;
}

/** Cramér-Rao variance p(1 - p) / (N (dp/dd)² k) at integer radii ln < lk. */
export function discreteCramerRao(d: number, ln: number, lk: number, N: number, k: number): number {
  const V = latticeVolumes(lk, d), dV = latticeVolumeDerivatives(lk, d);
  const p = V[ln] / V[lk];
  const dp = dV[ln] / V[lk] - (dV[lk] * V[ln]) / (V[lk] * V[lk]);
  return (p * (1 - p)) / (N * dp * dp * k);
}

/**
 * DADApy's grid search of a density on d: a coarse grid over (D_MIN, D_MAX + 1) refined tenfold
 * until at least 3 points carry density (> 1e-20), then 1000 points across the support;
 * normalised, with its mean and standard deviation.
 */
function gridMoments(P: (d: number) => number): { mean: number; std: number; grid: Float64Array; P: Float64Array } {
  let dx = 10;
  const dLeft0 = D_MIN;
  const dRight0 = D_MAX + dx + dLeft0;
  let grid: number[] = [], vals: number[] = [], idx: number[] = [];
  do {
    dx /= 10;
    if (dx < 1e-9) throw new ConvergenceError('The distribution of d is too narrow to resolve on a grid', 'Use the MLE (method: "mle") instead');
    grid = []; vals = [];
    const cnt = Math.ceil((dRight0 - dLeft0) / dx);
    for (let i = 0; i < cnt; i++) { const d = dLeft0 + i * dx; grid.push(d); vals.push(P(d)); }
    idx = [];
    for (let i = 0; i < vals.length; i++) if (vals[i] > 1e-20) idx.push(i);
  } while (idx.length < 3);
  const left = grid[idx[0]] - dx > 0 ? grid[idx[0]] - dx / 2 : D_MIN;
  const right = grid[idx[idx.length - 1]] + dx / 2;
  const g = Float64Array.from({ length: 1000 }, (_, i) => left + ((right - left) * i) / 999);
  const Pg = Float64Array.from(g, P);
  let tot = 0;
  for (const v of Pg) tot += v;
  let E = 0, E2 = 0;
  for (let i = 0; i < 1000; i++) { Pg[i] /= tot; E += g[i] * Pg[i]; E2 += g[i] * g[i] * Pg[i]; }
  return { mean: E, std: Math.sqrt(Math.max(0, E2 - E * E)), grid: g, P: Pg };
}

/**
 * DADApy's beta_prior_d: the posterior of d under a Beta(a0, b0) prior on p, evaluated on a grid
 * that is refined until at least 3 points carry density, then 1000 points across the support.
 */
export function discretePosterior(k: ArrayLike<number>, n: ArrayLike<number>, lk: number, ln: number, a0 = 1, b0 = 1): { mean: number; std: number; grid: Float64Array; P: Float64Array } {
  let sn = 0, sk = 0;
  for (let i = 0; i < n.length; i++) { sn += n[i]; sk += k[i]; }
  const a = a0 + sn, b = b0 + sk - sn;
  const logB = lgamma(a) + lgamma(b) - lgamma(a + b);
  return gridMoments((d: number): number => {
    const V = latticeVolumes(lk, d), dV = latticeVolumeDerivatives(lk, d);
    const p = V[ln] / V[lk];
    const dp = dV[ln] / V[lk] - (dV[lk] * V[ln]) / (V[lk] * V[lk]);
    if (!(p > 0 && p < 1)) return 0;
    return Math.abs(Math.exp((a - 1) * Math.log(p) + (b - 1) * Math.log1p(-p) - logB) * dp);
  });
}

/**
 * DADApy's profile_likelihood (spec §15.3): the grid procedure of discretePosterior applied to
 * the likelihood exp(-(NLL(d) - min NLL)) of the per-point shells; its std is the error of
 * computeIdBinomialKDiscrete with approxErr false.
 */
export function discreteProfileLikelihood(lk: ArrayLike<number>, k: ArrayLike<number>, ln: ArrayLike<number>, n: ArrayLike<number>): { mean: number; std: number; grid: Float64Array; P: Float64Array } {
  const dHat = discreteMle(lk, k, ln, n);
  const nllMin = discreteNegLogLik(dHat, lk, k, ln, n);
  return gridMoments((d) => {
    const v = Math.exp(-(discreteNegLogLik(d, lk, k, ln, n) - nllMin));
    return Number.isFinite(v) ? v : 0;
  });
}

// ------------------------------------------------------------------ shells (DADApy's fix_lk, fix_k, fix_k_shell)

/** Where the shells are counted: condensed cumulative counts, or a neighbour table of integer distances. */
export type DiscreteSource = LatticeCounts | NeighborTable;

function isCounts(src: DiscreteSource): src is LatticeCounts {
  return (src as LatticeCounts).counts !== undefined;
}

/**
 * The shells of every point, as DADApy's IdDiscrete keeps them: outer radius lk and inner ln,
 * the counts k (within lk) and n (within ln), both with the point itself, and the mask of the
 * points whose shells are valid. `fixed`: 'radius' (the same lk, ln for all: fix_lk), 'k' (the
 * radius reaching about k neighbours: fix_k) or 'shell' (the k-th non-empty shell: fix_k_shell).
 */
export interface DiscreteShells {
  readonly fixed: 'radius' | 'k' | 'shell';
  /** The k (or number of shells) of a fixed-k / fixed-shell fit; 0 for fixed radii (DADApy's `_k`). */
  readonly kFixed: number;
  readonly ratio: number;
  readonly lk: Float64Array;
  readonly ln: Float64Array;
  readonly k: Int32Array;
  readonly n: Int32Array;
  readonly mask: Uint8Array;
}

function checkRadii(lk: number, ln: number): void {
  if (!(Number.isInteger(lk) && Number.isInteger(ln) && ln >= 0 && lk > ln)) {
    throw new InputError(`Need integer radii with 0 <= ln < lk, got lk = ${lk}, ln = ${ln}`, 'Pass e.g. lk = 10, ln = 5');
  }
}

function checkRatio(ratio: number): void {
  if (!(typeof ratio === 'number' && ratio > 0 && ratio < 1)) throw new InputError(`ratio = ${ratio} is outside (0, 1)`, 'Pass 0 < ratio < 1');
}

function checkIntegerDistances(v: number): void {
  if (!Number.isInteger(v)) {
    throw new InputError(`The neighbour table holds a non-integer distance (${v})`, "Use lattice data with metric 'manhattan' or 'hamming'");
  }
}

/**
 * DADApy's fix_lk: k = #{r <= lk}, n = #{r <= ln} for every point. Condensed counts: all points
 * valid (lk must be within the counted radii). Table: all points valid when the table holds every
 * neighbour (maxk = N - 1), else those whose last stored distance exceeds lk.
 */
export function shellsAtRadius(src: DiscreteSource, lk: number, ln: number): DiscreteShells {
  checkRadii(lk, ln);
  const N = src.n;
  const K = new Int32Array(N), Nn = new Int32Array(N), mask = new Uint8Array(N);
  if (isCounts(src)) {
    if (lk > src.R) throw new InputError(`lk = ${lk} exceeds the largest counted radius ${src.R}`, `Recompute the distances with dMax >= ${lk}`);
    const w = src.R + 1;
    for (let i = 0; i < N; i++) { K[i] = src.counts[i * w + lk]; Nn[i] = src.counts[i * w + ln]; mask[i] = 1; }
  } else {
    const w = src.maxk + 1, D = src.distances;
    const full = src.maxk >= N - 1;
    for (let i = 0; i < N; i++) {
      let ck = 0, cn = 0;
      for (let j = 0; j < w; j++) { const d = D[i * w + j]; if (d <= lk) ck++; if (d <= ln) cn++; }
      K[i] = ck; Nn[i] = cn;
      mask[i] = full || D[i * w + src.maxk] > lk ? 1 : 0;
    }
  }
  return Object.freeze({
    fixed: 'radius' as const, kFixed: 0, ratio: ln / lk, lk: new Float64Array(N).fill(lk), ln: new Float64Array(N).fill(ln), k: K, n: Nn, mask,
  });
}

/**
 * DADApy's fix_k: per point the radius lk reaching about kEff neighbours, ln = rint(lk ratio).
 * Condensed counts: DADApy's walk over the radii (lk the largest radius with C <= kEff, moved to
 * the exact hit or back to the last growing shell); points with lk = 0, or whose kEff-th neighbour
 * lies beyond the counted radii, are masked out. Table: the first kEff + 1 distances (self
 * included); lk = the last complete shell (second-largest distinct distance), k the entries below
 * the last, incomplete shell, ln = rint(lk ratio) (minus 1 when equal to lk), n = #{r <= ln};
 * points with fewer than 3 distinct distances are masked out. Default kEff = maxk - 1 (table).
 */
export function shellsAtK(src: DiscreteSource, kEff: number | undefined, ratio = 0.5): DiscreteShells {
  checkRatio(ratio);
  const N = src.n;
  const LK = new Float64Array(N), LN = new Float64Array(N), K = new Int32Array(N), Nn = new Int32Array(N), mask = new Uint8Array(N);
  let kUsed: number;
  if (isCounts(src)) {
    if (kEff === undefined) throw new InputError('The number of neighbours k is missing', 'Pass k, e.g. { k: 25 }');
    if (!(Number.isInteger(kEff) && kEff > 0)) throw new InputError(`k = ${describeOptionValue(kEff)} is not a positive whole number`, 'Pass k, e.g. 25');
    kUsed = kEff;
    const w = src.R + 1;
    for (let i = 0; i < N; i++) {
      const C = (r: number) => src.counts[i * w + r];
      let lk = 0, appo = 0;
      while (lk + 1 <= src.R && kEff > C(lk + 1)) {
        if (C(lk + 1) !== C(lk)) appo = lk + 1;
        lk++;
      }
      if (lk + 1 > src.R) continue; // the k-th neighbour lies beyond the counted radii
      if (C(lk + 1) === kEff) lk++;
      else if (C(lk) === C(appo)) lk = appo;
      if (!(lk > 0)) continue;
      const ln = rint(lk * ratio);
      LK[i] = lk; LN[i] = ln; K[i] = C(lk); Nn[i] = C(ln); mask[i] = 1;
    }
  } else {
    kUsed = kEff ?? src.maxk - 1;
    if (!(Number.isInteger(kUsed) && kUsed > 0 && kUsed < src.maxk)) {
      throw new InputError(`k = ${kUsed} must satisfy 0 < k < maxk = ${src.maxk}`, 'Pass a smaller k or compute more neighbours');
    }
    const w = src.maxk + 1, D = src.distances;
    for (let i = 0; i < N; i++) {
      const row = D.subarray(i * w, i * w + kUsed + 1);
      const u: number[] = [], first: number[] = [];
      for (let j = 0; j < row.length; j++) if (j === 0 || row[j] !== row[j - 1]) { u.push(row[j]); first.push(j); }
      if (u.length < 3) continue;
      const lk = u[u.length - 2];
      checkIntegerDistances(lk);
      let ln = rint(lk * ratio);
      if (ln === lk) ln -= 1;
      let n = 0;
      for (let j = 0; j < row.length; j++) if (row[j] <= ln) n++;
      LK[i] = lk; LN[i] = ln; K[i] = first[first.length - 1]; Nn[i] = n; mask[i] = 1;
    }
  }
  return Object.freeze({ fixed: 'k' as const, kFixed: kUsed, ratio, lk: LK, ln: LN, k: K, n: Nn, mask });
}

/**
 * DADApy's fix_k_shell: per point lk = the radius of its kShell-th non-empty shell (the point's
 * own radius 0 not counted), k = #{r <= lk}, ln = rint(lk ratio) (minus 1 when equal to lk),
 * n = #{r <= ln}. Condensed counts: kShell < the number of counted radii; a point with fewer
 * non-empty shells is masked out (DADApy indexes past the end there). Table: kShell < maxk; a point
 * whose stored row ends before the shell after the kShell-th begins is masked out.
 */
export function shellsAtKShell(src: DiscreteSource, kShell: number, ratio = 0.5): DiscreteShells {
  checkRatio(ratio);
  if (!(Number.isInteger(kShell) && kShell > 0)) throw new InputError(`k = ${describeOptionValue(kShell)} shells is not a positive whole number`, 'Pass the number of shells, e.g. 4');
  const N = src.n;
  const LK = new Float64Array(N), LN = new Float64Array(N), K = new Int32Array(N), Nn = new Int32Array(N), mask = new Uint8Array(N);
  if (isCounts(src)) {
    const w = src.R + 1;
    if (!(kShell < w)) throw new InputError(`k = ${kShell} shells but only radii 0..${src.R} were counted`, `Recompute the distances with dMax > ${kShell}`);
    for (let i = 0; i < N; i++) {
      const C = (r: number) => src.counts[i * w + r];
      let counter = 0, lk = 1;
      while (counter < kShell && lk <= src.R) {
        if (C(lk - 1) !== C(lk)) counter++;
        lk++;
      }
      if (counter < kShell) continue;
      lk -= 1;
      let ln = rint(lk * ratio);
      if (ln === lk) ln -= 1;
      LK[i] = lk; LN[i] = ln; K[i] = C(lk); Nn[i] = C(ln); mask[i] = 1;
    }
  } else {
    if (!(kShell < src.maxk)) throw new InputError(`k = ${kShell} shells must be below maxk = ${src.maxk}`, 'Ask for fewer shells or compute more neighbours');
    const w = src.maxk + 1, D = src.distances;
    for (let i = 0; i < N; i++) {
      const row = D.subarray(i * w, (i + 1) * w);
      let counter = 0, cycle = 0;
      while (counter < kShell + 1 && cycle + 1 < w) {
        if (row[cycle] !== row[cycle + 1]) counter++;
        cycle++;
      }
      if (counter < kShell + 1) continue; // the row ends inside the kShell-th shell
      const lk = row[cycle - 1];
      checkIntegerDistances(lk);
      let ln = rint(lk * ratio);
      if (ln === lk) ln -= 1;
      let n = 0;
      for (let j = 0; j < w; j++) if (row[j] <= ln) n++;
      LK[i] = lk; LN[i] = ln; K[i] = cycle; Nn[i] = n; mask[i] = 1;
    }
  }
  return Object.freeze({ fixed: 'shell' as const, kFixed: kShell, ratio, lk: LK, ln: LN, k: K, n: Nn, mask });
}

/**
 * The points used by an estimate (DADApy's _my_mask): the valid ones, restricted to `subset` when
 * given (point indices: those that are valid; a number m: m valid points drawn at random without
 * replacement, in index order, as DADApy's rng.choice(valid, m, replace=False, shuffle=False)).
 */
export function discreteRows(mask: Uint8Array, subset?: ArrayLike<number> | number | null, rng?: Rng): Int32Array {
  const N = mask.length;
  if (subset === undefined || subset === null) {
    const out: number[] = [];
    for (let i = 0; i < N; i++) if (mask[i]) out.push(i);
    return Int32Array.from(out);
  }
  if (typeof subset === 'number') {
    const valid: number[] = [];
    for (let i = 0; i < N; i++) if (mask[i]) valid.push(i);
    if (!(Number.isInteger(subset) && subset > 0)) throw new InputError(`subset = ${describeOptionValue(subset)} is not a positive whole number`, 'Pass a number of points or an array of point indices');
    if (subset >= valid.length) return Int32Array.from(valid);
    if (!rng) throw new InputError('A random subset needs a random generator', 'Pass rng');
    const pick = Array.from(rng.choice(valid.length, subset, false), (t) => valid[t]).sort((a, b) => a - b);
    return Int32Array.from(pick);
  }
  const sel = new Uint8Array(N);
  for (let t = 0; t < subset.length; t++) {
    const i = subset[t];
    if (!Number.isInteger(i) || i < 0 || i >= N) throw new InputError(`subset entry ${i} is not a point index`, `Pass indices in 0..${N - 1}`);
    sel[i] = 1;
  }
  const out: number[] = [];
  for (let i = 0; i < N; i++) if (sel[i] && mask[i]) out.push(i);
  return Int32Array.from(out);
}

export interface DiscreteIdResult {
  readonly id: number;
  readonly idErr: number;
  /** lk (fixed radius) or the mean lk (fixed k or shells). */
  readonly scale: number;
  readonly method: 'mle' | 'bayes';
  /** Points used. */
  readonly n: number;
  readonly posterior?: { grid: Float64Array; P: Float64Array };
  summary(): string;
  plot(): Chart;
}

function discreteResult(f: Omit<DiscreteIdResult, 'summary' | 'plot'>, what: string): DiscreteIdResult {
  const r: DiscreteIdResult = {
    ...f,
    summary: () => `ID ${fmt(f.id)} ± ${fmt(f.idErr)} at r = ${fmt(f.scale)} (discrete binomial, ${what}, ${f.method})`,
    plot: () => {
      if (f.posterior) return curveChart({ x: f.posterior.grid, y: f.posterior.P, xTitle: 'intrinsic dimension d', yTitle: 'posterior', mark: f.id, title: r.summary() });
      const x = Float64Array.from({ length: 200 }, (_, i) => f.id - 5 * f.idErr + (10 * f.idErr * i) / 199);
      return curveChart({ x, y: x.map((d) => Math.exp(-0.5 * ((d - f.id) / f.idErr) ** 2)), xTitle: 'intrinsic dimension d', yTitle: 'approximate likelihood', mark: f.id, title: r.summary() });
    },
  };
  return Object.freeze(r);
}

/**
 * The fixed-radius estimate from shells (DADApy's compute_id_binomial_lk after fix_lk): n - 1 and
 * k - 1 (the centre excluded) of the chosen rows. 'mle': the likelihood of the mean counts,
 * Cramér-Rao error; 'bayes' (DADApy's default): the posterior mean and std on a grid.
 */
export function discreteIdAtRadius(sh: DiscreteShells, rows: Int32Array, method: 'mle' | 'bayes' = 'bayes', label = ''): DiscreteIdResult {
  if (sh.fixed !== 'radius') throw new InputError('These shells were fixed by k, not by radius', 'Use discreteIdPerPoint, or fix the shells with shellsAtRadius');
  if (method !== 'mle' && method !== 'bayes') throw new InputError(`Unknown method '${String(method)}'`, "Use 'mle' or 'bayes'");
  const lk = sh.lk[0], ln = sh.ln[0];
  const M = rows.length;
  if (M === 0) throw new InputError(`No point has its whole lk = ${lk} ball counted`, 'Compute more neighbours or lower lk');
  const n = Float64Array.from(rows, (i) => sh.n[i] - 1), k = Float64Array.from(rows, (i) => sh.k[i] - 1);
  let mn = 0, mk = 0;
  for (let t = 0; t < M; t++) { mn += n[t]; mk += k[t]; }
  mn /= M; mk /= M;
  if (mn === 0) throw new InputError(`No point has a neighbour within ln = ${ln}`, 'Increase ln (and lk)');
  const what = `lk = ${lk}, ln = ${ln}${label}`;
  if (method === 'mle') {
    const id = discreteMle(lk, mk, ln, mn);
    return discreteResult({ id, idErr: Math.sqrt(discreteCramerRao(id, ln, lk, M, mk)), scale: lk, method, n: M }, what);
  }
  const post = discretePosterior(k, n, lk, ln);
  return discreteResult({ id: post.mean, idErr: post.std, scale: lk, method: 'bayes', n: M, posterior: { grid: post.grid, P: post.P } }, what);
}

/**
 * The per-point estimate from shells fixed by k or by shells (DADApy's compute_id_binomial_k
 * discrete): the MLE of the per-point likelihood; error from the Cramér-Rao bound at the
 * integer-truncated mean radii (approxErr, DADApy's default) or the std of the profile likelihood.
 */
export function discreteIdPerPoint(sh: DiscreteShells, rows: Int32Array, approxErr = true, label = ''): DiscreteIdResult {
  const M = rows.length;
  if (M === 0) throw new InputError(`No point has enough neighbours or shells for k = ${sh.kFixed}`, 'Lower k or recompute the distances with more neighbours / a larger dMax');
  const LK = Float64Array.from(rows, (i) => sh.lk[i]), LN = Float64Array.from(rows, (i) => sh.ln[i]);
  const K = Float64Array.from(rows, (i) => sh.k[i] - 1), NN = Float64Array.from(rows, (i) => sh.n[i] - 1);
  const mean = (a: Float64Array) => { let s = 0; for (const v of a) s += v; return s / a.length; };
  if (mean(NN) === 0) throw new InputError('No point has a neighbour in its inner shell', 'Increase k or the ratio');
  const id = discreteMle(LK, K, LN, NN);
  const idErr = approxErr
    ? Math.sqrt(discreteCramerRao(id, Math.trunc(mean(LN)), Math.trunc(mean(LK)), M, mean(K)))
    : discreteProfileLikelihood(LK, K, LN, NN).std;
  const what = `${sh.fixed === 'shell' ? `${sh.kFixed} shells` : `k = ${sh.kFixed}`}${label}`;
  return discreteResult({ id, idErr, scale: mean(LK), method: 'mle', n: M }, what);
}

// ------------------------------------------------------------------ the pure estimators of earlier versions

/** DADApy's compute_id_binomial_lk (condensed counts). */
export function discreteIdLk(c: LatticeCounts, opts: { lk: number; ln: number; method?: 'mle' | 'bayes'; subset?: ArrayLike<number> | null }): DiscreteIdResult {
  checkOptionKeys(opts, ['lk', 'ln', 'method', 'subset'], 'discreteIdLk');
  const sh = shellsAtRadius(c, opts.lk, opts.ln);
  return discreteIdAtRadius(sh, discreteRows(sh.mask, opts.subset), opts.method ?? 'bayes');
}

/** DADApy's compute_id_binomial_k_discrete (condensed counts, shell = false). */
export function discreteIdK(c: LatticeCounts, opts: { k: number; ratio?: number; subset?: ArrayLike<number> | null }): DiscreteIdResult {
  checkOptionKeys(opts, ['k', 'ratio', 'subset'], 'discreteIdK');
  const sh = shellsAtK(c, opts.k, opts.ratio ?? 0.5);
  return discreteIdPerPoint(sh, discreteRows(sh.mask, opts.subset));
}

/** compute_id_binomial_k_discrete from a neighbour table of integer distances (DADApy's table mode, fix_k). */
export function discreteIdKFromTable(nn: NeighborTable, opts: { k?: number; ratio?: number; subset?: ArrayLike<number> | null } = {}): DiscreteIdResult {
  checkOptionKeys(opts, ['k', 'ratio', 'subset'], 'discreteIdKFromTable');
  const sh = shellsAtK(nn, opts.k, opts.ratio ?? 0.5);
  return discreteIdPerPoint(sh, discreteRows(sh.mask, opts.subset), true, ', table');
}

/** compute_id_binomial_lk from a neighbour table (DADApy's fix_lk table mode). */
export function discreteIdLkFromTable(nn: NeighborTable, opts: { lk: number; ln: number; method?: 'mle' | 'bayes'; subset?: ArrayLike<number> | null }): DiscreteIdResult {
  checkOptionKeys(opts, ['lk', 'ln', 'method', 'subset'], 'discreteIdLkFromTable');
  const sh = shellsAtRadius(nn, opts.lk, opts.ln);
  return discreteIdAtRadius(sh, discreteRows(sh.mask, opts.subset), opts.method ?? 'bayes', ', table');
}

/** DADApy's return_id_scaling (ids at radii lk, ln = ceil(lk r), minus one when equal to lk). */
export function discreteIdScaling(src: DiscreteSource, opts: { lks: ArrayLike<number>; r?: number; method?: 'mle' | 'bayes'; subset?: ArrayLike<number> | null }): { ids: Float64Array; idsErr: Float64Array; scales: Float64Array; plot(): Chart } {
  checkOptionKeys(opts, ['lks', 'r', 'method', 'subset'], 'discreteIdScaling');
  const r = opts.r ?? 0.5;
  const ids: number[] = [], errs: number[] = [];
  for (let i = 0; i < opts.lks.length; i++) {
    const lk = opts.lks[i];
    let ln = Math.ceil(lk * r);
    if (ln === lk) ln -= 1;
    const sh = shellsAtRadius(src, lk, ln);
    const res = discreteIdAtRadius(sh, discreteRows(sh.mask, opts.subset), opts.method ?? 'mle');
    ids.push(res.id); errs.push(res.idErr);
  }
  const idsA = Float64Array.from(ids), errsA = Float64Array.from(errs), scales = Float64Array.from(opts.lks);
  return Object.freeze({ ids: idsA, idsErr: errsA, scales, plot: () => idCurveChart({ x: scales, ids: idsA, idsErr: errsA, xTitle: 'lattice radius lk', title: 'Discrete ID across radii' }) });
}

/**
 * DADApy's compute_local_density: n_i and m_i = k_i - n_i (the point itself counted in n), rescaled
 * to densities: by their means for fixed radii, by V(ln_i, d) and V(lk_i, d) - V(ln_i, d) for
 * shells fixed by k. NaN at the masked-out points (whose shells are empty).
 */
export function discreteLocalDensity(sh: DiscreteShells, id: number): { n: Float64Array; m: Float64Array } {
  if (!(id > 0)) throw new InputError(`The intrinsic dimension is ${id}`, 'Compute the ID first');
  const N = sh.n.length;
  const n = new Float64Array(N), m = new Float64Array(N);
  if (sh.fixed === 'radius') {
    let sn = 0, sm = 0, c = 0;
    for (let i = 0; i < N; i++) if (sh.mask[i]) { sn += sh.n[i]; sm += sh.k[i] - sh.n[i]; c++; }
    for (let i = 0; i < N; i++) {
      n[i] = sh.mask[i] ? sh.n[i] / (sn / c) : NaN;
      m[i] = sh.mask[i] ? (sh.k[i] - sh.n[i]) / (sm / c) : NaN;
    }
    return { n, m };
  }
  let lmax = 0;
  for (let i = 0; i < N; i++) lmax = Math.max(lmax, sh.lk[i]);
  const V = latticeVolumes(lmax, id);
  for (let i = 0; i < N; i++) {
    if (!sh.mask[i]) { n[i] = NaN; m[i] = NaN; continue; }
    const vn = V[sh.ln[i]], vk = V[sh.lk[i]];
    n[i] = sh.n[i] / vn;
    m[i] = (sh.k[i] - sh.n[i]) / (vk - vn);
  }
  return { n, m };
}

/**
 * DADApy's return_id_fit_continuum: the number of neighbour pairs within r, with the shell at r
 * counted half (n(r) = sum_i C_i(r - 1) + (C_i(r) - C_i(r - 1)) / 2 - M, the M centres removed),
 * and for each scale R[i] (i >= 1) the slope of log n against log r fitted by least squares on
 * R[0..i] (DADApy's curve_fit of a line, same solution). Without an intercept DADApy fixes it to
 * log(mean C(1)) - M, as coded there (kept for parity).
 */
export function discreteIdFitContinuum(src: DiscreteSource, rows: Int32Array, R: ArrayLike<number>, fitIntercept = true): { ids: Float64Array; scales: Float64Array } {
  if (R.length < 2) throw new InputError(`return_id_fit_continuum needs at least 2 radii, got ${R.length}`, 'Pass radii such as [6, 7, ..., 14]');
  const M = rows.length;
  if (M === 0) throw new InputError('No points to fit', 'Pass a non-empty subset');
  const below = (i: number, r: number): number => {
    // #{j : d_ij <= r} (self included)
    if (isCounts(src)) {
      if (r < 0) return 0;
      if (r > src.R) throw new InputError(`Radius ${r} exceeds the largest counted radius ${src.R}`, `Recompute the distances with dMax >= ${r}`);
      return src.counts[i * (src.R + 1) + r];
    }
    const w = src.maxk + 1, D = src.distances;
    let c = 0;
    for (let j = 0; j < w; j++) if (D[i * w + j] <= r) c++;
    return c;
  };
  const logn = new Float64Array(R.length), logr = new Float64Array(R.length);
  for (let s = 0; s < R.length; s++) {
    const r = R[s];
    if (!(Number.isInteger(r) && r >= 1)) throw new InputError(`Radius ${describeOptionValue(r)} is not a whole number >= 1`, 'Pass integer lattice radii');
    let tot = 0;
    for (const i of rows) { const a = below(i, r - 1), b = below(i, r); tot += a + 0.5 * (b - a); }
    logn[s] = Math.log(tot - M);
    logr[s] = Math.log(r);
  }
  let b0 = 0;
  if (!fitIntercept) {
    let c1 = 0;
    for (const i of rows) c1 += below(i, 1);
    b0 = Math.log(c1 / M) - M;
  }
  const ids = new Float64Array(R.length - 1);
  for (let s = 1; s < R.length; s++) {
    const m = s + 1;
    if (fitIntercept) {
      let sx = 0, sy = 0;
      for (let t = 0; t < m; t++) { sx += logr[t]; sy += logn[t]; }
      const mx = sx / m, my = sy / m;
      let sxy = 0, sxx = 0;
      for (let t = 0; t < m; t++) { sxy += (logr[t] - mx) * (logn[t] - my); sxx += (logr[t] - mx) ** 2; }
      ids[s - 1] = sxy / sxx;
    } else {
      let sxy = 0, sxx = 0;
      for (let t = 0; t < m; t++) { sxy += logr[t] * (logn[t] - b0); sxx += logr[t] * logr[t]; }
      ids[s - 1] = sxy / sxx;
    }
  }
  return { ids, scales: Float64Array.from({ length: R.length - 1 }, (_, s) => R[s + 1]) };
}

/**
 * DADApy's return_id_fit: the mean number of points within r, N(r) (the point itself included),
 * fitted for each scale s[i] (i >= 1) on s[0..i] by rho V(r, d) (least squares on N) and by
 * log rho + log V(r, d) (least squares on log N); the d of each fit. DADApy uses curve_fit (LM
 * from d = rho = 1); for a fixed d the best rho is closed-form, so we minimise the profiled residual
 * over d in [D_MIN, D_MAX] (a scan on a log grid, then Brent around the best point): the global
 * least-squares d, which is curve_fit's answer wherever its local search converges.
 *
 * N(r): condensed counts C[i, r] averaged over the rows; a table gives the same counts only where it
 * reaches r, so a row whose last stored distance is <= r (its count would be cut at maxk + 1) is
 * refused. DADApy's table mode averages the fraction of entries <= r instead (a number in [0, 1],
 * not a count) and stores N(r) in an array of the scales' dtype, so integer scales truncate it to an
 * integer; `truncateCounts: true` reproduces that truncation (on counts), as its tests expect.
 */
export function discreteIdFit(src: DiscreteSource, rows: Int32Array, scales: ArrayLike<number>, truncateCounts = false): { ids: Float64Array; idsLog: Float64Array; scales: Float64Array } {
  if (scales.length < 2) throw new InputError(`return_id_fit needs at least 2 radii, got ${scales.length}`, 'Pass radii such as [6, 7, ..., 14]');
  const M = rows.length;
  if (M === 0) throw new InputError('No points to fit', 'Pass a non-empty subset');
  const Nr = new Float64Array(scales.length);
  for (let s = 0; s < scales.length; s++) {
    const r = scales[s];
    if (!(Number.isInteger(r) && r >= 0)) throw new InputError(`Radius ${r} is not a whole number >= 0`, 'Pass integer lattice radii');
    let tot = 0;
    if (isCounts(src)) {
      if (r > src.R) throw new InputError(`Radius ${r} exceeds the largest counted radius ${src.R}`, `Recompute the distances with dMax >= ${r}`);
      for (const i of rows) tot += src.counts[i * (src.R + 1) + r];
    } else {
      const w = src.maxk + 1, D = src.distances;
      let cut = 0;
      for (const i of rows) {
        if (D[i * w + w - 1] <= r && src.maxk < src.n - 1) cut++;
        for (let j = 0; j < w; j++) if (D[i * w + j] <= r) tot++;
      }
      if (cut > 0) {
        throw new InputError(`The neighbour table (maxk = ${src.maxk}) does not reach radius ${r} for ${cut} of the ${M} points: their counts within ${r} would be cut`,
          `Compute the distances with a larger maxk, or use the condensed counts (new IdDiscrete(X, { condensed: true }))`);
      }
    }
    Nr[s] = truncateCounts ? Math.trunc(tot / M) : tot / M;
  }
  const lmax = Math.max(...Array.from(scales));
  const ids = new Float64Array(scales.length - 1), idsLog = new Float64Array(scales.length - 1);
  for (let s = 1; s < scales.length; s++) {
    const m = s + 1;
    // N ~ rho V: rho(d) = sum V N / sum V^2, residual sum N^2 - (sum V N)^2 / sum V^2
    const lin = (d: number): number => {
      const V = latticeVolumes(lmax, d);
      let vn = 0, vv = 0, nn = 0;
      for (let t = 0; t < m; t++) { const v = V[scales[t]]; vn += v * Nr[t]; vv += v * v; nn += Nr[t] * Nr[t]; }
      return nn - (vn * vn) / vv;
    };
    ids[s - 1] = profiledMin(lin);
    // log N ~ log rho + log V: log rho(d) = mean(log N - log V), residual the variance of log N - log V
    const logN = Array.from({ length: m }, (_, t) => Math.log(Nr[t]));
    if (logN.some((x) => !Number.isFinite(x))) {
      throw new InputError(`N(r) is 0 at a radius in [${Array.from(scales).slice(0, m).join(', ')}]: its log cannot be fitted`,
        'Start the radii where every point has neighbours (r >= 1), or do not truncate the counts');
    }
    const lg = (d: number): number => {
      const V = latticeVolumes(lmax, d);
      let mean = 0;
      for (let t = 0; t < m; t++) mean += logN[t] - Math.log(V[scales[t]]);
      mean /= m;
      let ss = 0;
      for (let t = 0; t < m; t++) ss += (logN[t] - Math.log(V[scales[t]]) - mean) ** 2;
      return ss;
    };
    idsLog[s - 1] = profiledMin(lg);
  }
  return { ids, idsLog, scales: Float64Array.from({ length: scales.length - 1 }, (_, s) => scales[s + 1]) };
}

/** The d in [D_MIN, D_MAX] minimising f: a log-grid scan, then Brent on the bracket around the best grid point. */
function profiledMin(f: (d: number) => number): number {
  const G = 200;
  const lo = Math.log(1e-3), hi = Math.log(D_MAX);
  let best = 0, fBest = Infinity;
  const grid = Array.from({ length: G + 1 }, (_, g) => Math.exp(lo + ((hi - lo) * g) / G));
  for (let g = 0; g <= G; g++) {
    const v = f(grid[g]);
    if (v < fBest) { fBest = v; best = g; }
  }
  const a = best > 0 ? grid[best - 1] : D_MIN, b = best < G ? grid[best + 1] : D_MAX;
  const r = fminbound(f, a, b, { xatol: 1e-10, maxiter: 500 });
  return r.fx <= fBest ? r.x : grid[best];
}
