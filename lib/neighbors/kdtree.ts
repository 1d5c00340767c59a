import type { Matrix } from '../matrix';
import type { Metric } from './metrics';
import { TopK } from './heap';
import { sqEuclid, sqEuclidPeriodic } from './distance';
import { nativeFunction } from './native';

/**
 * An exact typed-array kd-tree for low dimension (D up to about 8) and the euclidean, manhattan
 * and chebyshev metrics, with periodic boxes for euclidean and manhattan (perf-knn.md §5.3):
 * median split on the widest coordinate, leaves of <= 32 points stored contiguously (a permuted
 * copy of the data), bounding-box lower bounds, an explicit stack, nearer child first, queries in
 * tree order. Distances are computed with the same floating-point operations, in the same order,
 * as `pairDistance`, and candidates go through the same lexicographic `TopK` heap, so the table is
 * bit-for-bit the exact reference's (ties by ascending index). Pruning is conservative: a box is
 * skipped only when its lower bound exceeds the current k-th distance by a relative margin, so
 * rounding in the bound can never drop a neighbour or a tie.
 */
export class KdTree {
  readonly n: number;
  readonly dims: number;
  readonly metric: Metric;
  readonly period: Float64Array | null;
  /** Tree position -> original row. */
  readonly perm: Int32Array;
  /** The coordinates in tree order (float64 copy of the original values). */
  readonly pts: Float64Array;
  // nodes: [start, end) in tree order, children (-1 for a leaf), bounding box
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  /** Nodes built (the node arrays are longer). */
  nodes = 0;
  private readonly stackN: Int32Array;
  private readonly stackB: Float64Array;
  private readonly q: Float64Array;
  readonly absSlack: number;

  /**
   * The tree of X's rows (leaves of at most leafSize points). `built`: the permutation and nodes
   * already made (by kdrows.ts buildKdTreeParallel on the workers, the same splits), else they are built here.
   */
  constructor(X: Matrix, metric: Metric, period: Float64Array | null, leafSize = KD_LEAF, built?: KdNodes) {
    if (metric === 'cosine') throw new Error('KdTree: cosine is not a box metric');
    if (period && metric === 'chebyshev') throw new Error('KdTree: periodic chebyshev is not supported');
    const N = X.rows, D = X.cols;
    this.n = N; this.dims = D; this.metric = metric; this.period = period;
    const src = X.data;
    let perm: Int32Array;
    if (built) {
      perm = built.perm;
      this.start = built.start; this.end = built.end; this.left = built.left; this.right = built.right;
      this.lo = built.lo; this.hi = built.hi;
      this.nodes = built.nodes;
    } else {
      const b = kdNodeArrays(N, D, leafSize, (n) => new ArrayBuffer(n));
      perm = b.perm;
      this.start = b.start; this.end = b.end; this.left = b.left; this.right = b.right; this.lo = b.lo; this.hi = b.hi;
      this.nodes = kdBuildFast(b, src, D, 0, N, Math.max(2, leafSize), 0, 1);
    }
    this.perm = perm;
    const pts = new Float64Array(N * D);
    for (let p = 0; p < N; p++) {
      const o = perm[p] * D;
      for (let t = 0; t < D; t++) pts[p * D + t] = src[o + t];
    }
    this.pts = pts;
    this.stackN = new Int32Array(4 * 64 + 8);
    this.stackB = new Float64Array(4 * 64 + 8);
    this.q = new Float64Array(D);
    let lmax = 0;
    if (period) for (let t = 0; t < D; t++) lmax = Math.max(lmax, period[t]);
    this.absSlack = period ? 1e-12 * lmax * D : 0;
  }

