/**
 * A full distance matrix is checked, not trusted: NaN, infinite or negative entries, a non-zero
 * diagonal or an asymmetric matrix are refused (they used to give a table and silently wrong
 * estimates). maxk must be a real positive whole number, with coordinates and with a matrix
 * (2.5 gave id NaN, '5' a 51-wide table), and the message shows what was passed.
 */
import { describe, expect, it } from 'vitest';
import { Data } from '../../lib/data';
import { InputError } from '../../lib/errors';
import { fromDistanceMatrix } from '../../lib/neighbors';
import { SeededRng } from '../../lib/stats/rng';

const rng = new SeededRng(11);
const X = Array.from({ length: 60 }, () => [rng.random(), rng.random(), rng.random()]);
const M = X.map((a) => X.map((b) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2])));
const altered = (f: (C: number[][]) => void): number[][] => { const C = M.map((r) => r.slice()); f(C); return C; };

function refuses(f: () => unknown, pattern: RegExp): InputError {
  let err: unknown = null;
  try { f(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(InputError);
  expect((err as Error).message).toMatch(pattern);
  return err as InputError;
}

describe('a full distance matrix', () => {
  it('is accepted when it is one, and gives the table of the coordinates', async () => {
    const d = new Data(null, { distances: M, maxk: 10 });
    const e = new Data(X, { maxk: 10 });
    await e.computeDistances();
    expect(Array.from(d.distIndices!)).toEqual(Array.from(e.distIndices!));
    expect((await d.computeId2NN()).id).toBeCloseTo((await e.computeId2NN()).id, 10);
  });

  it('tolerates float32 rounding (asymmetry and diagonal of order 1e-8)', () => {
    const C = altered((c) => { c[1][2] *= 1 + 1e-8; c[4][4] = 1e-12; });
    expect(fromDistanceMatrix(C, 5).maxk).toBe(5);
  });

  it('refuses NaN, Infinity and negative entries, naming the rows', () => {
    refuses(() => new Data(null, { distances: altered((c) => { c[1][2] = NaN; }) }), /NaN, infinite or negative entries in rows 1/);
    refuses(() => new Data(null, { distances: altered((c) => { c[3][5] = c[5][3] = Infinity; }) }), /rows 3, 5/);
    const e = refuses(() => fromDistanceMatrix(altered((c) => { c[7][8] = c[8][7] = -0.5; })), /negative/);
    expect(e.fix).toMatch(/similarities/);
  });

  it('refuses a non-zero diagonal (a similarity or kernel matrix) and an asymmetric matrix', () => {
    refuses(() => new Data(null, { distances: altered((c) => { c[3][3] = 0.5; }) }), /diagonal is not zero in rows 3 \(e\.g\. \[3\]\[3\] = 0\.5\)/);
    const sim = M.map((r) => r.map((v) => Math.exp(-v)));
    refuses(() => fromDistanceMatrix(sim), /diagonal is not zero/);
    const e = refuses(() => new Data(null, { distances: altered((c) => { c[1][2] += 0.3; }) }), /not symmetric: \[1\]\[2\] = [0-9.]+ but \[2\]\[1\] = [0-9.]+/);
    expect(e.fix).toMatch(/symmetrise/);
  });
});

describe('maxk', () => {
  for (const k of [2.5, '5', 0, -3, NaN, true, '10']) {
    it(`refuses maxk = ${JSON.stringify(k)} with coordinates, with a distance matrix and in computeDistances, showing the value as passed`, async () => {
      const shown = typeof k === 'string' ? `'${k}' \\(a string\\)` : typeof k === 'boolean' ? `${k} \\(a boolean\\)` : String(k);
      const pattern = new RegExp(`maxk must be a positive whole number, got ${shown}`);
      refuses(() => new Data(X, { maxk: k as number }), pattern);
      refuses(() => new Data(null, { distances: M, maxk: k as number }), pattern);
      refuses(() => fromDistanceMatrix(M, k as number), pattern);
      await expect(new Data(X).computeDistances({ maxk: k as number })).rejects.toThrow(pattern);
    });
  }
});
