import { afterAll, expect, it } from 'vitest';
import { computeNeighbors, computeNeighborsSync, lastNeighborStats, shutdownNeighborPool, type Metric } from '../../lib/neighbors';
import { KD_PARALLEL_MIN } from '../../lib/neighbors/kdrows';
import { gaussian, grid } from './helpers';

afterAll(() => shutdownNeighborPool());

// The workers run native/knn.c's kd_rows where it is built (dist/native/knn.node), else kdRows in
// JavaScript: either way the table of the single-thread KdTree.query, bit for bit.
it('the kd-tree on the worker threads (native rows where built) gives the single-thread table bit for bit (metrics, periodic boxes, ties, D = 1 to 8)', async () => {
  const N = KD_PARALLEL_MIN + 300;
  const cases: [ReturnType<typeof gaussian>, Metric, number | null][] = [
    [gaussian(N, 2, 3), 'euclidean', null], [gaussian(N, 3, 4), 'manhattan', 2.5], [grid(N, 3, 7, 6), 'euclidean', 1.5],
    [gaussian(N, 1, 5), 'euclidean', null], [gaussian(N, 5, 6), 'chebyshev', null], [gaussian(N, 8, 8), 'euclidean', null],
    [grid(N, 8, 9, 3), 'euclidean', null], [gaussian(N, 6, 10), 'euclidean', 2], [grid(N, 2, 11, 5), 'manhattan', 3], [grid(N, 4, 12, 4), 'chebyshev', null],
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
