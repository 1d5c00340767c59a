import { checkOptionKeys, optionKeys } from '../options';
import { writeFileSync } from 'node:fs';
import * as A from 'apache-arrow';
import { DadalabError } from '../errors';
import { Matrix } from '../matrix';
import { fromPrecomputed, type PrecomputedOptions } from '../neighbors/precomputed';
import type { NeighborTable } from '../neighbors/table';
import { checkArrowBytes, checkArrowColumns } from './arrowCheck';
import { registerArrowCodecs } from './codecs';
import { describe, readInput } from './files';
import { listNames, makeLoaded, resolveColumn, toLabels, type Labels, type LoadedData } from './types';

registerArrowCodecs();

export interface ArrowLoadOptions {
  /** Feature columns, by name or index (default: every column but the label column and pandas' `__index_level_N__`). */
  columns?: ReadonlyArray<string | number>;
  /** A label column, by name or index, returned as `labels` (ints -> Int32Array, text -> string[]). */
  labels?: string | number;
  /**
   * Element type of X. Default: float32 when every feature column is float32 (so a
   * FixedSizeList<Float32> column stays a zero-copy view), else float64.
   */
  dtype?: 'float32' | 'float64';
}
export const ARROW_LOAD_KEYS = optionKeys<ArrowLoadOptions>({ columns: 1, labels: 1, dtype: 1 });

type AnyData = A.Data<A.DataType>;
type Source = string | Uint8Array | ArrayBuffer;

/** A feature column: scalar (width 1), FixedSizeList (width D), or List/LargeList whose lists all have one length. */
interface ColInfo { index: number; name: string; width: number; fsl: boolean; list: boolean; leaf: A.DataType }

const FILE_MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"

function toBytes(src: Source): { bytes: Uint8Array; source: string } {
  if (typeof src === 'string') return { bytes: readInput(src, { gunzip: true }), source: src };
  if (src instanceof ArrayBuffer) src = new Uint8Array(src);
  if (!(src instanceof Uint8Array)) {
    throw new DadalabError(`loadArrow expects a path or the bytes of an Arrow file, got ${describe(src)}`,
      'Pass a file path (string), or a Uint8Array / Buffer / ArrayBuffer holding an Arrow IPC file or stream');
  }
  if (src.length === 0) throw new DadalabError('The Arrow bytes are empty (0 bytes)', 'Pass the complete contents of an Arrow IPC file or stream');
  return { bytes: src, source: 'the Arrow bytes' };
}

const isFile = (b: Uint8Array) => FILE_MAGIC.every((m, i) => b[i] === m);

/** The compression type of the first compressed record or dictionary batch, if any. */
function compressionOf(bytes: Uint8Array): A.CompressionType | null {
  try {
    const reader = new A.MessageReader(isFile(bytes) ? bytes.subarray(8) : bytes);
    for (let k = 0; k < 1_000_000; k++) {
      const msg = reader.readMessage();
      if (!msg) break;
      if (msg.isRecordBatch() || msg.isDictionaryBatch()) {
        const h = msg.header() as unknown as { compression?: { type: A.CompressionType } | null; data?: { compression?: { type: A.CompressionType } | null } };
        const c = h.compression ?? h.data?.compression;
        if (c) return c.type;
      }
      if (msg.bodyLength > 0) reader.readMessageBody(msg.bodyLength);
    }
  } catch { /* fall through */ }
  return null;
}

