import { describe, expect, it } from 'vitest';
import { Data } from '../../lib/data';
import { uniqueRowsSorted } from '../../lib/data/base';
import { dedupe } from '../../lib/neighbors';
import { Matrix } from '../../lib/matrix';
import { collectWarnings } from '../../lib/runtime/warnings';
import { StateError } from '../../lib/errors';
import { uniformCube } from '../id/helpers';

// np.unique(X, axis=0, return_index=True, return_inverse=True) on NumPy 2.4.6:
// u = [[0, 5], [0.5, -1], [1, 1], [1, 2]], index = [1, 4, 5, 0], inverse = [3, 0, 3, 0, 1, 2, 1]
const X = Matrix.fromRows([[1, 2], [0, 5], [1, 2], [-0, 5], [0.5, -1], [1, 1], [0.5, -1]]);

describe("DADApy's removeIdenticalPoints and removeZeroDists", () => {
  it("uniqueRowsSorted is np.unique(axis=0): sorted rows, first copies, inverse", () => {
    const { kept, inverse } = uniqueRowsSorted(X);
    expect(Array.from(kept)).toEqual([1, 4, 5, 0]);
    expect(Array.from(inverse)).toEqual([3, 0, 3, 0, 1, 2, 1]);
  });

  it('removeIdenticalPoints replaces the points (sorted, as DADApy), recomputes the table, and returns the map', async () => {
    const d = new Data(X, { maxk: 6 });
    await d.computeDistances({ metric: 'manhattan' });
    const { value: r, warnings } = await collectWarnings(() => d.removeIdenticalPoints());
    expect(r.removed).toBe(3);
    expect(warnings.map((w) => w.message).join()).toMatch(/3 identical points were removed: 4 distinct points remain, sorted as np.unique/);
    expect(d.N).toBe(4);
    expect(d.maxk).toBe(3);
    expect(d.X!.toRows()).toEqual([[0, 5], [0.5, -1], [1, 1], [1, 2]]);
    expect(d.metric).toBe('euclidean'); // DADApy recomputes with compute_distances() defaults
    expect(d.distances!.length).toBe(16);
    expect(d.zeroDistanceRows!.length).toBe(0);
    // labels follow through the map
    const labels = ['a', 'b', 'a', 'b', 'c', 'd', 'c'];
    expect(Array.from(r.kept, (i) => labels[i])).toEqual(['b', 'c', 'd', 'a']);
    // dedupe keeps the original order instead
    expect(Array.from(dedupe(X).kept)).toEqual([0, 1, 4, 5]);
  });

  it('refuses to change the points under estimates already computed', async () => {
    const d = new Data(uniformCube(50, 2, 3));
    await d.computeId2NN();
    await expect(d.removeIdenticalPoints()).rejects.toThrow(StateError);
    await expect(d.removeIdenticalPoints()).rejects.toThrow(/intrinsicDim/);
  });

  it('removeZeroDists raises distances to other points below eps64 to eps64, in place', async () => {
    const d = new Data(X, { maxk: 3 });
    await d.computeDistances();
    expect(d.zeroDistanceRows!.length).toBeGreaterThan(0);
    const out = d.removeZeroDists();
    expect(out).toBe(d.distances);
    const w = 4;
    for (let i = 0; i < 7; i++) {
      expect(d.distances![i * w]).toBe(0);
      for (let j = 1; j < w; j++) expect(d.distances![i * w + j]).toBeGreaterThanOrEqual(2.220446049250313e-16);
    }
    expect(d.distances![1]).toBe(2.220446049250313e-16); // row 0's copy (row 2) at distance 0 before
    expect(d.zeroDistanceRows!.length).toBe(0);
    const rows = [[0, 0, 1], [0, 1e-20, 2]];
    expect(d.removeZeroDists(rows)).toEqual([[0, 2.220446049250313e-16, 1], [0, 2.220446049250313e-16, 2]]);
  });
});
