import { afterAll, describe, expect, it } from 'vitest';
import {
  computeNeighbors, computeNeighborsSync, crossNeighbors, forEachNeighborBlock, lastNeighborStats, shutdownNeighborPool,
  bruteForceCross, loadKnnModule, type Engine, type Metric, type NeighborTable,
} from '../../lib/neighbors';
import { Matrix } from '../../lib/matrix';
import { gaussian, grid, naiveRow } from './helpers';

afterAll(() => shutdownNeighborPool());

function same(a: NeighborTable, b: NeighborTable): void {
  expect(a.maxk).toBe(b.maxk);
  expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
  expect(Array.from(a.distances)).toEqual(Array.from(b.distances)); // bit for bit
}

it('the WebAssembly kernel is built (npm run build) and loads', () => {
  expect(loadKnnModule()).not.toBeNull();
});

describe('every engine equals the exact reference on random data', () => {
  const boxMetrics: Metric[] = ['euclidean', 'manhattan', 'chebyshev'];
  for (const D of [2, 3, 5, 10]) {
    it(`kd-tree, D = ${D}, all box metrics and periodic boxes`, () => {
      const X = gaussian(400, D, 10 + D);
      for (const metric of boxMetrics) {
        for (const period of metric === 'chebyshev' ? [null] : [null, 2.5]) {
          const k = D === 2 ? 40 : 17;
          const ref = computeNeighborsSync(X, { maxk: k, metric, period, engine: 'exact-js' });
          const kd = computeNeighborsSync(X, { maxk: k, metric, period, engine: 'kdtree' });
          expect(lastNeighborStats()?.engine).toBe('kdtree');
          same(kd, ref);
        }
      }
    });
  }
  for (const D of [2, 3, 10, 50, 130]) {
    for (const precision of ['float32', 'float64'] as const) {
      it(`wasm, D = ${D}, ${precision}, sync and async (1 and 2 workers)`, async () => {
        const X = gaussian(D >= 50 ? 500 : 700, D, 100 + D, precision === 'float32');
        const k = 25;
        const ref = computeNeighborsSync(X, { maxk: k, engine: 'exact-js' });
        same(computeNeighborsSync(X, { maxk: k, engine: 'wasm', precision }), ref);
        expect(lastNeighborStats()?.engine).toBe('wasm');
        same(await computeNeighbors(X, { maxk: k, engine: 'wasm', precision, workers: 1 }), ref);
        same(await computeNeighbors(X, { maxk: k, engine: 'wasm', precision, workers: 2 }), ref);
      });
    }
  }
  it('manhattan and chebyshev on the WASM engine (direct differences, exact re-rank)', async () => {
    for (const [D, precision, f32] of [[12, 'float32', false], [70, 'float32', true], [70, 'float64', false]] as const) {
      const X = gaussian(500, D, 80 + D, f32);
      for (const metric of ['manhattan', 'chebyshev'] as Metric[]) {
        const ref = computeNeighborsSync(X, { maxk: 20, metric, engine: 'exact-js' });
        same(computeNeighborsSync(X, { maxk: 20, metric, engine: 'wasm', precision }), ref);
        expect(lastNeighborStats()?.fallbackRows).toBeLessThan(25);
        same(await computeNeighbors(X, { maxk: 20, metric, engine: 'wasm', precision, workers: 2 }), ref);
      }
    }
    const G = grid(400, 12, 8, 3); // ties
    for (const metric of ['manhattan', 'chebyshev'] as Metric[]) {
      same(computeNeighborsSync(G, { maxk: 15, metric, engine: 'wasm' }), computeNeighborsSync(G, { maxk: 15, metric, engine: 'exact-js' }));
    }
  });
  it('cosine on the WASM engine (unit rows, exact re-rank), zero rows and parallel rows included', async () => {
    for (const [D, precision] of [[5, 'float32'], [64, 'float32'], [64, 'float64']] as const) {
      const G = gaussian(600, D, 70 + D);
      const d = Float64Array.from(G.data);
      for (let t = 0; t < D; t++) { d[3 * D + t] = 0; d[9 * D + t] = 2.5 * d[8 * D + t]; d[10 * D + t] = 0; }
      const X = new Matrix(d, 600, D);
      const ref = computeNeighborsSync(X, { maxk: 20, metric: 'cosine', engine: 'exact-js' });
      same(computeNeighborsSync(X, { maxk: 20, metric: 'cosine', engine: 'wasm', precision }), ref);
      same(await computeNeighbors(X, { maxk: 20, metric: 'cosine', engine: 'wasm', precision, workers: 2 }), ref);
      expect(lastNeighborStats()?.fallbackRows).toBeLessThan(30);
      const Q = gaussian(30, D, 90);
      const c = await crossNeighbors(Q, X, 7, { metric: 'cosine', engine: 'wasm', precision });
      const cd = new Float64Array(30 * 7), ci = new Int32Array(30 * 7);
      bruteForceCross(Q, X, 7, 'cosine', null, cd, ci);
      expect(Array.from(c.indices)).toEqual(Array.from(ci));
      expect(Array.from(c.distances)).toEqual(Array.from(cd));
    }
  });
  it('cosine and the auto engine choice', async () => {
    const X = gaussian(300, 6, 7);
    const cos = await computeNeighbors(X, { maxk: 10, metric: 'cosine' });
    expect(lastNeighborStats()?.engine).toBe('wasm');
    await computeNeighbors(gaussian(200, 6, 7), { maxk: 10, metric: 'cosine' });
    expect(lastNeighborStats()?.engine).toBe('exact-js');
    for (const i of [0, 150, 299]) {
      const n = naiveRow(X, i, 10, 'cosine', null);
      expect(Array.from(cos.indices.subarray(i * 11, i * 11 + 11))).toEqual(n.ix);
    }
    const low = gaussian(600, 3, 8);
    await computeNeighbors(low, { maxk: 10 });
    expect(lastNeighborStats()?.engine).toBe('kdtree');
    await computeNeighbors(gaussian(600, 20, 9), { maxk: 10 });
    expect(lastNeighborStats()?.engine).toBe('wasm');
    await computeNeighbors(gaussian(600, 20, 9), { maxk: 10, metric: 'manhattan' });
    expect(lastNeighborStats()?.engine).toBe('wasm');
    await computeNeighbors(gaussian(600, 20, 9), { maxk: 10, metric: 'manhattan', period: 3 });
    expect(lastNeighborStats()?.engine).toBe('exact-js');
    await computeNeighbors(gaussian(100, 20, 9), { maxk: 10 });
    expect(lastNeighborStats()?.engine).toBe('exact-js');
  });
  it('maxk = N - 1 (every point a neighbour) on every engine', async () => {
    const X = gaussian(60, 12, 4);
    const ref = computeNeighborsSync(X, { maxk: 59, engine: 'exact-js' });
    for (const engine of ['kdtree', 'wasm'] as Engine[]) same(await computeNeighbors(X, { maxk: 59, engine }), ref);
  });
});