function readTable(bytes: Uint8Array, source: string): A.Table {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic === 'FEA1') {
    throw new DadalabError(`${source} is a Feather version 1 file, which apache-arrow (and so dadalab) cannot read`,
      'Re-save it as Feather v2 (the default since pyarrow 0.17): pyarrow.feather.write_feather(pyarrow.feather.read_table(path), path)');
  }
  if (magic === 'PAR1') {
    throw new DadalabError(`${source} is a Parquet file, not Arrow IPC / Feather`,
      "Convert it: pyarrow.feather.write_feather(pyarrow.parquet.read_table(path), 'data.arrow')");
  }
  checkArrowBytes(bytes, source); // sizes and offsets checked first: damaged bytes must not hang apache-arrow
  let table: A.Table;
  try {
    table = A.tableFromIPC(bytes);
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    if (/codec not found/i.test(msg)) {
      const t = compressionOf(bytes);
      const name = t === null ? 'an unknown codec' : A.CompressionType[t];
      throw new DadalabError(`The record batches of ${source} are compressed with ${name}, and no ${name} codec is registered with apache-arrow`,
        'dadalab registers LZ4_FRAME (lz4js) and ZSTD (fzstd) when it loads; something removed or replaced them: call registerArrowCodecs(true), ' +
        "or re-write the file uncompressed (pyarrow: feather.write_feather(df, path, compression='uncompressed'))");
    }
    if (/LZ4|zstd|unexpected EOF/i.test(msg)) {
      throw new DadalabError(`A compressed buffer of ${source} does not decode (${msg})`,
        'The file is damaged or truncated: re-write or re-copy it');
    }
    throw new DadalabError(`${source} is not a readable Arrow IPC file or stream (apache-arrow says: ${msg})`,
      'Pass an Arrow IPC file (.arrow / Feather v2 .feather) or stream (.arrows); for .npy or CSV use loadNpy / loadCsv / loadData');
  }
  checkArrowColumns(table.batches, source); // and the values decoded, inside compressed buffers too
  if (table.schema.fields.length === 0) {
    throw new DadalabError(`${source} is not an Arrow IPC file or stream (no schema found${isFile(bytes) ? '' : '; it does not start with ARROW1'})`,
      'Pass an Arrow IPC file (.arrow / Feather v2 .feather) or stream (.arrows); for .npy or CSV use loadNpy / loadCsv / loadData');
  }
  return table;
}

function classify(field: A.Field, index: number): ColInfo | null {
  const t = field.type;
  if (A.DataType.isFloat(t) || A.DataType.isInt(t)) return { index, name: field.name, width: 1, fsl: false, list: false, leaf: t };
  if (A.DataType.isFixedSizeList(t)) {
    const c = (t as A.FixedSizeList).children[0].type;
    if (A.DataType.isFloat(c) || A.DataType.isInt(c)) return { index, name: field.name, width: (t as A.FixedSizeList).listSize, fsl: true, list: false, leaf: c };
  }
  if (A.DataType.isList(t) || A.DataType.isLargeList(t)) {
    // variable-length lists (HF datasets' Sequence(float32), pandas columns of numpy arrays): width found from the data
    const c = (t as A.List).children[0].type;
    if (A.DataType.isFloat(c) || A.DataType.isInt(c)) return { index, name: field.name, width: -1, fsl: false, list: true, leaf: c };
  }
  return null;
}

function nonNumericError(field: A.Field, source: string, numeric: string[], labelsGiven: boolean): DadalabError {
  return new DadalabError(`Column '${field.name}' of ${source} has type ${field.type}, which is not numeric`,
    `Pick the feature columns with { columns: [...] }${numeric.length ? ` (the numeric ones are ${listNames(numeric)})` : ''}` +
    `${labelsGiven ? '' : `, name it as the label column with { labels: '${field.name}' }`}, ` +
    `or cast it to a number before saving (pandas: df['${field.name}'].astype('float64'); pyarrow: table.cast(...))`);
}

const PANDAS_INDEX = /^__index_level_\d+__$/;

function selectColumns(table: A.Table, opts: ArrowLoadOptions, source: string, labelIndex: number): ColInfo[] {
  const fields = table.schema.fields;
  const names = fields.map((f) => f.name);
  const numeric = fields.filter((f, i) => i !== labelIndex && !PANDAS_INDEX.test(f.name) && classify(f, i)).map((f) => f.name);
  let idx: number[];
  if (opts.columns !== undefined) {
    if (!Array.isArray(opts.columns) || opts.columns.length === 0) {
      throw new DadalabError(`columns must be a non-empty array of column names or indices, got ${describe(opts.columns)}`,
        `Pass e.g. { columns: [${numeric.slice(0, 3).map((n) => `'${n}'`).join(', ')}] }`);
    }
    idx = opts.columns.map((c) => resolveColumn(names, c, 'feature', source));
  } else {
    // pandas' serialized index (__index_level_0__, ...) is not a feature
    idx = fields.map((_, i) => i).filter((i) => i !== labelIndex && !PANDAS_INDEX.test(names[i]));
    if (idx.length === 0) {
      throw new DadalabError(`${source} has no columns besides the label column '${names[labelIndex]}'`, 'Store the coordinates in the file too');
    }
  }
  return idx.map((i) => {
    const info = classify(fields[i], i);
    if (!info) throw nonNumericError(fields[i], source, numeric, opts.labels !== undefined);
    return info;
  });
}

