import { describe, expect, it } from 'vitest';
import { bid, bidModel, hammingHistogram, quantileIndex } from '../../lib/id/bid';
import { Matrix } from '../../lib/matrix';
import { nelderMead } from '../../lib/stats/neldermead';
import { SeededRng } from '../../lib/stats/rng';

function spins(N: number, L: number, seed: number): Matrix {
  const rng = new SeededRng(seed);
  return new Matrix(Float64Array.from(rng.integers(0, 2, N * L), (b) => 2 * b - 1), N, L);
}

describe('binary intrinsic dimension (BID)', () => {
  it('independent random spins of length L: BID close to L with no slope', () => {
    const h = hammingHistogram(spins(600, 64, 5));
    expect(h.values.every((v) => v >= 0 && v <= 64)).toBe(true);
    expect(h.counts.reduce((s, v) => s + v, 0)).toBe((600 * 599) / 2);
    const r = bid(h, { alphamax: 0.2 });
    expect(Math.abs(r.d0 - 64) / 64).toBeLessThan(0.1);
    expect(Math.abs(r.d1)).toBeLessThan(0.1);
    expect(r.plot().spec.$schema).toContain('v5');
    // the random search of DADApy, seeded, lands close to the deterministic fit
    const s = bid(h, { alphamax: 0.2, optimizer: 'random', rng: new SeededRng(1), nSteps: 20000, delta: 5e-3 });
    expect(s.logKL).toBeGreaterThanOrEqual(r.logKL - 1e-6);
  });

  it('the model is the binomial law at d1 = 0', () => {
    const p = bidModel([0, 1, 2, 3, 4], 4, 0);
    [1, 4, 6, 4, 1].forEach((c, i) => expect(p[i]).toBeCloseTo(c / 16, 12));
  });

  it('quantile index and bad input', () => {
    expect(quantileIndex([0.1, 0.2, 0.3, 0.4], 0.3)).toBe(1);
    expect(quantileIndex([0.5, 0.5], 0.1)).toBe(0);
    expect(() => hammingHistogram(Matrix.fromRows([[0, 2], [1, 1]]))).toThrow(/spins/);
  });

  it('Nelder-Mead minimises the Rosenbrock function', () => {
    const r = nelderMead((x) => 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2, [-1.2, 1]);
    expect(r.x[0]).toBeCloseTo(1, 4);
    expect(r.x[1]).toBeCloseTo(1, 4);
  });
});
