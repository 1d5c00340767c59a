import { checkOptionKeys, optionKeys, positiveInteger } from '../options';
import { InputError } from '../errors';
import { assertNoZeroDistances, type NeighborTable } from '../neighbors/table';
import { SeededRng, type Rng } from '../stats/rng';
import { digamma, pairwiseSum, trigamma } from '../stats/special';
import type { Chart } from '../../widgets/chart';
import { curveChart, idCurveChart } from '../../widgets/id/charts';
import { lgamma } from '../stats/special';
import { fmt } from './format';

/**
 * Binomial ID (Macocco et al. 2023): with a locally uniform density, the number n of neighbours
 * within r R_k among the k within R_k is Binomial(k, r^d) (the centre and, at fixed k, the k-th
 * neighbour excluded). MLE: d = log((<n> - 1) / (K - 1)) / log r with the Cramér-Rao error;
 * Bayes: a flat Beta prior on p = r^d, posterior mean and std of d through digamma/trigamma.
 */
export interface BinomialResult {
  readonly id: number;
  readonly idErr: number;
  readonly scale: number;
  /** Kolmogorov-Smirnov p-value of the observed n against binomial samples (model validation). */
  readonly pv: number;
  readonly method: 'mle' | 'bayes';
  readonly r: number;
  /** Points used. */
  readonly n: number;
  /** 'k' (fixed number of neighbours) or 'rk' (fixed radius). */
  readonly fixed: 'k' | 'rk';
  /** Beta posterior parameters of p = r^d (Bayes), for the posterior plot. */
  readonly a?: number;
  readonly b?: number;
  summary(): string;
  /** The posterior density of d (Bayes) or the Gaussian of the MLE and its Cramér-Rao error. */
  plot(): Chart;
}

export interface BinomialKOptions {
  /** Number of neighbours (scalar) or per point (array, DADApy's k*); strict '<' count for arrays, '<=' for scalars, as DADApy. */
  k: number | ArrayLike<number>;
  /** Ratio of the inner to the outer radius, 0 < r < 1. */
  r: number;
  /** Bayesian posterior (true, DADApy's default) or MLE (false). */
  bayes?: boolean;
  /** Bootstrap resamplings of the model-validation test (DADApy's 1 here). */
  kBootstrap?: number;
  /** Randomness of the model validation (DADApy uses an unseeded generator); default SeededRng(1). */
  rng?: Rng;
  /** Skip the model validation (pv = NaN). */
  validate?: boolean;
}
const BINOMIAL_K_KEYS = optionKeys<BinomialKOptions>({ k: 1, r: 1, bayes: 1, kBootstrap: 1, rng: 1, validate: 1 });

export interface BinomialRkOptions {
  /** Outer radius, one for all points or one per point. */
  rk: number | ArrayLike<number>;
  r: number;
  bayes?: boolean;
  kBootstrap?: number;
  rng?: Rng;
  validate?: boolean;
}
const BINOMIAL_RK_KEYS = optionKeys<BinomialRkOptions>({ rk: 1, r: 1, bayes: 1, kBootstrap: 1, rng: 1, validate: 1 });

function checkR(r: number): void {
  if (!(r > 0 && r < 1)) throw new InputError(`The ratio r = ${r} is outside (0, 1)`, 'Pass 0 < r < 1, e.g. r = 0.5');
}

/** Cramér-Rao variance of the binomial MLE: (r^-d - 1) / (K N log(r)²). */
export function binomialCramerRao(d: number, K: number, r: number, N: number): number {
  return (Math.pow(r, -d) - 1) / (K * N * Math.log(r) ** 2);
}

/**
 * Posterior of d under a Beta(a0, b0) prior on p = r^d (DADApy's _beta_prior): a = a0 + sum n,
 * b = b0 + sum k - sum n (k scalar: k * len(n)); mean (psi(a) - psi(a+b)) / log r, std
 * sqrt(psi1(a) - psi1(a+b)) / |log r|.
 */
