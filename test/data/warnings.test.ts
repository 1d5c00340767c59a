import { describe, expect, it } from 'vitest';
import { Data } from '../../lib/data';
import { collectWarnings } from '../../lib/runtime/warnings';
import { grideScalingFromTable } from '../../lib/id/gride';
import { computeNeighborsSync } from '../../lib/neighbors';
import { uniformCube } from '../id/helpers';

describe("the library's warnings go through the sink, in dadalab's words", () => {
  it('rangeMax above N - 1 warns (it used to cap silently)', async () => {
    const d = new Data(uniformCube(40, 2, 1));
    const { value, warnings } = await collectWarnings(() => d.returnIdScalingGride({ rangeMax: 64 }));
    expect(value.ranks.at(-1)).toBe(32);
    expect(warnings).toEqual([{ category: 'input', message: 'rangeMax = 64 but a point has at most N - 1 = 39 neighbours: Gride runs up to rank 39 (scales up to 32)' }]);
    const nn = computeNeighborsSync(uniformCube(100, 2, 2), { maxk: 10 });
    const t = await collectWarnings(() => grideScalingFromTable(nn, { rangeMax: 64 }));
    expect(t.warnings[0].message).toBe('rangeMax = 64 but the table holds 10 neighbours: Gride runs up to rank 10');
  });

  it('the information imbalance over subsets says what it did without Python words', async () => {
    const X = uniformCube(300, 3, 4), Y = uniformCube(300, 2, 5);
    const d = new Data(X);
    const a = await collectWarnings(() => d.returnInformationImbalance({ coordinates: Y, subsetSize: 500 }));
    expect(a.warnings.map((w) => w.message)).toEqual(['subsetSize = 500 is not below the N = 300 points: the imbalance is computed once, on all of them']);
    const b = await collectWarnings(() => d.returnInformationImbalance({ coordinates: Y, subsetSize: 100, repeats: 5 }));
    expect(b.warnings.map((w) => w.message)).toEqual(['repeats x subsetSize = 5 x 100 exceeds the N = 300 points: repeats set to floor(N / subsetSize) = 3']);
    for (const w of [...a.warnings, ...b.warnings]) expect(w.message).not.toMatch(/subset_size|dataset_size|\/\//);
  });

  it('categories: experimental, performance', async () => {
    const d = new Data(uniformCube(60, 2, 6));
    const kb = await collectWarnings(() => d.computeDensityKNN({ k: 5, bias: true }));
    expect(kb.warnings.map((w) => w.category)).toEqual(['experimental']);
    const v2 = await collectWarnings(() => d.computeClusteringADP({ v2: true }));
    expect(v2.warnings.some((w) => w.category === 'performance' && /memory-lean ADP/.test(w.message))).toBe(true);
  });
});
