// AssemblyScript source of the fused distance + top-k kernels (stage 1 of the WebAssembly
// neighbour engine, lib/neighbors/wasm.ts). Compiled by scripts/build-wasm.mjs into
// dist/wasm/knn.wasm at `npm ci` (not committed). See lib/neighbors/wasm.ts and
// ../shared/research/perf-knn.md §5.
//
// Memory layout (imported shared memory, offsets in bytes, all 16-byte aligned):
//   x   : rows of Dp values (f32 or f64, D zero-padded to Dp)
//   nrm : one squared norm per row (same type; unused by the manhattan/chebyshev kernels)
//   per query row, a candidate buffer of capacity C >= kp + 32:
//     hd + row * C * size : candidate values;   hi + row * C * 4 : candidate indices (i32)
//     hh + row * 16       : header, threshold T (f32 or f64 at +0) and count n (i32 at +8)
// A candidate enters when its value is below T (and it is not the row itself); when the buffer
// is full, a quickselect keeps the kp smallest and T becomes the largest of them. So T never
// increases and every candidate left out had a value >= the final T. The caller sets T = +Inf
// and n = 0 first. Row kernels (knn_*) index rows from r0 and finalise their rows at the end
// (the kp best in slots 0..kp-1, T their maximum); tiles index rows absolutely and the caller
// runs finalize_* once all tiles are done.
// The values are approximations (|x|^2 + |y|^2 - 2 x.y, or the f32/f64 direct differences),
// re-ranked exactly in float64 by the caller, which also certifies that no true neighbour was
// left out.



// ASC_FEATURE_RELAXED_SIMD (scripts/build-wasm.mjs builds knn.wasm without the feature and
// knn-fma.wasm with it): the dot products accumulate with relaxed-SIMD multiply-add (fused on
// FMA hardware: half the arithmetic instructions). Fused or not, each step rounds at most as
// often as mul + add, so the stage-1 error bound E of lib/neighbors/wasm.ts holds either way.
@inline function madd4(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** Quickselect: the kp smallest of the n candidates into slots 0..kp-1; returns the largest of them. */
function select_f32(hd: usize, hi: usize, n: i32, kp: i32): f32 {
  let l: i32 = 0, r: i32 = n - 1;
  const k: i32 = kp - 1;
  while (r > l) {
    const pv = load<f32>(hd + (<usize>((l + r) >> 1) << 2));
    let i = l, j = r;
    while (i <= j) {
      while (load<f32>(hd + (<usize>i << 2)) < pv) i++;
      while (pv < load<f32>(hd + (<usize>j << 2))) j--;
      if (i <= j) {
        const a = hd + (<usize>i << 2), b = hd + (<usize>j << 2);
        const va = load<f32>(a); store<f32>(a, load<f32>(b)); store<f32>(b, va);
        const ia = hi + (<usize>i << 2), ib = hi + (<usize>j << 2);
        const xa = load<i32>(ia); store<i32>(ia, load<i32>(ib)); store<i32>(ib, xa);
        i++; j--;
      }
    }
    if (k <= j) r = j;
    else if (k >= i) l = i;
    else break;
  }
  let m = load<f32>(hd);
  for (let t: i32 = 1; t < kp; t++) { const v = load<f32>(hd + (<usize>t << 2)); if (v > m) m = v; }
  return m;
}

/** Offers candidate (d, j) to the row with buffer (hd, hi) and header hh. */
@inline function offer_f32(hd: usize, hi: usize, hh: usize, C: i32, kp: i32, d: f32, j: i32, self: i32): void {
  if (d < load<f32>(hh) && j != self) {
    let n = load<i32>(hh, 8);
    store<f32>(hd + (<usize>n << 2), d);
    store<i32>(hi + (<usize>n << 2), j);
    n++;
    if (n == C) {
      store<f32>(hh, select_f32(hd, hi, n, kp));
      n = kp;
    }
    store<i32>(hh, n, 8);
  }
}

/** Rows [r0, r1) (absolute): the kp best into slots 0..kp-1 and T = their maximum (n < kp: left as is). */
export function finalize_f32(hd: usize, hi: usize, hh: usize, r0: i32, r1: i32, C: i32, kp: i32): void {
  for (let r: i32 = r0; r < r1; r++) {
    const bd = hd + <usize>r * (<usize>C << 2), bi = hi + <usize>r * (<usize>C << 2), h = hh + (<usize>r << 4);
    const n = load<i32>(h, 8);
    if (n < kp) continue;
    store<f32>(h, select_f32(bd, bi, n, kp));
    store<i32>(h, kp, 8);
  }
}

/** Quickselect: the kp smallest of the n candidates into slots 0..kp-1; returns the largest of them. */
function select_f64(hd: usize, hi: usize, n: i32, kp: i32): f64 {
  let l: i32 = 0, r: i32 = n - 1;
  const k: i32 = kp - 1;
  while (r > l) {
    const pv = load<f64>(hd + (<usize>((l + r) >> 1) << 3));
    let i = l, j = r;
    while (i <= j) {
      while (load<f64>(hd + (<usize>i << 3)) < pv) i++;
      while (pv < load<f64>(hd + (<usize>j << 3))) j--;
      if (i <= j) {
        const a = hd + (<usize>i << 3), b = hd + (<usize>j << 3);
        const va = load<f64>(a); store<f64>(a, load<f64>(b)); store<f64>(b, va);
        const ia = hi + (<usize>i << 2), ib = hi + (<usize>j << 2);
        const xa = load<i32>(ia); store<i32>(ia, load<i32>(ib)); store<i32>(ib, xa);
        i++; j--;
      }
    }
    if (k <= j) r = j;
    else if (k >= i) l = i;
    else break;
  }
  let m = load<f64>(hd);
  for (let t: i32 = 1; t < kp; t++) { const v = load<f64>(hd + (<usize>t << 3)); if (v > m) m = v; }
  return m;
}

/** Offers candidate (d, j) to the row with buffer (hd, hi) and header hh. */
@inline function offer_f64(hd: usize, hi: usize, hh: usize, C: i32, kp: i32, d: f64, j: i32, self: i32): void {
  if (d < load<f64>(hh) && j != self) {
    let n = load<i32>(hh, 8);
    store<f64>(hd + (<usize>n << 3), d);
    store<i32>(hi + (<usize>n << 2), j);
    n++;
    if (n == C) {
      store<f64>(hh, select_f64(hd, hi, n, kp));
      n = kp;
    }
    store<i32>(hh, n, 8);
  }
}

/** Rows [r0, r1) (absolute): the kp best into slots 0..kp-1 and T = their maximum (n < kp: left as is). */
export function finalize_f64(hd: usize, hi: usize, hh: usize, r0: i32, r1: i32, C: i32, kp: i32): void {
  for (let r: i32 = r0; r < r1; r++) {
    const bd = hd + <usize>r * (<usize>C << 3), bi = hi + <usize>r * (<usize>C << 2), h = hh + (<usize>r << 4);
    const n = load<i32>(h, 8);
    if (n < kp) continue;
    store<f64>(h, select_f64(bd, bi, n, kp));
    store<i32>(h, kp, 8);
  }
}

@inline function hs4(c: v128): f32 {
  return (f32x4.extract_lane(c, 0) + f32x4.extract_lane(c, 1)) + (f32x4.extract_lane(c, 2) + f32x4.extract_lane(c, 3));
}
@inline function hs2(c: v128): f64 {
  return f64x2.extract_lane(c, 0) + f64x2.extract_lane(c, 1);
}
@inline function hm4(c: v128): f32 {
  return max(max(f32x4.extract_lane(c, 0), f32x4.extract_lane(c, 1)), max(f32x4.extract_lane(c, 2), f32x4.extract_lane(c, 3)));
}
@inline function hm2(c: v128): f64 {
  return max(f64x2.extract_lane(c, 0), f64x2.extract_lane(c, 1));
}
/** The horizontal sums of four f32x4 vectors, as one vector (lane t = sum of the lanes of c_t). */
@inline function hsum4x(c0: v128, c1: v128, c2: v128, c3: v128): v128 {
  const a = f32x4.add(i32x4.shuffle(c0, c1, 0, 4, 1, 5), i32x4.shuffle(c0, c1, 2, 6, 3, 7));
  const b = f32x4.add(i32x4.shuffle(c2, c3, 0, 4, 1, 5), i32x4.shuffle(c2, c3, 2, 6, 3, 7));
  return f32x4.add(i32x4.shuffle(a, b, 0, 1, 4, 5), i32x4.shuffle(a, b, 2, 3, 6, 7));
}
/** The thresholds of four consecutive f32 rows (headers 16 bytes apart). */
@inline function roots4(hh: usize): v128 {
  let r = f32x4.splat(load<f32>(hh));
  r = f32x4.replace_lane(r, 1, load<f32>(hh + 16));
  r = f32x4.replace_lane(r, 2, load<f32>(hh + 32));
  return f32x4.replace_lane(r, 3, load<f32>(hh + 48));
}

export function knn_f32(x: usize, nrm: usize, N: i32, Dp: i32, r0: i32, r1: i32, kk: i32,
  hd: usize, hi: usize, BJ: i32, hh: usize, C: i32): void {
  const rb: usize = <usize>Dp << 2;
  const cd: usize = <usize>C << 2, ci: usize = <usize>C << 2;
  for (let jb: i32 = 0; jb < N; jb += BJ) {
    const je: i32 = min(N, jb + BJ);
    const je4: i32 = jb + ((je - jb) & ~3);
    for (let i: i32 = r0; i < r1; i += 2) {
      const two = i + 1 < r1;
      const i1: i32 = two ? i + 1 : i;
      const xa0 = x + <usize>i * rb, xa1 = x + <usize>i1 * rb;
      const n0 = load<f32>(nrm + (<usize>i << 2)), n1 = load<f32>(nrm + (<usize>i1 << 2));
      const hd0 = hd + <usize>(i - r0) * cd, hi0 = hi + <usize>(i - r0) * ci, hh0 = hh + (<usize>(i - r0) << 4);
      const hd1 = hd0 + cd, hi1 = hi0 + ci, hh1 = hh0 + 16;
      for (let j: i32 = jb; j < je4; j += 4) {
        const y0p = x + <usize>j * rb, y1p = y0p + rb, y2p = y1p + rb, y3p = y2p + rb;
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
        let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const x0 = v128.load(xa0 + d), x1 = v128.load(xa1 + d);
          const y0 = v128.load(y0p + d), y1 = v128.load(y1p + d), y2 = v128.load(y2p + d), y3 = v128.load(y3p + d);
          c00 = madd4(x0, y0, c00); c01 = madd4(x0, y1, c01); c02 = madd4(x0, y2, c02); c03 = madd4(x0, y3, c03);
          c10 = madd4(x1, y0, c10); c11 = madd4(x1, y1, c11); c12 = madd4(x1, y2, c12); c13 = madd4(x1, y3, c13);
        }
        const m0 = load<f32>(nrm + (<usize>j << 2)), m1 = load<f32>(nrm + (<usize>(j + 1) << 2));
        const m2 = load<f32>(nrm + (<usize>(j + 2) << 2)), m3 = load<f32>(nrm + (<usize>(j + 3) << 2));
        offer_f32(hd0, hi0, hh0, C, kk, n0 + m0 - 2 * hs4(c00), j, i);
        offer_f32(hd0, hi0, hh0, C, kk, n0 + m1 - 2 * hs4(c01), j + 1, i);
        offer_f32(hd0, hi0, hh0, C, kk, n0 + m2 - 2 * hs4(c02), j + 2, i);
        offer_f32(hd0, hi0, hh0, C, kk, n0 + m3 - 2 * hs4(c03), j + 3, i);
        if (two) {
          offer_f32(hd1, hi1, hh1, C, kk, n1 + m0 - 2 * hs4(c10), j, i1);
          offer_f32(hd1, hi1, hh1, C, kk, n1 + m1 - 2 * hs4(c11), j + 1, i1);
          offer_f32(hd1, hi1, hh1, C, kk, n1 + m2 - 2 * hs4(c12), j + 2, i1);
          offer_f32(hd1, hi1, hh1, C, kk, n1 + m3 - 2 * hs4(c13), j + 3, i1);
        }
      }
      for (let j: i32 = je4; j < je; j++) {
        const yp = x + <usize>j * rb;
        let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const y = v128.load(yp + d);
          const xv0 = v128.load(xa0 + d), xv1 = v128.load(xa1 + d);
          c0 = madd4(xv0, y, c0);
          c1 = madd4(xv1, y, c1);
        }
        const m = load<f32>(nrm + (<usize>j << 2));
        offer_f32(hd0, hi0, hh0, C, kk, n0 + m - 2 * hs4(c0), j, i);
        if (two) offer_f32(hd1, hi1, hh1, C, kk, n1 + m - 2 * hs4(c1), j, i1);
      }
    }
  }
  finalize_f32(hd - <usize>r0 * cd, hi - <usize>r0 * ci, hh - (<usize>r0 << 4), r0, r1, C, kk);
}

