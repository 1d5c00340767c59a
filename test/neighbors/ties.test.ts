import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Matrix } from '../../lib/matrix';
import {
  computeNeighbors, computeNeighborsAndRanks, computeNeighborsSync, countNeighborRanks, crossNeighbors, forEachNeighborBlock, forEachNeighborRankBlock,
  lastNeighborStats, pairDistance, shutdownNeighborPool, type Metric, type NeighborOptions, type NeighborTable,
} from '../../lib/neighbors';
import { duplicateRows, refineRows, refineScratchAt, refineScratchBytes, type RefineOps } from '../../lib/neighbors/refine';
import { gaussian, grid, naiveRow } from './helpers';

// The tie cliff (issue 9): where more than k' = k + max(16, k / 4) points tie at a row's k-th
// distance (dead-ReLU rows all zero, repeated inputs, integer grids), stage 1 cannot certify the
// row. The second pass (lib/neighbors/refine.ts) recomputes it exactly: every path must still
// give the brute-force reference bit for bit, and must have gone through that pass.

afterAll(() => shutdownNeighborPool());
afterEach(() => { delete process.env.DADALAB_ROWSEL; delete process.env.DADALAB_STRIPS; });

function same(a: NeighborTable, b: NeighborTable): void {
  expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
  expect(Array.from(a.distances)).toEqual(Array.from(b.distances)); // bit for bit
}

/** Float32 gaussian rows, 200 of them all zero (every third row up to 447, then 450 to 499), and the last 60 copies of one row. */
function deadRows(N: number, D: number, seed: number): Matrix {
  const X = gaussian(N, D, seed, true);
  for (let z = 0; z < 200; z++) { const i = z < 150 ? 3 * z : 300 + z; X.data.fill(0, i * D, (i + 1) * D); }
  for (let i = N - 60; i < N; i++) X.data.copyWithin(i * D, (N - 61) * D, (N - 60) * D);
  return X;
}

/** Gaussian rows with 50 identical copies of a far point, 30 consecutive and 20 scattered: only those rows tie. */
function farCluster(N: number, D: number, seed: number): Matrix {
  const X = gaussian(N, D, seed, true);
  const rows = [...Array.from({ length: 30 }, (_, i) => 100 + i), ...Array.from({ length: 20 }, (_, i) => 200 + 13 * i)];
  for (const i of rows) for (let t = 0; t < D; t++) X.data[i * D + t] = 10 + (t % 3);
  return X;
}

const tieData: [string, Matrix][] = [
  ['200 zero rows and 60 copies', deadRows(700, 48, 1)],
  ['an integer grid (exact ties among distinct rows)', grid(700, 12, 2, 3)],
  ['50 copies of a far point among gaussian rows', farCluster(700, 40, 3)],
];

