import { afterAll, afterEach, expect, it } from 'vitest';
import { Matrix } from '../../lib/matrix';
import { computeNeighbors, computeNeighborsSync, forEachNeighborRankBlock, lastNeighborStats, shutdownNeighborPool, type Metric, type NeighborRankOptions, type NeighborTable } from '../../lib/neighbors';
import { SeededRng } from '../../lib/stats/rng';
import { gaussian, grid, naiveRow } from './helpers';

afterAll(() => shutdownNeighborPool());
afterEach(() => { delete process.env.DADALAB_ROWSEL; delete process.env.DADALAB_STRIPS; });

/** Gaussian points with exact duplicates (every 7th row copies an earlier one). */
function withDuplicates(N: number, D: number, seed: number): Matrix {
  const X = gaussian(N, D, seed);
  for (let i = 7; i < N; i += 7) X.data.copyWithin(i * D, (i - 5) * D, (i - 4) * D);
  return X;
}

async function ranksOf(X: Matrix, opts: NeighborRankOptions): Promise<{ rd: Float64Array; kD: Float64Array | null; kI: Int32Array | null }> {
  const R = opts.ranks.length, kw = (opts.keep ?? 0) + 1, N = X.rows;
  const rd = new Float64Array(N * R);
  const kD = opts.keep ? new Float64Array(N * kw) : null, kI = opts.keep ? new Int32Array(N * kw) : null;
  let next = 0;
  await forEachNeighborRankBlock(X, opts, (r0, r1, d, bD, bI) => {
    expect(r0).toBe(next);
    next = r1;
    rd.set(d, r0 * R);
    if (kD && kI && bD && bI) { kD.set(bD, r0 * kw); kI.set(bI, r0 * kw); }
  });
  expect(next).toBe(N);
  return { rd, kD, kI };
}

function expectColumns(ref: NeighborTable, ranks: number[], keep: number, got: { rd: Float64Array; kD: Float64Array | null; kI: Int32Array | null }): void {
  const w = ref.maxk + 1, R = ranks.length, kw = keep + 1;
  const wantR: number[] = [], gotR = Array.from(got.rd);
  for (let i = 0; i < ref.n; i++) for (const q of ranks) wantR.push(ref.distances[i * w + q]);
  expect(gotR).toEqual(wantR);
  expect(gotR.length).toBe(ref.n * R);
  if (keep > 0) {
    const wantD: number[] = [], wantI: number[] = [];
    for (let i = 0; i < ref.n; i++) for (let c = 0; c < kw; c++) { wantD.push(ref.distances[i * w + c]); wantI.push(ref.indices[i * w + c]); }
    expect(Array.from(got.kD as Float64Array)).toEqual(wantD);
    expect(Array.from(got.kI as Int32Array)).toEqual(wantI);
  }
}

it('the ranks mode equals the columns of the full table (ties, duplicates; every engine; row-select kernel on and off)', async () => {
  const cases: [Matrix, Metric, number[], number][] = [
    [grid(700, 12, 11, 3), 'euclidean', [1, 2, 4, 8, 16, 32, 64, 128, 256, 512], 40], // many exact ties and duplicates
    [withDuplicates(650, 20, 12), 'euclidean', [512, 3, 1, 100, 100, 2], 17], // any order, repeats
    [withDuplicates(600, 24, 13), 'cosine', [1, 2, 4, 8, 16, 32, 64, 128, 256], 10],
    [grid(400, 3, 14, 5), 'euclidean', [1, 2, 4, 8, 16, 32, 64, 128, 256], 5], // kd-tree
    [gaussian(500, 10, 15), 'manhattan', [1, 2, 4, 300], 0],
    [gaussian(600, 50, 16, true), 'euclidean', [1, 2, 4, 8, 16, 32, 64, 128, 256], 30], // float32 data
  ];
  for (const [X, metric, ranks, keep] of cases) {
    const maxk = Math.max(...ranks);
    const ref = computeNeighborsSync(X, { maxk, metric, engine: 'exact-js' });
    for (const rowsel of ['0', '1']) {
      process.env.DADALAB_ROWSEL = rowsel;
      for (const [workers, symmetric] of [[0, true], [2, false], [2, true]] as const) {
        expectColumns(ref, ranks, keep, await ranksOf(X, { ranks, keep, metric, workers, symmetric }));
        if (X.cols > 8) expect(lastNeighborStats()?.engine).toBe('wasm');
        // the symmetric strips serve float32 euclidean / cosine rank tables on the workers
        if (X.cols > 8 && workers > 0 && metric !== 'manhattan' && rowsel === '1') expect(lastNeighborStats()?.symmetric).toBe(symmetric);
      }
    }
    expectColumns(ref, ranks, keep, await ranksOf(X, { ranks, keep, metric, engine: 'exact-js' }));
  }
});

