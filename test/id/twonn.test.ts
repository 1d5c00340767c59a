import { describe, expect, it } from 'vitest';
import { Data } from '../../lib/data';
import { DadalabError } from '../../lib/errors';
import { twoNN, twoNNFromMus, decimationLevels, rint } from '../../lib/id/twonn';
import { Matrix } from '../../lib/matrix';
import { computeNeighborsSync } from '../../lib/neighbors';
import { loadNpy } from '../../lib/io/npy';
import { join } from 'node:path';
import { grideScalingFromTable } from '../../lib/id/gride';
import { uniformCube } from './helpers';

const PARITY = join(__dirname, '..', '..', 'parity', 'data');

describe('TwoNN and Gride on data of known dimension', () => {
  // The unit d-cube with periodic boundaries (a flat d-torus): uniform, with no boundary to bias
  // the neighbour ratios, so the estimators' only error is statistical (about d / sqrt(N)).
  for (const d of [2, 5, 10]) {
    it(`recover d = ${d} within 5% from N = 5000 points (TwoNN base and ml; Gride at n2 = 4, 8, 16)`, () => {
      const X = uniformCube(5000, d, 1);
      const nn = computeNeighborsSync(X, { maxk: 16, period: 1 });
      const base = twoNN(nn);
      const ml = twoNN(nn, { algorithm: 'ml' });
      expect(Math.abs(base.id - d) / d).toBeLessThan(0.05);
      expect(Math.abs(ml.id - d) / d).toBeLessThan(0.05);
      expect(Object.isFrozen(base)).toBe(true);
      expect(base.summary()).toMatch(/^ID \d/);
      const g = grideScalingFromTable(nn, { rangeMax: 16 });
      expect(Array.from(g.ranks)).toEqual([2, 4, 8, 16]);
      for (let i = 1; i < 4; i++) expect(Math.abs(g.ids[i] - d) / d).toBeLessThan(0.05);
      // the error shrinks as the scale grows (more neighbours per estimate)
      expect(g.idsErr[3]).toBeLessThan(g.idsErr[0]);
    });
  }

  it('underestimates a 10-cube with boundaries (what the periodic test above avoids)', () => {
    const nn = computeNeighborsSync(uniformCube(3000, 10, 2), { maxk: 2 });
    expect(twoNN(nn, { algorithm: 'ml' }).id).toBeLessThan(9.5);
  });
});

describe('TwoNN details', () => {
  it('fits the line through the origin over floor(N muFraction) sorted log mus with the full N', () => {
    const mus = [1.5, 1.1, 2.0, 1.3, 3.0];
    const logs = mus.map(Math.log).sort((a, b) => a - b);
    let sxy = 0, sxx = 0;
    for (let i = 0; i < 4; i++) { const y = -Math.log(1 - (i + 1) / 5); sxy += logs[i] * y; sxx += logs[i] ** 2; }
    expect(twoNNFromMus(mus, 0.9)).toBeCloseTo(sxy / sxx, 14);
    expect(twoNNFromMus(mus, 1, 'ml')).toBeCloseTo(4 / logs.reduce((a, b) => a + b, 0), 14);
  });

  it('muFraction close to 1 switches base to ml as DADApy does', async () => {
    const X = loadNpy(join(PARITY, 'gauss_D2_N500.npy'));
    const d = new Data(X);
    await d.computeDistances({ maxk: 10 });
    const a = await d.computeId2NN({ muFraction: 1 });
    const b = await d.computeId2NN({ algorithm: 'ml' });
    expect(a.id).toBe(b.id);
    expect(a.algorithm).toBe('ml');
    expect(d.intrinsicDim).toBe(b.id);
  });

  it('rint is NumPy round-half-to-even; decimation levels follow DADApy', () => {
    expect([0.5, 1.5, 2.5, 62.5, -0.5].map(rint)).toEqual([0, 2, 2, 62, 0]);
    expect(decimationLevels(100)).toEqual([100, 50, 25, 12]);
    expect(decimationLevels(2000)).toEqual([2000, 1000, 500, 250, 125, 62, 31, 16]);
  });

  it('decimation is deterministic per seed and changes with the seed', async () => {
    const X = uniformCube(400, 3, 5);
    const run = async (seed: number) => (await new Data(X, { rng: seed }).computeId2NN({ dataFraction: 0.25 })).id;
    expect(await run(3)).toBe(await run(3));
    expect(await run(3)).not.toBe(await run(4));
    const s = await new Data(X, { rng: 3 }).returnIdScaling2NN({ nMin: 20, returnSizes: true });
    expect(Array.from(s.scales)).toEqual([400, 200, 100, 50, 25]);
    expect(s.plot().spec.$schema).toContain('vega-lite/v5');
  });

  it('the Gamma-prior posterior mean and std', async () => {
    const X = uniformCube(300, 2, 9);
    const d = new Data(X);
    await d.computeDistances({ maxk: 5 });
    const nn = d.nn!;
    let s = 0;
    for (let i = 0; i < nn.n; i++) s += Math.log(nn.distances[i * 6 + 2] / nn.distances[i * 6 + 1]);
    const r = await d.computeId2NNWprior({ alpha: 2, beta: 5 });
    expect(r.id).toBeCloseTo((2 + 300) / (5 + s), 12);
    expect(r.idErr).toBeCloseTo(Math.sqrt(302) / (5 + s), 12);
    const mode = await d.computeId2NNWprior({ posteriorMean: false });
    expect(mode.id).toBeCloseTo(301 / (5 + s), 12);
  });
});

