import { InputError } from '../errors';
import { describeOptionValue } from '../options';
import { Matrix } from '../matrix';
import { computeNeighbors, type Metric } from '../neighbors';
import { checkpoint } from '../runtime/progress';
import type { Rng } from '../stats/rng';
import type { Chart } from '../../widgets/chart';
import { greedyCurveChart, imbalancePlaneChart } from '../../widgets/compare/charts';
import { informationImbalance, type IndexTable } from './imbalance';
import { pySetOfFrozensets } from './pyset';

/** What the imbalances against coordinate subsets need: the data and how their tables are built. */
export interface CoordsContext {
  X: Matrix;
  /** Neighbours per point of each subset's table (DADApy's self.maxk). */
  maxk: number;
  metric: Metric;
  /** Period per coordinate of X (sliced to each subset), or null. */
  period: Float64Array | null;
  rng: Rng;
  signal?: AbortSignal;
}

function checkCoords(coords: readonly number[], D: number, what = 'coordinate list'): number[] {
  if (!Array.isArray(coords) && !ArrayBuffer.isView(coords)) {
    throw new InputError(`The ${what} is not a list of coordinate indices`, 'Pass e.g. [0, 2]');
  }
  const c = Array.from(coords as ArrayLike<number>, Number);
  if (c.length === 0) throw new InputError(`The ${what} is empty`, 'Pass at least one coordinate index');
  for (const j of c) {
    if (!Number.isInteger(j) || j < 0 || j >= D) {
      throw new InputError(`Coordinate ${j} in the ${what} does not exist (the data have ${D} coordinates)`,
        `Use indices between 0 and ${D - 1}`);
    }
  }
  return c;
}

/** The neighbour table of X restricted to some coordinates, with the context's maxk, metric and period. */
export async function subsetTable(ctx: CoordsContext, coords: readonly number[]): Promise<IndexTable> {
  const c = checkCoords(coords, ctx.X.cols);
  const Xs = ctx.X.selectColumns(c);
  const period = ctx.period ? Float64Array.from(c, (j) => ctx.period![j]) : null;
  return computeNeighbors(Xs, { maxk: ctx.maxk, metric: ctx.metric, period, signal: ctx.signal });
}

/** Imbalances between a target space and a list of coordinate subsets (immutable). */
export interface CoordImbalances {
  /** The subsets, in order. */
  readonly coordList: readonly (readonly number[])[];
  /** 2 x L: row 0 Delta(target -> subset), row 1 Delta(subset -> target) (DADApy's layout). */
  readonly imbalances: Matrix;
  readonly targetToCoords: Float64Array;
  readonly coordsToTarget: Float64Array;
  readonly k: number;
  summary(): string;
  plot(): Chart;
}

function fmt3(x: number): string {
  return x.toFixed(3);
}

export function makeCoordImbalances(coordList: readonly (readonly number[])[], row0: Float64Array, row1: Float64Array,
  k: number, targetName = 'full'): CoordImbalances {
  const L = coordList.length;
  const data = new Float64Array(2 * L);
  data.set(row0, 0);
  data.set(row1, L);
  const labels = coordList.map((c) => `[${c.join(', ')}]`);
  return Object.freeze({
    coordList: Object.freeze(coordList.map((c) => Object.freeze([...c]))),
    imbalances: new Matrix(data, 2, L),
    targetToCoords: row0,
    coordsToTarget: row1,
    k,
    summary(): string {
      const parts = labels.slice(0, 6).map((l, i) => `${l}: ${fmt3(row0[i])} / ${fmt3(row1[i])}`);
      return `Δ(${targetName} → coords) / Δ(coords → ${targetName}), k = ${k}: ${parts.join('; ')}${L > 6 ? `; ... (${L} subsets)` : ''}`;
    },
    plot(): Chart {
      return imbalancePlaneChart({ aToB: row0, bToA: row1, labels, nameA: targetName, nameB: 'coords' });
    },
  });
}

/**
 * DADApy's `return_inf_imb_target_selected_coords`: for each subset, the table of X[:, subset]
 * (maxk neighbours), then Delta(subset -> target) and Delta(target -> subset), in that order (the
 * order of the random draws when a table is incomplete).
 */
export async function imbalancesWithCoords(ctx: CoordsContext, target: IndexTable, coordList: readonly (readonly number[])[],
  k = 1, targetName = 'full'): Promise<CoordImbalances> {
  if (target.n !== ctx.X.rows) {
    throw new InputError(`The target table has ${target.n} rows but there are ${ctx.X.rows} points`,
      'Pass the neighbour indices of the target space computed on the same points');
  }
  if (!Array.isArray(coordList) || coordList.length === 0) {
    throw new InputError('The list of coordinate subsets is empty', 'Pass e.g. [[0], [1, 2]]');
  }
  const L = coordList.length;
  const row0 = new Float64Array(L), row1 = new Float64Array(L);
  for (let l = 0; l < L; l++) {
    const t = await subsetTable(ctx, coordList[l]);
    row1[l] = informationImbalance(t, target, { k, rng: ctx.rng });
    row0[l] = informationImbalance(target, t, { k, rng: ctx.rng });
    await checkpoint(ctx.signal);
  }
  return makeCoordImbalances(coordList.map((c) => Array.from(c, Number)), row0, row1, k, targetName);
}

