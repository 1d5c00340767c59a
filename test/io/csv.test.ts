import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DadalabError } from '../../lib/errors';
import { loadCsv, parseCsv } from '../../lib/io/csv';
import { errorOf, tempDir } from './helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('parseCsv', () => {
  it('detects a header line and the comma delimiter, reads a label column by name', () => {
    const d = parseCsv('a,b,species\n1,2,cat\n3.5,-4e-3,dog\n', { labels: 'species' });
    expect(d.names).toEqual(['a', 'b']);
    expect(d.X.toRows()).toEqual([[1, 2], [3.5, -0.004]]);
    expect(d.labels).toEqual(['cat', 'dog']);
    expect(d.labelName).toBe('species');
  });

  it('does not take a first data row with a text label for a header', () => {
    const d = parseCsv('1.5,2,setosa\n1,2.5,virginica\n', { labels: -1 });
    expect(d.names).toEqual(['x0', 'x1']);
    expect(d.X.rows).toBe(2);
    expect(d.labels).toEqual(['setosa', 'virginica']);
  });

  it('reads tabs, semicolons and runs of whitespace, and integer labels by index', () => {
    expect(parseCsv('x\ty\n1\t2\n3\t4\n').X.toRows()).toEqual([[1, 2], [3, 4]]);
    expect(parseCsv('1;2\n3;4\n').X.toRows()).toEqual([[1, 2], [3, 4]]);
    const w = parseCsv('  1.0   2.0  7\n 3.0 4.0 8\n\n', { labels: 2 });
    expect(w.X.toRows()).toEqual([[1, 2], [3, 4]]);
    expect(w.labels).toBeInstanceOf(Int32Array);
    expect(Array.from(w.labels as Int32Array)).toEqual([7, 8]);
  });

  it('takes names from a "# a b c" comment line (np.savetxt header) and skips comments', () => {
    const d = parseCsv('# X1 X2 X3\n1 2 3\n# note\n4 5 6\n');
    expect(d.names).toEqual(['X1', 'X2', 'X3']);
    expect(d.X.toRows()).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  it('reads quoted fields, NaN/inf spellings, CRLF line ends, and picks columns', () => {
    const d = parseCsv('"id","x, first",y\r\n"a",1,nan\r\n"b",inf,-inf\r\n', { labels: 'id' });
    expect(d.names).toEqual(['x, first', 'y']);
    expect(d.labels).toEqual(['a', 'b']);
    expect(Array.from(d.X.data)).toEqual([1, NaN, Infinity, -Infinity]);
    const p = parseCsv('a,b,c\n1,2,3\n4,5,6\n', { columns: ['c', 0], dtype: 'float32' });
    expect(p.X.dtype).toBe('float32');
    expect(p.X.toRows()).toEqual([[3, 1], [6, 4]]);
  });

  it("reads pandas' to_csv layout (unnamed index column, integer column names) and a byte-order mark", () => {
    const d = parseCsv(',0,1\n0,1.5,2.5\n1,3.5,4.5\n');
    expect(d.names).toEqual(['0', '1']);
    expect(d.X.toRows()).toEqual([[1.5, 2.5], [3.5, 4.5]]);
    const n = parseCsv('\ufeff,a,b,label\n0,1,2,x\n1,3,4,y\n', { labels: 'label' });
    expect(n.names).toEqual(['a', 'b']);
    expect(n.labels).toEqual(['x', 'y']);
  });

  it('refuses ragged rows, naming the line and the counts', () => {
    const e = errorOf(() => parseCsv('a,b,c\n1,2,3\n4,5\n6,7,8\n', {}, 'rag.csv'));
    expect(e).toBeInstanceOf(DadalabError);
    expect(e.problem).toMatch(/Line 3 of rag\.csv has 2 fields but the header has 3/);
    const f = errorOf(() => parseCsv('1 2\n3 4\n\n5 6 7\n'));
    expect(f.problem).toMatch(/Line 4 .* has 3 fields but the first row \(line 1\) has 2/);
  });

  it('refuses a text field in a feature column, naming line, column and value', () => {
    const e = errorOf(() => parseCsv('a,b\n1,2\n3,oops\n'));
    expect(e).toBeInstanceOf(DadalabError);
    expect(e.problem).toMatch(/Line 3 .* column 'b' holds 'oops'/);
    expect(e.fix).toMatch(/labels: 'b'/);
  });

  it('lists the available names when the label column does not exist', () => {
    const e = errorOf(() => parseCsv('a,b,class\n1,2,3\n', { labels: 'label' }));
    expect(e).toBeInstanceOf(DadalabError);
    expect(e.problem).toMatch(/label column 'label' does not exist .* 'a', 'b', 'class'/);
    expect(errorOf(() => parseCsv('1,2\n', { labels: 5 })).problem).toMatch(/label column index 5 does not exist/);
  });

  it('refuses empty input and a header without rows', () => {
    expect(errorOf(() => parseCsv('\n\n')).problem).toMatch(/no data rows .*empty/);
    expect(errorOf(() => parseCsv('# only a comment\n')).problem).toMatch(/only comment lines/);
    expect(errorOf(() => parseCsv('a,b\n')).problem).toMatch(/header line .* but no data rows/);
  });
});

describe('loadCsv', () => {
  it('reads gzipped files and names the file in errors', () => {
    const path = tmp.file('t.tsv.gz');
    writeFileSync(path, gzipSync('u\tv\n1\t2\n3\t4\n'));
    const d = loadCsv(path);
    expect(d.names).toEqual(['u', 'v']);
    expect(d.X.toRows()).toEqual([[1, 2], [3, 4]]);
    const bad = tmp.file('bad.csv');
    writeFileSync(bad, '1,2\n3\n');
    expect(errorOf(() => loadCsv(bad)).problem).toContain('bad.csv');
  });

  it('refuses an empty file and a missing one (with the path looked for and the current directory)', () => {
    const empty = tmp.file('empty.csv');
    writeFileSync(empty, '');
    const e = errorOf(() => loadCsv(empty));
    expect(e).toBeInstanceOf(DadalabError);
    expect(e.problem).toMatch(/empty \(0 bytes\)/);
    const emptyGz = tmp.file('empty.csv.gz');
    writeFileSync(emptyGz, gzipSync(''));
    expect(errorOf(() => loadCsv(emptyGz)).problem).toMatch(/empty \(0 bytes after decompression\)/);
    const m = errorOf(() => loadCsv('missing.csv'));
    expect(m.problem).toMatch(/File not found: missing\.csv/);
    expect(m.problem).toContain(process.cwd());
  });
});
