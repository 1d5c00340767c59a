/**
 * The Differentiable Information Imbalance, NumPy/Cython version of DADApy (FeatureWeighting,
 * spec §12): feature weights w learned by gradient descent so that the weighted space A = w ⊙ X
 * predicts the neighbourhoods of a ground-truth space B. Distances are NOT squared, lambda is a
 * distance, the rank matrix puts each point itself last (rank N), and the gradient is DADApy's
 * hand-coded one, which is half the true derivative (reproduced so trajectories match DADApy).
 */
import { warn } from '../runtime/warnings';
import { checkOptionKeys, optionKeys } from '../options';
import { InputError, ConvergenceError } from '../errors';
import { asMatrix, Matrix, validateCoordinates, type MatrixLike } from '../matrix';
import { checkpoint } from '../runtime/progress';
import { ensureMemory } from '../runtime/memory';
import type { Chart } from '../../widgets/chart';
import { diiTrainingChart } from '../../widgets/compare/charts';

/** Square distance matrix (N x N row-major), periodic per feature where period[a] != 0. Diagonal max + 1. */
export function fullDistanceMatrix(X: Matrix, period: Float64Array | null = null, weights: Float64Array | null = null): Float64Array {
  const N = X.rows, D = X.cols, x = X.data;
  ensureMemory(3 * N * N * 8, `The differentiable information imbalance on ${N} points keeps ${N} x ${N} distance and rank matrices`,
    'Use a random subset of a few thousand points');
  const out = new Float64Array(N * N);
  const w = weights;
  let max = 0;
  for (let i = 0; i < N; i++) {
    for (let j = i + 1; j < N; j++) {
      let s = 0;
      for (let a = 0; a < D; a++) {
        let e = x[i * D + a] - x[j * D + a];
        const L = period ? period[a] : 0;
        if (L) { e = wrap(e, L); }
        if (w) e *= w[a];
        s += e * e;
      }
      const d = Math.sqrt(s);
      out[i * N + j] = d; out[j * N + i] = d;
      if (d > max) max = d;
    }
  }
  for (let i = 0; i < N; i++) out[i * N + i] = max + 1;
  return out;
}

/** Minimum image of a difference for box length L (coordinates wrapped into [0, L) first, as DADApy). */
function wrap(e: number, L: number): number {
  if (e > L / 2) return e - L;
  if (e < -L / 2) return e + L;
  return e;
}

/** DADApy wraps periodic coordinates into [0, L) before differencing. */
function wrapped(X: Matrix, period: Float64Array | null): Matrix {
  if (!period) return X;
  const N = X.rows, D = X.cols, out = new Float64Array(N * D);
  for (let i = 0; i < N; i++) {
    for (let a = 0; a < D; a++) {
      const L = period[a], v = X.data[i * D + a];
      out[i * D + a] = L ? ((v % L) + L) % L : v;
    }
  }
  return new Matrix(out, N, D);
}

/**
 * Ranks per row of the distance matrix (scipy rankdata 'average', truncated to int): 1 for the
 * nearest point, N for the point itself (its distance is max + 1).
 */
export function rankMatrix(Dm: Float64Array, N: number): Float64Array {
  const R = new Float64Array(N * N);
  const idx = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    const row = i * N;
    for (let j = 0; j < N; j++) idx[j] = j;
    idx.sort((a, b) => Dm[row + a] - Dm[row + b]);
    let s = 0;
    while (s < N) {
      let e = s + 1;
      while (e < N && Dm[row + idx[e]] === Dm[row + idx[s]]) e++;
      const r = Math.trunc((s + 1 + e) / 2); // average of ranks s+1..e
      for (let t = s; t < e; t++) R[row + idx[t]] = r;
      s = e;
    }
  }
  return R;
}

/** lambda = fraction (min_i delta_i + mean_i delta_i) / 2, delta_i the gap between i's second and first neighbour distances. */
export function optimalLambda(Dm: Float64Array, N: number, fraction = 1): number {
  let mn = Infinity, sum = 0, cnt = 0;
  for (let i = 0; i < N; i++) {
    let d1 = Infinity, d2 = Infinity;
    for (let j = 0; j < N; j++) {
      const d = Dm[i * N + j];
      if (d < d1) { d2 = d1; d1 = d; } else if (d < d2) d2 = d;
    }
    const g = d2 - d1;
    if (Number.isNaN(g)) continue;
    if (g < mn) mn = g;
    sum += g; cnt++;
  }
  return (fraction * (mn + sum / cnt)) / 2;
}

