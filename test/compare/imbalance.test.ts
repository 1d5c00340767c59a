import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Data } from '../../lib/data';
import { Matrix } from '../../lib/matrix';
import { computeNeighborsSync } from '../../lib/neighbors';
import { loadNpy } from '../../lib/io';
import { ReplayRng, SeededRng } from '../../lib/stats/rng';
import { DadalabError } from '../../lib/errors';
import {
  conditionalRanks, imbalancePair, imbalancePairAsync, imbalanceProfile, informationImbalance, informationImbalanceSubsets, jackknifeImbalance,
  npRound3, pyFrozenset, pyRound3, pySetOfFrozensets,
} from '../../lib/compare';

const DATA = join(__dirname, '../../parity/data');
const aniso = () => loadNpy(join(DATA, 'ii_aniso_D6_N400.npy')).toFloat64();
const anisoNoisy = () => loadNpy(join(DATA, 'ii_aniso_D6_N400_noisy.npy')).toFloat64();

function gaussian(n: number, d: number, seed: number, scales?: number[]): Matrix {
  const rng = new SeededRng(seed);
  const out = new Float64Array(n * d);
  for (let i = 0; i < n * d; i += 1) {
    const u = rng.random() || 1e-300, v = rng.random();
    out[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v) * (scales ? scales[i % d] : 1);
  }
  return new Matrix(out, n, d);
}

describe('information imbalance: meaning', () => {
  it('a space and its noisy copy have a small imbalance both ways', async () => {
    const d = new Data(aniso());
    const r = await d.returnInformationImbalance({ coordinates: anisoNoisy(), k: 1 });
    expect(r.imbXToY[0]).toBeLessThan(0.1);
    expect(r.imbYToX[0]).toBeLessThan(0.1);
    // and both far from an unrelated space
    const [a, b] = imbalancePair(aniso(), gaussian(400, 6, 1));
    expect(a).toBeGreaterThan(0.8);
    expect(b).toBeGreaterThan(0.8);
  });

  it('the full space predicts one of its coordinates, not the other way round', async () => {
    const d = new Data(aniso(), { maxk: 399 });
    const r = await d.returnInfImbFullSelectedCoords({ coordList: [[0], [5]], k: 1 });
    // row 0: full -> coords (small for the dominant coordinate), row 1: coords -> full (large)
    expect(r.targetToCoords[0]).toBeLessThan(0.2);
    expect(r.coordsToTarget[0]).toBeGreaterThan(0.45);
    expect(r.coordsToTarget[0]).toBeGreaterThan(2 * r.targetToCoords[0]);
    // the smallest coordinate is nearly independent of the full space both ways
    expect(r.targetToCoords[1]).toBeGreaterThan(0.8);
    expect(r.summary()).toMatch(/Δ\(full → coords\)/);
  });

  it('x2 = 5 sin(25 x1) is predicted by x1 and not the other way', () => {
    const rng = new SeededRng(4);
    const N = 500;
    const x1 = new Float64Array(N), x2 = new Float64Array(N);
    for (let i = 0; i < N; i++) { x1[i] = rng.random(); x2[i] = 5 * Math.sin(25 * x1[i]); }
    const [a, b] = imbalancePair(new Matrix(x1, N, 1), new Matrix(x2, N, 1));
    expect(a).toBeLessThan(0.05);
    expect(b).toBeGreaterThan(0.2);
    expect(b).toBeGreaterThan(5 * a);
  });

  it('agrees with the DADApy test values of the aniso fixture (exact arithmetic order)', async () => {
    const d = new Data(aniso(), { maxk: 399 });
    const r = await d.returnInfImbTwoSelectedCoords({ coords1: [0], coords2: [0, 1], k: 1 });
    expect(r.imbCoords1ToCoords2).toBe(0.41332500000000005);
    expect(r.imbCoords2ToCoords1).toBe(0.0608);
  });
});

