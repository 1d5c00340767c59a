import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Data } from '../../lib/data';
import { filterMus, grideRanks, grideScaling, grideScalingFromRankDistances, grideScalingFromRankDistancesAsync, grideScalingFromTable, grideSingleScale, EPS64 } from '../../lib/id/gride';
import { shutdownNeighborPool } from '../../lib/neighbors';
import { loadNpy } from '../../lib/io/npy';
import { computeNeighborsSync } from '../../lib/neighbors';
import { pairwiseSum, percentileSorted, trigamma, digamma } from '../../lib/stats/special';
import { uniformCube } from './helpers';

const PARITY = join(__dirname, '..', '..', 'parity', 'data');

describe('Gride', () => {
  it('from coordinates (block neighbours up to rangeMax) equals the stored-table path', async () => {
    const X = loadNpy(join(PARITY, 'gauss_D2_N500.npy'));
    const fresh = new Data(X);
    const a = await fresh.returnIdScalingGride({ rangeMax: 32 });
    // DADApy keeps the first maxk columns as the table when none was computed
    expect(fresh.nn!.maxk).toBe(32);
    const stored = new Data(X);
    await stored.computeDistances({ maxk: 40 });
    const b = await stored.returnIdScalingGride({ rangeMax: 32 });
    expect(Array.from(a.ids)).toEqual(Array.from(b.ids));
    expect(Array.from(a.radii)).toEqual(Array.from(b.radii));
    const ranks = await stored.returnIdScalingGride({ rangeMax: 32, returnRanks: true });
    expect(Array.from(ranks.scales)).toEqual([2, 4, 8, 16, 32]);
    // rangeMax beyond the table: computed from the coordinates
    const big = await stored.returnIdScalingGride({ rangeMax: 128 });
    expect(big.ids.length).toBe(7);
    expect(big.ids[4]).toBe(b.ids[4]);
  });

  it('ranks are the powers of two up to rangeMax; too large a rank is refused', async () => {
    expect(grideRanks(64)).toEqual([1, 2, 4, 8, 16, 32, 64]);
    expect(grideRanks(100)).toEqual([1, 2, 4, 8, 16, 32, 64]);
    await expect(grideScaling(uniformCube(64, 2, 1), { rangeMax: 64 })).rejects.toThrow(/needs more than 64 points/);
  });

  it('bisection finds the root of the score; the error is 1/sqrt(Fisher information)', () => {
    // mus from a Pareto(d = 3) law (n1 = 1, n2 = 2): the MLE is (M - 1) / sum log mu
    const M = 2000, d = 3;
    const mus = new Float64Array(M);
    for (let i = 0; i < M; i++) mus[i] = Math.pow(1 - (i + 0.5) / M, -1 / d);
    const f = filterMus(Float64Array.from(mus), 1, 2);
    let s = 0;
    for (const m of f.mus) s += Math.log(m);
    const g = grideSingleScale(Float64Array.from(mus), 1, 2);
    expect(g.id).toBeCloseTo((f.mus.length - 1) / s, 6);
    // Fisher information of the Pareto law: N / d^2
    expect(g.idErr).toBeCloseTo(g.id / Math.sqrt(M), 9);
  });

  it('bumps mus equal to 1 in place by 10 eps and drops the far tail', () => {
    const mus = Float64Array.from({ length: 100 }, (_, i) => 1 + i / 100);
    mus[99] = 1e6;
    const f = filterMus(mus, 1, Float64Array.from({ length: 100 }, (_, i) => i));
    expect(mus[0]).toBe(1 + 10 * EPS64);
    expect(f.mus.length).toBe(99);
    expect((f.n2 as Float64Array)[98]).toBe(98);
  });

  it('plots the scale curve against the radius or the rank, log axis', async () => {
    const nn = computeNeighborsSync(uniformCube(300, 2, 3), { maxk: 16 });
    const g = grideScalingFromTable(nn, { rangeMax: 16 });
    const byR = g.plot().spec as any;
    const byRank = g.plot({ x: 'rank' }).spec as any;
    expect(byR.layer[1].encoding.x.field).toBe('radius');
    expect(byRank.layer[1].encoding.x.field).toBe('rank');
    expect(byR.layer[1].encoding.x.scale.type).toBe('log');
    expect(byR.data.values.length).toBe(4);
    expect(g.summary()).toMatch(/^Gride ID scale curve: /);
  });
});

