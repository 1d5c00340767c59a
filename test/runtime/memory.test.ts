/**
 * Operations that allocate N x maxk, N x N or N x D x D arrays estimate what they need first and
 * are refused, before allocating, with a MemoryLimitError giving the figure and the alternative.
 * A small budget (setMemoryBudget) keeps the tests cheap: the same check guards the big cases
 * (computeDistances on 200,000 x 4,096, BMTI on 20,000 x 768).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Data } from '../../lib/data';
import { MemoryLimitError } from '../../lib/errors';
import { Matrix } from '../../lib/matrix';
import { computeNeighbors, computeNeighborsSync, crossNeighbors, forEachNeighborBlock } from '../../lib/neighbors';
import { neighborSearchBytes } from '../../lib/neighbors/options';
import { computeGrads } from '../../lib/density/grads';
import { correlationDimension } from '../../lib/id/correlation';
import { pcaId } from '../../lib/id/pca';
import { fullDistanceMatrix } from '../../lib/compare/dii';
import type { NeighGraph } from '../../lib/density/graph';
import { setMemoryBudget } from '../../lib/runtime/memory';
import { silenceWarnings } from '../../lib/runtime/warnings';
import { SeededRng } from '../../lib/stats/rng';

function uniform(n: number, d: number, seed = 3): Matrix {
  const rng = new SeededRng(seed);
  const data = new Float64Array(n * d);
  for (let i = 0; i < data.length; i++) data[i] = rng.random();
  return new Matrix(data, n, d);
}

let previous: number | null = null;
function budget(bytes: number): void {
  const prev = setMemoryBudget(bytes);
  previous ??= prev;
}
afterEach(() => {
  if (previous !== null) setMemoryBudget(null);
  previous = null;
});

async function refusal(f: () => unknown): Promise<MemoryLimitError> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(MemoryLimitError);
    return e as MemoryLimitError;
  }
  throw new Error('expected a MemoryLimitError, got a result');
}

describe('the neighbour table is estimated before it is allocated', () => {
  const X = uniform(1500, 20);

  it('computeDistances, computeNeighbors and computeNeighborsSync refuse a table over the budget, naming the size and what to do', async () => {
    budget(4 * 2 ** 20);
    for (const f of [
      () => new Data(X).computeDistances({ maxk: 1000 }),
      () => computeNeighbors(X, { maxk: 1000 }),
      () => computeNeighborsSync(X, { maxk: 1000, engine: 'exact-js' }),
    ]) {
      const e = await refusal(f);
      expect(e.message).toMatch(/1500 points x 20 coordinates with maxk = 1000/);
      expect(e.message).toMatch(/1500 x 1001 table/);
      expect(e.message).toMatch(/needs about [0-9.]+ MiB, more than the 4\.0 MiB available/);
      expect(e.fix).toMatch(/Lower maxk/);
      expect(e.fix).toMatch(/forEachNeighborBlock/);
    }
  });

  it('the same search fits when the budget allows it, with the same table', async () => {
    budget(4 * 2 ** 20);
    const t = computeNeighborsSync(X, { maxk: 10, engine: 'exact-js' });
    setMemoryBudget(null);
    const u = computeNeighborsSync(X, { maxk: 10, engine: 'exact-js' });
    expect(Array.from(t.indices)).toEqual(Array.from(u.indices));
  });

  it('forEachNeighborBlock counts the engine working memory (not the table, which it streams)', async () => {
    const bytes = neighborSearchBytes(1500, 20, { maxk: 1000, engine: 'wasm', precision: 'float32' }, false);
    expect(bytes).toBeLessThan(neighborSearchBytes(1500, 20, { maxk: 1000, engine: 'wasm', precision: 'float32' }, true));
    budget(bytes / 2);
    const e = await refusal(() => forEachNeighborBlock(X, { maxk: 1000, engine: 'wasm' }, () => undefined));
    expect(e.message).toMatch(/forEachNeighborBlock on 1500 points/);
  });

  it('crossNeighbors refuses a query table over the budget', async () => {
    budget(2 ** 20);
    const e = await refusal(() => crossNeighbors(uniform(1000, 20, 4), X, 1000));
    expect(e.message).toMatch(/crossNeighbors of 1000 query points among 1500 points/);
  });

  it('200,000 x 4,096 with maxk 100 is estimated at several GiB (the copy of the data the engine works on, and the table)', () => {
    const gib = neighborSearchBytes(200_000, 4096, { maxk: 100, engine: 'wasm', precision: 'float32' }, true) / 2 ** 30;
    expect(gib).toBeGreaterThan(9);
    expect(gib).toBeLessThan(12);
  });
});

describe('N x D x D, N x N and sampled-pair arrays', () => {
  it('BMTI on 20,000 points in 768 dimensions is refused before the 11.8-billion-element covariance array', () => {
    // the graph's shape is all computeGrads reads before allocating
    const g = { n: 20_000, nspar: 20_000 * 10, nindList: new Int32Array(0), nindIptr: new Int32Array(0), neighDists: new Float64Array(0), kstar: new Int32Array(0) } as unknown as NeighGraph;
    let err: unknown = null;
    try { computeGrads(g, new Float64Array(0), 768, 10, true); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(MemoryLimitError);
    expect((err as Error).message).toMatch(/20000 x 768 x 768 array/);
    expect((err as MemoryLimitError).fix).toMatch(/Reduce D first/);
  });

  it('computeDensityBMTI refuses on a budget too small for its covariances', async () => {
    const restore = silenceWarnings();
    try {
      const d = new Data(uniform(300, 60), { maxk: 20 });
      await d.computeId2NN();
      budget(4 * 2 ** 20);
      const e = await refusal(() => d.computeDensityBMTI());
      expect(e.message).toMatch(/300 x 60 x 60 array/);
    } finally {
      restore();
    }
  });

  it('the DII distance and rank matrices, the PCA Gram matrix and the correlation-dimension sample are checked', async () => {
    budget(2 ** 20);
    expect((await refusal(() => fullDistanceMatrix(uniform(600, 3)))).message).toMatch(/600 x 600 distance and rank matrices/);
    expect((await refusal(() => pcaId(uniform(600, 800)))).message).toMatch(/600 x 600 Gram matrix/);
    const e = await refusal(() => correlationDimension(uniform(2000, 3)));
    expect(e.message).toMatch(/Choosing rMin and rMax/);
    expect(e.fix).toMatch(/Pass rMin and rMax/);
  });
});
