import { InputError } from '../errors';
import { asMatrix, validateCoordinates, type MatrixLike } from '../matrix';
import {
  computeNeighbors, fromDistanceMatrix, fromPrecomputed, truncateTable, type Metric, type NeighborTable,
} from '../neighbors';
import {
  greedyFeatureSelection, imbalanceMatrixOfCoords, imbalancesWithCoords, imbalanceTwoCoords,
  type CoordImbalances, type CoordsContext, type GreedySelection, type ImbalanceMatrix, type TwoCoordsImbalance,
} from '../compare/coords';
import { asIndexTable, type IndexTable, type TableLike } from '../compare/imbalance';
import {
  dataOverlapPerPoint, labelOverlapPlan, labelOverlapWithPlan, labelsAsInt, makeOverlap, type Overlap,
} from '../compare/overlap';
import { informationImbalanceSubsets, type InformationImbalance } from '../compare/subsets';
import {
  causalityImbalances, causalityConditioning, ranksPresentForAllWeights, causalityInputRank,
  type CausalityOptions, type CausalityConditioningOptions, type CausalityConditioningResult, type RanksPresentOptions,
} from '../compare/causality';
import { Clustering } from './clustering';
import { checkOptionKeys } from '../options';
import { CAUSALITY_CONDITIONING_KEYS, CAUSALITY_KEYS, RANKS_PRESENT_KEYS } from '../compare/causality';

/** The result of the all-d-plets scans: the subsets and their imbalances. */
export interface DpletImbalances extends CoordImbalances {
  readonly d: number;
}

/**
 * The MetricComparisons layer of the Data facade (issue 5): information imbalance between
 * representations and coordinate subsets, greedy feature selection, neighbourhood overlaps with
 * another representation or with labels, and the causality helpers.
 */
export class MetricComparisons extends Clustering {
  /** The subset-table context: coordinates, maxk, metric, period per coordinate and the current rng. */
  protected cmpContext(what: string, signal?: AbortSignal): CoordsContext {
    const X = this.requireCoordinates(what);
    return { X, maxk: this.maxk, metric: this.cmpMetric(), period: this.cmpPeriodArray(X.cols), rng: this.rng, signal };
  }

  protected cmpMetric(): Metric {
    return this.metric === 'precomputed' ? 'euclidean' : this.metric;
  }

  protected cmpPeriodArray(D: number): Float64Array | null {
    if (this.period === null || this.period === undefined) return null;
    if (typeof this.period === 'number') return new Float64Array(D).fill(this.period);
    if (this.period.length !== D) {
      throw new InputError(`The period has ${this.period.length} entries but the data have ${D} coordinates`,
        'Pass one period per coordinate, or a single number');
    }
    return this.period;
  }

  /** DADApy's return_inf_imb_two_selected_coords: (Delta(coords1 -> coords2), Delta(coords2 -> coords1)). */
  async returnInfImbTwoSelectedCoords(opts: { coords1: number[]; coords2: number[]; k?: number }): Promise<TwoCoordsImbalance> {
    checkOptionKeys(opts, ['coords1', 'coords2', 'k'], 'returnInfImbTwoSelectedCoords');
    return imbalanceTwoCoords(this.cmpContext('returnInfImbTwoSelectedCoords'), opts.coords1, opts.coords2, opts.k ?? 1);
  }

  /** DADApy's return_inf_imb_matrix_of_coords: M[i][j] = Delta([i] -> [j]). */
  async returnInfImbMatrixOfCoords(opts: { k?: number } = {}): Promise<ImbalanceMatrix> {
    checkOptionKeys(opts, ['k'], 'returnInfImbMatrixOfCoords');
    return imbalanceMatrixOfCoords(this.cmpContext('returnInfImbMatrixOfCoords'), opts.k ?? 1);
  }

