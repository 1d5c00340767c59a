import { checkOptionKeys, optionKeys } from '../options';
import { InputError } from '../errors';
import { asMatrix, Matrix, validateCoordinates, type MatrixLike } from '../matrix';
import { computeNeighbors, type Metric } from '../neighbors';
import { checkpoint } from '../runtime/progress';
import type { Rng } from '../stats/rng';
import { asIndexTable, informationImbalance, type IndexTable, type TableLike } from './imbalance';

type PeriodLike = number | ArrayLike<number> | null | undefined;

/**
 * DADApy's _return_period_mixed: the periods of [w1 x space1, w2 x space2]. Both null: not
 * periodic; one null: an error (set a period larger than the data's range instead); a scalar is
 * broadcast; a zero weight leaves the period unscaled.
 */
export function periodMixed(p1: PeriodLike, p2: PeriodLike, dim1: number, dim2: number, w1 = 1, w2 = 1): Float64Array | null {
  const none1 = p1 === null || p1 === undefined, none2 = p2 === null || p2 === undefined;
  if (none1 && none2) return null;
  if (none1 || none2) {
    throw new InputError('One of the two spaces has a period and the other has none',
      'Give both a period: for a non-periodic system use a period larger than the range of its features');
  }
  const arr = (p: number | ArrayLike<number>, dim: number) => {
    if (typeof p === 'number') return new Float64Array(dim).fill(p);
    if (p.length !== dim) throw new InputError(`A period has ${p.length} entries for ${dim} variables`, `Pass ${dim} periods or one number`);
    return Float64Array.from(p);
  };
  const a = arr(p1 as number | ArrayLike<number>, dim1), b = arr(p2 as number | ArrayLike<number>, dim2);
  const s1 = w1 === 0 ? 1 : w1, s2 = w2 === 0 ? 1 : w2;
  const out = new Float64Array(dim1 + dim2);
  for (let i = 0; i < dim1; i++) out[i] = s1 * a[i];
  for (let i = 0; i < dim2; i++) out[dim1 + i] = s2 * b[i];
  return out;
}

/** Stacks [w0 x A, w1 x B, C] column-wise (any of B omitted). */
function stack(parts: { m: Matrix; w: number }[]): Matrix {
  const N = parts[0].m.rows;
  const D = parts.reduce((s, p) => s + p.m.cols, 0);
  const out = new Float64Array(N * D);
  let off = 0;
  for (const { m, w } of parts) {
    for (let i = 0; i < N; i++) for (let j = 0; j < m.cols; j++) out[i * D + off + j] = w * m.data[i * m.cols + j];
    off += m.cols;
  }
  return new Matrix(out, N, D);
}

function mat(x: MatrixLike, what: string): Matrix {
  if (x === undefined || x === null) throw new InputError(`${what} is missing`, `Pass ${what} as an N x D matrix`);
  const m = asMatrix(x);
  validateCoordinates(m, 2);
  return m;
}

export interface CausalityOptions {
  causePresent: MatrixLike;
  effectPresent: MatrixLike;
  effectFuture: MatrixLike;
  /** Scalars, or [wCause, wConditioning] pairs when conditioningPresent is given. */
  weights: ArrayLike<number> | ArrayLike<ArrayLike<number>>;
  conditioningPresent?: MatrixLike | null;
  k?: number;
  periodCause?: PeriodLike;
  periodEffect?: PeriodLike;
  periodConditioning?: PeriodLike;
  /** Neighbours per point of the tables (default N - 1: exact). */
  maxk?: number;
  metric?: Metric;
  rng?: Rng;
  signal?: AbortSignal;
}
export const CAUSALITY_KEYS = optionKeys<CausalityOptions>({ causePresent: 1, effectPresent: 1, effectFuture: 1, weights: 1, conditioningPresent: 1, k: 1, periodCause: 1, periodEffect: 1, periodConditioning: 1, maxk: 1, metric: 1, rng: 1, signal: 1 });

/**
 * DADApy's return_inf_imb_causality (§10.5): for each weight w, Delta([w cause, effect](t) ->
 * effect(t + tau)), or Delta([w0 cause, w1 conditioning, effect](t) -> effect(t + tau)). A weight
 * that lowers the imbalance below its value at w = 0 is evidence that cause drives effect.
 */