it('far ranks at low D run on the WebAssembly engine unless the kd-tree is asked for: the same distances', async () => {
  for (const X of [grid(3000, 2, 41, 4), gaussian(2500, 3, 42)]) {
    const ranks = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024], keep = 8;
    const auto = await ranksOf(X, { ranks, keep });
    expect(lastNeighborStats()?.engine).toBe('wasm');
    const kd = await ranksOf(X, { ranks, keep, engine: 'kdtree' });
    expect(lastNeighborStats()?.engine).toBe('kdtree');
    expect(Array.from(auto.rd)).toEqual(Array.from(kd.rd));
    expect(Array.from(auto.kD as Float64Array)).toEqual(Array.from(kd.kD as Float64Array));
    expect(Array.from(auto.kI as Int32Array)).toEqual(Array.from(kd.kI as Int32Array));
    // near ranks stay on the kd-tree
    await ranksOf(X, { ranks: [1, 2, 4], keep: 2 });
    expect(lastNeighborStats()?.engine).toBe('kdtree');
  }
}, 120_000);

it('the ranks mode on the symmetric tiles (large N D, no strips) equals the columns of the full table', async () => {
  process.env.DADALAB_STRIPS = '0';
  for (const [X, metric] of [[gaussian(1200, 2600, 31, true), 'euclidean'], [withDuplicates(1100, 2800, 32), 'cosine']] as const) {
    const ranks = [1, 2, 4, 8, 16, 32, 64, 128, 256], keep = 12;
    const ref = computeNeighborsSync(X, { maxk: 256, metric, engine: 'exact-js' });
    expectColumns(ref, ranks, keep, await ranksOf(X, { ranks, keep, metric, workers: 2 }));
    expect(lastNeighborStats()?.path).toBe('tiles');
    expectColumns(ref, ranks, keep, await ranksOf(X, { ranks, keep, metric, workers: 1 }));
    expect(lastNeighborStats()?.path).toBe('tiles');
  }
}, 300_000);

it('the row-select kernel gives the exact full table (float32 data, ties, cross-checked with the buffer kernel)', async () => {
  for (const X of [grid(900, 16, 21, 3), gaussian(800, 100, 22, true), withDuplicates(700, 40, 23)]) {
    for (const maxk of [20, 300]) {
      const ref = computeNeighborsSync(X, { maxk, engine: 'exact-js' });
      process.env.DADALAB_ROWSEL = '1';
      const t = await computeNeighbors(X, { maxk, engine: 'wasm', symmetric: false });
      expect(Array.from(t.indices)).toEqual(Array.from(ref.indices));
      expect(Array.from(t.distances)).toEqual(Array.from(ref.distances));
      const c = computeNeighborsSync(X, { maxk, engine: 'wasm', symmetric: false, metric: 'cosine' });
      const cref = computeNeighborsSync(X, { maxk, engine: 'exact-js', metric: 'cosine' });
      expect(Array.from(c.indices)).toEqual(Array.from(cref.indices));
    }
  }
});

it('the ranks mode refuses bad ranks', async () => {
  const X = gaussian(50, 10, 1);
  await expect(forEachNeighborRankBlock(X, { ranks: [] }, () => undefined)).rejects.toThrow(/No neighbour ranks/);
  await expect(forEachNeighborRankBlock(X, { ranks: [1, 50] }, () => undefined)).rejects.toThrow(/between 1 and N - 1 = 49/);
  await expect(forEachNeighborRankBlock(X, { ranks: [4], keep: 5 }, () => undefined)).rejects.toThrow(/keep = 5/);
});

it('countNeighborRanks gives the column of each target in the complete table (ties, duplicates; wasm and JS)', async () => {
  const { countNeighborRanks } = await import('../../lib/neighbors');
  for (const [X, metric] of [[grid(500, 12, 31, 3), 'euclidean'], [withDuplicates(600, 30, 32), 'euclidean'], [withDuplicates(450, 20, 33), 'cosine']] as const) {
    const N = X.rows, k = 3;
    const full = computeNeighborsSync(X, { maxk: N - 1, metric, engine: 'exact-js' });
    const rng = new SeededRng(4);
    const targets = new Int32Array(N * k), want: number[] = [];
    for (let i = 0; i < N; i++) {
      for (let m = 0; m < k; m++) {
        const c = m === 2 && i % 5 === 0 ? -1 : 1 + Math.floor(rng.random() * (N - 1)); // a column, or skipped
        targets[i * k + m] = c < 0 ? -1 : full.indices[i * N + c];
        want.push(c);
      }
    }
    for (const workers of [0, 2]) expect(Array.from(await countNeighborRanks(X, targets, k, { metric, workers }))).toEqual(want);
  }
  await expect(countNeighborRanks(gaussian(20, 3, 1), new Int32Array([0, ...new Array(19).fill(-1)]), 1)).rejects.toThrow(/not another point/);
});