export function knn_f64(x: usize, nrm: usize, N: i32, Dp: i32, r0: i32, r1: i32, kk: i32,
  hd: usize, hi: usize, BJ: i32, hh: usize, C: i32): void {
  const rb: usize = <usize>Dp << 3;
  const cd: usize = <usize>C << 3, ci: usize = <usize>C << 2;
  for (let jb: i32 = 0; jb < N; jb += BJ) {
    const je: i32 = min(N, jb + BJ);
    const je4: i32 = jb + ((je - jb) & ~3);
    for (let i: i32 = r0; i < r1; i += 2) {
      const two = i + 1 < r1;
      const i1: i32 = two ? i + 1 : i;
      const xa0 = x + <usize>i * rb, xa1 = x + <usize>i1 * rb;
      const n0 = load<f64>(nrm + (<usize>i << 3)), n1 = load<f64>(nrm + (<usize>i1 << 3));
      const hd0 = hd + <usize>(i - r0) * cd, hi0 = hi + <usize>(i - r0) * ci, hh0 = hh + (<usize>(i - r0) << 4);
      const hd1 = hd0 + cd, hi1 = hi0 + ci, hh1 = hh0 + 16;
      for (let j: i32 = jb; j < je4; j += 4) {
        const y0p = x + <usize>j * rb, y1p = y0p + rb, y2p = y1p + rb, y3p = y2p + rb;
        let c00 = f64x2.splat(0), c01 = f64x2.splat(0), c02 = f64x2.splat(0), c03 = f64x2.splat(0);
        let c10 = f64x2.splat(0), c11 = f64x2.splat(0), c12 = f64x2.splat(0), c13 = f64x2.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const x0 = v128.load(xa0 + d), x1 = v128.load(xa1 + d);
          const y0 = v128.load(y0p + d), y1 = v128.load(y1p + d), y2 = v128.load(y2p + d), y3 = v128.load(y3p + d);
          c00 = f64x2.add(c00, f64x2.mul(x0, y0)); c01 = f64x2.add(c01, f64x2.mul(x0, y1)); c02 = f64x2.add(c02, f64x2.mul(x0, y2)); c03 = f64x2.add(c03, f64x2.mul(x0, y3));
          c10 = f64x2.add(c10, f64x2.mul(x1, y0)); c11 = f64x2.add(c11, f64x2.mul(x1, y1)); c12 = f64x2.add(c12, f64x2.mul(x1, y2)); c13 = f64x2.add(c13, f64x2.mul(x1, y3));
        }
        const m0 = load<f64>(nrm + (<usize>j << 3)), m1 = load<f64>(nrm + (<usize>(j + 1) << 3));
        const m2 = load<f64>(nrm + (<usize>(j + 2) << 3)), m3 = load<f64>(nrm + (<usize>(j + 3) << 3));
        offer_f64(hd0, hi0, hh0, C, kk, n0 + m0 - 2 * hs2(c00), j, i);
        offer_f64(hd0, hi0, hh0, C, kk, n0 + m1 - 2 * hs2(c01), j + 1, i);
        offer_f64(hd0, hi0, hh0, C, kk, n0 + m2 - 2 * hs2(c02), j + 2, i);
        offer_f64(hd0, hi0, hh0, C, kk, n0 + m3 - 2 * hs2(c03), j + 3, i);
        if (two) {
          offer_f64(hd1, hi1, hh1, C, kk, n1 + m0 - 2 * hs2(c10), j, i1);
          offer_f64(hd1, hi1, hh1, C, kk, n1 + m1 - 2 * hs2(c11), j + 1, i1);
          offer_f64(hd1, hi1, hh1, C, kk, n1 + m2 - 2 * hs2(c12), j + 2, i1);
          offer_f64(hd1, hi1, hh1, C, kk, n1 + m3 - 2 * hs2(c13), j + 3, i1);
        }
      }
      for (let j: i32 = je4; j < je; j++) {
        const yp = x + <usize>j * rb;
        let c0 = f64x2.splat(0), c1 = f64x2.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const y = v128.load(yp + d);
          const xv0 = v128.load(xa0 + d), xv1 = v128.load(xa1 + d);
          c0 = f64x2.add(c0, f64x2.mul(xv0, y));
          c1 = f64x2.add(c1, f64x2.mul(xv1, y));
        }
        const m = load<f64>(nrm + (<usize>j << 3));
        offer_f64(hd0, hi0, hh0, C, kk, n0 + m - 2 * hs2(c0), j, i);
        if (two) offer_f64(hd1, hi1, hh1, C, kk, n1 + m - 2 * hs2(c1), j, i1);
      }
    }
  }
  finalize_f64(hd - <usize>r0 * cd, hi - <usize>r0 * ci, hh - (<usize>r0 << 4), r0, r1, C, kk);
}

