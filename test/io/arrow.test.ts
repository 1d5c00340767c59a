import { readFileSync, statSync, writeFileSync } from 'node:fs';
import * as A from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init as zstdInit, compress as zstdCompress } from '@bokuweb/zstd-wasm';
import { DadalabError } from '../../lib/errors';
import { Matrix } from '../../lib/matrix';
import { loadArrow, loadArrowColumn, saveArrow, arrowBytes } from '../../lib/io/arrow';
import { registerArrowCodecs, zstdDecode, lz4FrameDecode } from '../../lib/io/codecs';
import { errorOf, expectValues, fixture, rowMajor, tempDir, value } from './helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function fslTable(n: number, d: number, f32: boolean, extra: Record<string, A.Vector> = {}): A.Table {
  const elem = f32 ? new A.Float32() : new A.Float64();
  const child = A.makeData({ type: elem, length: n * d, nullCount: 0, data: rowMajor(n, d, f32 ? Float32Array : Float64Array) as Float64Array });
  const fsl = A.makeData({ type: new A.FixedSizeList(d, new A.Field('item', elem, false)), length: n, nullCount: 0, child });
  return new A.Table({ X: A.makeVector(fsl), ...extra });
}

function columnsTable(n: number, d: number, types: ('f64' | 'f32' | 'i32' | 'i64' | 'i16')[]): A.Table {
  const cols: Record<string, A.Vector> = {};
  for (let j = 0; j < d; j++) {
    const t = types[j % types.length];
    const v = Array.from({ length: n }, (_, i) => value(i, j));
    if (t === 'f64') cols[`c${j}`] = A.makeVector(Float64Array.from(v));
    else if (t === 'f32') cols[`c${j}`] = A.makeVector(Float32Array.from(v));
    else {
      // integer columns hold 8 * value (whole numbers)
      const w = v.map((x) => x * 8);
      cols[`c${j}`] = t === 'i32' ? A.makeVector(Int32Array.from(w)) : t === 'i16' ? A.makeVector(Int16Array.from(w)) : A.makeVector(BigInt64Array.from(w.map(BigInt)));
    }
  }
  return new A.Table(cols);
}

/** Writes the table's rows in record batches of `size` rows with the given writer options. */
function ipc(table: A.Table, format: 'file' | 'stream', size: number, compressionType: A.CompressionType | null = null): Uint8Array {
  const batches: A.RecordBatch[] = [];
  for (let r = 0; r < table.numRows; r += size) batches.push(...table.slice(r, Math.min(table.numRows, r + size)).batches);
  const W = format === 'file' ? A.RecordBatchFileWriter : A.RecordBatchStreamWriter;
  const w = new W({ compressionType } as never);
  w.writeAll(new A.Table(table.schema, batches));
  return w.toUint8Array(true);
}

