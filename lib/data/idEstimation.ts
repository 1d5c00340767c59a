import { InputError } from '../errors';
import {
  decimationLevels, makeScalingResult, resolveTwoNNAlgorithm, twoNN, twoNNDecimated, twoNNDecimatedFromTable, twoNNWithPrior,
  type TwoNNResult, type TwoNNScalingResult,
} from '../id/twonn';
import { grideScaling, grideScalingFromTable, type GrideScalingResult } from '../id/gride';
import { binomialIdK, binomialIdRk, kstarIterationResult, type BinomialResult, type KstarIterationResult } from '../id/binomial';
import { grideAdaptive } from '../id/gride';
import { computeKstar as kstarCore } from '../density/kstar';
import { SeededRng, type Rng } from '../stats/rng';
import { LEVINA_BICKEL_KEYS, levinaBickel, type LevinaBickelOptions, type LevinaBickelResult } from '../id/mle';
import { LOCAL_PCA_KEYS, localPcaId, pcaId, type LocalPcaOptions, type LocalPcaResult, type PcaIdResult } from '../id/pca';
import { CORRELATION_KEYS, correlationDimensionAsync, type CorrelationDimensionOptions, type CorrelationDimensionResult } from '../id/correlation';
import { Base } from './base';
import { describeOptionValue, checkOptionKeys, optionKeys, positiveInteger } from '../options';

export interface BinomialKMethodOptions {
  k: number | ArrayLike<number>;
  r: number;
  bayes?: boolean;
  plotMv?: boolean;
  plotPosterior?: boolean;
  kBootstrap?: number;
}
export interface BinomialRkMethodOptions {
  rk: number | ArrayLike<number>;
  r: number;
  bayes?: boolean;
  plotMv?: boolean;
  plotPosterior?: boolean;
}
/**
 * DADApy's plot_mv / plot_posterior draw a figure as a side effect; dadalab never does: false (what
 * happens anyway) is accepted, true is refused with the way to get the plot.
 */
function refusePlotFlags(opts: { plotMv?: boolean; plotPosterior?: boolean }, where: string): void {
  if (opts.plotMv !== undefined && opts.plotMv !== false) {
    throw new InputError(`${where}: plotMv = ${String(opts.plotMv)} is not supported (dadalab draws nothing as a side effect, and has no model-validation plot)`,
      'Drop plotMv; the model-validation p-value is the result\'s pv');
  }
  if (opts.plotPosterior !== undefined && opts.plotPosterior !== false) {
    throw new InputError(`${where}: plotPosterior = ${String(opts.plotPosterior)} is not supported (dadalab draws nothing as a side effect)`,
      'Drop plotPosterior and call .plot() on the result: it draws the posterior of d (bayes) or the likelihood (MLE)');
  }
}

export interface KstarIterationOptions {
  initialId?: number | null;
  nIter?: number;
  alpha?: number;
  bonferroniDeloc?: boolean;
  bonferroniLoc?: boolean;
}


export interface ComputeId2NNOptions {
  algorithm?: 'base' | 'ml' | string;
  muFraction?: number;
  dataFraction?: number;
  nIter?: number | null;
  setAttr?: boolean;
  signal?: AbortSignal;
}

export interface ReturnIdScaling2NNOptions {
  nMin?: number | null;
  algorithm?: 'base' | 'ml' | string;
  muFraction?: number;
  setAttr?: boolean;
  returnSizes?: boolean;
  signal?: AbortSignal;
}

export interface Id2NNWpriorOptions {
  /** Shape of the Gamma prior on d (DADApy's 2). */
  alpha?: number;
  /** Rate of the Gamma prior (DADApy's 5). */
  beta?: number;
  /** Posterior mean (true, default) or mode (false). */
  posteriorMean?: boolean;
}

export interface KstarBinomialOptions extends KstarIterationOptions {
  /** Inner/outer radius ratio (default min(0.975, 0.2032^(1/id)) at every step). */
  r?: number | null;
  /** Must be false or absent (see computeIdBinomialK). */
  plotMv?: boolean;
  kBootstrap?: number;
}

export interface KstarGrideOptions extends KstarIterationOptions {
  d0?: number;
  d1?: number;
  eps?: number;
}

export interface ReturnIdScalingGrideOptions {
  rangeMax?: number;
  d0?: number;
  d1?: number;
  eps?: number;
  setAttr?: boolean;
  returnRanks?: boolean;
  signal?: AbortSignal;
}