describe('shared numerics', () => {
  it('pairwiseSum is NumPy-exact in structure and close to the naive sum', () => {
    const a = Float64Array.from({ length: 1001 }, (_, i) => Math.sin(i) * 1e3 + 1 / (i + 1));
    let naive = 0;
    for (const v of a) naive += v;
    expect(pairwiseSum(a)).toBeCloseTo(naive, 8);
    expect(pairwiseSum([1, 2, 3])).toBe(6);
    expect(pairwiseSum([])).toBe(0);
  });

  it('trigamma and digamma at known values', () => {
    expect(trigamma(1)).toBeCloseTo(Math.PI ** 2 / 6, 13);
    expect(trigamma(0.5)).toBeCloseTo(Math.PI ** 2 / 2, 13);
    expect(trigamma(1000)).toBeCloseTo(1 / 1000 + 1 / (2 * 1000 ** 2) + 1 / (6 * 1000 ** 3), 15);
    expect(digamma(1)).toBeCloseTo(-0.5772156649015329, 13);
  });

  it('percentile (linear) as NumPy', () => {
    expect(percentileSorted([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentileSorted([1, 2, 3, 4, 10], 95)).toBeCloseTo(8.8, 12);
  });
});

describe('Gride rank bounds', () => {
  it('never asks for a rank beyond N - 1 (DADApy crashes when N is a power of two <= rangeMax)', async () => {
    const d = new Data(uniformCube(64, 2, 2));
    const g = await d.returnIdScalingGride({ rangeMax: 128 });
    expect(Array.from(g.ranks)).toEqual([2, 4, 8, 16, 32]);
  });
});

describe('attributes set with setAttr (DADApy names in camelCase)', () => {
  it('stores the Gride curve and its mus, and the decimation curve with the mus of every subset', async () => {
    const d = new Data(uniformCube(200, 2, 4), { rng: 2 });
    const g = await d.returnIdScalingGride({ rangeMax: 16, setAttr: true });
    expect(d.intrinsicDimGride).toBe(g.ids);
    expect(d.intrinsicDimScaleGride).toBe(g.radii);
    expect(d.intrinsicDimMusGride!.length).toBe(200 * 4);
    const s = await d.returnIdScaling2NN({ nMin: 40, setAttr: true });
    expect(d.intrinsicDimDecimation).toBe(s.ids);
    expect(d.intrinsicDimMusDecimation!.length).toBe(3);
    expect((d.intrinsicDimMusDecimation![2] as Float64Array[]).length).toBe(4); // 4 subsets of 50
    expect(d.intrinsicDim).toBe(s.last.id);
  });
});

describe('the scale curve with its bisections on the worker threads', () => {
  it('equals the single-thread curve bit for bit (ids, errors, radii, mus; mus equal to 1 and a filtered tail included)', async () => {
    const N = 3000, S = 8, w = S + 1;
    let seed = 11;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32; };
    const rd = new Float64Array(N * w);
    for (let p = 0; p < N; p++) {
      let r = 0.1 + rnd();
      for (let s = 0; s <= S; s++) { rd[p * w + s] = r; r *= p % 97 === 0 && s === 3 ? 1 : 1 + rnd() * (p % 211 === 0 ? 40 : 1); }
    }
    for (const workers of [1, 2]) {
      const a = grideScalingFromRankDistances(rd, N, S, { rangeMax: 2 ** S });
      const b = await grideScalingFromRankDistancesAsync(rd, N, S, { rangeMax: 2 ** S }, workers);
      expect(Array.from(b.ids)).toEqual(Array.from(a.ids));
      expect(Array.from(b.idsErr)).toEqual(Array.from(a.idsErr));
      expect(Array.from(b.radii)).toEqual(Array.from(a.radii));
      expect(Array.from(b.mus)).toEqual(Array.from(a.mus));
      expect(Array.from(b.ranks)).toEqual(Array.from(a.ranks));
    }
    await shutdownNeighborPool();
  }, 60_000);
});
