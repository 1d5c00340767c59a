// Public surface of lib/compare (each algorithm file re-exported here).
export * from './imbalance';
export * from './coords';
export * from './subsets';
export * from './overlap';
export * from './jackknife';
export * from './causality';
export { pyFrozenset, pySetOfFrozensets } from './pyset';
export * from './dii';
export * from './diffImbalance';
export * from './causalGraph';
// the chart builders, for charts of numbers computed elsewhere (e.g. an overlap profile across layers)
export {
  imbalancePlaneChart, greedyCurveChart, overlapProfileChart, overlapHistogramChart, diiTrainingChart, causalGraphChart,
} from '../../widgets/compare/charts';
