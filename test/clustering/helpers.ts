import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';

export const DATA = join(__dirname, '../../data');
export const CASES = join(__dirname, '../../parity/cases');

/** Rows of a whitespace-separated (optionally gzipped) text file, '#' lines skipped. */
export function readTable(name: string): number[][] {
  const buf = readFileSync(join(DATA, name));
  const text = (name.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8');
  const rows: number[][] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    rows.push(t.split(/\s+/).map(Number));
  }
  return rows;
}
