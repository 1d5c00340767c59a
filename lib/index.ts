export { Matrix, asMatrix, validateCoordinates, type FloatArray, type MatrixLike } from './matrix';
export { DadalabError } from './errors';
export * from './neighbors';

export * from './runtime/progress';
export { Data, type DataOptions, type ComputeDistancesOptions } from './data';
export * from './io';
export * from './id';
export * from './density';
export * from './clustering';
export * from './compare';
export * from './stats';
export * from '../widgets';