describe('ties and duplicate points', () => {
  const X = grid(500, 3, 5); // 64 distinct points: every point has copies, distances tie everywhere
  const k = 30;
  const ref = computeNeighborsSync(X, { maxk: k, engine: 'exact-js' });
  it('the reference keeps self in column 0 and breaks ties by ascending index', () => {
    for (let i = 0; i < X.rows; i += 7) {
      const n = naiveRow(X, i, k, 'euclidean', null);
      expect(Array.from(ref.indices.subarray(i * (k + 1), (i + 1) * (k + 1)))).toEqual(n.ix);
      expect(Array.from(ref.distances.subarray(i * (k + 1), (i + 1) * (k + 1)))).toEqual(n.d);
    }
    expect(ref.distances[1]).toBe(0); // a copy at distance 0 right after self
  });
  it('many copies of each point (k-th distance 0) on every engine', async () => {
    const C = grid(300, 2, 12, 3); // 9 distinct points, ~33 copies each
    for (const metric of ['euclidean', 'manhattan', 'chebyshev'] as Metric[]) {
      const r = computeNeighborsSync(C, { maxk: 45, metric, engine: 'exact-js' });
      expect(r.distances[1 * 46 + 20]).toBe(0);
      same(computeNeighborsSync(C, { maxk: 45, metric, engine: 'kdtree' }), r);
      same(computeNeighborsSync(C, { maxk: 45, metric, engine: 'wasm' }), r);
      same(await computeNeighbors(C, { maxk: 45, metric, engine: 'wasm', workers: 2 }), r);
    }
    same(computeNeighborsSync(C, { maxk: 45, period: 2, engine: 'kdtree' }), computeNeighborsSync(C, { maxk: 45, period: 2, engine: 'exact-js' }));
  });
  it('every engine and thread count gives the same table', async () => {
    for (const metric of ['euclidean', 'manhattan', 'chebyshev'] as Metric[]) {
      const r = computeNeighborsSync(X, { maxk: k, metric, engine: 'exact-js' });
      same(computeNeighborsSync(X, { maxk: k, metric, engine: 'kdtree' }), r);
      same(await computeNeighbors(X, { maxk: k, metric, engine: 'kdtree' }), r);
    }
    const per = computeNeighborsSync(X, { maxk: k, period: 3, engine: 'exact-js' });
    same(computeNeighborsSync(X, { maxk: k, period: 3, engine: 'kdtree' }), per);
    const Xh = grid(400, 12, 6, 2); // binary vectors at D = 12: ties for the WASM engine
    const rh = computeNeighborsSync(Xh, { maxk: k, engine: 'exact-js' });
    for (const precision of ['float32', 'float64'] as const) {
      same(computeNeighborsSync(Xh, { maxk: k, engine: 'wasm', precision }), rh);
      same(await computeNeighbors(Xh, { maxk: k, engine: 'wasm', precision, workers: 1 }), rh);
      same(await computeNeighbors(Xh, { maxk: k, engine: 'wasm', precision, workers: 2 }), rh);
    }
  });
});