export function binomialBetaPosterior(k: number | ArrayLike<number>, n: ArrayLike<number>, r: number, a0 = 1, b0 = 1): { mean: number; std: number; a: number; b: number } {
  const sn = pairwiseSum(n);
  const a = a0 + sn;
  const b = typeof k === 'number' ? b0 + k * n.length - sn : b0 + pairwiseSum(k) - sn;
  const lr = Math.log(r);
  return { mean: (digamma(a) - digamma(a + b)) / lr, std: Math.sqrt((trigamma(a) - trigamma(a + b)) / (lr * lr)), a, b };
}

function isClose1(x: number): boolean {
  return Math.abs(x - 1) <= 1e-9 * Math.max(1, Math.abs(x));
}

/** A Binomial(m, p) draw by inversion (m is a small neighbour count). */
function binomialDraw(rng: Rng, m: number, p: number): number {
  if (m <= 0) return 0;
  const q = 1 - p;
  let pmf = Math.pow(q, m);
  let cdf = pmf;
  const u = rng.random();
  let x = 0;
  while (u > cdf && x < m) {
    pmf *= ((m - x) / (x + 1)) * (p / q);
    x++;
    cdf += pmf;
  }
  return x;
}

/** Kolmogorov's limiting survival function Q(λ) = 2 Σ (-1)^(j-1) exp(-2 j² λ²). */
function kolmogorovQ(lambda: number): number {
  if (lambda < 0.2) return 1;
  let s = 0;
  for (let j = 1; j <= 100; j++) {
    const t = 2 * (j % 2 === 1 ? 1 : -1) * Math.exp(-2 * j * j * lambda * lambda);
    s += t;
    if (Math.abs(t) < 1e-16) break;
  }
  return Math.min(1, Math.max(0, s));
}

/** Two-sample Kolmogorov-Smirnov statistic and asymptotic p-value for integer samples. */
export function ks2sampInt(a: ArrayLike<number>, b: ArrayLike<number>): { statistic: number; pvalue: number } {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, a[i]);
  for (let i = 0; i < b.length; i++) max = Math.max(max, b[i]);
  let min = Infinity;
  for (let i = 0; i < a.length; i++) min = Math.min(min, a[i]);
  for (let i = 0; i < b.length; i++) min = Math.min(min, b[i]);
  const off = Math.min(0, min);
  const ha = new Float64Array(max - off + 1), hb = new Float64Array(max - off + 1);
  for (let i = 0; i < a.length; i++) ha[a[i] - off]++;
  for (let i = 0; i < b.length; i++) hb[b[i] - off]++;
  let ca = 0, cb = 0, D = 0;
  for (let v = 0; v < ha.length; v++) {
    ca += ha[v]; cb += hb[v];
    D = Math.max(D, Math.abs(ca / a.length - cb / b.length));
  }
  const en = (a.length * b.length) / (a.length + b.length);
  const se = Math.sqrt(en);
  return { statistic: D, pvalue: kolmogorovQ((se + 0.12 + 0.11 / se) * D) };
}

/**
 * DADApy's _binomial_model_validation: compares n - 1 with binomial samples of parameter p
 * (100000 in all; per point Binomial(k_i - 1, p) when k varies) by a two-sample KS test, averaged
 * over kBootstrap resamplings of n when kBootstrap > 1. Returns the p-value.
 */
export function binomialModelValidation(k: number | ArrayLike<number>, n: ArrayLike<number>, p: number, rng: Rng,
  kBootstrap = 1, artificialSamples = 100000): number {
  // NaN gave a NaN p-value, Infinity never ended the resampling loop.
  positiveInteger(kBootstrap, 'kBootstrap', 'the binomial model validation');
  if (!(p > 0 && p < 1)) return NaN;
  const N = n.length;
  let samp: Int32Array;
  if (N < artificialSamples) {
    if (typeof k !== 'number') {
      const reps = Math.trunc(artificialSamples / N);
      samp = new Int32Array(reps * N);
      let o = 0;
      for (let i = 0; i < N; i++) for (let j = 0; j < reps; j++) samp[o++] = binomialDraw(rng, k[i] - 1, p);
    } else {
      samp = new Int32Array(artificialSamples);
      for (let j = 0; j < artificialSamples; j++) samp[j] = binomialDraw(rng, k - 1, p);
    }
  } else {
    samp = new Int32Array(N);
    for (let i = 0; i < N; i++) samp[i] = binomialDraw(rng, (typeof k === 'number' ? k : k[i]) - 1, p);
  }
  const obs = Int32Array.from(n, (v) => v - 1);
  const first = ks2sampInt(samp, obs).pvalue;
  if (kBootstrap <= 1) return first;
  let s = first;
  const res = new Int32Array(N);
  for (let b = 0; b < kBootstrap; b++) {
    const idx = rng.integers(0, N, N);
    for (let i = 0; i < N; i++) res[i] = obs[idx[i]];
    s += ks2sampInt(samp, res).pvalue;
  }
  return s / (kBootstrap + 1);
}

