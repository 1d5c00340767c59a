import { describe, expect, it } from 'vitest';
import { Matrix } from '../../lib/matrix';
import { SeededRng } from '../../lib/stats/rng';
import { DadalabError } from '../../lib/errors';
import {
  DiffImbalance, FeatureWeighting, diiGradient, diiValue, fullDistanceMatrix, optimalLambda, rankMatrix,
} from '../../lib/compare';

function gaussian(n: number, d: number, seed: number, scales?: number[]): Matrix {
  const rng = new SeededRng(seed);
  const out = new Float64Array(n * d);
  for (let i = 0; i < n * d; i += 1) {
    const u = rng.random() || 1e-300, v = rng.random();
    out[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v) * (scales ? scales[i % d] : 1);
  }
  return new Matrix(out, n, d);
}

function fd(f: (w: Float64Array) => number, w: Float64Array, h = 1e-6): number[] {
  return Array.from(w, (_, a) => {
    const p = Float64Array.from(w), m = Float64Array.from(w);
    p[a] += h; m[a] -= h;
    return (f(p) - f(m)) / (2 * h);
  });
}

describe('DII (FeatureWeighting, NumPy version)', () => {
  const X = gaussian(40, 4, 1);
  const B = new Matrix(X.data.map((v, t) => v * [3, 1, 0.2, 2][t % 4]), 40, 4);
  const RB = rankMatrix(fullDistanceMatrix(B), 40);

  it('rank matrix puts the point itself last and the nearest neighbour first', () => {
    const Y = new Matrix(Float64Array.from({ length: 10 }, (_, i) => i * i), 10, 1);
    const R = rankMatrix(fullDistanceMatrix(Y), 10);
    for (let i = 0; i < 10; i++) expect(R[i * 10 + i]).toBe(10);
    for (let i = 1; i < 10; i++) expect(R[i * 10 + i - 1]).toBe(1);
  });

  it("DADApy's gradient is half the derivative of the DII at fixed lambda", () => {
    const w = Float64Array.from([0.3, 0.5, 0.7, 0.2]);
    const lambda = 0.1;
    const g = diiGradient(fullDistanceMatrix(X, null, w), X, RB, w, lambda);
    const num = fd((ww) => diiValue(fullDistanceMatrix(X, null, ww), RB, 40, lambda), w);
    for (let a = 0; a < 4; a++) expect(num[a] / g[a]).toBeCloseTo(2, 5);
    // zero weights have zero gradient
    const w0 = Float64Array.from([0, 0.5, 0.7, 0.2]);
    expect(diiGradient(fullDistanceMatrix(X, null, w0), X, RB, w0, lambda)[0]).toBe(0);
  });

  it('the DII tends to the classic imbalance as lambda -> 0 and is ~1 for unrelated spaces', () => {
    const D = fullDistanceMatrix(B);
    const same = diiValue(D, RB, 40, 1e-6);
    expect(same).toBeCloseTo(2 / 40, 10); // every nearest neighbour has rank 1: (2/N^2) N
    const R = rankMatrix(fullDistanceMatrix(gaussian(40, 4, 9)), 40);
    expect(diiValue(D, R, 40, optimalLambda(D, 40))).toBeGreaterThan(0.6);
  });

  it('learns to weight the informative features (DADApy test: scales [1, 1, 1e-3, 1e-3, 1e-3])', async () => {
    const Z = gaussian(20, 5, 3);
    const data = new Matrix(Z.data.map((v, t) => v * [1, 1, 1e-3, 1e-3, 1e-3][t % 5]), 20, 5);
    const f = new FeatureWeighting(Z);
    // automatic learning rate (screened on the data), as in DADApy's test
    const r = await f.returnWeightsOptimizeDii({ targetData: data, nEpochs: 40, constrain: true, initialWeights: 1 });
    expect([0.001, 0.01, 0.1, 1, 10, 50, 100, 200]).toContain(r.learningRate);
    for (let a = 2; a < 5; a++) {
      expect(r.weights[0]).toBeGreaterThanOrEqual(r.weights[a]);
      expect(r.weights[1]).toBeGreaterThanOrEqual(r.weights[a]);
    }
    expect(r.diiPerEpoch[40]).toBeLessThan(r.diiPerEpoch[0]);
    expect(r.weightsPerEpoch.rows).toBe(41);
    expect(r.plot().spec).toHaveProperty('vconcat');
  });

  it('backward elimination and the lasso search have DADApy shapes', async () => {
    const Z = gaussian(20, 4, 5);
    const gt = new Matrix(Z.data.map((v, t) => v * [5, 1, 0.01, 0.01][t % 4]), 20, 4);
    const f = new FeatureWeighting(Z);
    const be = await f.returnBackwardGreedyDiiElimination({ targetData: gt, nEpochs: 10, learningRate: 1 });
    expect(be.diis.length).toBe(4);
    expect(be.weights.rows).toBe(4);
    // the last run keeps one feature: the informative one
    const last = Array.from(be.weights.data.slice(12, 16));
    expect(last.filter((v) => v !== 0).length).toBe(1);
    expect(last[0]).toBeGreaterThan(0);
    const lasso = await f.returnLassoOptimizationDiiSearch({ targetData: gt, nEpochs: 10, learningRate: 1, l1Penalties: [0, 0.01, 0.1, 1] });
    expect(lasso.numNonzeroFeatures.length).toBe(4);
    expect(lasso.weightsOptPerNfeatures.rows).toBe(4);
  });

  it('refuses bad options', async () => {
    const f = new FeatureWeighting(X);
    expect(() => new FeatureWeighting(X, { period: [1, 2] })).toThrow(DadalabError);
    await expect(f.returnWeightsOptimizeDii({ targetData: B, learningRate: 0.1, decayingLr: 'linear' as never })).rejects.toThrow(/decayingLr/);
    await expect(f.returnWeightsOptimizeDii({ targetData: gaussian(10, 2, 1), learningRate: 0.1 })).rejects.toThrow(/points/);
  });
});

