/**
 * The window mode of the neighbour ranks (forEachNeighborRankBlock on the WebAssembly engine,
 * euclidean and cosine): stage 2 computes the exact float64 distance of only those candidates
 * whose stage-1 value leaves their order against a requested rank undecided.
 *
 * Each stage-1 value a (float32) brackets the exact reference distance d (float64, computed as
 * pairDistance does) by monotone bounds L(a) <= d <= U(a) (the error analysis of wasm.ts, on both
 * sides: kernel rounding E, rounding of the data to float32, float64 rounding of the reference).
 * With A_r the r-th smallest candidate value, the r-th smallest exact distance d_(r) lies in
 * [lo_r, hi_r] = [L(A_r), U(A_r)] (r candidates have d <= U(A_r); only candidates with a < A_r,
 * fewer than r, can have d < L(A_r); every left-out point has d >= L(T) > hi_k, checked per row).
 * So the B_r candidates with U(a) < lo_r are strictly below d_(r), every candidate with
 * L(a) > hi_r strictly above, and d_(r) is the (r - B_r)-th smallest exact distance of the window
 * {L(a) <= hi_r, U(a) >= lo_r}. Likewise the first `keep` columns (ties by index) are among the
 * candidates with L(a) <= hi_keep. Typically a few candidates per window instead of all k' get
 * an exact distance (the dominant cost at D = 768 is fetching their rows).
 *
 * `exAll` (rows x kp), when given, holds the exact distance of every candidate already (the pool
 * computes them with the vectorised kernel when most candidates are needed, e.g. keep close to k).
 * `exactOf`, when given (euclidean), computes the exact distances of a row's listed candidates
 * (the pool's native kernel: the same bits as pairDistance, fetched rows in vector registers).
 * `kb` (rows), when given, receives an upper bound on each row's exact k-th distance (Infinity
 * where none is known): the second pass (refine.ts) recomputes the rows with status 1 from it.
 *
 * `rankRows` runs in the pool's workers: its source text is inlined into the worker (pool.ts),
 * so it must not refer to anything outside its own body (no imports, no module constants).
 */
