import { warn } from '../runtime/warnings';
import { checkOptionKeys, nonNegativeInteger, optionKeys, positiveInteger, positiveNumber } from '../options';
import { InputError } from '../errors';
import type { Matrix } from '../matrix';
import { computeNeighborsSync } from '../neighbors';
import type { Metric } from '../neighbors/metrics';
import { assertNoZeroDistances, makeTable, type NeighborTable } from '../neighbors/table';
import { checkpoint } from '../runtime/progress';
import type { Rng } from '../stats/rng';
import type { Chart } from '../../widgets/chart';
import { decimationChart, twoNNFitChart } from '../../widgets/id/charts';
import { fmt } from './format';

export type TwoNNAlgorithm = 'base' | 'ml';

export interface TwoNNOptions {
  /** 'base': least-squares line through the origin of -log(1 - F(mu)) against log mu; 'ml': maximum likelihood. */
  algorithm?: TwoNNAlgorithm | string;
  /** Fraction of the mus kept for the 'base' fit (the largest are discarded); DADApy's default 0.9. */
  muFraction?: number;
  /** The number of coordinates, when known: an ID far above it is flagged (lattice data). */
  dims?: number | null;
}
export const TWONN_KEYS = optionKeys<TwoNNOptions>({ algorithm: 1, muFraction: 1, dims: 1 });

/** The outcome of a TwoNN estimate (immutable). */
export interface TwoNNResult {
  readonly id: number;
  /** Standard error over decimation iterations (0 without decimation; the posterior std with a prior). */
  readonly idErr: number;
  /** Mean distance of the first two neighbours (over iterations when decimated). */
  readonly scale: number;
  readonly algorithm: TwoNNAlgorithm | 'bayes';
  readonly muFraction: number;
  readonly dataFraction: number;
  readonly nIter: number;
  /** Points per estimate. */
  readonly n: number;
  /** The ids of the decimation iterations (one entry without decimation). */
  readonly ids: Float64Array;
  /** mu = r2 / r1 of every point of the first (or only) estimate. */
  readonly mus: Float64Array;
  /** The mus of every subset (one array without decimation; DADApy's intrinsic_dim_mus list). */
  readonly allMus: readonly Float64Array[];
  summary(): string;
  plot(): Chart;
}

/** Checks DADApy's algorithm names; mu_fraction close to 1 turns 'base' into 'ml' as DADApy does. */
export function resolveTwoNNAlgorithm(algorithm: string | undefined, muFraction: number): TwoNNAlgorithm {
  const a = algorithm ?? 'base';
  if (a !== 'base' && a !== 'ml') {
    throw new InputError(`Unknown TwoNN algorithm '${a}'`, "Use algorithm: 'base' (linear fit) or 'ml' (maximum likelihood)");
  }
  if (!(muFraction > 0 && muFraction <= 1)) {
    throw new InputError(`muFraction = ${muFraction} is outside (0, 1]`, 'Pass a fraction such as 0.9');
  }
  // math.isclose(mu_fraction, 1.0): relative tolerance 1e-9
  if (a === 'base' && Math.abs(muFraction - 1) <= 1e-9 * Math.max(1, Math.abs(muFraction))) return 'ml';
  return a;
}

/**
 * The TwoNN id from the ratios mu = r2 / r1 (Facco et al. 2017).
 * 'ml': (N - 1) / sum(log mu) over all points. 'base': the slope of the least-squares line through
 * the origin of y_i = -log(1 - i / N) against the sorted log mu, i = 1..floor(N muFraction) (the
 * denominator is the full N); DADApy's curve_fit converges to this closed form.
 */
export function twoNNFromMus(mus: ArrayLike<number>, muFraction = 0.9, algorithm: TwoNNAlgorithm = 'base'): number {
  const N = mus.length;
  if (N < 2) throw new InputError(`TwoNN needs at least 2 points, got ${N}`, 'Pass more points');
  const logs = new Float64Array(N);
  for (let i = 0; i < N; i++) logs[i] = Math.log(mus[i]);
  if (algorithm === 'ml') {
    let s = 0;
    for (let i = 0; i < N; i++) s += logs[i];
    return (N - 1) / s;
  }
  const nEff = Math.trunc(N * muFraction);
  logs.sort();
  let sxy = 0, sxx = 0;
  for (let i = 0; i < nEff; i++) {
    const x = logs[i];
    const y = -Math.log(1 - (i + 1) / N);
    sxy += x * y;
    sxx += x * x;
  }
  return sxy / sxx;
}

