import { describe, expect, it } from 'vitest';
import { Data } from '../../lib/data';
import { binomialIdK, binomialIdRk, ks2sampInt, binomialBetaPosterior } from '../../lib/id/binomial';
import { computeNeighborsSync } from '../../lib/neighbors';
import { uniformCube } from './helpers';

describe('binomial ID', () => {
  const nn = computeNeighborsSync(uniformCube(2000, 3, 11), { maxk: 40, period: 1 });

  it('recovers d = 3 at fixed k and at fixed radius, MLE and Bayes agree', () => {
    const mle = binomialIdK(nn, { k: 20, r: 0.5, bayes: false, validate: false });
    const bayes = binomialIdK(nn, { k: 20, r: 0.5, validate: false });
    expect(Math.abs(mle.id - 3)).toBeLessThan(0.2);
    expect(Math.abs(bayes.id - mle.id)).toBeLessThan(2 * mle.idErr);
    const rk = binomialIdRk(nn, { rk: 0.15, r: 0.5, bayes: false, validate: false });
    expect(Math.abs(rk.id - 3)).toBeLessThan(0.3);
    expect(rk.scale).toBeCloseTo(0.1125, 12);
    expect(mle.summary()).toMatch(/binomial, fixed k, mle/);
  });

  it('the model validation gives a p-value that is deterministic with the default generator', () => {
    const a = binomialIdK(nn, { k: 10, r: 0.5 });
    const b = binomialIdK(nn, { k: 10, r: 0.5 });
    expect(a.pv).toBe(b.pv);
    expect(a.pv).toBeGreaterThan(0.001);
    // a wrong id is rejected
    const ks = ks2sampInt([0, 0, 0, 1, 1, 1, 2, 2, 2, 3], [5, 6, 7, 8, 9, 5, 6, 7, 8, 9]);
    expect(ks.statistic).toBe(1);
    expect(ks.pvalue).toBeLessThan(1e-3);
  });

  it('Beta posterior: a = 1 + sum n, b = 1 + k len(n) - sum n', () => {
    const p = binomialBetaPosterior(9, [2, 3, 4], 0.5);
    expect(p.a).toBe(10);
    expect(p.b).toBe(1 + 27 - 9);
  });

  it('refuses r outside (0, 1) and k beyond the table', async () => {
    expect(() => binomialIdK(nn, { k: 10, r: 1.2 })).toThrow(/ratio r = 1.2/);
    expect(() => binomialIdK(nn, { k: 40, r: 0.5 })).toThrow(/0 < k < maxk = 40/);
    const d = new Data(uniformCube(100, 2, 1));
    await expect(d.computeIdBinomialRk({ rk: -1, r: 0.5 })).rejects.toThrow(/not positive/);
  });

  it('ABIDE and AGRIDE converge near the true dimension', async () => {
    const d = new Data(uniformCube(1000, 2, 4), { period: 1 });
    await d.computeDistances({ maxk: 60 });
    const a = await d.returnIdsKstarBinomial({ nIter: 2 });
    const g = await d.returnIdsKstarGride({ nIter: 2 });
    expect(Math.abs(a.ids[2] - 2)).toBeLessThan(0.15);
    expect(Math.abs(g.ids[2] - 2)).toBeLessThan(0.15);
    expect(g.kstars.length).toBe(3);
    expect(g.logLikelihoods![0]).toBe(0);
    expect(a.plot().spec.$schema).toContain('v5');
  });
});
