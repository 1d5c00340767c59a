/**
 * The kd-tree's self rows as one standalone function over the tree's arrays (kdtree.ts builds
 * them), so the neighbour pool's workers can run it on the tree in shared memory: the same
 * queries, distances (distance.ts's order) and (distance, index) heap as KdTree.query with
 * kdTreeRows, hence the same table bit for bit, however the rows are split. Nothing outside the
 * function body is referred to (its source is sent to the workers).
 *
 * Rows at tree positions [p0, p1): row perm[p] gets itself in column 0 and its maxk neighbours,
 * written at row perm[p] of outD / outI (stride maxk + 1). Each query starts from the bound
 * r_k(previous) + d(previous, this) (widened by 1e-9), as kdTreeRows does. metric: 0 euclidean,
 * 2 manhattan, 3 chebyshev; per: the box lengths or null.
 *
 * Where the native accelerator is built (lib/neighbors/native.ts), the workers run its C twin
 * instead (native/knn.c kd_rows: the same operations in the same order, 1.9x faster on 2-D data;
 * see DESIGN.md, the neighbour engine); a change here must be made there too (kdparallel.test.ts
 * compares the two byte for byte).
 */
import type { Matrix } from '../matrix';
import { sharedRows } from './inorder';
import { KD_LEAF, KdTree, kdBuild, kdBuildFast, kdMaxNodes, kdNodeArrays, kdSplit, quickselect } from './kdtree';
import type { Metric } from './metrics';
import { getPool, ROW_JOB_BASE, runRowJobs } from './pool';
import { nativeKernelPath } from './native';
import { align16 } from './wasm';

