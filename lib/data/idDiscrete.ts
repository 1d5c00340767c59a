import { InputError, StateError } from '../errors';
import { asMatrix, validateCoordinates, type Matrix, type MatrixLike } from '../matrix';
import { computeNeighbors, type NeighborTable } from '../neighbors';
import { describeOptionValue, checkOptionKeys, optionKeys } from '../options';
import { SeededRng, type Rng } from '../stats/rng';
import { idCurveChart } from '../../widgets/id/charts';
import type { Chart } from '../../widgets/chart';
import {
  discreteIdAtRadius, discreteIdFit, discreteIdFitContinuum, discreteIdPerPoint, discreteLocalDensity, discreteRows, latticeCounts,
  shellsAtK, shellsAtKShell, shellsAtRadius,
  type DiscreteIdResult, type DiscreteShells, type DiscreteSource, type LatticeCounts,
} from '../id/discrete';

export interface IdDiscreteOptions {
  /** Neighbours per point of the table (table mode); DADApy's default min(100, N - 1). */
  maxk?: number;
  /**
   * Condensed mode (the default here): cumulative counts C[i, r] = #{j : d_ij <= r} up to dMax
   * instead of a neighbour table (DADApy's condensed=True). false: a table of maxk neighbours.
   */
  condensed?: boolean;
  /** Seed of the generator of random subsets (DADApy's rng_seed, 42), or an Rng. */
  rng?: Rng | number;
}

export interface IdDiscreteDistancesOptions {
  maxk?: number;
  /** 'manhattan' (lattice data, the default) or 'hamming' (categorical data: differing coordinates). */
  metric?: 'manhattan' | 'hamming';
  /** Integer box sides of a periodic lattice (one for all, or one per coordinate). */
  period?: number | ArrayLike<number> | null;
  /** Switch between condensed counts and a neighbour table (default: the constructor's choice). */
  condensed?: boolean;
  /** Largest distance counted (condensed mode, default 100). */
  dMax?: number;
}

export interface BinomialLkOptions {
  lk: number;
  ln: number;
  /** 'bayes' (DADApy's default: posterior mean and std) or 'mle' (Cramér-Rao error). */
  method?: 'mle' | 'bayes';
  /** Point indices, or a number of valid points drawn at random. */
  subset?: ArrayLike<number> | number | null;
  setAttr?: boolean;
}

export interface BinomialKDiscreteOptions {
  /** Neighbours (or, with shell, non-empty shells) that set each point's outer radius. */
  k: number;
  ratio?: number;
  /** Count k non-empty shells instead of k neighbours (DADApy's shell=True). */
  shell?: boolean;
  subset?: ArrayLike<number> | number | null;
  /** Cramér-Rao error at the mean radii (true, DADApy's default) or the std of the profile likelihood. */
  approxErr?: boolean;
  setAttr?: boolean;
}

const CTOR_KEYS = optionKeys<IdDiscreteOptions>({ maxk: 1, condensed: 1, rng: 1 });
const DIST_KEYS = optionKeys<IdDiscreteDistancesOptions>({ maxk: 1, metric: 1, period: 1, condensed: 1, dMax: 1 });
const LK_KEYS = optionKeys<BinomialLkOptions>({ lk: 1, ln: 1, method: 1, subset: 1, setAttr: 1 });
const K_KEYS = optionKeys<BinomialKDiscreteOptions>({ k: 1, ratio: 1, shell: 1, subset: 1, approxErr: 1, setAttr: 1 });

/**
 * DADApy's IdDiscrete: the binomial ID of data on a lattice (L1 metric) or of categorical data
 * (Hamming), with DADApy's method names in camelCase and its attributes: `lk`, `ln` (radii; one
 * per point after a fit at fixed k), `k`, `n` (counts within them, the point itself included),
 * `ratio`, `distances` (the condensed counts N x (R + 1), or the neighbour table's distances),
 * `intrinsicDim`, `intrinsicDimErr`, `intrinsicDimScale`, `posteriorDomain`, `posterior`.
 *
 *     const d = new IdDiscrete(X);                       // condensed counts (DADApy's condensed=True)
 *     await d.computeDistances({ period: 20, dMax: 50 });
 *     await d.computeIdBinomialKDiscrete({ k: 25 });     // or { k: 4, shell: true }
 *     const { n, m } = d.computeLocalDensity();
 *
 * Not ported: DADApy's `weights` (its set_w fails on NumPy >= 1.24), networks (is_network) and
 * model_validation_full (see the README's differences).
 */