describe('the float32 near-duplicate trap (perf-knn.md §4)', () => {
  // an 8-dimensional linear manifold in D = 96 with a large mean offset (|x| ~ 550), and 5%
  // near-duplicates (copies plus noise 1e-3 per coordinate)
  const N = 1200, D = 96, base = gaussian(N, 8, 21), mix = gaussian(8, D, 22), noise = gaussian(N, D, 23);
  const data = new Float64Array(N * D);
  for (let i = 0; i < N; i++) {
    for (let t = 0; t < D; t++) {
      let v = 55;
      for (let a = 0; a < 8; a++) v += 10 * base.data[i * 8 + a] * mix.data[a * D + t];
      data[i * D + t] = v;
    }
  }
  for (let i = 0; i < N; i += 20) for (let t = 0; t < D; t++) data[(i + 1) * D + t] = data[i * D + t] + 1e-3 * noise.data[i * D + t];
  const X = new Matrix(data, N, D);
  it('the raw float32 trick would turn the near-duplicates into zeros', () => {
    const f = Math.fround;
    let zeros = 0;
    for (let i = 0; i < N; i += 20) {
      let xx = 0, yy = 0, xy = 0;
      for (let t = 0; t < D; t++) {
        const x = f(data[i * D + t]), y = f(data[(i + 1) * D + t]);
        xx = f(xx + f(x * x)); yy = f(yy + f(y * y)); xy = f(xy + f(x * y));
      }
      if (f(f(xx + yy) - f(2 * xy)) <= 0) zeros++;
    }
    expect(zeros).toBeGreaterThan(10);
  });
  it('the WASM engine re-ranks exactly: tiny nonzero distances kept, table equals the reference', async () => {
    const ref = computeNeighborsSync(X, { maxk: 20, engine: 'exact-js' });
    const t = await computeNeighbors(X, { maxk: 20, engine: 'wasm', precision: 'float32' });
    same(t, ref);
    for (let i = 0; i < N; i += 20) {
      expect(t.indices[i * 21 + 1]).toBe(i + 1);
      expect(t.distances[i * 21 + 1]).toBeGreaterThan(0);
      expect(t.distances[i * 21 + 1]).toBeLessThan(0.1);
    }
  });
});

it('rows the float32 bound cannot certify are recomputed exactly', async () => {
  // one far outlier makes the worst-case rounding bound useless for every row
  const X = gaussian(400, 16, 31);
  const data = Float64Array.from(X.data);
  for (let t = 0; t < 16; t++) data[t] = 1e5;
  const Y = new Matrix(data, 400, 16);
  const ref = computeNeighborsSync(Y, { maxk: 10, engine: 'exact-js' });
  same(computeNeighborsSync(Y, { maxk: 10, engine: 'wasm' }), ref);
  expect(lastNeighborStats()?.fallbackRows).toBeGreaterThan(100);
  same(await computeNeighbors(Y, { maxk: 10, engine: 'wasm', workers: 2 }), ref);
  // values whose squares overflow float32 leave holes in stage 1: still exact
  const big = Float64Array.from(X.data, (v, i) => (i < 16 * 50 ? v * 1e25 : v));
  const B = new Matrix(big, 400, 16);
  same(computeNeighborsSync(B, { maxk: 10, engine: 'wasm' }), computeNeighborsSync(B, { maxk: 10, engine: 'exact-js' }));
  // values beyond float32 (manhattan, chebyshev), or whose squares overflow float64 (cosine): still exact
  const huge = Float64Array.from(X.data, (v, i) => (i < 16 * 30 ? v * 1e40 : v));
  const H = new Matrix(huge, 400, 16);
  for (const metric of ['manhattan', 'chebyshev'] as Metric[]) {
    same(computeNeighborsSync(H, { maxk: 10, metric, engine: 'wasm' }), computeNeighborsSync(H, { maxk: 10, metric, engine: 'exact-js' }));
  }
  const H2 = new Matrix(Float64Array.from(X.data, (v, i) => (i < 16 * 30 ? v * 1e160 : v)), 400, 16);
  same(computeNeighborsSync(H2, { maxk: 10, metric: 'cosine', engine: 'wasm' }), computeNeighborsSync(H2, { maxk: 10, metric: 'cosine', engine: 'exact-js' }));
  same(computeNeighborsSync(H2, { maxk: 10, engine: 'wasm', precision: 'float64' }), computeNeighborsSync(H2, { maxk: 10, engine: 'exact-js' }));
  // well-conditioned data need no fallback
  computeNeighborsSync(X, { maxk: 10, engine: 'wasm' });
  expect(lastNeighborStats()?.fallbackRows).toBe(0);
});

