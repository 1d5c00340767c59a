import { describe, expect, it } from 'vitest';
import { computeNeighbors, computeNeighborsSync, crossNeighbors } from '../../lib/neighbors';
import { Data } from '../../lib/data';
import { Matrix } from '../../lib/matrix';
import { SeededRng } from '../../lib/stats/rng';

function categorical(N: number, D: number, levels: number, seed: number): Matrix {
  const rng = new SeededRng(seed);
  return new Matrix(Float64Array.from(rng.integers(0, levels, N * D)), N, D);
}

describe("metric 'hamming' (DADApy: sklearn's fraction times the number of features)", () => {
  it('gives integer counts of differing coordinates, exact, ties by index', async () => {
    const X = categorical(300, 12, 3, 5);
    const t = await computeNeighbors(X, { maxk: 20, metric: 'hamming' });
    expect(t.metric).toBe('hamming');
    for (let i = 0; i < 300; i += 37) {
      // brute force: all distances of row i, sorted by (distance, index)
      const all = Array.from({ length: 300 }, (_, j) => {
        let s = 0;
        for (let c = 0; c < 12; c++) if (X.data[i * 12 + c] !== X.data[j * 12 + c]) s++;
        return [s, j];
      }).filter(([, j]) => j !== i).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      expect(t.indices[i * 21]).toBe(i);
      for (let m = 1; m <= 20; m++) {
        expect(t.distances[i * 21 + m]).toBe(all[m - 1][0]);
        expect(t.indices[i * 21 + m]).toBe(all[m - 1][1]);
      }
    }
    expect(Array.from(computeNeighborsSync(X, { maxk: 20, metric: 'hamming' }).indices)).toEqual(Array.from(t.indices));
    const q = await crossNeighbors(X.selectRows([0, 1]), X, 3, { metric: 'hamming' });
    expect(q.distances[0]).toBe(0);
  });

  it('on Data, and refused with a periodic box or an engine that has no hamming distance', async () => {
    const X = categorical(100, 6, 4, 2);
    const d = new Data(X);
    await d.computeDistances({ maxk: 10, metric: 'hamming' });
    expect(d.metric).toBe('hamming');
    expect(d.distances!.every((v) => Number.isInteger(v))).toBe(true);
    expect(() => computeNeighborsSync(X, { maxk: 5, metric: 'hamming', engine: 'wasm' })).toThrow(/engine 'wasm' has no hamming distance/);
    expect(() => computeNeighborsSync(X, { maxk: 5, metric: 'hamming', period: 3 })).toThrow(/euclidean' and 'manhattan' only/);
  });
});