export async function causalityImbalances(opts: CausalityOptions): Promise<Float64Array> {
  checkOptionKeys(opts, CAUSALITY_KEYS, 'returnInfImbCausality');
  const C = mat(opts.causePresent, 'causePresent'), E = mat(opts.effectPresent, 'effectPresent'), F = mat(opts.effectFuture, 'effectFuture');
  if (C.rows !== E.rows || C.rows !== F.rows) {
    throw new InputError("Number of points must be the same in 'causePresent', 'effectPresent' and 'effectFuture'", 'Pass samples at the same times');
  }
  const Z = opts.conditioningPresent ? mat(opts.conditioningPresent, 'conditioningPresent') : null;
  if (Z && Z.rows !== C.rows) {
    throw new InputError("Number of points in 'conditioningPresent' and 'causePresent' do not match", 'Pass samples at the same times');
  }
  const N = C.rows, k = opts.k ?? 1, maxk = opts.maxk ?? N - 1, metric = opts.metric ?? 'euclidean';
  const target = await computeNeighbors(F, { maxk, metric, period: opts.periodEffect ?? null, signal: opts.signal });
  const out = new Float64Array(opts.weights.length);
  for (let t = 0; t < opts.weights.length; t++) {
    const w = opts.weights[t] as number | ArrayLike<number>;
    let space: Matrix, period: Float64Array | null;
    if (Z) {
      if (typeof w === 'number' || w.length !== 2) {
        throw new InputError('With a conditioning system each weight is a pair [wCause, wConditioning]', 'Pass weights as an array of pairs');
      }
      space = stack([{ m: C, w: w[0] }, { m: Z, w: w[1] }, { m: E, w: 1 }]);
      const inner = periodMixed(opts.periodConditioning, opts.periodEffect, Z.cols, E.cols, w[1], 1);
      period = periodMixed(opts.periodCause, inner, C.cols, Z.cols + E.cols, w[0], 1);
    } else {
      if (typeof w !== 'number') throw new InputError('Without a conditioning system each weight is a number', 'Pass weights as a list of numbers');
      space = stack([{ m: C, w }, { m: E, w: 1 }]);
      period = periodMixed(opts.periodCause, opts.periodEffect, C.cols, E.cols, w, 1);
    }
    const present = await computeNeighbors(space, { maxk, metric, period, signal: opts.signal });
    out[t] = informationImbalance(present, target, { k, rng: opts.rng });
    await checkpoint(opts.signal);
  }
  return out;
}

export interface CausalityConditioningOptions {
  causePresent: MatrixLike;
  effectPresent: MatrixLike;
  conditioningPresent: MatrixLike;
  effectFuture: MatrixLike;
  weightsCause: ArrayLike<number>;
  weightsConditioning: ArrayLike<number>;
  k?: number;
  periodCause?: PeriodLike;
  periodEffect?: PeriodLike;
  periodConditioning?: PeriodLike;
  metric?: Metric;
  rng?: Rng;
  signal?: AbortSignal;
}
export const CAUSALITY_CONDITIONING_KEYS = optionKeys<CausalityConditioningOptions>({ causePresent: 1, effectPresent: 1, conditioningPresent: 1, effectFuture: 1, weightsCause: 1, weightsConditioning: 1, k: 1, periodCause: 1, periodEffect: 1, periodConditioning: 1, metric: 1, rng: 1, signal: 1 });

export interface CausalityConditioningResult {
  /** Delta([w conditioning, effect] -> future) for each conditioning weight. */
  readonly imbsNoCause: Float64Array;
  /** Delta([wc cause, wz conditioning, effect] -> future) over the grid (cause weight varying fastest). */
  readonly imbsWithCause: Float64Array;
  readonly grid: readonly (readonly [number, number])[];
}

/** The pairs (x, y) of meshgrid(xs, ys) raveled: x varies fastest. */
export function grid2d(xs: ArrayLike<number>, ys: ArrayLike<number>): [number, number][] {
  if (!xs || !ys || typeof xs.length !== 'number' || typeof ys.length !== 'number') {
    throw new InputError('The two weight lists must be one-dimensional arrays', 'Pass arrays of numbers');
  }
  const out: [number, number][] = [];
  for (let j = 0; j < ys.length; j++) for (let i = 0; i < xs.length; i++) out.push([xs[i], ys[j]]);
  return out;
}