const ID2NN_KEYS = optionKeys<ComputeId2NNOptions>({ algorithm: 1, muFraction: 1, dataFraction: 1, nIter: 1, setAttr: 1, signal: 1 });
const SCALING2NN_KEYS = optionKeys<ReturnIdScaling2NNOptions>({ nMin: 1, algorithm: 1, muFraction: 1, setAttr: 1, returnSizes: 1, signal: 1 });
const WPRIOR_KEYS = optionKeys<Id2NNWpriorOptions>({ alpha: 1, beta: 1, posteriorMean: 1 });
const GRIDE_KEYS = optionKeys<ReturnIdScalingGrideOptions>({ rangeMax: 1, d0: 1, d1: 1, eps: 1, setAttr: 1, returnRanks: 1, signal: 1 });
const BINOMIAL_K_KEYS = optionKeys<BinomialKMethodOptions>({ k: 1, r: 1, bayes: 1, plotMv: 1, plotPosterior: 1, kBootstrap: 1 });
const BINOMIAL_RK_KEYS = optionKeys<BinomialRkMethodOptions>({ rk: 1, r: 1, bayes: 1, plotMv: 1, plotPosterior: 1 });
const KSTAR_ITER = { initialId: 1, nIter: 1, alpha: 1, bonferroniDeloc: 1, bonferroniLoc: 1 } as const;
const KSTAR_BINOMIAL_KEYS = optionKeys<KstarBinomialOptions>({ ...KSTAR_ITER, r: 1, plotMv: 1, kBootstrap: 1 });
const KSTAR_GRIDE_KEYS = optionKeys<KstarGrideOptions>({ ...KSTAR_ITER, d0: 1, d1: 1, eps: 1 });

/** The IdEstimation layer of the Data facade (DADApy's IdEstimation): TwoNN, Gride, binomial ID. */
export class IdEstimation extends Base {
  intrinsicDim: number | null = null;
  intrinsicDimErr: number | null = null;
  intrinsicDimScale: number | null = null;
  /** The mus of the last TwoNN estimate (one array per subset when decimated). */
  intrinsicDimMus: Float64Array | Float64Array[] | null = null;
  /** N x S: the ratios r_{2n1} / r_{n1} of each point at each scale (set with setAttr). */
  intrinsicDimMusGride: Float64Array | null = null;
  intrinsicDimDecimation: Float64Array | null = null;
  intrinsicDimErrDecimation: Float64Array | null = null;
  intrinsicDimScaleDecimation: Float64Array | null = null;
  intrinsicDimMusDecimation: (Float64Array | Float64Array[])[] | null = null;
  intrinsicDimGride: Float64Array | null = null;
  intrinsicDimErrGride: Float64Array | null = null;
  intrinsicDimScaleGride: Float64Array | null = null;

  /**
   * DADApy's compute_id_2NN: TwoNN on all points (dataFraction 1, from the neighbour table) or
   * on nIter random subsets of a fraction dataFraction of the points (neighbours recomputed on
   * each subset). Sets intrinsicDim, intrinsicDimErr, intrinsicDimScale unless setAttr is false.
   */
  async computeId2NN(opts: ComputeId2NNOptions = {}): Promise<TwoNNResult> {
    checkOptionKeys(opts, ID2NN_KEYS, 'computeId2NN');
    // nIter means something only with dataFraction < 1, but a bad value is said either way.
    if (opts.nIter !== undefined && opts.nIter !== null) positiveInteger(opts.nIter, 'nIter', 'computeId2NN');
    const muFraction = opts.muFraction ?? 0.9;
    const dataFraction = opts.dataFraction ?? 1;
    const algorithm = resolveTwoNNAlgorithm(opts.algorithm, muFraction);
    if (algorithm === 'ml' && (opts.algorithm ?? 'base') === 'base' && this.verbose) {
      console.log('fraction = 1: algorithm set to ml');
    }
    let res: TwoNNResult;
    let musAttr: Float64Array | Float64Array[];
    if (dataFraction === 1) {
      const nn = await this.ensureDistances();
      res = twoNN(nn, { algorithm, muFraction, dims: this.dims });
      musAttr = res.mus;
    } else if (this.X) {
      res = await twoNNDecimated(this.X, {
        algorithm, muFraction, dataFraction, nIter: opts.nIter, rng: this.rng,
        metric: this.metric, period: this.periodArray(), signal: opts.signal,
      });
      musAttr = [...res.allMus];
    } else if (this.nn) {
      res = await twoNNDecimatedFromTable(this.nn, {
        algorithm, muFraction, dataFraction, nIter: opts.nIter, rng: this.rng, signal: opts.signal,
      });
      musAttr = [...res.allMus];
    } else {
      throw new InputError('computeId2NN needs coordinates or distances', 'Create the Data object with coordinates or a neighbour table');
    }
    if (opts.setAttr ?? true) {
      this.intrinsicDim = res.id;
      this.intrinsicDimErr = res.idErr;
      this.intrinsicDimScale = res.scale;
      this.intrinsicDimMus = musAttr;
    }
    return res;
  }