describe('DiffImbalance (mini-batch, analytic gradient)', () => {
  const A = gaussian(50, 3, 2);
  const B = new Matrix(A.data.map((v, t) => v * [10, 3, 100][t % 3]), 50, 3);

  for (const pointAdaptLambda of [true, false]) {
    it(`the gradient matches finite differences (point-adaptive lambda: ${pointAdaptLambda}, k = 3)`, () => {
      const di = new DiffImbalance(A, B, { pointAdaptLambda, kInit: 3, kFinal: 3 });
      const p = Float64Array.from([0.3, 0.5, 0.7]);
      const b = di.batch(null);
      const g = di.diiAndGrad(p, b, 0).grad!;
      const num = fd((w) => di.diiAndGrad(w, b, 0, false).value, p);
      for (let a = 0; a < 3; a++) expect(g[a]).toBeCloseTo(num[a], 7);
    });
  }

  it('the gradient matches finite differences with periods, groups and subsampled rows', () => {
    const di = new DiffImbalance(A, B, { periodsA: [2, 0, 3], paramsGroups: [2, 1], numPointsRows: 30, rng: new SeededRng(1), kInit: 2, kFinal: 2 });
    const p = Float64Array.from([0.4, 0.9]);
    const b = di.batch(Int32Array.from({ length: 15 }, (_, i) => 2 * i));
    const g = di.diiAndGrad(p, b, 0).grad!;
    const num = fd((w) => di.diiAndGrad(w, b, 0, false).value, p);
    for (let a = 0; a < 2; a++) expect(g[a]).toBeCloseTo(num[a], 7);
  });

  it('training finds the feature that dominates B (feature 2, scaled by 100)', async () => {
    const di = new DiffImbalance(A, B, { numEpochs: 30, learningRate: 0.1, learningRateDecay: 'cos', pointAdaptLambda: false, kInit: 10, kFinal: 1 });
    const tr = await di.train();
    expect(tr.paramsTraining.rows).toBe(31);
    expect(tr.imbsTraining[30]).toBeLessThan(tr.imbsTraining[0]);
    expect(tr.paramsFinal[2]).toBeGreaterThan(tr.paramsFinal[1]);
    // the norm of the weights is kept
    expect(Math.hypot(...tr.paramsFinal)).toBeCloseTo(Math.hypot(0.1, 0.1, 0.1), 12);
    const fin = di.returnFinalDii({ computeError: true, seed: 0 });
    expect(fin.errorFinal).toBeGreaterThan(0);
    expect(di.returnFinalDii({ computeError: false }).errorFinal).toBeNull();
    // masking the time-close points: dci = 0 is the unmasked square DII up to the rank offset
    const sq = di.returnFinalDii({ computeError: false }).imbFinal;
    const masked = di.returnFinalDii({ computeError: false, discardCloseInd: 2 }).imbFinal;
    expect(masked).toBeGreaterThan(0);
    expect(Math.abs(masked - sq)).toBeLessThan(0.2);
    const adam = new DiffImbalance(A, B, { numEpochs: 10, batchesPerEpoch: 5, optimizerName: 'adam', learningRate: 0.1, l1Strength: 1e-4, paramsInit: [10, 10, 10] });
    const ta = await adam.train();
    expect(ta.imbsTraining.length).toBe(11);
    expect(ta.summary()).toMatch(/DII/);
  });

  it('greedy selection with the DII: forward adds, backward removes the informative features in order', async () => {
    const A2 = gaussian(40, 3, 4);
    const B2 = new Matrix(A2.data.map((v, t) => v * [5, 0.001, 1][t % 3]), 40, 3);
    const di = new DiffImbalance(A2, B2, { numEpochs: 10, learningRate: 0.1, pointAdaptLambda: false });
    const fw = await di.forwardGreedyFeatureSelection({ nBest: 1 });
    expect(fw.bestFeatureSets).toEqual([[0], [0, 2], [0, 1, 2]]);
    expect(fw.bestDiis[1]).toBeLessThan(fw.bestDiis[0]);
    await di.train();
    const bw = await di.backwardGreedyFeatureSelection({ nBest: 1 });
    expect(bw.bestFeatureSets).toEqual([[0, 1, 2], [0, 2], [0]]);
    expect(bw.summary()).toMatch(/backward/);
  });

  it('greedy selection scores only diverging candidates as the worst: a configuration error surfaces as itself', async () => {
    const A2 = gaussian(40, 3, 4);
    const B2 = new Matrix(A2.data.map((v, t) => v * [5, 0.001, 1][t % 3]), 40, 3);
    // 9 rows cannot be split into 2 equal batches: every candidate's training refuses the same way
    const di = new DiffImbalance(A2, B2, { numEpochs: 3, numPointsRows: 9, batchesPerEpoch: 2 });
    await expect(di.forwardGreedyFeatureSelection({ nBest: 1 })).rejects.toThrow(/9 rows cannot be split into 2 equal batches/);
    // a training that diverges (an L1 strength that zeroes every weight) is a ConvergenceError
    const { ConvergenceError } = await import('../../lib/errors');
    const zeroed = new DiffImbalance(A2, B2, { numEpochs: 5, l1Strength: 1e6, learningRate: 1 });
    await expect(zeroed.train()).rejects.toBeInstanceOf(ConvergenceError);
  });

  it('refuses bad options', () => {
    expect(() => new DiffImbalance(A, B, { optimizerName: 'rmsprop' })).toThrow(DadalabError);
    expect(() => new DiffImbalance(A, B, { kInit: 1, kFinal: 3 })).toThrow(/kInit/);
    expect(() => new DiffImbalance(A, gaussian(20, 3, 1))).toThrow(/points/);
    expect(() => new DiffImbalance(A, B).returnFinalDii()).toThrow(/train/);
  });
});