  /** Lower bound of the distance from this.q to the box of `node`. */
  private boxBound(node: number): number {
    const D = this.dims, lo = this.lo, hi = this.hi, q = this.q, b = node * D, per = this.period;
    const m = this.metric;
    let s = 0;
    for (let t = 0; t < D; t++) {
      let g: number;
      const l = lo[b + t], h = hi[b + t], v = q[t];
      if (per) {
        const L = per[t];
        const w = h - l;
        if (w >= L) g = 0;
        else {
          let a = (v - l) % L;
          if (a < 0) a += L;
          g = a <= w ? 0 : Math.min(a - w, L - a);
        }
      } else {
        g = v < l ? l - v : v > h ? v - h : 0;
      }
      if (m === 'euclidean') s += g * g;
      else if (m === 'manhattan') s += g;
      else if (g > s) s = g;
    }
    return m === 'euclidean' ? Math.sqrt(s) : s;
  }

  /**
   * Offers every tree point except original row `self` (-1: none) to `heap` (which keeps the k
   * best in (distance, index) order). `qa[qo .. qo + D)` are the query coordinates.
   */
  query(qa: ArrayLike<number>, qo: number, self: number, heap: TopK, initBound = Infinity): void {
    const D = this.dims, q = this.q, pts = this.pts, perm = this.perm, per = this.period;
    for (let t = 0; t < D; t++) q[t] = qa[qo + t];
    const m = this.metric, slack = this.absSlack;
    let sp = 0;
    const stN = this.stackN, stB = this.stackB;
    stN[sp] = 0; stB[sp] = 0; sp++;
    while (sp > 0) {
      sp--;
      const node = stN[sp];
      const hb = heap.bound(), bound = hb < initBound ? hb : initBound;
      if (stB[sp] * (1 - 1e-12) - slack > bound) continue;
      const l = this.left[node];
      if (l < 0) {
        const e = this.end[node];
        for (let p = this.start[node]; p < e; p++) {
          const j = perm[p];
          if (j === self) continue;
          const o = p * D;
          let dist: number;
          if (m === 'euclidean') {
            dist = Math.sqrt(per ? sqEuclidPeriodic(q, 0, pts, o, D, per) : sqEuclid(q, 0, pts, o, D));
          } else if (m === 'manhattan') {
            let s = 0;
            if (per) {
              for (let t = 0; t < D; t++) {
                const L = per[t];
                let ee = Math.abs(q[t] - pts[o + t]) % L;
                if (ee > L - ee) ee = L - ee;
                s += ee;
              }
            } else {
              for (let t = 0; t < D; t++) s += Math.abs(q[t] - pts[o + t]);
            }
            dist = s;
          } else {
            let s = 0;
            for (let t = 0; t < D; t++) { const ee = Math.abs(q[t] - pts[o + t]); if (ee > s) s = ee; }
            dist = s;
          }
          if (dist <= heap.bound() && dist <= initBound) heap.push(dist, j);
        }
        continue;
      }
      const r = this.right[node];
      const bl = this.boxBound(l), br = this.boxBound(r);
      if (sp + 2 > stN.length) throw new Error('KdTree: stack overflow');
      // farther child first on the stack, so the nearer one is visited next
      if (bl <= br) { stN[sp] = r; stB[sp] = br; sp++; stN[sp] = l; stB[sp] = bl; sp++; }
      else { stN[sp] = l; stB[sp] = bl; sp++; stN[sp] = r; stB[sp] = br; sp++; }
    }
  }
}

/** The most points of a leaf (a node of more is split). */
export const KD_LEAF = 32;

/** A tree's permutation and node arrays: [start, end) in tree order, children (-1: a leaf), bounding boxes (D per node). */
export interface KdNodes {
  perm: Int32Array; start: Int32Array; end: Int32Array; left: Int32Array; right: Int32Array; lo: Float64Array; hi: Float64Array; nodes: number;
}

/** The most nodes a tree of n points with leaves of at most `leaf` can have (each leaf holds at least leaf / 2 points). */
export function kdMaxNodes(n: number, leaf: number): number {
  return 2 * Math.ceil((2 * n) / leaf) + 3;
}

