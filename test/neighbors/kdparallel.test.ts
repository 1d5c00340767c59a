import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { computeNeighbors, computeNeighborsSync, lastNeighborStats, shutdownNeighborPool, type Metric } from '../../lib/neighbors';
import { buildKdTreeParallel, KD_PARALLEL_MIN } from '../../lib/neighbors/kdrows';
import { KD_LEAF, KdTree, kdBuild, kdNodeArrays, kdSplit, type NativeKdBuild } from '../../lib/neighbors/kdtree';
import { resetNativeKernel } from '../../lib/neighbors/native';
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

// The workers run native/knn.c kd_rows where the accelerator is built (lib/neighbors/native.ts),
// kdRows otherwise: both must give computeNeighborsSync's JavaScript table byte for byte, on every
// metric, periodic boxes, ties (integer grids, repeated points) and maxk = 100.
it('the workers\' native and JavaScript kd-tree rows give the single-thread table byte for byte', async () => {
  const N = KD_PARALLEL_MIN + 300;
  const dupes = grid(N, 2, 11, 3); // 9 distinct points: every row ties far beyond the k-th column
  const cases: [ReturnType<typeof gaussian>, Metric, number | null, number][] = [
    [gaussian(N, 2, 5), 'euclidean', null, 100], [gaussian(N, 3, 6), 'chebyshev', null, 30],
    [gaussian(N, 3, 7), 'euclidean', 2, 30], [gaussian(N, 4, 8), 'manhattan', null, 30],
    [grid(N, 2, 9, 5), 'manhattan', 3, 50], [grid(N, 3, 10, 4), 'chebyshev', null, 40], [dupes, 'euclidean', 1.5, 20],
  ];
  const bytes = (a: Float64Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const saved = process.env.DADALAB_NATIVE, saved512 = process.env.DADALAB_NATIVE_AVX512;
  try {
    // native (AVX-512 where the CPU has it: the candidates' select and the sorting network), native
    // AVX2 only (fresh workers: the addon reads DADALAB_NATIVE_AVX512 when a thread loads it), JavaScript
    for (const mode of ['native', 'avx2', 'js']) {
      process.env.DADALAB_NATIVE = mode === 'js' ? '0' : '';
      process.env.DADALAB_NATIVE_AVX512 = mode === 'avx2' ? '0' : '';
      resetNativeKernel();
      await shutdownNeighborPool();
      for (const [X, metric, period, maxk] of cases) {
        const ref = computeNeighborsSync(X, { maxk, metric, period, engine: 'kdtree' });
        const t = await computeNeighbors(X, { maxk, metric, period, engine: 'kdtree', workers: 2 });
        expect(bytes(t.distances).equals(bytes(ref.distances)), `${mode} ${metric} maxk ${maxk}`).toBe(true);
        expect(bytes(t.indices).equals(bytes(ref.indices)), `${mode} ${metric} maxk ${maxk}`).toBe(true);
      }
    }
  } finally {
    if (saved === undefined) delete process.env.DADALAB_NATIVE; else process.env.DADALAB_NATIVE = saved;
    if (saved512 === undefined) delete process.env.DADALAB_NATIVE_AVX512; else process.env.DADALAB_NATIVE_AVX512 = saved512;
    resetNativeKernel();
    await shutdownNeighborPool();
  }
}, 300_000);

// The tree built on two workers (the root's split here, its two subtrees at once; native where
// built) has the serial JavaScript build's splits: the same permutation, and node for node (walked together) the same ranges and boxes.
it('the kd-tree built on two workers is the serial build\'s tree (permutation, ranges, boxes)', async () => {
  const N = KD_PARALLEL_MIN + 300;
  for (const X of [gaussian(N, 2, 21), grid(N, 3, 22, 4), grid(N, 2, 23, 3), gaussian(N, 8, 24)]) {
    // the reference built by the JavaScript kdBuild (KdTree's own build is native where built)
    const nodes = kdNodeArrays(X.rows, X.cols, KD_LEAF, (n) => new ArrayBuffer(n));
    nodes.nodes = kdBuild(nodes.start, nodes.end, nodes.left, nodes.right, nodes.lo, nodes.hi, nodes.perm, X.data, X.cols, 0, X.rows, KD_LEAF, 0, 1);
    const a = new KdTree(X, 'euclidean', null, KD_LEAF, nodes), b = await buildKdTreeParallel(X, 'euclidean', null, 2);
    expect(Buffer.from(b.perm.buffer, b.perm.byteOffset, b.perm.byteLength).equals(Buffer.from(a.perm.buffer, a.perm.byteOffset, a.perm.byteLength))).toBe(true);
    expect(Array.from(b.pts)).toEqual(Array.from(a.pts));
    let walked = 0;
    const walk = (na: number, nb: number): void => {
      walked++;
      expect([b.start[nb], b.end[nb]]).toEqual([a.start[na], a.end[na]]);
      for (let t = 0; t < X.cols; t++) expect([b.lo[nb * X.cols + t], b.hi[nb * X.cols + t]]).toEqual([a.lo[na * X.cols + t], a.hi[na * X.cols + t]]);
      expect(b.left[nb] < 0).toBe(a.left[na] < 0);
      if (a.left[na] >= 0) { walk(a.left[na], b.left[nb]); walk(a.right[na], b.right[nb]); }
    };
    walk(0, 0);
    expect(walked).toBe(a.nodes);
  }
});

// native/knn.c kd_build (the workers' and the main thread's build where the accelerator is built)
// against the JavaScript kdBuild / kdSplit, array for array: float64 and float32 coordinates,
// ties (integer grids, every point repeated), D = 1 to 8, and splitOnly (the root's split).
const nativeKnn = join(__dirname, '..', '..', 'dist', 'native', 'knn.node');
const nativeBuild = existsSync(nativeKnn) ? (require(nativeKnn) as { supported?: boolean; kd_build?: NativeKdBuild }) : null;
describe.runIf(!!nativeBuild?.supported)('the native kd-tree build', () => {
  it('is kdBuild\'s tree (permutation, ranges, children, boxes) and kdSplit\'s split, and refuses arrays too short', () => {
    const build = nativeBuild?.kd_build as NativeKdBuild;
    const cases = [gaussian(5000, 2, 31), grid(3000, 3, 32, 4), grid(700, 2, 33, 1), gaussian(2000, 8, 34), gaussian(33, 1, 35), gaussian(1, 3, 36), grid(4100, 5, 37, 3)];
    for (const X of cases) {
      for (const f32 of [false, true]) {
        const src = f32 ? Float32Array.from(X.data) : Float64Array.from(X.data);
        const N = X.rows, D = X.cols;
        for (const splitOnly of [false, true]) {
          const a = kdNodeArrays(N, D, KD_LEAF, (n) => new ArrayBuffer(n)), b = kdNodeArrays(N, D, KD_LEAF, (n) => new ArrayBuffer(n));
          const ra = splitOnly ? kdSplit(a.start, a.end, a.left, a.right, a.lo, a.hi, a.perm, src, D, 0, N, KD_LEAF, 0)
            : kdBuild(a.start, a.end, a.left, a.right, a.lo, a.hi, a.perm, src, D, 0, N, KD_LEAF, 0, 1);
          const rb = build(b.perm, src, b.start, b.end, b.left, b.right, b.lo, b.hi, D, 0, N, KD_LEAF, 0, 1, splitOnly ? 1 : 0);
          expect(rb).toBe(ra);
          for (const k of ['perm', 'start', 'end', 'left', 'right', 'lo', 'hi'] as const) {
            const x = a[k], y = b[k];
            expect(Buffer.from(y.buffer, y.byteOffset, y.byteLength).equals(Buffer.from(x.buffer, x.byteOffset, x.byteLength)), `${N} x ${D} ${k}`).toBe(true);
          }
        }
      }
    }
    // node arrays with room for 3 nodes: refused, not written past
    const X = gaussian(500, 2, 38), b = kdNodeArrays(500, 2, KD_LEAF, (n) => new ArrayBuffer(n), 3);
    expect(() => build(b.perm, X.data as Float64Array, b.start, b.end, b.left, b.right, b.lo, b.hi, 2, 0, 500, KD_LEAF, 0, 1, 0)).toThrow(/more nodes than its arrays hold/);
    expect(() => build(b.perm, X.data as Float64Array, b.start, b.end, b.left, b.right, b.lo, b.hi, 2, 0, 501, KD_LEAF, 0, 1, 0)).toThrow(/outside the arrays/);
  });
});
