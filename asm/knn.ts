// AssemblyScript source of the fused squared-distance + bounded-heap kernels (stage 1 of the
// WebAssembly neighbour engine, lib/neighbors/wasm.ts). Compiled by scripts/build-wasm.mjs into
// dist/wasm/knn.wasm at `npm ci` (not committed). See docs in lib/neighbors/wasm.ts and
// ../shared/research/perf-knn.md §5.
//
// Memory layout (imported shared memory, offsets in bytes, all 16-byte aligned):
//   x   : N rows of Dp values (f32 or f64, D zero-padded to Dp), mean-centred
//   nrm : N squared norms (same type as x)
//   hd  : per query row of the block, a max-heap of kk candidate squared distances (f32 or f64)
//   hi  : the matching candidate indices (i32)
// Each query row i in [r0, r1) gets its heap at hd + (i - r0) * kk * size. The heaps must be
// filled with +Infinity before the call (done by the caller). Self (j == i) is skipped.
// d2(i, j) = |x_i|^2 + |x_j|^2 - 2 x_i.x_j: an approximation, re-ranked exactly in float64 by
// the caller, which also certifies that no true neighbour was left out.

@inline function repF32(hd: usize, hi: usize, k: i32, d: f32, j: i32): void {
  let c: i32 = 0;
  while (true) {
    let l = 2 * c + 1;
    if (l >= k) break;
    let m = l;
    let dm = load<f32>(hd + (<usize>l << 2));
    let r = l + 1;
    if (r < k) {
      let dr = load<f32>(hd + (<usize>r << 2));
      if (dr > dm) { m = r; dm = dr; }
    }
    if (dm <= d) break;
    store<f32>(hd + (<usize>c << 2), dm);
    store<i32>(hi + (<usize>c << 2), load<i32>(hi + (<usize>m << 2)));
    c = m;
  }
  store<f32>(hd + (<usize>c << 2), d);
  store<i32>(hi + (<usize>c << 2), j);
}

@inline function repF64(hd: usize, hi: usize, k: i32, d: f64, j: i32): void {
  let c: i32 = 0;
  while (true) {
    let l = 2 * c + 1;
    if (l >= k) break;
    let m = l;
    let dm = load<f64>(hd + (<usize>l << 3));
    let r = l + 1;
    if (r < k) {
      let dr = load<f64>(hd + (<usize>r << 3));
      if (dr > dm) { m = r; dm = dr; }
    }
    if (dm <= d) break;
    store<f64>(hd + (<usize>c << 3), dm);
    store<i32>(hi + (<usize>c << 2), load<i32>(hi + (<usize>m << 2)));
    c = m;
  }
  store<f64>(hd + (<usize>c << 3), d);
  store<i32>(hi + (<usize>c << 2), j);
}

@inline function hs4(c: v128): f32 {
  return (f32x4.extract_lane(c, 0) + f32x4.extract_lane(c, 1)) + (f32x4.extract_lane(c, 2) + f32x4.extract_lane(c, 3));
}
@inline function hs2(c: v128): f64 {
  return f64x2.extract_lane(c, 0) + f64x2.extract_lane(c, 1);
}

/** Pushes candidate (d, j) into row heap (hd, hi) unless j is the row itself or d is not below the root. */
@inline function offerF32(hd: usize, hi: usize, k: i32, d: f32, j: i32, self: i32): void {
  if (d < load<f32>(hd) && j != self) repF32(hd, hi, k, d, j);
}
@inline function offerF64(hd: usize, hi: usize, k: i32, d: f64, j: i32, self: i32): void {
  if (d < load<f64>(hd) && j != self) repF64(hd, hi, k, d, j);
}

