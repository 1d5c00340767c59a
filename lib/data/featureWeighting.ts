import type { Matrix, MatrixLike } from '../matrix';
import {
  FeatureWeighting,
  type BackwardElimination, type BackwardGreedyDiiOptions, type DiiGradientOptions, type DiiOptimization, type DiiOptions,
  type LassoDiiSearchOptions, type LassoSearch, type OptimalLearningRateOptions, type WeightsOptimizeDiiOptions,
} from '../compare/dii';
import { MetricComparisons } from './comparisons';

/** A DII target given to a Data method: coordinates, a FeatureWeighting, or another Data object (its coordinates and period). */
export type DataDiiTarget = MatrixLike | FeatureWeighting | FeatureWeightingLayer;

type WithTarget<T extends { targetData: unknown }> = Omit<T, 'targetData'> & { targetData: DataDiiTarget };

/**
 * DADApy's FeatureWeighting methods on Data (DADApy's Data inherits them): the differentiable
 * information imbalance between this data set, whose features are weighted, and a target space,
 * with full N x N matrices (keep N to a few thousand). The same methods, names and numbers as
 * `new FeatureWeighting(X, { period })`, which these delegate to (built from this object's
 * coordinates and period, and kept while they do not change). `history` is DADApy's dict of the
 * last optimisations' trajectories.
 */
export class FeatureWeightingLayer extends MetricComparisons {
  private fw: { X: Matrix; period: unknown; fw: FeatureWeighting } | null = null;

  /** The FeatureWeighting of this object's coordinates and period (cached). */
  protected featureWeighting(what: string): FeatureWeighting {
    const X = this.requireCoordinates(what);
    if (!this.fw || this.fw.X !== X || this.fw.period !== this.period) {
      this.fw = { X, period: this.period, fw: new FeatureWeighting(X, { period: this.period }) };
    }
    return this.fw.fw;
  }

  /** DADApy's `history` of the FeatureWeighting methods (learning-rate screening, optimisation trajectories). */
  get history(): Record<string, unknown> {
    return this.fw ? this.fw.fw.history : {};
  }

  /** DADApy's `full_distance_matrix`: the unweighted N x N distances (diagonal max + 1), row-major. */
  get fullDistanceMatrix(): Float64Array {
    return this.featureWeighting('fullDistanceMatrix').fullDistanceMatrix;
  }

  private target(t: DataDiiTarget): MatrixLike | FeatureWeighting {
    // a missing target is reported by FeatureWeighting, after its option check
    return t instanceof FeatureWeightingLayer ? t.featureWeighting('the target of the DII') : t;
  }

  private withTarget<T extends { targetData: unknown }>(opts: WithTarget<T>): T {
    if (opts === null || typeof opts !== 'object') return opts as unknown as T;
    return { ...opts, targetData: this.target(opts.targetData) } as unknown as T;
  }

  /** DADApy's return_optimal_lambda(fraction = 1): lambda from this object's unweighted distances. */
  returnOptimalLambda(opts: { fraction?: number } = {}): number {
    return this.featureWeighting('returnOptimalLambda').returnOptimalLambda(opts);
  }

  /** DADApy's return_dii(target_data, lambd): DII(this data -> target). */
  returnDii(opts: WithTarget<DiiOptions>): number {
    return this.featureWeighting('returnDii').returnDii(this.withTarget<DiiOptions>(opts));
  }

  /** DADApy's return_dii_gradient(target_data, weights, lambd) (half the derivative, as DADApy). */
  returnDiiGradient(opts: WithTarget<DiiGradientOptions>): Float64Array {
    return this.featureWeighting('returnDiiGradient').returnDiiGradient(this.withTarget<DiiGradientOptions>(opts));
  }

  /** DADApy's return_optimal_learning_rate: the trial rate with the lowest final DII on the last nSamples points. */
  async returnOptimalLearningRate(opts: WithTarget<OptimalLearningRateOptions>): Promise<number> {
    return this.featureWeighting('returnOptimalLearningRate').returnOptimalLearningRate(this.withTarget<OptimalLearningRateOptions>(opts));
  }

  /** DADApy's return_weights_optimize_dii: the optimised weights (and the trajectory, with plot()). */
  async returnWeightsOptimizeDii(opts: WithTarget<WeightsOptimizeDiiOptions>): Promise<DiiOptimization> {
    return this.featureWeighting('returnWeightsOptimizeDii').returnWeightsOptimizeDii(this.withTarget<WeightsOptimizeDiiOptions>(opts));
  }

  /** DADApy's return_backward_greedy_dii_elimination: (diis, weights), row r with D - r features. */
  async returnBackwardGreedyDiiElimination(opts: WithTarget<BackwardGreedyDiiOptions>): Promise<BackwardElimination> {
    return this.featureWeighting('returnBackwardGreedyDiiElimination').returnBackwardGreedyDiiElimination(this.withTarget<BackwardGreedyDiiOptions>(opts));
  }

  /** DADApy's return_lasso_optimization_dii_search: the best run per number of non-zero features. */
  async returnLassoOptimizationDiiSearch(opts: WithTarget<LassoDiiSearchOptions>): Promise<LassoSearch> {
    return this.featureWeighting('returnLassoOptimizationDiiSearch').returnLassoOptimizationDiiSearch(this.withTarget<LassoDiiSearchOptions>(opts));
  }
}