const isValid = (d: AnyData, i: number): boolean => {
  if (!d.nullBitmap || d.nullCount === 0) return true;
  const b = d.offset + i;
  return (d.nullBitmap[b >> 3] & (1 << (b & 7))) !== 0;
};

/** Sets the width of List columns: the length all their (non-null) lists share, else a DadalabError naming the rows. */
function resolveListWidths(table: A.Table, cols: ColInfo[], source: string): void {
  for (const c of cols) {
    if (!c.list) continue;
    let width = -1, firstRow = -1, row0 = 0;
    for (const batch of table.batches) {
      const d = batch.data.children[c.index];
      const offs = d.valueOffsets as unknown as ArrayLike<number | bigint>;
      for (let r = 0; r < batch.numRows; r++) {
        if (!isValid(d, r)) continue;
        const len = Number(offs[d.offset + r + 1]) - Number(offs[d.offset + r]);
        if (width < 0) { width = len; firstRow = row0 + r; } else if (len !== width) {
          throw new DadalabError(`Column '${c.name}' of ${source} holds lists of different lengths: row ${row0 + r} has ${len} values but row ${firstRow} has ${width}`,
            'Every point needs the same number of coordinates: pad or truncate the lists, or store them as a FixedSizeList column (pyarrow: pa.FixedSizeListArray.from_arrays(flat, D))');
        }
      }
      row0 += batch.numRows;
    }
    c.width = Math.max(0, width);
  }
}

type Leaf = ArrayLike<number> & { subarray(a: number, b: number): Leaf; length: number };

function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Sets NaN where the validity bitmap of `d` says null (entries first..first+count of d, `width` output values each). */
function fillNulls(out: Float32Array | Float64Array, d: AnyData, count: number, dst: (i: number) => number, width: number): void {
  if (!d.nullBitmap || d.nullCount === 0) return;
  const bm = d.nullBitmap, o = d.offset;
  for (let i = 0; i < count; i++) {
    const b = o + i;
    if ((bm[b >> 3] & (1 << (b & 7))) === 0) { const p = dst(i); for (let j = 0; j < width; j++) out[p + j] = NaN; }
  }
}

function copyScalar32(out: Float32Array, D: number, row0: number, b0: number, b1: number, off: number, vals: Leaf, st: number): void {
  for (let r = b0, p = (row0 + b0) * D + off; r < b1; r++, p += D) out[p] = vals[st + r];
}
function copyScalar64(out: Float64Array, D: number, row0: number, b0: number, b1: number, off: number, vals: Leaf, st: number): void {
  for (let r = b0, p = (row0 + b0) * D + off; r < b1; r++, p += D) out[p] = vals[st + r];
}
function copyRows(out: Float32Array | Float64Array, D: number, row0: number, b0: number, b1: number, off: number, vals: Leaf, st: number, w: number, sameType: boolean): void {
  if (sameType && w >= 16) {
    for (let r = b0; r < b1; r++) out.set(vals.subarray(st + r * w, st + r * w + w) as unknown as Float64Array, (row0 + r) * D + off);
    return;
  }
  for (let r = b0; r < b1; r++) {
    const p = (row0 + r) * D + off, q = st + r * w;
    for (let j = 0; j < w; j++) out[p + j] = vals[q + j];
  }
}

/**
 * Row-major N x D copy of the given columns across all record batches, in cache-sized blocks of
 * rows (all columns of a block, then the next block). Nulls become NaN.
 */
