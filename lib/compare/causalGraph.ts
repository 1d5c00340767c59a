/**
 * DADApy's CausalGraph (spec §14): for each target variable, the weights of all present variables
 * that best predict the target's future (a DiffImbalance from present to future), the adjacency
 * matrix of the links whose weight exceeds a threshold, and the communities (levels of autonomous
 * sets) of the resulting directed graph.
 */
import { checkOptionKeys, optionKeys } from '../options';
import { InputError, StateError } from '../errors';
import { asMatrix, Matrix, validateCoordinates, type MatrixLike } from '../matrix';
import { SeededRng } from '../stats/rng';
import type { Chart } from '../../widgets/chart';
import { causalGraphChart } from '../../widgets/compare/charts';
import { DiffImbalance, type OptimizerName } from './diffImbalance';

export interface PresentToFutureOptions {
  numSamples: number;
  /** Lags tau (time steps) of the future. */
  timeLags: number[];
  embeddingDimPresent?: number;
  embeddingDimFuture?: number;
  embeddingTime?: number;
  /** Targets (variable indices) or 'all'. */
  targetVariables?: number[] | 'all';
  numEpochs?: number;
  batchesPerEpoch?: number;
  l1Strength?: number;
  pointAdaptLambda?: boolean;
  kInit?: number;
  kFinal?: number;
  lambdaFactor?: number;
  paramsInit?: ArrayLike<number> | null;
  optimizerName?: OptimizerName;
  learningRate?: number;
  learningRateDecay?: 'cos' | 'exp' | null;
  numPointsRows?: number | null;
  computeImbFinal?: boolean;
  computeError?: boolean;
  ratioRowsColumns?: number;
  signal?: AbortSignal;
}
const PRESENT_TO_FUTURE_KEYS = optionKeys<PresentToFutureOptions>({
  numSamples: 1, timeLags: 1, embeddingDimPresent: 1, embeddingDimFuture: 1, embeddingTime: 1, targetVariables: 1, numEpochs: 1,
  batchesPerEpoch: 1, l1Strength: 1, pointAdaptLambda: 1, kInit: 1, kFinal: 1, lambdaFactor: 1, paramsInit: 1, optimizerName: 1,
  learningRate: 1, learningRateDecay: 1, numPointsRows: 1, computeImbFinal: 1, computeError: 1, ratioRowsColumns: 1, signal: 1,
});

/** The present-to-future optimisation (immutable). */
export interface PresentToFuture {
  /** weightsFinal[target][lag] = the D x E_p weights of the present variables (variable-major). */
  readonly weightsFinal: readonly (readonly Float64Array[])[];
  /** imbsTraining[target][lag] = the training DII per epoch. */
  readonly imbsTraining: readonly (readonly Float64Array[])[];
  readonly imbsFinal: readonly (readonly number[])[] | null;
  readonly errorsFinal: readonly (readonly (number | null)[])[] | null;
  readonly targets: readonly number[];
  readonly timeLags: readonly number[];
  summary(): string;
}

/** A causal graph from the optimised weights (immutable). */
export interface CausalGraphResult {
  /** adjacency[source][target] = 1 when the weight of source in target's future exceeds the threshold. */
  readonly adjacency: readonly (readonly number[])[];
  /** strength[source][target] = max over lags (and delays) of the weight. */
  readonly strength: readonly (readonly number[])[];
  readonly threshold: number;
  summary(): string;
  plot(options?: { names?: string[] }): Chart;
}

export class CausalGraph {
  /** The (standardised) trajectory, T x D. */
  readonly series: Matrix;
  readonly T: number;
  readonly D: number;
  readonly periods: Float64Array | null;
  readonly seed: number;
  weightsFinal: PresentToFuture['weightsFinal'] | null = null;
  imbsTraining: PresentToFuture['imbsTraining'] | null = null;

  /**
   * A trajectory (T x D). standardize (default) divides each variable by its standard deviation
   * (ddof 1), on a copy (DADApy changes the caller's array in place).
   */
  constructor(timeSeries: MatrixLike, opts: { periods?: number | ArrayLike<number> | null; standardize?: boolean; seed?: number } = {}) {
    checkOptionKeys(opts, ['periods', 'standardize', 'seed'], 'new CausalGraph');
    const X = asMatrix(timeSeries).toFloat64();
    validateCoordinates(X, 3);
    const T = X.rows, D = X.cols;
    const data = Float64Array.from(X.data);
    if (opts.standardize ?? true) {
      for (let a = 0; a < D; a++) {
        let m = 0;
        for (let t = 0; t < T; t++) m += data[t * D + a];
        m /= T;
        let s = 0;
        for (let t = 0; t < T; t++) s += (data[t * D + a] - m) ** 2;
        const sd = Math.sqrt(s / (T - 1));
        if (sd === 0) throw new InputError(`Variable ${a} is constant`, 'Remove constant variables before building the graph');
        for (let t = 0; t < T; t++) data[t * D + a] /= sd;
      }
    }
    this.series = new Matrix(data, T, D);
    this.T = T; this.D = D;
    this.seed = opts.seed ?? 0;
    this.periods = opts.periods === null || opts.periods === undefined ? null
      : typeof opts.periods === 'number' ? new Float64Array(D).fill(opts.periods) : Float64Array.from(opts.periods);
  }

