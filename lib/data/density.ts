import { InputError, StateError } from '../errors';
import { rescaleDistances, scaleForSearch } from '../neighbors/scale';
import { ensureMemory } from '../runtime/memory';
import { asMatrix, validateCoordinates, type Matrix, type MatrixLike } from '../matrix';
import { bruteForceCross } from '../neighbors/brute';
import type { Metric } from '../neighbors/metrics';
import {
  computeKstarAsync, densityKNN, densityKpeaks, densityKstarNN, densityPAkAsync, entropy,
  interpolatedDensityKNN, interpolatedDensityKstarNN, interpolatedDensityPAk,
  type CrossTable, type DensityResult, type KstarOptions, type KstarResult, type PakResult,
  neighGraph, neighVectorDiffs, commonNeighs, neighSimilarityIndex, computeGrads as gradsCore, computePearson as pearsonCore,
  computeDeltaFs as deltaFsCore, densityBMTI, similarityMatrix, invDeltaFsCovLSDI, kstarNNCore, type NeighGraph, type Gradients, type BmtiOptions, type BmtiResult,
} from '../density';
import { IdEstimation } from './idEstimation';
import { checkOptionKeys, optionKeys } from '../options';
import { KSTAR_KEYS } from '../density/kstar';
import { BMTI_KEYS } from '../density/bmti';

export interface DensityKnnOptions { k?: number; bias?: boolean }
export interface DensityKstarOptions extends KstarOptions { bias?: boolean }
export interface DensityPAkOptions extends KstarOptions { optimized?: boolean; dadapyVolumeRange?: boolean }
export interface InterpolatedKnnOptions { XNew?: MatrixLike; k?: number }
export interface InterpolatedKstarOptions extends KstarOptions { XNew?: MatrixLike }

const KNN_KEYS = optionKeys<DensityKnnOptions>({ k: 1, bias: 1 });
const KSTARNN_KEYS = optionKeys<DensityKstarOptions>({ alpha: 1, bonferroniDeloc: 1, bonferroniLoc: 1, bias: 1 });
const PAK_DATA_KEYS = optionKeys<DensityPAkOptions>({ alpha: 1, bonferroniDeloc: 1, bonferroniLoc: 1, optimized: 1, dadapyVolumeRange: 1 });

/** Only the k* options of an options object (to pass on to computeKstar). */
export function kstarOptionsOf(o: KstarOptions): KstarOptions {
  const out: KstarOptions = {};
  if (o.alpha !== undefined) out.alpha = o.alpha;
  if (o.bonferroniDeloc !== undefined) out.bonferroniDeloc = o.bonferroniDeloc;
  if (o.bonferroniLoc !== undefined) out.bonferroniLoc = o.bonferroniLoc;
  return out;
}

/**
 * The DensityEstimation layer of the Data facade (DADApy's KStar + DensityEstimation): k*, the
 * kNN / k*NN / k-peaks / PAk densities, the entropy and densities at new points. Attributes as
 * DADApy's in camelCase: kstar, dc, logDen, logDenErr. Missing prerequisites are computed with
 * DADApy's defaults (the ID by computeId2NN, k* with alpha 1e-6), and setKstar resets everything
 * that depends on k* (densities, the neighbourhood graph, gradients, free-energy differences).
 */
export class DensityEstimation extends IdEstimation {
  /** k* of every point (or the constant k of the last kNN density). */
  kstar: Int32Array | null = null;
  /** Distance of each point's k*-th neighbour, set by the density methods. */
  dc: Float64Array | null = null;
  logDen: Float64Array | null = null;
  logDenErr: Float64Array | null = null;
  /** The last density result (with its plot). */
  density: DensityResult | null = null;