  /** DADApy's return_inf_imb_full_all_coords: 2 x D, row 0 Delta(full -> [j]), row 1 Delta([j] -> full). */
  async returnInfImbFullAllCoords(opts: { k?: number } = {}): Promise<CoordImbalances> {
    checkOptionKeys(opts, ['k'], 'returnInfImbFullAllCoords');
    const X = this.requireCoordinates('returnInfImbFullAllCoords');
    return this.returnInfImbFullSelectedCoords({ coordList: Array.from({ length: X.cols }, (_, j) => [j]), k: opts.k });
  }

  /** DADApy's return_inf_imb_full_selected_coords: 2 x L against the full space (its table computed if missing). */
  async returnInfImbFullSelectedCoords(opts: { coordList: number[][]; k?: number }): Promise<CoordImbalances> {
    checkOptionKeys(opts, ['coordList', 'k'], 'returnInfImbFullSelectedCoords');
    const ctx = this.cmpContext('returnInfImbFullSelectedCoords');
    const full = await this.ensureDistances();
    return imbalancesWithCoords(ctx, full, opts.coordList, opts.k ?? 1, 'full');
  }

  /** DADApy's return_inf_imb_target_all_coords: 2 x D against a target space given by its neighbour indices. */
  async returnInfImbTargetAllCoords(opts: { targetRanks: TableLike; k?: number }): Promise<CoordImbalances> {
    checkOptionKeys(opts, ['targetRanks', 'k'], 'returnInfImbTargetAllCoords');
    const X = this.requireCoordinates('returnInfImbTargetAllCoords');
    return this.returnInfImbTargetSelectedCoords({ targetRanks: opts.targetRanks, coordList: Array.from({ length: X.cols }, (_, j) => [j]), k: opts.k });
  }

  /** DADApy's return_inf_imb_target_selected_coords: row 0 Delta(target -> subset), row 1 Delta(subset -> target). */
  async returnInfImbTargetSelectedCoords(opts: { targetRanks: TableLike; coordList: number[][]; k?: number }): Promise<CoordImbalances> {
    checkOptionKeys(opts, ['targetRanks', 'coordList', 'k'], 'returnInfImbTargetSelectedCoords');
    const ctx = this.cmpContext('returnInfImbTargetSelectedCoords');
    const target = asIndexTable(opts.targetRanks, ctx.X.rows);
    return imbalancesWithCoords(ctx, target, opts.coordList, opts.k ?? 1, 'target');
  }

  /** DADApy's return_inf_imb_full_all_dplets: every combination of d coordinates against the full space. */
  async returnInfImbFullAllDplets(opts: { d: number; k?: number }): Promise<DpletImbalances> {
    checkOptionKeys(opts, ['d', 'k'], 'returnInfImbFullAllDplets');
    const full = await this.ensureDistances();
    return this.allDplets(full, opts.d, opts.k ?? 1, 'full');
  }

  /** DADApy's return_inf_imb_target_all_dplets. */
  async returnInfImbTargetAllDplets(opts: { targetRanks: TableLike; d: number; k?: number }): Promise<DpletImbalances> {
    checkOptionKeys(opts, ['targetRanks', 'd', 'k'], 'returnInfImbTargetAllDplets');
    const X = this.requireCoordinates('returnInfImbTargetAllDplets');
    return this.allDplets(asIndexTable(opts.targetRanks, X.rows), opts.d, opts.k ?? 1, 'target');
  }

  private async allDplets(target: IndexTable, d: number, k: number, name: string): Promise<DpletImbalances> {
    const ctx = this.cmpContext('the d-plet scan');
    const D = ctx.X.cols;
    if (!Number.isInteger(d) || d < 1 || d > D) throw new InputError(`d = ${d} is not between 1 and ${D}`, `Pass d between 1 and ${D}`);
    const combos: number[][] = [];
    const rec = (start: number, acc: number[]) => {
      if (acc.length === d) { combos.push([...acc]); return; }
      for (let j = start; j < D; j++) { acc.push(j); rec(j + 1, acc); acc.pop(); }
    };
    rec(0, []);
    if (combos.length > 1000) this.warn(`${combos.length} subsets of ${d} coordinates: the cost grows combinatorially with d`, 'performance');
    const r = await imbalancesWithCoords(ctx, target, combos, k, name);
    return Object.freeze({ ...r, d });
  }