/** The softmax weights c_ij of row i (c_ii = 0) into `c`. */
function softmaxRow(Dm: Float64Array, N: number, i: number, lambda: number, c: Float64Array): void {
  const row = i * N;
  let m = Infinity;
  for (let j = 0; j < N; j++) if (Dm[row + j] < m) m = Dm[row + j];
  let z = 0;
  for (let j = 0; j < N; j++) {
    const e = j === i ? 0 : Math.exp(-(Dm[row + j] - m) / lambda);
    c[j] = e; z += e;
  }
  for (let j = 0; j < N; j++) c[j] /= z;
}

/** DII(A -> B) = 2 / N^2 sum_ij c_ij R_B[i, j], c the softmax of -D_A / lambda per row. */
export function diiValue(DA: Float64Array, RB: Float64Array, N: number, lambda: number): number {
  const c = new Float64Array(N);
  let s = 0;
  for (let i = 0; i < N; i++) {
    softmaxRow(DA, N, i, lambda, c);
    for (let j = 0; j < N; j++) s += c[j] * RB[i * N + j];
  }
  return (2 / (N * N)) * s;
}

/**
 * DADApy's DII gradient with respect to the weights at fixed lambda: HALF the true derivative
 * (verified in the tests against finite differences), zero where w = 0. `DA` is the distance
 * matrix of the weighted data, `X` the raw (wrapped) data.
 */
export function diiGradient(DA: Float64Array, X: Matrix, RB: Float64Array, weights: Float64Array, lambda: number,
  period: Float64Array | null = null): Float64Array {
  const N = X.rows, D = X.cols, x = X.data;
  const g = new Float64Array(D);
  const c = new Float64Array(N);
  const A = new Float64Array(D), Q = new Float64Array(D);
  for (let i = 0; i < N; i++) {
    softmaxRow(DA, N, i, lambda, c);
    A.fill(0); Q.fill(0);
    let P = 0;
    for (let j = 0; j < N; j++) {
      if (j === i || c[j] === 0) continue;
      const dij = DA[i * N + j];
      const cr = c[j] * RB[i * N + j];
      P += cr;
      for (let a = 0; a < D; a++) {
        let e = x[i * D + a] - x[j * D + a];
        if (period && period[a]) e = wrap(e, period[a]);
        const t = (e * e) / dij;
        A[a] += c[j] * t;
        Q[a] += cr * t;
      }
    }
    for (let a = 0; a < D; a++) g[a] += -Q[a] + A[a] * P;
  }
  for (let a = 0; a < D; a++) g[a] = weights[a] === 0 ? 0 : (weights[a] / (lambda * N * N)) * g[a];
  return g;
}

export type DecayingLr = 'exp' | 'cos' | 'static';

export interface OptimizeDiiOptions {
  /** Initial weights (D); default 1 / std of each feature. */
  weights0?: ArrayLike<number> | null;
  /** Fixed lambda (default: the optimal lambda, recomputed every epoch). */
  lambd?: number | null;
  nEpochs?: number;
  /** Learning rate (required here; the FeatureWeighting methods screen for one). */
  lRate: number;
  /** Rescale the weights so the largest is 1 after every step. */
  constrain?: boolean;
  l1Penalty?: number;
  decayingLr?: DecayingLr | string;
  period?: Float64Array | null;
  groundTruthPeriod?: Float64Array | null;
  /** Backward elimination mode: zero weights stay zero, negative updates are reflected, no L1. */
  staticZeros?: boolean;
  signal?: AbortSignal;
}

export interface DiiTrajectory {
  /** (nEpochs + 1) x D weights, one row per epoch. */
  readonly weights: Matrix;
  readonly diis: Float64Array;
  readonly l1Terms: Float64Array;
}

function lrAt(l: number, e: number, n: number, decay: string): number {
  if (decay === 'cos') return l * 0.5 * (1 + Math.cos((Math.PI * e) / n));
  if (decay === 'exp') return l * Math.pow(2, -e / 10);
  return l;
}