  // NeighGraph / DensityAdvanced state (DADApy's attributes), reset with k*
  nspar: number | null = null;
  nindList: Int32Array | null = null;
  nindIptr: Int32Array | null = null;
  commonNeighsArray: Int32Array | null = null;
  commonNeighsMat: Int32Array | null = null;
  neighSimilarityIndex: Float64Array | null = null;
  neighSimilarityIndexMat: Float64Array | null = null;
  neighVectorDiffs: Float64Array | null = null;
  neighDists: Float64Array | null = null;
  grads: Float64Array | null = null;
  gradsVar: Float64Array | null = null;
  gradsCovmat: Float64Array | null = null;
  pearsonArray: Float64Array | null = null;
  FijArray: Float64Array | null = null;
  FijVarArray: Float64Array | null = null;
  invDeltaFsCov: Float64Array | null = null;

  /** The intrinsic dimension, computed with computeId2NN() (DADApy's default) when missing. */
  protected async ensureId(): Promise<number> {
    const self = this as unknown as { intrinsicDim?: number | null; computeId2NN?: () => Promise<unknown> };
    if (self.intrinsicDim === undefined || self.intrinsicDim === null) {
      if (typeof self.computeId2NN !== 'function') {
        throw new StateError('The intrinsic dimension is not set and computeId2NN is not available',
          'Set it first: d.intrinsicDim = 2 (or d.setId(2))');
      }
      await this.ensureDistances();
      await self.computeId2NN();
    }
    const id = self.intrinsicDim as number;
    if (!(id > 0)) {
      throw new InputError(`The intrinsic dimension is ${id}`, 'Set a positive intrinsic dimension with setId(d)');
    }
    return id;
  }

  protected currentId(): number | null {
    const v = (this as unknown as { intrinsicDim?: number | null }).intrinsicDim;
    return v === undefined ? null : v;
  }

  protected override heldEstimates(): string[] {
    return [...super.heldEstimates(), ...(this.kstar ? ['kstar'] : []), ...(this.logDen ? ['logDen'] : [])];
  }

  /** DADApy's reset_kstar: kstar = dc = null. */
  resetKstar(): void {
    this.kstar = null;
    this.dc = null;
  }

  /**
   * DADApy's set_kstar: a constant k for every point, or one k per point; resets the densities and
   * everything computed from k* (graph, gradients, free-energy differences).
   */
  setKstar(k: number | ArrayLike<number> = 0): void {
    if (this.currentId() === null) {
      this.warn('setKstar: the intrinsic dimension is not set yet; the densities will need it (setId(d) or computeId2NN())');
    }
    if (typeof k === 'number') {
      this.kstar = new Int32Array(this.N).fill(k);
    } else {
      if (k.length !== this.N) {
        throw new InputError(`setKstar got ${k.length} values for ${this.N} points`, 'Pass one k per point, or a single number');
      }
      this.kstar = Int32Array.from(k);
    }
    this.dc = null;
    this.logDen = null;
    this.logDenErr = null;
    this.density = null;
    this.resetGraph();
  }

  /** Clears the neighbourhood graph and the DensityAdvanced quantities (part of setKstar). */
  protected resetGraph(): void {
    this.graph = null; this.gradsResult = null;
    this.nspar = null; this.nindList = null; this.nindIptr = null;
    this.commonNeighsArray = null; this.commonNeighsMat = null;
    this.neighSimilarityIndex = null; this.neighSimilarityIndexMat = null;
    this.neighVectorDiffs = null; this.neighDists = null;
    this.grads = null; this.gradsVar = null; this.gradsCovmat = null;
    this.pearsonArray = null; this.FijArray = null; this.FijVarArray = null; this.invDeltaFsCov = null;
  }

  /** DADApy's compute_kstar: the adaptive neighbourhood size of every point (then setKstar). */
  async computeKstar(opts: KstarOptions = {}): Promise<KstarResult> {
    checkOptionKeys(opts, KSTAR_KEYS, 'computeKstar');
    const id = await this.ensureId();
    const nn = await this.ensureDistances();
    const r = await computeKstarAsync(nn, id, opts);
    this.setKstar(r.kstar);
    this.kstar = r.kstar;
    return r;
  }