it('concurrent jobs on the pool are queued, each exact', async () => {
  const A = gaussian(400, 24, 91), B = gaussian(300, 40, 92);
  const [ta, tb, tc] = await Promise.all([
    computeNeighbors(A, { maxk: 9, engine: 'wasm' }), computeNeighbors(B, { maxk: 7, engine: 'wasm', precision: 'float64' }),
    crossNeighbors(B.selectColumns(Array.from({ length: 24 }, (_, i) => i)), A, 3, { engine: 'wasm' }).then(() => computeNeighbors(A, { maxk: 9, engine: 'wasm' })),
  ]);
  same(ta, computeNeighborsSync(A, { maxk: 9, engine: 'exact-js' }));
  same(tc, ta);
  same(tb, computeNeighborsSync(B, { maxk: 7, engine: 'exact-js' }));
});

describe('cross queries and streaming', () => {
  it('crossNeighbors equals the brute force on every engine, no self exclusion', async () => {
    for (const [D, engines] of [[3, ['exact-js', 'kdtree', 'wasm']], [40, ['exact-js', 'wasm']]] as [number, Engine[]][]) {
      const X = gaussian(500, D, 40 + D), Q0 = gaussian(70, D, 41 + D);
      const Qd = Float64Array.from(Q0.data);
      Qd.set(X.row(17), 0); // a query equal to a data point
      const Q = new Matrix(Qd, 70, D);
      const k = 12;
      const d = new Float64Array(70 * k), ix = new Int32Array(70 * k);
      bruteForceCross(Q, X, k, 'euclidean', null, d, ix);
      for (const engine of engines) {
        const c = await crossNeighbors(Q, X, k, { engine });
        expect(Array.from(c.indices)).toEqual(Array.from(ix));
        expect(Array.from(c.distances)).toEqual(Array.from(d));
        expect(c.indices[0]).toBe(17);
        expect(c.distances[0]).toBe(0);
      }
    }
  });
  it('crossNeighbors: every metric on the WASM engine, and k = N', async () => {
    const X = gaussian(300, 20, 60), Q = gaussian(40, 20, 61);
    for (const metric of ['euclidean', 'cosine', 'manhattan', 'chebyshev'] as Metric[]) {
      for (const k of [9, 300]) {
        const d = new Float64Array(40 * k), ix = new Int32Array(40 * k);
        bruteForceCross(Q, X, k, metric, null, d, ix);
        const c = await crossNeighbors(Q, X, k, { metric, engine: 'wasm' });
        expect(Array.from(c.indices)).toEqual(Array.from(ix));
        expect(Array.from(c.distances)).toEqual(Array.from(d));
      }
    }
  });
  it('forEachNeighborBlock streams the same table in row order, awaiting the callback', async () => {
    for (const [X, engine, symmetric] of [[gaussian(700, 3, 50), 'kdtree', true], [gaussian(700, 30, 51), 'wasm', true], [gaussian(700, 30, 51), 'wasm', false],
      [gaussian(300, 30, 52), 'exact-js', true]] as [Matrix, Engine, boolean][]) {
      const k = 40, w = k + 1;
      const ref = computeNeighborsSync(X, { maxk: k, engine: 'exact-js' });
      const d = new Float64Array(X.rows * w), ix = new Int32Array(X.rows * w);
      let next = 0, blocks = 0;
      await forEachNeighborBlock(X, { maxk: k, engine, symmetric }, async (r0, r1, bd, bi) => {
        expect(r0).toBe(next);
        expect(bd.length).toBe((r1 - r0) * w);
        await new Promise((r) => setTimeout(r, 1));
        d.set(bd, r0 * w); ix.set(bi, r0 * w);
        next = r1; blocks++;
      });
      expect(next).toBe(X.rows);
      expect(blocks).toBeGreaterThan(1);
      expect(lastNeighborStats()?.symmetric).toBe(engine === 'wasm' && symmetric);
      expect(Array.from(ix)).toEqual(Array.from(ref.indices));
      expect(Array.from(d)).toEqual(Array.from(ref.distances));
    }
  });
});