describe('loadArrow: FixedSizeList column', () => {
  it('maps a single-batch FixedSizeList<Float64> file to a zero-copy view of the bytes', () => {
    const bytes = A.tableToIPC(fslTable(50, 6, false), 'file');
    const { X, names } = loadArrow(bytes);
    expect(X.rows).toBe(50);
    expect(X.cols).toBe(6);
    expect(X.data).toBeInstanceOf(Float64Array);
    expect(X.data.buffer).toBe(bytes.buffer); // the Matrix's buffer IS the file buffer
    expectValues(X.data, 50, 6);
    expect(names).toEqual(['X[0]', 'X[1]', 'X[2]', 'X[3]', 'X[4]', 'X[5]']);
  });

  it('reads a file from disk without copying it (the view spans the whole file buffer)', () => {
    // > 4 KB, so Node's readFileSync gives the file its own ArrayBuffer (smaller reads share a pool)
    const path = tmp.file('fsl32.arrow');
    writeFileSync(path, A.tableToIPC(fslTable(400, 3, true), 'file'));
    const { X } = loadArrow(path);
    expect(X.data).toBeInstanceOf(Float32Array);
    expect(X.data.buffer.byteLength).toBe(statSync(path).size);
    expect(new Uint8Array(X.data.buffer)).toEqual(new Uint8Array(readFileSync(path)));
    expectValues(X.data, 400, 3);
  });

  it('copies several record batches into place (file and stream, f32 and f64)', () => {
    for (const f32 of [true, false]) {
      for (const format of ['file', 'stream'] as const) {
        const bytes = ipc(fslTable(103, 5, f32), format, 25);
        expect(A.tableFromIPC(bytes).batches.length).toBe(5);
        const { X } = loadArrow(bytes);
        expect(X.dtype).toBe(f32 ? 'float32' : 'float64');
        expect(X.data.buffer).not.toBe(bytes.buffer);
        expectValues(X.data, 103, 5);
      }
    }
  });

  it('converts float32 to float64 on request (dtype option)', () => {
    const { X } = loadArrow(A.tableToIPC(fslTable(20, 4, true)), { dtype: 'float64' });
    expect(X.data).toBeInstanceOf(Float64Array);
    expectValues(X.data, 20, 4);
  });

  it('copies wide rows (D >= 16) across batches', () => {
    const { X } = loadArrow(ipc(fslTable(70, 33, true), 'file', 30));
    expectValues(X.data, 70, 33);
  });
});

describe('loadArrow: one numeric column per feature (pandas / pyarrow layout)', () => {
  it('reads float64, float32, int16, int32 and int64 columns with a blocked copy, every value', () => {
    const t = columnsTable(90, 10, ['f64', 'f32', 'i32', 'i64', 'i16']);
    const { X, names } = loadArrow(ipc(t, 'file', 40));
    expect(X.dtype).toBe('float64');
    expect(names).toEqual(Array.from({ length: 10 }, (_, j) => `c${j}`));
    for (let i = 0; i < 90; i++) {
      for (let j = 0; j < 10; j++) {
        const int = [2, 3, 4].includes(j % 5);
        expect(X.get(i, j)).toBe(int ? value(i, j) * 8 : value(i, j));
      }
    }
  });

  it('keeps float32 when every column is float32', () => {
    const { X } = loadArrow(A.tableToIPC(columnsTable(30, 4, ['f32']), 'stream'));
    expect(X.dtype).toBe('float32');
    expectValues(X.data, 30, 4);
  });

  it('picks and orders feature columns by name or index, and reads a label column', () => {
    const t = columnsTable(25, 4, ['f64']);
    const labels = Array.from({ length: 25 }, (_, i) => ['cat', 'dog', 'eel'][i % 3]);
    const t2 = t.assign(new A.Table({ species: A.vectorFromArray(labels, new A.Utf8()), klass: A.makeVector(Int32Array.from(labels, (_, i) => i % 4)) }));
    const bytes = A.tableToIPC(t2);
    const a = loadArrow(bytes, { columns: ['c3', 1], labels: 'species' });
    expect(a.names).toEqual(['c3', 'c1']);
    expect(a.labels).toEqual(labels);
    expect(a.labelName).toBe('species');
    for (let i = 0; i < 25; i++) { expect(a.X.get(i, 0)).toBe(value(i, 3)); expect(a.X.get(i, 1)).toBe(value(i, 1)); }
    const b = loadArrow(bytes, { columns: ['c0', 'c1', 'c2', 'c3'], labels: 'klass' });
    expect(b.labels).toBeInstanceOf(Int32Array);
    expect(Array.from(b.labels as Int32Array)).toEqual(labels.map((_, i) => i % 4));
    expectValues(b.X.data, 25, 4);
    expect(Object.isFrozen(b)).toBe(true);
  });

  it("leaves pandas' serialized index column (__index_level_0__) out of the default features", () => {
    const t = new A.Table({ a: A.makeVector(Float64Array.from([1, 2])), __index_level_0__: A.makeVector(BigInt64Array.from([10n, 11n])) });
    const d = loadArrow(A.tableToIPC(t));
    expect(d.names).toEqual(['a']);
    expect(Array.from(d.X.data)).toEqual([1, 2]);
  });

  it('turns nulls into NaN (so validateCoordinates names the rows)', () => {
    const t = new A.Table({ a: A.vectorFromArray([1, null, 3], new A.Float64()), b: A.vectorFromArray([4, 5, null], new A.Int32()) });
    const { X } = loadArrow(A.tableToIPC(t));
    expect(Array.from(X.data)).toEqual([1, 4, NaN, 5, 3, NaN]);
  });

  it('turns null rows and null items of a FixedSizeList column into NaN, and reads float16 columns', () => {
    const t = new A.Table({ X: A.vectorFromArray([[1, 2], null, [3, null]], new A.FixedSizeList(2, new A.Field('item', new A.Float64(), true))) });
    expect(Array.from(loadArrow(A.tableToIPC(t)).X.data)).toEqual([1, 2, NaN, NaN, 3, NaN]);
    const h = new A.Table({ h: A.vectorFromArray([1.5, -2, 0.0999755859375, 65504], new A.Float16()) });
    expect(Array.from(loadArrow(A.tableToIPC(h)).X.data)).toEqual([1.5, -2, 0.0999755859375, 65504]);
  });

  it('reads a label column on its own (loadArrowColumn)', () => {
    const t = new A.Table({ label: A.vectorFromArray(['x', 'y', 'x'], new A.Utf8()) });
    expect(loadArrowColumn(A.tableToIPC(t))).toEqual(['x', 'y', 'x']);
    // dictionary-encoded text (pandas categoricals; apache-arrow's default for strings)
    const dict = A.vectorFromArray(['u', 'v', 'v', 'u']);
    expect(dict.type.toString()).toMatch(/^Dictionary/);
    const t2 = new A.Table({ x: A.makeVector(Float64Array.from([1, 2, 3, 4])), cls: dict });
    const r = loadArrow(A.tableToIPC(t2), { labels: 'cls' });
    expect(r.labels).toEqual(['u', 'v', 'v', 'u']);
    expect(Array.from(r.X.data)).toEqual([1, 2, 3, 4]);
  });
});

