import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { CancelledError, clearCancel, requestCancel, setProgressSink } from '../../lib/runtime/progress';
import { correlationDimension, correlationDimensionAsync } from '../../lib/id/correlation';
import { densityPAk, densityPAkAsync } from '../../lib/density/pak';
import { computeKstar } from '../../lib/density/kstar';
import { computeNeighborsSync } from '../../lib/neighbors';
import { Data } from '../../lib/data';
import { uniformCube } from '../id/helpers';

afterEach(() => {
  setProgressSink(null);
  clearCancel();
});

/** A sink that records the updates and asks to stop at the first one. */
function stopAtFirstUpdate(seen: [string, number][]) {
  setProgressSink({ start: (label) => ({ update: (d) => { seen.push([label, d]); requestCancel(); }, finish: () => undefined }) });
}

describe('long loops report progress and stop at the next block on an interrupt', () => {
  it('the correlation dimension: the same numbers in blocks, and an interrupt lands after the first block', async () => {
    const X = uniformCube(1500, 40, 3);
    const sync = correlationDimension(X);
    const blocks = await correlationDimensionAsync(X);
    expect(blocks.id).toBe(sync.id);
    expect(Array.from(blocks.C)).toEqual(Array.from(sync.C));
    const seen: [string, number][] = [];
    stopAtFirstUpdate(seen);
    const d = new Data(X);
    await expect(d.computeIdCorrelation()).rejects.toThrow(CancelledError);
    expect(seen).toHaveLength(1);
    expect(seen[0][0]).toBe('correlation dimension');
    expect(seen[0][1]).toBeLessThan((1500 * 1499) / 2);
  });

  it('PAk: the same numbers in blocks, and an interrupt lands after the first block', async () => {
    const X = uniformCube(3000, 3, 5);
    const nn = computeNeighborsSync(X, { maxk: 30 });
    const ks = computeKstar(nn, 3).kstar;
    const sync = densityPAk(nn, 3, ks);
    const blocks = await densityPAkAsync(nn, 3, ks);
    expect(Array.from(blocks.logDen)).toEqual(Array.from(sync.logDen));
    const thisThread = await densityPAkAsync(nn, 3, ks, { workers: 0 });
    expect(Array.from(thisThread.logDen)).toEqual(Array.from(sync.logDen));
    const d = new Data(X, { maxk: 30 });
    await d.computeDistances();
    d.setId(3);
    d.setKstar(ks);
    const seen: [string, number][] = [];
    stopAtFirstUpdate(seen);
    await expect(d.computeDensityPAk()).rejects.toThrow(CancelledError);
    // the interrupt lands after the blocks already running on the workers (one per thread, in
    // blocks of 94 points), long before the 3000 points are done
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen.length).toBeLessThanOrEqual(Math.max(2, availableParallelism()));
    expect(seen[0][0]).toBe('PAk densities');
    expect(seen[seen.length - 1][1]).toBeLessThan(1000);
  });
});
