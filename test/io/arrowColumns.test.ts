import { writeFileSync } from 'node:fs';
import * as A from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { loadArrow } from '../../lib/io/arrow';
import { openArrowColumns } from '../../lib/io/arrowColumns';
import { errorOf, fixture, tempDir } from './helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** A layer file: `layers` FixedSizeList<float32> columns of width d (values depend on layer, row, col), a label column. */
function layerTable(n: number, dims: number[], labels: 'int' | 'dict'): A.Table {
  const cols: Record<string, A.Vector> = {};
  dims.forEach((d, l) => {
    const v = new Float32Array(n * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) v[i * d + j] = ((l * 13 + i * 7 + j * 3) % 29) / 4;
    const child = A.makeData({ type: new A.Float32(), length: n * d, nullCount: 0, data: v });
    cols[`layer_${l}`] = A.makeVector(A.makeData({ type: new A.FixedSizeList(d, new A.Field('item', new A.Float32(), false)), length: n, nullCount: 0, child }));
  });
  const lab = Array.from({ length: n }, (_, i) => i % 3);
  cols.label = labels === 'int' ? A.makeVector(Int32Array.from(lab)) : A.vectorFromArray(lab.map((c) => ['cat', 'dog', 'eel'][c]), new A.Dictionary(new A.Utf8(), new A.Int32()));
  return new A.Table(cols);
}

function write(table: A.Table, name: string, format: 'file' | 'stream', batchRows: number, compressionType: A.CompressionType | null = null): string {
  const batches: A.RecordBatch[] = [];
  for (let r = 0; r < table.numRows; r += batchRows) batches.push(...table.slice(r, Math.min(table.numRows, r + batchRows)).batches);
  const W = format === 'file' ? A.RecordBatchFileWriter : A.RecordBatchStreamWriter;
  const w = new W({ compressionType } as never);
  w.writeAll(new A.Table(table.schema, batches));
  const path = tmp.file(name);
  writeFileSync(path, w.toUint8Array(true));
  return path;
}

describe('openArrowColumns: one column of a large file at a time', () => {
  const cases: [string, 'file' | 'stream', number, A.CompressionType | null, 'int' | 'dict'][] = [
    ['one batch, file', 'file', 1000, null, 'int'],
    ['several batches, file', 'file', 17, null, 'dict'],
    ['several batches, stream', 'stream', 23, null, 'int'],
    ['LZ4 batches', 'file', 30, A.CompressionType.LZ4_FRAME, 'dict'],
  ];
  for (const [what, format, rows, comp, labels] of cases) {
    it(`reads every layer column like loadArrow (${what})`, () => {
      const t = layerTable(101, [5, 3, 8], labels);
      const path = write(t, `${what.replace(/\W+/g, '_')}.arrow${format === 'stream' ? 's' : ''}`, format, rows, comp);
      const r = openArrowColumns(path);
      try {
        expect(r.numRows).toBe(101);
        expect(r.fields.map((f) => [f.name, f.kind, f.width])).toEqual([['layer_0', 'fsl', 5], ['layer_1', 'fsl', 3], ['layer_2', 'fsl', 8], ['label', 'numeric', 1].slice(0, labels === 'int' ? 3 : 1).concat(labels === 'int' ? [] : ['other', 0])]);
        for (let l = 0; l < 3; l++) {
          const X = r.readColumn(`layer_${l}`);
          const ref = loadArrow(path, { columns: [`layer_${l}`] }).X;
          expect(X.rows).toBe(101);
          expect(X.cols).toBe(ref.cols);
          expect(X.dtype).toBe('float32');
          expect(Array.from(X.data)).toEqual(Array.from(ref.data));
          // into: a buffer handed back (a view at an offset too) is filled when the column is read straight from the file
          const backing = new Float32Array(101 * ref.cols + 3).fill(NaN);
          const into = backing.subarray(3);
          const Y = r.readColumn(`layer_${l}`, { into });
          expect(Array.from(Y.data)).toEqual(Array.from(ref.data));
          expect(Y.data === into).toBe(comp === null);
          expect(r.readColumn(`layer_${l}`, { into: new Float32Array(7) }).data.length).toBe(101 * ref.cols); // does not fit: ignored
        }
        const lab = r.readLabels('label');
        expect(Array.from(lab as ArrayLike<unknown>).slice(0, 4)).toEqual(labels === 'int' ? [0, 1, 2, 0] : ['cat', 'dog', 'eel', 'cat']);
      } finally {
        r.close();
      }
    });
  }

  it('reads the pyarrow-written fixtures (LZ4 file, ZSTD stream) like loadArrow', () => {
    for (const name of ['fsl_f32_lz4.arrow', 'fsl_f64_zstd.arrows', 'pandas_zstd.feather']) {
      const r = openArrowColumns(fixture(name));
      try {
        const f = r.fields.find((x) => x.kind !== 'other')!;
        const X = r.readColumn(f.name);
        const ref = loadArrow(fixture(name), { columns: [f.name] }).X;
        expect(Array.from(X.data)).toEqual(Array.from(ref.data));
      } finally {
        r.close();
      }
    }
  });

  it('names the column that is not a FixedSizeList of numbers', () => {
    const path = write(layerTable(20, [2], 'dict'), 'notfsl.arrow', 'file', 20);
    const r = openArrowColumns(path);
    try {
      expect(errorOf(() => r.readColumn('label')).message).toMatch(/Column 'label' .* not a FixedSizeList \(or list\) of numbers/);
      expect(errorOf(() => r.readColumn('nope')).message).toMatch(/nope/);
    } finally {
      r.close();
    }
  });

  it('says "truncated" for a cut file and never reads past the end', () => {
    const full = write(layerTable(200, [16, 16], 'int'), 'cut.arrow', 'stream', 50);
    const bytes = require('node:fs').readFileSync(full) as Buffer;
    const cut = tmp.file('cut2.arrows');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    expect(errorOf(() => openArrowColumns(cut)).message).toMatch(/truncated/);
    expect(errorOf(() => openArrowColumns(tmp.file('missing.arrow'))).message).toMatch(/There is no file/);
  });
});

describe('provenance of column-wise reads', () => {
  it('records the whole file\'s SHA-256 (streamed), once', async () => {
    const { clearFilesRead, filesRead } = await import('../../lib/runtime/provenance');
    const { createHash } = await import('node:crypto');
    const { readFileSync } = await import('node:fs');
    clearFilesRead();
    const path = write(layerTable(50, [4, 4], 'int'), 'prov.arrow', 'file', 20);
    openArrowColumns(path).close();
    openArrowColumns(path).close();
    const reads = filesRead().filter((r) => r.path.endsWith('prov.arrow'));
    expect(reads).toHaveLength(1);
    expect(reads[0].sha256).toBe(createHash('sha256').update(readFileSync(path)).digest('hex'));
  });
});
