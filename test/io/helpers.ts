import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The fixtures' values: exact in float32 and float64 (see fixtures/make_fixtures.py). */
export const value = (i: number, j: number): number => ((31 * i + 7 * j) % 97) / 8;

export function rowMajor(n: number, d: number, Ctor: Float64ArrayConstructor | Float32ArrayConstructor = Float64Array): Float64Array | Float32Array {
  const out = new Ctor(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] = value(i, j);
  return out;
}

/** Asserts X (row-major, n x d) holds value(i, j) everywhere, comparing every entry. */
export function expectValues(data: ArrayLike<number>, n: number, d: number): void {
  if (data.length !== n * d) throw new Error(`expected ${n * d} values, got ${data.length}`);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      if (data[i * d + j] !== value(i, j)) throw new Error(`X[${i}, ${j}] = ${data[i * d + j]}, expected ${value(i, j)}`);
    }
  }
}

export const fixture = (name: string): string => join(__dirname, 'fixtures', name);

export function tempDir(): { dir: string; file: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'dadalab-io-'));
  return { dir, file: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs fn and returns the DadalabError it throws (fails if it throws nothing). */
export function errorOf(fn: () => unknown): Error & { problem: string; fix: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { problem: string; fix: string };
  }
  throw new Error('expected an error, none was thrown');
}