  /**
   * DADApy's return_information_imbalace (sic): Delta between this representation and another
   * one of the same points, averaged over subsets of subsetSize points (default 2000):
   * imbXToY / imbYToX are [mean, standard error] (avg) or the per-subset values.
   */
  async returnInformationImbalance(opts: { coordinates: MatrixLike; k?: number; subsetSize?: number; repeats?: number | null; avg?: boolean; signal?: AbortSignal }): Promise<InformationImbalance> {
    checkOptionKeys(opts, ['coordinates', 'k', 'subsetSize', 'repeats', 'avg', 'signal'], 'returnInformationImbalance');
    const X = this.requireCoordinates('returnInformationImbalance');
    if (!opts || opts.coordinates === undefined) {
      throw new InputError('returnInformationImbalance needs the other representation', 'Pass { coordinates: Y } with one row per point');
    }
    const Y = asMatrix(opts.coordinates);
    validateCoordinates(Y, 2);
    return informationImbalanceSubsets(X, Y, {
      k: opts.k, subsetSize: opts.subsetSize, repeats: opts.repeats, avg: opts.avg,
      metric: this.cmpMetric(), period: this.cmpPeriodArray(X.cols), rng: this.rng, signal: opts.signal,
    });
  }

  /** DADApy's misspelt name at this commit, kept for people porting code: see returnInformationImbalance. */
  async returnInformationImbalace(opts: Parameters<MetricComparisons['returnInformationImbalance']>[0]): Promise<InformationImbalance> {
    return this.returnInformationImbalance(opts);
  }

  /** DADApy's greedy_feature_selection_full: greedy selection against the full space. */
  async greedyFeatureSelectionFull(opts: { nCoords: number; k?: number; nBest?: number; symm?: boolean }): Promise<GreedySelection> {
    checkOptionKeys(opts, ['nCoords', 'k', 'nBest', 'symm'], 'greedyFeatureSelectionFull');
    const ctx = this.cmpContext('greedyFeatureSelectionFull');
    const full = await this.ensureDistances();
    return greedyFeatureSelection(ctx, full, opts);
  }

  /** DADApy's greedy_feature_selection_target: greedy selection against a target table. */
  async greedyFeatureSelectionTarget(opts: { targetRanks: TableLike; nCoords: number; k?: number; nBest?: number; symm?: boolean }): Promise<GreedySelection> {
    checkOptionKeys(opts, ['targetRanks', 'nCoords', 'k', 'nBest', 'symm'], 'greedyFeatureSelectionTarget');
    const ctx = this.cmpContext('greedyFeatureSelectionTarget');
    return greedyFeatureSelection(ctx, asIndexTable(opts.targetRanks, ctx.X.rows), opts);
  }