  protected async ensureKstar(opts: KstarOptions = {}): Promise<Int32Array> {
    if (!this.kstar) await this.computeKstar(kstarOptionsOf(opts));
    return this.kstar as Int32Array;
  }

  private store(r: DensityResult): DensityResult {
    this.logDen = r.logDen;
    this.logDenErr = r.logDenErr;
    this.dc = r.dc;
    this.density = r;
    return r;
  }

  /** DADApy's compute_density_kNN (k = 10): overwrites kstar with the constant k, as DADApy does. */
  async computeDensityKNN(opts: DensityKnnOptions = {}): Promise<DensityResult> {
    checkOptionKeys(opts, KNN_KEYS, 'computeDensityKNN');
    const id = await this.ensureId();
    const nn = await this.ensureDistances();
    const k = opts.k ?? 10;
    const r = densityKNN(nn, id, { k, bias: opts.bias });
    if (opts.bias) this.warn('bias: adding (k/N)^(2/d) to the density error is experimental in DADApy and may change', 'experimental');
    this.setKstar(k);
    this.kstar = r.kstar;
    return this.store(r);
  }

  /** DADApy's compute_density_kstarNN: reuses the stored k* (computes it with these options if missing). */
  async computeDensityKstarNN(opts: DensityKstarOptions = {}): Promise<DensityResult> {
    checkOptionKeys(opts, KSTARNN_KEYS, 'computeDensityKstarNN');
    const nn = await this.ensureDistances();
    const kstar = await this.ensureKstar(opts);
    const id = await this.ensureId();
    return this.store(densityKstarNN(nn, id, kstar, { bias: opts.bias }));
  }

  /** DADApy's compute_density_kpeaks: the k-peaks score k*_i (not a log density) and its error. */
  async computeDensityKpeaks(opts: KstarOptions = {}): Promise<DensityResult> {
    checkOptionKeys(opts, KSTAR_KEYS, 'computeDensityKpeaks');
    const nn = await this.ensureDistances();
    const kstar = await this.ensureKstar(opts);
    const id = await this.ensureId();
    return this.store(densityKpeaks(nn, id, kstar));
  }

  /** DADApy's compute_density_PAk (optimized solver by default). */
  async computeDensityPAk(opts: DensityPAkOptions = {}): Promise<PakResult> {
    checkOptionKeys(opts, PAK_DATA_KEYS, 'computeDensityPAk');
    const nn = await this.ensureDistances();
    const kstar = await this.ensureKstar(opts);
    const id = await this.ensureId();
    let constant = true;
    for (let i = 1; i < kstar.length; i++) if (kstar[i] !== kstar[0]) { constant = false; break; }
    if (constant && kstar.length > 1) {
      this.warn(`kstar is the same (${kstar[0]}) for every point: PAk then fits a fixed-k neighbourhood (was computeDensityKNN called?)`, 'numerical');
    }
    const r = await densityPAkAsync(nn, id, kstar, { optimized: opts.optimized ?? true, dadapyVolumeRange: opts.dadapyVolumeRange });
    return this.store(r) as PakResult;
  }

  /** DADApy's return_entropy: −mean(logDen). */
  async returnEntropy(): Promise<number> {
    if (!this.logDen) {
      throw new StateError('returnEntropy needs a density, but none has been computed', 'Call computeDensityPAk() (or another density) first');
    }
    return entropy(this.logDen);
  }

  // ---------------------------------------------------------------- NeighGraph (DADApy's neigh_graph.py)
  private graph: NeighGraph | null = null;
  private gradsResult: Gradients | null = null;

  /** DADApy's compute_neigh_indices: the directed k*-graph (edges i -> nn(i, m), m < k*_i). */
  async computeNeighIndices(): Promise<NeighGraph> {
    const nn = await this.ensureDistances();
    const kstar = await this.ensureKstar();
    if (!this.graph || this.nindList === null) {
      const g = neighGraph(nn, kstar);
      this.graph = g;
      this.nspar = g.nspar; this.nindList = g.nindList; this.nindIptr = g.nindIptr;
    }
    return this.graph;
  }

