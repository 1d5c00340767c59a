import { describe, expect, it } from 'vitest';
import { discreteIdK, discreteIdLk, discreteIdScaling, latticeCounts, latticeVolume, latticeVolumeDerivatives, latticeVolumes, discreteMle } from '../../lib/id/discrete';
import { Matrix } from '../../lib/matrix';
import { fminbound } from '../../lib/stats/brent';
import { SeededRng } from '../../lib/stats/rng';

function lattice(N: number, D: number, L: number, seed: number): Matrix {
  const rng = new SeededRng(seed);
  return new Matrix(Float64Array.from(rng.integers(0, L, N * D)), N, D);
}

describe('lattice volumes', () => {
  it('count the points of Z^d within L1 radius l for integer d', () => {
    expect(latticeVolume(1, 2)).toBe(5);
    expect(latticeVolume(2, 2)).toBe(13);
    expect(latticeVolume(3, 3)).toBe(63);
    // brute-force count in Z^3 at radius 4
    let c = 0;
    for (let a = -4; a <= 4; a++) for (let b = -4; b <= 4; b++) for (let e = -4; e <= 4; e++) if (Math.abs(a) + Math.abs(b) + Math.abs(e) <= 4) c++;
    expect(latticeVolume(4, 3)).toBe(c);
  });

  it("match DADApy's binom * hyp2f1 values for real d (spec §23)", () => {
    expect(latticeVolume(1, 2.5)).toBeCloseTo(6, 12);
    for (const [l, d, v] of [[10, 5.3, 54654.52071030313], [100, 0.5, 15.997436714822943], [100, 5.5, 16173429139.4205], [40, 1.7, 1136.6215156592089]]) {
      expect(Math.abs(latticeVolume(l, d) - v) / v).toBeLessThan(1e-12);
    }
  });

  it('the derivative recurrence matches finite differences at large l (where DADApy approximates)', () => {
    const d = 4.3, h = 1e-6;
    const dV = latticeVolumeDerivatives(60, d);
    const fd = (latticeVolumes(60, d + h)[60] - latticeVolumes(60, d - h)[60]) / (2 * h);
    expect(dV[60] / fd).toBeCloseTo(1, 6);
  });
});

describe('bounded Brent (scipy fminbound)', () => {
  it('finds minima to xatol', () => {
    expect(fminbound((x) => (x - 2) ** 2, 0, 5).x).toBeCloseTo(2, 5);
    const r = fminbound((x) => Math.cos(x), 3, 4);
    expect(r.x).toBeCloseTo(Math.PI, 5);
    expect(r.converged).toBe(true);
    // a minimum at the bound
    expect(fminbound((x) => x, 1, 2).x).toBeLessThan(1 + 1e-4);
  });
});

describe('discrete binomial ID (I3D)', () => {
  const X = lattice(500, 5, 20, 3);
  const c = latticeCounts(X, { metric: 'manhattan', period: 20, dMax: 50 });

  it('counts are cumulative and include the point', () => {
    expect(c.R).toBe(50);
    expect(c.counts[0]).toBeGreaterThanOrEqual(1);
    const w = c.R + 1;
    for (let r = 1; r <= c.R; r++) expect(c.counts[r]).toBeGreaterThanOrEqual(c.counts[r - 1]);
    expect(c.counts[w - 1]).toBe(500); // the periodic 20^5 box has L1 diameter 50
  });

  it('recovers d = 5 on a uniform periodic lattice (fixed radius, MLE and Bayes; fixed k)', () => {
    const mle = discreteIdLk(c, { lk: 10, ln: 5, method: 'mle' });
    const bayes = discreteIdLk(c, { lk: 10, ln: 5 });
    expect(Math.abs(mle.id - 5)).toBeLessThan(0.25);
    expect(Math.abs(bayes.id - mle.id)).toBeLessThan(2 * mle.idErr);
    expect(bayes.posterior!.grid.length).toBe(1000);
    const k = discreteIdK(c, { k: 25, ratio: 0.5 });
    expect(Math.abs(k.id - 5)).toBeLessThan(0.3);
    const s = discreteIdScaling(c, { lks: [6, 8, 10] });
    expect(s.ids.length).toBe(3);
    expect(bayes.plot().spec.$schema).toContain('v5');
  });

  it('the MLE of one binomial term solves p(d) = n / k', () => {
    const d = discreteMle(10, 100, 5, 20);
    const V = latticeVolumes(10, d);
    expect(V[5] / V[10]).toBeCloseTo(0.2, 4);
  });

  it('refuses non-integer coordinates and bad radii', () => {
    expect(() => latticeCounts(Matrix.fromRows([[0.5, 1], [1, 2]]))).toThrow(/integer coordinates/);
    expect(() => discreteIdLk(c, { lk: 5, ln: 5 })).toThrow(/0 <= ln < lk/);
    expect(() => discreteIdLk(c, { lk: 80, ln: 5 })).toThrow(/dMax >= 80/);
  });
});

describe('IdDiscrete (DADApy names)', () => {
  it('computes counts, estimates and stores the attributes', async () => {
    const { IdDiscrete } = await import('../../lib/data/idDiscrete');
    const d = new IdDiscrete(lattice(300, 4, 12, 7));
    await d.computeDistances({ period: 12, dMax: 24 });
    const r = await d.computeIdBinomialLk({ lk: 6, ln: 3 });
    expect(d.intrinsicDim).toBe(r.id);
    expect(d.posterior!.length).toBe(1000);
    expect(Math.abs(r.id - 4)).toBeLessThan(0.5);
    const s = await d.returnIdScalingK({ Ks: [10, 20] });
    expect(s.ids.length).toBe(2);
  });
});

describe('discrete ID from a neighbour table (DADApy table mode)', () => {
  it('agrees with the condensed counts when the table holds every neighbour', async () => {
    const { discreteIdKFromTable, discreteIdLkFromTable } = await import('../../lib/id/discrete');
    const { computeNeighborsSync } = await import('../../lib/neighbors');
    const X = lattice(300, 4, 12, 7);
    const nn = computeNeighborsSync(X, { maxk: 299, metric: 'manhattan', period: 12 });
    const c = latticeCounts(X, { period: 12, dMax: 24 });
    const a = discreteIdLkFromTable(nn, { lk: 6, ln: 3, method: 'mle' });
    const b = discreteIdLk(c, { lk: 6, ln: 3, method: 'mle' });
    expect(a.id).toBeCloseTo(b.id, 12);
    const k = discreteIdKFromTable(nn, { k: 30 });
    expect(Math.abs(k.id - 4)).toBeLessThan(0.6);
    expect(() => discreteIdKFromTable(nn, { k: 400 })).toThrow(/maxk = 299/);
  });
});
