import { warn } from '../runtime/warnings';
import { describeOptionValue } from '../options';
import { InputError } from '../errors';
import type { Matrix } from '../matrix';
import type { Metric } from '../neighbors';
import { checkpoint, startProgress } from '../runtime/progress';
import type { Rng } from '../stats/rng';
import type { Chart } from '../../widgets/chart';
import { imbalancePlaneChart } from '../../widgets/compare/charts';
import { imbalancePairAsync, type PairHint } from './imbalance';

export interface SubsetImbalanceOptions {
  k?: number;
  /** Points per subset (DADApy's default 2000); each subset gets complete tables of subsetSize - 1 neighbours. */
  subsetSize?: number;
  /** Number of subsets (default N // subsetSize). */
  repeats?: number | null;
  /** Return [mean, standard error] (default) or the value of every subset. */
  avg?: boolean;
  metric?: Metric;
  /**
   * Period of X's coordinates. DADApy applies the same period to the other representation (and
   * fails when its dimension differs): we do so when the dimensions agree, else Y is not periodic.
   */
  period?: Float64Array | null;
  rng: Rng;
  signal?: AbortSignal;
}

/** Information imbalance between two representations of the same points (immutable). */
export interface InformationImbalance {
  /** [mean, standard error] of Delta(X -> Y) over the subsets (avg), or the value of each subset. */
  readonly imbXToY: Float64Array;
  /** The same for Delta(Y -> X). */
  readonly imbYToX: Float64Array;
  /** Delta(X -> Y) and Delta(Y -> X) of every subset. */
  readonly perSubsetXToY: Float64Array;
  readonly perSubsetYToX: Float64Array;
  readonly k: number;
  readonly subsetSize: number;
  readonly repeats: number;
  summary(): string;
  plot(): Chart;
}

function meanSem(v: Float64Array): [number, number] {
  const n = v.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += v[i];
  const mean = s / n;
  if (n === 1) return [v[0], 0];
  let ss = 0;
  for (let i = 0; i < n; i++) { const d = v[i] - mean; ss += d * d; }
  return [mean, Math.sqrt(ss / (n - 1)) / Math.pow(n, 0.5)];
}

/**
 * DADApy's `return_information_imbalace` (sic): Delta(X -> Y) and Delta(Y -> X) averaged over
 * random disjoint subsets. With N <= subsetSize one subset holds all points. Otherwise the points
 * are shuffled (`rng.choice(N, N, replace=false)`), split as np.array_split does into `repeats`
 * pieces (the last dropped when shorter than the others); each piece gets tables of
 * subsetSize - 1 neighbours, so ranks beyond them (pieces larger than subsetSize) are random, as in
 * DADApy. Ranks come from short neighbour tables (the engine's) and are counted from distances only
 * for neighbours outside them, which is what makes N = 20000 affordable; the numbers are those of
 * DADApy's complete tables.
 */
export async function informationImbalanceSubsets(X: Matrix, Y: Matrix, opts: SubsetImbalanceOptions): Promise<InformationImbalance> {
  const N = X.rows;
  if (Y.rows !== N) {
    throw new InputError(`The other representation has ${Y.rows} points but this one has ${N}`,
      'Pass coordinates of the same points, in the same order (one row per point)');
  }
  const k = opts.k ?? 1;
  let subsetSize = opts.subsetSize ?? 2000;
  if (!Number.isInteger(subsetSize) || subsetSize < 2) {
    throw new InputError(`subsetSize = ${describeOptionValue(subsetSize)} is not a whole number >= 2`, 'Pass e.g. subsetSize: 2000');
  }
  let repeats = opts.repeats ?? Math.floor(N / subsetSize);
  if (N <= subsetSize) {
    warn(`subsetSize = ${subsetSize} is not below the N = ${N} points: the imbalance is computed once, on all of them`);
    repeats = 1;
    subsetSize = N;
  } else if (repeats > Math.floor(N / subsetSize)) {
    warn(`repeats x subsetSize = ${repeats} x ${subsetSize} exceeds the N = ${N} points: repeats set to floor(N / subsetSize) = ${Math.floor(N / subsetSize)}`);
    repeats = Math.floor(N / subsetSize);
  }
  if (!Number.isInteger(repeats) || repeats < 1) {
    throw new InputError(`repeats = ${describeOptionValue(repeats)} is not a positive whole number`, 'Pass repeats >= 1 or leave it out');
  }
  let subsets: Int32Array[] = [Int32Array.from({ length: N }, (_, i) => i)];
  if (repeats > 1) {
    const perm = opts.rng.choice(N, N, false);
    // np.array_split: the first N % repeats pieces have one more element
    const base = Math.floor(N / repeats), extra = N % repeats;
    subsets = [];
    let at = 0;
    for (let p = 0; p < repeats; p++) {
      const len = base + (p < extra ? 1 : 0);
      subsets.push(perm.slice(at, at + len));
      at += len;
    }
    if (subsets[subsets.length - 1].length !== subsets[subsets.length - 2].length) {
      subsets = subsets.slice(0, -1);
      repeats -= 1;
    }
  }
  const xy = new Float64Array(repeats), yx = new Float64Array(repeats);
  const bar = startProgress('information imbalance', repeats);
  const hint: PairHint = {};
  try {
    for (let p = 0; p < repeats; p++) {
      const idx = subsets[p];
      const Xp = idx.length === N ? X : X.selectRows(idx);
      const Yp = idx.length === N ? Y : Y.selectRows(idx);
      [xy[p], yx[p]] = await imbalancePairAsync(Xp, Yp, {
        k, metric: opts.metric, periodA: opts.period ?? null, periodB: opts.period && Y.cols === X.cols ? opts.period : null, maxk: subsetSize - 1, rng: opts.rng, signal: opts.signal, hint,
      });
      bar.update(p + 1);
      await checkpoint(opts.signal);
    }
  } finally {
    bar.finish();
  }
  const avg = opts.avg ?? true;
  const mXY = meanSem(xy), mYX = meanSem(yx);
  return Object.freeze({
    imbXToY: avg ? Float64Array.from(mXY) : xy,
    imbYToX: avg ? Float64Array.from(mYX) : yx,
    perSubsetXToY: xy, perSubsetYToX: yx,
    k, subsetSize, repeats,
    summary: () => `Δ(X → Y) = ${meanAndError(mXY, repeats)}, Δ(Y → X) = ${meanAndError(mYX, repeats)} ` +
      `(k = ${k}, ${repeats} subset${repeats === 1 ? '' : 's'} of ${subsets[0].length})`,
    plot: () => imbalancePlaneChart({ aToB: [mXY[0]], bToA: [mYX[0]], labels: ['X vs Y'], nameA: 'X', nameB: 'Y' }),
  });
}

