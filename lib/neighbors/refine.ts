/**
 * The second pass of the WebAssembly engine: the rows stage 1 could not certify, recomputed
 * exactly with the vectorised kernels, in the worker that finished them (or on this thread when
 * there is no pool).
 *
 * A row fails certification when points left out of its k' candidates might tie or beat its k-th
 * distance: many points at the same distance (identical rows, dead-ReLU rows, integer grids),
 * near-ties within the float32 error bound, or a bound made useless by an outlier. Given K, an
 * upper bound on the row's exact k-th distance (the k-th exact distance among its candidates, or
 * the bound of its k-th candidate value), every point with exact distance <= K has a stage-1
 * value below hi(K), the value above which the certified lower bound L (wasm.ts; L(a) <= d for
 * the exact distance d of a point with value a) exceeds K. So the row's float32 values against
 * all N points (already in memory after the row-select kernels, else one values pass), one
 * vectorised scan listing the points below hi(K) (asm count_band), their exact float64 distances
 * (asm/native exact_l2: pairDistance's bits; one per group of identical rows, whose distances
 * are the same bits) and a partial sort by (distance, index) (asm sort_rows) give the k nearest,
 * ties by index: the exact brute-force row, bit for bit, from a list that holds the ties and the
 * points within the error bound (all N only where no float32 values exist: float64 stage 1,
 * manhattan and chebyshev, or overflowed values).
 *
 * `refineRows` runs in the pool's workers (its source is inlined into the worker, pool.ts), so
 * it must not refer to anything outside its own body.
 */

/**
 * Byte offsets of one thread's scratch: values of up to 4 rows (N float32 each), the list (N + 1
 * int32), its exact distances (N float64), one row per group of identical rows of the list (N
 * int32) and their exact distances (N float64), the sorted k (+ 1) pairs.
 */
export interface RefineScratch { v: number; l: number; e: number; u: number; eu: number; d: number; i: number }

/** The plan's constants a refine pass reads. */
export interface RefineConsts {
  N: number; selfMode: boolean; qBase: number; metric: number; D: number; sqnMax: number; eCoef: number; u: number;
  /** The float32 values of the kernel bound rows (float32 stage 1, euclidean or cosine, no overflow). */
  vals: boolean;
}

/** The kernels a refine pass calls (the worker's instance and native module, or this thread's instance). */
export interface RefineOps {
  /** Values of kernel rows [i0, i1) against the N reference rows, rows of N float32 at rv. */
  values: (i0: number, i1: number, rv: number) => void;
  /** Lists at `list` the points of the value row at `row` below hi (asm count_band); returns their number. */
  band: (row: number, hi: number, list: number) => number;
  /** Exact distances of kernel row i to the n points listed at `list`, to ed. */
  exact: (i: number, n: number, list: number, ed: number) => void;
  /** The k smallest (distance, index) pairs of the n at ed / list, in order, to outD / outI (asm sort_rows). */
  sort: (ed: number, list: number, n: number, k: number, outD: number, outI: number) => void;
  /** The groups of identical reference rows (groupsOf(duplicateRows(...)), once per job when first asked), or null when all rows differ. */
  dups: () => GroupsOfJob | null;
}

/**
 * The groups of identical reference rows of a job: each row's first identical row (rep), group
 * sizes, a slot per row (-1, scratch of the exact pass), and the shared rows of groups already
 * found (at most cap of them: memory bounded by cap (k + 1) 12 bytes).
 */
export interface GroupsOfJob { rep: Int32Array; size: Int32Array; slot: Int32Array; cache: Map<number, { d: Float64Array; ix: Int32Array }>; cap: number }

/** GroupsOfJob of a duplicateRows map (null: all rows differ). */
export function groupsOf(rep: Int32Array | null): GroupsOfJob | null {
  if (rep === null) return null;
  const N = rep.length, size = new Int32Array(N);
  for (let i = 0; i < N; i++) size[rep[i]]++;
  return { rep, size, slot: new Int32Array(N).fill(-1), cache: new Map(), cap: Math.max(64, N >> 4) };
}