describe('information imbalance: ranks and random draws', () => {
  it('ranks come from the column positions; ranks beyond maxk are drawn in DADApy order and size', () => {
    const X = aniso();
    const full = computeNeighborsSync(X.selectColumns([0, 1]), { maxk: 399 });
    const small = computeNeighborsSync(X.selectColumns([4, 5]), { maxk: 5 });
    // count the missing entries
    const ranksFull = conditionalRanks(full, computeNeighborsSync(X.selectColumns([4, 5]), { maxk: 399 }), { k: 2 });
    let missing = 0;
    for (const r of ranksFull) if (r > 5) missing++;
    expect(missing).toBeGreaterThan(100);
    const draws = Array.from({ length: missing }, (_, i) => ({ method: 'integers', args: [], kwargs: { low: 6, high: 400, size: 1 }, result: [6 + (i % 394)] }));
    const replay = new ReplayRng(draws);
    const ranks = conditionalRanks(full, small, { k: 2, rng: replay });
    expect(replay.remaining).toBe(0);
    let t = 0;
    for (let i = 0; i < ranks.length; i++) {
      if (ranksFull[i] > 5) expect(ranks[i]).toBe(6 + (t++ % 394));
      else expect(ranks[i]).toBe(ranksFull[i]);
    }
  });

  it('the distance-counting path equals the table path, random draws included', () => {
    const A = gaussian(150, 3, 2), B = gaussian(150, 2, 3);
    const exact = imbalancePair(A, B, { k: 2 });
    const tA = computeNeighborsSync(A, { maxk: 149 }), tB = computeNeighborsSync(B, { maxk: 149 });
    expect(exact[0]).toBe(informationImbalance(tA, tB, { k: 2 }));
    expect(exact[1]).toBe(informationImbalance(tB, tA, { k: 2 }));
    const sA = computeNeighborsSync(A, { maxk: 20 }), sB = computeNeighborsSync(B, { maxk: 20 });
    const r1 = new SeededRng(9), r2 = new SeededRng(9);
    const viaTables = [informationImbalance(sA, sB, { k: 2, rng: r1 }), informationImbalance(sB, sA, { k: 2, rng: r1 })];
    expect(imbalancePair(A, B, { k: 2, maxk: 20, rng: r2 })).toEqual(viaTables);
  });

  it('short engine tables plus exact counting for the neighbours outside them give the same numbers', async () => {
    const A = gaussian(300, 12, 2), B = gaussian(300, 10, 3);
    expect(await imbalancePairAsync(A, B, { k: 3, tableK: 5 })).toEqual(imbalancePair(A, B, { k: 3 }));
    const r1 = new SeededRng(5), r2 = new SeededRng(5);
    expect(await imbalancePairAsync(A, B, { k: 1, tableK: 10, maxk: 50, rng: r1 })).toEqual(imbalancePair(A, B, { k: 1, maxk: 50, rng: r2 }));
  });

  it('unrelated spaces: the ranks outside the tables counted by the wasm engine give the same numbers (ties, duplicates, cosine)', async () => {
    const A = gaussian(700, 12, 12), B = gaussian(700, 40, 13);
    for (let i = 9; i < 700; i += 9) B.data.copyWithin(i * 40, (i - 4) * 40, (i - 3) * 40); // duplicate points in B
    for (const metric of ['euclidean', 'cosine'] as const) {
      expect(await imbalancePairAsync(A, B, { k: 2, tableK: 5, metric })).toEqual(imbalancePair(A, B, { k: 2, metric }));
      // B's table and the ranks in one pass (what the hint asks for after a pair with many misses)
      const hint = { manyMisses: true };
      expect(await imbalancePairAsync(A, B, { k: 2, tableK: 5, metric, hint })).toEqual(imbalancePair(A, B, { k: 2, metric }));
      expect(hint.manyMisses).toBe(true); // unrelated: most neighbours fell outside the tables again
    }
  });

  it('related spaces with some neighbours outside the tables: those rows counted by the engine (rows mode) give the same numbers', async () => {
    // B = A + small noise, with 60 of 1500 points moved far: a few dozen rows miss (between the
    // JS rows and the whole count), each of 1500 x 600 distances
    const A = gaussian(1500, 600, 21), B = gaussian(1500, 600, 22);
    for (let i = 0; i < B.data.length; i++) B.data[i] = A.data[i] + 0.05 * B.data[i];
    for (let i = 0; i < 1500; i += 25) for (let t = 0; t < 600; t++) B.data[i * 600 + t] = 3 * Math.sin(i + t);
    for (const metric of ['euclidean', 'cosine'] as const) {
      expect(await imbalancePairAsync(A, B, { k: 2, tableK: 5, metric })).toEqual(imbalancePair(A, B, { k: 2, metric }));
    }
  }, 120_000);

  it('subsets: np.array_split pieces, a shorter last piece dropped, [mean, sem]', async () => {
    const X = gaussian(1050, 3, 5), Y = gaussian(1050, 3, 6);
    const r = await informationImbalanceSubsets(X, Y, { subsetSize: 500, rng: new SeededRng(1) });
    // 1050 // 500 = 2 pieces of 525 (tables of 499: some ranks random)
    expect(r.repeats).toBe(2);
    expect(r.perSubsetXToY.length).toBe(2);
    const m = (r.perSubsetXToY[0] + r.perSubsetXToY[1]) / 2;
    expect(r.imbXToY[0]).toBeCloseTo(m, 14);
    const r3 = await informationImbalanceSubsets(X, Y, { subsetSize: 300, rng: new SeededRng(1) });
    // 3 pieces of 350 each: none dropped
    expect(r3.repeats).toBe(3);
    const r4 = await informationImbalanceSubsets(gaussian(1001, 2, 1), gaussian(1001, 2, 2), { subsetSize: 250, rng: new SeededRng(1), avg: false });
    // 4 pieces 251, 250, 250, 250: the last differs from the one before? no -> kept
    expect(r4.repeats).toBe(4);
    const r5 = await informationImbalanceSubsets(gaussian(1003, 2, 1), gaussian(1003, 2, 2), { subsetSize: 250, rng: new SeededRng(1), avg: false });
    // 251, 251, 251, 250: the last is shorter -> dropped
    expect(r5.repeats).toBe(3);
    expect(r5.imbXToY.length).toBe(3);
  });

  it('imbalance profile: the full space predicts its projections, which lose information', async () => {
    const X = aniso();
    const p = await imbalanceProfile([X.selectColumns([0, 1, 2, 3]), X.selectColumns([0, 1]), X.selectColumns([0])], { reference: X, rng: new SeededRng(1) });
    for (let i = 0; i < 3; i++) expect(p.fromReference[i]).toBeLessThan(p.toReference[i]);
    expect(p.toReference[2]).toBeGreaterThan(p.toReference[0]);
    expect(p.summary()).toMatch(/reference/);
  });

  it('jackknife: mean near 1 for independent coordinates, within 3 std', async () => {
    const X = gaussian(60, 2, 11);
    const r = await jackknifeImbalance(X.selectColumns([0]), X.selectColumns([1]), { rng: new SeededRng(42) });
    expect(r.values.length).toBe(60);
    expect(Math.abs(r.mean - 1)).toBeLessThan(3 * r.std + 0.1);
    expect(r.summary()).toMatch(/jackknife/);
  });

  it('bad input gets a DadalabError naming the fix', async () => {
    const a = computeNeighborsSync(gaussian(50, 2, 1), { maxk: 10 });
    const b = computeNeighborsSync(gaussian(40, 2, 1), { maxk: 10 });
    expect(() => informationImbalance(a, b)).toThrow(DadalabError);
    expect(() => informationImbalance(a, a, { k: 11 })).toThrow(/maxk >= 11/);
    const c = computeNeighborsSync(gaussian(50, 2, 2), { maxk: 3 });
    expect(() => informationImbalance(a, c)).toThrow(/rng/);
    const d = new Data(aniso());
    await expect(d.returnInfImbTwoSelectedCoords({ coords1: [0], coords2: [9] })).rejects.toThrow(/Coordinate 9/);
    await expect(d.returnInformationImbalance({ coordinates: gaussian(10, 2, 1) })).rejects.toThrow(/same points/);
    await expect(d.returnInfImbTargetAllCoords({ targetRanks: [[0, 1]] })).rejects.toThrow(/rows but there are 400/);
  });
});