export function knn_f32(x: usize, nrm: usize, N: i32, Dp: i32, r0: i32, r1: i32, kk: i32,
  hd: usize, hi: usize, BJ: i32): void {
  const rb: usize = <usize>Dp << 2;
  const hs: usize = <usize>kk << 2;
  for (let jb: i32 = 0; jb < N; jb += BJ) {
    const je: i32 = min(N, jb + BJ);
    const je4: i32 = jb + ((je - jb) & ~3);
    for (let i: i32 = r0; i < r1; i += 2) {
      const two = i + 1 < r1;
      const i1: i32 = two ? i + 1 : i;
      const xa0 = x + <usize>i * rb, xa1 = x + <usize>i1 * rb;
      const n0 = load<f32>(nrm + (<usize>i << 2)), n1 = load<f32>(nrm + (<usize>i1 << 2));
      const hd0 = hd + <usize>(i - r0) * hs, hi0 = hi + <usize>(i - r0) * hs;
      const hd1 = hd0 + hs, hi1 = hi0 + hs;
      for (let j: i32 = jb; j < je4; j += 4) {
        const y0p = x + <usize>j * rb, y1p = y0p + rb, y2p = y1p + rb, y3p = y2p + rb;
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
        let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const x0 = v128.load(xa0 + d), x1 = v128.load(xa1 + d);
          const y0 = v128.load(y0p + d), y1 = v128.load(y1p + d), y2 = v128.load(y2p + d), y3 = v128.load(y3p + d);
          c00 = f32x4.add(c00, f32x4.mul(x0, y0)); c01 = f32x4.add(c01, f32x4.mul(x0, y1));
          c02 = f32x4.add(c02, f32x4.mul(x0, y2)); c03 = f32x4.add(c03, f32x4.mul(x0, y3));
          c10 = f32x4.add(c10, f32x4.mul(x1, y0)); c11 = f32x4.add(c11, f32x4.mul(x1, y1));
          c12 = f32x4.add(c12, f32x4.mul(x1, y2)); c13 = f32x4.add(c13, f32x4.mul(x1, y3));
        }
        const m0 = load<f32>(nrm + (<usize>j << 2)), m1 = load<f32>(nrm + (<usize>(j + 1) << 2));
        const m2 = load<f32>(nrm + (<usize>(j + 2) << 2)), m3 = load<f32>(nrm + (<usize>(j + 3) << 2));
        offerF32(hd0, hi0, kk, n0 + m0 - 2 * hs4(c00), j, i);
        offerF32(hd0, hi0, kk, n0 + m1 - 2 * hs4(c01), j + 1, i);
        offerF32(hd0, hi0, kk, n0 + m2 - 2 * hs4(c02), j + 2, i);
        offerF32(hd0, hi0, kk, n0 + m3 - 2 * hs4(c03), j + 3, i);
        if (two) {
          offerF32(hd1, hi1, kk, n1 + m0 - 2 * hs4(c10), j, i1);
          offerF32(hd1, hi1, kk, n1 + m1 - 2 * hs4(c11), j + 1, i1);
          offerF32(hd1, hi1, kk, n1 + m2 - 2 * hs4(c12), j + 2, i1);
          offerF32(hd1, hi1, kk, n1 + m3 - 2 * hs4(c13), j + 3, i1);
        }
      }
      for (let j: i32 = je4; j < je; j++) {
        const yp = x + <usize>j * rb;
        let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const y = v128.load(yp + d);
          c0 = f32x4.add(c0, f32x4.mul(v128.load(xa0 + d), y));
          c1 = f32x4.add(c1, f32x4.mul(v128.load(xa1 + d), y));
        }
        const m = load<f32>(nrm + (<usize>j << 2));
        offerF32(hd0, hi0, kk, n0 + m - 2 * hs4(c0), j, i);
        if (two) offerF32(hd1, hi1, kk, n1 + m - 2 * hs4(c1), j, i1);
      }
    }
  }
}

export function knn_f64(x: usize, nrm: usize, N: i32, Dp: i32, r0: i32, r1: i32, kk: i32,
  hd: usize, hi: usize, BJ: i32): void {
  const rb: usize = <usize>Dp << 3;
  const hsd: usize = <usize>kk << 3;
  const hsi: usize = <usize>kk << 2;
  for (let jb: i32 = 0; jb < N; jb += BJ) {
    const je: i32 = min(N, jb + BJ);
    const je4: i32 = jb + ((je - jb) & ~3);
    for (let i: i32 = r0; i < r1; i += 2) {
      const two = i + 1 < r1;
      const i1: i32 = two ? i + 1 : i;
      const xa0 = x + <usize>i * rb, xa1 = x + <usize>i1 * rb;
      const n0 = load<f64>(nrm + (<usize>i << 3)), n1 = load<f64>(nrm + (<usize>i1 << 3));
      const hd0 = hd + <usize>(i - r0) * hsd, hi0 = hi + <usize>(i - r0) * hsi;
      const hd1 = hd0 + hsd, hi1 = hi0 + hsi;
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
        offerF64(hd0, hi0, kk, n0 + m0 - 2 * hs2(c00), j, i);
        offerF64(hd0, hi0, kk, n0 + m1 - 2 * hs2(c01), j + 1, i);
        offerF64(hd0, hi0, kk, n0 + m2 - 2 * hs2(c02), j + 2, i);
        offerF64(hd0, hi0, kk, n0 + m3 - 2 * hs2(c03), j + 3, i);
        if (two) {
          offerF64(hd1, hi1, kk, n1 + m0 - 2 * hs2(c10), j, i1);
          offerF64(hd1, hi1, kk, n1 + m1 - 2 * hs2(c11), j + 1, i1);
          offerF64(hd1, hi1, kk, n1 + m2 - 2 * hs2(c12), j + 2, i1);
          offerF64(hd1, hi1, kk, n1 + m3 - 2 * hs2(c13), j + 3, i1);
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
        offerF64(hd0, hi0, kk, n0 + m - 2 * hs2(c0), j, i);
        if (two) offerF64(hd1, hi1, kk, n1 + m - 2 * hs2(c1), j, i1);
      }
    }
  }
}