  /** DADApy's compute_neigh_dists: the distance of each edge. */
  async computeNeighDists(): Promise<Float64Array> {
    const g = await this.computeNeighIndices();
    this.neighDists = g.neighDists;
    return g.neighDists;
  }

  /** DADApy's compute_neigh_vector_diffs: X_j − X_i per edge (periodic boxes wrapped). */
  async computeNeighVectorDiffs(): Promise<Float64Array> {
    const X = this.requireCoordinates('computeNeighVectorDiffs');
    const g = await this.computeNeighIndices();
    const period = this.period === null ? null : typeof this.period === 'number' ? new Float64Array(X.cols).fill(this.period) : this.period;
    this.neighVectorDiffs = neighVectorDiffs(X, g, period);
    return this.neighVectorDiffs;
  }

  /**
   * DADApy's compute_common_neighs(comp_common_neighs_mat = false): |Ω_i ∩ Ω_j| per edge; with the
   * flag also the symmetric N x N matrix (row-major; entries on graph edges only, diagonal 0).
   */
  async computeCommonNeighs(opts: { compCommonNeighsMat?: boolean } = {}): Promise<Int32Array> {
    checkOptionKeys(opts, ['compCommonNeighsMat'], 'computeCommonNeighs');
    const nn = await this.ensureDistances();
    const g = await this.computeNeighIndices();
    const c = commonNeighs(nn, g);
    this.commonNeighsArray = c;
    if (opts.compCommonNeighsMat) {
      const n = g.n;
      if (n > 20000) throw new InputError(`A dense ${n} x ${n} matrix is too large`, 'Use commonNeighsArray (per edge) instead');
      ensureMemory(4 * n * n, `A dense ${n} x ${n} matrix of common neighbours`, 'Use commonNeighsArray (per edge) instead');
      const M = new Int32Array(n * n);
      for (let e = 0; e < g.nspar; e++) {
        const i = g.nindList[2 * e], j = g.nindList[2 * e + 1];
        M[i * n + j] = c[e];
        M[j * n + i] = c[e];
      }
      for (let i = 0; i < n; i++) M[i * n + i] = 0;
      this.commonNeighsMat = M;
    }
    return c;
  }

  /**
   * DADApy's return_sparse_distance_graph: the directed k*-graph with its distances as an N x N
   * sparse matrix in scipy's CSR convention (what DADApy's csr_matrix holds): row i's entries are
   * indices[indptr[i] .. indptr[i + 1]) with distances data[...], columns in ascending order
   * (not in neighbour-rank order).
   */
  async returnSparseDistanceGraph(): Promise<{ n: number; indptr: Int32Array; indices: Int32Array; data: Float64Array }> {
    const g = await this.computeNeighIndices();
    this.neighDists = g.neighDists;
    const indices = new Int32Array(g.nspar), data = new Float64Array(g.nspar);
    for (let i = 0; i < g.n; i++) {
      const a = g.nindIptr[i], b = g.nindIptr[i + 1];
      const order = Array.from({ length: b - a }, (_, t) => a + t).sort((x, y) => g.nindList[2 * x + 1] - g.nindList[2 * y + 1]);
      for (let t = 0; t < order.length; t++) {
        indices[a + t] = g.nindList[2 * order[t] + 1];
        data[a + t] = g.neighDists[order[t]];
      }
    }
    return { n: g.n, indptr: Int32Array.from(g.nindIptr), indices, data };
  }

  /** DADApy's compute_neigh_similarity_index(method = 'jaccard'). */
  async computeNeighSimilarityIndex(opts: { method?: string } = {}): Promise<Float64Array> {
    checkOptionKeys(opts, ['method'], 'computeNeighSimilarityIndex');
    const g = await this.computeNeighIndices();
    const common = this.commonNeighsArray ?? await this.computeCommonNeighs();
    this.neighSimilarityIndex = neighSimilarityIndex(g, common, opts.method ?? 'jaccard');
    return this.neighSimilarityIndex;
  }