  /** Sample times: linspace(start, T - max(lags) - 1, n) truncated to integers. */
  sampleTimes(n: number, start: number, lags: number[]): Int32Array {
    const stop = this.T - Math.max(...lags) - 1;
    if (stop <= start) throw new InputError(`The trajectory (T = ${this.T}) is too short for these lags and embeddings`, 'Use smaller lags or a longer trajectory');
    if (!Number.isInteger(n) || n < 3) throw new InputError(`numSamples = ${n} is too small`, 'Pass numSamples >= 3');
    return Int32Array.from({ length: n }, (_, i) => Math.trunc(n === 1 ? start : start + ((stop - start) * i) / (n - 1)));
  }

  /**
   * DADApy's optimize_present_to_future: for every target variable and lag, a DiffImbalance from
   * all present variables (with delay embedding) to the target's future, trained from the same seed.
   */
  async optimizePresentToFuture(o: PresentToFutureOptions): Promise<PresentToFuture> {
    checkOptionKeys(o, PRESENT_TO_FUTURE_KEYS, 'optimizePresentToFuture');
    const Ep = o.embeddingDimPresent ?? 1, Ef = o.embeddingDimFuture ?? 1, te = o.embeddingTime ?? 1;
    const lags = o.timeLags;
    if (!Array.isArray(lags) || lags.length === 0 || lags.some((l) => !Number.isInteger(l) || l < 1)) {
      throw new InputError('timeLags must be a list of positive whole numbers', 'Pass e.g. timeLags: [5]');
    }
    const t0 = this.sampleTimes(o.numSamples, (Math.max(Ep, Ef) - 1) * te, lags);
    const D = this.D, x = this.series.data, n = t0.length;
    const present = new Float64Array(n * D * Ep);
    for (let s = 0; s < n; s++) for (let v = 0; v < D; v++) for (let e = 0; e < Ep; e++) present[s * D * Ep + v * Ep + e] = x[(t0[s] - te * e) * D + v];
    const P = new Matrix(present, n, D * Ep);
    const targets = o.targetVariables === undefined || o.targetVariables === 'all' ? Array.from({ length: D }, (_, i) => i) : o.targetVariables;
    const periodsP = this.periods ? Float64Array.from({ length: D * Ep }, (_, f) => this.periods![Math.floor(f / Ep)]) : null;
    const W: Float64Array[][] = [], I: Float64Array[][] = [], F: number[][] = [], Er: (number | null)[][] = [];
    for (const v of targets) {
      if (!Number.isInteger(v) || v < 0 || v >= D) throw new InputError(`Target variable ${v} does not exist`, `Use indices 0..${D - 1}`);
      const wRow: Float64Array[] = [], iRow: Float64Array[] = [], fRow: number[] = [], eRow: (number | null)[] = [];
      for (const tau of lags) {
        const fut = new Float64Array(n * Ef);
        for (let s = 0; s < n; s++) for (let e = 0; e < Ef; e++) fut[s * Ef + e] = x[(t0[s] + tau - te * e) * D + v];
        const di = new DiffImbalance(P, new Matrix(fut, n, Ef), {
          rng: new SeededRng(this.seed), periodsA: periodsP, periodsB: this.periods ? this.periods[v] : null,
          numEpochs: o.numEpochs ?? 200, batchesPerEpoch: o.batchesPerEpoch ?? 1, l1Strength: o.l1Strength ?? 0,
          pointAdaptLambda: o.pointAdaptLambda ?? false, kInit: o.kInit ?? 1, kFinal: o.kFinal ?? 1,
          lambdaFactor: o.lambdaFactor ?? 0.1, paramsInit: o.paramsInit ?? null, optimizerName: o.optimizerName ?? 'sgd',
          learningRate: o.learningRate ?? 1e-2, learningRateDecay: o.learningRateDecay ?? null, numPointsRows: o.numPointsRows ?? null,
        });
        const tr = await di.train({ signal: o.signal });
        wRow.push(tr.paramsFinal);
        iRow.push(tr.imbsTraining);
        if (o.computeImbFinal) {
          const r = di.returnFinalDii({ computeError: o.computeError ?? false, ratioRowsColumns: o.ratioRowsColumns ?? 1, seed: this.seed });
          fRow.push(r.imbFinal); eRow.push(r.errorFinal);
        }
      }
      W.push(wRow); I.push(iRow); F.push(fRow); Er.push(eRow);
    }
    this.weightsFinal = W;
    this.imbsTraining = I;
    return Object.freeze({
      weightsFinal: W, imbsTraining: I, imbsFinal: o.computeImbFinal ? F : null, errorsFinal: o.computeImbFinal ? Er : null,
      targets, timeLags: lags,
      summary: () => `present-to-future weights for ${targets.length} target${targets.length === 1 ? '' : 's'} at lag${lags.length === 1 ? '' : 's'} ${lags.join(', ')} (final training DII ${targets.map((_, t) => I[t][0][I[t][0].length - 1].toFixed(3)).join(', ')})`,
    });
  }