  /**
   * DADApy's _get_nn_indices: a table with at least k neighbours, from (in order) coordinates
   * restricted to `coords`, a recomputation when k > maxk, the stored table, a distance matrix or
   * a (distances, indices) pair, or the coordinates. Returns the table and the k it supports.
   */
  protected async cmpNnIndices(coordinates: MatrixLike | null, distances: unknown, distIndices: TableLike | null,
    k: number, coords: number[] | null = null): Promise<[IndexTable, number]> {
    const metric = this.cmpMetric();
    const compute = async (C: MatrixLike, kk: number, period: Float64Array | null): Promise<IndexTable> => {
      const M = asMatrix(C);
      return computeNeighbors(M, { maxk: kk, metric, period });
    };
    const periodFor = (C: MatrixLike | null) => {
      if (!C || this.period === null) return null;
      const cols = asMatrix(C).cols;
      return typeof this.period === 'number' ? new Float64Array(cols).fill(this.period) : this.period.length === cols ? this.period : null;
    };
    if (coords) {
      if (!coordinates) throw new InputError('coords were given but there are no coordinates', 'Create the Data object with coordinates');
      return [await compute(asMatrix(coordinates).selectColumns(coords), k, null), k];
    }
    const N = this.N;
    const square = (d: unknown) => {
      const m = asMatrix(d as MatrixLike);
      return m.rows === m.cols;
    };
    if (k > this.maxk) {
      if (!distIndices && distances && square(distances)) return [fromDistanceMatrix(distances as ArrayLike<ArrayLike<number>>, k), k];
      if (coordinates) return [await compute(coordinates, k, periodFor(coordinates)), k];
      this.warn(`k = ${k} exceeds the ${this.maxk} neighbours this object holds, and there are no coordinates to compute more: k set to ${this.maxk}`);
      k = this.maxk;
    }
    if (distIndices) return [asIndexTable(distIndices, N, 'neighbour indices'), k];
    if (distances) {
      if (Array.isArray(distances) && distances.length === 2 && !square(distances)) {
        const [d, i] = distances as [ArrayLike<ArrayLike<number>>, ArrayLike<ArrayLike<number>>];
        return [fromPrecomputed(d, i), k];
      }
      if ((distances as NeighborTable).indices instanceof Int32Array) return [distances as NeighborTable, k];
      return [fromDistanceMatrix(distances as ArrayLike<ArrayLike<number>>, k), k];
    }
    if (!coordinates) throw new InputError('No coordinates, distances or neighbour indices to compare', 'Pass coordinates, distances or distIndices');
    return [await compute(coordinates, k, periodFor(coordinates)), k];
  }

  /**
   * DADApy's return_data_overlap: the neighbourhood overlap chi between this representation and
   * another one (coordinates, distances or neighbour indices) at k (default 30), averaged (default)
   * or per point.
   */
  async returnDataOverlap(opts: { coordinates?: MatrixLike | null; distances?: unknown; distIndices?: TableLike | null; k?: number; avg?: boolean; useCython?: boolean } = {}): Promise<Overlap> {
    checkOptionKeys(opts, ['coordinates', 'distances', 'distIndices', 'k', 'avg', 'useCython'], 'returnDataOverlap');
    if (opts.useCython !== undefined) {
      throw new InputError(`returnDataOverlap: useCython = ${String(opts.useCython)} is not an option of dadalab`,
        'dadalab has one implementation (DADApy\'s Cython and Python paths give the same numbers): drop useCython');
    }
    if (!this.X && !this.nn) throw new InputError('This Data object holds no data', 'Create it with coordinates or distances');
    const coordinates = opts.coordinates ?? null, distances = opts.distances ?? null, distIndices = opts.distIndices ?? null;
    if (!coordinates && !distances && !distIndices) {
      throw new InputError('The overlap with data requires a second data set', 'Pass one of coordinates, distances, distIndices');
    }
    if (coordinates) {
      const m = asMatrix(coordinates);
      validateCoordinates(m, 2);
      if (m.rows !== this.N) {
        throw new InputError(`The other representation has ${m.rows} points but this one has ${this.N}`, 'Pass coordinates of the same points, in the same order');
      }
    }
    const k0 = opts.k ?? 30;
    const [base, kb] = await this.cmpNnIndices(this.X, null, this.nn, k0);
    const [other, ko] = await this.cmpNnIndices(coordinates, distances, distIndices, k0);
    if (base.n !== other.n) {
      throw new InputError(`The two tables describe ${base.n} and ${other.n} points`, 'Pass a representation of the same points');
    }
    const k = Math.min(kb, ko);
    const per = dataOverlapPerPoint(base, other, k);
    let s = 0;
    for (let i = 0; i < per.length; i++) s += per[i];
    return makeOverlap(per, k, (opts.avg ?? true) ? s / per.length : null, 'neighbourhood');
  }

