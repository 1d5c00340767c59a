import { describe, expect, it } from 'vitest';
import { Matrix } from '../../lib/matrix';
import { Data } from '../../lib/data';
import {
  CausalGraph, autonomousSets, causalityImbalances, causalityInputRank, findCommunities, grid2d, periodMixed, ranksPresentForAllWeights,
} from '../../lib/compare';
import { DadalabError } from '../../lib/errors';
import { roesslerChain } from './roessler';

// three Roessler systems in a chain 0 -> 1 -> 2, coupled through x (eps 0.12); 9 variables
const { data, T } = roesslerChain({ eps: 0.12 });
const SYS = [[0, 1, 2], [3, 4, 5], [6, 7, 8]];

function slice(cols: number[], shift: number, n: number, stride: number): Matrix {
  const out = new Float64Array(n * cols.length);
  for (let s = 0; s < n; s++) cols.forEach((c, j) => { out[s * cols.length + j] = data[(s * stride + shift) * 9 + c]; });
  return new Matrix(out, n, cols.length);
}

describe('causality between coupled Roessler systems', () => {
  it('the causal imbalance gain: adding a little of the driver lowers the imbalance to the future, adding the driven does not', async () => {
    const n = 600, stride = 2, tau = 5;
    const gain = async (c: number, e: number) => {
      const imbs = await causalityImbalances({
        causePresent: slice(SYS[c], 0, n, stride), effectPresent: slice(SYS[e], 0, n, stride),
        effectFuture: slice(SYS[e], tau, n, stride), weights: [0, 0.1], k: 1,
      });
      return imbs[0] - imbs[1];
    };
    expect(await gain(0, 1)).toBeGreaterThan(0);
    expect(await gain(1, 0)).toBeLessThan(0);
    expect(await gain(1, 2)).toBeGreaterThan(0);
    expect(await gain(2, 1)).toBeLessThan(0);
    // the same imbalances from precomputed present tables
    const C = slice(SYS[0], 0, 200, 2), E = slice(SYS[1], 0, 200, 2), F = slice(SYS[1], 5, 200, 2);
    const direct = await causalityImbalances({ causePresent: C, effectPresent: E, effectFuture: F, weights: [0, 0.5] });
    const tables = await ranksPresentForAllWeights({ causePresent: C, effectPresent: E, weights: [0, 0.5] });
    expect(tables[0].length).toBe(200 * 200);
    expect(await causalityInputRank({ ranksPresent: tables, effectFuture: F })).toEqual(direct);
  });

  it('the causal graph recovers the driving direction 0 -> 1 -> 2', async () => {
    const g = new CausalGraph(new Matrix(data, T, 9));
    const r = await g.optimizePresentToFuture({
      numSamples: 150, timeLags: [20], numEpochs: 40, optimizerName: 'adam', learningRate: 0.01,
      learningRateDecay: 'cos', pointAdaptLambda: true, kInit: 5, kFinal: 5,
    });
    expect(r.weightsFinal.length).toBe(9);
    const adj = g.computeAdjMatrix({ threshold: 0.1 });
    // system-level strength: the largest weight of any variable of a in the future of any variable of b
    const S = (a: number, b: number) => Math.max(...SYS[a].flatMap((s) => SYS[b].map((t) => adj.strength[s][t])));
    expect(S(0, 1)).toBeGreaterThan(2 * S(1, 0));
    expect(S(1, 2)).toBeGreaterThan(2 * S(2, 1));
    const sysAdj = [0, 1, 2].map((a) => [0, 1, 2].map((b) => (a !== b && S(a, b) > 0.06 ? 1 : 0)));
    expect(sysAdj).toEqual([[0, 1, 0], [0, 0, 1], [0, 0, 0]]);
    expect(findCommunities(sysAdj)).toEqual([
      { id: 0, level: 0, variables: [0] }, { id: 1, level: 1, variables: [1] }, { id: 2, level: 2, variables: [2] },
    ]);
    expect(adj.plot().spec).toHaveProperty('layer');
  }, 60000);

  it('communities and autonomous sets of a small graph', () => {
    // 0 <-> 1 drive 2; 3 independent
    const adj = [[0, 1, 1, 0], [1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]];
    expect(autonomousSets(adj)).toEqual([[0, 1], [0, 1], [0, 1, 2], [3]]);
    expect(findCommunities(adj)).toEqual([
      { id: 0, level: 0, variables: [3] }, { id: 1, level: 0, variables: [0, 1] }, { id: 2, level: 1, variables: [2] },
    ]);
  });

  it('period helpers and errors', async () => {
    expect(Array.from(periodMixed(2, [1, 3], 2, 2, 0.5, 1)!)).toEqual([1, 1, 1, 3]);
    expect(Array.from(periodMixed(2, 4, 1, 1, 0, 1)!)).toEqual([2, 4]); // a zero weight leaves the period
    expect(periodMixed(null, null, 1, 1)).toBeNull();
    expect(() => periodMixed(1, null, 1, 1)).toThrow(DadalabError);
    expect(grid2d([1, 2], [3, 4])).toEqual([[1, 3], [2, 3], [1, 4], [2, 4]]);
    const d = new Data(slice([0, 1, 2], 0, 50, 2));
    await expect(d.returnInfImbCausality({ causePresent: slice([0], 0, 50, 2), effectPresent: slice([3], 0, 40, 2), effectFuture: slice([3], 5, 50, 2), weights: [0] })).rejects.toThrow(/Number of points/);
  });
});