/** Density of d when p = r^d ~ Beta(a, b): Beta_pdf(r^d) |r^d log r|, on a grid around the estimate. */
export function binomialPosteriorCurve(a: number, b: number, r: number, center: number, width: number): { x: Float64Array; y: Float64Array } {
  const lo = Math.max(1e-4, center - 5 * width), hi = center + 5 * width;
  const x = new Float64Array(200), y = new Float64Array(200);
  const lr = Math.log(r), lB = lgamma(a) + lgamma(b) - lgamma(a + b);
  for (let i = 0; i < 200; i++) {
    const d = lo + ((hi - lo) * i) / 199;
    const p = Math.pow(r, d);
    x[i] = d;
    y[i] = Math.exp((a - 1) * Math.log(p) + (b - 1) * Math.log1p(-p) - lB) * Math.abs(p * lr);
  }
  return { x, y };
}

function result(f: Omit<BinomialResult, 'summary' | 'plot'>): BinomialResult {
  const res: BinomialResult = {
    ...f,
    summary() {
      const how = f.fixed === 'k' ? 'binomial, fixed k' : 'binomial, fixed radius';
      return `ID ${fmt(f.id)} ± ${fmt(f.idErr)} at r = ${fmt(f.scale)} (${how}, ${f.method}, ratio ${f.r}; model-validation p = ${fmt(f.pv)})`;
    },
    plot() {
      let x: Float64Array, y: Float64Array;
      if (f.method === 'bayes' && f.a !== undefined && f.b !== undefined) {
        ({ x, y } = binomialPosteriorCurve(f.a, f.b, f.r, f.id, f.idErr));
      } else {
        x = Float64Array.from({ length: 200 }, (_, i) => f.id - 5 * f.idErr + (10 * f.idErr * i) / 199);
        y = Float64Array.from(x, (d) => Math.exp(-0.5 * ((d - f.id) / f.idErr) ** 2) / (f.idErr * Math.sqrt(2 * Math.PI)));
      }
      return curveChart({ x, y, xTitle: 'intrinsic dimension d', yTitle: f.method === 'bayes' ? 'posterior density' : 'approximate likelihood', mark: f.id, title: res.summary() });
    },
  };
  return Object.freeze(res);
}

/**
 * n_i (the neighbours within r R_k of each point, the point itself included) at a fixed number of
 * neighbours (DADApy's _fix_k): scalar k counts distances <= r d_{i,k}; an array k counts < r d_{i,k_i}.
 */
export function fixK(nn: NeighborTable, k: number | ArrayLike<number>, r: number): { n: Float64Array; scale: number; kMean: number } {
  checkR(r);
  const w = nn.maxk + 1, N = nn.n, D = nn.distances;
  const n = new Float64Array(N);
  const rk = new Float64Array(N), rn = new Float64Array(N);
  if (typeof k === 'number') {
    if (!(Number.isInteger(k) && k > 0 && k < nn.maxk)) {
      throw new InputError(`k = ${k} must be a whole number with 0 < k < maxk = ${nn.maxk}`, 'Pass a smaller k or compute distances with a larger maxk');
    }
  } else {
    if (k.length !== N) throw new InputError(`k has ${k.length} entries but there are ${N} points`, 'Pass one k per point');
    for (let i = 0; i < N; i++) {
      if (!(k[i] > 0 && k[i] <= nn.maxk)) throw new InputError(`k[${i}] = ${k[i]} is outside 1..maxk = ${nn.maxk}`, 'Pass ks between 1 and maxk');
    }
  }
  for (let i = 0; i < N; i++) {
    const ki = typeof k === 'number' ? k : k[i];
    rk[i] = D[i * w + ki];
    rn[i] = rk[i] * r;
    let c = 0;
    if (typeof k === 'number') { for (let j = 0; j < w; j++) if (D[i * w + j] <= rn[i]) c++; }
    else { for (let j = 0; j < w; j++) if (D[i * w + j] < rn[i]) c++; }
    n[i] = c;
  }
  const kMean = typeof k === 'number' ? k : pairwiseSum(Float64Array.from(k)) / N;
  return { n, scale: 0.5 * (pairwiseSum(rk) / N + pairwiseSum(rn) / N), kMean };
}