it('countNeighborRanks with rows: the ranks of those rows only, as brute force gives them (ties, duplicates, float32; both paths)', async () => {
  const { countNeighborRanks } = await import('../../lib/neighbors');
  const cases = [[grid(500, 12, 41, 3), 'euclidean'], [withDuplicates(600, 30, 42), 'euclidean'], [withDuplicates(450, 20, 43), 'cosine'],
    [gaussian(520, 40, 44, true), 'euclidean']] as const;
  for (const [X, metric] of cases) {
    const N = X.rows, k = 3;
    const rng = new SeededRng(6);
    // a few rows (the query path), and most rows (the pass over every pair), in any order, a repeat in the first
    const few = Int32Array.from({ length: 61 }, () => Math.floor(rng.random() * N));
    few[7] = few[3];
    const most = Int32Array.from(Array.from({ length: N }, (_, i) => i).filter((i) => i % 5 !== 1).reverse());
    for (const rows of [few, most]) {
      const targets = new Int32Array(rows.length * k), want: number[] = [];
      for (let q = 0; q < rows.length; q++) {
        const i = rows[q];
        const row = naiveRow(X, i, N - 1, metric, null).ix; // (distance, index) order, i itself first: column = rank
        for (let m = 0; m < k; m++) {
          const c = m === 2 && q % 4 === 0 ? -1 : m === 1 ? 1 + (q % 3) : 1 + Math.floor(rng.random() * (N - 1));
          targets[q * k + m] = c < 0 ? -1 : row[c];
          want.push(c);
        }
      }
      for (const workers of [0, 2]) expect(Array.from(await countNeighborRanks(X, targets, k, { metric, workers, rows }))).toEqual(want);
    }
  }
  const X = gaussian(300, 4, 2);
  expect(Array.from(await countNeighborRanks(X, new Int32Array(0), 2, { rows: new Int32Array(0) }))).toEqual([]);
  await expect(countNeighborRanks(X, new Int32Array([5]), 1, { rows: new Int32Array([5]) })).rejects.toThrow(/Target 5 of point 5 is not another point/);
  await expect(countNeighborRanks(X, new Int32Array([5]), 1, { rows: new Int32Array([300]) })).rejects.toThrow(/Row 300 .* is not a point index/);
  await expect(countNeighborRanks(X, new Int32Array([5, 6]), 1, { rows: new Int32Array([1]) })).rejects.toThrow(/rows.length x k = 1 x 1/);
});

it('computeNeighborsAndRanks: the table of computeNeighbors and the ranks of countNeighborRanks in one pass (ties, duplicates)', async () => {
  const { computeNeighborsAndRanks } = await import('../../lib/neighbors');
  for (const [X, metric] of [[grid(500, 12, 31, 3), 'euclidean'], [withDuplicates(600, 30, 32), 'euclidean'], [withDuplicates(450, 20, 33), 'cosine']] as const) {
    const N = X.rows, k = 3, maxk = 10;
    const full = computeNeighborsSync(X, { maxk: N - 1, metric, engine: 'exact-js' });
    const rng = new SeededRng(5);
    const targets = new Int32Array(N * k), want: number[] = [];
    for (let i = 0; i < N; i++) {
      for (let m = 0; m < k; m++) {
        // targets within the table (its columns are their ranks, looked up in the workers) and beyond it (counted)
        const c = m === 2 && i % 5 === 0 ? -1 : m === 1 ? 1 + (i % (maxk + 2)) : 1 + Math.floor(rng.random() * (N - 1));
        targets[i * k + m] = c < 0 ? -1 : full.indices[i * N + c];
        want.push(c);
      }
    }
    const both = await computeNeighborsAndRanks(X, { maxk, metric }, targets, k);
    expect(both).not.toBeNull(); // the one-pass path applies here (else the test would test nothing)
    expect(Array.from(both!.ranks)).toEqual(want);
    const t = computeNeighborsSync(X, { maxk, metric, engine: 'exact-js' });
    expect(Array.from(both!.table.indices)).toEqual(Array.from(t.indices));
    expect(Array.from(both!.table.distances)).toEqual(Array.from(t.distances));
  }
  // where the path does not apply (this thread only): null, nothing computed
  expect(await computeNeighborsAndRanks(gaussian(400, 12, 2), { maxk: 5, workers: 0 }, new Int32Array(400).fill(-1), 1)).toBeNull();
  await expect(computeNeighborsAndRanks(gaussian(300, 12, 1), { maxk: 5 }, new Int32Array([0, ...new Array(299).fill(-1)]), 1)).rejects.toThrow(/not another point/);
});
