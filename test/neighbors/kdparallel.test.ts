import { afterAll, expect, it } from 'vitest';
import { computeNeighbors, computeNeighborsSync, lastNeighborStats, shutdownNeighborPool, type Metric } from '../../lib/neighbors';
import { KD_PARALLEL_MIN } from '../../lib/neighbors/kdrows';
import { gaussian, grid } from './helpers';

afterAll(() => shutdownNeighborPool());

it('the kd-tree on the worker threads gives the single-thread table bit for bit (metrics, periodic boxes, ties)', async () => {
  const N = KD_PARALLEL_MIN + 300;
  const cases: [ReturnType<typeof gaussian>, Metric, number | null][] = [
    [gaussian(N, 2, 3), 'euclidean', null], [gaussian(N, 3, 4), 'manhattan', 2.5], [grid(N, 3, 7, 6), 'euclidean', 1.5],
  ];
  for (const [X, metric, period] of cases) {
    const ref = computeNeighborsSync(X, { maxk: 20, metric, period, engine: 'kdtree' });
    for (const workers of [1, 2]) {
      const t = await computeNeighbors(X, { maxk: 20, metric, period, engine: 'kdtree', workers });
      expect(lastNeighborStats()?.workers).toBe(workers);
      expect(Array.from(t.indices)).toEqual(Array.from(ref.indices));
      expect(Array.from(t.distances)).toEqual(Array.from(ref.distances));
    }
  }
}, 300_000);