/** A tree's arrays over `alloc`'s buffer (perm the identity): room for kdMaxNodes(N) nodes, or `maxNodes`. */
export function kdNodeArrays(N: number, D: number, leafSize: number, alloc: (bytes: number) => ArrayBufferLike, maxNodes = kdMaxNodes(N, leafSize)): KdNodes {
  const M = maxNodes, buf = alloc(N * 4 + 4 * M * 4 + 2 * M * D * 8 + 64);
  let o = 0;
  const i32 = (n: number) => { const a = new Int32Array(buf, o, n); o += n * 4; return a; };
  const perm = i32(N), start = i32(M), end = i32(M), left = i32(M), right = i32(M);
  o = Math.ceil(o / 8) * 8;
  const lo = new Float64Array(buf, o, M * D), hi = new Float64Array(buf, o + M * D * 8, M * D);
  for (let i = 0; i < N; i++) perm[i] = i;
  return { perm, start, end, left, right, lo, hi, nodes: 0 };
}

/** native/knn.c kd_build: kdBuild, or with splitOnly kdSplit, on the same arrays (the same tree). */
export type NativeKdBuild = (perm: Int32Array, src: Float64Array | Float32Array, start: Int32Array, end: Int32Array, left: Int32Array,
  right: Int32Array, lo: Float64Array, hi: Float64Array, D: number, s: number, e: number, leaf: number, node: number, next: number, splitOnly: number) => number;

/**
 * kdBuild (splitOnly: kdSplit) by the native kernel where it is built (the same tree, operation
 * for operation: 12% of a Fig1 20000 x 2 table's CPU time was the JavaScript build), else kdBuild.
 */
export function kdBuildFast(b: KdNodes, src: ArrayLike<number>, D: number, s: number, e: number, leaf: number, node: number, next: number,
  splitOnly = false): number {
  const nat = nativeFunction<NativeKdBuild>('kd_build');
  if (nat && (src instanceof Float64Array || src instanceof Float32Array)) {
    return nat(b.perm, src, b.start, b.end, b.left, b.right, b.lo, b.hi, D, s, e, leaf, node, next, splitOnly ? 1 : 0);
  }
  return splitOnly ? kdSplit(b.start, b.end, b.left, b.right, b.lo, b.hi, b.perm, src, D, s, e, leaf, node)
    : kdBuild(b.start, b.end, b.left, b.right, b.lo, b.hi, b.perm, src, D, s, e, leaf, node, next);
}

/**
 * Builds the subtree of tree positions [s, e) as node `node`, its descendants numbered from
 * `next` on in preorder (left subtree first); returns the next free node. The box of each node
 * a dimension at a time with the bounds in locals (the same minima and maxima: 3x faster than
 * updating lo / hi for every point), the split at the median of the widest coordinate (ties by
 * row index). Standalone: the workers run its source (kdrows.ts buildKdTreeParallel).
 */
export function kdBuild(start: Int32Array, end: Int32Array, left: Int32Array, right: Int32Array, lo: Float64Array, hi: Float64Array,
  perm: Int32Array, src: ArrayLike<number>, D: number, s: number, e: number, leaf: number, node: number, next: number): number {
  const mid = kdSplit(start, end, left, right, lo, hi, perm, src, D, s, e, leaf, node);
  if (mid < 0) return next;
  left[node] = next;
  next = kdBuild(start, end, left, right, lo, hi, perm, src, D, s, mid, leaf, next, next + 1);
  right[node] = next;
  return kdBuild(start, end, left, right, lo, hi, perm, src, D, mid, e, leaf, next, next + 1);
}