/** The imbalances between two coordinate subsets (immutable). */
export interface TwoCoordsImbalance {
  readonly coords1: readonly number[];
  readonly coords2: readonly number[];
  readonly imbCoords1ToCoords2: number;
  readonly imbCoords2ToCoords1: number;
  readonly k: number;
  summary(): string;
  plot(): Chart;
}

/** DADApy's `return_inf_imb_two_selected_coords`: (Delta(c1 -> c2), Delta(c2 -> c1)). */
export async function imbalanceTwoCoords(ctx: CoordsContext, coords1: readonly number[], coords2: readonly number[], k = 1): Promise<TwoCoordsImbalance> {
  const t1 = await subsetTable(ctx, coords1);
  const t2 = await subsetTable(ctx, coords2);
  const a = informationImbalance(t1, t2, { k, rng: ctx.rng });
  const b = informationImbalance(t2, t1, { k, rng: ctx.rng });
  const l1 = `[${coords1.join(', ')}]`, l2 = `[${coords2.join(', ')}]`;
  return Object.freeze({
    coords1: Object.freeze([...coords1]), coords2: Object.freeze([...coords2]),
    imbCoords1ToCoords2: a, imbCoords2ToCoords1: b, k,
    summary: () => `Δ(${l1} → ${l2}) = ${fmt3(a)}, Δ(${l2} → ${l1}) = ${fmt3(b)} (k = ${k})`,
    plot: () => imbalancePlaneChart({ aToB: [a], bToA: [b], labels: [`${l1} vs ${l2}`], nameA: l1, nameB: l2 }),
  });
}

/** The D x D matrix of imbalances between single coordinates (immutable). */
export interface ImbalanceMatrix {
  /** M[i][j] = Delta([i] -> [j]); zero diagonal. Row-major D x D. */
  readonly imbalanceMatrix: Matrix;
  readonly k: number;
  summary(): string;
  plot(): Chart;
}

/**
 * DADApy's `return_inf_imb_matrix_of_coords`: for i, then j < i, Delta([i] -> [j]) and Delta([j] -> [i]).
 * (DADApy runs the pairs under joblib, each task with a copy of the generator; with n_jobs = 1, as
 * in the fixtures, the draws are sequential, which is what we do.)
 */
export async function imbalanceMatrixOfCoords(ctx: CoordsContext, k = 1): Promise<ImbalanceMatrix> {
  const D = ctx.X.cols;
  const M = new Float64Array(D * D);
  const tables: IndexTable[] = [];
  for (let i = 0; i < D; i++) tables.push(await subsetTable(ctx, [i]));
  for (let i = 0; i < D; i++) {
    for (let j = 0; j < i; j++) {
      M[i * D + j] = informationImbalance(tables[i], tables[j], { k, rng: ctx.rng });
      M[j * D + i] = informationImbalance(tables[j], tables[i], { k, rng: ctx.rng });
    }
    await checkpoint(ctx.signal);
  }
  const mat = new Matrix(M, D, D);
  return Object.freeze({
    imbalanceMatrix: mat, k,
    summary: () => `${D} x ${D} information imbalances between single coordinates (k = ${k})`,
    plot(): Chart {
      const a: number[] = [], b: number[] = [], labels: string[] = [];
      for (let i = 0; i < D; i++) for (let j = 0; j < i; j++) { a.push(M[i * D + j]); b.push(M[j * D + i]); labels.push(`${i} vs ${j}`); }
      return imbalancePlaneChart({ aToB: a, bToA: b, labels, nameA: 'i', nameB: 'j', title: 'Imbalances between pairs of coordinates' });
    },
  });
}

/** Python's round(x, 3) on a float: correctly rounded, ties (only x = odd/16 can tie) to even. */
export function pyRound3(x: number): number {
  const s16 = x * 16;
  if (Number.isInteger(s16) && Math.abs(s16) % 2 === 1) return roundHalfEven(x * 1000) / 1000;
  return Number(x.toFixed(3));
}

/** NumPy's round(x, 3): rint(x * 1000) / 1000 (ties to even on the rounded product). */
export function npRound3(x: number): number {
  return roundHalfEven(x * 1000) / 1000;
}