export function kdRows(start: Int32Array, end: Int32Array, left: Int32Array, right: Int32Array, lo: Float64Array, hi: Float64Array,
  perm: Int32Array, pts: Float64Array, D: number, metric: number, per: Float64Array | null, absSlack: number, maxk: number,
  p0: number, p1: number, outD: Float64Array, outI: Int32Array): void {
  const w = maxk + 1;
  const hd = new Float64Array(maxk), hx = new Int32Array(maxk), q = new Float64Array(D);
  const stN = new Int32Array(4 * 64 + 8), stB = new Float64Array(4 * 64 + 8);
  const pp = new Float64Array(8);
  // distance between q and tree position p (distance.ts sqEuclid / sqEuclidPeriodic order)
  const dist = (a: Float64Array, oa: number, o: number): number => {
    if (metric === 0) {
      if (per) {
        pp.fill(0);
        for (let t = 0; t < D; t++) {
          const L = per[t];
          let e = Math.abs(a[oa + t] - pts[o + t]) % L;
          if (e > L - e) e = L - e;
          pp[t & 7] += e * e;
        }
        return Math.sqrt(((pp[0] + pp[4]) + (pp[2] + pp[6])) + ((pp[1] + pp[5]) + (pp[3] + pp[7])));
      }
      let p0s = 0, p1s = 0, p2s = 0, p3s = 0, p4s = 0, p5s = 0, p6s = 0, p7s = 0, e = 0, t = 0;
      for (; t + 8 <= D; t += 8) {
        e = a[oa + t] - pts[o + t]; p0s += e * e; e = a[oa + t + 1] - pts[o + t + 1]; p1s += e * e;
        e = a[oa + t + 2] - pts[o + t + 2]; p2s += e * e; e = a[oa + t + 3] - pts[o + t + 3]; p3s += e * e;
        e = a[oa + t + 4] - pts[o + t + 4]; p4s += e * e; e = a[oa + t + 5] - pts[o + t + 5]; p5s += e * e;
        e = a[oa + t + 6] - pts[o + t + 6]; p6s += e * e; e = a[oa + t + 7] - pts[o + t + 7]; p7s += e * e;
      }
      const r = D - t;
      if (r > 0) { e = a[oa + t] - pts[o + t]; p0s += e * e; }
      if (r > 1) { e = a[oa + t + 1] - pts[o + t + 1]; p1s += e * e; }
      if (r > 2) { e = a[oa + t + 2] - pts[o + t + 2]; p2s += e * e; }
      if (r > 3) { e = a[oa + t + 3] - pts[o + t + 3]; p3s += e * e; }
      if (r > 4) { e = a[oa + t + 4] - pts[o + t + 4]; p4s += e * e; }
      if (r > 5) { e = a[oa + t + 5] - pts[o + t + 5]; p5s += e * e; }
      if (r > 6) { e = a[oa + t + 6] - pts[o + t + 6]; p6s += e * e; }
      return Math.sqrt(((p0s + p4s) + (p2s + p6s)) + ((p1s + p5s) + (p3s + p7s)));
    }
    let s = 0;
    for (let t = 0; t < D; t++) {
      let e = Math.abs(a[oa + t] - pts[o + t]);
      if (per) { const L = per[t]; e %= L; if (e > L - e) e = L - e; }
      if (metric === 2) s += e;
      else if (e > s) s = e;
    }
    return s;
  };
  // lower bound of the distance from q to the box of `node` (KdTree.boxBound)
  const boxBound = (node: number): number => {
    const b = node * D;
    let s = 0;
    for (let t = 0; t < D; t++) {
      let g: number;
      const l = lo[b + t], h = hi[b + t], v = q[t];
      if (per) {
        const L = per[t];
        const wd = h - l;
        if (wd >= L) g = 0;
        else {
          let a = (v - l) % L;
          if (a < 0) a += L;
          g = a <= wd ? 0 : Math.min(a - wd, L - a);
        }
      } else {
        g = v < l ? l - v : v > h ? v - h : 0;
      }
      if (metric === 0) s += g * g;
      else if (metric === 2) s += g;
      else if (g > s) s = g;
    }
    return metric === 0 ? Math.sqrt(s) : s;
  };
  let size = 0;
  // TopK.push: keeps the maxk smallest (distance, index) pairs in a max-heap
  const push = (d: number, index: number): void => {
    if (size < maxk) {
      let x = size++;
      while (x > 0) {
        const par = (x - 1) >> 1;
        if (hd[par] > d || (hd[par] === d && hx[par] > index)) break;
        hd[x] = hd[par]; hx[x] = hx[par]; x = par;
      }
      hd[x] = d; hx[x] = index;
      return;
    }
    if (d > hd[0] || (d === hd[0] && index > hx[0])) return;
    let x = 0;
    for (;;) {
      const l = 2 * x + 1;
      if (l >= size) break;
      let m = l;
      if (l + 1 < size && (hd[l + 1] > hd[l] || (hd[l + 1] === hd[l] && hx[l + 1] > hx[l]))) m = l + 1;
      if (hd[m] < d || (hd[m] === d && hx[m] < index)) break;
      hd[x] = hd[m]; hx[x] = hx[m]; x = m;
    }
    hd[x] = d; hx[x] = index;
  };
  // KdTree.query from tree position p (its point excluded)
  const query = (p: number, self: number, initBound: number): void => {
    for (let t = 0; t < D; t++) q[t] = pts[p * D + t];
    let sp = 0;
    stN[sp] = 0; stB[sp] = 0; sp++;
    while (sp > 0) {
      sp--;
      const node = stN[sp];
      const hb = size < maxk ? Infinity : hd[0], bound = hb < initBound ? hb : initBound;
      if (stB[sp] * (1 - 1e-12) - absSlack > bound) continue;
      const l = left[node];
      if (l < 0) {
        const e = end[node];
        for (let x = start[node]; x < e; x++) {
          const j = perm[x];
          if (j === self) continue;
          const d = dist(q, 0, x * D);
          if (d <= (size < maxk ? Infinity : hd[0]) && d <= initBound) push(d, j);
        }
        continue;
      }
      const r = right[node];
      const bl = boxBound(l), br = boxBound(r);
      if (sp + 2 > stN.length) throw new Error('KdTree: stack overflow');
      if (bl <= br) { stN[sp] = r; stB[sp] = br; sp++; stN[sp] = l; stB[sp] = bl; sp++; }
      else { stN[sp] = l; stB[sp] = bl; sp++; stN[sp] = r; stB[sp] = br; sp++; }
    }
  };
  let prevK = Infinity;
  for (let p = p0; p < p1; p++) {
    const i = perm[p];
    size = 0;
    const init = p > p0 && Number.isFinite(prevK) ? (prevK + dist(pts, (p - 1) * D, p * D)) * (1 + 1e-9) + 1e-300 : Infinity;
    query(p, i, init);
    if (size < maxk) { size = 0; query(p, i, Infinity); }
    const o = i * w;
    outD[o] = 0; outI[o] = i;
    // TopK.drainSorted: the largest to the end
    for (let n = size; n > 0;) {
      outD[o + n] = hd[0]; outI[o + n] = hx[0];
      n--;
      if (n === 0) break;
      const d = hd[n], index = hx[n];
      let x = 0;
      for (;;) {
        const l = 2 * x + 1;
        if (l >= n) break;
        let m = l;
        if (l + 1 < n && (hd[l + 1] > hd[l] || (hd[l + 1] === hd[l] && hx[l + 1] > hx[l]))) m = l + 1;
        if (hd[m] < d || (hd[m] === d && hx[m] < index)) break;
        hd[x] = hd[m]; hx[x] = hx[m]; x = m;
      }
      hd[x] = d; hx[x] = index;
    }
    prevK = outD[o + maxk];
  }
}

