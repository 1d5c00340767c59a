import { DadalabError } from '../errors';
import { asMatrix, type MatrixLike } from '../matrix';
import { fminbound } from '../stats/brent';
import type { NeighborTable } from '../neighbors/table';
import { lgamma } from '../stats/special';
import type { Chart } from '../../widgets/chart';
import { curveChart, idCurveChart } from '../../widgets/id/charts';
import { fmt } from './format';
import { rint } from './twonn';

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
    throw new DadalabError(`The discrete ID supports the manhattan and hamming metrics, not '${metric}'`, "Use metric: 'manhattan' (lattice data) or 'hamming' (categorical data)");
  }
  let maxAbs = 0;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isInteger(x[i])) {
      throw new DadalabError(`The discrete ID needs integer coordinates, but entry ${i} (row ${Math.floor(i / D)}) is ${x[i]}`, 'Round or bin the data onto a lattice first');
    }
    maxAbs = Math.max(maxAbs, Math.abs(x[i]));
  }
  const period = opts.period === undefined || opts.period === null ? null
    : typeof opts.period === 'number' ? new Float64Array(D).fill(opts.period) : Float64Array.from(opts.period);
  if (period) for (const L of period) if (!Number.isInteger(L) || L <= 0) throw new DadalabError(`The period must be positive integers, got ${L}`, 'Pass integer box sides');
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
 * DADApy's beta_prior_d: the posterior of d under a Beta(a0, b0) prior on p, evaluated on a grid
 * that is refined until at least 3 points carry density, then 1000 points across the support.
 */
