import { afterAll, expect, it } from 'vitest';
import { computeNeighbors, computeNeighborsSync, lastNeighborStats, shutdownNeighborPool, type NeighborTable } from '../../lib/neighbors';
import { symSchedule } from '../../lib/neighbors/wasm';
import { gaussian, grid } from './helpers';

afterAll(() => shutdownNeighborPool());

function same(a: NeighborTable, b: NeighborTable): void {
  expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
  expect(Array.from(a.distances)).toEqual(Array.from(b.distances));
}

it('the symmetric schedule covers every tile once, with disjoint blocks in each round', () => {
  for (const nb of [3, 4, 5, 8, 13]) {
    const seen = new Set<string>();
    for (const round of symSchedule(nb)) {
      const used = new Set<number>();
      for (const [I, J, sym] of round) {
        expect(used.has(I) || used.has(J)).toBe(false);
        used.add(I); used.add(J);
        expect(sym).toBe(I === J ? 0 : 1);
        expect(I <= J).toBe(true);
        const key = `${I},${J}`;
        expect(seen.has(key)).toBe(false);
        seen.add(key);
      }
    }
    expect(seen.size).toBe((nb * (nb + 1)) / 2);
  }
});

it('symmetric tiles give the exact table (euclidean, cosine; float32, float64; 1 and 2 workers; sync)', async () => {
  for (const [X, metric] of [[gaussian(1100, 40, 5), 'euclidean'], [gaussian(900, 300, 6, true), 'euclidean'], [grid(800, 16, 7, 3), 'euclidean'], [gaussian(1000, 30, 8), 'cosine']] as const) {
    const k = 15;
    const ref = computeNeighborsSync(X, { maxk: k, metric, engine: 'exact-js' });
    for (const precision of ['float32', 'float64'] as const) {
      same(computeNeighborsSync(X, { maxk: k, metric, engine: 'wasm', precision }), ref);
      expect(lastNeighborStats()?.symmetric).toBe(true);
      same(await computeNeighbors(X, { maxk: k, metric, engine: 'wasm', precision, workers: 1 }), ref);
      expect(lastNeighborStats()?.symmetric).toBe(true);
      same(await computeNeighbors(X, { maxk: k, metric, engine: 'wasm', precision, workers: 2 }), ref);
      expect(lastNeighborStats()?.symmetric).toBe(true);
      same(await computeNeighbors(X, { maxk: k, metric, engine: 'wasm', precision, symmetric: false }), ref);
      expect(lastNeighborStats()?.symmetric).toBe(false);
      expect(lastNeighborStats()?.fallbackRows).toBeLessThan(X.rows / 10);
    }
  }
});