  /**
   * DADApy's return_id_scaling_2NN: TwoNN on subsets of N, N/2, N/4, ... points (sizes > nMin),
   * rint(N / size) random subsets each. Like DADApy it leaves the last level in intrinsicDim.
   */
  async returnIdScaling2NN(opts: ReturnIdScaling2NNOptions = {}): Promise<TwoNNScalingResult> {
    checkOptionKeys(opts, SCALING2NN_KEYS, 'returnIdScaling2NN');
    const muFraction = opts.muFraction ?? 0.9;
    const algorithm = resolveTwoNNAlgorithm(opts.algorithm, muFraction);
    if (!this.X && !this.nn) throw new InputError('returnIdScaling2NN needs coordinates or distances', 'Create the Data object with coordinates');
    const sizes = decimationLevels(this.N, opts.nMin === undefined ? 10 : opts.nMin);
    const levels: TwoNNResult[] = [];
    const mus: (Float64Array | Float64Array[])[] = [];
    for (const s of sizes) {
      levels.push(await this.computeId2NN({ algorithm, muFraction, dataFraction: s / this.N, setAttr: true, signal: opts.signal }));
      mus.push(this.intrinsicDimMus as Float64Array | Float64Array[]);
    }
    const res = makeScalingResult(levels, sizes, opts.returnSizes ?? false, algorithm, muFraction);
    if (opts.setAttr) {
      this.intrinsicDimDecimation = res.ids;
      this.intrinsicDimErrDecimation = res.idsErr;
      this.intrinsicDimScaleDecimation = res.radii;
      this.intrinsicDimMusDecimation = mus;
    }
    return res;
  }

  /** DADApy's compute_id_2NN_wprior: Bayesian TwoNN with a Gamma(alpha, beta) prior on d. */
  async computeId2NNWprior(opts: Id2NNWpriorOptions = {}): Promise<TwoNNResult> {
    checkOptionKeys(opts, WPRIOR_KEYS, 'computeId2NNWprior');
    const nn = await this.ensureDistances();
    const res = twoNNWithPrior(nn, opts);
    this.intrinsicDim = res.id;
    this.intrinsicDimErr = res.idErr;
    this.intrinsicDimScale = res.scale;
    return res;
  }

  /**
   * DADApy's return_id_scaling_gride: Gride at n1 = 1, 2, 4, ... and n2 = 2 n1 up to rangeMax.
   * From the stored table when rangeMax <= maxk, otherwise from the coordinates, computing the
   * neighbours up to rangeMax in blocks (the first maxk columns are kept as the table when none
   * was computed, as DADApy does).
   */
  async returnIdScalingGride(opts: ReturnIdScalingGrideOptions = {}): Promise<GrideScalingResult> {
    checkOptionKeys(opts, GRIDE_KEYS, 'returnIdScalingGride');
    const rangeMax = opts.rangeMax ?? 64;
    if (!Number.isInteger(rangeMax) || rangeMax < 2) {
      throw new InputError(`rangeMax = ${describeOptionValue(rangeMax)} is not a whole number >= 2`, 'Pass rangeMax such as 64');
    }
    const gopts = { d0: opts.d0, d1: opts.d1, eps: opts.eps, returnRanks: opts.returnRanks };
    // DADApy takes min(N, rangeMax) and crashes when N is a power of two <= rangeMax (rank N does not exist)
    let maxRank = Math.min(this.N - 1, rangeMax);
    if (maxRank < rangeMax) {
      this.warn(`rangeMax = ${rangeMax} but a point has at most N - 1 = ${this.N - 1} neighbours: Gride runs up to rank ${maxRank} (scales up to ${2 ** Math.floor(Math.log2(maxRank))})`);
    }
    let res: GrideScalingResult;
    if (!this.X && this.nn && maxRank > this.maxk) {
      this.warn(`rangeMax = ${rangeMax} but this Data object holds only ${this.maxk} neighbours and no coordinates: rangeMax set to ${this.maxk}`);
      maxRank = this.maxk;
    }
    if (this.nn && maxRank < this.maxk + 1) {
      res = grideScalingFromTable(this.nn, { ...gopts, rangeMax: maxRank });
    } else if (this.X) {
      const { result, table } = await grideScaling(this.X, {
        ...gopts, rangeMax: maxRank, metric: this.metric === 'precomputed' ? 'euclidean' : this.metric,
        period: this.periodArray(), keepMaxk: this.nn ? undefined : this.maxk, signal: opts.signal,
      });
      if (!this.nn && table) this.setNeighborTable(table);
      res = result;
    } else {
      throw new InputError('returnIdScalingGride needs coordinates or distances', 'Create the Data object with coordinates or a neighbour table');
    }
    if (opts.setAttr) {
      this.intrinsicDimMusGride = res.mus;
      this.intrinsicDimGride = res.ids;
      this.intrinsicDimErrGride = res.idsErr;
      this.intrinsicDimScaleGride = res.radii;
    }
    return res;
  }