// Direct-difference kernels for manhattan (sum |x - y|) and chebyshev (max |x - y|): no norms
// (the nrm argument is unused), the raw (uncentred) values; same heaps and layout as above.
@inline function hm4(c: v128): f32 {
  return max(max(f32x4.extract_lane(c, 0), f32x4.extract_lane(c, 1)), max(f32x4.extract_lane(c, 2), f32x4.extract_lane(c, 3)));
}
@inline function hm2(c: v128): f64 {
  return max(f64x2.extract_lane(c, 0), f64x2.extract_lane(c, 1));
}

export function knn_l1_f32(x: usize, nrm: usize, N: i32, Dp: i32, r0: i32, r1: i32, kk: i32,
  hd: usize, hi: usize, BJ: i32): void {
  const rb: usize = <usize>Dp << 2;
  const hsd: usize = <usize>kk << 2;
  const hsi: usize = <usize>kk << 2;
  for (let jb: i32 = 0; jb < N; jb += BJ) {
    const je: i32 = min(N, jb + BJ);
    const je4: i32 = jb + ((je - jb) & ~3);
    for (let i: i32 = r0; i < r1; i += 2) {
      const two = i + 1 < r1;
      const i1: i32 = two ? i + 1 : i;
      const xa0 = x + <usize>i * rb, xa1 = x + <usize>i1 * rb;
      const hd0 = hd + <usize>(i - r0) * hsd, hi0 = hi + <usize>(i - r0) * hsi;
      const hd1 = hd0 + hsd, hi1 = hi0 + hsi;
      for (let j: i32 = jb; j < je4; j += 4) {
        const y0p = x + <usize>j * rb, y1p = y0p + rb, y2p = y1p + rb, y3p = y2p + rb;
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
        let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const x0 = v128.load(xa0 + d), x1 = v128.load(xa1 + d);
          const y0 = v128.load(y0p + d), y1 = v128.load(y1p + d), y2 = v128.load(y2p + d), y3 = v128.load(y3p + d);
          c00 = f32x4.add(c00, f32x4.abs(f32x4.sub(x0, y0))); c01 = f32x4.add(c01, f32x4.abs(f32x4.sub(x0, y1)));
          c02 = f32x4.add(c02, f32x4.abs(f32x4.sub(x0, y2))); c03 = f32x4.add(c03, f32x4.abs(f32x4.sub(x0, y3)));
          c10 = f32x4.add(c10, f32x4.abs(f32x4.sub(x1, y0))); c11 = f32x4.add(c11, f32x4.abs(f32x4.sub(x1, y1)));
          c12 = f32x4.add(c12, f32x4.abs(f32x4.sub(x1, y2))); c13 = f32x4.add(c13, f32x4.abs(f32x4.sub(x1, y3)));
        }
        offerF32(hd0, hi0, kk, hs4(c00), j, i);
        offerF32(hd0, hi0, kk, hs4(c01), j + 1, i);
        offerF32(hd0, hi0, kk, hs4(c02), j + 2, i);
        offerF32(hd0, hi0, kk, hs4(c03), j + 3, i);
        if (two) {
          offerF32(hd1, hi1, kk, hs4(c10), j, i1);
          offerF32(hd1, hi1, kk, hs4(c11), j + 1, i1);
          offerF32(hd1, hi1, kk, hs4(c12), j + 2, i1);
          offerF32(hd1, hi1, kk, hs4(c13), j + 3, i1);
        }
      }
      for (let j: i32 = je4; j < je; j++) {
        const yp = x + <usize>j * rb;
        let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const y = v128.load(yp + d);
          c0 = f32x4.add(c0, f32x4.abs(f32x4.sub(v128.load(xa0 + d), y)));
          c1 = f32x4.add(c1, f32x4.abs(f32x4.sub(v128.load(xa1 + d), y)));
        }
        offerF32(hd0, hi0, kk, hs4(c0), j, i);
        if (two) offerF32(hd1, hi1, kk, hs4(c1), j, i1);
      }
    }
  }
}