export class IdDiscrete {
  readonly X: Matrix;
  readonly N: number;
  readonly dims: number;
  maxk: number;
  condensed: boolean;
  metric: 'manhattan' | 'hamming' = 'manhattan';
  period: Float64Array | null = null;
  rng: Rng;
  /** Condensed mode: the cumulative counts. */
  counts: LatticeCounts | null = null;
  /** Table mode: the neighbour table (columns beyond N - 1 hold Infinity and index N, as DADApy's cKDTree). */
  nn: NeighborTable | null = null;
  lk: number | Float64Array | null = null;
  ln: number | Float64Array | null = null;
  k: Int32Array | null = null;
  n: Int32Array | null = null;
  ratio: number | null = null;
  intrinsicDim: number | null = null;
  intrinsicDimErr: number | null = null;
  intrinsicDimScale: number | null = null;
  posteriorDomain: Float64Array | null = null;
  posterior: Float64Array | null = null;
  private shells: DiscreteShells | null = null;

  constructor(coordinates: MatrixLike, opts: IdDiscreteOptions = {}) {
    checkOptionKeys(opts, CTOR_KEYS, 'new IdDiscrete');
    this.X = asMatrix(coordinates);
    validateCoordinates(this.X, 2);
    this.N = this.X.rows;
    this.dims = this.X.cols;
    this.maxk = opts.maxk ?? Math.min(100, this.N - 1);
    this.condensed = opts.condensed ?? true;
    this.rng = typeof opts.rng === 'object' && opts.rng !== null ? opts.rng : new SeededRng(opts.rng ?? 42);
  }

  /** DADApy's `distances`: the condensed counts (N x (R + 1), row-major) or the table's distances. */
  get distances(): Int32Array | Float64Array | null {
    if (this.condensed) return this.counts ? this.counts.counts : null;
    return this.nn ? this.nn.distances : null;
  }

  /** DADApy's `dist_indices` (null in condensed mode). */
  get distIndices(): Int32Array | null {
    return !this.condensed && this.nn ? this.nn.indices : null;
  }

  /** The mask of the points whose shells are valid (DADApy's `_mask`). */
  get mask(): Uint8Array | null {
    return this.shells ? this.shells.mask : null;
  }

  /**
   * DADApy's compute_distances(maxk, metric = 'manhattan', period, condensed, d_max): cumulative
   * counts up to dMax (condensed) or the table of the maxk nearest neighbours.
   */
  async computeDistances(opts: IdDiscreteDistancesOptions = {}): Promise<void> {
    checkOptionKeys(opts, DIST_KEYS, 'computeDistances');
    if (opts.condensed !== undefined) this.condensed = opts.condensed;
    if (opts.maxk !== undefined) this.maxk = opts.maxk;
    const metric = opts.metric ?? 'manhattan';
    if (metric !== 'manhattan' && metric !== 'hamming') {
      throw new InputError(`The discrete ID supports the manhattan and hamming metrics, not '${String(metric)}'`,
        "Use metric: 'manhattan' (lattice data) or 'hamming' (categorical data)");
    }
    this.metric = metric;
    const period = opts.period === undefined || opts.period === null ? null
      : typeof opts.period === 'number' ? new Float64Array(this.dims).fill(opts.period) : Float64Array.from(opts.period);
    this.period = period;
    this.shells = null;
    if (this.condensed) {
      this.counts = latticeCounts(this.X, { metric, period, dMax: opts.dMax });
      this.nn = null;
      return;
    }
    if (opts.dMax !== undefined) throw new InputError('dMax applies to condensed counts only', 'Drop dMax, or pass condensed: true');
    if (!(Number.isInteger(this.maxk) && this.maxk >= 1)) throw new InputError(`maxk = ${describeOptionValue(this.maxk)} is not a positive whole number`, 'Pass maxk >= 1');
    const kk = Math.min(this.maxk, this.N - 1);
    const t = await computeNeighbors(this.X, { maxk: kk, metric, period });
    this.nn = kk === this.maxk ? t : padTable(t, this.maxk);
    this.counts = null;
  }