  /**
   * Randomness of the binomial model validation (DADApy draws it from an unseeded module-level
   * generator, not from Base.rng): kept apart from `rng` so that decimations stay reproducible.
   */
  validationRng: Rng = new SeededRng(1);

  /** DADApy's compute_id_binomial_k: binomial ID at a fixed number of neighbours k (or one k per point). */
  async computeIdBinomialK(opts: BinomialKMethodOptions): Promise<BinomialResult> {
    checkOptionKeys(opts, BINOMIAL_K_KEYS, 'computeIdBinomialK');
    refusePlotFlags(opts ?? {}, 'computeIdBinomialK');
    const nn = await this.ensureDistances();
    const res = binomialIdK(nn, { k: opts.k, r: opts.r, bayes: opts.bayes, kBootstrap: opts.kBootstrap ?? 1, rng: this.validationRng });
    this.intrinsicDim = res.id;
    this.intrinsicDimErr = res.idErr;
    this.intrinsicDimScale = res.scale;
    return res;
  }

  /** DADApy's compute_id_binomial_rk: binomial ID at a fixed radius rk (one for all, or one per point). */
  async computeIdBinomialRk(opts: BinomialRkMethodOptions): Promise<BinomialResult> {
    checkOptionKeys(opts, BINOMIAL_RK_KEYS, 'computeIdBinomialRk');
    refusePlotFlags(opts ?? {}, 'computeIdBinomialRk');
    const nn = await this.ensureDistances();
    const res = binomialIdRk(nn, { rk: opts.rk, r: opts.r, bayes: opts.bayes, kBootstrap: 20, rng: this.validationRng });
    this.intrinsicDim = res.id;
    this.intrinsicDimErr = res.idErr;
    this.intrinsicDimScale = res.scale;
    return res;
  }

  /** k* with the current ID: the density layer's computeKstar (which also resets densities) when present. */
  private async kstarNow(o: KstarIterationOptions): Promise<Int32Array> {
    const kopts = { alpha: o.alpha ?? 1e-6, bonferroniDeloc: o.bonferroniDeloc ?? false, bonferroniLoc: o.bonferroniLoc ?? false };
    const self = this as unknown as { computeKstar?: (x: object) => Promise<{ kstar: Int32Array }>; kstar?: Int32Array | null };
    if (typeof self.computeKstar === 'function') {
      await self.computeKstar(kopts);
      return self.kstar as Int32Array;
    }
    const nn = await this.ensureDistances();
    const r = kstarCore(nn, this.intrinsicDim as number, kopts);
    self.kstar = r.kstar;
    return r.kstar;
  }

  private async startKstarIterations(o: KstarIterationOptions): Promise<void> {
    if (o.initialId === undefined || o.initialId === null) {
      await this.computeId2NN();
    } else {
      this.setId(o.initialId);
      await this.ensureDistances();
    }
  }

  /**
   * DADApy's return_ids_kstar_binomial (ABIDE): alternate the binomial MLE at k* (ratio
   * min(0.975, 0.2032^(1/id)) unless r is given) and k* at the new ID, nIter times.
   */
  async returnIdsKstarBinomial(opts: KstarBinomialOptions = {}): Promise<KstarIterationResult> {
    checkOptionKeys(opts, KSTAR_BINOMIAL_KEYS, 'returnIdsKstarBinomial');
    refusePlotFlags(opts, 'returnIdsKstarBinomial');
    const nIter = opts.nIter ?? 5;
    await this.startKstarIterations(opts);
    let kstar = await this.kstarNow(opts);
    const ids = [this.intrinsicDim as number], errs = [this.intrinsicDimErr as number], kstars = [kstar], pvs = [0];
    for (let i = 0; i < nIter; i++) {
      const rEff = opts.r ?? Math.min(0.975, Math.pow(0.2032, 1 / (this.intrinsicDim as number)));
      const res = await this.computeIdBinomialK({ k: kstar, r: rEff, bayes: false, kBootstrap: opts.kBootstrap ?? 1 });
      kstar = await this.kstarNow(opts);
      ids.push(res.id); errs.push(res.idErr); kstars.push(kstar); pvs.push(res.pv);
    }
    return kstarIterationResult('ABIDE', ids, errs, kstars, pvs);
  }