export function knn_linf_f32(x: usize, nrm: usize, N: i32, Dp: i32, r0: i32, r1: i32, kk: i32,
  hd: usize, hi: usize, BJ: i32): void {
  const rb: usize = <usize>Dp << 2;
  const hsd: usize = <usize>kk << 2;
  const hsi: usize = <usize>kk << 2;
  for (let jb: i32 = 0; jb < N; jb += BJ) {
    const je: i32 = min(N, jb + BJ);
    const je4: i32 = jb + ((je - jb) & ~3);
    for (let i: i32 = r0; i < r1; i += 2) {
      const two = i + 1 < r1;
      const i1: i32 = two ? i + 1 : i;
      const xa0 = x + <usize>i * rb, xa1 = x + <usize>i1 * rb;
      const hd0 = hd + <usize>(i - r0) * hsd, hi0 = hi + <usize>(i - r0) * hsi;
      const hd1 = hd0 + hsd, hi1 = hi0 + hsi;
      for (let j: i32 = jb; j < je4; j += 4) {
        const y0p = x + <usize>j * rb, y1p = y0p + rb, y2p = y1p + rb, y3p = y2p + rb;
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
        let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const x0 = v128.load(xa0 + d), x1 = v128.load(xa1 + d);
          const y0 = v128.load(y0p + d), y1 = v128.load(y1p + d), y2 = v128.load(y2p + d), y3 = v128.load(y3p + d);
          c00 = f32x4.max(c00, f32x4.abs(f32x4.sub(x0, y0))); c01 = f32x4.max(c01, f32x4.abs(f32x4.sub(x0, y1)));
          c02 = f32x4.max(c02, f32x4.abs(f32x4.sub(x0, y2))); c03 = f32x4.max(c03, f32x4.abs(f32x4.sub(x0, y3)));
          c10 = f32x4.max(c10, f32x4.abs(f32x4.sub(x1, y0))); c11 = f32x4.max(c11, f32x4.abs(f32x4.sub(x1, y1)));
          c12 = f32x4.max(c12, f32x4.abs(f32x4.sub(x1, y2))); c13 = f32x4.max(c13, f32x4.abs(f32x4.sub(x1, y3)));
        }
        offerF32(hd0, hi0, kk, hm4(c00), j, i);
        offerF32(hd0, hi0, kk, hm4(c01), j + 1, i);
        offerF32(hd0, hi0, kk, hm4(c02), j + 2, i);
        offerF32(hd0, hi0, kk, hm4(c03), j + 3, i);
        if (two) {
          offerF32(hd1, hi1, kk, hm4(c10), j, i1);
          offerF32(hd1, hi1, kk, hm4(c11), j + 1, i1);
          offerF32(hd1, hi1, kk, hm4(c12), j + 2, i1);
          offerF32(hd1, hi1, kk, hm4(c13), j + 3, i1);
        }
      }
      for (let j: i32 = je4; j < je; j++) {
        const yp = x + <usize>j * rb;
        let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const y = v128.load(yp + d);
          c0 = f32x4.max(c0, f32x4.abs(f32x4.sub(v128.load(xa0 + d), y)));
          c1 = f32x4.max(c1, f32x4.abs(f32x4.sub(v128.load(xa1 + d), y)));
        }
        offerF32(hd0, hi0, kk, hm4(c0), j, i);
        if (two) offerF32(hd1, hi1, kk, hm4(c1), j, i1);
      }
    }
  }
}