  // ---------------------------------------------------------------- DensityAdvanced (density_advanced.py)
  /** DADApy's compute_grads(comp_covmat = false): mean-shift gradients of log ρ and their (co)variances. */
  async computeGrads(opts: { compCovmat?: boolean } = {}): Promise<Gradients> {
    checkOptionKeys(opts, ['compCovmat'], 'computeGrads');
    const X = this.requireCoordinates('computeGrads');
    const id = await this.ensureId();
    const g = await this.computeNeighIndices();
    const diffs = this.neighVectorDiffs ?? await this.computeNeighVectorDiffs();
    const r = gradsCore(g, diffs, X.cols, id, opts.compCovmat ?? false);
    this.gradsResult = r;
    this.grads = r.grads; this.gradsVar = r.gradsVar; this.gradsCovmat = r.gradsCovmat;
    return r;
  }

  /** DADApy's compute_pearson(similarity_method = 'jaccard'). */
  async computePearson(opts: { similarityMethod?: string } = {}): Promise<Float64Array> {
    checkOptionKeys(opts, ['similarityMethod'], 'computePearson');
    const X = this.requireCoordinates('computePearson');
    const sim = this.neighSimilarityIndex ?? await this.computeNeighSimilarityIndex({ method: opts.similarityMethod });
    if (!this.grads) await this.computeGrads();
    const g = await this.computeNeighIndices();
    this.pearsonArray = pearsonCore(g, this.neighVectorDiffs as Float64Array, this.grads as Float64Array, X.cols, sim);
    return this.pearsonArray;
  }

  /** DADApy's compute_deltaFs: free-energy (log-density) differences along the edges and their variances. */
  async computeDeltaFs(opts: { similarityMethod?: string } = {}): Promise<{ Fij: Float64Array; FijVar: Float64Array }> {
    checkOptionKeys(opts, ['similarityMethod'], 'computeDeltaFs');
    const X = this.requireCoordinates('computeDeltaFs');
    if (!this.gradsCovmat) await this.computeGrads({ compCovmat: true });
    const pearson = this.pearsonArray ?? await this.computePearson(opts);
    const g = await this.computeNeighIndices();
    const r = deltaFsCore(g, this.neighVectorDiffs as Float64Array, this.grads as Float64Array, this.gradsCovmat as Float64Array, X.cols, pearson);
    this.FijArray = r.Fij; this.FijVarArray = r.FijVar;
    return r;
  }

  /** DADApy's compute_neigh_similarity_index_mat (dense N x N, row-major). */
  async computeNeighSimilarityIndexMat(opts: { method?: string } = {}): Promise<Float64Array> {
    checkOptionKeys(opts, ['method'], 'computeNeighSimilarityIndexMat');
    const g = await this.computeNeighIndices();
    const sim = opts.method || !this.neighSimilarityIndex ? await this.computeNeighSimilarityIndex({ method: opts.method }) : this.neighSimilarityIndex;
    this.neighSimilarityIndexMat = similarityMatrix(g, sim);
    return this.neighSimilarityIndexMat;
  }

  /** DADApy's compute_diag_inv_deltaFs_cross_covariance_LSDI: the 'LSDI' BMTI weights (O(edges²)). */
  async computeDiagInvDeltaFsCrossCovarianceLSDI(opts: { similarityMethod?: string } = {}): Promise<Float64Array> {
    checkOptionKeys(opts, ['similarityMethod'], 'computeDiagInvDeltaFsCrossCovarianceLSDI');
    const X = this.requireCoordinates('computeDiagInvDeltaFsCrossCovarianceLSDI');
    const P = await this.computeNeighSimilarityIndexMat({ method: opts.similarityMethod ?? 'jaccard' });
    if (!this.FijVarArray) await this.computeDeltaFs(opts);
    const g = await this.computeNeighIndices();
    this.invDeltaFsCov = invDeltaFsCovLSDI(g, this.neighVectorDiffs as Float64Array, this.grads as Float64Array,
      this.gradsCovmat as Float64Array, X.cols, this.FijVarArray as Float64Array, P);
    return this.invDeltaFsCov;
  }