export function knn_l1_f32(x: usize, nrm: usize, N: i32, Dp: i32, r0: i32, r1: i32, kk: i32,
  hd: usize, hi: usize, BJ: i32, hh: usize, C: i32): void {
  const rb: usize = <usize>Dp << 2;
  const cd: usize = <usize>C << 2, ci: usize = <usize>C << 2;
  for (let jb: i32 = 0; jb < N; jb += BJ) {
    const je: i32 = min(N, jb + BJ);
    const je4: i32 = jb + ((je - jb) & ~3);
    for (let i: i32 = r0; i < r1; i += 2) {
      const two = i + 1 < r1;
      const i1: i32 = two ? i + 1 : i;
      const xa0 = x + <usize>i * rb, xa1 = x + <usize>i1 * rb;
      
      const hd0 = hd + <usize>(i - r0) * cd, hi0 = hi + <usize>(i - r0) * ci, hh0 = hh + (<usize>(i - r0) << 4);
      const hd1 = hd0 + cd, hi1 = hi0 + ci, hh1 = hh0 + 16;
      for (let j: i32 = jb; j < je4; j += 4) {
        const y0p = x + <usize>j * rb, y1p = y0p + rb, y2p = y1p + rb, y3p = y2p + rb;
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
        let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const x0 = v128.load(xa0 + d), x1 = v128.load(xa1 + d);
          const y0 = v128.load(y0p + d), y1 = v128.load(y1p + d), y2 = v128.load(y2p + d), y3 = v128.load(y3p + d);
          c00 = f32x4.add(c00, f32x4.abs(f32x4.sub(x0, y0))); c01 = f32x4.add(c01, f32x4.abs(f32x4.sub(x0, y1))); c02 = f32x4.add(c02, f32x4.abs(f32x4.sub(x0, y2))); c03 = f32x4.add(c03, f32x4.abs(f32x4.sub(x0, y3)));
          c10 = f32x4.add(c10, f32x4.abs(f32x4.sub(x1, y0))); c11 = f32x4.add(c11, f32x4.abs(f32x4.sub(x1, y1))); c12 = f32x4.add(c12, f32x4.abs(f32x4.sub(x1, y2))); c13 = f32x4.add(c13, f32x4.abs(f32x4.sub(x1, y3)));
        }
        
        offer_f32(hd0, hi0, hh0, C, kk, hs4(c00), j, i);
        offer_f32(hd0, hi0, hh0, C, kk, hs4(c01), j + 1, i);
        offer_f32(hd0, hi0, hh0, C, kk, hs4(c02), j + 2, i);
        offer_f32(hd0, hi0, hh0, C, kk, hs4(c03), j + 3, i);
        if (two) {
          offer_f32(hd1, hi1, hh1, C, kk, hs4(c10), j, i1);
          offer_f32(hd1, hi1, hh1, C, kk, hs4(c11), j + 1, i1);
          offer_f32(hd1, hi1, hh1, C, kk, hs4(c12), j + 2, i1);
          offer_f32(hd1, hi1, hh1, C, kk, hs4(c13), j + 3, i1);
        }
      }
      for (let j: i32 = je4; j < je; j++) {
        const yp = x + <usize>j * rb;
        let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const y = v128.load(yp + d);
          const xv0 = v128.load(xa0 + d), xv1 = v128.load(xa1 + d);
          c0 = f32x4.add(c0, f32x4.abs(f32x4.sub(xv0, y)));
          c1 = f32x4.add(c1, f32x4.abs(f32x4.sub(xv1, y)));
        }
        
        offer_f32(hd0, hi0, hh0, C, kk, hs4(c0), j, i);
        if (two) offer_f32(hd1, hi1, hh1, C, kk, hs4(c1), j, i1);
      }
    }
  }
  finalize_f32(hd - <usize>r0 * cd, hi - <usize>r0 * ci, hh - (<usize>r0 << 4), r0, r1, C, kk);
}

export function knn_linf_f32(x: usize, nrm: usize, N: i32, Dp: i32, r0: i32, r1: i32, kk: i32,
  hd: usize, hi: usize, BJ: i32, hh: usize, C: i32): void {
  const rb: usize = <usize>Dp << 2;
  const cd: usize = <usize>C << 2, ci: usize = <usize>C << 2;
  for (let jb: i32 = 0; jb < N; jb += BJ) {
    const je: i32 = min(N, jb + BJ);
    const je4: i32 = jb + ((je - jb) & ~3);
    for (let i: i32 = r0; i < r1; i += 2) {
      const two = i + 1 < r1;
      const i1: i32 = two ? i + 1 : i;
      const xa0 = x + <usize>i * rb, xa1 = x + <usize>i1 * rb;
      
      const hd0 = hd + <usize>(i - r0) * cd, hi0 = hi + <usize>(i - r0) * ci, hh0 = hh + (<usize>(i - r0) << 4);
      const hd1 = hd0 + cd, hi1 = hi0 + ci, hh1 = hh0 + 16;
      for (let j: i32 = jb; j < je4; j += 4) {
        const y0p = x + <usize>j * rb, y1p = y0p + rb, y2p = y1p + rb, y3p = y2p + rb;
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
        let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const x0 = v128.load(xa0 + d), x1 = v128.load(xa1 + d);
          const y0 = v128.load(y0p + d), y1 = v128.load(y1p + d), y2 = v128.load(y2p + d), y3 = v128.load(y3p + d);
          c00 = f32x4.max(c00, f32x4.abs(f32x4.sub(x0, y0))); c01 = f32x4.max(c01, f32x4.abs(f32x4.sub(x0, y1))); c02 = f32x4.max(c02, f32x4.abs(f32x4.sub(x0, y2))); c03 = f32x4.max(c03, f32x4.abs(f32x4.sub(x0, y3)));
          c10 = f32x4.max(c10, f32x4.abs(f32x4.sub(x1, y0))); c11 = f32x4.max(c11, f32x4.abs(f32x4.sub(x1, y1))); c12 = f32x4.max(c12, f32x4.abs(f32x4.sub(x1, y2))); c13 = f32x4.max(c13, f32x4.abs(f32x4.sub(x1, y3)));
        }
        
        offer_f32(hd0, hi0, hh0, C, kk, hm4(c00), j, i);
        offer_f32(hd0, hi0, hh0, C, kk, hm4(c01), j + 1, i);
        offer_f32(hd0, hi0, hh0, C, kk, hm4(c02), j + 2, i);
        offer_f32(hd0, hi0, hh0, C, kk, hm4(c03), j + 3, i);
        if (two) {
          offer_f32(hd1, hi1, hh1, C, kk, hm4(c10), j, i1);
          offer_f32(hd1, hi1, hh1, C, kk, hm4(c11), j + 1, i1);
          offer_f32(hd1, hi1, hh1, C, kk, hm4(c12), j + 2, i1);
          offer_f32(hd1, hi1, hh1, C, kk, hm4(c13), j + 3, i1);
        }
      }
      for (let j: i32 = je4; j < je; j++) {
        const yp = x + <usize>j * rb;
        let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const y = v128.load(yp + d);
          const xv0 = v128.load(xa0 + d), xv1 = v128.load(xa1 + d);
          c0 = f32x4.max(c0, f32x4.abs(f32x4.sub(xv0, y)));
          c1 = f32x4.max(c1, f32x4.abs(f32x4.sub(xv1, y)));
        }
        
        offer_f32(hd0, hi0, hh0, C, kk, hm4(c0), j, i);
        if (two) offer_f32(hd1, hi1, hh1, C, kk, hm4(c1), j, i1);
      }
    }
  }
  finalize_f32(hd - <usize>r0 * cd, hi - <usize>r0 * ci, hh - (<usize>r0 << 4), r0, r1, C, kk);
}

export function knn_l1_f64(x: usize, nrm: usize, N: i32, Dp: i32, r0: i32, r1: i32, kk: i32,
  hd: usize, hi: usize, BJ: i32, hh: usize, C: i32): void {
  const rb: usize = <usize>Dp << 3;
  const cd: usize = <usize>C << 3, ci: usize = <usize>C << 2;
  for (let jb: i32 = 0; jb < N; jb += BJ) {
    const je: i32 = min(N, jb + BJ);
    const je4: i32 = jb + ((je - jb) & ~3);
    for (let i: i32 = r0; i < r1; i += 2) {
      const two = i + 1 < r1;
      const i1: i32 = two ? i + 1 : i;
      const xa0 = x + <usize>i * rb, xa1 = x + <usize>i1 * rb;
      
      const hd0 = hd + <usize>(i - r0) * cd, hi0 = hi + <usize>(i - r0) * ci, hh0 = hh + (<usize>(i - r0) << 4);
      const hd1 = hd0 + cd, hi1 = hi0 + ci, hh1 = hh0 + 16;
      for (let j: i32 = jb; j < je4; j += 4) {
        const y0p = x + <usize>j * rb, y1p = y0p + rb, y2p = y1p + rb, y3p = y2p + rb;
        let c00 = f64x2.splat(0), c01 = f64x2.splat(0), c02 = f64x2.splat(0), c03 = f64x2.splat(0);
        let c10 = f64x2.splat(0), c11 = f64x2.splat(0), c12 = f64x2.splat(0), c13 = f64x2.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const x0 = v128.load(xa0 + d), x1 = v128.load(xa1 + d);
          const y0 = v128.load(y0p + d), y1 = v128.load(y1p + d), y2 = v128.load(y2p + d), y3 = v128.load(y3p + d);
          c00 = f64x2.add(c00, f64x2.abs(f64x2.sub(x0, y0))); c01 = f64x2.add(c01, f64x2.abs(f64x2.sub(x0, y1))); c02 = f64x2.add(c02, f64x2.abs(f64x2.sub(x0, y2))); c03 = f64x2.add(c03, f64x2.abs(f64x2.sub(x0, y3)));
          c10 = f64x2.add(c10, f64x2.abs(f64x2.sub(x1, y0))); c11 = f64x2.add(c11, f64x2.abs(f64x2.sub(x1, y1))); c12 = f64x2.add(c12, f64x2.abs(f64x2.sub(x1, y2))); c13 = f64x2.add(c13, f64x2.abs(f64x2.sub(x1, y3)));
        }
        
        offer_f64(hd0, hi0, hh0, C, kk, hs2(c00), j, i);
        offer_f64(hd0, hi0, hh0, C, kk, hs2(c01), j + 1, i);
        offer_f64(hd0, hi0, hh0, C, kk, hs2(c02), j + 2, i);
        offer_f64(hd0, hi0, hh0, C, kk, hs2(c03), j + 3, i);
        if (two) {
          offer_f64(hd1, hi1, hh1, C, kk, hs2(c10), j, i1);
          offer_f64(hd1, hi1, hh1, C, kk, hs2(c11), j + 1, i1);
          offer_f64(hd1, hi1, hh1, C, kk, hs2(c12), j + 2, i1);
          offer_f64(hd1, hi1, hh1, C, kk, hs2(c13), j + 3, i1);
        }
      }
      for (let j: i32 = je4; j < je; j++) {
        const yp = x + <usize>j * rb;
        let c0 = f64x2.splat(0), c1 = f64x2.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const y = v128.load(yp + d);
          const xv0 = v128.load(xa0 + d), xv1 = v128.load(xa1 + d);
          c0 = f64x2.add(c0, f64x2.abs(f64x2.sub(xv0, y)));
          c1 = f64x2.add(c1, f64x2.abs(f64x2.sub(xv1, y)));
        }
        
        offer_f64(hd0, hi0, hh0, C, kk, hs2(c0), j, i);
        if (two) offer_f64(hd1, hi1, hh1, C, kk, hs2(c1), j, i1);
      }
    }
  }
  finalize_f64(hd - <usize>r0 * cd, hi - <usize>r0 * ci, hh - (<usize>r0 << 4), r0, r1, C, kk);
}