function stdWeights(X: Matrix): Float64Array {
  const N = X.rows, D = X.cols, w = new Float64Array(D);
  for (let a = 0; a < D; a++) {
    let m = 0;
    for (let i = 0; i < N; i++) m += X.data[i * D + a];
    m /= N;
    let s = 0;
    for (let i = 0; i < N; i++) s += (X.data[i * D + a] - m) ** 2;
    const sd = Math.sqrt(s / N);
    if (sd === 0) throw new InputError(`Feature ${a} is constant: its default weight 1 / std is infinite`, 'Drop constant features or pass initial weights');
    w[a] = 1 / sd;
  }
  return w;
}

/**
 * DADApy's _optimize_dii (and _optimize_dii_static_zeros with `staticZeros`): gradient descent on
 * the weights from the rank matrix of the ground truth, with the learning-rate decay, optional
 * L1 shrinkage (negative weights reflected to positive), optional constraint max|w| = 1, and the
 * optimal lambda recomputed each epoch unless fixed. Stops early (rows repeated) on a NaN gradient
 * or when every weight is zero.
 */
export async function optimizeDii(groundTruth: Matrix, data: Matrix, opts: OptimizeDiiOptions): Promise<DiiTrajectory> {
  const N = data.rows, D = data.cols;
  if (groundTruth.rows !== N) {
    throw new InputError(`The ground truth has ${groundTruth.rows} points but the data have ${N}`, 'Pass the same points in both');
  }
  const decay = opts.decayingLr ?? 'exp';
  if (decay !== 'exp' && decay !== 'cos' && decay !== 'static') {
    throw new InputError(`decayingLr = '${decay}' is not known`, "Use 'exp', 'cos' or 'static'");
  }
  const nEpochs = opts.nEpochs ?? 100, l1 = opts.staticZeros ? 0 : (opts.l1Penalty ?? 0);
  const period = opts.period ?? null;
  const X = wrapped(data, period);
  const RB = rankMatrix(fullDistanceMatrix(wrapped(groundTruth, opts.groundTruthPeriod ?? null), opts.groundTruthPeriod ?? null), N);
  const w0 = opts.weights0 ? Float64Array.from(opts.weights0) : stdWeights(data);
  if (w0.length !== D) throw new InputError(`${w0.length} initial weights for ${D} features`, `Pass ${D} weights`);
  const maxAbs = (w: Float64Array) => w.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  let scaling = opts.constrain ? 1 / maxAbs(w0) : 1;
  let w = w0.map((v) => scaling * v);
  const W = new Float64Array((nEpochs + 1) * D), diis = new Float64Array(nEpochs + 1), l1s = new Float64Array(nEpochs + 1);
  // the periodic distance of w x with period w L is w times the periodic difference of x with period L
  const dist = (ww: Float64Array) => fullDistanceMatrix(X, period, ww);
  let DA = dist(w);
  let lambda: number, adaptive: boolean;
  if (opts.lambd !== null && opts.lambd !== undefined) { lambda = scaling * opts.lambd; adaptive = false; } else { lambda = optimalLambda(DA, N); adaptive = true; }
  W.set(w, 0);
  diis[0] = diiValue(DA, RB, N, lambda);
  l1s[0] = l1 * w.reduce((s, v) => s + Math.abs(v), 0);
  let last = nEpochs;
  for (let e = 0; e < nEpochs; e++) {
    const g = diiGradient(DA, X, RB, w, lambda, period).map((v) => v * scaling);
    if (opts.staticZeros) for (let a = 0; a < D; a++) if (w[a] === 0) g[a] = 0;
    if (g.some((v) => Number.isNaN(v))) {
      warn('The DII gradient is NaN (duplicate points, or lambda = 0): the optimisation stopped early', 'numerical');
      last = e; break;
    }
    const lr = lrAt(opts.lRate, e, nEpochs, decay);
    const wn = new Float64Array(D);
    for (let a = 0; a < D; a++) {
      let v = w[a] - lr * g[a];
      if (opts.staticZeros) v = Math.abs(v);
      else if (v > 0) v = Math.max(0, v - lr * l1);
      else if (v < 0) v = Math.abs(Math.min(0, v + lr * l1));
      wn[a] = v;
    }
    if (wn.every((v) => v === 0)) {
      warn('All weights became zero: the L1 penalty is too high (the optimisation stopped early)', 'numerical');
      last = e; break;
    }
    if (opts.constrain) scaling = 1 / maxAbs(wn);
    w = wn.map((v) => scaling * v);
    DA = dist(w);
    lambda = scaling * lambda;
    if (adaptive) lambda = optimalLambda(DA, N);
    diis[e + 1] = diiValue(DA, RB, N, lambda);
    l1s[e + 1] = l1 * w.reduce((s, v) => s + Math.abs(v), 0);
    W.set(w, (e + 1) * D);
    if (e % 5 === 4) await checkpoint(opts.signal);
  }
  // early stop: the remaining rows repeat the last valid epoch
  for (let e = last + 1; e <= nEpochs; e++) {
    W.copyWithin(e * D, last * D, (last + 1) * D);
    diis[e] = diis[last]; l1s[e] = l1s[last];
  }
  return Object.freeze({ weights: new Matrix(W, nEpochs + 1, D), diis, l1Terms: l1 === 0 ? new Float64Array(nEpochs + 1) : l1s });
}