  /**
   * DADApy's compute_density_BMTI: log densities from the free-energy differences (α = 1 by default),
   * with the k*NN estimate as regulariser (and as the gauge when α = 1, see densityBMTI).
   */
  async computeDensityBMTI(opts: DensityBMTIOptions = {}): Promise<BmtiResult> {
    checkOptionKeys(opts, BMTI_DATA_KEYS, 'computeDensityBMTI');
    if (opts.solver !== undefined || opts.spDirectPermSpec !== undefined) {
      throw new InputError(`computeDensityBMTI: ${opts.solver !== undefined ? `solver = ${JSON.stringify(opts.solver)}` : `spDirectPermSpec = ${JSON.stringify(opts.spDirectPermSpec)}`} is not an option of dadalab`,
        'dadalab solves the BMTI system with one solver, conjugate gradients to a relative residual of tol (default 1e-12, maxIter 10 N), which agrees with DADApy\'s solvers to about 1e-10; drop solver and spDirectPermSpec (or set tol / maxIter)');
    }
    if (!this.FijArray) await this.computeDeltaFs();
    if (opts.deltaFInvCov === 'LSDI' && !this.invDeltaFsCov) await this.computeDiagInvDeltaFsCrossCovarianceLSDI();
    const nn = await this.ensureDistances();
    const id = await this.ensureId();
    const kstar = this.kstar as Int32Array;
    let reg: Float64Array, regErr: Float64Array;
    if (opts.logDen !== undefined && opts.logDenErr !== undefined) {
      reg = Float64Array.from(opts.logDen); regErr = Float64Array.from(opts.logDenErr);
    } else {
      const k = kstarNNCore(nn.distances, nn.maxk + 1, nn.n, id, kstar);
      reg = k.logDen; regErr = k.logDenErr;
      this.dc = k.dc;
    }
    this.logDen = reg; this.logDenErr = regErr;
    const g = await this.computeNeighIndices();
    const r = densityBMTI(g, this.FijArray as Float64Array, this.FijVarArray as Float64Array, reg, regErr, id, {
      deltaFInvCov: opts.deltaFInvCov, alpha: opts.alpha, compLogDenErr: opts.compLogDenErr, tol: opts.tol, maxIter: opts.maxIter,
      invDeltaFsCov: this.invDeltaFsCov ?? undefined,
    });
    this.logDen = r.logDen;
    this.logDenErr = r.logDenErr;
    this.density = r;
    return r;
  }

  /** The neighbours of new points among the data, maxk columns (DADApy's compute_cross_nn_distances). */
  protected async crossTable(XNew: MatrixLike | undefined, what: string): Promise<CrossTable> {
    const X = this.requireCoordinates(what);
    if (XNew === undefined || XNew === null) {
      throw new InputError(`${what} needs the new points`, `Pass them: d.${what}({ XNew: points })`);
    }
    const Q = asMatrix(XNew) as Matrix;
    validateCoordinates(Q, 1, 'The new points');
    if (Q.cols !== X.cols) {
      throw new InputError(`The new points have ${Q.cols} coordinates but the data have ${X.cols}`, 'Pass points in the same space as the data');
    }
    const nn = await this.ensureDistances();
    const width = nn.maxk;
    const d = new Float64Array(Q.rows * width), ix = new Int32Array(Q.rows * width);
    const metric = (this.metric === 'precomputed' ? 'euclidean' : this.metric) as Metric;
    const period = this.period === null ? null : typeof this.period === 'number' ? new Float64Array(X.cols).fill(this.period) : this.period;
    // far from 1 the squares overflow or underflow: 2^-e X, distances back times 2^e (neighbors/scale.ts)
    const sc = scaleForSearch(X, metric, period, Q);
    bruteForceCross(sc.Q as Matrix, sc.X, width, metric, sc.period, d, ix);
    rescaleDistances(d, sc.up);
    return { n: Q.rows, width, distances: d, indices: ix };
  }