export function knn_l1_f64(x: usize, nrm: usize, N: i32, Dp: i32, r0: i32, r1: i32, kk: i32,
  hd: usize, hi: usize, BJ: i32): void {
  const rb: usize = <usize>Dp << 3;
  const hsd: usize = <usize>kk << 3;
  const hsi: usize = <usize>kk << 2;
  for (let jb: i32 = 0; jb < N; jb += BJ) {
    const je: i32 = min(N, jb + BJ);
    const je4: i32 = jb + ((je - jb) & ~3);
    for (let i: i32 = r0; i < r1; i += 2) {
      const two = i + 1 < r1;
      const i1: i32 = two ? i + 1 : i;
      const xa0 = x + <usize>i * rb, xa1 = x + <usize>i1 * rb;
      const hd0 = hd + <usize>(i - r0) * hsd, hi0 = hi + <usize>(i - r0) * hsi;
      const hd1 = hd0 + hsd, hi1 = hi0 + hsi;
      for (let j: i32 = jb; j < je4; j += 4) {
        const y0p = x + <usize>j * rb, y1p = y0p + rb, y2p = y1p + rb, y3p = y2p + rb;
        let c00 = f64x2.splat(0), c01 = f64x2.splat(0), c02 = f64x2.splat(0), c03 = f64x2.splat(0);
        let c10 = f64x2.splat(0), c11 = f64x2.splat(0), c12 = f64x2.splat(0), c13 = f64x2.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const x0 = v128.load(xa0 + d), x1 = v128.load(xa1 + d);
          const y0 = v128.load(y0p + d), y1 = v128.load(y1p + d), y2 = v128.load(y2p + d), y3 = v128.load(y3p + d);
          c00 = f64x2.add(c00, f64x2.abs(f64x2.sub(x0, y0))); c01 = f64x2.add(c01, f64x2.abs(f64x2.sub(x0, y1)));
          c02 = f64x2.add(c02, f64x2.abs(f64x2.sub(x0, y2))); c03 = f64x2.add(c03, f64x2.abs(f64x2.sub(x0, y3)));
          c10 = f64x2.add(c10, f64x2.abs(f64x2.sub(x1, y0))); c11 = f64x2.add(c11, f64x2.abs(f64x2.sub(x1, y1)));
          c12 = f64x2.add(c12, f64x2.abs(f64x2.sub(x1, y2))); c13 = f64x2.add(c13, f64x2.abs(f64x2.sub(x1, y3)));
        }
        offerF64(hd0, hi0, kk, hs2(c00), j, i);
        offerF64(hd0, hi0, kk, hs2(c01), j + 1, i);
        offerF64(hd0, hi0, kk, hs2(c02), j + 2, i);
        offerF64(hd0, hi0, kk, hs2(c03), j + 3, i);
        if (two) {
          offerF64(hd1, hi1, kk, hs2(c10), j, i1);
          offerF64(hd1, hi1, kk, hs2(c11), j + 1, i1);
          offerF64(hd1, hi1, kk, hs2(c12), j + 2, i1);
          offerF64(hd1, hi1, kk, hs2(c13), j + 3, i1);
        }
      }
      for (let j: i32 = je4; j < je; j++) {
        const yp = x + <usize>j * rb;
        let c0 = f64x2.splat(0), c1 = f64x2.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const y = v128.load(yp + d);
          c0 = f64x2.add(c0, f64x2.abs(f64x2.sub(v128.load(xa0 + d), y)));
          c1 = f64x2.add(c1, f64x2.abs(f64x2.sub(v128.load(xa1 + d), y)));
        }
        offerF64(hd0, hi0, kk, hs2(c0), j, i);
        if (two) offerF64(hd1, hi1, kk, hs2(c1), j, i1);
      }
    }
  }
}