export function rankRows(
  hd: Float32Array, hi: Int32Array, hh: Float32Array, hn: Int32Array, rows: number, kp: number, C: number, i0: number,
  orig: ArrayLike<number>, D: number, metric: number, sqn: Float64Array, sqnMax: number, eCoef: number, u: number, all: boolean,
  ranks: Int32Array, keep: number, outR: Float64Array, keepD: Float64Array, keepI: Int32Array, status: Int32Array,
  s: Float64Array, lo: Float64Array, up: Float64Array, ex: Float64Array, marked: Int32Array, tmp: Float64Array, ti: Int32Array,
  exAll: Float64Array | null = null, kb: Float64Array | null = null,
  exactOf: { list: Int32Array; out: Float64Array; run: (i: number, n: number) => void } | null = null,
): void {
  const U64 = 2 ** -53;
  const R = ranks.length, kw = keep + 1, k = ranks[R - 1];
  const eps = (D + 8) * 2.3e-16;
  const rootMax = Math.sqrt(sqnMax);
  // Wirth's selection on a[l..r]: a[m] becomes the value of rank m
  const sel = (a: Float64Array, l: number, r: number, m: number): number => {
    while (l < r) {
      const x = a[m];
      let i = l, j = r;
      do {
        while (a[i] < x) i++;
        while (x < a[j]) j--;
        if (i <= j) { const t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
      } while (i <= j);
      if (j < m) l = i;
      if (m < i) r = j;
    }
    return a[m];
  };
  // sum of squared differences in distance.ts sqEuclid's order (eight partial sums), inlined
  const sq8 = (x: ArrayLike<number>, oa: number, ob: number, n: number): number => {
    let p0 = 0, p1 = 0, p2 = 0, p3 = 0, p4 = 0, p5 = 0, p6 = 0, p7 = 0, e = 0, t = 0;
    for (; t + 8 <= n; t += 8) {
      e = x[oa + t] - x[ob + t]; p0 += e * e; e = x[oa + t + 1] - x[ob + t + 1]; p1 += e * e;
      e = x[oa + t + 2] - x[ob + t + 2]; p2 += e * e; e = x[oa + t + 3] - x[ob + t + 3]; p3 += e * e;
      e = x[oa + t + 4] - x[ob + t + 4]; p4 += e * e; e = x[oa + t + 5] - x[ob + t + 5]; p5 += e * e;
      e = x[oa + t + 6] - x[ob + t + 6]; p6 += e * e; e = x[oa + t + 7] - x[ob + t + 7]; p7 += e * e;
    }
    const r = n - t;
    if (r > 0) { e = x[oa + t] - x[ob + t]; p0 += e * e; }
    if (r > 1) { e = x[oa + t + 1] - x[ob + t + 1]; p1 += e * e; }
    if (r > 2) { e = x[oa + t + 2] - x[ob + t + 2]; p2 += e * e; }
    if (r > 3) { e = x[oa + t + 3] - x[ob + t + 3]; p3 += e * e; }
    if (r > 4) { e = x[oa + t + 4] - x[ob + t + 4]; p4 += e * e; }
    if (r > 5) { e = x[oa + t + 5] - x[ob + t + 5]; p5 += e * e; }
    if (r > 6) { e = x[oa + t + 6] - x[ob + t + 6]; p6 += e * e; }
    return ((p0 + p4) + (p2 + p6)) + ((p1 + p5) + (p3 + p7));
  };
  const loR = new Float64Array(R), hiR = new Float64Array(R), tau = new Float64Array(R), sig = new Float64Array(R);
  const below = new Int32Array(R), first = new Int32Array(R + 1);
  for (let r = 0; r < rows; r++) {
    const i = i0 + r, oh = r * C;
    const T = hh[r * 4];
    if (kb !== null) kb[r] = Infinity;
    if (hn[r * 4 + 2] < kp || !(T < Infinity)) { status[r] = 1; continue; }
    // per-row bounds: euclidean d in [(sqrt(a - E) - dl) (1 - eps), (sqrt(a + E) + dl) (1 + eps)]
    const ni = sqn[i];
    const E = metric === 0 ? eCoef * (ni + sqnMax) : eCoef + 4.2 * u;
    const dl = metric === 0 ? (1.02 * u + 4 * U64) * (Math.sqrt(ni) + rootMax) : 8 * (D + 10) * U64;
    const L = (a: number): number => {
      if (metric !== 0) return 1 + (a - E) / 2 - dl;
      const v = a - E;
      return ((v > 0 ? Math.sqrt(v) : 0) - dl) * (1 - eps);
    };
    const Uf = (a: number): number => {
      if (metric !== 0) return 1 + (a + E) / 2 + dl;
      const v = a + E;
      return ((v > 0 ? Math.sqrt(v) : 0) + dl) * (1 + eps);
    };
    // value-space thresholds (L and Uf are non-decreasing: each step is a monotone, correctly
    // rounded operation): every a < below(y) has Uf(a) < y (certainly below a distance >= y), every
    // a > above(y) has L(a) > y (certainly above); checked, else the safe infinite threshold
    const belowOf = (y: number): number => {
      let c: number;
      if (metric === 0) {
        const g = y / (1 + eps) - dl;
        if (!(g > 0)) return -Infinity;
        c = (g * g - E) * (1 - 1e-9) - 1e-300;
      } else {
        const c0 = 2 * (y - 1 - dl) - E;
        c = c0 - Math.abs(c0) * 1e-9 - 1e-300;
      }
      return Uf(c) < y ? c : -Infinity;
    };
    const aboveOf = (y: number): number => {
      let c: number;
      if (metric === 0) {
        const h = y / (1 - eps) + dl;
        c = (h * h + E) * (1 + 1e-9) + 1e-300;
      } else {
        const c0 = 2 * (y - 1 + dl) + E;
        c = c0 + Math.abs(c0) * 1e-9 + 1e-300;
      }
      return L(c) > y ? c : Infinity;
    };
    for (let c = 0; c < kp; c++) s[c] = hd[oh + c];
    // the candidate values at the requested ranks (a cascade of selections from rank k down)
    const Ak = sel(s, 0, kp - 1, k - 1);
    if (kb !== null) kb[r] = Uf(Ak); // k candidates are within Uf(Ak): a bound on the exact k-th distance (the second pass's)
    if (!all && !(L(T) > Uf(Ak))) { status[r] = 1; continue; } // a left-out point might reach rank k
    status[r] = 0;
    let top = k - 1;
    const A = tmp; // A[q] for q < R: the value at ranks[q]
    for (let q = R - 1; q >= 0; q--) { const m = ranks[q] - 1; A[q] = m === top ? s[m] : sel(s, 0, top, m); top = m; }
    // (keep <= k: select again on the k smallest; the cascade order does not matter for values)
    const keepAbove = keep > 0 ? aboveOf(Uf(sel(s, 0, k - 1, keep - 1))) : -Infinity;
    for (let q = 0; q < R; q++) {
      loR[q] = L(A[q]); hiR[q] = Uf(A[q]);
      tau[q] = belowOf(loR[q]); sig[q] = aboveOf(hiR[q]);
      below[q] = 0;
    }
    // mark the candidates in some window (or in the keep set); count those certainly below each
    // rank. Usually tau and sig grow with the rank: then a candidate is below the ranks from the
    // first q0 with a < tau[q0] on (a short scan from the top: most candidates sit at the far
    // ranks) and in a window iff a <= sig[q0 - 1]; the same decisions as testing every rank
    let mono = true;
    for (let q = 1; q < R; q++) if (!(tau[q] >= tau[q - 1]) || !(sig[q] >= sig[q - 1])) { mono = false; break; }
    let nm = 0;
    if (mono) {
      first.fill(0);
      for (let c = 0; c < kp; c++) {
        const a = hd[oh + c];
        let q0 = R;
        while (q0 > 0 && a < tau[q0 - 1]) q0--;
        first[q0]++;
        if (a <= keepAbove || (q0 > 0 && a <= sig[q0 - 1])) marked[nm++] = c;
      }
      let acc = 0;
      for (let q = 0; q < R; q++) { acc += first[q]; below[q] = acc; }
    } else {
      for (let c = 0; c < kp; c++) {
        const a = hd[oh + c];
        let mk = a <= keepAbove;
        for (let q = 0; q < R; q++) {
          if (a < tau[q]) below[q]++;
          else if (a <= sig[q]) mk = true;
        }
        if (mk) marked[nm++] = c;
      }
    }
    // exact distances of the marked candidates, with the operations of pairDistance (same bits):
    // listed for the native kernel where the worker has one (exactOf), else here
    const oa = i * D;
    if (exAll !== null) {
      for (let m = 0; m < nm; m++) { const c = marked[m]; ex[c] = exAll[r * kp + c]; } // computed for every candidate by the caller (the same bits)
    } else if (metric === 0 && exactOf !== null) {
      for (let m = 0; m < nm; m++) exactOf.list[m] = hi[oh + marked[m]];
      exactOf.run(i, nm);
      for (let m = 0; m < nm; m++) ex[marked[m]] = exactOf.out[m];
    } else {
      for (let m = 0; m < nm; m++) {
        const c = marked[m], ob = hi[oh + c] * D;
        if (metric === 0) {
          ex[c] = Math.sqrt(sq8(orig, oa, ob, D));
        } else {
          let xy = 0, xx = 0, yy = 0;
          for (let t = 0; t < D; t++) { const x = orig[oa + t], y = orig[ob + t]; xy += x * y; xx += x * x; yy += y * y; }
          const nx = xx === 0 ? 1 : Math.sqrt(xx), ny = yy === 0 ? 1 : Math.sqrt(yy);
          const dist = 1 - xy / (nx * ny);
          ex[c] = dist < 0 ? 0 : dist > 2 ? 2 : dist;
        }
      }
    }
    // each rank: the (r - below)-th smallest exact distance of its window (its members are marked)
    for (let q = 0; q < R && status[r] === 0; q++) {
      let n = 0;
      const t0 = tau[q], s0 = sig[q];
      for (let m = 0; m < nm; m++) { const c = marked[m], a = hd[oh + c]; if (a >= t0 && a <= s0) s[n++] = ex[c]; }
      const m = ranks[q] - below[q];
      if (m < 1 || m > n) { status[r] = 1; break; } // cannot happen (see above); the exact fallback if it did
      outR[r * R + q] = sel(s, 0, n - 1, m - 1);
    }
    if (status[r] !== 0 || keep === 0) continue;
    // the first keep columns: sort the keep set by (distance, index)
    let n = 0;
    for (let c = 0; c < kp; c++) if (hd[oh + c] <= keepAbove) { s[n] = ex[c]; ti[n] = hi[oh + c]; n++; }
    if (n < keep) { status[r] = 1; continue; }
    for (let a = 1; a < n; a++) { // insertion sort (n is about keep)
      const dv = s[a], iv = ti[a];
      let b = a - 1;
      while (b >= 0 && (s[b] > dv || (s[b] === dv && ti[b] > iv))) { s[b + 1] = s[b]; ti[b + 1] = ti[b]; b--; }
      s[b + 1] = dv; ti[b + 1] = iv;
    }
    keepD[r * kw] = 0; keepI[r * kw] = i;
    for (let c = 0; c < keep; c++) { keepD[r * kw + 1 + c] = s[c]; keepI[r * kw + 1 + c] = ti[c]; }
  }
}

/**
 * Rank counting (information imbalance): for rows i = i0 .. i0 + rows - 1 and each target a =
 * targets[r * k + m] (>= 0; negative entries are skipped), the rank of a among i's neighbours in
 * the full exact table, 1 + #{j != i: d_j < d_a, or d_j = d_a and j < a}, from the float32
 * values rv (rows of N) of values_f32. With the bounds L <= d <= U of `rankRows`, a point with
 * U(v_j) < L(v_a) is certainly closer, one with L(v_j) > U(v_a) certainly farther, and only the
 * points in between get an exact float64 distance (pairDistance's operations, same bits).
 * `self` (per row, when given): the point a stored row stands for (query rows stored after the N
 * points, copies of some of them: countNeighborRanks' rows option); that point is the one left out.
 * `known` (rows x kw, when given): the rows' exact table rows (point itself in column 0) just
 * computed from the same values, `knownStatus` 1 where a row is not finished: a target found in its
 * row has its column as rank (the table's order is the count's: distance, then index).
 * Standalone like `rankRows` (inlined into the pool's workers).
 */
export function countRanks(rv: Float32Array, rows: number, N: number, i0: number, targets: Int32Array, k: number,
  orig: ArrayLike<number>, D: number, metric: number, sqn: Float64Array, sqnMax: number, eCoef: number, u: number, out: Float64Array,
  band: ((r: number, lo: number, hi: number) => number) | null = null, bandAmb: Int32Array | null = null,
  groups: (() => Int32Array | null) | null = null, self: Int32Array | null = null,
  known: Int32Array | null = null, kw = 0, knownStatus: Int32Array | null = null): void {
  const U64 = 2 ** -53;
  const eps = (D + 8) * 2.3e-16;
  // many undecided points (ties with the target: identical rows, dead-ReLU rows): one exact
  // distance per group of identical rows (groups(): each row's first identical row, or null), the
  // same bits for every member
  let rep: Int32Array | null | undefined, gd: Float64Array | null = null, gs: Int32Array | null = null, stamp = 0;
  const rootMax = Math.sqrt(sqnMax);
  const amb = bandAmb ?? new Int32Array(N + 1); // the points of the current window (then their number, with band)
  // float32 thresholds with the same decisions as the float64 ones on float32 values: lo rounded
  // down (v <= lo32 iff v <= lo), hi rounded up (v < hi32 iff v < hi)
  const f32 = new Float32Array(1), i32 = new Int32Array(f32.buffer);
  // (the next float32 by its bits: for a positive one the next up is bits + 1, for a negative one bits - 1)
  const down32 = (x: number): number => {
    f32[0] = x;
    if (f32[0] > x) { if (f32[0] > 0) i32[0]--; else if (f32[0] < 0) i32[0]++; else i32[0] = -2147483647; } // +-0: -min subnormal
    return f32[0];
  };
  const up32 = (x: number): number => {
    f32[0] = x;
    if (f32[0] < x) { if (f32[0] > 0) i32[0]++; else if (f32[0] < 0) i32[0]--; else i32[0] = 1; } // +-0: min subnormal
    return f32[0];
  };
  // sum of squared differences in distance.ts sqEuclid's order (eight partial sums), inlined
  const sq8 = (x: ArrayLike<number>, oa: number, ob: number, n: number): number => {
    let p0 = 0, p1 = 0, p2 = 0, p3 = 0, p4 = 0, p5 = 0, p6 = 0, p7 = 0, e = 0, t = 0;
    for (; t + 8 <= n; t += 8) {
      e = x[oa + t] - x[ob + t]; p0 += e * e; e = x[oa + t + 1] - x[ob + t + 1]; p1 += e * e;
      e = x[oa + t + 2] - x[ob + t + 2]; p2 += e * e; e = x[oa + t + 3] - x[ob + t + 3]; p3 += e * e;
      e = x[oa + t + 4] - x[ob + t + 4]; p4 += e * e; e = x[oa + t + 5] - x[ob + t + 5]; p5 += e * e;
      e = x[oa + t + 6] - x[ob + t + 6]; p6 += e * e; e = x[oa + t + 7] - x[ob + t + 7]; p7 += e * e;
    }
    const r = n - t;
    if (r > 0) { e = x[oa + t] - x[ob + t]; p0 += e * e; }
    if (r > 1) { e = x[oa + t + 1] - x[ob + t + 1]; p1 += e * e; }
    if (r > 2) { e = x[oa + t + 2] - x[ob + t + 2]; p2 += e * e; }
    if (r > 3) { e = x[oa + t + 3] - x[ob + t + 3]; p3 += e * e; }
    if (r > 4) { e = x[oa + t + 4] - x[ob + t + 4]; p4 += e * e; }
    if (r > 5) { e = x[oa + t + 5] - x[ob + t + 5]; p5 += e * e; }
    if (r > 6) { e = x[oa + t + 6] - x[ob + t + 6]; p6 += e * e; }
    return ((p0 + p4) + (p2 + p6)) + ((p1 + p5) + (p3 + p7));
  };
  for (let r = 0; r < rows; r++) {
    // i: the stored row (its values, norm and exact distances); p: its point index (itself, or the
    // point a query row copies: not counted, and the columns of rv are the N points)
    const i = i0 + r, ov = r * N, oa = i * D, p = self === null ? i : self[r];
    const ni = sqn[i];
    const E = metric === 0 ? eCoef * (ni + sqnMax) : eCoef + 4.2 * u;
    const dl = metric === 0 ? (1.02 * u + 4 * U64) * (Math.sqrt(ni) + rootMax) : 8 * (D + 10) * U64;
    const L = (a: number): number => {
      if (metric !== 0) return 1 + (a - E) / 2 - dl;
      const v = a - E;
      return ((v > 0 ? Math.sqrt(v) : 0) - dl) * (1 - eps);
    };
    const Uf = (a: number): number => {
      if (metric !== 0) return 1 + (a + E) / 2 + dl;
      const v = a + E;
      return ((v > 0 ? Math.sqrt(v) : 0) + dl) * (1 + eps);
    };
    const exact = (j: number): number => {
      const ob = j * D;
      if (metric === 0) return Math.sqrt(sq8(orig, oa, ob, D));
      let xy = 0, xx = 0, yy = 0;
      for (let t = 0; t < D; t++) { const x = orig[oa + t], y = orig[ob + t]; xy += x * y; xx += x * x; yy += y * y; }
      const nx = xx === 0 ? 1 : Math.sqrt(xx), ny = yy === 0 ? 1 : Math.sqrt(yy);
      const dist = 1 - xy / (nx * ny);
      return dist < 0 ? 0 : dist > 2 ? 2 : dist;
    };
    stamp++; // the cached group distances are this row's
    const exactG = (j: number): number => {
      if (!rep || !gd || !gs) return exact(j);
      const g = rep[j];
      if (gs[g] !== stamp) { gs[g] = stamp; gd[g] = exact(j); }
      return gd[g];
    };
    const look = known !== null && knownStatus !== null && knownStatus[r] !== 1;
    for (let m = 0; m < k; m++) {
      const a = targets[r * k + m];
      if (a < 0) continue;
      if (look) {
        let c = 1;
        while (c < kw && (known as Int32Array)[r * kw + c] !== a) c++;
        if (c < kw) { out[r * k + m] = c; continue; }
      }
      const va = rv[ov + a];
      const loA = L(va), hiA = Uf(va);
      const dA = exactG(a);
      // L and Uf are non-decreasing (each step is a monotone, correctly rounded operation), so a
      // value wLo with Uf(wLo) < loA makes every v <= wLo certainly closer, and one wHi with
      // L(wHi) > hiA every v >= wHi certainly farther: plain comparisons for most points, the
      // same decisions as evaluating the bounds (candidates are checked, not trusted)
      let wLo = -Infinity, wHi = Infinity;
      if (metric === 0) {
        const g = loA / (1 + eps) - dl;
        if (g > 0) { const c = (g * g - E) * (1 - 1e-9) - 1e-300; if (Uf(c) < loA) wLo = c; }
        const h = hiA / (1 - eps) + dl;
        const c2 = (h * h + E) * (1 + 1e-9) + 1e-300;
        if (L(c2) > hiA) wHi = c2;
      } else {
        const c = 2 * (loA - 1 - dl) - E;
        const cl = c - Math.abs(c) * 1e-9 - 1e-300;
        if (Uf(cl) < loA) wLo = cl;
        const c2 = 2 * (hiA - 1 + dl) + E;
        const ch = c2 + Math.abs(c2) * 1e-9 + 1e-300;
        if (L(ch) > hiA) wHi = ch;
      }
      // one pass without unpredictable branches: the certain ones counted, the others listed
      let count = 1, na = 0;
      if (band !== null) { // the vectorised pass (asm/knn.ts count_band)
        count += band(r, down32(wLo), up32(wHi));
        na = amb[N];
      } else {
        // (+(comparison) compiles without a branch; a NaN value goes to the list)
        for (let j = 0; j < N; j++) {
          const vj = rv[ov + j];
          const le = +(vj <= wLo);
          count += le;
          amb[na] = j;
          na += (1 - le) & +!(vj >= wHi);
        }
      }
      if (rv[ov + p] <= wLo) count--; // the point itself
      if (na > 64 && rep === undefined && groups !== null) {
        rep = groups();
        if (rep) { gd = new Float64Array(N); gs = new Int32Array(N); }
      }
      for (let q = 0; q < na; q++) {
        const j = amb[q];
        if (j === p) continue;
        const vj = rv[ov + j];
        if (Uf(vj) < loA) { count++; continue; }
        if (L(vj) > hiA) continue;
        const dj = exactG(j);
        if (dj < dA || (dj === dA && j < a)) count++;
      }
      out[r * k + m] = count;
    }
  }
}

/**
 * Stage 2 of the neighbour table in the workers, after asm/knn.ts sort_rows wrote each row's k
 * smallest (exact distance, index) pairs in order from column c0: the self column (self mode) and
 * each row's certification (wasm.ts finishRowsFrom's arithmetic: every left-out point had a
 * stage-1 value >= T, which bounds its exact distance from below). status[r] = 1 where the row is
 * not certified (the worker's second pass, refine.ts, then recomputes it), else 0. Standalone like `rankRows` (inlined
 * into the pool's workers).
 */
export function certifyTableRows(
  T: Float32Array | Float64Array, tStride: number, hn: Int32Array, rows: number, kp: number, k: number, selfMode: boolean,
  q0: number, qBase: number, avail: number, metric: number, sqn: Float64Array, sqnMax: number, eCoef: number, u: number, D: number,
  unsafe: boolean, outD: Float64Array, outI: Int32Array, status: Int32Array,
): void {
  const U64 = 2 ** -53;
  const w = selfMode ? k + 1 : k;
  const relRef = 1 - (D + 8) * 2.3e-16;
  const rootMax = Math.sqrt(sqnMax);
  for (let r = 0; r < rows; r++) {
    const q = q0 + r, out = r * w;
    if (selfMode) { outD[out] = 0; outI[out] = q; }
    const Tr = T[r * tStride];
    // fewer than kp candidates: stage 1 overflowed (values beyond the kernel type) and left holes
    if (hn[r * 4 + 2] < kp || !Number.isFinite(Tr) || unsafe) { status[r] = 1; continue; }
    status[r] = 0;
    if (kp >= avail) continue; // every point was a candidate
    const K = outD[out + w - 1], i = qBase + q;
    let ok: boolean;
    if (metric === 1) {
      ok = K < 1 + (Tr - eCoef - 4.2 * u) / 2 - 8 * (D + 10) * U64;
    } else if (metric === 2 || metric === 3) {
      const lb = Tr / (1 + eCoef) - (1.02 * u + 4 * U64) * (sqn[i] + sqnMax);
      ok = K < lb * relRef;
    } else {
      const ni = sqn[i];
      const lb2 = Tr - eCoef * (ni + sqnMax);
      const lb = (lb2 > 0 ? Math.sqrt(lb2) : 0) - (1.02 * u + 4 * U64) * (Math.sqrt(ni) + rootMax);
      ok = K < lb * relRef;
    }
    if (!ok) status[r] = 1;
  }
}