describe('greedy selection: DADApy candidate order and rounding', () => {
  it('CPython set-of-frozensets order and frozenset hashes match CPython 3.11', () => {
    const fx = JSON.parse(readFileSync(join(__dirname, 'fixtures/pyset_cpython311.json'), 'utf8'));
    for (const c of fx.cases) expect(pySetOfFrozensets(c.lists)).toEqual(c.expected);
    expect(pyFrozenset([0, 1]).hash.toString()).toBe(fx.hashes['0,1']);
    expect(pyFrozenset([3, 9, 17]).hash.toString()).toBe(fx.hashes['3,9,17']);
  });

  it("rounds like Python's round and NumPy's round, ties to even", () => {
    expect(pyRound3(0.0625)).toBe(0.062);
    expect(pyRound3(0.1875)).toBe(0.188);
    expect(pyRound3(0.14400000000000002)).toBe(0.144);
    expect(pyRound3(1.0005)).toBe(1); // 1.0005 is below the tie in binary
    expect(npRound3(0.0625)).toBe(0.062);
    expect(npRound3(0.5128)).toBe(0.513);
  });

  it('target variants: d-plets and a precomputed target table (as a matrix of indices) agree with the full-space ones', async () => {
    const d = new Data(aniso(), { maxk: 399 });
    await d.computeDistances({ maxk: 399 });
    const dp = await d.returnInfImbFullAllDplets({ d: 2 });
    expect(dp.coordList.length).toBe(15);
    expect(dp.coordList[0]).toEqual([0, 1]);
    const sel = await d.returnInfImbFullSelectedCoords({ coordList: [[0, 1], [4, 5]] });
    expect(dp.imbalances.get(0, 0)).toBe(sel.imbalances.get(0, 0));
    expect(dp.imbalances.get(1, 14)).toBe(sel.imbalances.get(1, 1));
    const rows: number[][] = [];
    for (let i = 0; i < 400; i++) rows.push(Array.from(d.distIndices!.subarray(i * 400, (i + 1) * 400)));
    const tgt = await d.returnInfImbTargetSelectedCoords({ targetRanks: Matrix.fromRows(rows), coordList: [[0, 1], [4, 5]] });
    expect(Array.from(tgt.imbalances.data)).toEqual(Array.from(sel.imbalances.data));
    const gt = await d.greedyFeatureSelectionTarget({ targetRanks: rows, nCoords: 2, nBest: 3 });
    const gf = await d.greedyFeatureSelectionFull({ nCoords: 2, nBest: 3 });
    expect(gt.bestTuples).toEqual(gf.bestTuples);
    expect(gt.allImbalances).toEqual(gf.allImbalances);
  });

  it('selects the dominant coordinates of the aniso data first', async () => {
    const d = new Data(aniso(), { maxk: 399 });
    const g = await d.greedyFeatureSelectionFull({ nCoords: 2, nBest: 3 });
    expect(g.bestTuples).toEqual([[0], [0, 1]]);
    expect(g.bestImbalances.get(1, 0)).toBeLessThan(g.bestImbalances.get(0, 0));
    expect(g.summary()).toMatch(/best 2 features/);
  });
});