/** mu_i = r_{i,2} / r_{i,1} and the mean of r1 and r2 over all points. */
export function musOf(nn: NeighborTable): { mus: Float64Array; scale: number } {
  if (nn.maxk < 2) {
    throw new InputError(`TwoNN needs 2 neighbours per point but the table holds maxk = ${nn.maxk}`, 'Compute distances with maxk >= 2');
  }
  const w = nn.maxk + 1, d = nn.distances;
  const mus = new Float64Array(nn.n);
  let s = 0;
  for (let i = 0; i < nn.n; i++) {
    const r1 = d[i * w + 1], r2 = d[i * w + 2];
    mus[i] = r2 / r1;
    s += r1 + r2;
  }
  return { mus, scale: s / (2 * nn.n) };
}

function makeResult(fields: Omit<TwoNNResult, 'summary' | 'plot'>): TwoNNResult {
  const r: TwoNNResult = {
    ...fields,
    summary() {
      const how = fields.algorithm === 'bayes' ? 'TwoNN with a Gamma prior' : `TwoNN (${fields.algorithm})`;
      const dec = fields.nIter > 1 || fields.dataFraction < 1 ? `, ${fields.nIter} subsets of ${fields.n} points` : '';
      // DADApy's error is the spread over decimation subsets: 0 with one subset, so not shown
      const err = fields.idErr > 0 ? ` ± ${fmt(fields.idErr)}` : '';
      return `ID ${fmt(fields.id)}${err} at r = ${fmt(fields.scale)} (${how}${dec})`;
    },
    plot() {
      return twoNNFitChart({
        mus: fields.mus, id: fields.algorithm === 'bayes' ? fields.id : twoNNFromMusSlope(fields.mus, fields.muFraction, fields.algorithm),
        muFraction: fields.algorithm === 'base' ? fields.muFraction : 1, title: r.summary(),
      });
    },
  };
  return Object.freeze(r);
}

function twoNNFromMusSlope(mus: Float64Array, muFraction: number, algorithm: TwoNNAlgorithm | 'bayes'): number {
  return twoNNFromMus(mus, muFraction, algorithm === 'base' ? 'base' : 'ml');
}

/** Points whose first two neighbours are this close in distance (relatively) count as ties. */
const TIE_TOLERANCE = 1e-6;
/** Warn when more than this fraction of the points have tied first neighbours. */
const LATTICE_FRACTION = 0.05;

/**
 * On a lattice (equally spaced points, a grid, rounded coordinates) many points have their first
 * two neighbours at the same distance, mu = r2 / r1 = 1, log mu = 0: TwoNN's fit then divides by
 * almost nothing and the ID is absurd (huge, or NaN). Says so, with what to do instead.
 */
export function warnOnLatticeData(mus: ArrayLike<number>, id: number, dims?: number | null): boolean {
  let ties = 0;
  for (let i = 0; i < mus.length; i++) if (Math.abs(mus[i] - 1) <= TIE_TOLERANCE) ties++;
  const advice = 'TwoNN assumes randomly placed points, and on equally spaced points (a lattice, a grid, rounded values) '
    + 'r2/r1 is close to 1 everywhere, which reads as a huge dimension. Use random samples of the manifold, add a little noise, '
    + 'or use IdDiscrete for lattice data';
  if (mus.length > 0 && ties / mus.length > LATTICE_FRACTION) {
    warn(`${Math.round((100 * ties) / mus.length)}% of the points have their first two neighbours at the same distance (r2/r1 = 1), `
      + `so the ID ${fmt(id)} is not meaningful. ${advice}`, 'numerical');
    return true;
  }
  // An ID far above the number of coordinates is impossible: the same failure, with tiny unequal spacings.
  if (dims && dims > 0 && !(id <= LATTICE_ID_RATIO * dims)) {
    warn(`The TwoNN ID ${fmt(id)} is far above the number of coordinates (${dims}): the points are not spread at random. ${advice}`, 'numerical');
    return true;
  }
  return false;
}