/** kdBuild's work at one node: its range and box, then the split: returns the middle, or -1 for a leaf (no children). Standalone. */
export function kdSplit(start: Int32Array, end: Int32Array, left: Int32Array, right: Int32Array, lo: Float64Array, hi: Float64Array,
  perm: Int32Array, src: ArrayLike<number>, D: number, s: number, e: number, leaf: number, node: number): number {
  start[node] = s;
  end[node] = e;
  const b = node * D;
  for (let t = 0; t < D; t++) {
    let mn = Infinity, mx = -Infinity;
    for (let p = s; p < e; p++) {
      const v = src[perm[p] * D + t];
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
    lo[b + t] = mn;
    hi[b + t] = mx;
  }
  if (e - s <= leaf) { left[node] = -1; right[node] = -1; return -1; }
  let dim = 0, width = -1;
  for (let t = 0; t < D; t++) { const w = hi[b + t] - lo[b + t]; if (w > width) { width = w; dim = t; } }
  if (!(width > 0)) { left[node] = -1; right[node] = -1; return -1; } // all identical
  const mid = (s + e) >> 1;
  quickselect(perm, src, D, dim, s, e - 1, mid);
  return mid;
}

/** Moves the element of rank `kth` (by coordinate `dim`, ties by row index) into place. */
export function quickselect(perm: Int32Array, src: ArrayLike<number>, D: number, dim: number, l: number, r: number, kth: number): void {
  const key = (p: number) => src[perm[p] * D + dim];
  const less = (a: number, ia: number, b: number, ib: number) => a < b || (a === b && ia < ib);
  while (r > l) {
    const m = (l + r) >> 1;
    // median of three pivots
    let a = l, b = m, c = r;
    if (less(key(b), perm[b], key(a), perm[a])) { const t = a; a = b; b = t; }
    if (less(key(c), perm[c], key(b), perm[b])) { b = c; if (less(key(b), perm[b], key(a), perm[a])) b = a; }
    const pv = key(b), pi = perm[b];
    let i = l, j = r;
    while (i <= j) {
      while (less(key(i), perm[i], pv, pi)) i++;
      while (less(pv, pi, key(j), perm[j])) j--;
      if (i <= j) { const t = perm[i]; perm[i] = perm[j]; perm[j] = t; i++; j--; }
    }
    if (kth <= j) r = j;
    else if (kth >= i) l = i;
    else return;
  }
}

/** Distance between the points at tree positions a and b (the tree's metric and period). */
function positionDistance(tree: KdTree, a: number, b: number): number {
  const D = tree.dims, pts = tree.pts, per = tree.period, oa = a * D, ob = b * D, m = tree.metric;
  if (m === 'euclidean') return Math.sqrt(per ? sqEuclidPeriodic(pts, oa, pts, ob, D, per) : sqEuclid(pts, oa, pts, ob, D));
  let s = 0;
  for (let t = 0; t < D; t++) {
    let e = Math.abs(pts[oa + t] - pts[ob + t]);
    if (per) { const L = per[t]; e %= L; if (e > L - e) e = L - e; }
    if (m === 'manhattan') s += e;
    else if (e > s) s = e;
  }
  return s;
}

/**
 * Self rows at tree positions [p0, p1): row perm[p] gets itself in column 0 and its maxk
 * neighbours. Queries go in tree order, and each starts from the bound r_k(previous) +
 * d(previous, this) (the previous point and its k neighbours are k candidates within it, by
 * the triangle inequality, which holds on the torus too), widened by 1e-9 against rounding:
 * far fewer heap replacements, the same table.
 */
export function kdTreeRows(tree: KdTree, maxk: number, p0: number, p1: number, outD: Float64Array, outI: Int32Array): void {
  const w = maxk + 1, heap = new TopK(maxk), D = tree.dims;
  let prevK = Infinity;
  for (let p = p0; p < p1; p++) {
    const i = tree.perm[p];
    heap.reset();
    const init = p > p0 && Number.isFinite(prevK) ? (prevK + positionDistance(tree, p - 1, p)) * (1 + 1e-9) + 1e-300 : Infinity;
    tree.query(tree.pts, p * D, i, heap, init);
    if (heap.size < maxk) { // cannot happen mathematically; guard against any rounding surprise
      heap.reset();
      tree.query(tree.pts, p * D, i, heap);
    }
    outD[i * w] = 0; outI[i * w] = i;
    heap.drainSorted(outD, outI, i * w + 1);
    prevK = outD[i * w + maxk];
  }
}

/** Query rows [r0, r1) of Q against the tree, no self exclusion: k columns per row. */
export function kdTreeCross(tree: KdTree, Q: Matrix, k: number, r0: number, r1: number, outD: Float64Array, outI: Int32Array): void {
  const heap = new TopK(k), D = tree.dims;
  for (let i = r0; i < r1; i++) {
    heap.reset();
    tree.query(Q.data, i * D, -1, heap);
    heap.drainSorted(outD, outI, i * k);
  }
}