  /**
   * DADApy's return_ids_kstar_gride (AGRIDE): alternate Gride between the (even-rounded) k*-th neighbour and
   * the (k* / 2)-th of every point and k* at the new ID, nIter times. Like DADApy, the k* array
   * of each step is made even in place, so every returned kstars entry but the last is even.
   */
  async returnIdsKstarGride(opts: KstarGrideOptions = {}): Promise<KstarIterationResult> {
    checkOptionKeys(opts, KSTAR_GRIDE_KEYS, 'returnIdsKstarGride');
    const nIter = opts.nIter ?? 5;
    await this.startKstarIterations(opts);
    let kstar = await this.kstarNow(opts);
    const ids = [this.intrinsicDim as number], errs = [this.intrinsicDimErr as number], kstars = [kstar], lls = [0];
    let scale = this.intrinsicDimScale;
    let err = this.intrinsicDimErr;
    for (let i = 0; i < nIter; i++) {
      const g = grideAdaptive(this.nn as NonNullable<typeof this.nn>, kstar, { d0: opts.d0, d1: opts.d1, eps: opts.eps });
      this.setId(g.id);
      err = g.idErr; scale = g.scale;
      kstar = await this.kstarNow(opts);
      ids.push(g.id); errs.push(g.idErr); kstars.push(kstar); lls.push(g.logLikelihood);
    }
    this.intrinsicDimErr = err;
    this.intrinsicDimScale = scale;
    return kstarIterationResult('AGRIDE', ids, errs, kstars, lls);
  }

  // ---- beyond DADApy: they return results and leave intrinsicDim alone (use setId to adopt one)

  /** Levina-Bickel MLE with the MacKay-Ghahramani correction, from the neighbour table. */
  async computeIdLevinaBickel(opts: LevinaBickelOptions = {}): Promise<LevinaBickelResult> {
    checkOptionKeys(opts, LEVINA_BICKEL_KEYS, 'computeIdLevinaBickel');
    return levinaBickel(await this.ensureDistances(), opts);
  }

  /** Global PCA ID (components for `threshold` of the variance; also 90%, 99% and the participation ratio). */
  async computeIdPCA(opts: { threshold?: number } = {}): Promise<PcaIdResult> {
    checkOptionKeys(opts, ['threshold'], 'computeIdPCA');
    return pcaId(this.requireCoordinates('computeIdPCA'), opts);
  }

  /** Local PCA ID on the k-neighbourhoods (Fukunaga-Olsen by default). */
  async computeIdLocalPCA(opts: LocalPcaOptions = {}): Promise<LocalPcaResult> {
    checkOptionKeys(opts, LOCAL_PCA_KEYS, 'computeIdLocalPCA');
    const X = this.requireCoordinates('computeIdLocalPCA');
    return localPcaId(X, await this.ensureDistances(), opts);
  }

  /** The Grassberger-Procaccia correlation dimension from all pairs of points. */
  async computeIdCorrelation(opts: CorrelationDimensionOptions & { signal?: AbortSignal } = {}): Promise<CorrelationDimensionResult> {
    checkOptionKeys(opts, [...CORRELATION_KEYS, 'signal'], 'computeIdCorrelation');
    const X = this.requireCoordinates('computeIdCorrelation');
    return correlationDimensionAsync(X, { metric: this.metric === 'precomputed' ? 'euclidean' : this.metric, ...opts });
  }

  protected override heldEstimates(): string[] {
    return [...super.heldEstimates(), ...(this.intrinsicDim !== null ? ['intrinsicDim'] : [])];
  }

  /** The periodic box as one length per coordinate (null when not periodic). */
  protected periodArray(): Float64Array | null {
    if (this.period === null) return null;
    if (typeof this.period !== 'number') return this.period;
    return this.dims ? new Float64Array(this.dims).fill(this.period) : null;
  }

  /** DADApy's set_id: sets the intrinsic dimension used by k* and the densities. */
  setId(arg: number | { d: number }): void {
    const d = typeof arg === 'number' ? arg : arg?.d;
    if (!(typeof d === 'number' && d > 0 && Number.isFinite(d))) {
      throw new InputError(`The intrinsic dimension must be a positive number, got ${d}`, 'Pass d > 0, e.g. setId(2)');
    }
    this.intrinsicDim = d;
  }
}