  private source(what: string): DiscreteSource {
    const s = this.condensed ? this.counts : this.nn;
    if (!s) throw new StateError(`${what} needs the distances`, 'Call await d.computeDistances() first (manhattan by default)');
    return s;
  }

  private adopt(sh: DiscreteShells): void {
    this.shells = sh;
    this.k = sh.k;
    this.n = sh.n;
    this.ratio = sh.ratio;
    this.lk = sh.fixed === 'radius' ? sh.lk[0] : sh.lk;
    this.ln = sh.fixed === 'radius' ? sh.ln[0] : sh.ln;
  }

  private store(r: DiscreteIdResult, setAttr: boolean): DiscreteIdResult {
    if (!setAttr) return r;
    this.intrinsicDim = r.id; this.intrinsicDimErr = r.idErr; this.intrinsicDimScale = r.scale;
    if (r.posterior) { this.posteriorDomain = r.posterior.grid; this.posterior = r.posterior.P; }
    return r;
  }

  /** DADApy's fix_lk: k and n of every point at the radii lk > ln. */
  fixLk(opts: { lk: number; ln: number }): void {
    checkOptionKeys(opts, ['lk', 'ln'], 'fixLk');
    this.adopt(shellsAtRadius(this.source('fixLk'), opts.lk, opts.ln));
  }

  /** DADApy's fix_k: each point's radius reaching about k neighbours (table default k = maxk - 1). */
  fixK(opts: { k?: number; ratio?: number } = {}): void {
    checkOptionKeys(opts, ['k', 'ratio'], 'fixK');
    this.adopt(shellsAtK(this.source('fixK'), opts.k, opts.ratio ?? 0.5));
  }

  /** DADApy's fix_k_shell: each point's radius at its k-th non-empty shell. */
  fixKShell(opts: { k: number; ratio?: number }): void {
    checkOptionKeys(opts, ['k', 'ratio'], 'fixKShell');
    this.adopt(shellsAtKShell(this.source('fixKShell'), opts.k, opts.ratio ?? 0.5));
  }

  /** DADApy's compute_id_binomial_lk: the ID at fixed radii lk > ln ('bayes' by default). */
  async computeIdBinomialLk(opts: BinomialLkOptions): Promise<DiscreteIdResult> {
    checkOptionKeys(opts, LK_KEYS, 'computeIdBinomialLk');
    const sh = this.shells;
    if (!sh || sh.fixed !== 'radius' || sh.lk[0] !== opts.lk || sh.ln[0] !== opts.ln) this.fixLk({ lk: opts.lk, ln: opts.ln });
    const cur = this.shells as DiscreteShells;
    const r = discreteIdAtRadius(cur, discreteRows(cur.mask, opts.subset, this.rng), opts.method ?? 'bayes', this.condensed ? '' : ', table');
    return this.store(r, opts.setAttr ?? true);
  }