describe('loadArrow: compressed record batches', () => {
  beforeAll(async () => { await zstdInit(); });

  it('reads LZ4_FRAME batches written by apache-arrow with our lz4js encoder (file and stream, several batches)', () => {
    for (const format of ['file', 'stream'] as const) {
      const bytes = ipc(fslTable(300, 7, false), format, 128, A.CompressionType.LZ4_FRAME);
      expect(bytes.length).toBeLessThan(300 * 7 * 8 / 2); // really compressed
      expectValues(loadArrow(bytes).X.data, 300, 7);
      const cols = ipc(columnsTable(200, 5, ['f64', 'f32', 'i64']), format, 64, A.CompressionType.LZ4_FRAME);
      const { X } = loadArrow(cols);
      for (let i = 0; i < 200; i++) for (let j = 0; j < 5; j++) expect(X.get(i, j)).toBe(j % 3 === 2 ? 8 * value(i, j) : value(i, j));
    }
  });

  it('reads ZSTD batches compressed by a real zstd encoder (@bokuweb/zstd-wasm, registered for the write only)', () => {
    A.compressionRegistry.set(A.CompressionType.ZSTD, { encode: (b) => zstdCompress(b, 3), decode: zstdDecode });
    let file: Uint8Array, stream: Uint8Array;
    try {
      file = ipc(fslTable(256, 9, true), 'file', 100, A.CompressionType.ZSTD);
      stream = ipc(columnsTable(150, 6, ['f32', 'f64', 'i32']), 'stream', 70, A.CompressionType.ZSTD);
    } finally {
      registerArrowCodecs(true); // back to dadalab's decode-only fzstd codec
    }
    expect(A.compressionRegistry.get(A.CompressionType.ZSTD)!.encode).toBeUndefined();
    expect(file.length).toBeLessThan(256 * 9 * 4 / 2);
    expectValues(loadArrow(file).X.data, 256, 9);
    const { X } = loadArrow(stream);
    for (let i = 0; i < 150; i++) for (let j = 0; j < 6; j++) expect(X.get(i, j)).toBe(j % 3 === 2 ? 8 * value(i, j) : value(i, j));
  });

  it('decodes to 8-byte aligned buffers (fzstd can return a view at an odd offset)', () => {
    const enc = zstdCompress(new Uint8Array(Float64Array.from({ length: 100 }, (_, i) => i).buffer), 3);
    const dec = zstdDecode(enc);
    expect(dec.byteOffset % 8).toBe(0);
    expect(Array.from(new Float64Array(dec.buffer, dec.byteOffset, 100))).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});

describe('loadArrow: files written by pyarrow and pandas (test/io/fixtures/make_fixtures.py)', () => {
  it('pandas to_feather, LZ4 (pyarrow default), zstd and uncompressed: float64 columns + int + large_string labels', () => {
    for (const f of ['pandas_lz4.feather', 'pandas_zstd.feather', 'pandas_plain.feather']) {
      const { X, names, labels } = loadArrow(fixture(f), { columns: ['x0', 'x1', 'x2', 'x3'], labels: 'label' });
      expect(names).toEqual(['x0', 'x1', 'x2', 'x3']);
      expectValues(X.data, 40, 4);
      expect(labels).toEqual(Array.from({ length: 40 }, (_, i) => 'abc'[i % 3]));
      const withCount = loadArrow(fixture(f), { columns: ['count'], labels: 'count' });
      expect(Array.from(withCount.X.data)).toEqual(Array.from({ length: 40 }, (_, i) => i % 5));
      expect(withCount.labels).toEqual(Int32Array.from({ length: 40 }, (_, i) => i % 5)); // int64 labels
    }
  });

  it('FixedSizeList<float32>[8], 3000 rows in 3 LZ4 batches (several 64 KB LZ4 blocks), int labels', () => {
    const { X, labels } = loadArrow(fixture('fsl_f32_lz4.arrow'), { labels: 'label' });
    expect(X.dtype).toBe('float32');
    expectValues(X.data, 3000, 8);
    expect(Array.from(labels as Int32Array)).toEqual(Array.from({ length: 3000 }, (_, i) => i % 3));
  });

  it('FixedSizeList<float64>[5] IPC stream, zstd, 2 batches', () => {
    const { X } = loadArrow(fixture('fsl_f64_zstd.arrows'));
    expect(X.dtype).toBe('float64');
    expectValues(X.data, 60, 5);
  });
});

describe('loadArrow: variable-length List columns whose lists share one length', () => {
  it('reads list<float32> streams (Hugging Face datasets layout) in several batches, and pandas list<double>', () => {
    const hf = loadArrow(fixture('hf_list_f32.arrows'), { labels: 'label' });
    expect(hf.X.dtype).toBe('float32');
    expect(hf.names[5]).toBe('embedding[5]');
    expectValues(hf.X.data, 50, 6);
    expect(Array.from(hf.labels as Int32Array)).toEqual(Array.from({ length: 50 }, (_, i) => i % 4));
    const pd = loadArrow(fixture('pandas_list_f64.feather'));
    expect(pd.X.dtype).toBe('float64');
    expectValues(pd.X.data, 50, 6);
  });

  it('maps a single-batch List column without nulls zero-copy, and NaN-fills null lists', () => {
    const t = new A.Table({ v: A.vectorFromArray([[1, 2, 3], [4, 5, 6]], new A.List(new A.Field('item', new A.Float64(), true))) });
    const bytes = A.tableToIPC(t);
    const { X } = loadArrow(bytes);
    expect(X.toRows()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(X.data.buffer).toBe(bytes.buffer);
    const n = new A.Table({ v: A.vectorFromArray([[1, 2], null, [3, null]], new A.List(new A.Field('item', new A.Float64(), true))) });
    expect(Array.from(loadArrow(A.tableToIPC(n)).X.data)).toEqual([1, 2, NaN, NaN, 3, NaN]);
  });

  it('refuses lists of different lengths, naming the rows and the lengths', () => {
    const e = errorOf(() => loadArrow(fixture('ragged_list.feather')));
    expect(e).toBeInstanceOf(DadalabError);
    expect(e.problem).toMatch(/Column 'emb' .* lists of different lengths: row 2 has 1 values but row 0 has 2/);
    expect(e.fix).toMatch(/FixedSizeList/);
  });
});

describe('saveArrow', () => {
  it('writes one FixedSizeList column X (+ labels) that loadArrow maps back without a copy', () => {
    const X = new Matrix(rowMajor(256, 3) as Float64Array, 256, 3);
    const labels = Int32Array.from({ length: 256 }, (_, i) => i % 5);
    const path = tmp.file('saved.arrow');
    saveArrow(path, X, { labels });
    const t = A.tableFromIPC(readFileSync(path));
    expect(t.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(['X:FixedSizeList[3]<Float64>', 'label:Int32']);
    const back = loadArrow(path, { labels: 'label' });
    expect(back.X.data.buffer.byteLength).toBe(statSync(path).size);
    expectValues(back.X.data, 256, 3);
    expect(back.labels).toEqual(labels);
  });

  it('writes LZ4-compressed files, streams (.arrows), several batches, float32 and string labels', () => {
    const X = new Matrix(rowMajor(500, 12, Float32Array) as Float32Array, 500, 12);
    const labels = Array.from({ length: 500 }, (_, i) => `k${i % 7}`);
    const plain = arrowBytes(X);
    const path = tmp.file('saved.arrows');
    const size = saveArrow(path, X, { labels, compression: 'lz4', batchRows: 128 });
    expect(size).toBeLessThan(plain.length / 2);
    const t = A.tableFromIPC(readFileSync(path));
    expect(t.batches.length).toBe(4);
    const back = loadArrow(path, { labels: 'label' });
    expect(back.X.dtype).toBe('float32');
    expectValues(back.X.data, 500, 12);
    expect(back.labels).toEqual(labels);
  });

  it('writes ZSTD when a zstd encoder is registered, and says how when none is', async () => {
    await zstdInit();
    const X = new Matrix(rowMajor(100, 4) as Float64Array, 100, 4);
    const e = errorOf(() => arrowBytes(X, { compression: 'zstd' }));
    expect(e).toBeInstanceOf(DadalabError);
    expect(e.message).toMatch(/zstd encoder/);
    expect(e.message).toMatch(/compressionRegistry\.set/);
    A.compressionRegistry.set(A.CompressionType.ZSTD, { encode: (b) => zstdCompress(b, 3), decode: zstdDecode });
    try {
      const bytes = arrowBytes(X, { compression: 'zstd' });
      expectValues(loadArrow(bytes).X.data, 100, 4);
    } finally {
      registerArrowCodecs(true);
    }
  });
});

describe('loadArrow: bad input', () => {
  it('refuses a non-numeric column, naming it, its type and the fix', () => {
    const t = new A.Table({ x: A.makeVector(Float64Array.from([1, 2])), name: A.vectorFromArray(['a', 'b'], new A.Utf8()) });
    const e = errorOf(() => loadArrow(A.tableToIPC(t)));
    expect(e).toBeInstanceOf(DadalabError);
    expect(e.problem).toMatch(/Column 'name' .* has type Utf8, which is not numeric/);
    expect(e.fix).toMatch(/columns: \[\.\.\.\]/);
    expect(e.fix).toMatch(/'x'/);
    expect(e.fix).toMatch(/labels: 'name'/);
    expect(e.fix).toMatch(/astype\('float64'\)/);
  });

  it('names the missing codec of a compressed file (codec removed from the registry, then restored)', () => {
    const lz4 = A.compressionRegistry.get(A.CompressionType.LZ4_FRAME);
    const zstd = A.compressionRegistry.get(A.CompressionType.ZSTD);
    try {
      A.compressionRegistry.set(A.CompressionType.ZSTD, null as never);
      const e = errorOf(() => loadArrow(fixture('fsl_f64_zstd.arrows')));
      expect(e).toBeInstanceOf(DadalabError);
      expect(e.problem).toMatch(/compressed with ZSTD, and no ZSTD codec is registered/);
      expect(e.fix).toMatch(/registerArrowCodecs\(true\)/);
      expect(e.fix).toMatch(/compression='uncompressed'/);
      expect(loadArrow(fixture('fsl_f32_lz4.arrow')).X.rows).toBe(3000); // LZ4 still there
      A.compressionRegistry.set(A.CompressionType.LZ4_FRAME, null as never);
      expect(errorOf(() => loadArrow(fixture('pandas_lz4.feather'))).problem).toMatch(/compressed with LZ4_FRAME, and no LZ4_FRAME codec/);
    } finally {
      A.compressionRegistry.set(A.CompressionType.LZ4_FRAME, lz4!);
      A.compressionRegistry.set(A.CompressionType.ZSTD, zstd!);
    }
    expectValues(loadArrow(fixture('fsl_f64_zstd.arrows')).X.data, 60, 5);
  });

  it('says a damaged compressed file is damaged', () => {
    const bytes = new Uint8Array(readFileSync(fixture('fsl_f32_lz4.arrow')));
    // corrupt the first LZ4 frame's first block: its size word claims more bytes than follow
    const at = Buffer.from(bytes).indexOf(Buffer.from([0x04, 0x22, 0x4d, 0x18]));
    bytes.set([0xff, 0xff, 0xff, 0x00], at + 7);
    const e = errorOf(() => loadArrow(bytes));
    expect(e).toBeInstanceOf(DadalabError);
    expect(e.problem).toMatch(/compressed buffer of the Arrow bytes does not decode/);
  });

  it('lists the available columns when the label column does not exist', () => {
    const e = errorOf(() => loadArrow(fixture('pandas_plain.feather'), { labels: 'Label' }));
    expect(e).toBeInstanceOf(DadalabError);
    expect(e.problem).toMatch(/label column 'Label' does not exist/);
    expect(e.problem).toMatch(/'x0', 'x1', 'x2', 'x3', 'count', 'label'/);
    expect(e.fix).toMatch(/did you mean 'label'/);
    expect(errorOf(() => loadArrow(fixture('pandas_plain.feather'), { columns: ['x9'] })).problem).toMatch(/feature column 'x9' does not exist/);
  });

  it('reports a missing file with the path looked for and the current directory', () => {
    const e = errorOf(() => loadArrow('no/such/file.arrow'));
    expect(e).toBeInstanceOf(DadalabError);
    expect(e.problem).toContain('no/such/file.arrow');
    expect(e.problem).toContain(process.cwd());
  });

  it('refuses empty files, empty bytes, tables without rows and bytes that are not Arrow', () => {
    const path = tmp.file('empty.arrow');
    writeFileSync(path, '');
    expect(errorOf(() => loadArrow(path)).problem).toMatch(/empty \(0 bytes\)/);
    expect(errorOf(() => loadArrow(new Uint8Array(0))).problem).toMatch(/empty/);
    const none = A.tableToIPC(new A.Table({ x: A.makeVector(new Float64Array(0)) }));
    expect(errorOf(() => loadArrow(none)).problem).toMatch(/no rows/);
    const e = errorOf(() => loadArrow(new TextEncoder().encode('1,2,3\n4,5,6\n')));
    expect(e).toBeInstanceOf(DadalabError);
    expect(e.problem).toMatch(/not .*Arrow IPC/);
  });
});