/** An ID above this multiple of the number of coordinates is flagged as impossible. */
const LATTICE_ID_RATIO = 1.5;

/** TwoNN on a neighbour table (all points, no decimation). Refuses duplicate points (r1 = 0). */
export function twoNN(nn: NeighborTable, opts: TwoNNOptions = {}): TwoNNResult {
  checkOptionKeys(opts, TWONN_KEYS, 'twoNN');
  const muFraction = opts.muFraction ?? 0.9;
  const algorithm = resolveTwoNNAlgorithm(opts.algorithm, muFraction);
  assertNoZeroDistances(nn, 'TwoNN');
  const { mus, scale } = musOf(nn);
  const id = twoNNFromMus(mus, muFraction, algorithm);
  warnOnLatticeData(mus, id, opts.dims);
  return makeResult({
    id, idErr: 0, scale, algorithm, muFraction, dataFraction: 1, nIter: 1, n: nn.n,
    ids: Float64Array.of(id), mus, allMus: Object.freeze([mus]),
  });
}

export interface TwoNNDecimationOptions extends TwoNNOptions {
  /** Fraction of the points in each random subset (DADApy's data_fraction). */
  dataFraction: number;
  /** Number of subsets; DADApy's default rint(1 / dataFraction). */
  nIter?: number | null;
  rng: Rng;
  metric?: Metric | 'precomputed';
  period?: Float64Array | null;
  signal?: AbortSignal;
}