/** DADApy's return_inf_imb_causality_conditioning: with complete tables (maxk = N - 1). */
export async function causalityConditioning(opts: CausalityConditioningOptions): Promise<CausalityConditioningResult> {
  checkOptionKeys(opts, CAUSALITY_CONDITIONING_KEYS, 'returnInfImbCausalityConditioning');
  const g = grid2d(opts.weightsCause, opts.weightsConditioning);
  const N = asMatrix(opts.causePresent).rows;
  const imbsNoCause = await causalityImbalances({
    causePresent: opts.conditioningPresent, effectPresent: opts.effectPresent, effectFuture: opts.effectFuture,
    weights: opts.weightsConditioning, k: opts.k, periodCause: opts.periodConditioning, periodEffect: opts.periodEffect,
    maxk: N - 1, metric: opts.metric, rng: opts.rng, signal: opts.signal,
  });
  const imbsWithCause = await causalityImbalances({
    causePresent: opts.causePresent, effectPresent: opts.effectPresent, effectFuture: opts.effectFuture,
    conditioningPresent: opts.conditioningPresent, weights: g, k: opts.k, periodCause: opts.periodCause,
    periodEffect: opts.periodEffect, periodConditioning: opts.periodConditioning, maxk: N - 1, metric: opts.metric,
    rng: opts.rng, signal: opts.signal,
  });
  return Object.freeze({ imbsNoCause, imbsWithCause, grid: Object.freeze(g) });
}

export interface RanksPresentOptions {
  causePresent: MatrixLike;
  effectPresent: MatrixLike;
  weights: ArrayLike<number>;
  periodCause?: PeriodLike;
  periodEffect?: PeriodLike;
  maxk?: number;
  metric?: Metric;
  signal?: AbortSignal;
}
export const RANKS_PRESENT_KEYS = optionKeys<RanksPresentOptions>({ causePresent: 1, effectPresent: 1, weights: 1, periodCause: 1, periodEffect: 1, maxk: 1, metric: 1, signal: 1 });

/**
 * DADApy's return_ranks_present_for_all_weights: the neighbour indices of [w cause, effect] for
 * each w (one N x (maxk + 1) row-major Int32Array per weight).
 */
export async function ranksPresentForAllWeights(opts: RanksPresentOptions): Promise<Int32Array[]> {
  checkOptionKeys(opts, RANKS_PRESENT_KEYS, 'returnRanksPresentForAllWeights');
  const C = mat(opts.causePresent, 'causePresent'), E = mat(opts.effectPresent, 'effectPresent');
  if (C.rows !== E.rows) throw new InputError("Number of points must be the same in 'causePresent' and 'effectPresent'", 'Pass samples at the same times');
  const maxk = opts.maxk ?? C.rows - 1;
  const out: Int32Array[] = [];
  for (let t = 0; t < opts.weights.length; t++) {
    const w = opts.weights[t];
    const space = stack([{ m: C, w }, { m: E, w: 1 }]);
    out.push((await computeNeighbors(space, { maxk, metric: opts.metric, period: periodMixed(opts.periodCause, opts.periodEffect, C.cols, E.cols, w, 1), signal: opts.signal })).indices);
  }
  return out;
}

/** DADApy's return_inf_imb_causality_input_rank: Delta(table -> effect future) for each precomputed table. */
export async function causalityInputRank(opts: { ranksPresent: ArrayLike<TableLike>; effectFuture: MatrixLike; k?: number; periodEffect?: PeriodLike; maxk?: number; metric?: Metric; rng?: Rng }): Promise<Float64Array> {
  checkOptionKeys(opts, ['ranksPresent', 'effectFuture', 'k', 'periodEffect', 'maxk', 'metric', 'rng'], 'returnInfImbCausalityInputRank');
  const F = mat(opts.effectFuture, 'effectFuture');
  const target = await computeNeighbors(F, { maxk: opts.maxk ?? F.rows - 1, metric: opts.metric, period: opts.periodEffect ?? null });
  return Float64Array.from(Array.from(opts.ranksPresent), (t) => informationImbalance(asIndexTable(t, F.rows, 'present ranks'), target, { k: opts.k ?? 1, rng: opts.rng }));
}