function assemble(table: A.Table, cols: ColInfo[], dtype: 'float32' | 'float64'): Matrix {
  const N = table.numRows;
  const D = cols.reduce((s, c) => s + c.width, 0);
  const batches = table.batches.filter((b) => b.numRows > 0);
  // zero-copy: one float column (FixedSizeList or scalar) in one batch, no nulls, same element type
  if (cols.length === 1 && batches.length === 1) {
    const c = cols[0];
    const d = batches[0].data.children[c.index];
    const leaf = c.fsl || c.list ? d.children[0] : d;
    const v = leaf.values as unknown;
    const same = (dtype === 'float64' && v instanceof Float64Array) || (dtype === 'float32' && v instanceof Float32Array);
    if (same && d.nullCount === 0 && leaf.nullCount === 0) {
      // a List column without nulls and of one length is contiguous from its first offset
      const start = leaf.offset + (c.list ? Number((d.valueOffsets as unknown as ArrayLike<number | bigint>)[d.offset]) : 0);
      return new Matrix((v as Float64Array).subarray(start, start + N * D), N, D);
    }
  }
  const out = dtype === 'float32' ? new Float32Array(N * D) : new Float64Array(N * D);
  // groups of 16 sources x blocks of 512 rows: the output rows of a block stay in cache while the
  // group's columns are written into them (measured 20000 x 768 float32: ~2x faster than
  // whole-row blocks over all columns)
  const G = 16, B = 512;
  let row0 = 0;
  for (const batch of batches) {
    const n = batch.numRows;
    const srcs = cols.map((c) => {
      const d = batch.data.children[c.index];
      const leaf = c.fsl || c.list ? d.children[0] : d;
      const vals = leaf.values as unknown;
      const kind = vals instanceof BigInt64Array || vals instanceof BigUint64Array ? 'big'
        : A.DataType.isFloat(leaf.type) && (leaf.type as A.Float).precision === A.Precision.HALF ? 'half' : 'num';
      const offs = c.list ? d.valueOffsets as unknown as ArrayLike<number | bigint> : null;
      return { d, leaf, vals: vals as Leaf, start: leaf.offset, w: c.width, fsl: c.fsl, offs, kind, off: 0,
        sameType: (vals as object).constructor === out.constructor };
    });
    let o = 0;
    for (const s of srcs) { s.off = o; o += s.w; }
    for (let g0 = 0; g0 < srcs.length; g0 += G) {
      const group = srcs.slice(g0, g0 + G);
      for (let b0 = 0; b0 < n; b0 += B) {
        const b1 = Math.min(n, b0 + B);
        for (const s of group) {
          if (s.offs) {
            // List rows: each at its own offset; null rows stay for fillNulls
            const offs = s.offs, w = s.w, vv = s.vals as unknown as ArrayLike<unknown>;
            const conv = s.kind === 'big' ? (x: unknown) => Number(x) : s.kind === 'half' ? (x: unknown) => half(x as number) : (x: unknown) => x as number;
            for (let r = b0; r < b1; r++) {
              if (!isValid(s.d, r)) continue;
              const p = (row0 + r) * D + s.off, q = s.start + Number(offs[s.d.offset + r]);
              for (let j = 0; j < w; j++) out[p + j] = conv(vv[q + j]);
            }
          } else if (s.kind === 'num' && s.w === 1) {
            if (out instanceof Float32Array) copyScalar32(out, D, row0, b0, b1, s.off, s.vals, s.start);
            else copyScalar64(out, D, row0, b0, b1, s.off, s.vals, s.start);
          } else if (s.kind === 'num') {
            copyRows(out, D, row0, b0, b1, s.off, s.vals, s.start, s.w, s.sameType);
          } else {
            const conv = s.kind === 'big' ? (x: unknown) => Number(x) : (x: unknown) => half(x as number);
            const vv = s.vals as unknown as ArrayLike<unknown>, w = s.w, st = s.start;
            for (let r = b0; r < b1; r++) {
              const p = (row0 + r) * D + s.off, q = st + r * w;
              for (let j = 0; j < w; j++) out[p + j] = conv(vv[q + j]);
            }
          }
        }
      }
    }
    for (const s of srcs) {
      const o = s.off;
      fillNulls(out, s.d, n, (i) => (row0 + i) * D + o, s.w);
      if (s.fsl) fillNulls(out, s.leaf, n * s.w, (i) => (row0 + Math.floor(i / s.w)) * D + o + (i % s.w), 1);
      if (s.offs && s.leaf.nullCount > 0) {
        for (let r = 0; r < n; r++) {
          if (!isValid(s.d, r)) continue;
          const q = Number(s.offs[s.d.offset + r]);
          for (let j = 0; j < s.w; j++) if (!isValid(s.leaf, q + j)) out[(row0 + r) * D + o + j] = NaN;
        }
      }
    }
    row0 += n;
  }
  return new Matrix(out, N, D);
}