function rowOf(m: Matrix, r: number): Float64Array {
  return m.data.slice(r * m.cols, (r + 1) * m.cols) as Float64Array;
}

function nonzero(w: ArrayLike<number>): number {
  let c = 0;
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) c++;
  return c;
}

/** A DII optimisation (immutable): final weights, per-epoch history, plot of the training curves. */
export interface DiiOptimization {
  readonly weights: Float64Array;
  readonly weightsPerEpoch: Matrix;
  readonly diiPerEpoch: Float64Array;
  readonly l1TermPerEpoch: Float64Array;
  readonly learningRate: number;
  summary(): string;
  plot(): Chart;
}

export interface BackwardElimination {
  /** DII at the end of each run: index r has D - r active features. */
  readonly diis: Float64Array;
  /** D x D: the final weights of each run. */
  readonly weights: Matrix;
  /** D x (epochs + 1) DIIs and D x (epochs + 1) x D weights (NaN where unused). */
  readonly diiPerEpoch: Matrix;
  readonly weightsPerEpoch: Float64Array;
  summary(): string;
  plot(): Chart;
}

export interface LassoSearch {
  /** Index r: runs with D - r non-zero features. */
  readonly numNonzeroFeatures: Float64Array;
  readonly l1PenaltiesOptPerNfeatures: Float64Array;
  readonly diiOptPerNfeatures: Float64Array;
  /** D x D (NaN rows where no run produced that count). */
  readonly weightsOptPerNfeatures: Matrix;
  readonly l1Penalties: Float64Array;
  summary(): string;
  plot(): Chart;
}

type Period = number | ArrayLike<number> | null | undefined;

function parsePeriodDii(p: Period, D: number): Float64Array | null {
  if (p === null || p === undefined) return null;
  if (typeof p === 'number') return new Float64Array(D).fill(p);
  if (typeof p !== 'object' || typeof p.length !== 'number' || p.length !== D) {
    throw new InputError(`The period must be a number or ${D} numbers`, `Pass a number or an array of ${D} box lengths (0: not periodic)`);
  }
  return Float64Array.from(p);
}

function parseWeights(w: number | ArrayLike<number> | null | undefined, X: Matrix): Float64Array {
  if (w === null || w === undefined) return stdWeights(X);
  if (typeof w === 'number') return new Float64Array(X.cols).fill(w);
  if (typeof w !== 'object' || w.length !== X.cols) {
    throw new InputError(`initialWeights must be a number or ${X.cols} numbers`, `Pass ${X.cols} weights`);
  }
  return Float64Array.from(w);
}

/** The target space of a DII: coordinates (not periodic) or another FeatureWeighting (with its period). */
export type DiiTarget = MatrixLike | FeatureWeighting;