  /**
   * DADApy's compute_adj_matrix: W_max[target][source] = max over lags (and delays) of the weight;
   * adjacency[source][target] = 1 when it exceeds the threshold (default 0.1).
   */
  computeAdjMatrix(opts: { weights?: PresentToFuture['weightsFinal']; threshold?: number; embeddingDimPresent?: number } = {}): CausalGraphResult {
    checkOptionKeys(opts, ['weights', 'threshold', 'embeddingDimPresent'], 'computeAdjMatrix');
    const weights = opts.weights ?? this.weightsFinal;
    if (!weights) throw new StateError('No weights to build the graph from', 'Run optimizePresentToFuture first or pass weights');
    const thr = opts.threshold ?? 0.1;
    const D = this.D, Ep = opts.embeddingDimPresent ?? Math.max(1, Math.round(weights[0][0].length / D));
    if (weights.length !== D) throw new InputError(`Weights for ${weights.length} targets, but the graph needs all ${D}`, "Optimise with targetVariables: 'all'");
    const strength = Array.from({ length: D }, () => new Array<number>(D).fill(0));
    const adj = Array.from({ length: D }, () => new Array<number>(D).fill(0));
    for (let t = 0; t < D; t++) {
      for (const w of weights[t]) {
        for (let s = 0; s < D; s++) for (let e = 0; e < Ep; e++) strength[s][t] = Math.max(strength[s][t], w[s * Ep + e]);
      }
    }
    for (let s = 0; s < D; s++) for (let t = 0; t < D; t++) adj[s][t] = strength[s][t] > thr ? 1 : 0;
    return Object.freeze({
      adjacency: adj, strength, threshold: thr,
      summary: () => {
        const links: string[] = [];
        for (let s = 0; s < D; s++) for (let t = 0; t < D; t++) if (s !== t && adj[s][t]) links.push(`x${s} → x${t}`);
        return `causal graph at threshold ${thr}: ${links.length ? links.join(', ') : 'no links'}`;
      },
      plot: (p?: { names?: string[] }) => causalGraphChart({ adjacency: adj, strengths: strength, names: p?.names }),
    });
  }
}

/** The ancestors of each node (nodes with a directed path to it) plus the node itself, sorted. */
export function autonomousSets(adj: readonly (readonly number[])[]): number[][] {
  const D = adj.length;
  return Array.from({ length: D }, (_, v) => {
    const seen = new Set<number>([v]);
    const stack = [v];
    while (stack.length) {
      const u = stack.pop()!;
      for (let s = 0; s < D; s++) if (adj[s][u] && !seen.has(s)) { seen.add(s); stack.push(s); }
    }
    return [...seen].sort((a, b) => a - b);
  });
}

/**
 * DADApy's find_communities: autonomous sets sorted by size; repeatedly the smallest remaining
 * set starts a community at the current level, with every remaining set disjoint from all variables
 * assigned so far at the same level; assigned variables leave the remaining sets. Returns
 * [{ id, level, variables }] in order (DADApy's dict keyed by (community_id, level)).
 */
export function findCommunities(adj: readonly (readonly number[])[]): { id: number; level: number; variables: number[] }[] {
  const sets = autonomousSets(adj);
  let remaining = sets.map((s, i) => ({ s, i })).sort((a, b) => (a.s.length - b.s.length) || a.i - b.i).map((x) => x.s);
  const out: { id: number; level: number; variables: number[] }[] = [];
  const assigned = new Set<number>();
  let level = 0, id = 0;
  while (remaining.length) {
    let mi = 0;
    for (let i = 1; i < remaining.length; i++) if (remaining[i].length < remaining[mi].length) mi = i;
    const first = remaining[mi];
    out.push({ id: id++, level, variables: [...first] });
    const levelVars = new Set(first);
    for (let i = 0; i < remaining.length; i++) {
      if (i === mi) continue;
      const r = remaining[i];
      if (r.every((v) => !assigned.has(v) && !levelVars.has(v))) {
        out.push({ id: id++, level, variables: [...r] });
        for (const v of r) levelVars.add(v);
      }
    }
    for (const v of levelVars) assigned.add(v);
    remaining = remaining.map((r) => r.filter((v) => !assigned.has(v))).filter((r) => r.length > 0);
    // identical sets collapse: keep the first of each
    const seen = new Set<string>();
    remaining = remaining.filter((r) => { const k = r.join(','); if (seen.has(k)) return false; seen.add(k); return true; });
    level++;
  }
  return out;
}
