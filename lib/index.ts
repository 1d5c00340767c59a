export { Matrix, asMatrix, validateCoordinates, type FloatArray, type MatrixLike } from './matrix';
export { DadalabError } from './errors';
export * from './neighbors';
export * from './stats/rng';
export * from './runtime/progress';
export { Data, type DataOptions, type ComputeDistancesOptions } from './data';