describe('TwoNN bad input', () => {
  const X = uniformCube(50, 2, 1);
  it('refuses unknown algorithms and fractions outside (0, 1]', async () => {
    const d = new Data(X);
    await expect(d.computeId2NN({ algorithm: 'fit' })).rejects.toThrow(/Unknown TwoNN algorithm 'fit'/);
    await expect(d.computeId2NN({ muFraction: 0 })).rejects.toThrow(DadalabError);
    await expect(d.computeId2NN({ dataFraction: 1.5 })).rejects.toThrow(/dataFraction = 1.5/);
    expect(() => d.setId(-1)).toThrow(/positive/);
  });

  it('refuses duplicate points, naming how many, and points to dedupe', async () => {
    const rows = X.toRows();
    rows.push([...rows[3]], [...rows[7]], [...rows[7]]);
    const d = new Data(Matrix.fromRows(rows));
    await d.computeDistances({ maxk: 5 });
    const err = await d.computeId2NN().then(() => null, (e: unknown) => e as DadalabError);
    expect(err).toBeInstanceOf(DadalabError);
    expect(err!.message).toMatch(/5 points have a neighbour at distance 0/);
    expect(err!.message).toMatch(/dedupe/);
    await expect(d.computeId2NNWprior()).rejects.toThrow(/dedupe/);
    await expect(d.returnIdScalingGride({ rangeMax: 4 })).rejects.toThrow(/5 points .* dedupe/s);
  });
});

describe('TwoNN from a neighbour table only', () => {
  it('decimates from the table (drawn points with two drawn neighbours in their row) and is deterministic per seed', async () => {
    const X = uniformCube(400, 2, 8);
    const nn = computeNeighborsSync(X, { maxk: 60 });
    const run = async (seed: number) => {
      const d = new Data(null, { distances: nn, rng: seed });
      return d.computeId2NN({ dataFraction: 0.5, nIter: 4 });
    };
    const a = await run(1), b = await run(1);
    expect(a.id).toBe(b.id);
    expect(a.nIter).toBe(4);
    expect(Math.abs(a.id - 2)).toBeLessThan(0.4);
    // Gride without coordinates is limited to the table
    const d = new Data(null, { distances: nn });
    const g = await d.returnIdScalingGride({ rangeMax: 128 });
    expect(Array.from(g.ranks)).toEqual([2, 4, 8, 16, 32]);
  });
});
