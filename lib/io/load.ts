import { InputError } from '../errors';
import { ARROW_LOAD_KEYS, loadArrow, loadArrowColumn, type ArrowLoadOptions } from './arrow';
import { CSV_KEYS, decodeText, loadCsv, parseCsv, type CsvOptions } from './csv';
import { checkOptionKeys } from '../options';
import { readInput } from './files';
import { loadNpy, loadNpyVector, npyToMatrix } from './npy';
import { loadNpz } from './npz';
import { listNames, toLabels } from './types';
import { makeLoaded, type Labels, type LoadedData } from './types';

export type DataFormat = 'arrow' | 'npy' | 'npz' | 'csv';

/** Options of loadData: those of loadArrow and loadCsv (labels and columns work for both), plus `format` to override the extension. */
export interface LoadOptions extends ArrowLoadOptions, Omit<CsvOptions, 'dtype'> {
  format?: DataFormat;
  /** For .npz archives: the name of the coordinates array (default: the only 2-D array, else 'X'). `labels` names a 1-D array. */
  array?: string;
}

const LOAD_KEYS = [...new Set([...ARROW_LOAD_KEYS, ...CSV_KEYS, 'format', 'array'])];
const NPZ_KEYS = ['format', 'array', 'labels'];

/** The options given that apply to this format (refusing the others: none is silently ignored). */
function optionsFor<T>(opts: LoadOptions, format: string, keys: readonly string[], path: string): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(opts)) {
    if (k === 'format') continue;
    if (!keys.includes(k)) {
      throw new InputError(`loadData: the option '${k}' does not apply to ${format} files (${path})`,
        `Options for ${format} files: ${keys.filter((x) => x !== 'format').join(', ')}`);
    }
    out[k] = v;
  }
  return out as T;
}

const ARROW = /\.(arrow|feather|ipc|arrows|fea)(\.gz)?$/i;
const NPY = /\.npy(\.gz)?$/i;
const NPZ = /\.npz$/i;
const TEXT = /\.(csv|tsv|txt|dat|tab|data)(\.gz)?$/i;

/** The format a path's extension names, or null. */
export function formatOf(path: string): DataFormat | null {
  if (ARROW.test(path)) return 'arrow';
  if (NPY.test(path)) return 'npy';
  if (NPZ.test(path)) return 'npz';
  if (TEXT.test(path)) return 'csv';
  return null;
}

/**
 * Loads coordinates (and optionally labels) from a file, choosing the reader by extension:
 * .arrow/.feather/.ipc/.arrows (loadArrow), .npy (loadNpy), .npz (the 2-D array, or `array`;
 * `labels` names a 1-D array), .csv/.tsv/.txt/.dat (loadCsv), each but .npz possibly gzipped
 * (.gz). Returns a frozen `{ X, names, labels?, labelName?, source, summary() }`.
 *
 *     const { X } = loadData('data/Fig1.dat.gz');                       // 20000 x 2
 *     const { X, labels } = loadData('data/digits.csv.gz', { labels: -1 }); // 1797 x 64 + classes
 */
export function loadData(path: string, opts: LoadOptions = {}): LoadedData {
  checkOptionKeys(opts, LOAD_KEYS, 'loadData');
  const format = opts.format ?? formatOf(path);
  if (format === null) {
    readInput(path); // a missing file is the first thing to report
    if (/\.parquet$/i.test(path)) {
      throw new InputError(`${path} is a Parquet file, which dadalab does not read`,
        "Convert it to Arrow IPC / Feather v2: pyarrow.feather.write_feather(pyarrow.parquet.read_table(path), 'data.arrow')");
    }
    throw new InputError(`Cannot tell the format of ${path} from its extension`,
      "Rename it (.arrow, .feather, .npy, .csv, .tsv, .txt, .dat, optionally .gz) or pass { format: 'arrow' | 'npy' | 'csv' }");
  }
  if (format === 'arrow') return loadArrow(path, optionsFor<ArrowLoadOptions>(opts, 'Arrow', ARROW_LOAD_KEYS, path));
  if (format === 'npy') {
    if (opts.labels !== undefined || opts.columns !== undefined) {
      throw new InputError('An .npy file has no named columns, so labels/columns cannot be picked from it',
        'Load the labels from their own file with loadLabels(path), and select columns afterwards with X.selectColumns([...])');
    }
    optionsFor<object>(opts, '.npy', ['format'], path);
    const X = loadNpy(path);
    return makeLoaded(X, Array.from({ length: X.cols }, (_, j) => `x${j}`), path);
  }
  if (format === 'npz') return fromNpz(path, optionsFor<LoadOptions>(opts, '.npz', NPZ_KEYS, path));
  if (format === 'csv') return loadCsv(path, optionsFor<CsvOptions>(opts, 'text', CSV_KEYS, path));
  throw new InputError(`Unknown format '${String(format)}'`, "Pass { format: 'arrow' | 'npy' | 'csv' }");
}

/**
 * Loads a vector of labels (or any per-point values): a 1-D .npy array, a text file with one
 * value per line (like DADApy's gt_F1.txt), or the `label` column (or the only column) of an
 * Arrow file. Integers -> Int32Array, other numbers -> Float64Array, text -> string[].
 */
export function loadLabels(path: string, opts: { column?: string | number } = {}): Labels {
  checkOptionKeys(opts, ['column'], 'loadLabels');
  const format = formatOf(path);
  if (format === 'npy') return loadNpyVector(path);
  if (format === 'arrow') {
    return loadArrowColumn(path, opts.column);
  }
  const text = decodeText(readInput(path, { gunzip: true }), path);
  return parseCsv(text, { labels: opts.column ?? 0 }, path, true).labels!;
}

function fromNpz(path: string, opts: LoadOptions): LoadedData {
  const arrays = loadNpz(path);
  const keys = Object.keys(arrays);
  const twoD = keys.filter((k) => arrays[k].shape.length === 2);
  const which = opts.array ?? (twoD.length === 1 ? twoD[0] : 'X');
  if (!(which in arrays)) {
    throw new InputError(`${path} has no array '${which}'; it holds ${listNames(keys.map((k) => `${k} (${arrays[k].shape.join(' x ')})`))}`,
      "Name the coordinates with { array: '<name>' } (and a 1-D label array with { labels: '<name>' })");
  }
  const X = npyToMatrix(arrays[which], `${path}:${which}`);
  let labels: Labels | undefined;
  if (opts.labels !== undefined) {
    const l = String(opts.labels);
    const a = arrays[l];
    if (!a) {
      throw new InputError(`The label array '${l}' does not exist in ${path}; the available arrays are ${listNames(keys)}`,
        'Pass one of those names as { labels }');
    }
    if (a.shape.reduce((x, y) => x * y, 1) !== X.rows) {
      throw new InputError(`The label array '${l}' has shape (${a.shape.join(', ')}) but '${which}' has ${X.rows} rows`, 'Pass one label per row');
    }
    labels = Array.isArray(a.data) ? a.data : toLabels(Array.from(a.data as ArrayLike<number | bigint>, Number));
  }
  return makeLoaded(X, Array.from({ length: X.cols }, (_, j) => `${which}[${j}]`), path, labels, opts.labels === undefined ? undefined : String(opts.labels));
}