export interface DiiOptions {
  targetData: DiiTarget;
  /** Softmax scale lambda (default the optimal one of the unweighted distances). */
  lambd?: number | null;
}
export interface DiiGradientOptions extends DiiOptions {
  weights: ArrayLike<number>;
}
export interface OptimalLearningRateOptions extends DiiOptions {
  nEpochs?: number;
  /** The screening uses the last nSamples points (default 200). */
  nSamples?: number;
  initialWeights?: number | ArrayLike<number> | null;
  decayingLr?: DecayingLr;
  trialLearningRates?: number[] | null;
}
export interface WeightsOptimizeDiiOptions extends DiiOptions {
  nEpochs?: number;
  constrain?: boolean;
  initialWeights?: number | ArrayLike<number> | null;
  /** Learning rate (default: screened with returnOptimalLearningRate). */
  learningRate?: number | null;
  l1Penalty?: number;
  decayingLr?: DecayingLr;
  signal?: AbortSignal;
}
export interface BackwardGreedyDiiOptions extends DiiOptions {
  initialWeights?: number | ArrayLike<number> | null;
  nEpochs?: number;
  learningRate?: number | null;
  constrain?: boolean;
  decayingLr?: DecayingLr;
  signal?: AbortSignal;
}
export interface LassoDiiSearchOptions extends BackwardGreedyDiiOptions {
  /** Penalties tried (default ten, log-spaced from the learning rate). */
  l1Penalties?: number | ArrayLike<number> | null;
  /** Add penalties between two that dropped more than one feature. */
  refine?: boolean;
}

export const DII_KEYS = optionKeys<DiiOptions>({ targetData: 1, lambd: 1 });
export const DII_GRADIENT_KEYS = optionKeys<DiiGradientOptions>({ targetData: 1, lambd: 1, weights: 1 });
export const OPTIMAL_LR_KEYS = optionKeys<OptimalLearningRateOptions>({ targetData: 1, lambd: 1, nEpochs: 1, nSamples: 1, initialWeights: 1, decayingLr: 1, trialLearningRates: 1 });
export const OPTIMIZE_DII_KEYS = optionKeys<WeightsOptimizeDiiOptions>({ targetData: 1, lambd: 1, nEpochs: 1, constrain: 1, initialWeights: 1, learningRate: 1, l1Penalty: 1, decayingLr: 1, signal: 1 });
export const BACKWARD_DII_KEYS = optionKeys<BackwardGreedyDiiOptions>({ targetData: 1, lambd: 1, initialWeights: 1, nEpochs: 1, learningRate: 1, constrain: 1, decayingLr: 1, signal: 1 });
export const LASSO_DII_KEYS = optionKeys<LassoDiiSearchOptions>({ targetData: 1, lambd: 1, initialWeights: 1, nEpochs: 1, learningRate: 1, constrain: 1, decayingLr: 1, signal: 1, l1Penalties: 1, refine: 1 });

/**
 * DADApy's FeatureWeighting: the DII between this data set (the space whose features are
 * weighted) and a ground truth, with full N x N matrices (keep N to a few thousand).
 */
export class FeatureWeighting {
  readonly X: Matrix;
  readonly N: number;
  readonly dims: number;
  readonly period: Float64Array | null;
  /** Learning-rate screening and optimisation histories (DADApy's `history` dict). */
  history: Record<string, unknown> = {};
  private dm: Float64Array | null = null;

  constructor(coordinates: MatrixLike, opts: { period?: Period } = {}) {
    checkOptionKeys(opts, ['period'], 'new FeatureWeighting');
    this.X = asMatrix(coordinates);
    validateCoordinates(this.X, 3);
    this.N = this.X.rows;
    this.dims = this.X.cols;
    this.period = parsePeriodDii(opts.period, this.dims);
  }

  /** The unweighted full distance matrix (cached). */
  get fullDistanceMatrix(): Float64Array {
    if (!this.dm) this.dm = fullDistanceMatrix(wrapped(this.X, this.period), this.period);
    return this.dm;
  }

  private target(targetData: MatrixLike | FeatureWeighting): { M: Matrix; period: Float64Array | null } {
    if (targetData === undefined || targetData === null) {
      throw new InputError('The target space of the DII is missing', 'Pass { targetData: Y } (coordinates of the same points, a FeatureWeighting or a Data object)');
    }
    if (targetData instanceof FeatureWeighting) {
      if (targetData.N !== this.N) throw new InputError(`The target has ${targetData.N} points but the data have ${this.N}`, 'Pass the same points');
      return { M: targetData.X, period: targetData.period };
    }
    const M = asMatrix(targetData);
    validateCoordinates(M, 2);
    if (M.rows !== this.N) throw new InputError(`The target has ${M.rows} points but the data have ${this.N}`, 'Pass the same points');
    return { M, period: null };
  }

