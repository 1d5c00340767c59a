import { describe, expect, it } from 'vitest';
import { Data } from '../../lib/data';
import { FeatureWeighting } from '../../lib/compare/dii';
import { Matrix } from '../../lib/matrix';
import { uniformCube } from '../id/helpers';

describe("FeatureWeighting's methods on Data (DADApy's Data inherits them)", () => {
  const Z = uniformCube(30, 4, 11);
  const gt = new Matrix(Z.data.map((v, t) => v * [5, 1, 0.01, 0.01][t % 4]), 30, 4);

  it('give the same numbers as the FeatureWeighting class, under the same names', async () => {
    const d = new Data(Z), f = new FeatureWeighting(Z);
    expect(d.returnOptimalLambda()).toBe(f.returnOptimalLambda());
    expect(d.returnOptimalLambda({ fraction: 0.5 })).toBe(f.returnOptimalLambda({ fraction: 0.5 }));
    expect(d.returnDii({ targetData: gt })).toBe(f.returnDii({ targetData: gt }));
    const w = [1, 0.5, 0.2, 0.1];
    expect(Array.from(d.returnDiiGradient({ targetData: gt, weights: w }))).toEqual(Array.from(f.returnDiiGradient({ targetData: gt, weights: w })));
    const a = await d.returnWeightsOptimizeDii({ targetData: gt, nEpochs: 8, learningRate: 1 });
    const b = await f.returnWeightsOptimizeDii({ targetData: gt, nEpochs: 8, learningRate: 1 });
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
    expect(d.history.diiPerEpoch).toEqual(b.diiPerEpoch);
    const be = await d.returnBackwardGreedyDiiElimination({ targetData: gt, nEpochs: 5, learningRate: 1 });
    expect(be.diis.length).toBe(4);
    const lasso = await d.returnLassoOptimizationDiiSearch({ targetData: gt, nEpochs: 5, learningRate: 1, l1Penalties: [0, 0.1] });
    expect(lasso.numNonzeroFeatures.length).toBe(4);
    expect(d.fullDistanceMatrix.length).toBe(900);
  });

  it('take another Data object (its coordinates and period) as the target, and use their own period', async () => {
    const target = new Data(gt);
    const d = new Data(Z);
    expect(d.returnDii({ targetData: target })).toBe(new FeatureWeighting(Z).returnDii({ targetData: gt }));
    const p = new Data(Z, { period: 1 });
    expect(p.returnDii({ targetData: gt })).toBe(new FeatureWeighting(Z, { period: 1 }).returnDii({ targetData: gt }));
    expect(p.returnDii({ targetData: gt })).not.toBe(d.returnDii({ targetData: gt }));
  });

  it('refuse a missing target and unknown options', () => {
    const d = new Data(Z);
    expect(() => d.returnDii({} as never)).toThrow(/target space of the DII is missing/);
    expect(() => d.returnDii({ targetData: gt, lambda: 0.1 } as never)).toThrow(/returnDii has no option 'lambda' \(did you mean 'lambd'\?\)/);
  });
});
