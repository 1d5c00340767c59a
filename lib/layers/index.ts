export { layerProfile, LAYER_STEPS, type LayerStep, type LayerProfileOptions } from './profile';
export { layerMatrix, type LayerMatrixOptions, type LayerMatrixResult } from './matrix';
export { layerSource, matricesSource, arrowFileSource, folderSource, filesSource, tablesSource, npyShape, type LayerSource, type LayerSourceOptions, type LoadedLayer } from './source';
export { saveLayers, type SaveLayersOptions } from './save';
export type { LayerProfileResult, LayerResult, LayerRow, LayerClusters, LayerImbalance, LayerProfileSettings } from './result';