export function knn_linf_f64(x: usize, nrm: usize, N: i32, Dp: i32, r0: i32, r1: i32, kk: i32,
  hd: usize, hi: usize, BJ: i32, hh: usize, C: i32): void {
  const rb: usize = <usize>Dp << 3;
  const cd: usize = <usize>C << 3, ci: usize = <usize>C << 2;
  for (let jb: i32 = 0; jb < N; jb += BJ) {
    const je: i32 = min(N, jb + BJ);
    const je4: i32 = jb + ((je - jb) & ~3);
    for (let i: i32 = r0; i < r1; i += 2) {
      const two = i + 1 < r1;
      const i1: i32 = two ? i + 1 : i;
      const xa0 = x + <usize>i * rb, xa1 = x + <usize>i1 * rb;
      
      const hd0 = hd + <usize>(i - r0) * cd, hi0 = hi + <usize>(i - r0) * ci, hh0 = hh + (<usize>(i - r0) << 4);
      const hd1 = hd0 + cd, hi1 = hi0 + ci, hh1 = hh0 + 16;
      for (let j: i32 = jb; j < je4; j += 4) {
        const y0p = x + <usize>j * rb, y1p = y0p + rb, y2p = y1p + rb, y3p = y2p + rb;
        let c00 = f64x2.splat(0), c01 = f64x2.splat(0), c02 = f64x2.splat(0), c03 = f64x2.splat(0);
        let c10 = f64x2.splat(0), c11 = f64x2.splat(0), c12 = f64x2.splat(0), c13 = f64x2.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const x0 = v128.load(xa0 + d), x1 = v128.load(xa1 + d);
          const y0 = v128.load(y0p + d), y1 = v128.load(y1p + d), y2 = v128.load(y2p + d), y3 = v128.load(y3p + d);
          c00 = f64x2.max(c00, f64x2.abs(f64x2.sub(x0, y0))); c01 = f64x2.max(c01, f64x2.abs(f64x2.sub(x0, y1))); c02 = f64x2.max(c02, f64x2.abs(f64x2.sub(x0, y2))); c03 = f64x2.max(c03, f64x2.abs(f64x2.sub(x0, y3)));
          c10 = f64x2.max(c10, f64x2.abs(f64x2.sub(x1, y0))); c11 = f64x2.max(c11, f64x2.abs(f64x2.sub(x1, y1))); c12 = f64x2.max(c12, f64x2.abs(f64x2.sub(x1, y2))); c13 = f64x2.max(c13, f64x2.abs(f64x2.sub(x1, y3)));
        }
        
        offer_f64(hd0, hi0, hh0, C, kk, hm2(c00), j, i);
        offer_f64(hd0, hi0, hh0, C, kk, hm2(c01), j + 1, i);
        offer_f64(hd0, hi0, hh0, C, kk, hm2(c02), j + 2, i);
        offer_f64(hd0, hi0, hh0, C, kk, hm2(c03), j + 3, i);
        if (two) {
          offer_f64(hd1, hi1, hh1, C, kk, hm2(c10), j, i1);
          offer_f64(hd1, hi1, hh1, C, kk, hm2(c11), j + 1, i1);
          offer_f64(hd1, hi1, hh1, C, kk, hm2(c12), j + 2, i1);
          offer_f64(hd1, hi1, hh1, C, kk, hm2(c13), j + 3, i1);
        }
      }
      for (let j: i32 = je4; j < je; j++) {
        const yp = x + <usize>j * rb;
        let c0 = f64x2.splat(0), c1 = f64x2.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const y = v128.load(yp + d);
          const xv0 = v128.load(xa0 + d), xv1 = v128.load(xa1 + d);
          c0 = f64x2.max(c0, f64x2.abs(f64x2.sub(xv0, y)));
          c1 = f64x2.max(c1, f64x2.abs(f64x2.sub(xv1, y)));
        }
        
        offer_f64(hd0, hi0, hh0, C, kk, hm2(c0), j, i);
        if (two) offer_f64(hd1, hi1, hh1, C, kk, hm2(c1), j, i1);
      }
    }
  }
  finalize_f64(hd - <usize>r0 * cd, hi - <usize>r0 * ci, hh - (<usize>r0 << 4), r0, r1, C, kk);
}

// Symmetric tiles (self tables, dot-product metrics): rows [i0, i1) against rows [j0, j1), rows
// indexed absolutely. sym = 1 (disjoint blocks): each value also goes to row j, so every pair is
// computed once; sym = 0 (a diagonal tile): only rows i are fed, self skipped. The caller
// schedules tiles so that no two concurrent calls touch the same rows, then finalises.
export function tile_f32(x: usize, nrm: usize, Dp: i32, i0: i32, i1: i32, j0: i32, j1: i32, kk: i32,
  hd: usize, hi: usize, BJ: i32, sym: i32, hh: usize, C: i32): void {
  // vector epilogue: the 4 sums of a row in one transpose-add, the 4 values compared with the
  // thresholds at once, and the scalar code only when one may enter
  const rb: usize = <usize>Dp << 2;
  const cd: usize = <usize>C << 2;
  const two2 = f32x4.splat(2);
  for (let jb: i32 = j0; jb < j1; jb += BJ) {
    const je: i32 = min(j1, jb + BJ);
    const je4: i32 = jb + ((je - jb) & ~3);
    for (let i: i32 = i0; i < i1; i += 2) {
      const two = i + 1 < i1;
      const ib: i32 = two ? i + 1 : i;
      const xa0 = x + <usize>i * rb, xa1 = x + <usize>ib * rb;
      const n0 = load<f32>(nrm + (<usize>i << 2)), n1 = load<f32>(nrm + (<usize>ib << 2));
      const nv0 = f32x4.splat(n0), nv1 = f32x4.splat(n1);
      const hd0 = hd + <usize>i * cd, hi0 = hi + <usize>i * cd, hh0 = hh + (<usize>i << 4);
      const hd1 = hd0 + cd, hi1 = hi0 + cd, hh1 = hh0 + 16;
      for (let j: i32 = jb; j < je4; j += 4) {
        const y0p = x + <usize>j * rb, y1p = y0p + rb, y2p = y1p + rb, y3p = y2p + rb;
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
        let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const x0 = v128.load(xa0 + d), x1 = v128.load(xa1 + d);
          const y0 = v128.load(y0p + d), y1 = v128.load(y1p + d), y2 = v128.load(y2p + d), y3 = v128.load(y3p + d);
          c00 = madd4(x0, y0, c00); c01 = madd4(x0, y1, c01);
          c02 = madd4(x0, y2, c02); c03 = madd4(x0, y3, c03);
          c10 = madd4(x1, y0, c10); c11 = madd4(x1, y1, c11);
          c12 = madd4(x1, y2, c12); c13 = madd4(x1, y3, c13);
        }
        const mv = v128.load(nrm + (<usize>j << 2));
        const dv0 = f32x4.sub(f32x4.add(nv0, mv), f32x4.mul(two2, hsum4x(c00, c01, c02, c03)));
        const hdj = hd + <usize>j * cd, hij = hi + <usize>j * cd, hhj = hh + (<usize>j << 4);
        if (v128.any_true(f32x4.lt(dv0, f32x4.splat(load<f32>(hh0))))) {
          offer_f32(hd0, hi0, hh0, C, kk, f32x4.extract_lane(dv0, 0), j, i);
          offer_f32(hd0, hi0, hh0, C, kk, f32x4.extract_lane(dv0, 1), j + 1, i);
          offer_f32(hd0, hi0, hh0, C, kk, f32x4.extract_lane(dv0, 2), j + 2, i);
          offer_f32(hd0, hi0, hh0, C, kk, f32x4.extract_lane(dv0, 3), j + 3, i);
        }
        if (sym && v128.any_true(f32x4.lt(dv0, roots4(hhj)))) {
          offer_f32(hdj, hij, hhj, C, kk, f32x4.extract_lane(dv0, 0), i, j);
          offer_f32(hdj + cd, hij + cd, hhj + 16, C, kk, f32x4.extract_lane(dv0, 1), i, j + 1);
          offer_f32(hdj + 2 * cd, hij + 2 * cd, hhj + 32, C, kk, f32x4.extract_lane(dv0, 2), i, j + 2);
          offer_f32(hdj + 3 * cd, hij + 3 * cd, hhj + 48, C, kk, f32x4.extract_lane(dv0, 3), i, j + 3);
        }
        if (two) {
          const dv1 = f32x4.sub(f32x4.add(nv1, mv), f32x4.mul(two2, hsum4x(c10, c11, c12, c13)));
          if (v128.any_true(f32x4.lt(dv1, f32x4.splat(load<f32>(hh1))))) {
            offer_f32(hd1, hi1, hh1, C, kk, f32x4.extract_lane(dv1, 0), j, ib);
            offer_f32(hd1, hi1, hh1, C, kk, f32x4.extract_lane(dv1, 1), j + 1, ib);
            offer_f32(hd1, hi1, hh1, C, kk, f32x4.extract_lane(dv1, 2), j + 2, ib);
            offer_f32(hd1, hi1, hh1, C, kk, f32x4.extract_lane(dv1, 3), j + 3, ib);
          }
          if (sym && v128.any_true(f32x4.lt(dv1, roots4(hhj)))) {
            offer_f32(hdj, hij, hhj, C, kk, f32x4.extract_lane(dv1, 0), ib, j);
            offer_f32(hdj + cd, hij + cd, hhj + 16, C, kk, f32x4.extract_lane(dv1, 1), ib, j + 1);
            offer_f32(hdj + 2 * cd, hij + 2 * cd, hhj + 32, C, kk, f32x4.extract_lane(dv1, 2), ib, j + 2);
            offer_f32(hdj + 3 * cd, hij + 3 * cd, hhj + 48, C, kk, f32x4.extract_lane(dv1, 3), ib, j + 3);
          }
        }
      }
      for (let j: i32 = je4; j < je; j++) {
        const yp = x + <usize>j * rb;
        let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const y = v128.load(yp + d);
          c0 = madd4(v128.load(xa0 + d), y, c0);
          c1 = madd4(v128.load(xa1 + d), y, c1);
        }
        const m = load<f32>(nrm + (<usize>j << 2));
        const e0: f32 = n0 + m - 2 * hs4(c0);
        const hdj = hd + <usize>j * cd, hij = hi + <usize>j * cd, hhj = hh + (<usize>j << 4);
        offer_f32(hd0, hi0, hh0, C, kk, e0, j, i);
        if (sym) offer_f32(hdj, hij, hhj, C, kk, e0, i, j);
        if (two) {
          const e1: f32 = n1 + m - 2 * hs4(c1);
          offer_f32(hd1, hi1, hh1, C, kk, e1, j, ib);
          if (sym) offer_f32(hdj, hij, hhj, C, kk, e1, ib, j);
        }
      }
    }
  }
}