function roundHalfEven(y: number): number {
  const f = Math.floor(y), d = y - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Indices sorted by value (stable: NumPy's argsort on these short arrays is an insertion sort). */
function argsort(v: ArrayLike<number>): number[] {
  return Array.from({ length: v.length }, (_, i) => i).sort((a, b) => (v[a] - v[b]) || a - b);
}

export interface GreedyOptions {
  /** Stop when the best tuple has this many features. */
  nCoords: number;
  k?: number;
  /** Tuples kept at each step and extended by one feature (default 10). */
  nBest?: number;
  /** Score by the symmetric combination (Delta0 + Delta1) / sqrt(2) (default) or by Delta(subset -> target). */
  symm?: boolean;
}

/** Greedy feature selection against a target space (immutable). */
export interface GreedySelection {
  /** The best tuple at each step (1, 2, ... nCoords features). */
  readonly bestTuples: readonly (readonly number[])[];
  /** nCoords x 2: [Delta(target -> tuple), Delta(tuple -> target)] of each best tuple, rounded to 3 decimals as DADApy. */
  readonly bestImbalances: Matrix;
  /** Per step: [row 0, row 1] of all candidates (rounded), in DADApy's candidate order. */
  readonly allImbalances: readonly (readonly (readonly number[])[])[];
  /** The candidates of each step (DADApy's order: CPython's set iteration). */
  readonly candidates: readonly (readonly (readonly number[])[])[];
  readonly k: number;
  summary(): string;
  plot(): Chart;
}

/**
 * DADApy's `greedy_feature_selection_target`: start from the nBest single features (by score),
 * extend each kept tuple by every feature not in it, deduplicate, score, keep the nBest, until the
 * best tuple has nCoords features. Candidates come in CPython's set-iteration order and the
 * reported imbalances are rounded to 3 decimals (Python's round for the first step, NumPy's
 * after), as DADApy returns them, so the output matches DADApy's element by element.
 */
export async function greedyFeatureSelection(ctx: CoordsContext, target: IndexTable, opts: GreedyOptions): Promise<GreedySelection> {
  const D = ctx.X.cols;
  const k = opts.k ?? 1, nBest = opts.nBest ?? 10, symm = opts.symm ?? true;
  const nCoords = opts.nCoords;
  if (!Number.isInteger(nCoords) || nCoords < 1 || nCoords > D) {
    throw new InputError(`nCoords = ${nCoords} is not between 1 and the ${D} coordinates`, `Pass nCoords between 1 and ${D}`);
  }
  if (!Number.isInteger(nBest) || nBest < 1) {
    throw new InputError(`nBest = ${describeOptionValue(nBest)} is not a positive whole number`, 'Pass nBest >= 1 (DADApy default 10)');
  }
  const s = Math.sqrt(0.5);
  const score = (r: CoordImbalances): Float64Array => {
    const L = r.coordList.length, out = new Float64Array(L);
    for (let l = 0; l < L; l++) out[l] = symm ? r.targetToCoords[l] * s + r.coordsToTarget[l] * s : r.coordsToTarget[l];
    return out;
  };
  const singles = Array.from({ length: D }, (_, i) => [i]);
  const first = await imbalancesWithCoords(ctx, target, singles, k);
  let order = argsort(score(first)).slice(0, nBest);
  const best0 = order[0];
  const bestTuples: number[][] = [[best0]];
  const bestImb: number[][] = [[pyRound3(first.targetToCoords[best0]), pyRound3(first.coordsToTarget[best0])]];
  const allImb: number[][][] = [[Array.from(first.targetToCoords, pyRound3), Array.from(first.coordsToTarget, pyRound3)]];
  const candidates: number[][][] = [singles];
  let selected: number[][] = order.map((i) => [i]);
  while (bestTuples.length < nCoords) {
    const cList: number[][] = [];
    for (const t of selected) for (let j = 0; j < D; j++) if (!t.includes(j)) cList.push([...t, j]);
    const coordList = pySetOfFrozensets(cList);
    const res = await imbalancesWithCoords(ctx, target, coordList, k);
    order = argsort(score(res)).slice(0, nBest);
    const b = order[0];
    bestTuples.push(coordList[b]);
    bestImb.push([npRound3(res.targetToCoords[b]), npRound3(res.coordsToTarget[b])]);
    allImb.push([Array.from(res.targetToCoords, npRound3), Array.from(res.coordsToTarget, npRound3)]);
    candidates.push(coordList);
    selected = order.map((i) => coordList[i]);
  }
  const flat = new Float64Array(bestImb.length * 2);
  bestImb.forEach((p, i) => { flat[2 * i] = p[0]; flat[2 * i + 1] = p[1]; });
  return Object.freeze({
    bestTuples: Object.freeze(bestTuples.map((t) => Object.freeze(t))),
    bestImbalances: new Matrix(flat, bestImb.length, 2),
    allImbalances: Object.freeze(allImb),
    candidates: Object.freeze(candidates),
    k,
    summary(): string {
      const last = bestTuples[bestTuples.length - 1], li = bestImb[bestImb.length - 1];
      return `greedy selection: best ${last.length} features [${last.join(', ')}], Δ(target → features) = ${li[0]}, Δ(features → target) = ${li[1]}`;
    },
    plot: () => greedyCurveChart({ tuples: bestTuples, imbalances: bestImb }),
  });
}