  /**
   * DADApy's compute_id_binomial_k_discrete: the ID with each point's outer radius at its k-th
   * neighbour (or, with shell, its k-th non-empty shell) and ln = rint(lk ratio); the MLE of the
   * per-point likelihood. The shells are refitted only when k, ratio or shell change, as DADApy.
   */
  async computeIdBinomialKDiscrete(opts: BinomialKDiscreteOptions): Promise<DiscreteIdResult> {
    checkOptionKeys(opts, K_KEYS, 'computeIdBinomialKDiscrete');
    const ratio = opts.ratio ?? 0.5, shell = opts.shell ?? false;
    const want = shell ? 'shell' : 'k';
    const sh = this.shells;
    if (!sh || sh.fixed !== want || sh.kFixed !== opts.k || sh.ratio !== ratio) {
      if (shell) this.fixKShell({ k: opts.k, ratio });
      else this.fixK({ k: opts.k, ratio });
    }
    const cur = this.shells as DiscreteShells;
    const r = discreteIdPerPoint(cur, discreteRows(cur.mask, opts.subset, this.rng), opts.approxErr ?? true, this.condensed ? '' : ', table');
    return this.store(r, opts.setAttr ?? true);
  }

  /** DADApy's return_id_scaling: the ID at each outer radius lk, ln = ceil(lk r) (minus 1 when equal); 'mle' by default. */
  async returnIdScaling(opts: { Lks: ArrayLike<number>; r?: number; method?: 'mle' | 'bayes'; subset?: ArrayLike<number> | number | null }): Promise<{ ids: Float64Array; idsErr: Float64Array; scales: Float64Array; plot(): Chart }> {
    checkOptionKeys(opts, ['Lks', 'r', 'method', 'subset'], 'returnIdScaling');
    const r = opts.r ?? 0.5;
    const ids: number[] = [], errs: number[] = [];
    for (let i = 0; i < opts.Lks.length; i++) {
      const lk = opts.Lks[i];
      let ln = Math.ceil(lk * r);
      if (ln === lk) ln -= 1;
      const res = await this.computeIdBinomialLk({ lk, ln, method: opts.method ?? 'mle', subset: opts.subset, setAttr: false });
      ids.push(res.id); errs.push(res.idErr);
    }
    const idsA = Float64Array.from(ids), errsA = Float64Array.from(errs), scales = Float64Array.from(opts.Lks);
    return Object.freeze({ ids: idsA, idsErr: errsA, scales, plot: () => idCurveChart({ x: scales, ids: idsA, idsErr: errsA, xTitle: 'lattice radius lk', title: 'Discrete ID across radii' }) });
  }

  /** DADApy's return_id_scaling_k: the ID at each k (shell = false); scales are the mean lk. */
  async returnIdScalingK(opts: { Ks: ArrayLike<number>; r?: number; subset?: ArrayLike<number> | number | null }): Promise<{ ids: Float64Array; idsErr: Float64Array; scales: Float64Array; plot(): Chart }> {
    checkOptionKeys(opts, ['Ks', 'r', 'subset'], 'returnIdScalingK');
    const ids: number[] = [], errs: number[] = [], sc: number[] = [];
    for (let i = 0; i < opts.Ks.length; i++) {
      const res = await this.computeIdBinomialKDiscrete({ k: opts.Ks[i], ratio: opts.r ?? 0.5, subset: opts.subset });
      ids.push(res.id); errs.push(res.idErr); sc.push(res.scale);
    }
    const idsA = Float64Array.from(ids), errsA = Float64Array.from(errs), scales = Float64Array.from(sc);
    return Object.freeze({ ids: idsA, idsErr: errsA, scales, plot: () => idCurveChart({ x: scales, ids: idsA, idsErr: errsA, xTitle: 'mean lattice radius lk', title: 'Discrete ID across k' }) });
  }