  returnOptimalLambda(opts: { fraction?: number } = {}): number {
    checkOptionKeys(opts, ['fraction'], 'returnOptimalLambda');
    return optimalLambda(this.fullDistanceMatrix, this.N, opts.fraction ?? 1);
  }

  /** DII(this data -> target), lambda default the optimal one. */
  returnDii(opts: DiiOptions): number {
    checkOptionKeys(opts, DII_KEYS, 'returnDii');
    const t = this.target(opts.targetData);
    const RB = rankMatrix(fullDistanceMatrix(wrapped(t.M, t.period), t.period), this.N);
    const lambda = opts.lambd ?? this.returnOptimalLambda();
    return diiValue(this.fullDistanceMatrix, RB, this.N, lambda);
  }

  /**
   * DADApy's gradient (half the derivative) at `weights`; lambda default from the UNWEIGHTED
   * matrix as in DADApy (which also mutates its period here: we do not).
   */
  returnDiiGradient(opts: DiiGradientOptions): Float64Array {
    checkOptionKeys(opts, DII_GRADIENT_KEYS, 'returnDiiGradient');
    const t = this.target(opts.targetData);
    const RB = rankMatrix(fullDistanceMatrix(wrapped(t.M, t.period), t.period), this.N);
    const w = Float64Array.from(opts.weights);
    const X = wrapped(this.X, this.period);
    const DA = fullDistanceMatrix(X, this.period, w);
    const lambda = opts.lambd ?? this.returnOptimalLambda();
    return diiGradient(DA, X, RB, w, lambda, this.period);
  }

  /** Screens learning rates on the last nSamples points (default 200) and returns the one with the lowest final DII. */
  async returnOptimalLearningRate(opts: OptimalLearningRateOptions): Promise<number> {
    checkOptionKeys(opts, OPTIMAL_LR_KEYS, 'returnOptimalLearningRate');
    const t = this.target(opts.targetData);
    const nS = opts.nSamples ?? 200;
    let A = this.X, B = t.M;
    if (nS <= this.N) {
      const rows = Int32Array.from({ length: nS }, (_, i) => this.N - nS + i);
      A = A.selectRows(rows); B = B.selectRows(rows);
    }
    const rates = opts.trialLearningRates ?? [0.001, 0.01, 0.1, 1, 10, 50, 100, 200];
    const w0 = parseWeights(opts.initialWeights, this.X);
    const finals: number[] = [];
    const weightsPer: Matrix[] = [], diiPer: Float64Array[] = [];
    for (const lr of rates) {
      const tr = await optimizeDii(B, A, { weights0: w0, lambd: opts.lambd, nEpochs: opts.nEpochs ?? 50, lRate: lr, constrain: false, l1Penalty: 0, decayingLr: opts.decayingLr ?? 'exp', period: this.period, groundTruthPeriod: t.period });
      finals.push(tr.diis[tr.diis.length - 1]);
      weightsPer.push(tr.weights); diiPer.push(tr.diis);
    }
    let best = -1;
    for (let i = 0; i < finals.length; i++) if (!Number.isNaN(finals[i]) && (best < 0 || finals[i] < finals[best])) best = i;
    if (best < 0) throw new ConvergenceError('Every trial learning rate gave a NaN DII', 'Check the data for duplicate points');
    this.history = { ...this.history, diiPerEpochPerLr: diiPer, weightsPerEpochPerLr: weightsPer, trialLearningRates: rates };
    return rates[best];
  }

