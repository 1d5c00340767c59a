/**
 * Where a network's layer representations come from, read one layer at a time:
 * - an array of matrices (or of { name, X });
 * - one Arrow IPC file with one FixedSizeList column per layer (what a PyTorch/NumPy loop writes
 *   with pyarrow), possibly in several record batches, and optionally a label column;
 * - a folder of `.npy` or Arrow files, one per layer, in natural order (layer2 before layer10),
 *   with an optional `labels.npy` / `labels.arrow`;
 * - precomputed neighbour tables per layer (faiss-style Arrow files with `distances` and
 *   `indices` columns, or NeighborTable objects): the scale-out path, for searches run on a GPU
 *   or a cluster.
 * Shapes are read from headers up front (so layers with different N are refused before any work);
 * the values of a layer are read only when `load(i)` asks for it, and nothing keeps them after.
 * `load(i, reuse)` reads a file layer into `reuse` (the previous layer's values, no longer needed)
 * when it fits: fresh memory costs a page fault per 4 KiB when first touched (about 0.3 s per
 * 80 MB layer on the 2-core machines we measure on), a recycled buffer none.
 */
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { DadalabError, InputError } from '../errors';
import { asMatrix, type Matrix, type MatrixLike } from '../matrix';
import type { NeighborTable } from '../neighbors/table';
import { loadArrow, loadArrowColumn, loadNeighborTable } from '../io/arrow';
import { openArrowColumns, type ArrowColumns } from '../io/arrowColumns';
import { loadNpy, loadNpyInto, loadNpyVector } from '../io/npy';
import type { Labels } from '../io/types';

/** One layer as loaded: coordinates, or a precomputed neighbour table (tables sources). */
export interface LoadedLayer {
  readonly X: Matrix | null;
  readonly table: NeighborTable | null;
}

export interface LayerSource {
  readonly kind: 'matrices' | 'arrow' | 'folder' | 'tables';
  readonly names: readonly string[];
  /** Inputs (rows) of every layer. */
  readonly n: number;
  /** Width of each layer (0 for tables sources). */
  readonly dims: readonly number[];
  /** Labels found in the source (an Arrow label column, a labels file in the folder), else null. */
  readonly labels: Labels | null;
  readonly description: string;
  /** Bytes of layer i once loaded (for the memory estimate). */
  layerBytes(i: number): number;
  /** Tables sources: the neighbours each table holds per point (maxk), from the headers. */
  readonly tableMaxk?: readonly number[];
  /**
   * Layer i. `reuse`: a buffer the caller no longer needs (a previous layer's values): a file
   * layer of the same type and size is read into it (then the returned X views it); else ignored.
   * Sources that do not read (matrices, tables) never write into it.
   */
  load(i: number, reuse?: Float32Array | Float64Array | null): LoadedLayer;
  /** Whether load() reads the values afresh (files), so that the caller may hand a buffer back with reuse. */
  readonly reads?: boolean;
  close(): void;
}

export interface LayerSourceOptions {
  /** Arrow file: the layer columns, by name or index (default: every FixedSizeList/list column but the labels). */
  layers?: ReadonlyArray<string | number>;
  /** Arrow file: the label column (default: one named label, labels, y, target or class, if any). */
  labels?: string | number;
  /** Layer names (default: column names, file names, or "layer 0", "layer 1", ...). */
  names?: readonly string[];
  /** Treat the folder / files as precomputed neighbour tables (default: detected from the columns). */
  tables?: boolean;
  /** Neighbour table files hold squared distances (faiss IndexFlatL2). */
  squared?: boolean;
  /** Neighbour table files start with the point itself in column 0 (default true; faiss searching the indexed data does). */
  includesSelf?: boolean;
}

const LABEL_NAMES = ['label', 'labels', 'y', 'target', 'class'];
const PANDAS_INDEX = /^__index_level_\d+__$/;
const LAYER_FILE = /\.(npy|arrow|feather|arrows|ipc)$/i;
const LABEL_FILE = /^labels?\.(npy|arrow|feather|arrows)$/i;

/** Natural order: "layer2" before "layer10". */
const natural = new Intl.Collator('en', { numeric: true, sensitivity: 'base' }).compare;