export function knn_linf_f64(x: usize, nrm: usize, N: i32, Dp: i32, r0: i32, r1: i32, kk: i32,
  hd: usize, hi: usize, BJ: i32): void {
  const rb: usize = <usize>Dp << 3;
  const hsd: usize = <usize>kk << 3;
  const hsi: usize = <usize>kk << 2;
  for (let jb: i32 = 0; jb < N; jb += BJ) {
    const je: i32 = min(N, jb + BJ);
    const je4: i32 = jb + ((je - jb) & ~3);
    for (let i: i32 = r0; i < r1; i += 2) {
      const two = i + 1 < r1;
      const i1: i32 = two ? i + 1 : i;
      const xa0 = x + <usize>i * rb, xa1 = x + <usize>i1 * rb;
      const hd0 = hd + <usize>(i - r0) * hsd, hi0 = hi + <usize>(i - r0) * hsi;
      const hd1 = hd0 + hsd, hi1 = hi0 + hsi;
      for (let j: i32 = jb; j < je4; j += 4) {
        const y0p = x + <usize>j * rb, y1p = y0p + rb, y2p = y1p + rb, y3p = y2p + rb;
        let c00 = f64x2.splat(0), c01 = f64x2.splat(0), c02 = f64x2.splat(0), c03 = f64x2.splat(0);
        let c10 = f64x2.splat(0), c11 = f64x2.splat(0), c12 = f64x2.splat(0), c13 = f64x2.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const x0 = v128.load(xa0 + d), x1 = v128.load(xa1 + d);
          const y0 = v128.load(y0p + d), y1 = v128.load(y1p + d), y2 = v128.load(y2p + d), y3 = v128.load(y3p + d);
          c00 = f64x2.max(c00, f64x2.abs(f64x2.sub(x0, y0))); c01 = f64x2.max(c01, f64x2.abs(f64x2.sub(x0, y1)));
          c02 = f64x2.max(c02, f64x2.abs(f64x2.sub(x0, y2))); c03 = f64x2.max(c03, f64x2.abs(f64x2.sub(x0, y3)));
          c10 = f64x2.max(c10, f64x2.abs(f64x2.sub(x1, y0))); c11 = f64x2.max(c11, f64x2.abs(f64x2.sub(x1, y1)));
          c12 = f64x2.max(c12, f64x2.abs(f64x2.sub(x1, y2))); c13 = f64x2.max(c13, f64x2.abs(f64x2.sub(x1, y3)));
        }
        offerF64(hd0, hi0, kk, hm2(c00), j, i);
        offerF64(hd0, hi0, kk, hm2(c01), j + 1, i);
        offerF64(hd0, hi0, kk, hm2(c02), j + 2, i);
        offerF64(hd0, hi0, kk, hm2(c03), j + 3, i);
        if (two) {
          offerF64(hd1, hi1, kk, hm2(c10), j, i1);
          offerF64(hd1, hi1, kk, hm2(c11), j + 1, i1);
          offerF64(hd1, hi1, kk, hm2(c12), j + 2, i1);
          offerF64(hd1, hi1, kk, hm2(c13), j + 3, i1);
        }
      }
      for (let j: i32 = je4; j < je; j++) {
        const yp = x + <usize>j * rb;
        let c0 = f64x2.splat(0), c1 = f64x2.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const y = v128.load(yp + d);
          c0 = f64x2.max(c0, f64x2.abs(f64x2.sub(v128.load(xa0 + d), y)));
          c1 = f64x2.max(c1, f64x2.abs(f64x2.sub(v128.load(xa1 + d), y)));
        }
        offerF64(hd0, hi0, kk, hm2(c0), j, i);
        if (two) offerF64(hd1, hi1, kk, hm2(c1), j, i1);
      }
    }
  }
}

// Symmetric tiles (self queries, euclidean and cosine): rows [i0, i1) against rows [j0, j1) with
// the heaps of ALL rows resident (heap of row r at hd + r * kk * size). With sym = 1 (disjoint
// blocks) each value also goes into the heap of row j, so every pair is computed once; with
// sym = 0 (a diagonal tile) only the heaps of rows i are fed, self skipped. The caller schedules
// tiles so that no two concurrent calls touch the same rows.


/** The horizontal sums of four f32x4 vectors, as one vector (lane t = sum of the lanes of c_t). */
@inline function hsum4x(c0: v128, c1: v128, c2: v128, c3: v128): v128 {
  const a = f32x4.add(i32x4.shuffle(c0, c1, 0, 4, 1, 5), i32x4.shuffle(c0, c1, 2, 6, 3, 7));
  const b = f32x4.add(i32x4.shuffle(c2, c3, 0, 4, 1, 5), i32x4.shuffle(c2, c3, 2, 6, 3, 7));
  return f32x4.add(i32x4.shuffle(a, b, 0, 1, 4, 5), i32x4.shuffle(a, b, 2, 3, 6, 7));
}
/** The roots (current k'-th values) of four consecutive f32 heaps. */
@inline function roots4(h: usize, hs: usize): v128 {
  let r = f32x4.splat(load<f32>(h));
  r = f32x4.replace_lane(r, 1, load<f32>(h + hs));
  r = f32x4.replace_lane(r, 2, load<f32>(h + 2 * hs));
  return f32x4.replace_lane(r, 3, load<f32>(h + 3 * hs));
}