export function tile_f64(x: usize, nrm: usize, Dp: i32, i0: i32, i1: i32, j0: i32, j1: i32, kk: i32,
  hd: usize, hi: usize, BJ: i32, sym: i32, hh: usize, C: i32): void {
  const rb: usize = <usize>Dp << 3;
  const cd: usize = <usize>C << 3, ci: usize = <usize>C << 2;
  for (let jb: i32 = j0; jb < j1; jb += BJ) {
    const je: i32 = min(j1, jb + BJ);
    const je4: i32 = jb + ((je - jb) & ~3);
    for (let i: i32 = i0; i < i1; i += 2) {
      const two = i + 1 < i1;
      const ib: i32 = two ? i + 1 : i;
      const xa0 = x + <usize>i * rb, xa1 = x + <usize>ib * rb;
      const n0 = load<f64>(nrm + (<usize>i << 3)), n1 = load<f64>(nrm + (<usize>ib << 3));
      const hd0 = hd + <usize>i * cd, hi0 = hi + <usize>i * ci, hh0 = hh + (<usize>i << 4);
      const hd1 = hd0 + cd, hi1 = hi0 + ci, hh1 = hh0 + 16;
      for (let j: i32 = jb; j < je4; j += 4) {
        const y0p = x + <usize>j * rb, y1p = y0p + rb, y2p = y1p + rb, y3p = y2p + rb;
        let c00 = f64x2.splat(0), c01 = f64x2.splat(0), c02 = f64x2.splat(0), c03 = f64x2.splat(0);
        let c10 = f64x2.splat(0), c11 = f64x2.splat(0), c12 = f64x2.splat(0), c13 = f64x2.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const x0 = v128.load(xa0 + d), x1 = v128.load(xa1 + d);
          const y0 = v128.load(y0p + d), y1 = v128.load(y1p + d), y2 = v128.load(y2p + d), y3 = v128.load(y3p + d);
          c00 = f64x2.add(c00, f64x2.mul(x0, y0)); c01 = f64x2.add(c01, f64x2.mul(x0, y1));
          c02 = f64x2.add(c02, f64x2.mul(x0, y2)); c03 = f64x2.add(c03, f64x2.mul(x0, y3));
          c10 = f64x2.add(c10, f64x2.mul(x1, y0)); c11 = f64x2.add(c11, f64x2.mul(x1, y1));
          c12 = f64x2.add(c12, f64x2.mul(x1, y2)); c13 = f64x2.add(c13, f64x2.mul(x1, y3));
        }
        const m0 = load<f64>(nrm + (<usize>j << 3)), m1 = load<f64>(nrm + (<usize>(j + 1) << 3));
        const m2 = load<f64>(nrm + (<usize>(j + 2) << 3)), m3 = load<f64>(nrm + (<usize>(j + 3) << 3));
        const d00: f64 = n0 + m0 - 2 * hs2(c00), d01: f64 = n0 + m1 - 2 * hs2(c01), d02: f64 = n0 + m2 - 2 * hs2(c02), d03: f64 = n0 + m3 - 2 * hs2(c03);
        const hdj = hd + <usize>j * cd, hij = hi + <usize>j * ci, hhj = hh + (<usize>j << 4);
        offer_f64(hd0, hi0, hh0, C, kk, d00, j, i);
        offer_f64(hd0, hi0, hh0, C, kk, d01, j + 1, i);
        offer_f64(hd0, hi0, hh0, C, kk, d02, j + 2, i);
        offer_f64(hd0, hi0, hh0, C, kk, d03, j + 3, i);
        if (sym) {
          offer_f64(hdj, hij, hhj, C, kk, d00, i, j);
          offer_f64(hdj + cd, hij + ci, hhj + 16, C, kk, d01, i, j + 1);
          offer_f64(hdj + 2 * cd, hij + 2 * ci, hhj + 32, C, kk, d02, i, j + 2);
          offer_f64(hdj + 3 * cd, hij + 3 * ci, hhj + 48, C, kk, d03, i, j + 3);
        }
        if (two) {
          const d10: f64 = n1 + m0 - 2 * hs2(c10), d11: f64 = n1 + m1 - 2 * hs2(c11), d12: f64 = n1 + m2 - 2 * hs2(c12), d13: f64 = n1 + m3 - 2 * hs2(c13);
          offer_f64(hd1, hi1, hh1, C, kk, d10, j, ib);
          offer_f64(hd1, hi1, hh1, C, kk, d11, j + 1, ib);
          offer_f64(hd1, hi1, hh1, C, kk, d12, j + 2, ib);
          offer_f64(hd1, hi1, hh1, C, kk, d13, j + 3, ib);
          if (sym) {
            offer_f64(hdj, hij, hhj, C, kk, d10, ib, j);
            offer_f64(hdj + cd, hij + ci, hhj + 16, C, kk, d11, ib, j + 1);
            offer_f64(hdj + 2 * cd, hij + 2 * ci, hhj + 32, C, kk, d12, ib, j + 2);
            offer_f64(hdj + 3 * cd, hij + 3 * ci, hhj + 48, C, kk, d13, ib, j + 3);
          }
        }
      }
      for (let j: i32 = je4; j < je; j++) {
        const yp = x + <usize>j * rb;
        let c0 = f64x2.splat(0), c1 = f64x2.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const y = v128.load(yp + d);
          c0 = f64x2.add(c0, f64x2.mul(v128.load(xa0 + d), y));
          c1 = f64x2.add(c1, f64x2.mul(v128.load(xa1 + d), y));
        }
        const m = load<f64>(nrm + (<usize>j << 3));
        const e0: f64 = n0 + m - 2 * hs2(c0);
        const hdj = hd + <usize>j * cd, hij = hi + <usize>j * ci, hhj = hh + (<usize>j << 4);
        offer_f64(hd0, hi0, hh0, C, kk, e0, j, i);
        if (sym) offer_f64(hdj, hij, hhj, C, kk, e0, i, j);
        if (two) {
          const e1: f64 = n1 + m - 2 * hs2(c1);
          offer_f64(hd1, hi1, hh1, C, kk, e1, j, ib);
          if (sym) offer_f64(hdj, hij, hhj, C, kk, e1, ib, j);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Row-select kernel (euclidean/cosine, f32) for large k relative to N: the f32 values of rows
// [r0, r1) against all N reference rows are written to a row buffer rv (rows of N f32, the row
// itself +Inf), then each row's kp smallest are found by rowSelect_f32: a pivot from a sample of
// the row (about 2 kp values expected below it), one branch-free pass that compacts every value
// below the pivot (with its index) into the scratch at hs (room for N values and N indices),
// and a quickselect of those m (>= kp) down to kp. Same contract as knn_f32: slots 0..kp-1 hold
// the kp best, the header T their maximum (every left-out value is >= T: those not compacted
// are >= the pivot > every compacted one), n = kp. No per-candidate threshold test in the
// distance loop, one pass over the row, no histogram to clear.

/** Bytes of rowSelect_f32's scratch for rows of N values. */
@inline function scratchIdx(hs: usize, N: i32): usize {
  return hs + ((<usize>N << 2) + 15 & ~(<usize>15));
}

function rowSelect_f32(v: usize, N: i32, kp: i32, bd: usize, bi: usize, h: usize, C: i32, hs: usize): void {
  const sv = hs, si = scratchIdx(hs, N);
  const S: i32 = min(64, N);
  const step: i32 = N / S;
  // the sample rank expected to leave about 2 kp values below the pivot, doubled until enough are
  let r: i32 = <i32>(<f64>S * 2.0 * <f64>kp / <f64>N) + 1;
  let m: i32 = 0;
  for (;;) {
    let pivot: f32 = Infinity;
    if (r < S) {
      for (let s: i32 = 0; s < S; s++) store<f32>(sv + (<usize>s << 2), load<f32>(v + (<usize>(s * step) << 2)));
      pivot = select_f32(sv, si, S, r); // the r-th smallest of the sample
    }
    let pos: usize = 0;
    if (r <= S) {
      for (let j: i32 = 0; j < N; j++) {
        const x = load<f32>(v + (<usize>j << 2));
        store<f32>(sv + (pos << 2), x);
        store<i32>(si + (pos << 2), j);
        pos += <usize>(x < pivot);
      }
    } else {
      // every value (also +Inf ones: stage 1 overflowed; the row then fails certification)
      for (let j: i32 = 0; j < N; j++) {
        store<f32>(sv + (<usize>j << 2), load<f32>(v + (<usize>j << 2)));
        store<i32>(si + (<usize>j << 2), j);
      }
      pos = <usize>N;
    }
    m = <i32>pos;
    if (m >= kp) break;
    r = r < S ? min(S, r * 2) : S + 1;
  }
  let T: f32;
  if (m <= C) {
    memory.copy(bd, sv, <usize>m << 2);
    memory.copy(bi, si, <usize>m << 2);
    T = select_f32(bd, bi, m, kp);
  } else {
    T = select_f32(sv, si, m, kp);
    memory.copy(bd, sv, <usize>kp << 2);
    memory.copy(bi, si, <usize>kp << 2);
  }
  store<f32>(h, T);
  store<i32>(h, kp, 8);
}

/** The f32 values (|x|^2 + |y|^2 - 2 x.y) of rows [r0, r1) against the N reference rows, into rv (rows of N). */
export function values_f32(x: usize, nrm: usize, N: i32, Dp: i32, r0: i32, r1: i32, BJ: i32, rv: usize): void {
  vals_f32(x, nrm, Dp, r0, r1, 0, N, BJ, rv, N);
}

/** values_f32 on the columns [j0, j1) only: row i - r0 of rv (stride rs values) holds columns j0 .. j1 - 1. */
export function vals_f32(x: usize, nrm: usize, Dp: i32, r0: i32, r1: i32, j0: i32, j1: i32, BJ: i32, rvBase: usize, rsv: i32): void {
  const rb: usize = <usize>Dp << 2;
  const rs: usize = <usize>rsv << 2;
  const rv: usize = rvBase - (<usize>j0 << 2);
  for (let jb: i32 = j0; jb < j1; jb += BJ) {
    const je: i32 = min(j1, jb + BJ);
    const je4: i32 = jb + ((je - jb) & ~3);
    for (let i: i32 = r0; i < r1; i += 2) {
      const two = i + 1 < r1;
      const i1: i32 = two ? i + 1 : i;
      const xa0 = x + <usize>i * rb, xa1 = x + <usize>i1 * rb;
      const n0 = load<f32>(nrm + (<usize>i << 2)), n1 = load<f32>(nrm + (<usize>i1 << 2));
      const v0 = rv + <usize>(i - r0) * rs, v1 = rv + <usize>(i1 - r0) * rs;
      for (let j: i32 = jb; j < je4; j += 4) {
        const y0p = x + <usize>j * rb, y1p = y0p + rb, y2p = y1p + rb, y3p = y2p + rb;
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
        let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const x0 = v128.load(xa0 + d), x1 = v128.load(xa1 + d);
          const y0 = v128.load(y0p + d), y1 = v128.load(y1p + d), y2 = v128.load(y2p + d), y3 = v128.load(y3p + d);
          c00 = madd4(x0, y0, c00); c01 = madd4(x0, y1, c01); c02 = madd4(x0, y2, c02); c03 = madd4(x0, y3, c03);
          c10 = madd4(x1, y0, c10); c11 = madd4(x1, y1, c11); c12 = madd4(x1, y2, c12); c13 = madd4(x1, y3, c13);
        }
        const m = v128.load(nrm + (<usize>j << 2), 0); // norms of j .. j+3 (unaligned load)
        const two4 = f32x4.splat(2);
        v128.store(v0 + (<usize>j << 2), f32x4.sub(f32x4.add(f32x4.splat(n0), m), f32x4.mul(two4, hsum4x(c00, c01, c02, c03))));
        if (two) v128.store(v1 + (<usize>j << 2), f32x4.sub(f32x4.add(f32x4.splat(n1), m), f32x4.mul(two4, hsum4x(c10, c11, c12, c13))));
      }
      for (let j: i32 = je4; j < je; j++) {
        const yp = x + <usize>j * rb;
        let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const y = v128.load(yp + d);
          c0 = madd4(v128.load(xa0 + d), y, c0);
          c1 = madd4(v128.load(xa1 + d), y, c1);
        }
        const m = load<f32>(nrm + (<usize>j << 2));
        store<f32>(v0 + (<usize>j << 2), n0 + m - 2 * hs4(c0));
        if (two) store<f32>(v1 + (<usize>j << 2), n1 + m - 2 * hs4(c1));
      }
    }
  }
}

export function rowsel_f32(x: usize, nrm: usize, N: i32, Dp: i32, r0: i32, r1: i32, kk: i32,
  hd: usize, hi: usize, BJ: i32, hh: usize, C: i32, rv: usize, hs: usize): void {
  const cd: usize = <usize>C << 2, ci: usize = <usize>C << 2;
  const rs: usize = <usize>N << 2;
  values_f32(x, nrm, N, Dp, r0, r1, BJ, rv);
  for (let r: i32 = r0; r < r1; r++) {
    const v = rv + <usize>(r - r0) * rs;
    if (r < N) store<f32>(v + (<usize>r << 2), Infinity); // the row itself (self tables; queries are rows >= N)
    rowSelect_f32(v, N, kk, hd + <usize>(r - r0) * cd, hi + <usize>(r - r0) * ci, hh + (<usize>(r - r0) << 4), C, hs);
  }
}

// Symmetric row select (the ranks mode on the pool): the values of each unordered pair are
// computed once, in strips: strip I holds rows [I B, I B + B) against columns [I B, N), row-major
// with row stride N - I B, at offset so[I] (vals_f32 writes it). symsel_f32 assembles the full
// value rows of block I (its own strip, and the columns of the earlier blocks read transposed
// from their strips) in rv, then selects each row's kp smallest like rowsel_f32.
export function symsel_f32(so: usize, B: i32, N: i32, I: i32, kk: i32, hd: usize, hi: usize, hh: usize, C: i32, rv: usize, hs: usize): void {
  const r0: i32 = I * B, r1: i32 = min(N, r0 + B);
  const rs: usize = <usize>N << 2;
  symrows_f32(so, B, N, I, rv);
  const cd: usize = <usize>C << 2;
  for (let r: i32 = r0; r < r1; r++) {
    const v = rv + <usize>(r - r0) * rs;
    store<f32>(v + (<usize>r << 2), Infinity);
    rowSelect_f32(v, N, kk, hd + <usize>(r - r0) * cd, hi + <usize>(r - r0) * cd, hh + (<usize>(r - r0) << 4), C, hs);
  }
}

/** The full value rows of block I (rows of N in rv) from the strips (see symsel_f32). */
export function symrows_f32(so: usize, B: i32, N: i32, I: i32, rv: usize): void {
  const r0: i32 = I * B, r1: i32 = min(N, r0 + B), rows = r1 - r0;
  const rs: usize = <usize>N << 2;
  // own strip: columns [r0, N)
  const sI: usize = load<u32>(so + (<usize>I << 2));
  const wI: i32 = N - r0;
  for (let c: i32 = 0; c < rows; c++) memory.copy(rv + <usize>c * rs + (<usize>r0 << 2), sI + <usize>c * (<usize>wI << 2), <usize>wI << 2);
  // earlier strips J < I: columns [J B, J B + B), transposed, 16 rows of rv at a time
  for (let J: i32 = 0; J < I; J++) {
    const j0: i32 = J * B;
    const sJ: usize = load<u32>(so + (<usize>J << 2));
    const wJ: usize = <usize>(N - j0) << 2;
    const off: usize = <usize>(r0 - j0) << 2;
    for (let cb: i32 = 0; cb < rows; cb += 16) {
      const ce: i32 = min(rows, cb + 16);
      for (let t: i32 = 0; t < B; t++) {
        const src: usize = sJ + <usize>t * wJ + off;
        const dst: usize = rv + (<usize>(j0 + t) << 2);
        for (let c: i32 = cb; c < ce; c++) store<f32>(dst + <usize>c * rs, load<f32>(src + (<usize>c << 2)));
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Rank counting (lib/neighbors/ranks.ts countRanks): of a row of N float32 values, how many are
// <= lo (certainly closer than the target), and the indices of those neither <= lo nor >= hi
// (undecided, a NaN too) written at amb, their number at amb + 4 N. lo and hi are float32
// thresholds the caller rounded outwards from its float64 ones, so the decisions are the same.

export function count_band(row: usize, N: i32, lo: f32, hi: f32, amb: usize): i32 {
  const L = f32x4.splat(lo), H = f32x4.splat(hi);
  let cnt = i32x4.splat(0);
  let na: i32 = 0;
  let j: i32 = 0;
  for (; j + 4 <= N; j += 4) {
    const v = v128.load(row + (<usize>j << 2));
    const le = f32x4.le(v, L);
    cnt = i32x4.sub(cnt, le); // le is -1 where true
    const undecided = v128.not(v128.or(le, f32x4.ge(v, H)));
    if (v128.any_true(undecided)) {
      for (let t: i32 = 0; t < 4; t++) {
        const x = load<f32>(row + (<usize>(j + t) << 2));
        if (!(x <= lo) && !(x >= hi)) { store<i32>(amb + (<usize>na << 2), j + t); na++; }
      }
    }
  }
  let c: i32 = i32x4.extract_lane(cnt, 0) + i32x4.extract_lane(cnt, 1) + i32x4.extract_lane(cnt, 2) + i32x4.extract_lane(cnt, 3);
  for (; j < N; j++) {
    const x = load<f32>(row + (<usize>j << 2));
    if (x <= lo) c++;
    else if (!(x >= hi)) { store<i32>(amb + (<usize>na << 2), j); na++; }
  }
  store<i32>(amb + (<usize>N << 2), na);
  return c;
}

// ---------------------------------------------------------------------------------------------
// Stage 2 in WebAssembly: the exact float64 euclidean distances of the candidates, and the sort
// of each row's (distance, index) pairs. The sums follow lib/neighbors/distance.ts sqEuclid's
// order exactly (eight partial sums p_m over t = m (mod 8) as four float64x2 accumulators, mul
// then add, no fused multiply-add; then ((p0 + p4) + (p2 + p6)) + ((p1 + p5) + (p3 + p7))), so
// the distances are pairDistance's bits.

@inline function combine8(p0: f64, p1: f64, p2: f64, p3: f64, p4: f64, p5: f64, p6: f64, p7: f64): f64 {
  return ((p0 + p4) + (p2 + p6)) + ((p1 + p5) + (p3 + p7));
}

/** sqEuclid of two float32 rows (promoted to float64 before the difference, as in JavaScript). */
function sq8_f32(a: usize, b: usize, D: i32): f64 {
  let A = f64x2.splat(0), B = f64x2.splat(0), C = f64x2.splat(0), E = f64x2.splat(0);
  let t: i32 = 0;
  for (; t + 8 <= D; t += 8) {
    const o: usize = <usize>t << 2;
    const xa = v128.load(a + o), xb = v128.load(a + o + 16), ya = v128.load(b + o), yb = v128.load(b + o + 16);
    const e0 = f64x2.sub(f64x2.promote_low_f32x4(xa), f64x2.promote_low_f32x4(ya));
    const e1 = f64x2.sub(f64x2.promote_low_f32x4(i32x4.shuffle(xa, xa, 2, 3, 0, 1)), f64x2.promote_low_f32x4(i32x4.shuffle(ya, ya, 2, 3, 0, 1)));
    const e2 = f64x2.sub(f64x2.promote_low_f32x4(xb), f64x2.promote_low_f32x4(yb));
    const e3 = f64x2.sub(f64x2.promote_low_f32x4(i32x4.shuffle(xb, xb, 2, 3, 0, 1)), f64x2.promote_low_f32x4(i32x4.shuffle(yb, yb, 2, 3, 0, 1)));
    A = f64x2.add(A, f64x2.mul(e0, e0)); B = f64x2.add(B, f64x2.mul(e1, e1));
    C = f64x2.add(C, f64x2.mul(e2, e2)); E = f64x2.add(E, f64x2.mul(e3, e3));
  }
  return tail8_f32(a, b, D, t, A, B, C, E);
}

/** sqEuclid of two float64 rows. */
function sq8_f64(a: usize, b: usize, D: i32): f64 {
  let A = f64x2.splat(0), B = f64x2.splat(0), C = f64x2.splat(0), E = f64x2.splat(0);
  let t: i32 = 0;
  for (; t + 8 <= D; t += 8) {
    const o: usize = <usize>t << 3;
    const e0 = f64x2.sub(v128.load(a + o), v128.load(b + o));
    const e1 = f64x2.sub(v128.load(a + o + 16), v128.load(b + o + 16));
    const e2 = f64x2.sub(v128.load(a + o + 32), v128.load(b + o + 32));
    const e3 = f64x2.sub(v128.load(a + o + 48), v128.load(b + o + 48));
    A = f64x2.add(A, f64x2.mul(e0, e0)); B = f64x2.add(B, f64x2.mul(e1, e1));
    C = f64x2.add(C, f64x2.mul(e2, e2)); E = f64x2.add(E, f64x2.mul(e3, e3));
  }
  return tail8_f64(a, b, D, t, A, B, C, E);
}

/**
 * The exact euclidean distance of each candidate of rows [i0, i1) (rows of the original values at
 * orig, float32 when f32o != 0 else float64, D per row): candidate c of row i is the row
 * hi[(i - i0) C + c]; its distance goes to ed[(i - i0) kp + c].
 */
export function exact_l2(orig: usize, f32o: i32, D: i32, i0: i32, i1: i32, kp: i32, hi: usize, C: i32, ed: usize): void {
  const rs: usize = <usize>D << (f32o ? 2 : 3);
  for (let i: i32 = i0; i < i1; i++) {
    const a = orig + <usize>i * rs;
    const oh = hi + <usize>(i - i0) * (<usize>C << 2), oe = ed + <usize>(i - i0) * (<usize>kp << 3);
    // two candidates at a time: the sums are independent chains, so the pair hides the add
    // latency that bounds one sum (and shares the loads of row a); each sum's order is sq8's
    let c: i32 = 0;
    for (; c + 2 <= kp; c += 2) {
      const b0 = orig + <usize>load<i32>(oh + (<usize>c << 2)) * rs;
      const b1 = orig + <usize>load<i32>(oh + (<usize>(c + 1) << 2)) * rs;
      const o = oe + (<usize>c << 3);
      if (f32o) sq8x2_f32(a, b0, b1, D, o);
      else sq8x2_f64(a, b0, b1, D, o);
    }
    for (; c < kp; c++) {
      const b = orig + <usize>load<i32>(oh + (<usize>c << 2)) * rs;
      store<f64>(oe + (<usize>c << 3), sqrt<f64>(f32o ? sq8_f32(a, b, D) : sq8_f64(a, b, D)));
    }
  }
}

/** sqrt(sq8_f32(a, b0)) and sqrt(sq8_f32(a, b1)) to out and out + 8: the same operations per sum, interleaved. */
function sq8x2_f32(a: usize, b0: usize, b1: usize, D: i32, out: usize): void {
  let A = f64x2.splat(0), B = f64x2.splat(0), C = f64x2.splat(0), E = f64x2.splat(0);
  let F = f64x2.splat(0), G = f64x2.splat(0), H = f64x2.splat(0), K = f64x2.splat(0);
  let t: i32 = 0;
  for (; t + 8 <= D; t += 8) {
    const o: usize = <usize>t << 2;
    const xa = v128.load(a + o), xb = v128.load(a + o + 16);
    const xa0 = f64x2.promote_low_f32x4(xa), xa1 = f64x2.promote_low_f32x4(i32x4.shuffle(xa, xa, 2, 3, 0, 1));
    const xb0 = f64x2.promote_low_f32x4(xb), xb1 = f64x2.promote_low_f32x4(i32x4.shuffle(xb, xb, 2, 3, 0, 1));
    const ya = v128.load(b0 + o), yb = v128.load(b0 + o + 16);
    const e0 = f64x2.sub(xa0, f64x2.promote_low_f32x4(ya));
    const e1 = f64x2.sub(xa1, f64x2.promote_low_f32x4(i32x4.shuffle(ya, ya, 2, 3, 0, 1)));
    const e2 = f64x2.sub(xb0, f64x2.promote_low_f32x4(yb));
    const e3 = f64x2.sub(xb1, f64x2.promote_low_f32x4(i32x4.shuffle(yb, yb, 2, 3, 0, 1)));
    A = f64x2.add(A, f64x2.mul(e0, e0)); B = f64x2.add(B, f64x2.mul(e1, e1));
    C = f64x2.add(C, f64x2.mul(e2, e2)); E = f64x2.add(E, f64x2.mul(e3, e3));
    const za = v128.load(b1 + o), zb = v128.load(b1 + o + 16);
    const g0 = f64x2.sub(xa0, f64x2.promote_low_f32x4(za));
    const g1 = f64x2.sub(xa1, f64x2.promote_low_f32x4(i32x4.shuffle(za, za, 2, 3, 0, 1)));
    const g2 = f64x2.sub(xb0, f64x2.promote_low_f32x4(zb));
    const g3 = f64x2.sub(xb1, f64x2.promote_low_f32x4(i32x4.shuffle(zb, zb, 2, 3, 0, 1)));
    F = f64x2.add(F, f64x2.mul(g0, g0)); G = f64x2.add(G, f64x2.mul(g1, g1));
    H = f64x2.add(H, f64x2.mul(g2, g2)); K = f64x2.add(K, f64x2.mul(g3, g3));
  }
  store<f64>(out, sqrt<f64>(tail8_f32(a, b0, D, t, A, B, C, E)));
  store<f64>(out + 8, sqrt<f64>(tail8_f32(a, b1, D, t, F, G, H, K)));
}

/** The end of sq8_f32 from element t on, given its four accumulators. */
@inline function tail8_f32(a: usize, b: usize, D: i32, t: i32, A: v128, B: v128, C: v128, E: v128): f64 {
  let p0 = f64x2.extract_lane(A, 0), p1 = f64x2.extract_lane(A, 1), p2 = f64x2.extract_lane(B, 0), p3 = f64x2.extract_lane(B, 1);
  let p4 = f64x2.extract_lane(C, 0), p5 = f64x2.extract_lane(C, 1), p6 = f64x2.extract_lane(E, 0), p7 = f64x2.extract_lane(E, 1);
  const r = D - t;
  const o: usize = <usize>t << 2;
  if (r > 0) { const e = <f64>load<f32>(a + o) - <f64>load<f32>(b + o); p0 += e * e; }
  if (r > 1) { const e = <f64>load<f32>(a + o + 4) - <f64>load<f32>(b + o + 4); p1 += e * e; }
  if (r > 2) { const e = <f64>load<f32>(a + o + 8) - <f64>load<f32>(b + o + 8); p2 += e * e; }
  if (r > 3) { const e = <f64>load<f32>(a + o + 12) - <f64>load<f32>(b + o + 12); p3 += e * e; }
  if (r > 4) { const e = <f64>load<f32>(a + o + 16) - <f64>load<f32>(b + o + 16); p4 += e * e; }
  if (r > 5) { const e = <f64>load<f32>(a + o + 20) - <f64>load<f32>(b + o + 20); p5 += e * e; }
  if (r > 6) { const e = <f64>load<f32>(a + o + 24) - <f64>load<f32>(b + o + 24); p6 += e * e; }
  return combine8(p0, p1, p2, p3, p4, p5, p6, p7);
}

/** sqrt(sq8_f64(a, b0)) and sqrt(sq8_f64(a, b1)) to out and out + 8: the same operations per sum, interleaved. */
function sq8x2_f64(a: usize, b0: usize, b1: usize, D: i32, out: usize): void {
  let A = f64x2.splat(0), B = f64x2.splat(0), C = f64x2.splat(0), E = f64x2.splat(0);
  let F = f64x2.splat(0), G = f64x2.splat(0), H = f64x2.splat(0), K = f64x2.splat(0);
  let t: i32 = 0;
  for (; t + 8 <= D; t += 8) {
    const o: usize = <usize>t << 3;
    const x0 = v128.load(a + o), x1 = v128.load(a + o + 16), x2 = v128.load(a + o + 32), x3 = v128.load(a + o + 48);
    const e0 = f64x2.sub(x0, v128.load(b0 + o)), e1 = f64x2.sub(x1, v128.load(b0 + o + 16));
    const e2 = f64x2.sub(x2, v128.load(b0 + o + 32)), e3 = f64x2.sub(x3, v128.load(b0 + o + 48));
    A = f64x2.add(A, f64x2.mul(e0, e0)); B = f64x2.add(B, f64x2.mul(e1, e1));
    C = f64x2.add(C, f64x2.mul(e2, e2)); E = f64x2.add(E, f64x2.mul(e3, e3));
    const g0 = f64x2.sub(x0, v128.load(b1 + o)), g1 = f64x2.sub(x1, v128.load(b1 + o + 16));
    const g2 = f64x2.sub(x2, v128.load(b1 + o + 32)), g3 = f64x2.sub(x3, v128.load(b1 + o + 48));
    F = f64x2.add(F, f64x2.mul(g0, g0)); G = f64x2.add(G, f64x2.mul(g1, g1));
    H = f64x2.add(H, f64x2.mul(g2, g2)); K = f64x2.add(K, f64x2.mul(g3, g3));
  }
  store<f64>(out, sqrt<f64>(tail8_f64(a, b0, D, t, A, B, C, E)));
  store<f64>(out + 8, sqrt<f64>(tail8_f64(a, b1, D, t, F, G, H, K)));
}

/** The end of sq8_f64 from element t on, given its four accumulators. */
@inline function tail8_f64(a: usize, b: usize, D: i32, t: i32, A: v128, B: v128, C: v128, E: v128): f64 {
  let p0 = f64x2.extract_lane(A, 0), p1 = f64x2.extract_lane(A, 1), p2 = f64x2.extract_lane(B, 0), p3 = f64x2.extract_lane(B, 1);
  let p4 = f64x2.extract_lane(C, 0), p5 = f64x2.extract_lane(C, 1), p6 = f64x2.extract_lane(E, 0), p7 = f64x2.extract_lane(E, 1);
  const r = D - t;
  const o: usize = <usize>t << 3;
  if (r > 0) { const e = load<f64>(a + o) - load<f64>(b + o); p0 += e * e; }
  if (r > 1) { const e = load<f64>(a + o + 8) - load<f64>(b + o + 8); p1 += e * e; }
  if (r > 2) { const e = load<f64>(a + o + 16) - load<f64>(b + o + 16); p2 += e * e; }
  if (r > 3) { const e = load<f64>(a + o + 24) - load<f64>(b + o + 24); p3 += e * e; }
  if (r > 4) { const e = load<f64>(a + o + 32) - load<f64>(b + o + 32); p4 += e * e; }
  if (r > 5) { const e = load<f64>(a + o + 40) - load<f64>(b + o + 40); p5 += e * e; }
  if (r > 6) { const e = load<f64>(a + o + 48) - load<f64>(b + o + 48); p6 += e * e; }
  return combine8(p0, p1, p2, p3, p4, p5, p6, p7);
}

/** (d, i) pair at position p is below (e, j) in the engine's order: by distance, ties by index. */
@inline function pairLess(pd: usize, pi: usize, p: i32, e: f64, j: i32): bool {
  const d = load<f64>(pd + (<usize>p << 3));
  return d < e || (d == e && load<i32>(pi + (<usize>p << 2)) < j);
}
@inline function swapPairs(pd: usize, pi: usize, a: i32, b: i32): void {
  const da = pd + (<usize>a << 3), db = pd + (<usize>b << 3), ia = pi + (<usize>a << 2), ib = pi + (<usize>b << 2);
  const x = load<f64>(da); store<f64>(da, load<f64>(db)); store<f64>(db, x);
  const y = load<i32>(ia); store<i32>(ia, load<i32>(ib)); store<i32>(ib, y);
}

/** Sorts pairs [lo, hi] by (distance, index) far enough that positions < k hold the k smallest in order. */
function partialSort(pd: usize, pi: usize, lo: i32, hi: i32, k: i32): void {
  while (hi - lo > 12) {
    if (lo >= k) return;
    const mid = (lo + hi) >> 1;
    // median of three to mid, then Hoare partition around it (the pairs are distinct: indices differ)
    if (pairLess(pd, pi, mid, load<f64>(pd + (<usize>lo << 3)), load<i32>(pi + (<usize>lo << 2)))) swapPairs(pd, pi, lo, mid);
    if (pairLess(pd, pi, hi, load<f64>(pd + (<usize>mid << 3)), load<i32>(pi + (<usize>mid << 2)))) {
      swapPairs(pd, pi, mid, hi);
      if (pairLess(pd, pi, mid, load<f64>(pd + (<usize>lo << 3)), load<i32>(pi + (<usize>lo << 2)))) swapPairs(pd, pi, lo, mid);
    }
    const pv = load<f64>(pd + (<usize>mid << 3)), pj = load<i32>(pi + (<usize>mid << 2));
    let i = lo, j = hi;
    while (i <= j) {
      while (pairLess(pd, pi, i, pv, pj)) i++;
      while (j >= lo) {
        const d = load<f64>(pd + (<usize>j << 3)), x = load<i32>(pi + (<usize>j << 2));
        if (pv < d || (pv == d && pj < x)) j--; else break;
      }
      if (i <= j) { swapPairs(pd, pi, i, j); i++; j--; }
    }
    // [lo, j] below, [i, hi] above the pivot
    if (i < k) partialSort(pd, pi, i, hi, k);
    hi = j;
  }
  for (let a: i32 = lo + 1; a <= hi; a++) { // insertion sort
    const d = load<f64>(pd + (<usize>a << 3)), x = load<i32>(pi + (<usize>a << 2));
    let b = a - 1;
    while (b >= lo && !pairLess(pd, pi, b, d, x)) {
      store<f64>(pd + (<usize>(b + 1) << 3), load<f64>(pd + (<usize>b << 3)));
      store<i32>(pi + (<usize>(b + 1) << 2), load<i32>(pi + (<usize>b << 2)));
      b--;
    }
    store<f64>(pd + (<usize>(b + 1) << 3), d);
    store<i32>(pi + (<usize>(b + 1) << 2), x);
  }
}

/**
 * For each of `rows` rows: its kp candidates (distances at ed, stride kp; indices at hi, stride
 * C) sorted in place far enough, and the k smallest written in order to outD / outI from column
 * c0 of output row r (stride w).
 */
export function sort_rows(ed: usize, hi: usize, rows: i32, kp: i32, C: i32, k: i32, outD: usize, outI: usize, w: i32, c0: i32): void {
  for (let r: i32 = 0; r < rows; r++) {
    const pd = ed + <usize>r * (<usize>kp << 3), pi = hi + <usize>r * (<usize>C << 2);
    partialSort(pd, pi, 0, kp - 1, k);
    const od = outD + (<usize>(r * w + c0) << 3), oi = outI + (<usize>(r * w + c0) << 2);
    memory.copy(od, pd, <usize>k << 3);
    memory.copy(oi, pi, <usize>k << 2);
  }
}
