import { afterAll, describe, expect, it } from 'vitest';
import { DadalabError } from '../../lib/errors';
import { Matrix } from '../../lib/matrix';
import {
  assertNoZeroDistances, computeNeighbors, computeNeighborsSync, crossNeighbors, dedupe, findDuplicates, forEachNeighborBlock,
  fromDistanceMatrix, fromPrecomputed, nnDist, nnIndex, shutdownNeighborPool, truncateTable, zeroDistanceRows,
} from '../../lib/neighbors';
import { CancelledError, requestCancel, clearCancel, setProgressSink } from '../../lib/runtime/progress';
import { SeededRng } from '../../lib/stats/rng';
import { gaussian } from './helpers';

afterAll(() => shutdownNeighborPool());

/** Asserts a DadalabError whose message contains every fragment. */
function refuses(fn: () => unknown, ...fragments: string[]): void {
  let err: unknown = null;
  try { fn(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(DadalabError);
  for (const f of fragments) expect((err as Error).message).toContain(f);
}
async function refusesAsync(p: Promise<unknown>, ...fragments: string[]): Promise<void> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(DadalabError);
  for (const f of fragments) expect((err as Error).message).toContain(f);
}

describe('bad input', () => {
  it('NaN or Inf in rows, naming the rows', async () => {
    const X = gaussian(20, 3, 1);
    const d = Float64Array.from(X.data);
    d[3 * 3 + 1] = NaN; d[7 * 3] = Infinity; d[12 * 3 + 2] = -Infinity;
    const Y = new Matrix(d, 20, 3);
    refuses(() => computeNeighborsSync(Y, { maxk: 3 }), 'NaN or Inf in 3 rows (rows 3, 7, 12)', 'Remove or impute those rows');
    await refusesAsync(computeNeighbors(Y, { maxk: 3 }), 'NaN or Inf in 3 rows (rows 3, 7, 12)');
    await refusesAsync(crossNeighbors(Y, X, 2), 'NaN or Inf in 3 rows of the query points (rows 3, 7, 12)');
  });
  it('N <= maxk', async () => {
    const X = gaussian(10, 3, 2);
    refuses(() => computeNeighborsSync(X, { maxk: 10 }), 'maxk = 10 but there are only N = 10 points', 'Pass maxk <= 9');
    await refusesAsync(computeNeighbors(X, { maxk: 12 }), 'maxk = 12 but there are only N = 10 points');
    await refusesAsync(forEachNeighborBlock(X, { maxk: 10 }, () => undefined), 'maxk = 10');
    await refusesAsync(crossNeighbors(X, X, 11), 'k = 11 neighbours asked for, but the data have N = 10 points', 'Pass k between 1 and 10');
    refuses(() => computeNeighborsSync(X, { maxk: 0 }), 'maxk must be a positive whole number, got 0');
  });
  it('N < 2 and D = 0', () => {
    refuses(() => computeNeighborsSync([[1, 2, 3]]), 'The data have 1 point, fewer than the 2 needed', 'Pass at least 2 points');
    refuses(() => computeNeighborsSync(new Matrix(new Float64Array(0), 5, 0)), 'The data have 0 features (D = 0)');
  });
  it('a period of the wrong length, or a bad period', () => {
    const X = gaussian(30, 3, 3);
    refuses(() => computeNeighborsSync(X, { period: [1, 2] }), 'The period has 2 entries but the data have 3 coordinates', 'Pass one period per coordinate (3 values)');
    refuses(() => computeNeighborsSync(X, { period: [1, 0, 2] }), 'Period 1 is 0, not a positive finite box length');
    refuses(() => computeNeighborsSync(X, { period: 1, metric: 'chebyshev' }), "A periodic box was given with metric 'chebyshev'");
  });
  it('unknown metric, engine, precision; engines that do not fit the metric', () => {
    const X = gaussian(30, 3, 4);
    refuses(() => computeNeighborsSync(X, { metric: 'mahalanobis' }), "Unknown metric 'mahalanobis'", 'Use one of euclidean, manhattan, chebyshev, cosine, hamming');
    refuses(() => computeNeighborsSync(X, { engine: 'gpu' as never }), "Unknown neighbour engine 'gpu'");
    refuses(() => computeNeighborsSync(X, { precision: 'float16' as never }), "Unknown precision 'float16'");
    refuses(() => computeNeighborsSync(X, { engine: 'wasm', period: 1 }), "engine 'wasm' computes distances without a period, not periodic euclidean");
    refuses(() => computeNeighborsSync(X, { engine: 'kdtree', metric: 'cosine' }), "engine 'kdtree' does not support the cosine metric");
  });
  it('cross queries with the wrong number of coordinates', async () => {
    await refusesAsync(crossNeighbors(gaussian(5, 2, 1), gaussian(20, 3, 1), 2), 'The query points have 2 coordinates but the data have 3');
  });
});

describe('precomputed tables', () => {
  const X = gaussian(40, 3, 5);
  const t = computeNeighborsSync(X, { maxk: 6 });
  const rows = (a: ArrayLike<number>, w: number) => Array.from({ length: a.length / w }, (_, i) => Array.from(a).slice(i * w, (i + 1) * w));
  it('round-trips a table, with and without the self column, and truncates', () => {
    const back = fromPrecomputed(rows(t.distances, 7), rows(t.indices, 7));
    expect(Array.from(back.indices)).toEqual(Array.from(t.indices));
    expect(back.metric).toBe('precomputed');
    const noSelf = fromPrecomputed(rows(t.distances, 7).map((r) => r.slice(1)), rows(t.indices, 7).map((r) => r.slice(1)), { includesSelf: false });
    expect(Array.from(noSelf.distances)).toEqual(Array.from(t.distances));
    const four = fromPrecomputed(rows(t.distances, 7), rows(t.indices, 7), { maxk: 4 });
    expect(four.maxk).toBe(4);
    expect(Array.from(four.indices)).toEqual(Array.from(truncateTable(t, 4).indices));
    expect(nnIndex(t, 5, 0)).toBe(5);
    expect(nnDist(t, 5, 1)).toBe(t.distances[5 * 7 + 1]);
  });
  it('accepts the ~1e-8 self distances of GEMM-based engines (sklearn, faiss)', () => {
    const d = rows(t.distances, 7); d[3][0] = 3e-8;
    expect(fromPrecomputed(d, rows(t.indices, 7)).distances[3 * 7]).toBe(3e-8);
  });
  it('refuses rows not sorted, the wrong shape, indices out of range, negative distances, self missing', () => {
    const d = rows(t.distances, 7), ix = rows(t.indices, 7);
    const uns = d.map((r) => r.slice()); [uns[4][2], uns[4][3]] = [uns[4][3], uns[4][2]]; [uns[9][5], uns[9][6]] = [uns[9][6], uns[9][5]];
    refuses(() => fromPrecomputed(uns, ix), 'The precomputed distances of rows 4, 9 are not sorted in increasing order', 'Sort each row by distance');
    refuses(() => fromPrecomputed(d, ix.map((r) => r.slice(0, 5))), 'The precomputed distances are 40 x 7 but the indices are 40 x 5');
    refuses(() => fromPrecomputed(d.slice(0, 39), ix), 'The precomputed distances are 39 x 7 but the indices are 40 x 7');
    const ragged = d.map((r) => r.slice()); ragged[6] = ragged[6].slice(0, 3);
    refuses(() => fromPrecomputed(ragged, ix), 'Row 6 of the precomputed distances table has 3 entries but row 0 has 7');
    const out = ix.map((r) => r.slice()); out[2][3] = 40; out[8][1] = -1;
    refuses(() => fromPrecomputed(d, out), 'The precomputed indices of rows 2, 8 point outside 0..39');
    const neg = d.map((r) => r.slice()); neg[11][2] = -1;
    refuses(() => fromPrecomputed(neg, ix), 'The precomputed distances of rows 11 are negative, NaN or infinite');
    const notSelf = ix.map((r) => r.slice()); notSelf[1][0] = 0;
    refuses(() => fromPrecomputed(d, notSelf), 'Column 0 of rows 1 is not the point itself at distance 0');
    refuses(() => fromPrecomputed(d.map((r) => r.slice(0, 1)), ix.map((r) => r.slice(0, 1))), 'The precomputed table has 1 column, no neighbours beyond the point itself');
    refuses(() => fromPrecomputed(d, ix, { maxk: 7 }), 'maxk = 7 but the precomputed table holds 6 neighbours per point');
  });
  it('fromDistanceMatrix breaks ties by ascending index and refuses non-square input', () => {
    const M = [[0, 1, 1, 2], [1, 0, 2, 1], [1, 2, 0, 1], [2, 1, 1, 0]];
    const tm = fromDistanceMatrix(M, 3);
    expect(Array.from(tm.indices)).toEqual([0, 1, 2, 3, 1, 0, 3, 2, 2, 0, 3, 1, 3, 1, 2, 0]);
    expect(Array.from(tm.distances.subarray(0, 4))).toEqual([0, 1, 1, 2]);
    refuses(() => fromDistanceMatrix([[0, 1, 2], [1, 0, 3]]), 'The distance matrix is 2 x 3, not square');
    refuses(() => fromDistanceMatrix(M, 4), 'maxk = 4 but there are 4 points');
    const full = Array.from({ length: 40 }, (_, i) => Array.from({ length: 40 }, (_, j) => Math.hypot(X.get(i, 0) - X.get(j, 0), X.get(i, 1) - X.get(j, 1), X.get(i, 2) - X.get(j, 2))));
    expect(Array.from(fromDistanceMatrix(full, 6).indices)).toEqual(Array.from(t.indices));
  });
});

describe('duplicates', () => {
  const pts = [[1, 2], [3, 4], [1, 2], [5, 6], [3, 4], [1, 2], [-0, 7], [0, 7]];
  it('dedupe keeps the first copy in order, with kept indices and the inverse map', () => {
    const dd = dedupe(Matrix.fromRows(pts));
    expect(dd.data.toRows()).toEqual([[1, 2], [3, 4], [5, 6], [-0, 7]]);
    expect(Array.from(dd.kept)).toEqual([0, 1, 3, 6]);
    expect(Array.from(dd.inverse)).toEqual([0, 1, 0, 2, 1, 0, 3, 3]);
    expect(dd.groups.map((g) => Array.from(g))).toEqual([[0, 2, 5], [1, 4], [6, 7]]);
    const labels = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    expect(Array.from(dd.kept, (i) => labels[i])).toEqual(['a', 'b', 'd', 'g']);
    expect(findDuplicates(Matrix.fromRows([[1], [2]]))).toEqual([]);
    const same = Matrix.fromRows([[1], [2]]);
    expect(dedupe(same).data).toBe(same);
  });
  it('dedupe equals the O(N^2) comparison of coordinates (float32 and float64, -0 and +0, odd widths, many copies)', () => {
    const rng = new SeededRng(12);
    for (const [N, D, f32] of [[400, 3, true], [400, 5, false], [300, 8, true], [300, 1, false], [250, 7, false]] as const) {
      const data = f32 ? new Float32Array(N * D) : new Float64Array(N * D);
      for (let x = 0; x < N * D; x++) {
        const v = Math.floor(rng.random() * 3) - 1; // -1, 0, 1: many identical rows
        data[x] = v === 0 && rng.random() < 0.5 ? -0 : v * (1 + 2 ** -20); // some zeros negative; values with low bits set
      }
      const X = new Matrix(data, N, D);
      const dd = dedupe(X);
      // the naive reference: the first earlier row with equal coordinates (-0 === 0)
      const first = Array.from({ length: N }, (_, i) => {
        for (let j = 0; j < i; j++) {
          let eq = true;
          for (let t = 0; t < D && eq; t++) eq = data[i * D + t] === data[j * D + t];
          if (eq) return j;
        }
        return i;
      });
      const kept = first.map((f, i) => (f === i ? i : -1)).filter((i) => i >= 0);
      expect(Array.from(dd.kept)).toEqual(kept);
      expect(Array.from(dd.inverse)).toEqual(first.map((f) => kept.indexOf(f)));
      const groups = kept.map((g) => first.map((f, i) => (f === g ? i : -1)).filter((i) => i >= 0)).filter((g) => g.length > 1);
      expect(dd.groups.map((g) => Array.from(g)).sort((a, b) => a[0] - b[0])).toEqual(groups);
      expect(Array.from(dd.data.data)).toEqual(kept.flatMap((i) => Array.from(data.subarray(i * D, i * D + D))));
    }
  });
  it('zero distances are found and reported with the rows', () => {
    const t = computeNeighborsSync(pts, { maxk: 2 });
    expect(Array.from(zeroDistanceRows(t))).toEqual([0, 1, 2, 4, 5, 6, 7]);
    refuses(() => assertNoZeroDistances(t, 'TwoNN'), 'TwoNN needs distinct points, but 7 points have a neighbour at distance 0 (duplicates; rows 0, 1, 2, 4, 5, 6, 7)', 'dedupe(X)');
    expect(Array.from(t.indices.subarray(0, 3))).toEqual([0, 2, 5]); // self first, then the copies by index
    expect(Array.from(t.indices.subarray(2 * 3, 2 * 3 + 3))).toEqual([2, 0, 5]);
  });
});

describe('progress, cancellation and the worker pool', () => {
  it('reports progress and stops on an abort signal or an interrupt', async () => {
    const X = gaussian(3000, 20, 60);
    const seen: number[] = [];
    const started: [string, number][] = [];
    const prev = setProgressSink({ start: (label, total) => { started.push([label, total]); return { update: (d) => seen.push(d), finish: () => undefined }; } });
    try {
      await computeNeighbors(X, { maxk: 5, engine: 'wasm' });
      expect(started).toEqual([['neighbours', 3000]]);
      expect(seen.length).toBeGreaterThan(0);
      expect(Math.max(...seen)).toBeLessThanOrEqual(3000);
      const ac = new AbortController();
      setProgressSink({ start: () => ({ update: (d) => { seen.push(d); if (d > 0) ac.abort(); }, finish: () => undefined }) });
      for (const engine of ['wasm', 'kdtree', 'exact-js'] as const) {
        const err = await computeNeighbors(X, { maxk: 5, engine, metric: 'euclidean', signal: ac.signal }).then(() => null, (e: unknown) => e);
        expect(err).toBeInstanceOf(CancelledError);
      }
      setProgressSink({ start: () => ({ update: () => requestCancel(), finish: () => undefined }) });
      const err = await computeNeighbors(X, { maxk: 5, engine: 'wasm' }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(CancelledError);
    } finally {
      setProgressSink(prev);
      clearCancel();
    }
    expect(seen.length).toBeGreaterThan(0);
    // the pool still works after a cancelled job, and after being shut down
    const small = gaussian(500, 20, 62);
    const ref = computeNeighborsSync(small, { maxk: 5, engine: 'exact-js' });
    expect(Array.from((await computeNeighbors(small, { maxk: 5, engine: 'wasm' })).indices)).toEqual(Array.from(ref.indices));
    await shutdownNeighborPool();
    expect(Array.from((await computeNeighbors(small, { maxk: 5, engine: 'wasm' })).indices)).toEqual(Array.from(ref.indices));
  });
});

describe('the built package (dist/)', () => {
  it('an idle pool does not keep the process alive, and the worker runs from dist', async () => {
    const { execFileSync } = await import('node:child_process');
    const { existsSync } = await import('node:fs');
    const { join } = await import('node:path');
    const root = join(__dirname, '..', '..');
    expect(existsSync(join(root, 'dist', 'lib', 'neighbors', 'pool.js'))).toBe(true); // npm ci builds dist/
    const src = `const { Matrix, computeNeighbors, lastNeighborStats } = require(${JSON.stringify(join(root, 'dist', 'lib', 'index.js'))});
      const d = new Float64Array(600 * 20).map((_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
      computeNeighbors(new Matrix(d, 600, 20), { maxk: 5, engine: 'wasm', workers: 2 }).then((t) => {
        console.log(JSON.stringify({ s: lastNeighborStats(), first: Array.from(t.indices.subarray(0, 6)) }));
      });`;
    const out = execFileSync(process.execPath, ['-e', src], { timeout: 60_000 }).toString();
    const r = JSON.parse(out.trim().split('\n').pop() as string);
    expect(r.s.engine).toBe('wasm');
    expect(r.s.workers).toBe(2);
    expect(r.first[0]).toBe(0);
  });
});
