export { Matrix, asMatrix, validateCoordinates, type FloatArray, type MatrixLike } from './matrix';
export { DadalabError, InputError, StateError, ConvergenceError, MemoryLimitError, isDadalabError } from './errors';
export * from './neighbors';

export * from './runtime/progress';
export { warn, setWarningSink, collectWarnings, silenceWarnings, type WarningCategory, type DadalabWarning, type WarningSink } from './runtime/warnings';
export { memoryBudget, setMemoryBudget, ensureMemory, formatBytes } from './runtime/memory';
export { Data, IdDiscrete, type DataOptions, type ComputeDistancesOptions } from './data';
export * from './io';
export * from './id';
export * from './density';
export * from './clustering';
export * from './compare';
export * from './layers';
export * from './stats';
export * from '../widgets';
export * from './exercise';