  /** Optimises the weights (DADApy's return_weights_optimize_dii); the learning rate is screened when not given. */
  async returnWeightsOptimizeDii(opts: WeightsOptimizeDiiOptions): Promise<DiiOptimization> {
    checkOptionKeys(opts, OPTIMIZE_DII_KEYS, 'returnWeightsOptimizeDii');
    const t = this.target(opts.targetData);
    const lr = opts.learningRate ?? await this.returnOptimalLearningRate({ targetData: opts.targetData, initialWeights: opts.initialWeights, lambd: opts.lambd, decayingLr: opts.decayingLr });
    const tr = await optimizeDii(t.M, this.X, {
      weights0: parseWeights(opts.initialWeights, this.X), lambd: opts.lambd, nEpochs: opts.nEpochs ?? 100, lRate: lr,
      constrain: opts.constrain ?? false, l1Penalty: opts.l1Penalty ?? 0, decayingLr: opts.decayingLr ?? 'exp',
      period: this.period, groundTruthPeriod: t.period, signal: opts.signal,
    });
    this.history = { ...this.history, weightsPerEpoch: tr.weights, diiPerEpoch: tr.diis, l1TermPerEpoch: tr.l1Terms };
    const final = rowOf(tr.weights, tr.weights.rows - 1);
    const nE = tr.diis.length - 1;
    return Object.freeze({
      weights: final, weightsPerEpoch: tr.weights, diiPerEpoch: tr.diis, l1TermPerEpoch: tr.l1Terms, learningRate: lr,
      summary: () => `DII ${tr.diis[0].toFixed(4)} -> ${tr.diis[nE].toFixed(4)} in ${nE} epochs (lr ${lr}); weights [${Array.from(final, (v) => v.toPrecision(3)).join(', ')}]`,
      plot: () => diiTrainingChart({ weights: Array.from({ length: tr.weights.rows }, (_, r) => rowOf(tr.weights, r)), imbalances: tr.diis }),
    });
  }

  /**
   * Backward greedy elimination: optimise, drop the smallest non-zero weight, re-optimise from the
   * remaining weights (zeros stay zero), until one feature is left. diis[r] has D - r features.
   */
  async returnBackwardGreedyDiiElimination(opts: BackwardGreedyDiiOptions): Promise<BackwardElimination> {
    checkOptionKeys(opts, BACKWARD_DII_KEYS, 'returnBackwardGreedyDiiElimination');
    const t = this.target(opts.targetData);
    const D = this.dims, nE = opts.nEpochs ?? 100;
    const warm = await this.returnWeightsOptimizeDii({
      targetData: opts.targetData, initialWeights: opts.initialWeights, lambd: opts.lambd, nEpochs: opts.nEpochs,
      learningRate: opts.learningRate, constrain: opts.constrain, decayingLr: opts.decayingLr, signal: opts.signal, l1Penalty: 0,
    });
    const lr = warm.learningRate;
    let w = Float64Array.from(warm.weights);
    const diis = new Float64Array(D).fill(NaN), W = new Float64Array(D * D).fill(NaN);
    const diiEp = new Float64Array(D * (nE + 1)).fill(NaN), wEp = new Float64Array(D * (nE + 1) * D).fill(NaN);
    while (nonzero(w) >= 1) {
      const tr = await optimizeDii(t.M, this.X, {
        weights0: w, lambd: opts.lambd, nEpochs: nE, lRate: lr, constrain: opts.constrain ?? false,
        decayingLr: opts.decayingLr ?? 'exp', period: this.period, groundTruthPeriod: t.period, staticZeros: true, signal: opts.signal,
      });
      const r = D - nonzero(w);
      const fin = rowOf(tr.weights, nE);
      diis[r] = tr.diis[nE];
      W.set(fin, r * D);
      diiEp.set(tr.diis, r * (nE + 1));
      wEp.set(tr.weights.data, r * (nE + 1) * D);
      w = Float64Array.from(fin);
      let arg = -1;
      for (let a = 0; a < D; a++) if (w[a] !== 0 && (arg < 0 || w[a] < w[arg])) arg = a;
      if (arg < 0) break;
      w[arg] = 0;
    }
    this.history = { ...this.history, diiPerEpoch: diiEp, weightsPerEpoch: wEp };
    const Wm = new Matrix(W, D, D);
    return Object.freeze({
      diis, weights: Wm, diiPerEpoch: new Matrix(diiEp, D, nE + 1), weightsPerEpoch: wEp,
      summary: () => `backward elimination: DII ${Array.from(diis, (v, r) => `${D - r}: ${v.toFixed(3)}`).join(', ')}`,
      plot: () => diiTrainingChart({ weights: Array.from({ length: D }, (_, r) => rowOf(Wm, r)), imbalances: diis, title: 'Backward elimination: DII and weights per step (D, D-1, ... features)' }),
    });
  }