/** A layer source from whatever the user holds (see the module comment). */
export function layerSource(input: unknown, opts: LayerSourceOptions = {}): LayerSource {
  if (isSource(input)) return input;
  if (typeof input === 'string') {
    if (!existsSync(input)) {
      throw new InputError(`There is no file or folder ${input}`, 'Pass an Arrow file with one column per layer, a folder of per-layer .npy/.arrow files, or an array of matrices');
    }
    return statSync(input).isDirectory() ? folderSource(input, opts) : arrowFileSource(input, opts);
  }
  if (Array.isArray(input)) {
    if (input.length === 0) throw new InputError('No layers were given (an empty array)', 'Pass one matrix per layer');
    if (input.every((x) => typeof x === 'string')) return filesSource(input as string[], opts);
    if (input.every(isTable)) return tablesSource(input as NeighborTable[], opts);
    return matricesSource(input, opts);
  }
  throw new InputError(`layerProfile cannot read layers from ${describeValue(input)}`,
    'Pass an array of matrices (or of { name, X }), the path of an Arrow file with one FixedSizeList column per layer, a folder of per-layer files, or an array of neighbour tables');
}

function isSource(x: unknown): x is LayerSource {
  return !!x && typeof x === 'object' && typeof (x as LayerSource).load === 'function' && Array.isArray((x as LayerSource).names);
}
function isTable(x: unknown): x is NeighborTable {
  return !!x && typeof x === 'object' && typeof (x as NeighborTable).maxk === 'number' && (x as NeighborTable).indices instanceof Int32Array;
}
function describeValue(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return `an array of ${x.length}`;
  return typeof x === 'object' ? `an object (${Object.keys(x as object).slice(0, 5).join(', ')})` : `a ${typeof x}`;
}

function checkNames(names: readonly string[] | undefined, count: number, fallback: (i: number) => string): string[] {
  if (names === undefined) return Array.from({ length: count }, (_, i) => fallback(i));
  if (!Array.isArray(names) || names.length !== count) {
    throw new InputError(`names has ${Array.isArray(names) ? names.length : 'no'} entries for ${count} layers`, 'Pass one name per layer, or leave names out');
  }
  return names.map(String);
}

function sameN(counts: readonly number[], names: readonly string[]): number {
  const n = counts[0];
  for (let i = 1; i < counts.length; i++) {
    if (counts[i] !== n) {
      throw new InputError(`Layer '${names[i]}' has ${counts[i]} rows but layer '${names[0]}' has ${n}`,
        'Every layer must hold the representations of the same inputs, in the same order (one row per input)');
    }
  }
  return n;
}

/** An array of matrices (or { name, X }). */
export function matricesSource(layers: readonly unknown[], opts: LayerSourceOptions = {}): LayerSource {
  const named = layers.map((l, i) => {
    const o = l as { name?: unknown; X?: MatrixLike };
    if (o && typeof o === 'object' && !Array.isArray(o) && 'X' in o && o.X !== undefined) {
      return { name: o.name === undefined ? undefined : String(o.name), X: wrap(o.X, i) };
    }
    return { name: undefined, X: wrap(l as MatrixLike, i) };
  });
  const names = checkNames(opts.names, named.length, (i) => named[i].name ?? `layer ${i}`);
  const n = sameN(named.map((l) => l.X.rows), names);
  return Object.freeze({
    kind: 'matrices' as const, names: Object.freeze(names), n, dims: Object.freeze(named.map((l) => l.X.cols)), labels: null,
    description: `${named.length} layers of ${n} inputs (matrices)`,
    layerBytes: (i: number) => named[i].X.data.byteLength,
    load: (i: number) => ({ X: named[i].X, table: null }),
    close() {},
  });
}

function wrap(x: MatrixLike, i: number): Matrix {
  try {
    return asMatrix(x);
  } catch (e) {
    if (e instanceof DadalabError) throw new InputError(`Layer ${i}: ${e.problem}`, e.fix);
    throw e;
  }
}

