import type { Matrix } from '../matrix';
import type { Metric } from './metrics';
import { TopK } from './heap';
import { sqEuclid, sqEuclidPeriodic } from './distance';

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

  constructor(X: Matrix, metric: Metric, period: Float64Array | null, leafSize = 32) {
    if (metric === 'cosine') throw new Error('KdTree: cosine is not a box metric');
    if (period && metric === 'chebyshev') throw new Error('KdTree: periodic chebyshev is not supported');
    const N = X.rows, D = X.cols;
    this.n = N; this.dims = D; this.metric = metric; this.period = period;
    const perm = new Int32Array(N);
    for (let i = 0; i < N; i++) perm[i] = i;
    this.perm = perm;
    const maxNodes = 2 * Math.ceil((2 * N) / leafSize) + 3;
    this.start = new Int32Array(maxNodes); this.end = new Int32Array(maxNodes);
    this.left = new Int32Array(maxNodes); this.right = new Int32Array(maxNodes);
    this.lo = new Float64Array(maxNodes * D); this.hi = new Float64Array(maxNodes * D);
    const src = X.data;
    this.build(src, D, 0, N, Math.max(2, leafSize));
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

  private build(src: ArrayLike<number>, D: number, s: number, e: number, leaf: number): number {
    const node = this.nodes++;
    this.start[node] = s; this.end[node] = e;
    const lo = this.lo, hi = this.hi, perm = this.perm, b = node * D;
    // the box, a dimension at a time with the bounds in locals (the same minima and maxima: 3x
    // faster than updating lo / hi in the arrays for every point; the build is serial, before the workers)
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
    if (e - s <= leaf) { this.left[node] = -1; this.right[node] = -1; return node; }
    let dim = 0, width = -1;
    for (let t = 0; t < D; t++) { const w = hi[b + t] - lo[b + t]; if (w > width) { width = w; dim = t; } }
    if (!(width > 0)) { this.left[node] = -1; this.right[node] = -1; return node; } // all identical
    const mid = (s + e) >> 1;
    quickselect(perm, src, D, dim, s, e - 1, mid);
    this.left[node] = this.build(src, D, s, mid, leaf);
    this.right[node] = this.build(src, D, mid, e, leaf);
    return node;
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

/** Moves the element of rank `kth` (by coordinate `dim`, ties by row index) into place. */
function quickselect(perm: Int32Array, src: ArrayLike<number>, D: number, dim: number, l: number, r: number, kth: number): void {
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
