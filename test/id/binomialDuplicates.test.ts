/**
 * The binomial ID counts the neighbours inside a shell: a copy at distance 0 is inside every
 * shell whatever the dimension, so on constant or duplicated data DADApy returns e.g. id -3.6 with
 * a warning. dadalab refuses, like TwoNN and Gride, naming the rows and pointing to dedupe.
 */
import { describe, expect, it } from 'vitest';
import { Data } from '../../lib/data';
import { InputError } from '../../lib/errors';
import { dedupe } from '../../lib/neighbors';
import { silenceWarnings } from '../../lib/runtime/warnings';
import { SeededRng } from '../../lib/stats/rng';

const rng = new SeededRng(5);
const X = Array.from({ length: 300 }, () => [rng.random(), rng.random()]);

describe('the binomial ID on duplicated points', () => {
  it('refuses constant data', async () => {
    const restore = silenceWarnings();
    try {
      const d = new Data(Array.from({ length: 50 }, () => [1, 2, 3]), { maxk: 20 });
      await expect(d.computeIdBinomialK({ k: 5, r: 0.5 })).rejects.toThrow(InputError);
      await expect(d.computeIdBinomialK({ k: 5, r: 0.5 })).rejects.toThrow(/The binomial ID needs distinct points, but 50 points have a neighbour at distance 0/);
    } finally { restore(); }
  });

  it('refuses duplicated data at fixed k and at fixed radius, pointing to dedupe', async () => {
    const restore = silenceWarnings();
    try {
      const d = new Data(X.concat(X), { maxk: 20 });
      await expect(d.computeIdBinomialK({ k: 5, r: 0.5 })).rejects.toThrow(/rows 0, 1, 2/);
      const e = await d.computeIdBinomialRk({ rk: 0.1, r: 0.5 }).catch((x) => x);
      expect(e).toBeInstanceOf(InputError);
      expect(e.fix).toMatch(/dedupe/);
    } finally { restore(); }
  });

  it('after dedupe the same data give the ID of the distinct points', async () => {
    const { data } = dedupe(X.concat(X));
    const a = await new Data(data, { maxk: 20 }).computeIdBinomialK({ k: 5, r: 0.5 });
    const b = await new Data(X, { maxk: 20 }).computeIdBinomialK({ k: 5, r: 0.5 });
    expect(a.id).toBe(b.id);
    expect(a.id).toBeGreaterThan(1.5);
    expect(a.id).toBeLessThan(2.5);
  });
});