  /** DADApy's return_interpolated_density_kNN(X_new, k): kNN densities at new points. */
  async returnInterpolatedDensityKNN(a: MatrixLike | InterpolatedKnnOptions, b: { k?: number } = {}): Promise<DensityResult> {
    const o = splitArgs<InterpolatedKnnOptions>(a, b);
    checkOptionKeys(o, ['XNew', 'k'], 'returnInterpolatedDensityKNN');
    const id = await this.ensureId();
    const cross = await this.crossTable(o.XNew, 'returnInterpolatedDensityKNN');
    return interpolatedDensityKNN(cross, this.nn!, id, o.k ?? 10);
  }

  /** DADApy's return_interpolated_density_kstarNN(X_new, alpha, ...): k*NN densities at new points. */
  async returnInterpolatedDensityKstarNN(a: MatrixLike | InterpolatedKstarOptions, b: KstarOptions = {}): Promise<DensityResult> {
    const o = splitArgs<InterpolatedKstarOptions>(a, b);
    checkOptionKeys(o, ['XNew', ...KSTAR_KEYS], 'returnInterpolatedDensityKstarNN');
    const id = await this.ensureId();
    const cross = await this.crossTable(o.XNew, 'returnInterpolatedDensityKstarNN');
    return interpolatedDensityKstarNN(cross, this.nn!, id, kstarOptionsOf(o));
  }

  /**
   * PAk densities at new points. DADApy's return_interpolated_density_PAk raises a TypeError; this
   * is the intended computation (see interpolatedDensityPAk).
   */
  async returnInterpolatedDensityPAk(a: MatrixLike | InterpolatedKstarOptions, b: KstarOptions = {}): Promise<DensityResult> {
    const o = splitArgs<InterpolatedKstarOptions>(a, b);
    checkOptionKeys(o, ['XNew', ...KSTAR_KEYS], 'returnInterpolatedDensityPAk');
    const id = await this.ensureId();
    const cross = await this.crossTable(o.XNew, 'returnInterpolatedDensityPAk');
    return interpolatedDensityPAk(cross, this.nn!, id, kstarOptionsOf(o));
  }
}

export interface DensityBMTIOptions extends Omit<BmtiOptions, 'invDeltaFsCov'> {
  /** A regulariser given by the caller (both or neither), instead of the k*NN estimate. */
  logDen?: ArrayLike<number>;
  logDenErr?: ArrayLike<number>;
  /**
   * DADApy's solver choice: refused when given (dadalab has one solver, conjugate gradients, which
   * agrees with DADApy's to about 1e-10); listed so that the message says so instead of "unknown option".
   */
  solver?: string;
  spDirectPermSpec?: string;
}

const BMTI_DATA_KEYS = optionKeys<DensityBMTIOptions>({
  deltaFInvCov: 1, alpha: 1, compLogDenErr: 1, tol: 1, maxIter: 1, logDen: 1, logDenErr: 1, solver: 1, spDirectPermSpec: 1,
});

/** Accepts DADApy's positional (X_new, options) as well as one options object { XNew, ... }. */
function splitArgs<T extends { XNew?: MatrixLike }>(a: MatrixLike | T, b: object): T {
  const isPoints = Array.isArray(a) || (a !== null && typeof a === 'object' && 'rows' in (a as object) && 'cols' in (a as object));
  if (isPoints) return { ...(b as T), XNew: a as MatrixLike };
  const o = { ...(a as T) } as T & { xNew?: MatrixLike };
  if (o.XNew === undefined && o.xNew !== undefined) {
    o.XNew = o.xNew;
    delete o.xNew;
  }
  return o;
}
