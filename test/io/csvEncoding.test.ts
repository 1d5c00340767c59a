/**
 * CSV files are decoded by their byte-order mark: UTF-16 LE / BE (Excel's "Unicode text",
 * PowerShell) used to give a garbled first column name and "not a number" errors. UTF-16 without
 * a mark is recognised by its zero bytes; UTF-32 and binary files are refused clearly.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../lib/errors';
import { loadCsv } from '../../lib/io/csv';
import { loadData, loadLabels } from '../../lib/io/load';
import { tempDir } from './helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const text = 'a,b,label\n1,2,x\n3,4.5,y\n-5,6e2,z\n';
const utf16be = (s: string): Buffer => { const b = Buffer.from(s, 'utf16le'); b.swap16(); return b; };

const encodings: [string, Buffer][] = [
  ['UTF-8', Buffer.from(text)],
  ['UTF-8 with a BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])],
  ['UTF-16 LE with a BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])],
  ['UTF-16 BE with a BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(text)])],
  ['UTF-16 LE without a BOM', Buffer.from(text, 'utf16le')],
  ['UTF-16 BE without a BOM', utf16be(text)],
];

describe('CSV text encodings', () => {
  for (const [name, bytes] of encodings) {
    it(`reads ${name}: the same names, values and labels`, () => {
      const f = tmp.file(`${name.replace(/\W+/g, '_')}.csv`);
      writeFileSync(f, bytes);
      for (const r of [loadCsv(f, { labels: 'label' }), loadData(f, { labels: 'label' })]) {
        expect(r.names).toEqual(['a', 'b']);
        expect(Array.from(r.X.data)).toEqual([1, 2, 3, 4.5, -5, 600]);
        expect(Array.from(r.labels as string[])).toEqual(['x', 'y', 'z']);
      }
      expect(Array.from(loadLabels(f, { column: 'label' }) as string[])).toEqual(['x', 'y', 'z']);
    });
  }

  it('refuses UTF-32 and binary content, saying what it is', () => {
    const f32 = tmp.file('u32.csv');
    writeFileSync(f32, Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), Buffer.from('a\u0000\u0000\u0000')]));
    expect(() => loadCsv(f32)).toThrow(InputError);
    expect(() => loadCsv(f32)).toThrow(/UTF-32/);
    const bin = tmp.file('bin.csv');
    writeFileSync(bin, Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0x00, 0x00, 0x31, 0x00, 0x2c, 0x32, 0x0a, 0x33]));
    expect(() => loadCsv(bin)).toThrow(/zero bytes: it is not UTF-8 or UTF-16 text/);
  });
});
