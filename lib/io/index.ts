export { loadNpy, loadNpyVector, parseNpy, npyToMatrix, type NpyArray } from './npy';
export { loadArrow, loadArrowColumn, loadNeighborTable, saveArrow, arrowBytes,
  type ArrowLoadOptions, type ArrowSaveOptions, type NeighborFileOptions } from './arrow';
export { loadNpz, parseNpz } from './npz';
export { loadCsv, parseCsv, type CsvOptions } from './csv';
export { loadData, loadLabels, formatOf, type LoadOptions, type DataFormat } from './load';
export { openArrowColumns, type ArrowColumns, type ArrowColumnField } from './arrowColumns';
export { registerArrowCodecs, lz4FrameDecode, lz4FrameEncode, zstdDecode } from './codecs';
export type { LoadedData, Labels } from './types';