describe('tables: the rows stage 1 cannot certify are recomputed exactly on every path', () => {
  const k = 25;
  for (const [name, X] of tieData) {
    it(name, async () => {
      const ref = computeNeighborsSync(X, { maxk: k, engine: 'exact-js' });
      const cases: [string, () => Promise<NeighborTable> | NeighborTable, string | null][] = [
        ['strips', () => computeNeighbors(X, { maxk: k, engine: 'wasm' }), 'strips'],
        ['tiles', () => { process.env.DADALAB_STRIPS = '0'; return computeNeighbors(X, { maxk: k, engine: 'wasm' }); }, 'tiles'],
        ['rows, row-select kernel', () => { process.env.DADALAB_ROWSEL = '1'; return computeNeighbors(X, { maxk: k, engine: 'wasm', symmetric: false }); }, 'rows'],
        ['rows, buffer kernel', () => { process.env.DADALAB_ROWSEL = '0'; return computeNeighbors(X, { maxk: k, engine: 'wasm', symmetric: false }); }, 'rows'],
        ['rows, one worker', () => computeNeighbors(X, { maxk: k, engine: 'wasm', symmetric: false, workers: 1 }), 'rows'],
        ['this thread (async)', () => computeNeighbors(X, { maxk: k, engine: 'wasm', workers: 0 }), 'rows'],
        ['this thread, tiles (sync)', () => computeNeighborsSync(X, { maxk: k, engine: 'wasm' }), 'tiles'],
        ['this thread, rows (sync)', () => computeNeighborsSync(X, { maxk: k, engine: 'wasm', symmetric: false }), 'rows'],
        ['float64 stage 1, tiles', () => computeNeighbors(X, { maxk: k, engine: 'wasm', precision: 'float64' }), 'tiles'],
        ['float64 stage 1, rows', () => computeNeighbors(X, { maxk: k, engine: 'wasm', precision: 'float64', symmetric: false }), 'rows'],
      ];
      for (const [what, run, path] of cases) {
        const t = await run();
        delete process.env.DADALAB_ROWSEL;
        delete process.env.DADALAB_STRIPS;
        const s = lastNeighborStats();
        expect({ what, path: s?.path }).toEqual({ what, path });
        expect({ what, refined: (s?.fallbackRows ?? 0) > 0 }).toEqual({ what, refined: true }); // the second pass ran
        same(t, ref);
      }
      // streamed blocks: the same rows
      const d = new Float64Array(ref.distances.length), ix = new Int32Array(ref.indices.length);
      await forEachNeighborBlock(X, { maxk: k, engine: 'wasm' }, (r0, _r1, bd, bi) => { d.set(bd, r0 * (k + 1)); ix.set(bi, r0 * (k + 1)); });
      expect(Array.from(ix)).toEqual(Array.from(ref.indices));
      expect(Array.from(d)).toEqual(Array.from(ref.distances));
    }, 120_000);
  }

  it('only the rows that tie are recomputed (the others stay certified)', async () => {
    const X = farCluster(700, 40, 3);
    const ref = computeNeighborsSync(X, { maxk: k, engine: 'exact-js' });
    for (const opts of [{}, { symmetric: false }, { workers: 0 }] as NeighborOptions[]) {
      same(await computeNeighbors(X, { maxk: k, engine: 'wasm', ...opts }), ref);
      expect(lastNeighborStats()?.fallbackRows).toBe(50);
    }
  });

  it('cosine, manhattan and chebyshev (every point listed where no float32 value bounds the distances)', async () => {
    for (const [, X] of tieData) {
      for (const metric of ['cosine', 'manhattan', 'chebyshev'] as Metric[]) {
        const ref = computeNeighborsSync(X, { maxk: k, metric, engine: 'exact-js' });
        same(await computeNeighbors(X, { maxk: k, metric, engine: 'wasm' }), ref);
        same(await computeNeighbors(X, { maxk: k, metric, engine: 'wasm', workers: 0 }), ref);
        same(computeNeighborsSync(X, { maxk: k, metric, engine: 'wasm' }), ref);
      }
    }
    // cosine: 300 rows along one direction (scaled copies: distance 0 among them up to rounding)
    const C = gaussian(600, 30, 9, true);
    for (let i = 0; i < 300; i++) for (let t = 0; t < 30; t++) C.data[i * 30 + t] = (1 + (i % 4)) * (t % 5);
    const ref = computeNeighborsSync(C, { maxk: k, metric: 'cosine', engine: 'exact-js' });
    same(await computeNeighbors(C, { maxk: k, metric: 'cosine', engine: 'wasm' }), ref);
    expect(lastNeighborStats()?.fallbackRows).toBeGreaterThan(0);
  });

  it('cross queries: queries that tie with many rows (zero rows, copies, grid points)', async () => {
    for (const [, X] of tieData) {
      const D = X.cols, M = 40;
      const Q = new Matrix(new Float32Array(M * D), M, D);
      for (let q = 0; q < M; q++) Q.data.set(X.data.subarray((q * 17) * D, (q * 17 + 1) * D), q * D); // rows of X: zero rows, copies, grid points
      for (const metric of ['euclidean', 'manhattan'] as Metric[]) {
        const ref = await crossNeighbors(Q, X, k, { metric, engine: 'exact-js' });
        for (const workers of [0, 2]) {
          const c = await crossNeighbors(Q, X, k, { metric, engine: 'wasm', workers });
          expect(lastNeighborStats()?.engine).toBe('wasm');
          expect(lastNeighborStats()?.fallbackRows).toBeGreaterThan(0);
          expect(Array.from(c.indices)).toEqual(Array.from(ref.indices));
          expect(Array.from(c.distances)).toEqual(Array.from(ref.distances));
        }
      }
    }
  });
});

