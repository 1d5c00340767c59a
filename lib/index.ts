/**
 * The public surface of dadalab: what a user calls. The `Data` facade (DADApy's workflow) and
 * the other stateful classes, the loaders, the pure estimators, the neighbour engine's entry
 * points, the result types, the charts and `show`, progress / interruption / warnings / memory
 * controls, the errors to catch. The kernel preloads every name here into notebook cells.
 * Building blocks (likelihoods, solver steps, the engine's internals, codecs, the renderer) are
 * in `dadalab/internal` (lib/internal.ts).
 */

// the facades: DADApy's classes with state
export { Data, IdDiscrete } from './data';
export { FeatureWeighting, DiffImbalance, CausalGraph, DataSets, findCommunities, autonomousSets } from './compare';

// data: matrices and loaders
export { Matrix, asMatrix, validateCoordinates } from './matrix';
export {
  loadData, loadLabels, formatOf, loadArrow, loadArrowColumn, openArrowColumns, loadNeighborTable, saveArrow,
  loadNpy, loadNpyVector, loadNpz, loadCsv, parseCsv,
} from './io';

// the neighbour engine
export {
  computeNeighbors, computeNeighborsSync, crossNeighbors, forEachNeighborBlock, forEachNeighborRankBlock, countNeighborRanks,
  fromPrecomputed, fromDistanceMatrix, truncateTable, dedupe, findDuplicates, zeroDistanceRows, assertNoZeroDistances,
  shutdownNeighborPool, lastNeighborStats, METRICS,
} from './neighbors';

// intrinsic dimension
export {
  twoNN, twoNNWithPrior, twoNNDecimated, grideScaling, grideScalingFromTable, binomialIdK, binomialIdRk, levinaBickel,
  pcaId, localPcaId, participationRatio, correlationDimension, correlationDimensionAsync, correlationIntegral, boxCounting,
  hammingHistogram, bid, idProfile, discreteIdLk, discreteIdK, discreteIdKFromTable,
  discreteIdLkFromTable, discreteIdScaling,
} from './id';

// density
export {
  computeKstar, densityKNN, densityKstarNN, densityKpeaks, densityPAk, densityPAkAsync, entropy,
  interpolatedDensityKNN, interpolatedDensityKstarNN, interpolatedDensityPAk,
} from './density';

// clustering and its scores
export {
  adpClustering, dpClustering, decisionGraph, contingency, adjustedRandIndex, mutualInformation, normalizedMutualInformation,
  adjustedMutualInformation, homogeneity, completeness, coreFraction, clusterScores, adpTopology,
} from './clustering';

// comparing representations
export {
  informationImbalance, conditionalRanks, imbalancePair, dataOverlap, labelOverlap, overlapProfile, imbalanceProfile,
  jackknifeImbalance,
  imbalancePlaneChart, greedyCurveChart, overlapProfileChart, overlapHistogramChart, diiTrainingChart, causalGraphChart,
} from './compare';

// layer by layer
export {
  layerProfile, LAYER_STEPS, layerMatrix, layerSource, saveLayers,
} from './layers';

// randomness
export { SeededRng } from './stats';

// showing results
export {
  Chart, chart, show, mimeBundle, useTerminalProgress, importESM,
  layerQuantityChart, layerOverviewChart, layerMatrixChart, layerCurvesChart,
} from '../widgets';

// interactive widgets (ipywidgets' protocol) and the explorers built on them
export { widgets, adpExplorer, decisionGraphExplorer, layerExplorer } from '../widgets';

// progress, interruption, warnings, memory
export { setProgressSink, startProgress, checkpoint, requestCancel, clearCancel, isCancelRequested, CancelledError } from './runtime/progress';
export { warn, setWarningSink, collectWarnings, silenceWarnings } from './runtime/warnings';
export { memoryBudget, setMemoryBudget, formatBytes } from './runtime/memory';

// errors a caller can catch
export { DadalabError, InputError, StateError, ConvergenceError, MemoryLimitError, isDadalabError } from './errors';

// the types of the options and results (types only: no value is exported by these lines)
export type * from './data';
export type * from './matrix';
export type * from './neighbors';
export type * from './io';
export type * from './id';
export type * from './density';
export type * from './clustering';
export type * from './compare';
export type * from './layers';
export type * from './stats';
export type * from '../widgets';
export type * from './runtime/progress';
export type * from './runtime/warnings';

// classroom exercises (the kit behind `dadalab exercise` and `dadalab grade`)
export {
  exercise, check, hint, todo, exerciseList, near, between, equals, satisfies, allOf, right, wrong, exerciseRng, seedOf, ExerciseRng,
  describeValue, formatNumber,
} from './exercise';
export type { ExerciseSpec, ExerciseInfo, CheckRecord, Rule, Verdict, Feedback, NumberFeedback } from './exercise';
