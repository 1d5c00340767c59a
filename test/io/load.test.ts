import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DadalabError } from '../../lib/errors';
import { Matrix } from '../../lib/matrix';
import { saveArrow } from '../../lib/io/arrow';
import { formatOf, loadData, loadLabels } from '../../lib/io/load';
import { errorOf, expectValues, fixture, rowMajor, tempDir } from './helpers';

const data = (f: string) => join(__dirname, '..', '..', 'data', f);
const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('loadData on the example data sets (data/*.gz)', () => {
  it('Fig1.dat.gz: 20000 x 2 whitespace text, and its labels gt_F1.txt.gz', () => {
    const { X, names } = loadData(data('Fig1.dat.gz'));
    expect([X.rows, X.cols]).toEqual([20000, 2]);
    expect(names).toEqual(['x0', 'x1']);
    expect(X.toRows()[0]).toEqual([13.8792042405, 7.6682793909]);
    const labels = loadLabels(data('gt_F1.txt.gz'));
    expect(labels).toBeInstanceOf(Int32Array);
    expect(labels.length).toBe(20000);
    expect(Array.from(labels as Int32Array).slice(0, 3)).toEqual([2, -1, -1]);
    expect(new Set(labels as Int32Array)).toEqual(new Set([-1, 0, 1, 2, 3, 4, 5, 6, 7]));
  });

  it('digits.csv.gz: 1797 x 64 pixels + the class in the last column', () => {
    const { X, labels, names } = loadData(data('digits.csv.gz'), { labels: -1 });
    expect([X.rows, X.cols]).toEqual([1797, 64]);
    expect(names.length).toBe(64);
    expect(Array.from(X.row(0).slice(0, 6))).toEqual([0, 0, 5, 13, 9, 1]);
    expect(labels!.length).toBe(1797);
    expect(Array.from(labels as Int32Array).slice(0, 3)).toEqual([0, 1, 2]);
    expect(Math.max(...(labels as Int32Array))).toBe(9);
    expect(loadData(data('digits.csv.gz'), { labels: -1 }).summary()).toBe(`1797 x 64 float64 from ${data('digits.csv.gz')}, labels 'x64' (10 distinct)`);
  });

  it('Fig1_mobius.dat.gz (20000 x 3), FigS2.dat.gz (Fortran E notation) and 6d_double_well.txt.gz (header comment)', () => {
    const m = loadData(data('Fig1_mobius.dat.gz')).X;
    expect([m.rows, m.cols]).toEqual([20000, 3]);
    const s = loadData(data('FigS2.dat.gz')).X;
    expect([s.rows, s.cols]).toEqual([20000, 2]);
    expect(s.get(0, 0)).toBeCloseTo(17.6914807187829161705, 12);
    const w = loadData(data('6d_double_well.txt.gz'));
    expect([w.X.rows, w.X.cols]).toEqual([12000, 6]);
    expect(w.names).toEqual(['X1', 'X2', 'X3', 'X4', 'X5', 'X6']);
    expect(w.X.get(0, 0)).toBe(1.18494);
    expect(loadLabels(data('gt_FS2.txt.gz')).length).toBe(20000);
  });
});

describe('loadData dispatch', () => {
  it('picks the reader by extension (.arrow/.feather/.arrows, .npy, .csv/.tsv/.txt/.dat, + .gz)', () => {
    expect(['a.arrow', 'a.feather', 'a.ipc', 'a.arrows', 'a.npy', 'a.npy.gz', 'a.csv', 'a.tsv', 'a.txt', 'a.dat', 'a.csv.gz', 'a.bin'].map(formatOf))
      .toEqual(['arrow', 'arrow', 'arrow', 'arrow', 'npy', 'npy', 'csv', 'csv', 'csv', 'csv', 'csv', null]);
    const arrow = tmp.file('m.feather');
    saveArrow(arrow, new Matrix(rowMajor(30, 4) as Float64Array, 30, 4), { labels: Int32Array.from({ length: 30 }, (_, i) => i % 2) });
    const a = loadData(arrow, { labels: 'label' });
    expectValues(a.X.data, 30, 4);
    expect(a.labels!.length).toBe(30);
    expect(Array.from(loadLabels(arrow) as Int32Array).slice(0, 4)).toEqual([0, 1, 0, 1]);
    const n = loadData(fixture('f32_c.npy'));
    expect(n.names).toEqual(['x0', 'x1', 'x2']);
    expectValues(n.X.data, 7, 3);
    expect(Array.from(loadLabels(fixture('labels_i8.npy')) as Int32Array)).toEqual([0, 1, 2, 0, 1, 2, 0]);
    const csv = tmp.file('no-extension');
    writeFileSync(csv, '1,2\n3,4\n');
    expect(loadData(csv, { format: 'csv' }).X.toRows()).toEqual([[1, 2], [3, 4]]);
  });

  it('refuses an unknown extension (after checking the file exists) and labels for .npy', () => {
    const p = tmp.file('x.bin');
    writeFileSync(p, 'abc');
    const e = errorOf(() => loadData(p));
    expect(e).toBeInstanceOf(DadalabError);
    expect(e.problem).toMatch(/Cannot tell the format/);
    expect(e.fix).toMatch(/format: 'arrow'/);
    expect(errorOf(() => loadData('missing.bin')).problem).toMatch(/File not found: missing\.bin .*current directory/);
    expect(errorOf(() => loadData(fixture('f32_c.npy'), { labels: 0 })).fix).toMatch(/loadLabels/);
  });
});

describe('file intake details', () => {
  it('reads files in chunks (the path taken for files over 2 GiB), byte for byte', async () => {
    const { readChunked } = await import('../../lib/io/files');
    const p = tmp.file('chunks.bin');
    const bytes = Uint8Array.from({ length: 10_007 }, (_, i) => (i * 131) & 0xff);
    writeFileSync(p, bytes);
    const back = readChunked(p, bytes.length, 1000);
    expect(Buffer.compare(back, Buffer.from(bytes))).toBe(0);
    expect(() => readChunked(p, bytes.length + 5, 1000)).toThrow(/ended after 10007 of 10012 bytes/);
  });

  it('names Feather v1 and Parquet files and says how to convert them', () => {
    const fea = tmp.file('old.feather');
    writeFileSync(fea, Buffer.from('FEA1\0\0\0\0 some old feather bytes FEA1'));
    const e = errorOf(() => loadData(fea));
    expect(e).toBeInstanceOf(DadalabError);
    expect(e.problem).toMatch(/Feather version 1/);
    const pq = tmp.file('x.parquet');
    writeFileSync(pq, Buffer.from('PAR1 ... PAR1'));
    expect(errorOf(() => loadData(pq)).fix).toMatch(/write_feather\(pyarrow\.parquet\.read_table/);
  });
});