  /**
   * The lasso search: optimise with a range of L1 penalties and keep, for each number of non-zero
   * features, the run with the lowest final DII (index r: D - r features; NaN where none).
   */
  async returnLassoOptimizationDiiSearch(opts: LassoDiiSearchOptions): Promise<LassoSearch> {
    checkOptionKeys(opts, LASSO_DII_KEYS, 'returnLassoOptimizationDiiSearch');
    const t = this.target(opts.targetData);
    const D = this.dims, nE = opts.nEpochs ?? 100;
    const w0 = parseWeights(opts.initialWeights, this.X);
    const lr = opts.learningRate ?? await this.returnOptimalLearningRate({ targetData: opts.targetData, initialWeights: w0, lambd: opts.lambd, decayingLr: opts.decayingLr });
    let pens: number[];
    if (opts.l1Penalties === null || opts.l1Penalties === undefined) {
      const lo = Math.floor(Math.log10(1 / lr / 1000)), hi = Math.ceil(Math.log10(1.5 / lr));
      pens = [0, ...Array.from({ length: 9 }, (_, i) => Math.pow(10, lo + ((hi - lo) * i) / 8))];
    } else if (typeof opts.l1Penalties === 'number') pens = [opts.l1Penalties];
    else pens = Array.from(opts.l1Penalties);
    const run = (p: number) => optimizeDii(t.M, this.X, {
      weights0: w0, lambd: opts.lambd, nEpochs: nE, lRate: lr, constrain: opts.constrain ?? false, l1Penalty: p,
      decayingLr: opts.decayingLr ?? 'exp', period: this.period, groundTruthPeriod: t.period, signal: opts.signal,
    });
    let runs = [];
    for (const p of pens) runs.push({ p, tr: await run(p) });
    const count = (r: { tr: DiiTrajectory }) => nonzero(rowOf(r.tr.weights, nE));
    if (opts.refine && runs.length > 1 && count(runs[0]) === D) {
      const refined = [runs[0]];
      for (let i = 1; i < runs.length; i++) {
        const drop = count(runs[i - 1]) - count(runs[i]);
        if (drop > 1) {
          const n = Math.trunc(2 * drop), a = runs[i - 1].p, b = runs[i].p;
          for (let s = 1; s <= n; s++) {
            const p = a + ((b - a) * s) / (n + 1);
            refined.push({ p, tr: await run(p) });
          }
        }
        refined.push(runs[i]);
      }
      runs = refined;
    }
    const num = new Float64Array(D).fill(NaN), bestP = new Float64Array(D).fill(NaN), bestD = new Float64Array(D).fill(NaN);
    const bestW = new Float64Array(D * D).fill(NaN);
    for (let n = D; n >= 1; n--) {
      const r = D - n;
      for (const run of runs) {
        if (count(run) !== n) continue;
        const d = run.tr.diis[nE];
        if (Number.isNaN(bestD[r]) || d < bestD[r]) {
          num[r] = n; bestP[r] = run.p; bestD[r] = d; bestW.set(rowOf(run.tr.weights, nE), r * D);
        }
      }
    }
    this.history = { ...this.history, l1Penalties: runs.map((r) => r.p), weightsPerL1PerEpoch: runs.map((r) => r.tr.weights), diiPerL1PerEpoch: runs.map((r) => r.tr.diis), l1TermPerL1PerEpoch: runs.map((r) => r.tr.l1Terms) };
    const Wm = new Matrix(bestW, D, D);
    return Object.freeze({
      numNonzeroFeatures: num, l1PenaltiesOptPerNfeatures: bestP, diiOptPerNfeatures: bestD, weightsOptPerNfeatures: Wm,
      l1Penalties: Float64Array.from(runs, (r) => r.p),
      summary: () => `lasso search over ${runs.length} penalties: ${Array.from(num).filter((v) => !Number.isNaN(v)).length} feature counts reached`,
      plot: () => diiTrainingChart({ weights: Array.from({ length: D }, (_, r) => rowOf(Wm, r)), imbalances: bestD, title: 'Lasso search: best DII and weights per number of features (D, D-1, ...)' }),
    });
  }
}