/** NumPy's rint: round half to even. */
export function rint(x: number): number {
  const f = Math.floor(x), d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Checks dataFraction and returns (nSubset, nIter) as DADApy computes them. */
export function decimationSizes(N: number, dataFraction: number, nIter?: number | null): { nSubset: number; nIter: number } {
  if (!(dataFraction > 0 && dataFraction <= 1)) {
    throw new InputError(`dataFraction = ${dataFraction} is outside (0, 1]`, 'Pass a fraction of the points such as 0.25');
  }
  const nSubset = rint(N * dataFraction);
  const it = nIter === undefined || nIter === null ? rint(1 / dataFraction) : positiveInteger(nIter, 'nIter');
  if (nSubset < 3) {
    throw new InputError(`A fraction ${dataFraction} of ${N} points leaves ${nSubset} points per subset, fewer than the 3 TwoNN needs`,
      'Use a larger dataFraction');
  }
  return { nSubset, nIter: it };
}

/**
 * TwoNN on random subsets (DADApy's decimation): nIter times, draw nSubset distinct points with
 * `rng.choice(N, nSubset, false)`, recompute their two nearest neighbours within the subset, and
 * estimate. id = mean over subsets, idErr = std (ddof 0) / sqrt(nIter), scale = mean of the subsets'
 * mean (r1 + r2) / 2.
 */
export async function twoNNDecimated(X: Matrix, opts: TwoNNDecimationOptions): Promise<TwoNNResult> {
  const muFraction = opts.muFraction ?? 0.9;
  const algorithm = resolveTwoNNAlgorithm(opts.algorithm, muFraction);
  const { nSubset, nIter } = decimationSizes(X.rows, opts.dataFraction, opts.nIter);
  const metric = opts.metric && opts.metric !== 'precomputed' ? opts.metric : 'euclidean';
  const ids = new Float64Array(nIter);
  let scaleSum = 0;
  const allMus: Float64Array[] = [];
  for (let j = 0; j < nIter; j++) {
    const idx = opts.rng.choice(X.rows, nSubset, false);
    const sub = X.selectRows(idx);
    const t = computeNeighborsSync(sub, { maxk: 2, metric, period: opts.period ?? null });
    assertNoZeroDistances(t, 'TwoNN (on a random subset)');
    const { mus, scale } = musOf(t);
    ids[j] = twoNNFromMus(mus, muFraction, algorithm);
    scaleSum += scale;
    allMus.push(mus);
    await checkpoint(opts.signal);
  }
  return decimatedResult(ids, scaleSum / nIter, allMus, algorithm, muFraction, opts.dataFraction, nSubset);
}

function decimatedResult(ids: Float64Array, scale: number, allMus: Float64Array[], algorithm: TwoNNAlgorithm,
  muFraction: number, dataFraction: number, n: number): TwoNNResult {
  const nIter = ids.length;
  let m = 0;
  for (const v of ids) m += v;
  m /= nIter;
  let v2 = 0;
  for (const v of ids) v2 += (v - m) * (v - m);
  const idErr = Math.sqrt(v2 / nIter) / Math.sqrt(nIter);
  return makeResult({ id: m, idErr, scale, algorithm, muFraction, dataFraction, nIter, n, ids, mus: allMus[0], allMus: Object.freeze(allMus) });
}

/**
 * Decimation from a neighbour table only (no coordinates), as DADApy does: keep, for every drawn
 * point (in drawing order) whose row holds more than 2 drawn points, the first three drawn entries
 * (self, 1st, 2nd); the others are dropped.
 */
export async function twoNNDecimatedFromTable(nn: NeighborTable, opts: Omit<TwoNNDecimationOptions, 'metric' | 'period'>): Promise<TwoNNResult> {
  const muFraction = opts.muFraction ?? 0.9;
  const algorithm = resolveTwoNNAlgorithm(opts.algorithm, muFraction);
  const { nSubset, nIter } = decimationSizes(nn.n, opts.dataFraction, opts.nIter);
  const w = nn.maxk + 1;
  const ids = new Float64Array(nIter);
  let scaleSum = 0, survived = 0;
  const allMus: Float64Array[] = [];
  const chosen = new Uint8Array(nn.n);
  for (let j = 0; j < nIter; j++) {
    const idx = opts.rng.choice(nn.n, nSubset, false);
    chosen.fill(0);
    for (const i of idx) chosen[i] = 1;
    const d: number[] = [];
    for (const i of idx) {
      // DADApy keeps the row when more than 2 of its entries were drawn: the first three (self, 1st, 2nd)
      const kept: number[] = [];
      for (let c = 0; c < w && kept.length < 3; c++) if (chosen[nn.indices[i * w + c]]) kept.push(nn.distances[i * w + c]);
      if (kept.length === 3) d.push(kept[0], kept[1], kept[2]);
    }
    const m = d.length / 3;
    survived += m;
    const t = makeTable(m, 2, Float64Array.from(d), new Int32Array(m * 3), nn.metric, nn.period);
    assertNoZeroDistances(t, 'TwoNN (on a random subset)');
    const { mus, scale } = musOf(t);
    ids[j] = twoNNFromMus(mus, muFraction, algorithm);
    scaleSum += scale;
    allMus.push(mus);
    await checkpoint(opts.signal);
  }
  if (survived / nIter < 0.8 * nSubset) {
    warn(`Decimation from a neighbour table (no coordinates): each subset kept on average ${Math.trunc(survived / nIter)} of its ${nSubset} points (those whose two nearest neighbours were drawn too); pass coordinates for full subsets`, 'numerical');
  }
  return decimatedResult(ids, scaleSum / nIter, allMus, algorithm, muFraction, opts.dataFraction, nSubset);
}

/** The TwoNN decimation curve (DADApy's return_id_scaling_2NN), immutable. */
export interface TwoNNScalingResult {
  readonly ids: Float64Array;
  readonly idsErr: Float64Array;
  /** Mean (r1 + r2) / 2 at each level, or the subset sizes when returnSizes was asked. */
  readonly scales: Float64Array;
  readonly radii: Float64Array;
  readonly sizes: Int32Array;
  readonly algorithm: TwoNNAlgorithm;
  readonly muFraction: number;
  /** The last (smallest) level, which DADApy leaves in intrinsic_dim. */
  readonly last: TwoNNResult;
  readonly levels: readonly TwoNNResult[];
  summary(): string;
  plot(): Chart;
}

/** Subset sizes of the decimation curve: round(N / 2^i), i < int(log2 N) - 1, kept when > nMin. */
export function decimationLevels(N: number, nMin: number | null = 10): number[] {
  if (nMin !== null) nonNegativeInteger(nMin, 'nMin');
  const maxNdec = Math.trunc(Math.log2(N)) - 1;
  const out: number[] = [];
  for (let i = 0; i < maxNdec; i++) {
    const s = rint(N / 2 ** i);
    if (nMin === null || s > nMin) out.push(s);
  }
  return out;
}

export function makeScalingResult(levels: TwoNNResult[], sizes: number[], returnSizes: boolean,
  algorithm: TwoNNAlgorithm, muFraction: number): TwoNNScalingResult {
  const ids = Float64Array.from(levels.map((l) => l.id));
  const idsErr = Float64Array.from(levels.map((l) => l.idErr));
  const radii = Float64Array.from(levels.map((l) => l.scale));
  const sz = Int32Array.from(sizes);
  const r: TwoNNScalingResult = {
    ids, idsErr, radii, sizes: sz, algorithm, muFraction,
    scales: returnSizes ? Float64Array.from(sizes) : radii,
    last: levels[levels.length - 1], levels: Object.freeze([...levels]),
    summary() {
      if (ids.length === 0) return 'TwoNN decimation: no level above nMin';
      return `TwoNN decimation: ID ${fmt(ids[0])} at r = ${fmt(radii[0])} (N = ${sz[0]}) to ${fmt(ids[ids.length - 1])} at r = ${fmt(radii[radii.length - 1])} (N = ${sz[sz.length - 1]})`;
    },
    plot() {
      return decimationChart({ ids, idsErr, radii, sizes: sz, title: r.summary() });
    },
  };
  return Object.freeze(r);
}

export interface TwoNNPriorOptions {
  /** Shape of the Gamma prior on d (DADApy's 2). */
  alpha?: number;
  /** Rate of the Gamma prior (DADApy's 5). */
  beta?: number;
  /** Posterior mean (true) or mode (false). */
  posteriorMean?: boolean;
}
export const TWONN_PRIOR_KEYS = optionKeys<TwoNNPriorOptions>({ alpha: 1, beta: 1, posteriorMean: 1 });

/**
 * Bayesian TwoNN: a Gamma(alpha, rate beta) prior on d with the Pareto likelihood of the mus of
 * all points; posterior Gamma(alpha + N, beta + sum log mu). id = its mean (or mode), idErr = its std.
 */
export function twoNNWithPrior(nn: NeighborTable, opts: TwoNNPriorOptions = {}): TwoNNResult & { alphaPost: number; betaPost: number } {
  checkOptionKeys(opts, TWONN_PRIOR_KEYS, 'twoNNWithPrior');
  // Gamma(alpha, beta) needs both finite and > 0 (a string '5' would be concatenated, Infinity gives NaN).
  const alpha = opts.alpha === undefined ? 2 : positiveNumber(opts.alpha, 'alpha', 'the Gamma prior');
  const beta = opts.beta === undefined ? 5 : positiveNumber(opts.beta, 'beta', 'the Gamma prior');
  assertNoZeroDistances(nn, 'TwoNN with a prior');
  const { mus, scale } = musOf(nn);
  let s = 0;
  for (let i = 0; i < mus.length; i++) s += Math.log(mus[i]);
  const alphaPost = alpha + nn.n, betaPost = beta + s;
  const mean = alphaPost / betaPost;
  const std = Math.sqrt(alphaPost / (betaPost * betaPost));
  const mode = (alphaPost - 1) / betaPost;
  const id = opts.posteriorMean === false ? mode : mean;
  const base = makeResult({ id, idErr: std, scale, algorithm: 'bayes', muFraction: 1, dataFraction: 1, nIter: 1, n: nn.n, ids: Float64Array.of(id), mus, allMus: Object.freeze([mus]) });
  return Object.freeze({ ...base, summary: base.summary, plot: base.plot, alphaPost, betaPost });
}