/** One Arrow IPC file with one FixedSizeList column per layer, read one column at a time. */
export function arrowFileSource(path: string, opts: LayerSourceOptions = {}): LayerSource {
  const file = openArrowColumns(path);
  try {
    const fieldNames = file.fields.map((f) => f.name);
    let labelIndex = -1;
    if (opts.labels !== undefined) {
      labelIndex = typeof opts.labels === 'number' ? (opts.labels < 0 ? fieldNames.length + opts.labels : opts.labels) : fieldNames.indexOf(opts.labels);
      if (!(labelIndex >= 0 && labelIndex < fieldNames.length)) {
        throw new InputError(`${path} has no label column ${JSON.stringify(opts.labels)}; its columns are ${fieldNames.join(', ')}`, 'Pass the name of the label column, or leave labels out');
      }
    } else {
      labelIndex = fieldNames.findIndex((f) => LABEL_NAMES.includes(f.toLowerCase()));
    }
    let layerIdx: number[];
    if (opts.layers !== undefined) {
      layerIdx = opts.layers.map((c) => {
        const j = typeof c === 'number' ? (c < 0 ? fieldNames.length + c : c) : fieldNames.indexOf(c);
        if (!(j >= 0 && j < fieldNames.length)) {
          throw new InputError(`${path} has no column ${JSON.stringify(c)}; its columns are ${fieldNames.join(', ')}`, 'Pass layer column names or indices that exist');
        }
        return j;
      });
    } else {
      layerIdx = file.fields.map((_, j) => j).filter((j) => j !== labelIndex && !PANDAS_INDEX.test(fieldNames[j]));
    }
    if (layerIdx.length === 0) {
      throw new InputError(`${path} has no layer columns (only ${fieldNames.join(', ') || 'nothing'})`, 'Write one FixedSizeList column per layer');
    }
    for (const j of layerIdx) {
      const f = file.fields[j];
      if (f.kind !== 'fsl' && f.kind !== 'list') {
        throw new InputError(`Column '${f.name}' of ${path} has type ${f.type}, not a FixedSizeList of numbers, so it cannot be a layer`,
          `Store each layer as one FixedSizeList<float32>[D] column (pyarrow: pa.FixedSizeListArray.from_arrays(acts.ravel(), D)); ` +
          `pick the layer columns with { layers: [...] }${labelIndex < 0 ? `, or name the label column with { labels: '${f.name}' }` : ''}`);
      }
    }
    const names = checkNames(opts.names, layerIdx.length, (i) => fieldNames[layerIdx[i]]);
    const labels = labelIndex >= 0 ? file.readLabels(labelIndex) : null;
    const dims = layerIdx.map((j) => file.fields[j].width);
    return Object.freeze({
      kind: 'arrow' as const, names: Object.freeze(names), n: file.numRows, dims: Object.freeze(dims), labels,
      description: `${layerIdx.length} layers of ${file.numRows} inputs from ${basename(path)} (${file.numBatches} record batch${file.numBatches === 1 ? '' : 'es'}${file.compressed ? ', compressed' : ''})`,
      layerBytes: (i: number) => file.numRows * Math.max(0, file.fields[layerIdx[i]].width) * file.fields[layerIdx[i]].valueBytes,
      load: (i: number, reuse?: Float32Array | Float64Array | null) => ({ X: file.readColumn(layerIdx[i], { into: reuse ?? null }), table: null }),
      reads: true,
      close: () => file.close(),
    });
  } catch (e) {
    file.close();
    throw e;
  }
}

/** Rows and columns of a .npy file, from its header only. */
export function npyShape(path: string): { rows: number; cols: number; valueBytes: number } {
  const fd = openSync(path, 'r');
  try {
    const head = new Uint8Array(Math.min(statSync(path).size, 4096));
    readSync(fd, head, 0, head.length, 0);
    const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
    if (head.length < 10 || magic.some((b, i) => head[i] !== b)) throw new InputError(`${path} is not a NumPy .npy file`, 'Save each layer with numpy.save');
    const text = Buffer.from(head).toString('latin1');
    const shape = /'shape':\s*\(([^)]*)\)/.exec(text)?.[1];
    const descr = /'descr':\s*'[<>|=]?[a-zA-Z](\d+)'/.exec(text)?.[1];
    if (shape === undefined) throw new InputError(`${path} has an unreadable .npy header`, 'Re-save it with numpy.save');
    const dims = shape.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
    if (dims.length === 0 || dims.some((d) => !Number.isInteger(d) || d < 0)) throw new InputError(`${path} has shape (${shape}), not N x D`, 'Save each layer as a 2-D array (inputs x units)');
    return { rows: dims[0], cols: dims.slice(1).reduce((a, b) => a * b, 1), valueBytes: Number(descr ?? 8) };
  } finally {
    closeSync(fd);
  }
}

/** A folder of per-layer .npy / Arrow files, in natural order; labels.npy / labels.arrow are the labels. */
export function folderSource(dir: string, opts: LayerSourceOptions = {}): LayerSource {
  const all = readdirSync(dir).filter((f) => statSync(join(dir, f)).isFile());
  const labelFile = all.find((f) => LABEL_FILE.test(f));
  const files = all.filter((f) => LAYER_FILE.test(f) && f !== labelFile).sort(natural);
  if (files.length === 0) {
    throw new InputError(`The folder ${dir} has no layer files (.npy, .arrow, .feather, .arrows)${all.length ? `; it holds ${all.slice(0, 5).join(', ')}${all.length > 5 ? ', ...' : ''}` : ''}`,
      'Save one file per layer (numpy.save(f"{dir}/layer{l:02d}.npy", acts)), or pass the Arrow file / the matrices themselves');
  }
  const src = filesSource(files.map((f) => join(dir, f)), opts);
  if (!labelFile || src.labels) return src;
  const lp = join(dir, labelFile);
  const labels = /\.npy$/i.test(labelFile) ? loadNpyVector(lp) : loadArrowColumn(lp);
  return Object.freeze({ ...src, labels, description: `${src.description}, labels from ${labelFile}` });
}