/** Binomial ID at a fixed number of neighbours (DADApy's compute_id_binomial_k). */
export function binomialIdK(nn: NeighborTable, opts: BinomialKOptions): BinomialResult {
  checkOptionKeys(opts, BINOMIAL_K_KEYS, 'binomialIdK');
  const { k, r } = opts;
  const bayes = opts.bayes ?? true;
  // a copy at distance 0 sits inside every shell: n_i counts it whatever the dimension (DADApy warns and returns e.g. id -3.6)
  assertNoZeroDistances(nn, 'The binomial ID');
  const { n, scale, kMean } = fixK(nn, k, r);
  const N = n.length;
  const eN = pairwiseSum(n) / N;
  if (isClose1(eN)) {
    throw new InputError(`No point has a neighbour within the inner shell (mean n = ${eN})`, 'Increase k and/or the ratio r');
  }
  let id: number, idErr: number, a: number | undefined, b: number | undefined;
  if (!bayes) {
    id = Math.log((eN - 1) / (kMean - 1)) / Math.log(r);
    idErr = Math.sqrt(binomialCramerRao(id, kMean - 1, r, N));
  } else {
    const nm1 = Float64Array.from(n, (v) => v - 1);
    const post = binomialBetaPosterior(kMean - 1, nm1, r);
    id = post.mean; idErr = post.std; a = post.a; b = post.b;
  }
  const pv = opts.validate === false ? NaN
    : binomialModelValidation(typeof k === 'number' ? k : Float64Array.from(k), n, Math.pow(r, id), opts.rng ?? new SeededRng(1), opts.kBootstrap ?? 1);
  return result({ id, idErr, scale, pv, method: bayes ? 'bayes' : 'mle', r, n: N, fixed: 'k', a, b });
}

/**
 * k_i and n_i within a fixed radius rk and r rk (DADApy's _fix_rk; counts over the stored
 * table, the point included; '<=' for a scalar radius, '<' for per-point radii) and the mask of
 * points whose table reaches beyond rk (all when maxk = N - 1).
 */
export function fixRk(nn: NeighborTable, rk: number | ArrayLike<number>, r: number): { k: Float64Array; n: Float64Array; mask: Uint8Array } {
  checkR(r);
  const w = nn.maxk + 1, N = nn.n, D = nn.distances;
  if (typeof rk === 'number') {
    if (!(rk > 0)) throw new InputError(`The radius rk = ${rk} is not positive`, 'Pass rk > 0');
  } else {
    if (rk.length !== N) throw new InputError(`rk has ${rk.length} entries but there are ${N} points`, 'Pass one radius per point');
    for (let i = 0; i < N; i++) if (!(rk[i] > 0)) throw new InputError(`rk[${i}] = ${rk[i]} is not positive`, 'Pass positive radii');
  }
  const k = new Float64Array(N), n = new Float64Array(N), mask = new Uint8Array(N);
  for (let i = 0; i < N; i++) {
    const R = typeof rk === 'number' ? rk : rk[i];
    const Rn = R * r;
    let ck = 0, cn = 0;
    for (let j = 0; j < w; j++) {
      const d = D[i * w + j];
      if (typeof rk === 'number') { if (d <= R) ck++; if (d <= Rn) cn++; }
      else { if (d < R) ck++; if (d < Rn) cn++; }
    }
    k[i] = ck; n[i] = cn;
    mask[i] = nn.maxk === N - 1 || D[i * w + nn.maxk] > R ? 1 : 0;
  }
  return { k, n, mask };
}

