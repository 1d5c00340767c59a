// Public surface of lib/density (each algorithm file re-exported here).
export * from './kstar';
export { makeDensityResult, type DensityResult, type DensityMethod } from './result';
export { densityKNN, densityKstarNN, densityKpeaks, kstarNNCore, logPrefactor, type KnnOptions } from './knn';
export * from './pak';
export * from './entropy';
export * from './interpolate';
export * from './graph';
export * from './grads';
export * from './bmti';
export * from './lsdi';