/** A list of per-layer files (.npy or Arrow: coordinates, or neighbour tables). */
export function filesSource(paths: readonly string[], opts: LayerSourceOptions = {}): LayerSource {
  const infos = paths.map((p) => {
    if (!existsSync(p)) throw new InputError(`There is no file ${p}`, 'Check the path');
    if (/\.npy$/i.test(p)) {
      const s = npyShape(p);
      return { path: p, rows: s.rows, cols: s.cols, bytes: s.rows * s.cols * s.valueBytes, table: false, column: -1, tableMaxk: 0 };
    }
    const f: ArrowColumns = openArrowColumns(p);
    try {
      const names = f.fields.map((x) => x.name);
      const isTableFile = names.includes('distances') && names.includes('indices');
      const col = f.fields.findIndex((x) => x.kind === 'fsl' || x.kind === 'list');
      const numeric = f.fields.filter((x) => x.kind === 'numeric' && !PANDAS_INDEX.test(x.name) && !LABEL_NAMES.includes(x.name.toLowerCase()));
      if (!isTableFile && col < 0 && numeric.length === 0) {
        throw new InputError(`${p} has no numeric layer column (its columns: ${f.fields.map((x) => `${x.name}: ${x.type}`).join(', ')})`,
          'Store the layer as one FixedSizeList<float32>[D] column');
      }
      const cols = isTableFile ? 0 : col >= 0 ? f.fields[col].width : numeric.length;
      const vb = col >= 0 ? f.fields[col].valueBytes : 8;
      // a table's width: its distances FixedSizeList (maxk + 1), or its distances_0.. columns
      const dist = f.fields.find((x) => x.name === 'distances');
      const width = dist && dist.kind === 'fsl' ? dist.width : f.fields.filter((x) => /^distances[_.[]?\d+\]?$/.test(x.name)).length;
      const bytes = isTableFile ? f.numRows * width * 12 : f.numRows * Math.max(0, cols) * vb;
      return { path: p, rows: f.numRows, cols, bytes, table: isTableFile, column: col, tableMaxk: width - 1 };
    } finally {
      f.close();
    }
  });
  const tables = opts.tables ?? infos.every((x) => x.table);
  if (!tables && infos.some((x) => x.table)) {
    const t = infos.find((x) => x.table)!;
    throw new InputError(`${t.path} holds a neighbour table (distances, indices) but other files hold coordinates`, 'Keep layers of one kind in the folder: coordinates, or neighbour tables');
  }
  const names = checkNames(opts.names, infos.length, (i) => basename(infos[i].path, extname(infos[i].path)));
  const n = sameN(infos.map((x) => x.rows), names);
  const load = (i: number, reuse?: Float32Array | Float64Array | null): LoadedLayer => {
    const info = infos[i];
    if (tables) return { X: null, table: loadNeighborTable(info.path, { squared: opts.squared, includesSelf: opts.includesSelf }) };
    if (/\.npy$/i.test(info.path)) return { X: (reuse ? loadNpyInto(info.path, reuse) : null) ?? loadNpy(info.path), table: null };
    const f = openArrowColumns(info.path);
    try {
      if (info.column >= 0) return { X: f.readColumn(info.column, { into: reuse ?? null }), table: null };
    } finally {
      f.close();
    }
    // one numeric column per unit (pandas' to_feather)
    return { X: loadArrow(info.path).X, table: null };
  };
  return Object.freeze({
    kind: (tables ? 'tables' : 'folder') as 'tables' | 'folder', names: Object.freeze(names), n, dims: Object.freeze(infos.map((x) => x.cols)), labels: null,
    description: `${infos.length} ${tables ? 'neighbour tables' : 'layers'} of ${n} inputs from ${infos.length} files`,
    layerBytes: (i: number) => infos[i].bytes,
    ...(tables ? { tableMaxk: Object.freeze(infos.map((x) => x.tableMaxk)) } : {}),
    load,
    reads: !tables,
    close() {},
  });
}

/** Precomputed neighbour tables, one per layer (the scale-out path). */
export function tablesSource(tables: readonly NeighborTable[], opts: LayerSourceOptions = {}): LayerSource {
  const names = checkNames(opts.names, tables.length, (i) => `layer ${i}`);
  const n = sameN(tables.map((t) => t.n), names);
  return Object.freeze({
    kind: 'tables' as const, names: Object.freeze(names), n, dims: Object.freeze(tables.map(() => 0)), labels: null,
    description: `${tables.length} neighbour tables of ${n} inputs`,
    layerBytes: (i: number) => tables[i].indices.byteLength * 3,
    tableMaxk: Object.freeze(tables.map((t) => t.maxk)),
    load: (i: number) => ({ X: null, table: tables[i] }),
    close() {},
  });
}