function readLabels(table: A.Table, index: number): Labels {
  const f = table.schema.fields[index];
  const col = table.getChildAt(index)!;
  if ((A.DataType.isInt(f.type) || A.DataType.isFloat(f.type)) && col.nullCount === 0 &&
      !(A.DataType.isFloat(f.type) && (f.type as A.Float).precision === A.Precision.HALF)) {
    return toLabels(col.toArray() as ArrayLike<number | bigint>);
  }
  const vals = Array.from(col as Iterable<unknown>);
  return toLabels(vals.map((v) => (v === null && (A.DataType.isInt(f.type) || A.DataType.isFloat(f.type)) ? NaN : v)));
}

function names(cols: ColInfo[]): string[] {
  const out: string[] = [];
  for (const c of cols) {
    if (c.fsl || c.list) for (let j = 0; j < c.width; j++) out.push(`${c.name}[${j}]`);
    else out.push(c.name);
  }
  return out;
}

/**
 * Reads an Arrow IPC file or stream (Feather v2 is the IPC file format) into a Matrix.
 *
 * Two layouts: one FixedSizeList<Float32|Float64>[D] column (what saveArrow writes and what we
 * recommend; a single record batch is returned as a zero-copy view of the file's bytes), or one
 * numeric column per feature (what pandas' to_feather and pyarrow tables give: Float64/32/16 and
 * Int columns, copied in cache-sized blocks). Several record batches are copied into place.
 * LZ4_FRAME and ZSTD compressed batches are decoded by the codecs registered at load.
 */
export function loadArrow(pathOrBytes: Source, opts: ArrowLoadOptions = {}): LoadedData {
  checkOptionKeys(opts, ARROW_LOAD_KEYS, 'loadArrow');
  registerArrowCodecs();
  const { bytes, source } = toBytes(pathOrBytes);
  const table = readTable(bytes, source);
  const fieldNames = table.schema.fields.map((f) => f.name);
  const labelIndex = opts.labels === undefined ? -1 : resolveColumn(fieldNames, opts.labels, 'label', source);
  const cols = selectColumns(table, opts, source, labelIndex);
  resolveListWidths(table, cols, source);
  if (table.numRows === 0) {
    throw new DadalabError(`${source} has a schema (${listNames(fieldNames)}) but no rows`, 'Write the data into the file (a record batch with at least one row)');
  }
  if (opts.dtype !== undefined && opts.dtype !== 'float32' && opts.dtype !== 'float64') {
    throw new DadalabError(`dtype must be 'float32' or 'float64', got ${describe(opts.dtype)}`, "Pass { dtype: 'float64' } or { dtype: 'float32' }, or leave it out");
  }
  const allF32 = cols.every((c) => A.DataType.isFloat(c.leaf) && (c.leaf as A.Float).precision === A.Precision.SINGLE);
  const dtype = opts.dtype ?? (allF32 ? 'float32' : 'float64');
  const X = assemble(table, cols, dtype);
  const labels = labelIndex >= 0 ? readLabels(table, labelIndex) : undefined;
  return makeLoaded(X, names(cols), source, labels, labelIndex >= 0 ? fieldNames[labelIndex] : undefined);
}

/**
 * One column of an Arrow file as labels (any type: ints, floats, text, dictionary). Default: the
 * column named 'label', else the only column.
 */
export function loadArrowColumn(pathOrBytes: Source, column?: string | number): Labels {
  registerArrowCodecs();
  const { bytes, source } = toBytes(pathOrBytes);
  const table = readTable(bytes, source);
  const names = table.schema.fields.map((f) => f.name);
  const which = column ?? (names.includes('label') || names.length !== 1 ? 'label' : 0);
  return readLabels(table, resolveColumn(names, which, 'label', source));
}

export interface NeighborFileOptions extends PrecomputedOptions {
  /** Name (or column-name prefix) of the distances: a FixedSizeList column, or columns `<prefix>0..`, `<prefix>_0..`. Default 'distances'. */
  distances?: string;
  /** Same for the indices. Default 'indices'. */
  indices?: string;
  /** The file holds squared distances (faiss IndexFlatL2 returns squared L2): take square roots. */
  squared?: boolean;
}
const NEIGHBOR_FILE_KEYS = optionKeys<NeighborFileOptions>({ distances: 1, indices: 1, squared: 1, maxk: 1, includesSelf: 1 });

