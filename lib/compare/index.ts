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