describe('the ranks mode and computeNeighborsAndRanks with the tie cliff', () => {
  const ranks = [1, 5, 12, 25], keep = 10; // k = 25: k' = 41 < the ties
  async function ranksOf(X: Matrix, opts: Omit<Parameters<typeof forEachNeighborRankBlock>[1], 'ranks' | 'keep'>) {
    const N = X.rows, R = ranks.length, kw = keep + 1;
    const rd = new Float64Array(N * R), kD = new Float64Array(N * kw), kI = new Int32Array(N * kw);
    await forEachNeighborRankBlock(X, { ...opts, ranks, keep }, (r0, _r1, d, bD, bI) => { rd.set(d, r0 * R); kD.set(bD as Float64Array, r0 * kw); kI.set(bI as Int32Array, r0 * kw); });
    return { rd, kD, kI };
  }
  function expectColumns(ref: NeighborTable, got: { rd: Float64Array; kD: Float64Array; kI: Int32Array }): void {
    const w = ref.maxk + 1, kw = keep + 1, wantR: number[] = [], wantD: number[] = [], wantI: number[] = [];
    for (let i = 0; i < ref.n; i++) {
      for (const q of ranks) wantR.push(ref.distances[i * w + q]);
      for (let c = 0; c < kw; c++) { wantD.push(ref.distances[i * w + c]); wantI.push(ref.indices[i * w + c]); }
    }
    expect(Array.from(got.rd)).toEqual(wantR);
    expect(Array.from(got.kD)).toEqual(wantD);
    expect(Array.from(got.kI)).toEqual(wantI);
  }
  for (const [name, X] of tieData) {
    it(name, async () => {
      const ref = computeNeighborsSync(X, { maxk: 25, engine: 'exact-js' });
      const cases: [string, () => Promise<{ rd: Float64Array; kD: Float64Array; kI: Int32Array }>, string][] = [
        ['strips', () => ranksOf(X, {}), 'strips'],
        ['rows, row-select kernel', () => { process.env.DADALAB_ROWSEL = '1'; return ranksOf(X, { symmetric: false }); }, 'rows'],
        ['rows, buffer kernel', () => { process.env.DADALAB_ROWSEL = '0'; return ranksOf(X, { symmetric: false }); }, 'rows'],
        ['rows, float64 stage 1 (full rows)', () => ranksOf(X, { symmetric: false, precision: 'float64' }), 'rows'],
        ['this thread', () => ranksOf(X, { workers: 0 }), 'rows'],
      ];
      for (const [what, run, path] of cases) {
        const got = await run();
        delete process.env.DADALAB_ROWSEL;
        const s = lastNeighborStats();
        expect({ what, path: s?.path, refined: (s?.fallbackRows ?? 0) > 0 }).toEqual({ what, path, refined: true });
        expectColumns(ref, got);
      }
      // the table and the ranks of targets in one pass (the layer profile's search)
      const N = X.rows, k = 2, full = computeNeighborsSync(X, { maxk: N - 1, engine: 'exact-js' });
      const targets = new Int32Array(N * k), want: number[] = [];
      for (let i = 0; i < N; i++) for (let m = 0; m < k; m++) { const c = 1 + ((i * 31 + m * 257) % (N - 1)); targets[i * k + m] = full.indices[i * N + c]; want.push(c); }
      const both = await computeNeighborsAndRanks(X, { maxk: 25 }, targets, k);
      expect(both).not.toBeNull();
      expect(lastNeighborStats()?.fallbackRows).toBeGreaterThan(0);
      same(both!.table, ref);
      expect(Array.from(both!.ranks)).toEqual(want);
      expect(Array.from(await countNeighborRanks(X, targets, k))).toEqual(want);
    }, 120_000);
  }
});