export function tile_f32(x: usize, nrm: usize, Dp: i32, i0: i32, i1: i32, j0: i32, j1: i32, kk: i32,
  hd: usize, hi: usize, BJ: i32, sym: i32): void {
  // float32 variant with vector epilogue: the 4 sums of a row in one transpose-add, the 4 values
  // compared with the heap roots at once, and the scalar heap code only when one may enter
  const rb: usize = <usize>Dp << 2;
  const hs: usize = <usize>kk << 2;
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
      const hd0 = hd + <usize>i * hs, hi0 = hi + <usize>i * hs;
      const hd1 = hd0 + hs, hi1 = hi0 + hs;
      for (let j: i32 = jb; j < je4; j += 4) {
        const y0p = x + <usize>j * rb, y1p = y0p + rb, y2p = y1p + rb, y3p = y2p + rb;
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
        let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const x0 = v128.load(xa0 + d), x1 = v128.load(xa1 + d);
          const y0 = v128.load(y0p + d), y1 = v128.load(y1p + d), y2 = v128.load(y2p + d), y3 = v128.load(y3p + d);
          c00 = f32x4.add(c00, f32x4.mul(x0, y0)); c01 = f32x4.add(c01, f32x4.mul(x0, y1));
          c02 = f32x4.add(c02, f32x4.mul(x0, y2)); c03 = f32x4.add(c03, f32x4.mul(x0, y3));
          c10 = f32x4.add(c10, f32x4.mul(x1, y0)); c11 = f32x4.add(c11, f32x4.mul(x1, y1));
          c12 = f32x4.add(c12, f32x4.mul(x1, y2)); c13 = f32x4.add(c13, f32x4.mul(x1, y3));
        }
        const mv = v128.load(nrm + (<usize>j << 2));
        const dv0 = f32x4.sub(f32x4.add(nv0, mv), f32x4.mul(two2, hsum4x(c00, c01, c02, c03)));
        const hj = hd + <usize>j * hs, ij = hi + <usize>j * hs;
        if (v128.any_true(f32x4.lt(dv0, f32x4.splat(load<f32>(hd0))))) {
          offerF32(hd0, hi0, kk, f32x4.extract_lane(dv0, 0), j, i);
          offerF32(hd0, hi0, kk, f32x4.extract_lane(dv0, 1), j + 1, i);
          offerF32(hd0, hi0, kk, f32x4.extract_lane(dv0, 2), j + 2, i);
          offerF32(hd0, hi0, kk, f32x4.extract_lane(dv0, 3), j + 3, i);
        }
        if (sym && v128.any_true(f32x4.lt(dv0, roots4(hj, hs)))) {
          offerF32(hj, ij, kk, f32x4.extract_lane(dv0, 0), i, j);
          offerF32(hj + hs, ij + hs, kk, f32x4.extract_lane(dv0, 1), i, j + 1);
          offerF32(hj + 2 * hs, ij + 2 * hs, kk, f32x4.extract_lane(dv0, 2), i, j + 2);
          offerF32(hj + 3 * hs, ij + 3 * hs, kk, f32x4.extract_lane(dv0, 3), i, j + 3);
        }
        if (two) {
          const dv1 = f32x4.sub(f32x4.add(nv1, mv), f32x4.mul(two2, hsum4x(c10, c11, c12, c13)));
          if (v128.any_true(f32x4.lt(dv1, f32x4.splat(load<f32>(hd1))))) {
            offerF32(hd1, hi1, kk, f32x4.extract_lane(dv1, 0), j, ib);
            offerF32(hd1, hi1, kk, f32x4.extract_lane(dv1, 1), j + 1, ib);
            offerF32(hd1, hi1, kk, f32x4.extract_lane(dv1, 2), j + 2, ib);
            offerF32(hd1, hi1, kk, f32x4.extract_lane(dv1, 3), j + 3, ib);
          }
          if (sym && v128.any_true(f32x4.lt(dv1, roots4(hj, hs)))) {
            offerF32(hj, ij, kk, f32x4.extract_lane(dv1, 0), ib, j);
            offerF32(hj + hs, ij + hs, kk, f32x4.extract_lane(dv1, 1), ib, j + 1);
            offerF32(hj + 2 * hs, ij + 2 * hs, kk, f32x4.extract_lane(dv1, 2), ib, j + 2);
            offerF32(hj + 3 * hs, ij + 3 * hs, kk, f32x4.extract_lane(dv1, 3), ib, j + 3);
          }
        }
      }
      for (let j: i32 = je4; j < je; j++) {
        const yp = x + <usize>j * rb;
        let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
        for (let d: usize = 0; d < rb; d += 16) {
          const y = v128.load(yp + d);
          c0 = f32x4.add(c0, f32x4.mul(v128.load(xa0 + d), y));
          c1 = f32x4.add(c1, f32x4.mul(v128.load(xa1 + d), y));
        }
        const m = load<f32>(nrm + (<usize>j << 2));
        const e0: f32 = n0 + m - 2 * hs4(c0);
        const hj = hd + <usize>j * hs, ij = hi + <usize>j * hs;
        offerF32(hd0, hi0, kk, e0, j, i);
        if (sym) offerF32(hj, ij, kk, e0, i, j);
        if (two) {
          const e1: f32 = n1 + m - 2 * hs4(c1);
          offerF32(hd1, hi1, kk, e1, j, ib);
          if (sym) offerF32(hj, ij, kk, e1, ib, j);
        }
      }
    }
  }
}

