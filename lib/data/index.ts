import { FeatureWeightingLayer } from './featureWeighting';

export type { DataOptions, ComputeDistancesOptions } from './base';
export { IdDiscrete, type IdDiscreteOptions, type IdDiscreteDistancesOptions, type BinomialLkOptions, type BinomialKDiscreteOptions } from './idDiscrete';

/**
 * The DADApy workflow with state: `const d = new Data(X); await d.computeDistances({ maxk: 100 });
 * await d.computeId2NN();` Method names are DADApy's in camelCase, defaults are DADApy's, and it
 * computes what is missing with the defaults, like DADApy. Every method returns a Promise (long
 * work reports progress and can be interrupted); results are immutable objects with `plot()`.
 */
export class Data extends FeatureWeightingLayer {}
