import { checkOptionKeys, optionKeys } from '../options';
import { InputError } from '../errors';
import type { Matrix } from '../matrix';
import { computeNeighbors, type Metric } from '../neighbors';
import { checkpoint } from '../runtime/progress';
import { SeededRng, type Rng } from '../stats/rng';
import type { Chart } from '../../widgets/chart';
import { overlapProfileChart } from '../../widgets/compare/charts';
import { informationImbalance } from './imbalance';

export interface JackknifeOptions {
  /** Leave-one-out repetitions (default N): the first n points of a random order are left out in turn. */
  n?: number | null;
  k?: number;
  /** Neighbours of the full data sets (default N - 1); the tables without one point have maxk - 1. */
  maxk?: number;
  metric?: Metric;
  /** Period of both spaces (DADApy uses d1's metric and period for both). */
  period?: Float64Array | null;
  /** DADApy uses a module-level default_rng(42) whose state persists across calls. */
  rng?: Rng;
  signal?: AbortSignal;
}
const JACKKNIFE_KEYS = optionKeys<JackknifeOptions>({ n: 1, k: 1, maxk: 1, metric: 1, period: 1, rng: 1, signal: 1 });

/** The jackknife of Delta(d1 -> d2) (immutable). */
export interface JackknifeImbalance {
  readonly mean: number;
  /** Standard deviation (ddof 0) of the leave-one-out values, as DADApy returns it. */
  readonly std: number;
  readonly values: Float64Array;
  /** The points left out, in order. */
  readonly removed: Int32Array;
  summary(): string;
  plot(): Chart;
}

/**
 * DataSets.return_inf_imb_jackknife_d1_to_d2 (§11): Delta(d1 -> d2) recomputed with each of n
 * points left out in turn (the first n of `rng.permutation(N)`), tables of maxk - 1 neighbours;
 * mean and std (ddof 0) of the n values.
 */
export async function jackknifeImbalance(X1: Matrix, X2: Matrix, opts: JackknifeOptions = {}): Promise<JackknifeImbalance> {
  checkOptionKeys(opts, JACKKNIFE_KEYS, 'jackknifeImbalance');
  const N = X1.rows;
  if (X2.rows !== N) {
    throw new InputError(`The two data sets have ${N} and ${X2.rows} points`, 'Pass two representations of the same points');
  }
  const n = opts.n ?? N;
  if (!Number.isInteger(n) || n < 1 || n > N) throw new InputError(`n = ${n} is not between 1 and N = ${N}`, 'Pass n <= N');
  const k = opts.k ?? 1;
  const maxk = (opts.maxk ?? N - 1) - 1;
  const rng = opts.rng ?? new SeededRng(42);
  const order = rng.permutation(N).slice(0, n);
  const values = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const drop = order[t];
    const keep = Int32Array.from({ length: N - 1 }, (_, i) => (i < drop ? i : i + 1));
    const t1 = await computeNeighbors(X1.selectRows(keep), { maxk, metric: opts.metric, period: opts.period ?? null, signal: opts.signal });
    const t2 = await computeNeighbors(X2.selectRows(keep), { maxk, metric: opts.metric, period: opts.period ?? null, signal: opts.signal });
    values[t] = informationImbalance(t1, t2, { k, rng });
    await checkpoint(opts.signal);
  }
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i];
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  const std = Math.sqrt(ss / n);
  return Object.freeze({
    mean, std, values, removed: order,
    summary: () => `jackknife Δ(d1 → d2) = ${mean.toFixed(4)}${std > 0 ? ` ± ${Number(std.toPrecision(2))}` : ''} over ${n} leave-one-out sets`,
    plot: () => overlapProfileChart({ overlaps: values, labels: Array.from(order, (i) => String(i)), xTitle: 'point left out', yTitle: 'Δ(d1 → d2)', yDomain: null, title: `Jackknife of Δ(d1 → d2): ${mean.toFixed(4)} ± ${std.toFixed(4)}` }),
  });
}

/** What DataSets reads from a Data object. */
interface DataLike {
  X: Matrix | null;
  maxk: number;
  metric: Metric | 'precomputed';
  period: Float64Array | number | null;
}

let moduleRng: Rng | null = null;

/**
 * DADApy's DataSets (no state except, as in DADApy, one module-level generator seeded 42 whose
 * state persists across calls).
 */
export class DataSets {
  /** DataSets.return_inf_imb_jackknife_d1_to_d2: d1's maxk, metric and period are used for both. */
  static async returnInfImbJackknifeD1ToD2(d1: DataLike, d2: DataLike, opts: { n?: number | null; k?: number; rng?: Rng } = {}): Promise<JackknifeImbalance> {
    if (!d1.X || !d2.X) throw new InputError('The jackknife needs coordinates in both data sets', 'Create both Data objects with coordinates');
    if (!opts.rng && !moduleRng) moduleRng = new SeededRng(42);
    const D = d1.X.cols;
    const period = d1.period === null ? null : typeof d1.period === 'number' ? new Float64Array(D).fill(d1.period) : d1.period;
    return jackknifeImbalance(d1.X, d2.X, {
      n: opts.n, k: opts.k, maxk: d1.maxk, metric: d1.metric === 'precomputed' ? 'euclidean' : d1.metric,
      period: d2.X.cols === D ? period : null, rng: opts.rng ?? moduleRng!,
    });
  }
}