export function tile_f64(x: usize, nrm: usize, Dp: i32, i0: i32, i1: i32, j0: i32, j1: i32, kk: i32,
  hd: usize, hi: usize, BJ: i32, sym: i32): void {
  const rb: usize = <usize>Dp << 3;
  const hsd: usize = <usize>kk << 3;
  const hsi: usize = <usize>kk << 2;
  for (let jb: i32 = j0; jb < j1; jb += BJ) {
    const je: i32 = min(j1, jb + BJ);
    const je4: i32 = jb + ((je - jb) & ~3);
    for (let i: i32 = i0; i < i1; i += 2) {
      const two = i + 1 < i1;
      const ib: i32 = two ? i + 1 : i;
      const xa0 = x + <usize>i * rb, xa1 = x + <usize>ib * rb;
      const n0 = load<f64>(nrm + (<usize>i << 3)), n1 = load<f64>(nrm + (<usize>ib << 3));
      const hd0 = hd + <usize>i * hsd, hi0 = hi + <usize>i * hsi;
      const hd1 = hd0 + hsd, hi1 = hi0 + hsi;
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
        offerF64(hd0, hi0, kk, d00, j, i);
        offerF64(hd0, hi0, kk, d01, j + 1, i);
        offerF64(hd0, hi0, kk, d02, j + 2, i);
        offerF64(hd0, hi0, kk, d03, j + 3, i);
        if (sym) {
          const hj = hd + <usize>j * hsd, ij = hi + <usize>j * hsi;
          offerF64(hj, ij, kk, d00, i, j);
          offerF64(hj + hsd, ij + hsi, kk, d01, i, j + 1);
          offerF64(hj + 2 * hsd, ij + 2 * hsi, kk, d02, i, j + 2);
          offerF64(hj + 3 * hsd, ij + 3 * hsi, kk, d03, i, j + 3);
        }
        if (two) {
          const d10: f64 = n1 + m0 - 2 * hs2(c10), d11: f64 = n1 + m1 - 2 * hs2(c11), d12: f64 = n1 + m2 - 2 * hs2(c12), d13: f64 = n1 + m3 - 2 * hs2(c13);
          offerF64(hd1, hi1, kk, d10, j, ib);
          offerF64(hd1, hi1, kk, d11, j + 1, ib);
          offerF64(hd1, hi1, kk, d12, j + 2, ib);
          offerF64(hd1, hi1, kk, d13, j + 3, ib);
          if (sym) {
            const hj = hd + <usize>j * hsd, ij = hi + <usize>j * hsi;
            offerF64(hj, ij, kk, d10, ib, j);
            offerF64(hj + hsd, ij + hsi, kk, d11, ib, j + 1);
            offerF64(hj + 2 * hsd, ij + 2 * hsi, kk, d12, ib, j + 2);
            offerF64(hj + 3 * hsd, ij + 3 * hsi, kk, d13, ib, j + 3);
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
        const hj = hd + <usize>j * hsd, ij = hi + <usize>j * hsi;
        offerF64(hd0, hi0, kk, e0, j, i);
        if (sym) offerF64(hj, ij, kk, e0, i, j);
        if (two) {
          const e1: f64 = n1 + m - 2 * hs2(c1);
          offerF64(hd1, hi1, kk, e1, j, ib);
          if (sym) offerF64(hj, ij, kk, e1, ib, j);
        }
      }
    }
  }
}
