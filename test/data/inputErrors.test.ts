/**
 * Misleading messages on common mistakes: new Data('x.csv') said "NaN or Inf in 5 rows", new
 * Data([]) "D = 0" for N = 0, maxk: '10' "maxk = 10 is not a positive whole number", and
 * dedupe(number[][]) threw a TypeError. Each now says what was passed and what to do.
 */
import { describe, expect, it } from 'vitest';
import { Data } from '../../lib/data';
import { InputError } from '../../lib/errors';
import { dedupe, findDuplicates } from '../../lib/neighbors';

function refused(f: () => unknown): InputError {
  let err: unknown = null;
  try { f(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

describe('messages on common mistakes', () => {
  it("new Data('x.csv') says a path is not data and how to load it", () => {
    const e = refused(() => new Data('x.csv' as never));
    expect(e.message).toMatch(/got the string 'x\.csv'/);
    expect(e.message).not.toMatch(/NaN/);
    expect(e.fix).toMatch(/loadData\('x\.csv'\)/);
  });

  it('new Data([]) says there are no points', () => {
    const e = refused(() => new Data([]));
    expect(e.message).toMatch(/no points \(N = 0/);
    expect(e.message).not.toMatch(/D = 0/);
    expect(refused(() => new Data([[], []])).message).toMatch(/0 features \(D = 0\)/);
  });

  it("maxk: '10' shows it was a string", () => {
    const e = refused(() => new Data([[0], [1], [2]], { maxk: '10' as never }));
    expect(e.message).toMatch(/maxk must be a positive whole number, got '10' \(a string\)/);
  });

  it('dedupe and findDuplicates take number[][] as the estimators do', () => {
    const r = dedupe([[1, 2], [3, 4], [1, 2], [5, 6], [3, 4]]);
    expect(Array.from(r.kept)).toEqual([0, 1, 3]);
    expect(Array.from(r.inverse)).toEqual([0, 1, 0, 2, 1]);
    expect(r.data.toRows()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(findDuplicates([[1, 2], [1, 2]]).map((g) => Array.from(g))).toEqual([[0, 1]]);
    expect(refused(() => dedupe('x.csv' as never)).message).toMatch(/got the string/);
  });
});