/** Binomial ID at a fixed radius (DADApy's compute_id_binomial_rk). */
export function binomialIdRk(nn: NeighborTable, opts: BinomialRkOptions): BinomialResult {
  checkOptionKeys(opts, BINOMIAL_RK_KEYS, 'binomialIdRk');
  const { rk, r } = opts;
  const bayes = opts.bayes ?? true;
  assertNoZeroDistances(nn, 'The binomial ID');
  const { k, n, mask } = fixRk(nn, rk, r);
  const scale = typeof rk === 'number' ? 0.5 * (rk + rk * r)
    : 0.5 * (pairwiseSum(rk) / rk.length + pairwiseSum(Float64Array.from(rk, (v) => v * r)) / rk.length);
  const kE: number[] = [], nE: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]) { kE.push(k[i]); nE.push(n[i]); }
  const M = nE.length;
  if (M === 0) {
    throw new InputError(`No point has all its neighbours within rk = ${rk} in the table`, 'Lower rk or compute distances with a larger maxk');
  }
  const eN = pairwiseSum(nE) / M, eK = pairwiseSum(kE) / M;
  if (isClose1(eN)) {
    throw new InputError(`No point has a neighbour within the inner radius (mean n = ${eN})`, 'Increase rk and/or the ratio r');
  }
  let id: number, idErr: number, a: number | undefined, b: number | undefined;
  if (!bayes) {
    id = Math.log((eN - 1) / (eK - 1)) / Math.log(r);
    idErr = Math.sqrt(binomialCramerRao(id, eK - 1, r, M));
  } else {
    const post = binomialBetaPosterior(Float64Array.from(kE, (v) => v - 1), Float64Array.from(nE, (v) => v - 1), r);
    id = post.mean; idErr = post.std; a = post.a; b = post.b;
  }
  const pv = opts.validate === false ? NaN
    : binomialModelValidation(Float64Array.from(kE), Float64Array.from(nE), Math.pow(r, id), opts.rng ?? new SeededRng(1), opts.kBootstrap ?? 20);
  return result({ id, idErr, scale, pv, method: bayes ? 'bayes' : 'mle', r, n: M, fixed: 'rk', a, b });
}

/** The outcome of the k*-adaptive iterations (ABIDE / AGRIDE), immutable. */
export interface KstarIterationResult {
  readonly ids: Float64Array;
  readonly idsErr: Float64Array;
  /** k* of every point after each iteration ((nIter + 1) x N, DADApy's kstars). */
  readonly kstars: Int32Array[];
  /** ABIDE: model-validation p-values; AGRIDE: log-likelihoods. */
  readonly pvalues?: Float64Array;
  readonly logLikelihoods?: Float64Array;
  readonly method: 'ABIDE' | 'AGRIDE';
  summary(): string;
  plot(): Chart;
}

export function kstarIterationResult(method: 'ABIDE' | 'AGRIDE', ids: number[], errs: number[], kstars: Int32Array[], extra: number[]): KstarIterationResult {
  const idsA = Float64Array.from(ids), errsA = Float64Array.from(errs, (v) => v ?? NaN);
  const ex = Float64Array.from(extra);
  const r: KstarIterationResult = {
    ids: idsA, idsErr: errsA, kstars, method,
    ...(method === 'ABIDE' ? { pvalues: ex } : { logLikelihoods: ex }),
    summary() {
      const last = idsA.length - 1;
      const ks = kstars[kstars.length - 1];
      let s = 0;
      for (let i = 0; i < ks.length; i++) s += ks[i];
      return `ID ${fmt(idsA[last])} ± ${fmt(errsA[last])} (${method}, ${last} iterations, mean k* ${fmt(s / Math.max(1, ks.length))})`;
    },
    plot() {
      return idCurveChart({ x: idsA.map((_, i) => i), ids: idsA, idsErr: errsA.map((v) => (Number.isFinite(v) ? v : 0)), xTitle: 'iteration', title: r.summary() });
    },
  };
  return Object.freeze(r);
}
