/**
 * Densities at new points: a NaN or infinite query point used to get log-density NaN (shown as
 * Infinity); it is refused, naming the rows of the new points.
 */
import { describe, expect, it } from 'vitest';
import { Data } from '../../lib/data';
import { InputError } from '../../lib/errors';
import { SeededRng } from '../../lib/stats/rng';

const rng = new SeededRng(9);
const X = Array.from({ length: 200 }, () => [rng.random(), rng.random(), rng.random()]);

describe('interpolated densities at new points', () => {
  for (const bad of [NaN, Infinity, -Infinity]) {
    it(`refuse a query point with ${bad} (kNN, k*NN, PAk)`, async () => {
      const d = new Data(X, { maxk: 20 });
      await d.computeId2NN();
      const Q = [[0.5, 0.5, 0.5], [bad, 0, 0], [0.1, 0.2, 0.3]];
      for (const f of [() => d.returnInterpolatedDensityKNN(Q, { k: 5 }), () => d.returnInterpolatedDensityKstarNN(Q), () => d.returnInterpolatedDensityPAk(Q)]) {
        const e = await f().catch((x) => x);
        expect(e).toBeInstanceOf(InputError);
        expect(e.message).toMatch(/NaN or Inf in 1 row of the new points \(rows 1\)/);
      }
    });
  }

  it('refuse no query points, and still answer on finite ones', async () => {
    const d = new Data(X, { maxk: 20 });
    await d.computeId2NN();
    await expect(d.returnInterpolatedDensityKNN([], { k: 5 })).rejects.toThrow(/The new points have no points/);
    const r = await d.returnInterpolatedDensityKNN([[0.5, 0.5, 0.5]], { k: 5 });
    expect(Number.isFinite(r.logDen[0])).toBe(true);
  });
});
