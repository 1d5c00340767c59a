/**
 * The mini-batch Differentiable Information Imbalance of DADApy's JAX class DiffImbalance (spec
 * §13), in float64 with a hand-written gradient instead of automatic differentiation: squared
 * weighted distances, lambda per point (or global) from the k-th neighbour times lambdaFactor and
 * differentiated through, ranks 0-based with the point itself 0, k following a rounded cosine
 * schedule, SGD / Adam / AdamW with constant, cosine or exponential learning rates, L1 clipping
 * and renormalisation of the weights to their initial norm after every step.
 * Randomness (row subsampling, batch permutations, the final train/test split) goes through an
 * injected Rng (DADApy uses JAX's threefry: the same statistics, not the same draws).
 */
import { checkOptionKeys, optionKeys } from '../options';
import { ConvergenceError, InputError, StateError } from '../errors';
import { asMatrix, Matrix, validateCoordinates, type MatrixLike } from '../matrix';
import { checkpoint } from '../runtime/progress';
import { SeededRng, type Rng } from '../stats/rng';
import type { Chart } from '../../widgets/chart';
import { diiTrainingChart, greedyCurveChart } from '../../widgets/compare/charts';

function rint(x: number): number {
  const f = Math.floor(x), d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Per-feature differences of two rows, minimum image where period > 0 (JAX's round-half-even). */
function diff(x: Float64Array, i: number, j: number, D: number, a: number, period: Float64Array | null): number {
  let e = x[i * D + a] - x[j * D + a];
  if (period && period[a] > 0) e -= rint(e / period[a]) * period[a];
  return e;
}

/** argsort(argsort(row)): 0-based ranks, ties by position (stable). */
function rankRow(v: Float64Array): Float64Array {
  const n = v.length, idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => (v[a] - v[b]) || a - b);
  const r = new Float64Array(n);
  for (let t = 0; t < n; t++) r[idx[t]] = t;
  return r;
}

/** The k-th smallest value of a row (k >= 1). */
function kthSmallest(v: Float64Array, k: number, exclude: number): number {
  const arr: number[] = [];
  for (let j = 0; j < v.length; j++) if (j !== exclude) arr.push(v[j]);
  arr.sort((a, b) => a - b);
  return arr[Math.min(k, arr.length) - 1];
}

export interface BatchDii {
  value: number;
  /** d DII / d params (only when asked). */
  grad: Float64Array | null;
  /** Per-row contributions v_i = 2/(ncols + offset) sum_j r_ij c_ij. */
  perRow: Float64Array;
}

export interface BatchSpec {
  /** Indices (into X) of the rows and columns of the batch. */
  rows: Int32Array;
  cols: Int32Array;
  /** nrows x ncols target ranks. */
  ranks: Float64Array;
  /** Whether row r is column r (the leading square block): its self-distance is excluded. */
  selfInColumns: boolean;
  /** Normalisation 2 / (ncols + rankOffset): 0 in training (ranks 0..ncols-1), 1 in the final error mode (ranks 1..ncols). */
  rankOffset: number;
}

/**
 * The DII of a batch and its analytic gradient with respect to the weights:
 * d2_ij = sum_a (w_a Delta_ija)^2, lambda_i = factor * (k-th smallest d2_i.) (or their mean),
 * c_ij = softmax_j(-d2_ij / lambda_i), DII = 2 / (ncols nrows) sum_ij r_ij c_ij, and
 * dDII/dw_a = 2/(ncols nrows) sum_i [sum_j r c s'_a - (sum_j r c)(sum_j c s'_a)],
 * s'_ija = -2 w_a Delta2_ija / lambda_i + d2_ij lambda'_ia / lambda_i^2.
 */
export function batchDii(X: Matrix, weightsPerFeature: Float64Array, period: Float64Array | null, b: BatchSpec,
  k: number, lambdaFactor: number, pointAdapt: boolean, withGrad: boolean): BatchDii {
  const D = X.cols, x = X.data as Float64Array;
  const nr = b.rows.length, nc = b.cols.length;
  const w = weightsPerFeature;
  const d2 = new Float64Array(nr * nc);
  const lam = new Float64Array(nr);
  const nnCol = new Int32Array(nr);
  for (let i = 0; i < nr; i++) {
    const ri = b.rows[i];
    for (let j = 0; j < nc; j++) {
      const cj = b.cols[j];
      let s = 0;
      for (let a = 0; a < D; a++) { const e = w[a] * diff(x, ri, cj, D, a, period); s += e * e; }
      d2[i * nc + j] = s;
    }
  }
  for (let i = 0; i < nr; i++) {
    const row = d2.subarray(i * nc, (i + 1) * nc);
    const self = b.selfInColumns ? i : -1;
    const kk = Math.min(k, 100, nc - (self >= 0 ? 1 : 0));
    const v = kthSmallest(row, kk, self);
    lam[i] = lambdaFactor * v;
    // the column of that neighbour (first one at that value, excluding self)
    let at = -1;
    for (let j = 0; j < nc; j++) if (j !== self && row[j] === v) { at = j; break; }
    nnCol[i] = at;
  }
  let gl = 0;
  if (!pointAdapt) {
    for (let i = 0; i < nr; i++) gl += lam[i];
    gl /= nr;
  }
  const perRow = new Float64Array(nr);
  const norm = 2 / (nc + b.rankOffset);
  const c = new Float64Array(nc);
  const grad = withGrad ? new Float64Array(D) : null;
  // per-row sums for the gradient
  const Qr = new Float64Array(D), Qc = new Float64Array(D);
  const rowP = new Float64Array(nr), rowT = new Float64Array(nr), rowU = new Float64Array(nr);
  const rowQr = withGrad ? new Float64Array(nr * D) : null, rowQc = withGrad ? new Float64Array(nr * D) : null;
  for (let i = 0; i < nr; i++) {
    const L = pointAdapt ? lam[i] : gl;
    const self = b.selfInColumns ? i : -1;
    let mn = Infinity;
    for (let j = 0; j < nc; j++) if (j !== self && d2[i * nc + j] < mn) mn = d2[i * nc + j];
    let z = 0;
    for (let j = 0; j < nc; j++) {
      const e = j === self ? 0 : Math.exp(-(d2[i * nc + j] - mn) / L);
      c[j] = e; z += e;
    }
    let P = 0, T = 0, U = 0;
    if (withGrad) { Qr.fill(0); Qc.fill(0); }
    for (let j = 0; j < nc; j++) {
      const cj = c[j] / z;
      c[j] = cj;
      const r = b.ranks[i * nc + j];
      P += r * cj;
      if (withGrad && cj !== 0) {
        const dd = d2[i * nc + j];
        T += r * cj * dd; U += cj * dd;
        for (let a = 0; a < D; a++) {
          const e = diff(x, b.rows[i], b.cols[j], D, a, period), e2 = e * e;
          Qr[a] += r * cj * e2; Qc[a] += cj * e2;
        }
      }
    }
    perRow[i] = norm * P;
    if (withGrad) {
      rowP[i] = P; rowT[i] = T; rowU[i] = U;
      rowQr!.set(Qr, i * D); rowQc!.set(Qc, i * D);
    }
  }
  let value = 0;
  for (let i = 0; i < nr; i++) value += perRow[i];
  value /= nr;
  if (grad) {
    // lambda'_ia = factor * 2 w_a Delta2_{i, nn(i), a}; global: its mean over i
    const lp = new Float64Array(nr * D);
    for (let i = 0; i < nr; i++) {
      const j = nnCol[i];
      for (let a = 0; a < D; a++) {
        const e = diff(x, b.rows[i], b.cols[j], D, a, period);
        lp[i * D + a] = lambdaFactor * 2 * w[a] * e * e;
      }
    }
    const lpMean = new Float64Array(D);
    if (!pointAdapt) {
      for (let i = 0; i < nr; i++) for (let a = 0; a < D; a++) lpMean[a] += lp[i * D + a];
      for (let a = 0; a < D; a++) lpMean[a] /= nr;
    }
    for (let i = 0; i < nr; i++) {
      const L = pointAdapt ? lam[i] : gl;
      for (let a = 0; a < D; a++) {
        const l1 = pointAdapt ? lp[i * D + a] : lpMean[a];
        const rcs = (-2 * w[a] * rowQr![i * D + a]) / L + (rowT[i] * l1) / (L * L);
        const cs = (-2 * w[a] * rowQc![i * D + a]) / L + (rowU[i] * l1) / (L * L);
        grad[a] += rcs - rowP[i] * cs;
      }
    }
    const f = 2 / ((nc + b.rankOffset) * nr);
    for (let a = 0; a < D; a++) grad[a] *= f;
  }
  return { value, grad, perRow };
}

export type OptimizerName = 'sgd' | 'adam' | 'adamw';

export interface DiffImbalanceOptions {
  /** Space B as a square distance matrix instead of features. */
  distancesB?: MatrixLike | null;
  periodsA?: number | ArrayLike<number> | null;
  periodsB?: number | ArrayLike<number> | null;
  numEpochs?: number;
  batchesPerEpoch?: number;
  /** Seed of the default generator (DADApy's seed, 0). */
  seed?: number;
  rng?: Rng;
  l1Strength?: number;
  pointAdaptLambda?: boolean;
  kInit?: number;
  kFinal?: number;
  lambdaFactor?: number;
  paramsInit?: ArrayLike<number> | null;
  /** Feature group sizes sharing one weight (summing to D_A). */
  paramsGroups?: ArrayLike<number> | null;
  optimizerName?: OptimizerName | string;
  learningRate?: number;
  learningRateDecay?: 'cos' | 'exp' | null;
  /** Rows subsampled for training (default all). */
  numPointsRows?: number | null;
}
const DIFF_IMBALANCE_KEYS = optionKeys<DiffImbalanceOptions>({
  distancesB: 1, periodsA: 1, periodsB: 1, numEpochs: 1, batchesPerEpoch: 1, seed: 1, rng: 1, l1Strength: 1, pointAdaptLambda: 1,
  kInit: 1, kFinal: 1, lambdaFactor: 1, paramsInit: 1, paramsGroups: 1, optimizerName: 1, learningRate: 1, learningRateDecay: 1, numPointsRows: 1,
});

function periods(p: number | ArrayLike<number> | null | undefined, D: number): Float64Array | null {
  if (p === null || p === undefined) return null;
  if (typeof p === 'number') return new Float64Array(D).fill(p);
  if (p.length !== D) throw new InputError(`${p.length} periods for ${D} features`, `Pass ${D} periods (0: not periodic) or one number`);
  return Float64Array.from(p);
}

/** The training of a DiffImbalance (immutable). */
export interface DiiTraining {
  /** (epochs + 1) x nparams absolute weights. */
  readonly paramsTraining: Matrix;
  readonly imbsTraining: Float64Array;
  readonly paramsFinal: Float64Array;
  summary(): string;
  plot(): Chart;
}

export class DiffImbalance {
  readonly A: Matrix;
  readonly N: number;
  readonly nparams: number;
  readonly opts: Required<Pick<DiffImbalanceOptions, 'numEpochs' | 'batchesPerEpoch' | 'l1Strength' | 'pointAdaptLambda' | 'kInit' | 'kFinal' | 'lambdaFactor' | 'learningRate'>> & { optimizerName: OptimizerName; learningRateDecay: 'cos' | 'exp' | null };
  readonly periodsA: Float64Array | null;
  readonly paramsInit: Float64Array;
  readonly groups: Int32Array | null;
  readonly rows: Int32Array;
  readonly cols: Int32Array;
  /** nrows x ncols target ranks (0-based, self 0). */
  readonly ranksB: Float64Array;
  private readonly dB: (i: number, j: number) => number;
  private readonly rng: Rng;
  private readonly dataB: MatrixLike | null;
  private readonly ctor: DiffImbalanceOptions;
  paramsFinal: Float64Array | null = null;
  paramsTraining: Matrix | null = null;
  imbsTraining: Float64Array | null = null;
  private step = 0;

  constructor(dataA: MatrixLike, dataB: MatrixLike | null, o: DiffImbalanceOptions = {}) {
    checkOptionKeys(o, DIFF_IMBALANCE_KEYS, 'new DiffImbalance');
    this.A = asMatrix(dataA).toFloat64();
    validateCoordinates(this.A, 3);
    this.dataB = dataB;
    this.ctor = { ...o };
    const N = this.N = this.A.rows, D = this.A.cols;
    this.rng = o.rng ?? new SeededRng(o.seed ?? 0);
    this.periodsA = periods(o.periodsA, D);
    if (o.distancesB) {
      const M = asMatrix(o.distancesB);
      if (M.rows !== M.cols || M.rows !== N) throw new InputError(`distancesB is ${M.rows} x ${M.cols}, not ${N} x ${N}`, 'Pass the square distance matrix of the same points');
      this.dB = (i, j) => M.data[i * N + j];
    } else {
      if (!dataB) throw new InputError('Space B is missing', 'Pass dataB (features) or distancesB (a square matrix)');
      const B = asMatrix(dataB).toFloat64();
      validateCoordinates(B, 3);
      if (B.rows !== N) throw new InputError(`Space B has ${B.rows} points but A has ${N}`, 'Pass the same points in both spaces');
      const pB = periods(o.periodsB, B.cols);
      const xb = B.data as Float64Array;
      this.dB = (i, j) => { let s = 0; for (let a = 0; a < B.cols; a++) { const e = diff(xb, i, j, B.cols, a, pB); s += e * e; } return s; };
    }
    const opt = (o.optimizerName ?? 'sgd') as OptimizerName;
    if (!['sgd', 'adam', 'adamw'].includes(opt)) throw new InputError(`Unknown optimizer '${o.optimizerName}'`, "Use 'sgd', 'adam' or 'adamw'");
    const decay = o.learningRateDecay ?? null;
    if (decay !== null && decay !== 'cos' && decay !== 'exp') throw new InputError(`Unknown learning-rate decay '${decay}'`, "Use null, 'cos' or 'exp'");
    let kInit = o.kInit ?? 1;
    const kFinal = o.kFinal ?? 1;
    if (kInit > 100) kInit = 100;
    if (!Number.isInteger(kInit) || !Number.isInteger(kFinal) || !(kInit >= kFinal && kFinal > 0)) {
      throw new InputError(`kInit = ${kInit} and kFinal = ${kFinal} must be whole numbers with kInit >= kFinal > 0`, 'Pass e.g. kInit: 10, kFinal: 1');
    }
    this.opts = {
      numEpochs: o.numEpochs ?? 200, batchesPerEpoch: o.batchesPerEpoch ?? 1, l1Strength: o.l1Strength ?? 0,
      pointAdaptLambda: o.pointAdaptLambda ?? true, kInit, kFinal, lambdaFactor: o.lambdaFactor ?? 0.1,
      learningRate: o.learningRate ?? 1e-2, optimizerName: opt, learningRateDecay: decay,
    };
    if (o.paramsGroups) {
      const g = Array.from(o.paramsGroups);
      if (g.reduce((s, v) => s + v, 0) !== D) throw new InputError(`paramsGroups sum to ${g.reduce((s, v) => s + v, 0)}, not D = ${D}`, 'Give group sizes that add up to the number of features');
      this.groups = new Int32Array(D);
      let at = 0;
      g.forEach((size, gi) => { for (let t = 0; t < size; t++) this.groups![at++] = gi; });
      this.nparams = g.length;
    } else {
      this.groups = null;
      this.nparams = D;
    }
    this.paramsInit = o.paramsInit ? Float64Array.from(o.paramsInit) : new Float64Array(this.nparams).fill(0.1);
    if (this.paramsInit.length !== this.nparams) throw new InputError(`${this.paramsInit.length} initial parameters for ${this.nparams}`, `Pass ${this.nparams} values`);
    const nrows = o.numPointsRows ?? N;
    if (!Number.isInteger(nrows) || nrows < 2 || nrows > N) throw new InputError(`numPointsRows = ${nrows} is not between 2 and N = ${N}`, 'Pass a smaller number of rows');
    if (nrows < N) {
      this.rows = this.rng.choice(N, nrows, false);
      const inRows = new Uint8Array(N);
      for (const r of this.rows) inRows[r] = 1;
      const rest: number[] = [];
      for (let i = 0; i < N; i++) if (!inRows[i]) rest.push(i);
      this.cols = Int32Array.from([...this.rows, ...rest]);
    } else {
      this.rows = Int32Array.from({ length: N }, (_, i) => i);
      this.cols = this.rows;
    }
    if (this.rows.length < this.opts.batchesPerEpoch) throw new InputError('More batches than rows', 'Lower batchesPerEpoch');
    const nr = this.rows.length, nc = this.cols.length;
    this.ranksB = new Float64Array(nr * nc);
    const row = new Float64Array(nc);
    for (let i = 0; i < nr; i++) {
      for (let j = 0; j < nc; j++) row[j] = this.dB(this.rows[i], this.cols[j]);
      this.ranksB.set(rankRow(row), i * nc);
    }
  }

  /** Per-feature weights from the parameters (groups share one). */
  featureWeights(params: Float64Array): Float64Array {
    if (!this.groups) return params;
    return Float64Array.from(this.groups, (g) => params[g]);
  }

  private groupGrad(g: Float64Array): Float64Array {
    if (!this.groups) return g;
    const out = new Float64Array(this.nparams);
    for (let a = 0; a < g.length; a++) out[this.groups[a]] += g[a];
    return out;
  }

  /** k at optimisation step s (cosine schedule from kInit to kFinal over all steps, rounded half to even). */
  kAt(step: number): number {
    const T = this.opts.numEpochs * this.opts.batchesPerEpoch;
    return rint((this.opts.kInit - this.opts.kFinal) * (Math.cos((Math.PI * step) / T) + 1) / 2 + this.opts.kFinal);
  }

  lrAt(t: number): number {
    const { learningRate: lr, learningRateDecay: d, numEpochs, batchesPerEpoch } = this.opts;
    const T = numEpochs * batchesPerEpoch;
    if (d === 'cos') return lr * 0.5 * (1 + Math.cos((Math.PI * Math.min(t, T)) / T));
    if (d === 'exp') return lr * Math.pow(0.5, t / 10);
    return lr;
  }

  /** The batch on block `b` of row positions (re-ranked within the block), or the full rows x columns batch. */
  batch(block: Int32Array | null): BatchSpec {
    const nc = this.cols.length;
    if (!block) return { rows: this.rows, cols: this.cols, ranks: this.ranksB, selfInColumns: true, rankOffset: 0 };
    const n = block.length, ranks = new Float64Array(n * n), tmp = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) tmp[j] = this.ranksB[block[i] * nc + block[j]];
      ranks.set(rankRow(tmp), i * n);
    }
    const pts = Int32Array.from(block, (p) => this.rows[p]);
    return { rows: pts, cols: pts, ranks, selfInColumns: true, rankOffset: 0 };
  }

  /** The training DII at `params` on a batch, with its gradient with respect to the parameters. */
  diiAndGrad(params: Float64Array, b: BatchSpec, step: number, withGrad = true): { value: number; grad: Float64Array | null } {
    const r = batchDii(this.A, this.featureWeights(params), this.periodsA, b, this.kAt(step), this.opts.lambdaFactor, this.opts.pointAdaptLambda, withGrad);
    return { value: r.value, grad: r.grad ? this.groupGrad(r.grad) : null };
  }

  /**
   * Trains the weights (DADApy's train): returns the absolute parameters and the training DII per
   * epoch (entry 0 at paramsInit). A second call continues from the previous final parameters.
   */
  async train(opts: { signal?: AbortSignal } = {}): Promise<DiiTraining> {
    checkOptionKeys(opts, ['signal'], 'train');
    const { numEpochs: E, batchesPerEpoch: nb, optimizerName, l1Strength } = this.opts;
    const P = this.nparams, nrows = this.rows.length;
    const start = this.paramsFinal ?? this.paramsInit;
    let params = Float64Array.from(start);
    const norm0 = Math.hypot(...this.paramsInit);
    const PT = new Float64Array((E + 1) * P), IT = new Float64Array(E + 1);
    const firstBlock = nb > 1 ? Int32Array.from({ length: Math.floor(nrows / nb) }, (_, i) => i) : null;
    IT[0] = this.diiAndGrad(params, this.batch(firstBlock), 0, false).value;
    PT.set(params.map(Math.abs), 0);
    const m = new Float64Array(P), v = new Float64Array(P);
    let count = 0;
    this.step = 0;
    const renorm = () => {
      const n = Math.hypot(...params);
      for (let a = 0; a < P; a++) params[a] *= norm0 / n;
    };
    for (let e = 1; e <= E; e++) {
      let blocks: (Int32Array | null)[] = [null];
      if (nb > 1) {
        if (nrows % nb !== 0) throw new InputError(`${nrows} rows cannot be split into ${nb} equal batches`, 'Choose batchesPerEpoch dividing the number of rows');
        const perm = this.rng.permutation(nrows);
        const size = nrows / nb;
        blocks = Array.from({ length: nb }, (_, b) => perm.slice(b * size, (b + 1) * size));
      }
      let lastImb = NaN;
      for (const blk of blocks) {
        const { value, grad } = this.diiAndGrad(params, this.batch(blk), this.step, true);
        lastImb = value;
        const lr = this.lrAt(count);
        for (let a = 0; a < P; a++) {
          const g = grad![a];
          if (optimizerName === 'sgd') params[a] -= lr * g;
          else {
            m[a] = 0.9 * m[a] + 0.1 * g;
            v[a] = 0.999 * v[a] + 0.001 * g * g;
            const mh = m[a] / (1 - Math.pow(0.9, count + 1)), vh = v[a] / (1 - Math.pow(0.999, count + 1));
            let u = mh / (Math.sqrt(vh) + 1e-8);
            if (optimizerName === 'adamw') u += 1e-4 * params[a];
            params[a] -= lr * u;
          }
        }
        count++;
        this.step++;
        renorm();
        if (l1Strength !== 0) {
          const lr1 = this.lrAt(this.step);
          for (let a = 0; a < P; a++) {
            const p = params[a];
            params[a] = p > 0 ? Math.max(0, p - lr1 * l1Strength) : p < 0 ? Math.min(0, p + lr1 * l1Strength) : 0;
          }
          renorm();
        }
      }
      if (params.some((p) => Number.isNaN(p))) {
        throw new ConvergenceError('The training diverged: all weights were set to zero (NaN weights)', 'Lower l1Strength or the learning rate');
      }
      PT.set(params.map(Math.abs), e * P);
      IT[e] = lastImb;
      if (e % 5 === 0) await checkpoint(opts.signal);
    }
    this.paramsFinal = PT.slice(E * P, (E + 1) * P);
    this.paramsTraining = new Matrix(PT, E + 1, P);
    this.imbsTraining = IT;
    const fin = this.paramsFinal;
    const mat = this.paramsTraining;
    return Object.freeze({
      paramsTraining: mat, imbsTraining: IT, paramsFinal: fin,
      summary: () => `DII ${IT[0].toFixed(4)} -> ${IT[E].toFixed(4)} in ${E} epochs; weights [${Array.from(fin, (x) => x.toPrecision(3)).join(', ')}]`,
      plot: () => diiTrainingChart({ weights: Array.from({ length: E + 1 }, (_, r) => mat.data.subarray(r * P, (r + 1) * P)), imbalances: IT }),
    });
  }

  /**
   * The DII at the final weights (DADApy's return_final_dii). With computeError (default) the
   * points are split into rows and columns (ratio rows : columns), and the error is the standard
   * error of the per-row values; otherwise the square DII on all points (no error).
   */
  returnFinalDii(o: { computeError?: boolean; ratioRowsColumns?: number | null; rng?: Rng; seed?: number; discardCloseInd?: number } = {}): { imbFinal: number; errorFinal: number | null } {
    checkOptionKeys(o, ['computeError', 'ratioRowsColumns', 'rng', 'seed', 'discardCloseInd'], 'returnFinalDii');
    if (!this.paramsFinal) throw new StateError('returnFinalDii needs trained weights', 'Call train() first');
    const computeError = o.computeError ?? true;
    const dci = o.discardCloseInd ?? 0;
    const kF = this.opts.kFinal, nb = this.opts.batchesPerEpoch;
    if (computeError) {
      const ratio = o.ratioRowsColumns === undefined ? 1 : o.ratioRowsColumns;
      if (ratio === null) throw new InputError('computeError needs ratioRowsColumns', 'Pass ratioRowsColumns (e.g. 1) or computeError: false');
      const pts = Int32Array.from({ length: Math.ceil(this.N / (dci + 1)) }, (_, i) => i * (dci + 1));
      const Np = pts.length;
      const nrows = Math.trunc((ratio / (ratio + 1)) * Np);
      const rng = o.rng ?? new SeededRng(o.seed ?? 0);
      const pick = rng.choice(Np, nrows, false);
      const inRows = new Uint8Array(Np);
      for (const p of pick) inRows[p] = 1;
      const rows = Int32Array.from(pick, (p) => pts[p]);
      const cols = Int32Array.from(Array.from({ length: Np }, (_, i) => i).filter((i) => !inRows[i]), (p) => pts[p]);
      const nc = cols.length, ranks = new Float64Array(nrows * nc), tmp = new Float64Array(nc);
      for (let i = 0; i < nrows; i++) {
        for (let j = 0; j < nc; j++) tmp[j] = this.dB(rows[i], cols[j]);
        const r = rankRow(tmp);
        for (let j = 0; j < nc; j++) ranks[i * nc + j] = r[j] + 1;
      }
      const k = Math.ceil((kF * nb) / (dci + 1));
      const res = batchDii(this.A, this.featureWeights(this.paramsFinal), this.periodsA, { rows, cols, ranks, selfInColumns: false, rankOffset: 1 }, k, this.opts.lambdaFactor, this.opts.pointAdaptLambda, false);
      const v = res.perRow;
      let mean = 0;
      for (let i = 0; i < nrows; i++) mean += v[i];
      mean /= nrows;
      let ss = 0;
      for (let i = 0; i < nrows; i++) ss += (v[i] - mean) ** 2;
      return { imbFinal: mean, errorFinal: Math.sqrt(ss / (nrows - 1)) / Math.sqrt(nrows) };
    }
    if (dci > 0) return { imbFinal: this.maskedFinalDii(dci), errorFinal: null };
    const all = Int32Array.from({ length: this.N }, (_, i) => i);
    const ranks = new Float64Array(this.N * this.N), tmp = new Float64Array(this.N);
    for (let i = 0; i < this.N; i++) {
      for (let j = 0; j < this.N; j++) tmp[j] = this.dB(i, j);
      ranks.set(rankRow(tmp), i * this.N);
    }
    const k = Math.ceil(kF * nb);
    const res = batchDii(this.A, this.featureWeights(this.paramsFinal), this.periodsA, { rows: all, cols: all, ranks, selfInColumns: true, rankOffset: 0 }, k, this.opts.lambdaFactor, this.opts.pointAdaptLambda, false);
    return { imbFinal: res.value, errorFinal: null };
  }

  /**
   * The square final DII with the time-close points masked (DADApy's discard_close_ind without
   * error): row i drops the columns j with |i - j| <= dci; the first dci rows drop their first
   * 2 dci + 1 columns and the last dci rows their last ones, so every row keeps N - 2 dci - 1.
   */
  private maskedFinalDii(dci: number): number {
    const N = this.N, D = this.A.cols, x = this.A.data as Float64Array;
    const keep = N - 2 * dci - 1;
    if (keep < 2) throw new InputError(`discardCloseInd = ${dci} leaves fewer than 2 columns of ${N} points`, 'Use a smaller discardCloseInd');
    const w = this.featureWeights(this.paramsFinal!);
    const k = Math.ceil(this.opts.kFinal * this.opts.batchesPerEpoch * (1 - (2 * dci) / N));
    const cols = (i: number): number[] => {
      const out: number[] = [];
      if (i < dci) { for (let j = 2 * dci + 1; j < N; j++) out.push(j); }
      else if (i >= N - dci) { for (let j = 0; j < N - 2 * dci - 1; j++) out.push(j); }
      else { for (let j = 0; j < N; j++) if (Math.abs(i - j) > dci) out.push(j); }
      return out;
    };
    const d2 = new Float64Array(keep), db = new Float64Array(keep), lam = new Float64Array(N);
    const rows: { c: number[]; d2: Float64Array; r: Float64Array }[] = [];
    for (let i = 0; i < N; i++) {
      const c = cols(i);
      for (let t = 0; t < keep; t++) {
        let s = 0;
        for (let a = 0; a < D; a++) { const e = w[a] * diff(x, i, c[t], D, a, this.periodsA); s += e * e; }
        d2[t] = s; db[t] = this.dB(i, c[t]);
      }
      const r = rankRow(db).map((v) => v + 1);
      lam[i] = this.opts.lambdaFactor * kthSmallest(d2, Math.min(k, 100, keep), -1);
      rows.push({ c, d2: Float64Array.from(d2), r });
    }
    let gl = 0;
    for (let i = 0; i < N; i++) gl += lam[i];
    gl /= N;
    let total = 0;
    for (let i = 0; i < N; i++) {
      const L = this.opts.pointAdaptLambda ? lam[i] : gl;
      const { d2: dd, r } = rows[i];
      let mn = Infinity;
      for (let t = 0; t < keep; t++) if (dd[t] < mn) mn = dd[t];
      let z = 0, s = 0;
      for (let t = 0; t < keep; t++) { const e = Math.exp(-(dd[t] - mn) / L); z += e; s += e * r[t]; }
      total += s / z;
    }
    return (2 / (keep + 1)) * (total / N);
  }

  /** A copy with the same settings, other initial parameters and a seed (for the greedy searches). */
  private sibling(paramsInit: Float64Array, seed: number): DiffImbalance {
    const { rng: _r, ...rest } = this.ctor;
    return new DiffImbalance(this.A, this.dataB, { ...rest, paramsInit, seed, l1Strength: 0 });
  }

  private async evaluate(set: number[], seed: number, ev: GreedyDiiOptions): Promise<{ dii: number; error: number | null }> {
    const init = this.paramsInit.map((v, a) => (set.includes(a) ? v : 0));
    const di = this.sibling(init, seed);
    try {
      await di.train({ signal: ev.signal });
    } catch (e) {
      // a candidate whose training diverges scores as the worst; any other error (a bad option,
      // an interrupt, memory) is the caller's to see
      if (e instanceof ConvergenceError) return { dii: Infinity, error: null };
      throw e;
    }
    const r = di.returnFinalDii({ computeError: ev.computeError ?? false, ratioRowsColumns: ev.ratioRowsColumns ?? 1, seed: ev.seed ?? 0, discardCloseInd: ev.discardCloseInd ?? 0 });
    return { dii: Number.isNaN(r.imbFinal) ? Infinity : r.imbFinal, error: r.errorFinal };
  }

  private async trainedWeights(set: number[], seed: number, signal?: AbortSignal): Promise<Float64Array> {
    const di = this.sibling(this.paramsInit.map((v, a) => (set.includes(a) ? v : 0)), seed);
    try {
      return (await di.train({ signal })).paramsFinal;
    } catch (e) {
      if (e instanceof ConvergenceError) return new Float64Array(this.nparams);
      throw e;
    }
  }

  private async greedy(start: number[][], grow: boolean, stopAt: number, ev: GreedyDiiOptions, first: GreedyStep | null): Promise<GreedyDii> {
    if (this.groups) throw new InputError('Greedy selection works on single features, not on paramsGroups', 'Build the DiffImbalance without paramsGroups');
    const D = this.nparams, nBest = ev.nBest ?? 10, seed0 = ev.seed ?? 0;
    const steps: GreedyStep[] = first ? [first] : [];
    let selected = start;
    let generated = 0;
    for (;;) {
      const size = selected[0].length;
      if (grow ? size >= stopAt : size <= stopAt) break;
      const cands: number[][] = [];
      const seen = new Set<string>();
      for (const s of selected) {
        const options = grow ? Array.from({ length: D }, (_, f) => f).filter((f) => !s.includes(f)).map((f) => [...s, f].sort((a, b) => a - b))
          : s.map((f) => s.filter((g) => g !== f));
        for (const c of options) { const key = c.join(','); if (!seen.has(key)) { seen.add(key); cands.push(c); } }
      }
      const res: { set: number[]; dii: number; error: number | null }[] = [];
      for (const c of cands) {
        generated++;
        res.push({ set: c, ...(await this.evaluate(c, seed0 + generated, ev)) });
      }
      const order = res.map((r, i) => ({ r, i })).filter((x) => Number.isFinite(x.r.dii)).sort((a, b) => (a.r.dii - b.r.dii) || a.i - b.i);
      if (order.length === 0) throw new ConvergenceError('Every candidate feature set diverged in training', 'Lower the learning rate');
      const best = order[0].r;
      steps.push({ features: best.set, dii: best.dii, error: best.error, weights: await this.trainedWeights(best.set, seed0, ev.signal) });
      selected = order.slice(0, nBest).map((x) => x.r.set);
    }
    if (!grow) steps.sort((a, b) => b.features.length - a.features.length);
    return makeGreedyDii(steps, grow ? 'forward' : 'backward');
  }

  /**
   * DADApy's forward_greedy_feature_selection: the best single feature, then the best sets grown
   * one feature at a time from the nBest best of the previous size, each candidate trained from the
   * masked initial weights (l1 = 0) with seed + its candidate number, scored by its final DII.
   */
  async forwardGreedyFeatureSelection(opts: GreedyDiiOptions & { nFeaturesMax?: number | null } = {}): Promise<GreedyDii> {
    checkOptionKeys(opts, [...GREEDY_DII_KEYS, 'nFeaturesMax'], 'forwardGreedyFeatureSelection');
    const D = this.nparams, nBest = opts.nBest ?? 10, seed0 = opts.seed ?? 0;
    const singles: { set: number[]; dii: number; error: number | null }[] = [];
    for (let f = 0; f < D; f++) singles.push({ set: [f], ...(await this.evaluate([f], seed0, opts)) });
    const order = singles.map((r, i) => ({ r, i })).filter((x) => Number.isFinite(x.r.dii)).sort((a, b) => (a.r.dii - b.r.dii) || a.i - b.i);
    if (order.length === 0) throw new ConvergenceError('Every single feature diverged in training', 'Lower the learning rate');
    const b = order[0].r;
    const w = new Float64Array(D);
    w[b.set[0]] = this.paramsInit[b.set[0]];
    const first: GreedyStep = { features: b.set, dii: b.dii, error: b.error, weights: w };
    return this.greedy(order.slice(0, nBest).map((x) => x.r.set), true, Math.min(opts.nFeaturesMax ?? D, D), opts, first);
  }

  /**
   * DADApy's backward_greedy_feature_selection (after train()): from all features, remove one
   * feature at a time from the nBest best sets, down to nFeaturesMin.
   */
  async backwardGreedyFeatureSelection(opts: GreedyDiiOptions & { nFeaturesMin?: number } = {}): Promise<GreedyDii> {
    checkOptionKeys(opts, [...GREEDY_DII_KEYS, 'nFeaturesMin'], 'backwardGreedyFeatureSelection');
    if (!this.paramsFinal) throw new StateError('backwardGreedyFeatureSelection starts from trained weights', 'Call train() first');
    const D = this.nparams;
    const all = Array.from({ length: D }, (_, f) => f);
    const r = this.returnFinalDii({ computeError: opts.computeError ?? false, ratioRowsColumns: opts.ratioRowsColumns ?? 1, seed: opts.seed ?? 0, discardCloseInd: opts.discardCloseInd ?? 0 });
    const first: GreedyStep = { features: all, dii: r.imbFinal, error: r.errorFinal, weights: this.paramsFinal };
    return this.greedy([all], false, Math.max(1, opts.nFeaturesMin ?? 1), opts, first);
  }
}