/** Bytes of one thread's refine scratch for N reference rows and k neighbours. */
export function refineScratchBytes(N: number, k: number): number {
  const a = (n: number) => Math.ceil(n / 16) * 16;
  return a(4 * N * 4) + 2 * (a((N + 1) * 4) + a(N * 8)) + a((k + 1) * 8) + a((k + 1) * 4);
}

/** The scratch offsets of refineScratchBytes from `off`. */
export function refineScratchAt(off: number, N: number, k: number): RefineScratch {
  const a = (n: number) => Math.ceil(n / 16) * 16;
  const v = off, l = v + a(4 * N * 4), e = l + a((N + 1) * 4), u = e + a(N * 8), eu = u + a((N + 1) * 4), d = eu + a(N * 8);
  return { v, l, e, u, eu, d, i: d + a((k + 1) * 8) };
}

/**
 * For each of N rows (W int32 words of bits each), the first row with the same bits (itself when
 * none), or null when all rows differ. Identical rows have bit-identical exact distances to any
 * row (the same operations on the same values), so the second pass computes one per group.
 * Standalone like refineRows (inlined into the pool's workers).
 */
export function duplicateRows(bits: Int32Array, N: number, W: number): Int32Array | null {
  let size = 1;
  while (size < 2 * N) size *= 2;
  const table = new Int32Array(size).fill(-1), rep = new Int32Array(N);
  let dups = 0;
  for (let i = 0; i < N; i++) {
    const o = i * W;
    let h = -2128831035; // FNV-1a over the words, then a final mix
    for (let t = 0; t < W; t++) h = Math.imul(h ^ bits[o + t], 16777619);
    h = Math.imul(h ^ (h >>> 16), 2146121005);
    h ^= h >>> 15;
    let s = h & (size - 1);
    rep[i] = i;
    for (;;) {
      const j = table[s];
      if (j < 0) { table[s] = i; break; }
      let same = true;
      for (let t = 0, oj = j * W; t < W; t++) if (bits[oj + t] !== bits[o + t]) { same = false; break; }
      if (same) { rep[i] = j; dups++; break; }
      s = (s + 1) & (size - 1);
    }
  }
  return dups > 0 ? rep : null;
}

/**
 * The rows r < rows of a block (query rows q0 + r) with need[r] !== 0, each recomputed exactly:
 * its k nearest points (the row itself excluded in self mode), in order, ties by index, written
 * at sc.d / sc.i, then `emit(r)`. K[r]: an upper bound on the row's exact k-th distance
 * (Infinity: none known). rv: the block's value rows (row r at rv + 4 N r), or -1 (computed here,
 * up to 4 consecutive rows per pass). Returns the number of exact distances computed.
 */