describe('refineRows (the second pass itself)', () => {
  // Point 0 at the origin; rows 1..40 at distance exactly 2 (tied), rows 41..50 at 1, rows 51..100
  // at 3 (multiples of unit vectors in D = 50). k = 20: the 10 at distance 1 and rows 1..10.
  // Stage-1 values are d^2 moved by up to 0.99 E (what the certified bound allows): the tied rows
  // 1..20 upwards, 21..40 downwards. The band must still hold every tied row, so that the lowest
  // indices win; a band that trusted the values without the bound would keep rows 21..30.
  const D = 50, N = 101, k = 20;
  const X = new Matrix(new Float64Array(N * D), N, D);
  for (let i = 1; i <= 40; i++) X.data[i * D + (i - 1)] = 2;
  for (let i = 41; i <= 50; i++) X.data[i * D + (i - 41)] = 1;
  for (let i = 51; i <= 100; i++) X.data[i * D + (i - 51)] = 3;
  function refineOrigin(eCoef: number, shift: (j: number) => number, K: number): { d: number[]; ix: number[]; listed: number } {
    const sqn = Float64Array.from({ length: N }, (_, i) => { let s = 0; for (let t = 0; t < D; t++) s += X.data[i * D + t] ** 2; return s; });
    const sqnMax = Math.max(...sqn);
    const buf = new ArrayBuffer(refineScratchBytes(N, k) + N * 4);
    const sc = refineScratchAt(0, N, k), rv = refineScratchBytes(N, k);
    const E = eCoef * (sqn[0] + sqnMax);
    const vals = new Float32Array(buf, rv, N);
    for (let j = 0; j < N; j++) vals[j] = pairDistance(X.data, 0, X.data, j, D, 'euclidean', null) ** 2 + shift(j) * E;
    const ops: RefineOps = {
      dups: () => null,
      values: () => { throw new Error('the values are given'); },
      band: (row, hi, list) => {
        const v = new Float32Array(buf, row, N), l = new Int32Array(buf, list, N + 1);
        let n = 0;
        for (let j = 0; j < N; j++) if (!(v[j] >= hi)) l[n++] = j;
        l[N] = n;
        return n;
      },
      exact: (i, n, list, ed) => {
        const l = new Int32Array(buf, list, n), e = new Float64Array(buf, ed, n);
        for (let c = 0; c < n; c++) e[c] = pairDistance(X.data, i, X.data, l[c], D, 'euclidean', null);
      },
      sort: (ed, list, n, kk, outD, outI) => {
        const l = new Int32Array(buf, list, n), e = new Float64Array(buf, ed, n);
        const order = Array.from({ length: n }, (_, c) => c).sort((a, b) => e[a] - e[b] || l[a] - l[b]).slice(0, kk);
        new Float64Array(buf, outD, kk).set(order.map((c) => e[c]));
        new Int32Array(buf, outI, kk).set(order.map((c) => l[c]));
      },
    };
    let got: { d: number[]; ix: number[] } = { d: [], ix: [] };
    const listed = refineRows(buf, ops, { N, selfMode: true, qBase: 0, metric: 0, D, sqnMax, eCoef, u: 2 ** -24, vals: true }, sqn, sc, k,
      0, 1, Int32Array.of(1), Float64Array.of(K), rv, () => { got = { d: Array.from(new Float64Array(buf, sc.d, k)), ix: Array.from(new Int32Array(buf, sc.i, k)) }; });
    return { ...got, listed };
  }
  const want = naiveRow(X, 0, k, 'euclidean', null);
  it('lists every point the bound cannot exclude: adversarial values within the error bound', () => {
    const r = refineOrigin(0.01, (j) => (j >= 1 && j <= 20 ? 0.99 : j >= 21 && j <= 40 ? -0.99 : j > 50 ? -0.99 : 0.99), 2);
    expect(r.ix).toEqual(want.ix.slice(1));
    expect(r.d).toEqual(want.d.slice(1));
    expect(r.listed).toBe(50); // the 40 tied and the 10 closer ones, not the 50 at distance 3
  });
  it('an upper bound above the k-th distance only widens the list; no bound lists every point', () => {
    const r = refineOrigin(0.01, () => 0, 2.5);
    expect(r.ix).toEqual(want.ix.slice(1));
    expect(r.listed).toBe(50);
    const all = refineOrigin(0.01, () => 0, Infinity);
    expect(all.ix).toEqual(want.ix.slice(1));
    expect(all.listed).toBe(N - 1);
  });
});

it('duplicateRows maps each row to the first with the same bits', () => {
  const X = gaussian(300, 7, 4, true);
  const copies: [number, number][] = [[10, 3], [250, 3], [299, 0], [11, 12]];
  for (const [i, j] of copies) X.data.copyWithin(i * 7, j * 7, (j + 1) * 7);
  const rep = duplicateRows(new Int32Array(X.data.buffer, X.data.byteOffset, 300 * 7), 300, 7) as Int32Array;
  const want = Array.from({ length: 300 }, (_, i) => i);
  want[10] = 3; want[250] = 3; want[299] = 0; want[12] = 11; // rows 11 and 12 are copies: 12 maps to the first, 11
  expect(Array.from(rep)).toEqual(want);
  expect(duplicateRows(new Int32Array(gaussian(50, 3, 5).data.buffer), 50, 6)).toBeNull(); // float64 rows: 2 words a value
  const Z = new Float64Array(40 * 3); // -0 and 0 have different bits: kept apart (their distances are equal anyway)
  Z[3] = -0;
  const r = duplicateRows(new Int32Array(Z.buffer), 40, 6) as Int32Array;
  expect(r[1]).toBe(1);
  expect(r[2]).toBe(0);
});