/** Below this many points the workers cost more than they save. */
export const KD_PARALLEL_MIN = 4000;

/**
 * kdTreeRows for every point on the worker threads: the tree's arrays are copied into the pool's
 * shared memory and each worker runs kdRows on ranges of tree positions (the same table as one
 * thread, bit for bit), writing the rows straight into the table's own arrays: `dist` and `ind`
 * (N (maxk + 1) each) over a SharedArrayBuffer allocated here, returned. (Written to the pool's
 * memory and copied out after the workers, the 12 (maxk + 1) N bytes left both workers idle:
 * 7 ms of a 90 ms Fig1 20000 table.) `progress(done)` is awaited after each range.
 */
export async function kdTreeRowsParallel(tree: KdTree, maxk: number, workers: number,
  progress?: (done: number) => void | Promise<void>): Promise<{ dist: Float64Array; ind: Int32Array }> {
  const N = tree.n, D = tree.dims, w = maxk + 1, nodes = tree.nodes;
  const native = nativeKernelPath(); // the C twin of kdRows (native/knn.c kd_rows) where it is built
  const metric = tree.metric === 'euclidean' ? 0 : tree.metric === 'manhattan' ? 2 : 3;
  const sizes = [N * 4, N * D * 8, nodes * 4, nodes * 4, nodes * 4, nodes * 4, nodes * D * 8, nodes * D * 8, D * 8];
  const offs: number[] = [];
  let o = 0;
  for (const b of sizes) { offs.push(ROW_JOB_BASE + o); o += align16(b); }
  const { buf: out, iOff, dist, ind } = sharedRows(N, w);
  await runRowJobs({
    workers, n: N, bytes: o, bundle: KD_BUNDLE, fn: 'runKd', progress,
    fill: (buf) => {
      new Int32Array(buf, offs[0], N).set(tree.perm);
      new Float64Array(buf, offs[1], N * D).set(tree.pts);
      new Int32Array(buf, offs[2], nodes).set(tree.start.subarray(0, nodes));
      new Int32Array(buf, offs[3], nodes).set(tree.end.subarray(0, nodes));
      new Int32Array(buf, offs[4], nodes).set(tree.left.subarray(0, nodes));
      new Int32Array(buf, offs[5], nodes).set(tree.right.subarray(0, nodes));
      new Float64Array(buf, offs[6], nodes * D).set(tree.lo.subarray(0, nodes * D));
      new Float64Array(buf, offs[7], nodes * D).set(tree.hi.subarray(0, nodes * D));
      if (tree.period) new Float64Array(buf, offs[8], D).set(tree.period);
    },
    args: (p0, p1) => ({ N, D, nodes, metric, per: tree.period !== null, absSlack: tree.absSlack, maxk, p0, p1, o: offs, out, iOff, native }),
  });
  return { dist, ind };
}