function neighbourColumns(table: A.Table, key: string, source: string): ColInfo[] {
  const fields = table.schema.fields;
  const exact = fields.findIndex((f) => f.name === key);
  let idx: number[];
  if (exact >= 0) idx = [exact];
  else {
    const re = new RegExp(`^${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[_.\\[]?(\\d+)\\]?$`);
    const found = fields.map((f, i) => ({ i, m: re.exec(f.name) })).filter((x) => x.m).map((x) => ({ i: x.i, k: Number(x.m![1]) }));
    found.sort((a, b) => a.k - b.k);
    idx = found.map((x) => x.i);
  }
  if (idx.length === 0) {
    throw new DadalabError(`${source} has no '${key}' column (nor columns '${key}_0', '${key}_1', ...); the available columns are ${listNames(fields.map((f) => f.name))}`,
      `Name the columns 'distances' and 'indices' (one FixedSizeList column each, or one column per neighbour), or pass { distances: '<name>', indices: '<name>' }`);
  }
  const cols = idx.map((i) => {
    const c = classify(fields[i], i);
    if (!c) throw nonNumericError(fields[i], source, [], true);
    return c;
  });
  resolveListWidths(table, cols, source);
  return cols;
}

/**
 * A neighbour table computed elsewhere (faiss, sklearn, a GPU engine) from an Arrow file with
 * columns `distances` and `indices` (FixedSizeList columns, or one column per neighbour), checked
 * by fromPrecomputed (shape, sortedness, self in column 0 unless { includesSelf: false }).
 */
export function loadNeighborTable(pathOrBytes: Source, opts: NeighborFileOptions = {}): NeighborTable {
  checkOptionKeys(opts, NEIGHBOR_FILE_KEYS, 'loadNeighborTable');
  registerArrowCodecs();
  const { bytes, source } = toBytes(pathOrBytes);
  const table = readTable(bytes, source);
  if (table.numRows === 0) throw new DadalabError(`${source} has no rows`, 'Write one row per point');
  const dist = assemble(table, neighbourColumns(table, opts.distances ?? 'distances', source), 'float64');
  const ind = assemble(table, neighbourColumns(table, opts.indices ?? 'indices', source), 'float64');
  let dd = dist.data as Float64Array;
  if (opts.squared) {
    dd = Float64Array.from(dd, (x) => Math.sqrt(x));
  }
  return fromPrecomputed({ data: dd, rows: dist.rows, cols: dist.cols }, { data: ind.data, rows: ind.rows, cols: ind.cols },
    { maxk: opts.maxk, includesSelf: opts.includesSelf });
}

export interface ArrowSaveOptions {
  /** Labels to store beside X (one per row). */
  labels?: Labels | ArrayLike<number>;
  /** Name of the FixedSizeList column (default 'X'). */
  name?: string;
  /** Name of the label column (default 'label'). */
  labelName?: string;
  /**
   * 'lz4' (LZ4_FRAME via lz4js) or 'zstd' (needs a zstd encoder registered with apache-arrow's
   * compressionRegistry, which dadalab does not ship); default none.
   */
  compression?: 'lz4' | 'zstd' | 'none';
  /** 'file' (Arrow IPC file / Feather v2, default) or 'stream' (default for paths ending in .arrows). */
  format?: 'file' | 'stream';
  /** Rows per record batch (default: all rows in one batch, which loads as a zero-copy view). */
  batchRows?: number;
}
const ARROW_SAVE_KEYS = optionKeys<ArrowSaveOptions>({ labels: 1, name: 1, labelName: 1, compression: 1, format: 1, batchRows: 1 });