  /**
   * DADApy's return_label_overlap: the fraction of each point's k nearest neighbours sharing its
   * label (k per class with classFraction), averaged with weights 1 / class size (weighted, the
   * default), plainly, or per point (avg: false). `coords` restricts the space to some coordinates.
   */
  async returnLabelOverlap(opts: { labels: ArrayLike<number> | readonly string[]; k?: number | null; avg?: boolean; coords?: number[] | null; classFraction?: number | null; weighted?: boolean }): Promise<Overlap> {
    checkOptionKeys(opts, ['labels', 'k', 'avg', 'coords', 'classFraction', 'weighted'], 'returnLabelOverlap');
    const lab = labelsAsInt(opts.labels, this.N);
    const plan = labelOverlapPlan(lab, opts.k, opts.classFraction);
    if (plan.raisedClasses.length) {
      this.warn(`classFraction x class size < 1 for class${plan.raisedClasses.length > 1 ? 'es' : ''} ${plan.raisedClasses.join(', ')}: their k set to 1 (raise classFraction)`);
    }
    const [table, maxK] = await this.cmpNnIndices(this.X, null, this.nn, plan.maxK, opts.coords ?? null);
    if (maxK < plan.maxK) {
      for (let i = 0; i < plan.kPerSample.length; i++) plan.kPerSample[i] = Math.min(plan.kPerSample[i], maxK);
      plan.maxK = maxK;
    }
    return labelOverlapWithPlan(table.maxk > plan.maxK ? truncateIndex(table, plan.maxK) : table, lab, plan, opts);
  }

  /**
   * DADApy's return_inf_imb_causality: Delta([w cause, effect] at time 0 -> effect at time tau) for
   * each weight w (pairs (w_cause, w_conditioning) with a conditioning system).
   */
  async returnInfImbCausality(opts: CausalityOptions): Promise<Float64Array> {
    checkOptionKeys(opts, CAUSALITY_KEYS, 'returnInfImbCausality');
    if (this.period !== null) this.warn('the period set on this object is ignored: use periodCause / periodEffect');
    return causalityImbalances({ maxk: this.maxk, metric: this.cmpMetric(), rng: this.rng, ...opts });
  }

  /** DADApy's return_inf_imb_causality_conditioning: (imbsNoCause, imbsWithCause). */
  async returnInfImbCausalityConditioning(opts: CausalityConditioningOptions): Promise<CausalityConditioningResult> {
    checkOptionKeys(opts, CAUSALITY_CONDITIONING_KEYS, 'returnInfImbCausalityConditioning');
    return causalityConditioning({ metric: this.cmpMetric(), rng: this.rng, ...opts });
  }

  /** DADApy's return_ranks_present_for_all_weights: neighbour tables of [w cause, effect] for every w. */
  async returnRanksPresentForAllWeights(opts: RanksPresentOptions): Promise<Int32Array[]> {
    checkOptionKeys(opts, RANKS_PRESENT_KEYS, 'returnRanksPresentForAllWeights');
    return ranksPresentForAllWeights({ maxk: this.maxk, metric: this.cmpMetric(), ...opts });
  }

  /** DADApy's return_inf_imb_causality_input_rank: Delta(present table -> effect future) for each table. */
  async returnInfImbCausalityInputRank(opts: { ranksPresent: ArrayLike<TableLike>; effectFuture: MatrixLike; k?: number; periodEffect?: number | ArrayLike<number> | null }): Promise<Float64Array> {
    checkOptionKeys(opts, ['ranksPresent', 'effectFuture', 'k', 'periodEffect'], 'returnInfImbCausalityInputRank');
    return causalityInputRank({ maxk: this.maxk, metric: this.cmpMetric(), rng: this.rng, ...opts });
  }
}

function truncateIndex(t: IndexTable, k: number): IndexTable {
  if ((t as NeighborTable).distances) return truncateTable(t as NeighborTable, k);
  const w0 = t.maxk + 1, w = k + 1;
  const ind = new Int32Array(t.n * w);
  for (let i = 0; i < t.n; i++) ind.set(t.indices.subarray(i * w0, i * w0 + w), i * w);
  return { n: t.n, maxk: k, indices: ind };
}