/**
 * "0.645 ± 0.039": the mean to 3 decimals and its standard error to 2 significant digits; no error
 * with one subset (there is no spread to report, and "± 0.000" would claim an exact value).
 */
export function meanAndError(pair: ArrayLike<number>, subsets: number): string {
  const mean = pair[0], err = pair[1];
  if (subsets <= 1 || !(err > 0)) return mean.toFixed(3);
  return `${mean.toFixed(3)} ± ${Number(err.toPrecision(2))}`;
}

/** Information imbalances of several representations against a reference (immutable). */
export interface ImbalanceProfile {
  /** Delta(layer -> reference) of each layer (mean over subsets). */
  readonly toReference: Float64Array;
  /** Delta(reference -> layer) of each layer. */
  readonly fromReference: Float64Array;
  readonly labels: readonly string[];
  readonly reference: string;
  readonly k: number;
  summary(): string;
  plot(): Chart;
}

/**
 * The information imbalance of each representation (e.g. each layer) with a reference: the
 * previous layer, the first, the last, or another matrix (e.g. the input or the targets), both
 * ways, with DADApy's subsets (subsetSize 2000). Plotted on the imbalance plane, one point per layer.
 */
export async function imbalanceProfile(layers: readonly Matrix[], opts: {
  reference?: 'previous' | 'first' | 'last' | Matrix; names?: readonly string[]; k?: number; subsetSize?: number;
  metric?: Metric; rng: Rng; signal?: AbortSignal;
}): Promise<ImbalanceProfile> {
  if (!layers || layers.length === 0) throw new InputError('No representations were given', 'Pass an array of matrices (one per layer)');
  const ref = opts.reference ?? 'previous';
  const L = layers.length;
  const to = new Float64Array(L), from = new Float64Array(L);
  for (let i = 0; i < L; i++) {
    const R = typeof ref === 'object' ? ref : ref === 'previous' ? layers[Math.max(0, i - 1)] : ref === 'first' ? layers[0] : layers[L - 1];
    const r = await informationImbalanceSubsets(layers[i], R, { k: opts.k, subsetSize: opts.subsetSize, metric: opts.metric, rng: opts.rng, signal: opts.signal });
    to[i] = r.imbXToY[0];
    from[i] = r.imbYToX[0];
  }
  const labels = opts.names ? [...opts.names] : layers.map((_, i) => String(i));
  const refName = typeof ref === 'object' ? 'reference' : ref === 'previous' ? 'previous layer' : `${ref} layer`;
  const k = opts.k ?? 1;
  return Object.freeze({
    toReference: to, fromReference: from, labels: Object.freeze(labels), reference: refName, k,
    summary: () => `Δ(layer → ${refName}) / Δ(${refName} → layer): ${labels.map((l, i) => `${l} ${to[i].toFixed(3)}/${from[i].toFixed(3)}`).join(', ')}`,
    plot: () => imbalancePlaneChart({ aToB: to, bToA: from, labels, nameA: 'layer', nameB: refName, title: `Information imbalance with the ${refName}` }),
  });
}