export interface GreedyDiiOptions {
  nBest?: number;
  computeError?: boolean;
  ratioRowsColumns?: number;
  seed?: number;
  discardCloseInd?: number;
  signal?: AbortSignal;
}
const GREEDY_DII_KEYS = optionKeys<GreedyDiiOptions>({ nBest: 1, computeError: 1, ratioRowsColumns: 1, seed: 1, discardCloseInd: 1, signal: 1 });

export interface GreedyStep {
  features: number[];
  dii: number;
  error: number | null;
  weights: Float64Array;
}

/** A greedy DII selection (immutable): one best set per size. */
export interface GreedyDii {
  readonly bestFeatureSets: readonly (readonly number[])[];
  readonly bestDiis: Float64Array;
  readonly bestErrors: readonly (number | null)[];
  readonly bestWeightsList: readonly Float64Array[];
  summary(): string;
  plot(): Chart;
}

function makeGreedyDii(steps: GreedyStep[], dir: string): GreedyDii {
  const sets = steps.map((s) => Object.freeze([...s.features]));
  const diis = Float64Array.from(steps, (s) => s.dii);
  return Object.freeze({
    bestFeatureSets: Object.freeze(sets), bestDiis: diis, bestErrors: Object.freeze(steps.map((s) => s.error)),
    bestWeightsList: Object.freeze(steps.map((s) => s.weights)),
    summary: () => `${dir} greedy DII selection: ${sets.map((s, i) => `[${s.join(', ')}] ${diis[i].toFixed(3)}`).join('; ')}`,
    plot: () => greedyCurveChart({ tuples: sets, imbalances: steps.map((s) => [s.dii]), title: `${dir} greedy selection with the DII` }),
  });
}