export function refineRows(buf: ArrayBuffer, ops: RefineOps, g: RefineConsts, sqn: Float64Array, sc: RefineScratch, k: number,
  q0: number, rows: number, need: Int32Array, K: Float64Array, rv: number, emit: (r: number) => void): number {
  const U64 = 2 ** -53;
  const N = g.N;
  const eps = (g.D + 8) * 2.3e-16, rootMax = Math.sqrt(g.sqnMax);
  const f32 = new Float32Array(1), i32 = new Int32Array(f32.buffer);
  // the next float32 >= x (by its bits: up for a positive one, down in magnitude for a negative one)
  const up32 = (x: number): number => {
    f32[0] = x;
    if (f32[0] < x) { if (f32[0] > 0) i32[0]++; else if (f32[0] < 0) i32[0]--; else i32[0] = 1; }
    return f32[0];
  };
  // hi(K): a value c with L(c) > K (checked), so every value >= c is certainly farther than K
  const hiOf = (qi: number, Kr: number): number => {
    if (!(Kr < Infinity)) return Infinity;
    if (g.metric === 0) {
      const ni = sqn[qi], E = g.eCoef * (ni + g.sqnMax), dl = (1.02 * g.u + 4 * U64) * (Math.sqrt(ni) + rootMax);
      const h = Kr / (1 - eps) + dl;
      const c = (h * h + E) * (1 + 1e-9) + 1e-300;
      const v = c - E;
      return ((v > 0 ? Math.sqrt(v) : 0) - dl) * (1 - eps) > Kr ? c : Infinity;
    }
    // cosine: the value is -2 x^.y^, and L(a) = 1 + (a - E) / 2 - dl
    const E = g.eCoef + 4.2 * g.u, dl = 8 * (g.D + 10) * U64;
    const c0 = 2 * (Kr - 1 + dl) + E;
    const c = c0 + Math.abs(c0) * 1e-9 + 1e-300;
    return 1 + (c - E) / 2 - dl > Kr ? c : Infinity;
  };
  const list = new Int32Array(buf, sc.l, N + 1);
  const dup = ops.dups();
  // the rows of a group of identical rows share their neighbours: the group's k + 1 nearest points
  // (its members included) are found once per job, and a member's row is that list without itself
  const shared = (q: number): boolean => g.selfMode && dup !== null && dup.size[dup.rep[q]] > 1;
  const known = (q: number): boolean => shared(q) && (dup as GroupsOfJob).cache.has((dup as GroupsOfJob).rep[q]);
  let vr0 = 0, vr1 = 0, work = 0; // rows [vr0, vr1) of the block have their values at sc.v
  // the kk nearest points of row r (query q, kernel row qi) in order at sc.d / sc.i: all points but
  // q (self mode, without: own) or every point (with: own; q itself is then listed at distance 0)
  const nearest = (r: number, q: number, qi: number, own: boolean, kk: number): void => {
    const self = g.selfMode ? q : -1;
    const hi = g.vals ? up32(hiOf(qi, K[r])) : Infinity;
    let n = 0;
    if (hi < Infinity) {
      let row: number;
      if (rv >= 0) {
        row = rv + r * N * 4;
      } else {
        if (r >= vr1 || r < vr0) {
          vr0 = r;
          vr1 = r + 1;
          while (vr1 < rows && vr1 - vr0 < 4 && need[vr1] !== 0 && !known(q0 + vr1)) vr1++;
          ops.values(g.qBase + q0 + vr0, g.qBase + q0 + vr1, sc.v);
        }
        row = sc.v + (r - vr0) * N * 4;
      }
      if (self >= 0) new Float32Array(buf, row + self * 4, 1)[0] = Infinity;
      n = ops.band(row, hi, sc.l);
      if (own && self >= 0) list[n++] = self;
    }
    if (n < kk) { // no usable values (or, defensively, too few listed): every point
      n = 0;
      for (let j = 0; j < N; j++) if (j !== self || own) list[n++] = j;
    }
    if (dup === null) {
      ops.exact(qi, n, sc.l, sc.e);
      work += n;
    } else {
      // one exact distance per group of identical rows in the list (dead-ReLU rows, repeated inputs), copied to the others
      const { rep, slot } = dup;
      const uniq = new Int32Array(buf, sc.u, N), ed = new Float64Array(buf, sc.e, N), eu = new Float64Array(buf, sc.eu, N);
      let m = 0;
      for (let c = 0; c < n; c++) { const g0 = rep[list[c]]; if (slot[g0] < 0) { slot[g0] = m; uniq[m++] = g0; } }
      ops.exact(qi, m, sc.u, sc.eu);
      for (let c = 0; c < n; c++) ed[c] = eu[slot[rep[list[c]]]];
      for (let c = 0; c < m; c++) slot[uniq[c]] = -1;
      work += m;
    }
    ops.sort(sc.e, sc.l, n, kk, sc.d, sc.i);
  };
  for (let r = 0; r < rows; r++) {
    if (need[r] === 0) continue;
    const q = q0 + r, qi = g.qBase + q;
    if (dup !== null && shared(q)) {
      const gid = dup.rep[q];
      let S = dup.cache.get(gid);
      if (!S) {
        nearest(r, q, qi, true, k + 1);
        S = { d: new Float64Array(buf, sc.d, k + 1).slice(), ix: new Int32Array(buf, sc.i, k + 1).slice() };
        if (dup.cache.size < dup.cap) dup.cache.set(gid, S);
      }
      const od = new Float64Array(buf, sc.d, k), oi = new Int32Array(buf, sc.i, k);
      for (let t = 0, c = 0; c < k; t++) if (S.ix[t] !== q) { od[c] = S.d[t]; oi[c] = S.ix[t]; c++; }
    } else {
      nearest(r, q, qi, false, k);
    }
    emit(r);
  }
  return work;
}