/** Arrow IPC bytes of a Matrix (+ labels) as one FixedSizeList<Float32|Float64>[D] column (see saveArrow). */
export function arrowBytes(X: Matrix, opts: ArrowSaveOptions = {}): Uint8Array {
  checkOptionKeys(opts, ARROW_SAVE_KEYS, 'arrowBytes');
  registerArrowCodecs();
  if (!(X instanceof Matrix)) {
    throw new DadalabError(`saveArrow expects a Matrix, got ${describe(X)}`, 'Wrap the data first: Matrix.fromRows(rows) or Matrix.fromFlat(values, rows, cols)');
  }
  const f32 = X.data instanceof Float32Array;
  const elem = f32 ? new A.Float32() : new A.Float64();
  const N = X.rows, D = X.cols;
  if (D === 0) throw new DadalabError('The matrix has 0 columns', 'Pass at least one coordinate per point');
  const batchRows = Math.max(1, Math.floor(opts.batchRows ?? Math.max(1, N)));
  let labels: A.Vector | null = null;
  if (opts.labels !== undefined) {
    const L = opts.labels;
    if (L.length !== N) {
      throw new DadalabError(`${L.length} labels for ${N} rows`, 'Pass one label per row of X');
    }
    if (Array.isArray(L) && L.some((v) => typeof v === 'string')) labels = A.vectorFromArray((L as unknown[]).map(String), new A.Utf8());
    else if (L instanceof Int32Array) labels = A.makeVector(L);
    else if (L instanceof Float64Array) labels = A.makeVector(L);
    else {
      const l = toLabels(L as ArrayLike<number>);
      labels = Array.isArray(l) ? A.vectorFromArray(l, new A.Utf8()) : A.makeVector(l as Int32Array);
    }
  }
  const name = opts.name ?? 'X', labelName = opts.labelName ?? 'label';
  const fslType = new A.FixedSizeList(D, new A.Field('item', elem, false));
  const batches: A.RecordBatch[] = [];
  const fields = [new A.Field(name, fslType, false)];
  if (labels) fields.push(new A.Field(labelName, labels.type, false));
  const schema = new A.Schema(fields);
  for (let r0 = 0; r0 < N || (N === 0 && r0 === 0); r0 += batchRows) {
    const r1 = Math.min(N, r0 + batchRows);
    const child = A.makeData({ type: elem, length: (r1 - r0) * D, nullCount: 0, data: X.data.subarray(r0 * D, r1 * D) as Float64Array });
    const fsl = A.makeData({ type: fslType, length: r1 - r0, nullCount: 0, child });
    const children: AnyData[] = [fsl as AnyData];
    if (labels) children.push(labels.slice(r0, r1).data[0] as AnyData);
    const struct = A.makeData({ type: new A.Struct(fields), length: r1 - r0, nullCount: 0, children });
    batches.push(new A.RecordBatch(schema, struct));
    if (N === 0) break;
  }
  const table = new A.Table(schema, batches);
  let compressionType: A.CompressionType | null = null;
  const comp = opts.compression ?? 'none';
  if (comp === 'lz4') compressionType = A.CompressionType.LZ4_FRAME;
  else if (comp === 'zstd') {
    compressionType = A.CompressionType.ZSTD;
    if (!A.compressionRegistry.get(A.CompressionType.ZSTD)?.encode) {
      throw new DadalabError('Writing ZSTD needs a zstd encoder, and dadalab ships only a decoder (fzstd)',
        "Use { compression: 'lz4' }, or register an encoder: compressionRegistry.set(CompressionType.ZSTD, { encode, decode }) from apache-arrow (e.g. with @bokuweb/zstd-wasm's compress)");
    }
  } else if (comp !== 'none') {
    throw new DadalabError(`Unknown compression ${describe(comp)}`, "Pass 'lz4', 'zstd' or 'none'");
  }
  const Writer = opts.format === 'stream' ? A.RecordBatchStreamWriter : A.RecordBatchFileWriter;
  const writer = new Writer({ autoDestroy: true, writeLegacyIpcFormat: false, compressionType } as never);
  writer.writeAll(table);
  return writer.toUint8Array(true);
}

/**
 * Writes a Matrix (+ optional labels) as an Arrow IPC file with one FixedSizeList column `X`
 * (the layout loadArrow maps back without a copy), optionally LZ4 compressed. Paths ending in
 * `.arrows` are written as an IPC stream. Returns the number of bytes written.
 */
export function saveArrow(path: string, X: Matrix, opts: ArrowSaveOptions = {}): number {
  checkOptionKeys(opts, ARROW_SAVE_KEYS, 'saveArrow');
  if (typeof path !== 'string' || path.length === 0) {
    throw new DadalabError(`saveArrow expects a file path, got ${describe(path)}`, "Pass a path such as 'data.arrow'");
  }
  const format = opts.format ?? (/\.arrows$/i.test(path) ? 'stream' : 'file');
  const bytes = arrowBytes(X, { ...opts, format });
  try {
    writeFileSync(path, bytes);
  } catch (e) {
    throw new DadalabError(`Cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      'Check that the folder exists and is writable');
  }
  return bytes.length;
}

// for the column-at-a-time reader (arrowColumns.ts), which assembles the columns it reads like loadArrow
export { assemble as assembleColumns, classify as classifyArrowField, resolveListWidths as resolveArrowListWidths, readLabels as readArrowLabels, type ColInfo as ArrowColumnInfo };