export function discretePosterior(k: ArrayLike<number>, n: ArrayLike<number>, lk: number, ln: number, a0 = 1, b0 = 1): { mean: number; std: number; grid: Float64Array; P: Float64Array } {
  let sn = 0, sk = 0;
  for (let i = 0; i < n.length; i++) { sn += n[i]; sk += k[i]; }
  const a = a0 + sn, b = b0 + sk - sn;
  const logB = lgamma(a) + lgamma(b) - lgamma(a + b);
  const P = (d: number): number => {
    const V = latticeVolumes(lk, d), dV = latticeVolumeDerivatives(lk, d);
    const p = V[ln] / V[lk];
    const dp = dV[ln] / V[lk] - (dV[lk] * V[ln]) / (V[lk] * V[lk]);
    if (!(p > 0 && p < 1)) return 0;
    return Math.abs(Math.exp((a - 1) * Math.log(p) + (b - 1) * Math.log1p(-p) - logB) * dp);
  };
  let dx = 10;
  const dLeft0 = D_MIN;
  const dRight0 = D_MAX + dx + dLeft0;
  let grid: number[] = [], vals: number[] = [], idx: number[] = [];
  do {
    dx /= 10;
    if (dx < 1e-9) throw new DadalabError('The posterior of d is too narrow to resolve on a grid', 'Use the MLE (method: "mle") instead');
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
  return { mean: E, std: Math.sqrt(E2 - E * E), grid: g, P: Pg };
}

export interface DiscreteIdResult {
  readonly id: number;
  readonly idErr: number;
  /** lk (fixed radius) or the mean lk (fixed k). */
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

function subsetRows(N: number, subset?: ArrayLike<number> | null): number[] {
  if (!subset) return Array.from({ length: N }, (_, i) => i);
  const out: number[] = [];
  for (let i = 0; i < subset.length; i++) {
    if (!Number.isInteger(subset[i]) || subset[i] < 0 || subset[i] >= N) throw new DadalabError(`subset entry ${subset[i]} is not a point index`, `Pass indices in 0..${N - 1}`);
    out.push(subset[i]);
  }
  return out;
}

/**
 * DADApy's compute_id_binomial_lk (condensed counts): n = C[:, ln] - 1 and k = C[:, lk] - 1
 * (the centre excluded). 'mle': the likelihood of the mean counts, Cramér-Rao error; 'bayes'
 * (DADApy's default): the posterior mean and std on a grid.
 */
export function discreteIdLk(c: LatticeCounts, opts: { lk: number; ln: number; method?: 'mle' | 'bayes'; subset?: ArrayLike<number> | null }): DiscreteIdResult {
  const { lk, ln } = opts;
  const method = opts.method ?? 'bayes';
  if (!(Number.isInteger(lk) && Number.isInteger(ln) && ln >= 0 && lk > ln)) {
    throw new DadalabError(`Need integer radii with 0 <= ln < lk, got lk = ${lk}, ln = ${ln}`, 'Pass e.g. lk = 10, ln = 5');
  }
  if (lk > c.R) throw new DadalabError(`lk = ${lk} exceeds the largest counted radius ${c.R}`, `Recompute the counts with dMax >= ${lk}`);
  const w = c.R + 1;
  const rows = subsetRows(c.n, opts.subset);
  const n = rows.map((i) => c.counts[i * w + ln] - 1), k = rows.map((i) => c.counts[i * w + lk] - 1);
  const M = rows.length;
  const mn = n.reduce((a, b) => a + b, 0) / M, mk = k.reduce((a, b) => a + b, 0) / M;
  if (mn === 0) throw new DadalabError(`No point has a neighbour within ln = ${ln}`, 'Increase ln (and lk)');
  if (method === 'mle') {
    const id = discreteMle(lk, mk, ln, mn);
    return discreteResult({ id, idErr: Math.sqrt(discreteCramerRao(id, ln, lk, M, mk)), scale: lk, method, n: M }, `lk = ${lk}, ln = ${ln}`);
  }
  const post = discretePosterior(k, n, lk, ln);
  return discreteResult({ id: post.mean, idErr: post.std, scale: lk, method: 'bayes', n: M, posterior: { grid: post.grid, P: post.P } }, `lk = ${lk}, ln = ${ln}`);
}

/**
 * DADApy's compute_id_binomial_k_discrete (condensed counts, shell = false): for each point the
 * radius lk at which about k neighbours are reached (DADApy's walk over the shells), ln =
 * rint(lk ratio), and the MLE of the per-point likelihood; error from the Cramér-Rao bound at
 * the integer-truncated mean radii, as DADApy.
 */
export function discreteIdK(c: LatticeCounts, opts: { k: number; ratio?: number; subset?: ArrayLike<number> | null }): DiscreteIdResult {
  const ratio = opts.ratio ?? 0.5;
  const kEff = opts.k;
  if (!(ratio > 0 && ratio < 1)) throw new DadalabError(`ratio = ${ratio} is outside (0, 1)`, 'Pass 0 < ratio < 1');
  const w = c.R + 1;
  const rows = subsetRows(c.n, opts.subset);
  const LK: number[] = [], LN: number[] = [], K: number[] = [], NN: number[] = [];
  for (const i of rows) {
    const C = (r: number) => c.counts[i * w + r];
    let lk = 0, appo = 0;
    while (lk + 1 <= c.R && kEff > C(lk + 1)) {
      if (C(lk + 1) !== C(lk)) appo = lk + 1;
      lk++;
    }
    if (lk + 1 > c.R) continue; // not enough neighbours within the counted radii
    if (C(lk + 1) === kEff) lk++;
    else if (C(lk) === C(appo)) lk = appo;
    if (!(lk > 0)) continue;
    const ln = rint(lk * ratio);
    LK.push(lk); LN.push(ln); K.push(C(lk) - 1); NN.push(C(ln) - 1);
  }
  if (LK.length === 0) throw new DadalabError(`No point reaches k = ${kEff} neighbours within the counted radii`, 'Lower k or recompute the counts with a larger dMax');
  return estimateFromShells(LK, LN, K, NN, `k = ${kEff}`);
}

/** The per-point MLE of compute_id_binomial_k_discrete, error at the integer-truncated mean radii (as DADApy). */
function estimateFromShells(LK: number[], LN: number[], K: number[], NN: number[], label: string): DiscreteIdResult {
  const M = LK.length;
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  if (mean(NN) === 0) throw new DadalabError('No point has a neighbour in its inner shell', 'Increase k or the ratio');
  const id = discreteMle(LK, K, LN, NN);
  const idErr = Math.sqrt(discreteCramerRao(id, Math.trunc(mean(LN)), Math.trunc(mean(LK)), M, mean(K)));
  return discreteResult({ id, idErr, scale: mean(LK), method: 'mle', n: M }, label);
}

/**
 * compute_id_binomial_k_discrete from a neighbour table of integer (L1 or Hamming) distances
 * (DADApy's table mode, fix_k): for each point the first kEff + 1 distances (self included); with
 * fewer than 3 distinct values the point is dropped; else lk = the last complete shell (the
 * second-largest distinct distance), k = the entries below the last, incomplete shell, ln =
 * rint(lk ratio) (minus 1 when equal to lk), n = the entries <= ln. Default kEff = maxk - 1.
 */
export function discreteIdKFromTable(nn: NeighborTable, opts: { k?: number; ratio?: number; subset?: ArrayLike<number> | null } = {}): DiscreteIdResult {
  const ratio = opts.ratio ?? 0.5;
  const kEff = opts.k ?? nn.maxk - 1;
  if (!(ratio > 0 && ratio < 1)) throw new DadalabError(`ratio = ${ratio} is outside (0, 1)`, 'Pass 0 < ratio < 1');
  if (!(Number.isInteger(kEff) && kEff > 0 && kEff < nn.maxk)) throw new DadalabError(`k = ${kEff} must satisfy 0 < k < maxk = ${nn.maxk}`, 'Pass a smaller k or compute more neighbours');
  const w = nn.maxk + 1, D = nn.distances;
  const rows = subsetRows(nn.n, opts.subset);
  const LK: number[] = [], LN: number[] = [], K: number[] = [], NN: number[] = [];
  for (const i of rows) {
    const row = D.subarray(i * w, i * w + kEff + 1);
    // distinct values (sorted row) and the index of their first occurrence
    const u: number[] = [], first: number[] = [];
    for (let j = 0; j < row.length; j++) if (j === 0 || row[j] !== row[j - 1]) { u.push(row[j]); first.push(j); }
    if (u.length < 3) continue;
    const lk = u[u.length - 2];
    const k = first[first.length - 1];
    let ln = rint(lk * ratio);
    if (ln === lk) ln -= 1;
    let n = 0;
    for (let j = 0; j < row.length; j++) if (row[j] <= ln) n++;
    LK.push(lk); LN.push(ln); K.push(k - 1); NN.push(n - 1);
  }
  if (LK.length === 0) throw new DadalabError(`No point has 3 distinct distances among its first ${kEff} neighbours`, 'Use a larger k');
  for (const v of LK) if (!Number.isInteger(v)) throw new DadalabError(`The table holds non-integer distances (${v})`, 'Use lattice data with the manhattan or hamming metric');
  return estimateFromShells(LK, LN, K, NN, `k = ${kEff}, table`);
}

/**
 * compute_id_binomial_lk from a neighbour table (DADApy's fix_lk table mode): k = #{r <= lk},
 * n = #{r <= ln} over the stored columns; points whose table ends within lk are left out
 * (all are kept when maxk = N - 1).
 */
export function discreteIdLkFromTable(nn: NeighborTable, opts: { lk: number; ln: number; method?: 'mle' | 'bayes'; subset?: ArrayLike<number> | null }): DiscreteIdResult {
  const { lk, ln } = opts;
  const method = opts.method ?? 'bayes';
  if (!(Number.isInteger(lk) && Number.isInteger(ln) && ln >= 0 && lk > ln)) {
    throw new DadalabError(`Need integer radii with 0 <= ln < lk, got lk = ${lk}, ln = ${ln}`, 'Pass e.g. lk = 10, ln = 5');
  }
  const w = nn.maxk + 1, D = nn.distances;
  const full = nn.maxk === nn.n - 1;
  const n: number[] = [], k: number[] = [];
  for (const i of subsetRows(nn.n, opts.subset)) {
    if (!full && !(D[i * w + nn.maxk] > lk)) continue;
    let ck = 0, cn = 0;
    for (let j = 0; j < w; j++) { const d = D[i * w + j]; if (d <= lk) ck++; if (d <= ln) cn++; }
    n.push(cn - 1); k.push(ck - 1);
  }
  const M = n.length;
  if (M === 0) throw new DadalabError(`No point has its whole lk = ${lk} ball in the table`, 'Compute more neighbours or lower lk');
  const mn = n.reduce((a, b) => a + b, 0) / M, mk = k.reduce((a, b) => a + b, 0) / M;
  if (mn === 0) throw new DadalabError(`No point has a neighbour within ln = ${ln}`, 'Increase ln (and lk)');
  if (method === 'mle') {
    const id = discreteMle(lk, mk, ln, mn);
    return discreteResult({ id, idErr: Math.sqrt(discreteCramerRao(id, ln, lk, M, mk)), scale: lk, method, n: M }, `lk = ${lk}, ln = ${ln}, table`);
  }
  const post = discretePosterior(k, n, lk, ln);
  return discreteResult({ id: post.mean, idErr: post.std, scale: lk, method: 'bayes', n: M, posterior: { grid: post.grid, P: post.P } }, `lk = ${lk}, ln = ${ln}, table`);
}

/** DADApy's return_id_scaling (ids at radii lk, ln = ceil(lk r), minus one when equal to lk). */
export function discreteIdScaling(c: LatticeCounts, opts: { lks: ArrayLike<number>; r?: number; method?: 'mle' | 'bayes' }): { ids: Float64Array; idsErr: Float64Array; scales: Float64Array; plot(): Chart } {
  const r = opts.r ?? 0.5;
  const ids: number[] = [], errs: number[] = [];
  for (let i = 0; i < opts.lks.length; i++) {
    const lk = opts.lks[i];
    let ln = Math.ceil(lk * r);
    if (ln === lk) ln -= 1;
    const res = discreteIdLk(c, { lk, ln, method: opts.method ?? 'mle' });
    ids.push(res.id); errs.push(res.idErr);
  }
  const idsA = Float64Array.from(ids), errsA = Float64Array.from(errs), scales = Float64Array.from(opts.lks);
  return Object.freeze({ ids: idsA, idsErr: errsA, scales, plot: () => idCurveChart({ x: scales, ids: idsA, idsErr: errsA, xTitle: 'lattice radius lk', title: 'Discrete ID across radii' }) });
}

/**
 * DADApy's IdDiscrete (condensed mode) as a small stateful class with its method names in
 * camelCase: `const d = new IdDiscrete(X); d.computeDistances({ period: 20, dMax: 50 });
 * d.computeIdBinomialKDiscrete({ k: 25 })`. Attributes intrinsicDim, intrinsicDimErr,
 * intrinsicDimScale, posteriorDomain, posterior.
 */
export class IdDiscrete {
  readonly X: ReturnType<typeof asMatrix>;
  counts: LatticeCounts | null = null;
  intrinsicDim: number | null = null;
  intrinsicDimErr: number | null = null;
  intrinsicDimScale: number | null = null;
  posteriorDomain: Float64Array | null = null;
  posterior: Float64Array | null = null;

  constructor(coordinates: MatrixLike) {
    this.X = asMatrix(coordinates);
  }

  /** The cumulative neighbour counts up to dMax (manhattan by default, as DADApy). */
  async computeDistances(opts: { metric?: 'manhattan' | 'hamming'; period?: number | ArrayLike<number> | null; dMax?: number } = {}): Promise<void> {
    this.counts = latticeCounts(this.X, opts);
  }

  private ensure(): LatticeCounts {
    if (!this.counts) this.counts = latticeCounts(this.X);
    return this.counts;
  }

  private set(r: DiscreteIdResult): DiscreteIdResult {
    this.intrinsicDim = r.id; this.intrinsicDimErr = r.idErr; this.intrinsicDimScale = r.scale;
    if (r.posterior) { this.posteriorDomain = r.posterior.grid; this.posterior = r.posterior.P; }
    return r;
  }

  async computeIdBinomialLk(opts: { lk: number; ln: number; method?: 'mle' | 'bayes'; subset?: ArrayLike<number> | null }): Promise<DiscreteIdResult> {
    return this.set(discreteIdLk(this.ensure(), opts));
  }

  async computeIdBinomialKDiscrete(opts: { k: number; ratio?: number; subset?: ArrayLike<number> | null }): Promise<DiscreteIdResult> {
    return this.set(discreteIdK(this.ensure(), opts));
  }

  async returnIdScaling(opts: { Lks: ArrayLike<number>; r?: number; method?: 'mle' | 'bayes' }): Promise<ReturnType<typeof discreteIdScaling>> {
    return discreteIdScaling(this.ensure(), { lks: opts.Lks, r: opts.r, method: opts.method });
  }

  async returnIdScalingK(opts: { Ks: ArrayLike<number>; r?: number }): Promise<{ ids: Float64Array; idsErr: Float64Array; scales: Float64Array }> {
    const ids: number[] = [], errs: number[] = [], sc: number[] = [];
    for (let i = 0; i < opts.Ks.length; i++) {
      const res = discreteIdK(this.ensure(), { k: opts.Ks[i], ratio: opts.r ?? 0.5 });
      ids.push(res.id); errs.push(res.idErr); sc.push(res.scale);
    }
    return Object.freeze({ ids: Float64Array.from(ids), idsErr: Float64Array.from(errs), scales: Float64Array.from(sc) });
  }

  setId(d: number): void {
    if (!(d > 0)) throw new DadalabError(`The intrinsic dimension must be positive, got ${d}`, 'Pass d > 0');
    this.intrinsicDim = d;
  }
}