  /**
   * DADApy's return_id_fit(scales, subset): the ID from least-squares fits of the mean number of
   * points within r to rho V(r, d) (`ids`) and of its log to log rho + log V(r, d) (`idsLog`), on
   * scales[0..i] for each i >= 1 (`scales` = scales[1..]). The points are those of the current
   * mask (all before any fit), or the subset. `truncateCounts: true` truncates the mean counts to
   * integers, as DADApy does for integer scales (its N(r) array takes their dtype); off by default.
   * See discreteIdFit for the table mode, where DADApy averages a fraction instead of a count.
   */
  async returnIdFit(opts: { scales: ArrayLike<number>; subset?: ArrayLike<number> | number | null; truncateCounts?: boolean }): Promise<{ ids: Float64Array; idsLog: Float64Array; scales: Float64Array; plot(): Chart }> {
    checkOptionKeys(opts, ['scales', 'subset', 'truncateCounts'], 'returnIdFit');
    if (opts.truncateCounts !== undefined && typeof opts.truncateCounts !== 'boolean') {
      throw new InputError(`returnIdFit: truncateCounts must be true or false, got ${String(opts.truncateCounts)}`, 'Pass truncateCounts: true to reproduce DADApy, or leave it out');
    }
    const src = this.source('returnIdFit');
    const mask = this.shells ? this.shells.mask : new Uint8Array(this.N).fill(1);
    const rows = discreteRows(mask, opts.subset, this.rng);
    const { ids, idsLog, scales } = discreteIdFit(src, rows, opts.scales, opts.truncateCounts ?? false);
    return Object.freeze({ ids, idsLog, scales, plot: () => idCurveChart({ x: scales, ids, xTitle: 'lattice radius r', title: 'Discrete ID: fit of N(r) to rho V(r, d) up to r' }) });
  }

  /**
   * DADApy's return_id_fit_continuum(R, fit_intercept, subset): the slope of log n(r) against
   * log r over R[0..i], for i = 1, 2, ... (n(r): neighbour pairs within r, the shell at r counted
   * half). Uses every point (DADApy resets its mask here), or the subset.
   */
  async returnIdFitContinuum(opts: { R: ArrayLike<number>; fitIntercept?: boolean; subset?: ArrayLike<number> | number | null }): Promise<{ ids: Float64Array; scales: Float64Array; plot(): Chart }> {
    checkOptionKeys(opts, ['R', 'fitIntercept', 'subset'], 'returnIdFitContinuum');
    const src = this.source('returnIdFitContinuum');
    if (this.shells) this.shells.mask.fill(1);
    const rows = discreteRows(new Uint8Array(this.N).fill(1), opts.subset, this.rng);
    const { ids, scales } = discreteIdFitContinuum(src, rows, opts.R, opts.fitIntercept ?? true);
    return Object.freeze({ ids, scales, plot: () => idCurveChart({ x: scales, ids, xTitle: 'lattice radius r', title: 'Discrete ID: slope of log n(r) up to r' }) });
  }

  /**
   * DADApy's compute_local_density: n_i / V(ln_i, d) and (k_i - n_i) / (V(lk_i, d) - V(ln_i, d))
   * after a fit at fixed k (n / mean n and m / mean m after a fit at fixed radii), to compare the
   * inner and outer densities point by point (they lie on y = x where the density is locally uniform).
   */
  computeLocalDensity(): { n: Float64Array; m: Float64Array } {
    if (!this.shells) throw new StateError('computeLocalDensity needs the shells', 'Estimate the ID first (computeIdBinomialKDiscrete or computeIdBinomialLk)');
    if (this.intrinsicDim === null) throw new StateError('computeLocalDensity needs the intrinsic dimension', 'Estimate the ID first, or set it with setId(d)');
    return discreteLocalDensity(this.shells, this.intrinsicDim);
  }

  setId(d: number): void {
    if (!(typeof d === 'number' && d > 0 && Number.isFinite(d))) throw new InputError(`The intrinsic dimension must be a positive number, got ${d}`, 'Pass d > 0');
    this.intrinsicDim = d;
  }
}

/** A table of N - 1 neighbours widened to maxk >= N columns with Infinity / index N (DADApy's cKDTree output there). */
function padTable(t: NeighborTable, maxk: number): NeighborTable {
  const w0 = t.maxk + 1, w = maxk + 1, N = t.n;
  const d = new Float64Array(N * w).fill(Infinity), ix = new Int32Array(N * w).fill(N);
  for (let i = 0; i < N; i++) {
    d.set(t.distances.subarray(i * w0, (i + 1) * w0), i * w);
    ix.set(t.indices.subarray(i * w0, (i + 1) * w0), i * w);
  }
  return Object.freeze({ ...t, maxk, distances: d, indices: ix });
}