const KD_BUNDLE = {
  name: 'kd',
  src: `${kdRows.toString()}
function runKd(buf, a, nat) {
  const o = a.o, N = a.N, D = a.D, n = a.nodes, w = a.maxk + 1;
  if (nat && nat.kd_rows) { // the same rows bit for bit (native/knn.c); a build without kd_rows runs kdRows
    nat.kd_rows(new Uint8Array(buf), o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7], a.per ? o[8] : -1, 0, a.iOff,
      D, a.metric, a.absSlack, a.maxk, a.p0, a.p1, new Uint8Array(a.out));
    return;
  }
  kdRows(new Int32Array(buf, o[2], n), new Int32Array(buf, o[3], n), new Int32Array(buf, o[4], n), new Int32Array(buf, o[5], n),
    new Float64Array(buf, o[6], n * D), new Float64Array(buf, o[7], n * D), new Int32Array(buf, o[0], N), new Float64Array(buf, o[1], N * D),
    D, a.metric, a.per ? new Float64Array(buf, o[8], D) : null, a.absSlack, a.maxk, a.p0, a.p1,
    new Float64Array(a.out, 0, N * w), new Int32Array(a.out, a.iOff, N * w));
}
return { runKd };`,
};

/**
 * The KdTree of X built on two workers: the root's split here, then its two subtrees at once, one
 * per worker (kdBuild's splits, so the same tree; only the right subtree's node numbers start
 * after room for the left one's, kdMaxNodes). The build was serial work with both workers idle
 * before the queries: 5.6 ms of a 26 ms Fig1 20000 x 2 table at maxk = 30.
 */
export async function buildKdTreeParallel(X: Matrix, metric: Metric, period: Float64Array | null, workers: number): Promise<KdTree> {
  if (workers < 2) return new KdTree(X, metric, period);
  const N = X.rows, D = X.cols, leaf = KD_LEAF;
  const src = new Float64Array(new SharedArrayBuffer(N * D * 8));
  src.set(X.data);
  const mid0 = N >> 1, R = 1 + kdMaxNodes(mid0, leaf);
  const t = kdNodeArrays(N, D, leaf, (n) => new SharedArrayBuffer(n), R + kdMaxNodes(N - mid0, leaf));
  const mid = kdBuildFast(t, src, D, 0, N, leaf, 0, 0, true);
  if (mid < 0) { // the root is a leaf
    t.nodes = 1;
    return new KdTree(X, metric, period, leaf, t);
  }
  t.left[0] = 1;
  t.right[0] = R;
  const ret = new Int32Array(new SharedArrayBuffer(8));
  const pool = getPool(workers);
  const views = { perm: t.perm, start: t.start, end: t.end, left: t.left, right: t.right, lo: t.lo, hi: t.hi };
  await pool.exclusive(async () => {
    const memory = pool.memoryFor(ROW_JOB_BASE);
    await Promise.all([[0, mid, 1], [mid, N, R]].map(([s, e, node], i) => pool.callJs(i, KD_BUILD_BUNDLE, 'runBuild', memory,
      { ...views, src, D, leaf, s, e, node, ret, slot: i, native: nativeKernelPath() })));
  });
  if (ret[0] > R) throw new Error(`KdTree: the left subtree took ${ret[0] - 1} nodes, more than its room (${R - 1})`);
  t.nodes = ret[1];
  return new KdTree(X, metric, period, leaf, t);
}

const KD_BUILD_BUNDLE = {
  name: 'kdbuild',
  src: `${quickselect.toString()}
${kdSplit.toString()}
${kdBuild.toString()}
function runBuild(buf, a, nat) { // native/knn.c kd_build where it is built: the same tree
  a.ret[a.slot] = nat && nat.kd_build
    ? nat.kd_build(a.perm, a.src, a.start, a.end, a.left, a.right, a.lo, a.hi, a.D, a.s, a.e, a.leaf, a.node, a.node + 1, 0)
    : kdBuild(a.start, a.end, a.left, a.right, a.lo, a.hi, a.perm, a.src, a.D, a.s, a.e, a.leaf, a.node, a.node + 1);
}
return { runBuild };`,
};
