/*
 * The optional native accelerator of the neighbour engine: the symmetric tile kernel of
 * asm/knn.ts (tile_f32) with 256-bit AVX2 fused multiply-add (512-bit where the CPU has AVX-512),
 * for x86-64 CPUs that have them.
 * scripts/build-native.mjs compiles it at `npm ci` / `npm run build` only where a C compiler and
 * Node's headers exist; without it (or with DADALAB_NATIVE=0) the WebAssembly kernel runs. Nothing
 * depends on it: it only computes stage 1 (float32 candidate values and their threshold buffers,
 * the same layout and rules as the WebAssembly kernel), which lib/neighbors/wasm.ts re-ranks
 * exactly and certifies; its rounding error (4 chunks of at most Dp / 4 fused steps in the tiles;
 * 8 lanes of Dp / 8 fused steps and a horizontal sum of 8 in the strip values; then the norms)
 * stays below the bound E of the WebAssembly kernel (4 lanes of Dp / 4 steps), so the certified
 * tables are the exact ones, bit for bit, whichever kernel ran.
 *
 * It also computes, where the CPU allows, the strip values of the symmetric ranks path (vals_f32,
 * the same values and bound) and the exact float64 distances of float32 candidates (exact_l2):
 * those are bit for bit asm/knn.ts sq8_f32 (the same eight float64 partial sums, multiply then
 * add, never fused: this file is compiled with -ffp-contract=off and says so below).
 *
 * And the kd-tree's self rows (kd_rows, at the end of the file): lib/neighbors/kdrows.ts kdRows
 * in C, the same bytes (scalar code; the x86-64 baseline is enough, but it loads with the rest).
 *
 * And the strips' row select (symsel_f32): the same steps as asm/knn.ts in the same order, the same
 * assembled rows byte for byte.
 *
 * The candidate buffers (the tiles', and the strips' rows when they fit the buffer) are selected
 * by branch-free partitions (partitionSelect), not select_f32's quickselect: the same thresholds
 * and kept values, maybe other indices among values equal to the threshold, which is all the
 * exact stage relies on (test/neighbors/native.test.ts compares both kernels with the WebAssembly ones).
 *
 * It works on the WebAssembly memory itself (a Uint8Array over its SharedArrayBuffer, passed
 * from the worker thread): offsets are the kernel's byte offsets.
 */
#include <node_api.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <immintrin.h>
#include <sys/mman.h>
#include <unistd.h>

#pragma GCC optimize("fp-contract=off")
#define TARGET __attribute__((target("avx2,fma")))

/* Quickselect: the kp smallest of the n candidates into slots 0..kp-1; returns the largest of them (asm select_f32). */
static float select_f32(float *hd, int32_t *hi, int n, int kp) {
  int l = 0, r = n - 1;
  const int k = kp - 1;
  while (r > l) {
    const float pv = hd[(l + r) >> 1];
    int i = l, j = r;
    while (i <= j) {
      while (hd[i] < pv) i++;
      while (pv < hd[j]) j--;
      if (i <= j) {
        float va = hd[i]; hd[i] = hd[j]; hd[j] = va;
        int32_t xa = hi[i]; hi[i] = hi[j]; hi[j] = xa;
        i++; j--;
      }
    }
    if (k <= j) r = j;
    else if (k >= i) l = i;
    else break;
  }
  float m = hd[0];
  for (int t = 1; t < kp; t++) if (hd[t] > m) m = hd[t];
  return m;
}

/* Left-packing permutations: for each 8-bit mask, the lanes set, in order, then zeros. */
static int32_t packIdx[256][8];
static void initPackIdx(void) {
  for (int m = 0; m < 256; m++) {
    int p = 0;
    for (int b = 0; b < 8; b++) if (m & (1 << b)) packIdx[m][p++] = b;
    while (p < 8) packIdx[m][p++] = 0;
  }
}

/*
 * One step of partitionSelect: the candidates [l, r) with values below p (tie = 0) or at most p
 * (tie = 1) moved to the front of the range, the others after them, each group in index order
 * (AVX2 left-packing: the front group through the scratch sv/si, the back one in place, whose
 * stores never pass the vector just read). Returns the size of the front group.
 */
TARGET static int splitBelow(float *hd, int32_t *hi, int l, int r, float p, int tie, float *sv, int32_t *si) {
  const __m256 P = _mm256_set1_ps(p);
  int nf = 0, nb = 0, j = l;
  for (; j + 8 <= r; j += 8) {
    const __m256 x = _mm256_loadu_ps(hd + j);
    const __m256i xi = _mm256_loadu_si256((const __m256i *)(hi + j));
    const int mf = _mm256_movemask_ps(tie ? _mm256_cmp_ps(x, P, _CMP_LE_OQ) : _mm256_cmp_ps(x, P, _CMP_LT_OQ));
    const __m256i pf = _mm256_loadu_si256((const __m256i *)packIdx[mf]);
    const __m256i pb = _mm256_loadu_si256((const __m256i *)packIdx[~mf & 255]);
    _mm256_storeu_ps(sv + nf, _mm256_permutevar8x32_ps(x, pf));
    _mm256_storeu_si256((__m256i *)(si + nf), _mm256_permutevar8x32_epi32(xi, pf));
    _mm256_storeu_ps(hd + l + nb, _mm256_permutevar8x32_ps(x, pb));
    _mm256_storeu_si256((__m256i *)(hi + l + nb), _mm256_permutevar8x32_epi32(xi, pb));
    const int c = __builtin_popcount(mf);
    nf += c;
    nb += 8 - c;
  }
  for (; j < r; j++) {
    const float x = hd[j];
    const int32_t xi = hi[j];
    if (tie ? x <= p : x < p) { sv[nf] = x; si[nf] = xi; nf++; }
    else { hd[l + nb] = x; hi[l + nb] = xi; nb++; }
  }
  memmove(hd + l + nf, hd + l, (size_t)nb * 4);
  memmove(hi + l + nf, hi + l, (size_t)nb * 4);
  memcpy(hd + l, sv, (size_t)nf * 4);
  memcpy(hi + l, si, (size_t)nf * 4);
  return nf;
}

/*
 * select_f32's contract (the kp smallest of n candidates in slots 0..kp-1, returns the largest of
 * them), for the tiles' candidate buffers: three-way partitions without data-dependent branches
 * (splitBelow) until 32 candidates are left around rank kp, then select_f32 on those. Quickselect's
 * comparisons mispredict about half the time: select_f32 took 40% of a 20000 x 50 table's time
 * (perf). Which of equal values stay may differ from select_f32; every candidate dropped is >= the
 * returned threshold either way, which is all the exact stage relies on (the tiles' stage-1 values
 * differ from the WebAssembly kernel's anyway; the certified tables are the same).
 * sv, si: scratch of n values and indices.
 */
TARGET static float partitionSelect(float *hd, int32_t *hi, int n, int kp, float *sv, int32_t *si) {
  const int k = kp - 1;
  int l = 0, r = n;
  while (r - l > 32) {
    /* the pivot: the median of three, at the low end, the middle and the high end of the range */
    const float a = hd[l], b = hd[(l + r) >> 1], c = hd[r - 1];
    const float p = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
    const int m = l + splitBelow(hd, hi, l, r, p, 0, sv, si);
    if (k < m) { r = m; continue; }
    if (m > l) { l = m; continue; }
    /* p is the range's smallest value: the values equal to it first, then the rest (progress with ties) */
    const int e = m + splitBelow(hd, hi, m, r, p, 1, sv, si);
    if (e == m) break; /* a NaN pivot (the strips' rows may hold NaN values): select_f32 on the range */
    if (k < e) { l = r = e; break; } /* the kp-th smallest value is p: slots 0..kp-1 hold the kp smallest */
    l = e;
  }
  if (r > l) select_f32(hd + l, hi + l, r - l, k - l + 1);
  float mx = hd[0];
  for (int t = 1; t < kp; t++) mx = hd[t] > mx ? hd[t] : mx;
  return mx;
}

/* Offers candidate (d, j) to the row with buffer (hd, hi) and header hh (asm offer_f32); sv, si: scratch of C + 8 for the select (NULL: select_f32). */
TARGET static inline void offer(uint8_t *mem, uint32_t hd, uint32_t hi, uint32_t hh, int C, int kp, float d, int32_t j, int32_t self, float *sv, int32_t *si) {
  float *T = (float *)(mem + hh);
  if (d < *T && j != self) {
    int32_t *np = (int32_t *)(mem + hh + 8);
    int n = *np;
    ((float *)(mem + hd))[n] = d;
    ((int32_t *)(mem + hi))[n] = j;
    n++;
    if (n == C) {
      *T = sv ? partitionSelect((float *)(mem + hd), (int32_t *)(mem + hi), n, kp, sv, si)
              : select_f32((float *)(mem + hd), (int32_t *)(mem + hi), n, kp);
      n = kp;
    }
    *np = n;
  }
}

TARGET static inline float hsum8(__m256 v) {
  __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
  __m128 s = _mm_add_ps(lo, hi);
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

/* 2 x 4 dot products of rows a0, a1 with b0..b3 over Dp floats (Dp a multiple of 4). */
TARGET static inline void dots2x4(const float *a0, const float *a1, const float *b0, const float *b1, const float *b2, const float *b3,
  int Dp, float *out) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c02 = _mm256_setzero_ps(), c03 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps(), c12 = _mm256_setzero_ps(), c13 = _mm256_setzero_ps();
  int d = 0;
  for (; d + 8 <= Dp; d += 8) {
    const __m256 x0 = _mm256_loadu_ps(a0 + d), x1 = _mm256_loadu_ps(a1 + d);
    __m256 y = _mm256_loadu_ps(b0 + d);
    c00 = _mm256_fmadd_ps(x0, y, c00); c10 = _mm256_fmadd_ps(x1, y, c10);
    y = _mm256_loadu_ps(b1 + d);
    c01 = _mm256_fmadd_ps(x0, y, c01); c11 = _mm256_fmadd_ps(x1, y, c11);
    y = _mm256_loadu_ps(b2 + d);
    c02 = _mm256_fmadd_ps(x0, y, c02); c12 = _mm256_fmadd_ps(x1, y, c12);
    y = _mm256_loadu_ps(b3 + d);
    c03 = _mm256_fmadd_ps(x0, y, c03); c13 = _mm256_fmadd_ps(x1, y, c13);
  }
  float t[8] = { hsum8(c00), hsum8(c01), hsum8(c02), hsum8(c03), hsum8(c10), hsum8(c11), hsum8(c12), hsum8(c13) };
  for (; d < Dp; d++) {
    t[0] += a0[d] * b0[d]; t[1] += a0[d] * b1[d]; t[2] += a0[d] * b2[d]; t[3] += a0[d] * b3[d];
    t[4] += a1[d] * b0[d]; t[5] += a1[d] * b1[d]; t[6] += a1[d] * b2[d]; t[7] += a1[d] * b3[d];
  }
  memcpy(out, t, sizeof t);
}

TARGET static inline float dot1(const float *a, const float *b, int Dp) {
  __m256 c = _mm256_setzero_ps();
  int d = 0;
  for (; d + 8 <= Dp; d += 8) c = _mm256_fmadd_ps(_mm256_loadu_ps(a + d), _mm256_loadu_ps(b + d), c);
  float s = hsum8(c);
  for (; d < Dp; d++) s += a[d] * b[d];
  return s;
}

/* Threshold of the buffer of row r (the first float of its 16-byte header). */
#define THRESH(mem, hh, r) (((float *)((mem) + (hh)))[(size_t)(r) * 4])

/* Columns [jb, jb + nj) of X packed column-major into P (W wide, zero padding) and their norms
 * into NP: 8 x 8 blocks transposed in registers (a float at a time, the stores 1 KiB apart took
 * 17% of the strips' values at 5000 x 50), the edges one by one. */
TARGET static void packColumns(const float *X, const float *Nr, int Dp, int jb, int nj, int W, float *P, float *NP) {
  const int nj8 = nj & ~7, Dp8 = Dp & ~7;
  for (int j = 0; j < nj8; j += 8) {
    const float *src = X + (size_t)(jb + j) * Dp;
    for (int d = 0; d < Dp8; d += 8) {
      __m256 r[8], u[8];
      for (int t = 0; t < 8; t++) r[t] = _mm256_loadu_ps(src + (size_t)t * Dp + d);
      u[0] = _mm256_unpacklo_ps(r[0], r[1]); u[1] = _mm256_unpackhi_ps(r[0], r[1]);
      u[2] = _mm256_unpacklo_ps(r[2], r[3]); u[3] = _mm256_unpackhi_ps(r[2], r[3]);
      u[4] = _mm256_unpacklo_ps(r[4], r[5]); u[5] = _mm256_unpackhi_ps(r[4], r[5]);
      u[6] = _mm256_unpacklo_ps(r[6], r[7]); u[7] = _mm256_unpackhi_ps(r[6], r[7]);
      r[0] = _mm256_shuffle_ps(u[0], u[2], 0x44); r[1] = _mm256_shuffle_ps(u[0], u[2], 0xEE);
      r[2] = _mm256_shuffle_ps(u[1], u[3], 0x44); r[3] = _mm256_shuffle_ps(u[1], u[3], 0xEE);
      r[4] = _mm256_shuffle_ps(u[4], u[6], 0x44); r[5] = _mm256_shuffle_ps(u[4], u[6], 0xEE);
      r[6] = _mm256_shuffle_ps(u[5], u[7], 0x44); r[7] = _mm256_shuffle_ps(u[5], u[7], 0xEE);
      /* r[t]: dimension d + t of columns j..j+3 (low half) and j+4..j+7 (high half) in pairs: */
      const __m256 c0 = _mm256_permute2f128_ps(r[0], r[4], 0x20), c1 = _mm256_permute2f128_ps(r[1], r[5], 0x20);
      const __m256 c2 = _mm256_permute2f128_ps(r[2], r[6], 0x20), c3 = _mm256_permute2f128_ps(r[3], r[7], 0x20);
      const __m256 c4 = _mm256_permute2f128_ps(r[0], r[4], 0x31), c5 = _mm256_permute2f128_ps(r[1], r[5], 0x31);
      const __m256 c6 = _mm256_permute2f128_ps(r[2], r[6], 0x31), c7 = _mm256_permute2f128_ps(r[3], r[7], 0x31);
      _mm256_storeu_ps(P + (size_t)(d + 0) * W + j, c0);
      _mm256_storeu_ps(P + (size_t)(d + 1) * W + j, c1);
      _mm256_storeu_ps(P + (size_t)(d + 2) * W + j, c2);
      _mm256_storeu_ps(P + (size_t)(d + 3) * W + j, c3);
      _mm256_storeu_ps(P + (size_t)(d + 4) * W + j, c4);
      _mm256_storeu_ps(P + (size_t)(d + 5) * W + j, c5);
      _mm256_storeu_ps(P + (size_t)(d + 6) * W + j, c6);
      _mm256_storeu_ps(P + (size_t)(d + 7) * W + j, c7);
    }
    for (int t = 0; t < 8; t++) {
      for (int d = Dp8; d < Dp; d++) P[(size_t)d * W + j + t] = src[(size_t)t * Dp + d];
      NP[j + t] = Nr[jb + j + t];
    }
  }
  for (int j = nj8; j < nj; j++) {
    const float *src = X + (size_t)(jb + j) * Dp;
    for (int d = 0; d < Dp; d++) P[(size_t)d * W + j] = src[d];
    NP[j] = Nr[jb + j];
  }
  for (int j = nj; j < W; j++) {
    for (int d = 0; d < Dp; d++) P[(size_t)d * W + j] = 0.0f;
    NP[j] = 0.0f;
  }
}

/*
 * asm/knn.ts tile_f32: rows [i0, i1) against rows [j0, j1) (cache blocks of BJ rows), each value
 * |x_i|^2 + |x_j|^2 - 2 x_i.x_j offered to row i's buffer and, with sym, to row j's.
 *
 * Laid out like a matrix product, not as dot products: each block of BJ reference rows is packed
 * column-major (P[d][j], 16 columns per step, zero-padded), and 4 query rows x 16 columns
 * accumulate in eight registers with a broadcast of x_i[d] and two loads per d. No horizontal sum
 * per pair (at D = 50 the 2 x 4 dot-product kernel spent as much on those as on the products),
 * and a value is tested against the row thresholds eight at a time: only the few below a
 * threshold are offered one by one (offer() tests again, so a threshold read before another
 * offer lowered it only costs a call).
 * Rounding: each value is the sum of 4 chunks of at most ceil(Dp / 4) fused steps, so its error
 * stays below the bound E of the 4-lane WebAssembly kernel (Dp / 4 steps per lane, then a
 * horizontal sum), like every native kernel here.
 */
TARGET static void tile(uint8_t *mem, uint32_t x, uint32_t nrm, int Dp, int i0, int i1, int j0, int j1, int kk,
  uint32_t hd, uint32_t hi, int BJ, int sym, uint32_t hh, int C) {
  const float *X = (const float *)(mem + x), *Nr = (const float *)(mem + nrm);
  const uint32_t cd = (uint32_t)C * 4;
  /* the column block: the plan's cache block rounded down to whole steps of 16 (not up: at D = 768
     the plan's 40 columns would be 48 with 8 padding columns computed for nothing) */
  const int BW = BJ >= 16 ? BJ & ~15 : 16;
  BJ = BW;
  float *P = (float *)aligned_alloc(32, (((size_t)Dp * BW + BW) * sizeof(float) + 31) & ~(size_t)31);
  float *sv = (float *)malloc(((size_t)C + 8) * 8); /* the selects' scratch (none: select_f32) */
  int32_t *si = sv ? (int32_t *)(sv + C + 8) : NULL;
  if (!P) { /* no memory for the packed block: every pair one dot product at a time (same values, slower) */
    for (int i = i0; i < i1; i++) {
      const float *xi = X + (size_t)i * Dp;
      const uint32_t hdi = hd + (uint32_t)i * cd, hii = hi + (uint32_t)i * cd, hhi = hh + ((uint32_t)i << 4);
      for (int j = j0; j < j1; j++) {
        const float e = Nr[i] + Nr[j] - 2 * dot1(xi, X + (size_t)j * Dp, Dp);
        offer(mem, hdi, hii, hhi, C, kk, e, j, i, sv, si);
        if (sym) offer(mem, hd + (uint32_t)j * cd, hi + (uint32_t)j * cd, hh + ((uint32_t)j << 4), C, kk, e, i, j, sv, si);
      }
    }
    free(sv);
    return;
  }
  float *NP = P + (size_t)Dp * BW;
  int cb[5];
  for (int c = 0; c <= 4; c++) cb[c] = (int)(((int64_t)Dp * c + 3) / 4);
  const __m256 two = _mm256_set1_ps(2.0f);
  float ev[4][16];
  for (int jb = j0; jb < j1; jb += BJ) {
    const int je = jb + BJ < j1 ? jb + BJ : j1;
    const int nj = je - jb, W = (nj + 15) & ~15;
    packColumns(X, Nr, Dp, jb, nj, W, P, NP);
    for (int j = nj; j < W; j++) NP[j] = INFINITY; /* a padding column's value is +inf: never below a threshold */
    for (int i = i0; i < i1; i += 4) {
      const int nr = i1 - i < 4 ? i1 - i : 4;
      const float *xr[4];
      for (int r = 0; r < 4; r++) xr[r] = X + (size_t)(i + (r < nr ? r : 0)) * Dp;
      for (int jj = 0; jj < W; jj += 16) {
        __m256 t00 = _mm256_setzero_ps(), t01 = t00, t10 = t00, t11 = t00, t20 = t00, t21 = t00, t30 = t00, t31 = t00;
        for (int c = 0; c < 4; c++) {
          __m256 a00 = _mm256_setzero_ps(), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
          for (int d = cb[c]; d < cb[c + 1]; d++) {
            const float *pd = P + (size_t)d * W + jj;
            const __m256 y0 = _mm256_load_ps(pd), y1 = _mm256_load_ps(pd + 8);
            __m256 b = _mm256_broadcast_ss(xr[0] + d);
            a00 = _mm256_fmadd_ps(b, y0, a00); a01 = _mm256_fmadd_ps(b, y1, a01);
            b = _mm256_broadcast_ss(xr[1] + d);
            a10 = _mm256_fmadd_ps(b, y0, a10); a11 = _mm256_fmadd_ps(b, y1, a11);
            b = _mm256_broadcast_ss(xr[2] + d);
            a20 = _mm256_fmadd_ps(b, y0, a20); a21 = _mm256_fmadd_ps(b, y1, a21);
            b = _mm256_broadcast_ss(xr[3] + d);
            a30 = _mm256_fmadd_ps(b, y0, a30); a31 = _mm256_fmadd_ps(b, y1, a31);
          }
          t00 = _mm256_add_ps(t00, a00); t01 = _mm256_add_ps(t01, a01);
          t10 = _mm256_add_ps(t10, a10); t11 = _mm256_add_ps(t11, a11);
          t20 = _mm256_add_ps(t20, a20); t21 = _mm256_add_ps(t21, a21);
          t30 = _mm256_add_ps(t30, a30); t31 = _mm256_add_ps(t31, a31);
        }
        const __m256 nj0 = _mm256_load_ps(NP + jj), nj1 = _mm256_load_ps(NP + jj + 8);
        const __m256 tt[4][2] = { { t00, t01 }, { t10, t11 }, { t20, t21 }, { t30, t31 } };
        __m256 Tj0 = _mm256_setzero_ps(), Tj1 = Tj0;
        if (sym) {
          float tj[16];
          for (int q = 0; q < 16; q++) tj[q] = jj + q < nj ? THRESH(mem, hh, jb + jj + q) : 0.0f;
          Tj0 = _mm256_loadu_ps(tj); Tj1 = _mm256_loadu_ps(tj + 8);
        }
        for (int r = 0; r < nr; r++) {
          const __m256 ni = _mm256_set1_ps(Nr[i + r]);
          /* (|x_i|^2 + |x_j|^2) - 2 v: the same operations as the scalar kernels */
          const __m256 e0 = _mm256_sub_ps(_mm256_add_ps(ni, nj0), _mm256_mul_ps(two, tt[r][0]));
          const __m256 e1 = _mm256_sub_ps(_mm256_add_ps(ni, nj1), _mm256_mul_ps(two, tt[r][1]));
          const __m256 Ti = _mm256_set1_ps(THRESH(mem, hh, i + r));
          unsigned mi = (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(e0, Ti, _CMP_LT_OQ))
            | ((unsigned)_mm256_movemask_ps(_mm256_cmp_ps(e1, Ti, _CMP_LT_OQ)) << 8);
          unsigned mj = sym ? ((unsigned)_mm256_movemask_ps(_mm256_cmp_ps(e0, Tj0, _CMP_LT_OQ))
            | ((unsigned)_mm256_movemask_ps(_mm256_cmp_ps(e1, Tj1, _CMP_LT_OQ)) << 8)) : 0u;
          if (!(mi | mj)) continue;
          _mm256_storeu_ps(ev[r], e0);
          _mm256_storeu_ps(ev[r] + 8, e1);
          const int ir = i + r;
          const uint32_t hdi = hd + (uint32_t)ir * cd, hii = hi + (uint32_t)ir * cd, hhi = hh + ((uint32_t)ir << 4);
          for (unsigned m = mi | mj; m; m &= m - 1) {
            const int q = __builtin_ctz(m);
            const int j = jb + jj + q;
            if (mi >> q & 1u) offer(mem, hdi, hii, hhi, C, kk, ev[r][q], j, ir, sv, si);
            if (mj >> q & 1u) offer(mem, hd + (uint32_t)j * cd, hi + (uint32_t)j * cd, hh + ((uint32_t)j << 4), C, kk, ev[r][q], ir, j, sv, si);
          }
        }
      }
    }
  }
  free(P);
  free(sv);
}

#define TARGET512 __attribute__((target("avx512f,avx2,fma")))

TARGET512 static inline float hsum16(__m512 v) {
  return _mm512_reduce_add_ps(v);
}

/*
 * 4 x 4 dot products of rows a[0..3] with b[0..3] over Dp floats, 16 lanes (AVX-512): each y row
 * loaded once serves four x rows (half the cache traffic of dots2x4). Its rounding error
 * (Dp / 16 fused steps, a horizontal sum of 16) is below the bound E of the 4-lane WebAssembly
 * kernel, like dots2x4's.
 */
TARGET512 static inline void dots4x4(const float *const *a, const float *const *b, int Dp, float *out) {
  __m512 c[4][4];
  for (int r = 0; r < 4; r++) for (int q = 0; q < 4; q++) c[r][q] = _mm512_setzero_ps();
  int d = 0;
  for (; d + 16 <= Dp; d += 16) {
    const __m512 x0 = _mm512_loadu_ps(a[0] + d), x1 = _mm512_loadu_ps(a[1] + d), x2 = _mm512_loadu_ps(a[2] + d), x3 = _mm512_loadu_ps(a[3] + d);
    for (int q = 0; q < 4; q++) {
      const __m512 y = _mm512_loadu_ps(b[q] + d);
      c[0][q] = _mm512_fmadd_ps(x0, y, c[0][q]);
      c[1][q] = _mm512_fmadd_ps(x1, y, c[1][q]);
      c[2][q] = _mm512_fmadd_ps(x2, y, c[2][q]);
      c[3][q] = _mm512_fmadd_ps(x3, y, c[3][q]);
    }
  }
  if (d < Dp) { /* the last Dp - d (a multiple of 4, below 16) under a mask */
    const __mmask16 m = (__mmask16)((1u << (Dp - d)) - 1);
    const __m512 x0 = _mm512_maskz_loadu_ps(m, a[0] + d), x1 = _mm512_maskz_loadu_ps(m, a[1] + d);
    const __m512 x2 = _mm512_maskz_loadu_ps(m, a[2] + d), x3 = _mm512_maskz_loadu_ps(m, a[3] + d);
    for (int q = 0; q < 4; q++) {
      const __m512 y = _mm512_maskz_loadu_ps(m, b[q] + d);
      c[0][q] = _mm512_fmadd_ps(x0, y, c[0][q]);
      c[1][q] = _mm512_fmadd_ps(x1, y, c[1][q]);
      c[2][q] = _mm512_fmadd_ps(x2, y, c[2][q]);
      c[3][q] = _mm512_fmadd_ps(x3, y, c[3][q]);
    }
  }
  for (int r = 0; r < 4; r++) for (int q = 0; q < 4; q++) out[r * 4 + q] = hsum16(c[r][q]);
}

/* vals for rows [r0, r0 + 4 * n4) with AVX-512 (see vals below for the layout). */
TARGET512 static void vals4(uint8_t *mem, uint32_t x, uint32_t nrm, int Dp, int r0, int n4, int j0, int j1, int BJ, float *RV, int rsv) {
  const float *X = (const float *)(mem + x), *Nr = (const float *)(mem + nrm);
  float v[16];
  for (int jb = j0; jb < j1; jb += BJ) {
    const int je = jb + BJ < j1 ? jb + BJ : j1;
    for (int i = r0; i < r0 + 4 * n4; i += 4) {
      const float *a[4] = { X + (size_t)i * Dp, X + (size_t)(i + 1) * Dp, X + (size_t)(i + 2) * Dp, X + (size_t)(i + 3) * Dp };
      float *out[4];
      for (int r = 0; r < 4; r++) out[r] = RV + (size_t)(i + r - r0) * rsv - j0;
      for (int j = jb; j < je; j += 4) {
        const int nq = je - j < 4 ? je - j : 4;
        const float *b[4];
        for (int q = 0; q < 4; q++) b[q] = X + (size_t)(j + (q < nq ? q : 0)) * Dp;
        dots4x4(a, b, Dp, v);
        for (int r = 0; r < 4; r++) for (int q = 0; q < nq; q++) out[r][j + q] = Nr[i + r] + Nr[j + q] - 2 * v[r * 4 + q];
      }
    }
  }
}

static int hasAvx512 = 0;

/* Rows [r0, r1) of X (norms Nr) against a packed block of columns (P column-major, W wide, nj of
 * them real; NP their norms) into out (row i - r0 at out + (i - r0) rsv): 4 rows x 32 columns per
 * step, each value summed in 4 chunks of at most ceil(Dp / 4) fused steps (the bound E). */
TARGET512 static void valsPacked512(const float *X, const float *Nr, int Dp, int r0, int r1, const float *P, const float *NP, int nj, int W, float *out, int rsv) {
  int cb[5];
  for (int c = 0; c <= 4; c++) cb[c] = (int)(((int64_t)Dp * c + 3) / 4);
  const __m512 two = _mm512_set1_ps(2.0f);
  for (int i = r0; i < r1; i += 4) {
    const int nr = r1 - i < 4 ? r1 - i : 4;
    const float *xr[4];
    for (int r = 0; r < 4; r++) xr[r] = X + (size_t)(i + (r < nr ? r : 0)) * Dp;
    for (int jj = 0; jj < W; jj += 32) {
      __m512 t[4][2];
      for (int r = 0; r < 4; r++) { t[r][0] = _mm512_setzero_ps(); t[r][1] = _mm512_setzero_ps(); }
      for (int c = 0; c < 4; c++) {
        __m512 a00 = _mm512_setzero_ps(), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        for (int d = cb[c]; d < cb[c + 1]; d++) {
          const float *pd = P + (size_t)d * W + jj;
          const __m512 y0 = _mm512_load_ps(pd), y1 = _mm512_load_ps(pd + 16);
          __m512 b = _mm512_set1_ps(xr[0][d]);
          a00 = _mm512_fmadd_ps(b, y0, a00); a01 = _mm512_fmadd_ps(b, y1, a01);
          b = _mm512_set1_ps(xr[1][d]);
          a10 = _mm512_fmadd_ps(b, y0, a10); a11 = _mm512_fmadd_ps(b, y1, a11);
          b = _mm512_set1_ps(xr[2][d]);
          a20 = _mm512_fmadd_ps(b, y0, a20); a21 = _mm512_fmadd_ps(b, y1, a21);
          b = _mm512_set1_ps(xr[3][d]);
          a30 = _mm512_fmadd_ps(b, y0, a30); a31 = _mm512_fmadd_ps(b, y1, a31);
        }
        t[0][0] = _mm512_add_ps(t[0][0], a00); t[0][1] = _mm512_add_ps(t[0][1], a01);
        t[1][0] = _mm512_add_ps(t[1][0], a10); t[1][1] = _mm512_add_ps(t[1][1], a11);
        t[2][0] = _mm512_add_ps(t[2][0], a20); t[2][1] = _mm512_add_ps(t[2][1], a21);
        t[3][0] = _mm512_add_ps(t[3][0], a30); t[3][1] = _mm512_add_ps(t[3][1], a31);
      }
      const __m512 nj0 = _mm512_load_ps(NP + jj), nj1 = _mm512_load_ps(NP + jj + 16);
      const int left = nj - jj;
      const __mmask16 m0 = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
      const __mmask16 m1 = left >= 32 ? (__mmask16)0xFFFF : left <= 16 ? (__mmask16)0 : (__mmask16)((1u << (left - 16)) - 1);
      for (int r = 0; r < nr; r++) {
        const __m512 ni = _mm512_set1_ps(Nr[i + r]);
        float *o = out + (size_t)(i + r - r0) * rsv + jj;
        _mm512_mask_storeu_ps(o, m0, _mm512_sub_ps(_mm512_add_ps(ni, nj0), _mm512_mul_ps(two, t[r][0])));
        _mm512_mask_storeu_ps(o + 16, m1, _mm512_sub_ps(_mm512_add_ps(ni, nj1), _mm512_mul_ps(two, t[r][1])));
      }
    }
  }
}

/*
 * vals() on AVX-512 laid out as a matrix product (like tile512): each block of columns packed
 * column-major, then valsPacked512. Returns 0 without memory for the packed block (the caller
 * then uses the dot-product kernel).
 */
TARGET512 static int vals512(uint8_t *mem, uint32_t x, uint32_t nrm, int Dp, int r0, int r1, int j0, int j1, int BJ, float *RV, int rsv) {
  const float *X = (const float *)(mem + x), *Nr = (const float *)(mem + nrm);
  const int BW = BJ >= 32 ? BJ & ~31 : 32;
  float *P = (float *)aligned_alloc(64, (((size_t)Dp * BW + BW) * sizeof(float) + 63) & ~(size_t)63);
  if (!P) return 0;
  float *NP = P + (size_t)Dp * BW;
  for (int jb = j0; jb < j1; jb += BW) {
    const int je = jb + BW < j1 ? jb + BW : j1;
    const int nj = je - jb, W = (nj + 31) & ~31;
    packColumns(X, Nr, Dp, jb, nj, W, P, NP);
    valsPacked512(X, Nr, Dp, r0, r1, P, NP, nj, W, RV + (jb - j0), rsv);
  }
  free(P);
  return 1;
}

/* valsPacked512 on AVX2 + FMA: 4 rows x 16 columns per step, the same chunks (so the same bound E). */
TARGET static void valsPacked256(const float *X, const float *Nr, int Dp, int r0, int r1, const float *P, const float *NP, int nj, int W, float *out, int rsv) {
  int cb[5];
  for (int c = 0; c <= 4; c++) cb[c] = (int)(((int64_t)Dp * c + 3) / 4);
  const __m256 two = _mm256_set1_ps(2.0f);
  for (int i = r0; i < r1; i += 4) {
    const int nr = r1 - i < 4 ? r1 - i : 4;
    const float *xr[4];
    for (int r = 0; r < 4; r++) xr[r] = X + (size_t)(i + (r < nr ? r : 0)) * Dp;
    for (int jj = 0; jj < W; jj += 16) {
      __m256 t[4][2];
      for (int r = 0; r < 4; r++) { t[r][0] = _mm256_setzero_ps(); t[r][1] = _mm256_setzero_ps(); }
      for (int c = 0; c < 4; c++) {
        __m256 a00 = _mm256_setzero_ps(), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        for (int d = cb[c]; d < cb[c + 1]; d++) {
          const float *pd = P + (size_t)d * W + jj;
          const __m256 y0 = _mm256_load_ps(pd), y1 = _mm256_load_ps(pd + 8);
          __m256 b = _mm256_set1_ps(xr[0][d]);
          a00 = _mm256_fmadd_ps(b, y0, a00); a01 = _mm256_fmadd_ps(b, y1, a01);
          b = _mm256_set1_ps(xr[1][d]);
          a10 = _mm256_fmadd_ps(b, y0, a10); a11 = _mm256_fmadd_ps(b, y1, a11);
          b = _mm256_set1_ps(xr[2][d]);
          a20 = _mm256_fmadd_ps(b, y0, a20); a21 = _mm256_fmadd_ps(b, y1, a21);
          b = _mm256_set1_ps(xr[3][d]);
          a30 = _mm256_fmadd_ps(b, y0, a30); a31 = _mm256_fmadd_ps(b, y1, a31);
        }
        t[0][0] = _mm256_add_ps(t[0][0], a00); t[0][1] = _mm256_add_ps(t[0][1], a01);
        t[1][0] = _mm256_add_ps(t[1][0], a10); t[1][1] = _mm256_add_ps(t[1][1], a11);
        t[2][0] = _mm256_add_ps(t[2][0], a20); t[2][1] = _mm256_add_ps(t[2][1], a21);
        t[3][0] = _mm256_add_ps(t[3][0], a30); t[3][1] = _mm256_add_ps(t[3][1], a31);
      }
      const __m256 nj0 = _mm256_load_ps(NP + jj), nj1 = _mm256_load_ps(NP + jj + 8);
      const int left = nj - jj;
      const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
      const __m256i m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(left), lane), m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(left - 8), lane);
      for (int r = 0; r < nr; r++) {
        const __m256 ni = _mm256_set1_ps(Nr[i + r]);
        float *o = out + (size_t)(i + r - r0) * rsv + jj;
        _mm256_maskstore_ps(o, m0, _mm256_sub_ps(_mm256_add_ps(ni, nj0), _mm256_mul_ps(two, t[r][0])));
        _mm256_maskstore_ps(o + 8, m1, _mm256_sub_ps(_mm256_add_ps(ni, nj1), _mm256_mul_ps(two, t[r][1])));
      }
    }
  }
}

/* vals512 on AVX2 + FMA (valsPacked256). */
TARGET static int vals256(uint8_t *mem, uint32_t x, uint32_t nrm, int Dp, int r0, int r1, int j0, int j1, int BJ, float *RV, int rsv) {
  const float *X = (const float *)(mem + x), *Nr = (const float *)(mem + nrm);
  const int BW = BJ >= 16 ? BJ & ~15 : 16;
  float *P = (float *)aligned_alloc(32, (((size_t)Dp * BW + BW) * sizeof(float) + 31) & ~(size_t)31);
  if (!P) return 0;
  float *NP = P + (size_t)Dp * BW;
  for (int jb = j0; jb < j1; jb += BW) {
    const int je = jb + BW < j1 ? jb + BW : j1;
    const int nj = je - jb, W = (nj + 15) & ~15;
    packColumns(X, Nr, Dp, jb, nj, W, P, NP);
    valsPacked256(X, Nr, Dp, r0, r1, P, NP, nj, W, RV + (jb - j0), rsv);
  }
  free(P);
  return 1;
}

/*
 * tile() with 512-bit registers: 4 rows x 32 columns per step (the same packing, chunks and
 * tests; on CPUs whose AVX-512 units are full width this doubles the products per cycle). The
 * rounding bound is tile()'s: 4 chunks of at most ceil(Dp / 4) fused steps per value.
 */
TARGET512 static void tile512(uint8_t *mem, uint32_t x, uint32_t nrm, int Dp, int i0, int i1, int j0, int j1, int kk,
  uint32_t hd, uint32_t hi, int BJ, int sym, uint32_t hh, int C) {
  const float *X = (const float *)(mem + x), *Nr = (const float *)(mem + nrm);
  const uint32_t cd = (uint32_t)C * 4;
  const int BW = BJ >= 32 ? BJ & ~31 : 32; /* whole steps of 32 columns (see tile) */
  const int BJ0 = BJ;
  BJ = BW;
  float *P = (float *)aligned_alloc(64, (((size_t)Dp * BW + BW) * sizeof(float) + 63) & ~(size_t)63);
  if (!P) { tile(mem, x, nrm, Dp, i0, i1, j0, j1, kk, hd, hi, BJ0, sym, hh, C); return; }
  float *sv = (float *)malloc(((size_t)C + 8) * 8); /* the selects' scratch (none: select_f32) */
  int32_t *si = sv ? (int32_t *)(sv + C + 8) : NULL;
  float *NP = P + (size_t)Dp * BW;
  int cb[5];
  for (int c = 0; c <= 4; c++) cb[c] = (int)(((int64_t)Dp * c + 3) / 4);
  const __m512 two = _mm512_set1_ps(2.0f);
  float ev[32];
  for (int jb = j0; jb < j1; jb += BJ) {
    const int je = jb + BJ < j1 ? jb + BJ : j1;
    const int nj = je - jb, W = (nj + 31) & ~31;
    packColumns(X, Nr, Dp, jb, nj, W, P, NP);
    for (int j = nj; j < W; j++) NP[j] = INFINITY;
    for (int i = i0; i < i1; i += 4) {
      const int nr = i1 - i < 4 ? i1 - i : 4;
      const float *xr[4];
      for (int r = 0; r < 4; r++) xr[r] = X + (size_t)(i + (r < nr ? r : 0)) * Dp;
      for (int jj = 0; jj < W; jj += 32) {
        __m512 t[4][2];
        for (int r = 0; r < 4; r++) { t[r][0] = _mm512_setzero_ps(); t[r][1] = _mm512_setzero_ps(); }
        for (int c = 0; c < 4; c++) {
          __m512 a00 = _mm512_setzero_ps(), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
          for (int d = cb[c]; d < cb[c + 1]; d++) {
            const float *pd = P + (size_t)d * W + jj;
            const __m512 y0 = _mm512_load_ps(pd), y1 = _mm512_load_ps(pd + 16);
            __m512 b = _mm512_set1_ps(xr[0][d]);
            a00 = _mm512_fmadd_ps(b, y0, a00); a01 = _mm512_fmadd_ps(b, y1, a01);
            b = _mm512_set1_ps(xr[1][d]);
            a10 = _mm512_fmadd_ps(b, y0, a10); a11 = _mm512_fmadd_ps(b, y1, a11);
            b = _mm512_set1_ps(xr[2][d]);
            a20 = _mm512_fmadd_ps(b, y0, a20); a21 = _mm512_fmadd_ps(b, y1, a21);
            b = _mm512_set1_ps(xr[3][d]);
            a30 = _mm512_fmadd_ps(b, y0, a30); a31 = _mm512_fmadd_ps(b, y1, a31);
          }
          t[0][0] = _mm512_add_ps(t[0][0], a00); t[0][1] = _mm512_add_ps(t[0][1], a01);
          t[1][0] = _mm512_add_ps(t[1][0], a10); t[1][1] = _mm512_add_ps(t[1][1], a11);
          t[2][0] = _mm512_add_ps(t[2][0], a20); t[2][1] = _mm512_add_ps(t[2][1], a21);
          t[3][0] = _mm512_add_ps(t[3][0], a30); t[3][1] = _mm512_add_ps(t[3][1], a31);
        }
        const __m512 nj0 = _mm512_load_ps(NP + jj), nj1 = _mm512_load_ps(NP + jj + 16);
        __m512 Tj0 = _mm512_setzero_ps(), Tj1 = Tj0;
        if (sym) {
          float tj[32];
          for (int q = 0; q < 32; q++) tj[q] = jj + q < nj ? THRESH(mem, hh, jb + jj + q) : 0.0f;
          Tj0 = _mm512_loadu_ps(tj); Tj1 = _mm512_loadu_ps(tj + 16);
        }
        for (int r = 0; r < nr; r++) {
          const __m512 ni = _mm512_set1_ps(Nr[i + r]);
          const __m512 e0 = _mm512_sub_ps(_mm512_add_ps(ni, nj0), _mm512_mul_ps(two, t[r][0]));
          const __m512 e1 = _mm512_sub_ps(_mm512_add_ps(ni, nj1), _mm512_mul_ps(two, t[r][1]));
          const __m512 Ti = _mm512_set1_ps(THRESH(mem, hh, i + r));
          const uint32_t mi = (uint32_t)_mm512_cmp_ps_mask(e0, Ti, _CMP_LT_OQ) | ((uint32_t)_mm512_cmp_ps_mask(e1, Ti, _CMP_LT_OQ) << 16);
          const uint32_t mj = sym ? ((uint32_t)_mm512_cmp_ps_mask(e0, Tj0, _CMP_LT_OQ) | ((uint32_t)_mm512_cmp_ps_mask(e1, Tj1, _CMP_LT_OQ) << 16)) : 0u;
          if (!(mi | mj)) continue;
          _mm512_storeu_ps(ev, e0);
          _mm512_storeu_ps(ev + 16, e1);
          const int ir = i + r;
          const uint32_t hdi = hd + (uint32_t)ir * cd, hii = hi + (uint32_t)ir * cd, hhi = hh + ((uint32_t)ir << 4);
          for (uint32_t m = mi | mj; m; m &= m - 1) {
            const int q = __builtin_ctz(m);
            const int j = jb + jj + q;
            if (mi >> q & 1u) offer(mem, hdi, hii, hhi, C, kk, ev[q], j, ir, sv, si);
            if (mj >> q & 1u) offer(mem, hd + (uint32_t)j * cd, hi + (uint32_t)j * cd, hh + ((uint32_t)j << 4), C, kk, ev[q], ir, j, sv, si);
          }
        }
      }
    }
  }
  free(P);
  free(sv);
}

/*
 * asm/knn.ts vals_f32: the values |x_i|^2 + |x_j|^2 - 2 x_i.x_j of rows [r0, r1) against columns
 * [j0, j1) (cache blocks of BJ columns), row i - r0 at RV + (i - r0) rsv floats, column j at j - j0.
 */
TARGET static void vals(uint8_t *mem, uint32_t x, uint32_t nrm, int Dp, int r0, int r1, int j0, int j1, int BJ, float *RV, int rsv) {
  if (hasAvx512 && vals512(mem, x, nrm, Dp, r0, r1, j0, j1, BJ, RV, rsv)) return;
  /* AVX2 at low D: the matrix-product layout (5000 x 50 table 50 -> 43 ms); from D = 128 on the
   * dot products below were as fast or faster (5000 x 768: 198 against 211 ms) */
  if (!hasAvx512 && Dp <= 96 && vals256(mem, x, nrm, Dp, r0, r1, j0, j1, BJ, RV, rsv)) return;
  if (hasAvx512 && r1 - r0 >= 4) { /* rows in fours on AVX-512, the rest (up to 3) below */
    const int n4 = (r1 - r0) / 4;
    vals4(mem, x, nrm, Dp, r0, n4, j0, j1, BJ, RV, rsv);
    if (r0 + 4 * n4 == r1) return;
    RV += (size_t)(4 * n4) * (size_t)rsv;
    r0 += 4 * n4;
  }
  const float *X = (const float *)(mem + x), *Nr = (const float *)(mem + nrm);
  float v[8];
  for (int jb = j0; jb < j1; jb += BJ) {
    const int je = jb + BJ < j1 ? jb + BJ : j1;
    const int je4 = jb + ((je - jb) & ~3);
    for (int i = r0; i < r1; i += 2) {
      const int two = i + 1 < r1;
      const int ib = two ? i + 1 : i;
      const float *xa0 = X + (size_t)i * Dp, *xa1 = X + (size_t)ib * Dp;
      const float n0 = Nr[i], n1 = Nr[ib];
      float *v0 = RV + (size_t)(i - r0) * rsv - j0, *v1 = RV + (size_t)(ib - r0) * rsv - j0;
      for (int j = jb; j < je4; j += 4) {
        const float *y0 = X + (size_t)j * Dp;
        dots2x4(xa0, xa1, y0, y0 + Dp, y0 + 2 * Dp, y0 + 3 * Dp, Dp, v);
        for (int t = 0; t < 4; t++) {
          v0[j + t] = n0 + Nr[j + t] - 2 * v[t];
          if (two) v1[j + t] = n1 + Nr[j + t] - 2 * v[4 + t];
        }
      }
      for (int j = je4; j < je; j++) {
        const float *yp = X + (size_t)j * Dp;
        v0[j] = n0 + Nr[j] - 2 * dot1(xa0, yp, Dp);
        if (two) v1[j] = n1 + Nr[j] - 2 * dot1(xa1, yp, Dp);
      }
    }
  }
}

/* The end of asm/knn.ts sq8_f32 from element t on, given its partial sums p0..p3 (U) and p4..p7 (V). */
TARGET static inline double tail8(const float *a, const float *b, int D, int t, __m256d U, __m256d V) {
  double p[8];
  _mm256_storeu_pd(p, U);
  _mm256_storeu_pd(p + 4, V);
  for (int m = 0; t + m < D; m++) {
    const double e = (double)a[t + m] - (double)b[t + m];
    p[m] += e * e;
  }
  return ((p[0] + p[4]) + (p[2] + p[6])) + ((p[1] + p[5]) + (p[3] + p[7]));
}

/* One sum's step: the partial sums of elements t .. t + 7 of row b against the promoted xa, xb. */
#define SQ8_STEP(b, U, V) do { \
    const __m256d e0 = _mm256_sub_pd(xa, _mm256_cvtps_pd(_mm_loadu_ps((b) + t))); \
    const __m256d e1 = _mm256_sub_pd(xb, _mm256_cvtps_pd(_mm_loadu_ps((b) + t + 4))); \
    U = _mm256_add_pd(U, _mm256_mul_pd(e0, e0)); \
    V = _mm256_add_pd(V, _mm256_mul_pd(e1, e1)); \
  } while (0)

/*
 * asm/knn.ts exact_l2 for float32 rows: the exact distance of each candidate of rows [i0, i1),
 * four candidates at a time (independent sums: the adds' latency is hidden, row a promoted once).
 * Each sum is sq8_f32's: partial sum p_m over elements t = m (mod 8), lanes of U = p0..p3 and
 * V = p4..p7, (x - y)^2 multiplied then added in float64.
 */
#define ROW(j) ((j) >= 0 && (int64_t)(j) < rowsInMemory ? (j) : 0)
TARGET static void exact(uint8_t *mem, size_t memLen, uint32_t orig, int D, int i0, int i1, int kp, uint32_t hi, int C, uint32_t ed) {
  const float *O = (const float *)(mem + orig);
  /* a candidate index beyond the memory (a buffer's stale slot) reads row 0 instead: its row is
     not certified anyway (fewer than kp candidates), and the process must not read past the memory */
  const int64_t rowsInMemory = ((int64_t)memLen - (int64_t)orig) / ((int64_t)D * 4);
  for (int i = i0; i < i1; i++) {
    const float *a = O + (size_t)i * D;
    const int32_t *h = (const int32_t *)(mem + hi) + (size_t)(i - i0) * C;
    double *out = (double *)(mem + ed) + (size_t)(i - i0) * kp;
    int c = 0;
    for (; c + 4 <= kp; c += 4) {
      const float *b0 = O + (size_t)ROW(h[c]) * D, *b1 = O + (size_t)ROW(h[c + 1]) * D, *b2 = O + (size_t)ROW(h[c + 2]) * D, *b3 = O + (size_t)ROW(h[c + 3]) * D;
      __m256d U0 = _mm256_setzero_pd(), V0 = U0, U1 = U0, V1 = U0, U2 = U0, V2 = U0, U3 = U0, V3 = U0;
      int t = 0;
      for (; t + 8 <= D; t += 8) {
        const __m256d xa = _mm256_cvtps_pd(_mm_loadu_ps(a + t)), xb = _mm256_cvtps_pd(_mm_loadu_ps(a + t + 4));
        SQ8_STEP(b0, U0, V0);
        SQ8_STEP(b1, U1, V1);
        SQ8_STEP(b2, U2, V2);
        SQ8_STEP(b3, U3, V3);
      }
      out[c] = sqrt(tail8(a, b0, D, t, U0, V0));
      out[c + 1] = sqrt(tail8(a, b1, D, t, U1, V1));
      out[c + 2] = sqrt(tail8(a, b2, D, t, U2, V2));
      out[c + 3] = sqrt(tail8(a, b3, D, t, U3, V3));
    }
    for (; c < kp; c++) {
      const float *b = O + (size_t)ROW(h[c]) * D;
      __m256d U = _mm256_setzero_pd(), V = U;
      int t = 0;
      for (; t + 8 <= D; t += 8) {
        const __m256d xa = _mm256_cvtps_pd(_mm_loadu_ps(a + t)), xb = _mm256_cvtps_pd(_mm_loadu_ps(a + t + 4));
        SQ8_STEP(b, U, V);
      }
      out[c] = sqrt(tail8(a, b, D, t, U, V));
    }
  }
}

/* tail8 for float64 rows. */
TARGET static inline double tail8d(const double *a, const double *b, int D, int t, __m256d U, __m256d V) {
  double p[8];
  _mm256_storeu_pd(p, U);
  _mm256_storeu_pd(p + 4, V);
  for (int m = 0; t + m < D; m++) {
    const double e = a[t + m] - b[t + m];
    p[m] += e * e;
  }
  return ((p[0] + p[4]) + (p[2] + p[6])) + ((p[1] + p[5]) + (p[3] + p[7]));
}

/* SQ8_STEP for float64 rows. */
#define SQ8_STEP_D(b, U, V) do { \
    const __m256d e0 = _mm256_sub_pd(xa, _mm256_loadu_pd((b) + t)); \
    const __m256d e1 = _mm256_sub_pd(xb, _mm256_loadu_pd((b) + t + 4)); \
    U = _mm256_add_pd(U, _mm256_mul_pd(e0, e0)); \
    V = _mm256_add_pd(V, _mm256_mul_pd(e1, e1)); \
  } while (0)

/*
 * exact() for float64 rows on AVX2 (asm exact_l2 with float64 rows: sq8's partial sums p0..p7
 * in U and V, the same operations, the same bits): without it an AVX2 machine ran the float64
 * exact stage in WebAssembly.
 */
TARGET static void exactF64(uint8_t *mem, size_t memLen, uint32_t orig, int D, int i0, int i1, int kp, uint32_t hi, int C, uint32_t ed) {
  const double *O = (const double *)(mem + orig);
  const int64_t rowsInMemory = ((int64_t)memLen - (int64_t)orig) / ((int64_t)D * 8);
  for (int i = i0; i < i1; i++) {
    const double *a = O + (size_t)i * D;
    const int32_t *h = (const int32_t *)(mem + hi) + (size_t)(i - i0) * C;
    double *out = (double *)(mem + ed) + (size_t)(i - i0) * kp;
    int c = 0;
    for (; c + 4 <= kp; c += 4) {
      const double *b0 = O + (size_t)ROW(h[c]) * D, *b1 = O + (size_t)ROW(h[c + 1]) * D, *b2 = O + (size_t)ROW(h[c + 2]) * D, *b3 = O + (size_t)ROW(h[c + 3]) * D;
      __m256d U0 = _mm256_setzero_pd(), V0 = U0, U1 = U0, V1 = U0, U2 = U0, V2 = U0, U3 = U0, V3 = U0;
      int t = 0;
      for (; t + 8 <= D; t += 8) {
        const __m256d xa = _mm256_loadu_pd(a + t), xb = _mm256_loadu_pd(a + t + 4);
        SQ8_STEP_D(b0, U0, V0);
        SQ8_STEP_D(b1, U1, V1);
        SQ8_STEP_D(b2, U2, V2);
        SQ8_STEP_D(b3, U3, V3);
      }
      out[c] = sqrt(tail8d(a, b0, D, t, U0, V0));
      out[c + 1] = sqrt(tail8d(a, b1, D, t, U1, V1));
      out[c + 2] = sqrt(tail8d(a, b2, D, t, U2, V2));
      out[c + 3] = sqrt(tail8d(a, b3, D, t, U3, V3));
    }
    for (; c < kp; c++) {
      const double *b = O + (size_t)ROW(h[c]) * D;
      __m256d U = _mm256_setzero_pd(), V = U;
      int t = 0;
      for (; t + 8 <= D; t += 8) {
        const __m256d xa = _mm256_loadu_pd(a + t), xb = _mm256_loadu_pd(a + t + 4);
        SQ8_STEP_D(b, U, V);
      }
      out[c] = sqrt(tail8d(a, b, D, t, U, V));
    }
  }
}

/*
 * exact() on AVX-512: the eight partial sums p0..p7 of sq8_f32 are the eight float64 lanes of one
 * register (element t + m goes to lane m), so each step is one convert, subtract, multiply and add
 * per candidate; four candidates at a time. The same operations per sum, the same bits.
 */
TARGET512 static void exact512(uint8_t *mem, size_t memLen, uint32_t orig, int D, int i0, int i1, int kp, uint32_t hi, int C, uint32_t ed) {
  const float *O = (const float *)(mem + orig);
  const int64_t rowsInMemory = ((int64_t)memLen - (int64_t)orig) / ((int64_t)D * 4);
  for (int i = i0; i < i1; i++) {
    const float *a = O + (size_t)i * D;
    const int32_t *h = (const int32_t *)(mem + hi) + (size_t)(i - i0) * C;
    double *out = (double *)(mem + ed) + (size_t)(i - i0) * kp;
    int c = 0;
    for (; c < kp; c += 4) {
      const int nc = kp - c < 4 ? kp - c : 4;
      const float *b[4];
      for (int q = 0; q < 4; q++) b[q] = O + (size_t)ROW(h[c + (q < nc ? q : 0)]) * D;
      __m512d P0 = _mm512_setzero_pd(), P1 = P0, P2 = P0, P3 = P0;
      int t = 0;
      for (; t + 8 <= D; t += 8) {
        const __m512d x = _mm512_cvtps_pd(_mm256_loadu_ps(a + t));
        __m512d e;
        e = _mm512_sub_pd(x, _mm512_cvtps_pd(_mm256_loadu_ps(b[0] + t))); P0 = _mm512_add_pd(P0, _mm512_mul_pd(e, e));
        e = _mm512_sub_pd(x, _mm512_cvtps_pd(_mm256_loadu_ps(b[1] + t))); P1 = _mm512_add_pd(P1, _mm512_mul_pd(e, e));
        e = _mm512_sub_pd(x, _mm512_cvtps_pd(_mm256_loadu_ps(b[2] + t))); P2 = _mm512_add_pd(P2, _mm512_mul_pd(e, e));
        e = _mm512_sub_pd(x, _mm512_cvtps_pd(_mm256_loadu_ps(b[3] + t))); P3 = _mm512_add_pd(P3, _mm512_mul_pd(e, e));
      }
      const __m512d P[4] = { P0, P1, P2, P3 };
      for (int q = 0; q < nc; q++) {
        out[c + q] = sqrt(tail8(a, b[q], D, t, _mm512_castpd512_pd256(P[q]), _mm512_extractf64x4_pd(P[q], 1)));
      }
    }
  }
}

/* The end of asm/knn.ts sq8_f64 from element t on, given its eight partial sums as the lanes of P. */
TARGET512 static inline double tail8f64(const double *a, const double *b, int D, int t, __m512d P) {
  double p[8];
  _mm512_storeu_pd(p, P);
  for (int m = 0; t + m < D; m++) {
    const double e = a[t + m] - b[t + m];
    p[m] += e * e;
  }
  return ((p[0] + p[4]) + (p[2] + p[6])) + ((p[1] + p[5]) + (p[3] + p[7]));
}

/*
 * The entries (r kp + t: row r's slot t) of rows [i0, i0 + rows) ordered by candidate row
 * (counting sort), or NULL without memory. In that order each candidate's row is read from
 * memory about once per call, however many rows list it: at 20000 x 768 the exact stage read
 * 125 candidate rows of 3 KB per row (7.5 GB per table) and was bound by memory.
 */
static int32_t *byCandidate(const int32_t *H, int rows, int kp, int C, int64_t rowsInMemory) {
  int32_t mx = 0;
  for (int r = 0; r < rows; r++) for (int t = 0; t < kp; t++) { const int32_t j = ROW(H[(size_t)r * C + t]); if (j > mx) mx = j; }
  int32_t *cnt = (int32_t *)calloc((size_t)mx + 2, 4), *ord = (int32_t *)malloc((size_t)rows * kp * 4);
  if (!cnt || !ord) { free(cnt); free(ord); return NULL; }
  for (int r = 0; r < rows; r++) for (int t = 0; t < kp; t++) cnt[ROW(H[(size_t)r * C + t]) + 1]++;
  for (int32_t j = 0; j <= mx; j++) cnt[j + 1] += cnt[j];
  for (int r = 0; r < rows; r++) for (int t = 0; t < kp; t++) ord[cnt[ROW(H[(size_t)r * C + t])]++] = r * kp + t;
  free(cnt);
  return ord;
}

/* The four entries from ord[e0] (the last repeated past nc): their query rows i0 + r, candidate rows and output slots r kp + t. */
static inline void candidateQuad(const int32_t *ord, int e0, int nc, int kp, int C, const int32_t *H, int64_t rowsInMemory, int i0,
  size_t *ra, size_t *rb, int *o) {
  for (int q = 0; q < 4; q++) {
    const int e = ord[e0 + (q < nc ? q : 0)], r = e / kp;
    o[q] = e;
    ra[q] = (size_t)(i0 + r);
    rb[q] = (size_t)ROW(H[(size_t)r * C + (e - r * kp)]);
  }
}

/* Candidate-ordered exact distances pay where rows are long (memory-bound) and blocks list many candidates. */
#define BY_CANDIDATE(D, es, rows) ((size_t)(D) * (es) >= 1024 && (rows) >= 32)

/* exact512 in candidate order (byCandidate): four (row, candidate) pairs at a time, each sum the same operations (the same bits). */
TARGET512 static int exact512ByCandidate(uint8_t *mem, size_t memLen, uint32_t orig, int D, int i0, int i1, int kp, uint32_t hi, int C, uint32_t ed) {
  const float *O = (const float *)(mem + orig);
  const int64_t rowsInMemory = ((int64_t)memLen - (int64_t)orig) / ((int64_t)D * 4);
  const int32_t *H = (const int32_t *)(mem + hi);
  double *out = (double *)(mem + ed);
  const int n = (i1 - i0) * kp;
  int32_t *ord = byCandidate(H, i1 - i0, kp, C, rowsInMemory);
  if (!ord) return 0;
  for (int e0 = 0; e0 < n; e0 += 4) {
    const int nc = n - e0 < 4 ? n - e0 : 4;
    size_t ra[4], rb[4];
    int o[4];
    candidateQuad(ord, e0, nc, kp, C, H, rowsInMemory, i0, ra, rb, o);
    const float *a[4], *b[4];
    for (int q = 0; q < 4; q++) { a[q] = O + ra[q] * D; b[q] = O + rb[q] * D; }
    __m512d P0 = _mm512_setzero_pd(), P1 = P0, P2 = P0, P3 = P0;
    int t = 0;
    for (; t + 8 <= D; t += 8) {
      __m512d e;
      e = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(a[0] + t)), _mm512_cvtps_pd(_mm256_loadu_ps(b[0] + t))); P0 = _mm512_add_pd(P0, _mm512_mul_pd(e, e));
      e = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(a[1] + t)), _mm512_cvtps_pd(_mm256_loadu_ps(b[1] + t))); P1 = _mm512_add_pd(P1, _mm512_mul_pd(e, e));
      e = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(a[2] + t)), _mm512_cvtps_pd(_mm256_loadu_ps(b[2] + t))); P2 = _mm512_add_pd(P2, _mm512_mul_pd(e, e));
      e = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(a[3] + t)), _mm512_cvtps_pd(_mm256_loadu_ps(b[3] + t))); P3 = _mm512_add_pd(P3, _mm512_mul_pd(e, e));
    }
    const __m512d P[4] = { P0, P1, P2, P3 };
    for (int q = 0; q < nc; q++) out[o[q]] = sqrt(tail8(a[q], b[q], D, t, _mm512_castpd512_pd256(P[q]), _mm512_extractf64x4_pd(P[q], 1)));
  }
  free(ord);
  return 1;
}

/* exact512_f64 in candidate order (byCandidate): the same sums (the same bits). */
TARGET512 static int exact512F64ByCandidate(uint8_t *mem, size_t memLen, uint32_t orig, int D, int i0, int i1, int kp, uint32_t hi, int C, uint32_t ed) {
  const double *O = (const double *)(mem + orig);
  const int64_t rowsInMemory = ((int64_t)memLen - (int64_t)orig) / ((int64_t)D * 8);
  const int32_t *H = (const int32_t *)(mem + hi);
  double *out = (double *)(mem + ed);
  const int n = (i1 - i0) * kp;
  int32_t *ord = byCandidate(H, i1 - i0, kp, C, rowsInMemory);
  if (!ord) return 0;
  for (int e0 = 0; e0 < n; e0 += 4) {
    const int nc = n - e0 < 4 ? n - e0 : 4;
    size_t ra[4], rb[4];
    int o[4];
    candidateQuad(ord, e0, nc, kp, C, H, rowsInMemory, i0, ra, rb, o);
    const double *a[4], *b[4];
    for (int q = 0; q < 4; q++) { a[q] = O + ra[q] * D; b[q] = O + rb[q] * D; }
    __m512d P[4] = { _mm512_setzero_pd(), _mm512_setzero_pd(), _mm512_setzero_pd(), _mm512_setzero_pd() };
    int t = 0;
    for (; t + 8 <= D; t += 8) {
      for (int q = 0; q < 4; q++) {
        const __m512d e = _mm512_sub_pd(_mm512_loadu_pd(a[q] + t), _mm512_loadu_pd(b[q] + t));
        P[q] = _mm512_add_pd(P[q], _mm512_mul_pd(e, e));
      }
    }
    for (int q = 0; q < nc; q++) out[o[q]] = sqrt(tail8f64(a[q], b[q], D, t, P[q]));
  }
  free(ord);
  return 1;
}

/*
 * asm/knn.ts exact_l2 for float64 rows on AVX-512: sq8_f64's eight partial sums are the eight
 * lanes of one register, multiply then add; four candidates at a time. The same bits.
 */
TARGET512 static void exact512_f64(uint8_t *mem, size_t memLen, uint32_t orig, int D, int i0, int i1, int kp, uint32_t hi, int C, uint32_t ed) {
  const double *O = (const double *)(mem + orig);
  const int64_t rowsInMemory = ((int64_t)memLen - (int64_t)orig) / ((int64_t)D * 8);
  for (int i = i0; i < i1; i++) {
    const double *a = O + (size_t)i * D;
    const int32_t *h = (const int32_t *)(mem + hi) + (size_t)(i - i0) * C;
    double *out = (double *)(mem + ed) + (size_t)(i - i0) * kp;
    for (int c = 0; c < kp; c += 4) {
      const int nc = kp - c < 4 ? kp - c : 4;
      const double *b[4];
      for (int q = 0; q < 4; q++) b[q] = O + (size_t)ROW(h[c + (q < nc ? q : 0)]) * D;
      __m512d P[4] = { _mm512_setzero_pd(), _mm512_setzero_pd(), _mm512_setzero_pd(), _mm512_setzero_pd() };
      int t = 0;
      for (; t + 8 <= D; t += 8) {
        const __m512d x = _mm512_loadu_pd(a + t);
        for (int q = 0; q < 4; q++) {
          const __m512d e = _mm512_sub_pd(x, _mm512_loadu_pd(b[q] + t));
          P[q] = _mm512_add_pd(P[q], _mm512_mul_pd(e, e));
        }
      }
      for (int q = 0; q < nc; q++) out[c + q] = sqrt(tail8f64(a, b[q], D, t, P[q]));
    }
  }
}

/* ---- the strips' row select (asm symsel_f32, symrows_f32, rowSelect_f32), the same steps in the
 * same order (the last select by partitions: the same threshold and values); what is faster here: the transposed reads
 * of the earlier strips in 8 x 8 blocks, and the compaction below the pivot with AVX2 left-packing
 * (the values and indices below the pivot, in index order, as the scalar loop writes them). */


/* Rows of block I assembled from the strips into rv (rows of N values), asm symrows_f32. */
TARGET static void symrows(uint8_t *mem, uint32_t so, int B, int N, int I, uint32_t rv) {
  const int r0 = I * B, r1 = N < r0 + B ? N : r0 + B, rows = r1 - r0;
  const uint32_t *soT = (const uint32_t *)(mem + so);
  float *R = (float *)(mem + rv);
  const float *sI = (const float *)(mem + soT[I]);
  const int wI = N - r0;
  for (int c = 0; c < rows; c++) memcpy(R + (size_t)c * N + r0, sI + (size_t)c * wI, (size_t)wI * 4);
  const int rows8 = rows & ~7, B8 = B & ~7;
  for (int J = 0; J < I; J++) {
    const int j0 = J * B;
    const float *sJ = (const float *)(mem + soT[J]);
    const size_t wJ = (size_t)(N - j0);
    const int off = r0 - j0;
    /* R[c N + j0 + t] = sJ[t wJ + off + c]: 8 x 8 blocks through registers, the edges one by one */
    for (int cb = 0; cb < rows8; cb += 8) {
      for (int tb = 0; tb < B8; tb += 8) {
        const float *src = sJ + (size_t)tb * wJ + off + cb;
        __m256 a0 = _mm256_loadu_ps(src), a1 = _mm256_loadu_ps(src + wJ), a2 = _mm256_loadu_ps(src + 2 * wJ), a3 = _mm256_loadu_ps(src + 3 * wJ);
        __m256 a4 = _mm256_loadu_ps(src + 4 * wJ), a5 = _mm256_loadu_ps(src + 5 * wJ), a6 = _mm256_loadu_ps(src + 6 * wJ), a7 = _mm256_loadu_ps(src + 7 * wJ);
        __m256 t0 = _mm256_unpacklo_ps(a0, a1), t1 = _mm256_unpackhi_ps(a0, a1), t2 = _mm256_unpacklo_ps(a2, a3), t3 = _mm256_unpackhi_ps(a2, a3);
        __m256 t4 = _mm256_unpacklo_ps(a4, a5), t5 = _mm256_unpackhi_ps(a4, a5), t6 = _mm256_unpacklo_ps(a6, a7), t7 = _mm256_unpackhi_ps(a6, a7);
        __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE), u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
        __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE), u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
        float *dst = R + (size_t)cb * N + j0 + tb;
        _mm256_storeu_ps(dst, _mm256_permute2f128_ps(u0, u4, 0x20));
        _mm256_storeu_ps(dst + N, _mm256_permute2f128_ps(u1, u5, 0x20));
        _mm256_storeu_ps(dst + 2 * (size_t)N, _mm256_permute2f128_ps(u2, u6, 0x20));
        _mm256_storeu_ps(dst + 3 * (size_t)N, _mm256_permute2f128_ps(u3, u7, 0x20));
        _mm256_storeu_ps(dst + 4 * (size_t)N, _mm256_permute2f128_ps(u0, u4, 0x31));
        _mm256_storeu_ps(dst + 5 * (size_t)N, _mm256_permute2f128_ps(u1, u5, 0x31));
        _mm256_storeu_ps(dst + 6 * (size_t)N, _mm256_permute2f128_ps(u2, u6, 0x31));
        _mm256_storeu_ps(dst + 7 * (size_t)N, _mm256_permute2f128_ps(u3, u7, 0x31));
      }
      for (int t = B8; t < B; t++)
        for (int c = cb; c < cb + 8; c++) R[(size_t)c * N + j0 + t] = sJ[(size_t)t * wJ + off + c];
    }
    for (int c = rows8; c < rows; c++)
      for (int t = 0; t < B; t++) R[(size_t)c * N + j0 + t] = sJ[(size_t)t * wJ + off + c];
  }
}

/* The kp smallest of a row of N values (asm rowSelect_f32): sample pivot, compaction, quickselect. */
TARGET static void rowSelect(float *v, int N, int kp, float *bd, int32_t *bi, uint8_t *h, int C, float *sv, int32_t *si, float *tv, int32_t *ti) {
  const int S = N < 64 ? N : 64;
  const int step = N / S;
  int r = (int)((double)S * 2.0 * (double)kp / (double)N) + 1;
  int m = 0;
  for (;;) {
    float pivot = INFINITY;
    if (r < S) {
      for (int s = 0; s < S; s++) sv[s] = v[s * step];
      pivot = select_f32(sv, si, S, r);
    }
    int pos = 0;
    if (r <= S) {
      const __m256 P = _mm256_set1_ps(pivot);
      const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
      int j = 0;
      for (; j + 8 <= N; j += 8) {
        const __m256 x = _mm256_loadu_ps(v + j);
        const int mask = _mm256_movemask_ps(_mm256_cmp_ps(x, P, _CMP_LT_OQ)); /* x < pivot, false for NaN */
        const __m256i perm = _mm256_loadu_si256((const __m256i *)packIdx[mask]);
        _mm256_storeu_ps(sv + pos, _mm256_permutevar8x32_ps(x, perm));
        _mm256_storeu_si256((__m256i *)(si + pos), _mm256_permutevar8x32_epi32(_mm256_add_epi32(iota, _mm256_set1_epi32(j)), perm));
        pos += __builtin_popcount(mask);
      }
      for (; j < N; j++) {
        const float x = v[j];
        sv[pos] = x;
        si[pos] = j;
        pos += x < pivot;
      }
    } else {
      for (int j = 0; j < N; j++) { sv[j] = v[j]; si[j] = j; }
      pos = N;
    }
    m = pos;
    if (m >= kp) break;
    r = r < S ? (S < r * 2 ? S : r * 2) : S + 1;
  }
  float T;
  if (m <= C) {
    memcpy(bd, sv, (size_t)m * 4);
    memcpy(bi, si, (size_t)m * 4);
    T = partitionSelect(bd, bi, m, kp, sv, si); /* sv, si are free now: its scratch (m <= N values) */
  } else {
    T = tv ? partitionSelect(sv, si, m, kp, tv, ti) : select_f32(sv, si, m, kp);
    memcpy(bd, sv, (size_t)kp * 4);
    memcpy(bi, si, (size_t)kp * 4);
  }
  *(float *)h = T;
  *(int32_t *)(h + 8) = kp;
}

/* asm symsel_f32(so, B, N, I, kk, hd, hi, hh, C, rv, hs) */
TARGET static void symsel(uint8_t *mem, uint32_t so, int B, int N, int I, int kk, uint32_t hd, uint32_t hi, uint32_t hh, int C, uint32_t rv, uint32_t hs) {
  const int r0 = I * B, r1 = N < r0 + B ? N : r0 + B;
  symrows(mem, so, B, N, I, rv);
  float *sv = (float *)(mem + hs);
  int32_t *si = (int32_t *)(mem + hs + (((size_t)N * 4 + 15) & ~(size_t)15));
  float *tv = (float *)malloc(((size_t)N + 8) * 8); /* partitionSelect's scratch (none: select_f32) */
  int32_t *ti = tv ? (int32_t *)(tv + N + 8) : NULL;
  for (int r = r0; r < r1; r++) {
    float *v = (float *)(mem + rv) + (size_t)(r - r0) * N;
    v[r] = INFINITY;
    const size_t o = (size_t)(r - r0) * C * 4;
    rowSelect(v, N, kk, (float *)(mem + hd + o), (int32_t *)(mem + hi + o), mem + hh + ((size_t)(r - r0) << 4), C, sv, si, tv, ti);
  }
  free(tv);
}

/*
 * symsel's outputs (each row's kp smallest in hd / hi, its threshold and count in hh) without
 * assembling the value rows: at 5000 x 50, writing and re-reading the rows (N values each, half of
 * them transposed) took 60% of the strips' select. Here each value of the strips is read once:
 *  1. each row's pivot: the r-th smallest of a strided sample of S = 256 of its values (for the
 *     columns before the block, the sample rows' bands of the earlier strips, contiguous), r set so
 *     that the pivot lies above the row's kp-th smallest value but in about 1e-4 of the rows;
 *  2. the earlier strips' bands, row by row: each value below its column's pivot (each column is a
 *     row of the block) appended to that row's list (value, index), in index order;
 *  3. the block's own strip, row by row: the values below the row's pivot appended the same way;
 *  4. each row's list selected as rowSelect does after its compaction (the same threshold and kept
 *     values: the kp smallest of the row). A row with fewer than kp values below its pivot (ties,
 *     NaN, an unlucky sample) or a list past its room is assembled alone and goes through rowSelect.
 * The lists use the value rows' region rv (row r: N / 2 values, then N / 2 indices), which then
 * holds no value rows: a caller that needs them (the rank counts) calls symsel. The diagonal of
 * strip I (each row's own value) is set to +Inf, as symsel sets it in the assembled row; only
 * block I ever reads it. Returns the number of rows assembled alone, or -1 when the block is not
 * worth it (too few points, or kp too close to N: nothing done, call symsel).
 */
#define LISTS_SAMPLE 256
/*
 * The rank r of a row's pivot among LISTS_SAMPLE sampled values (lambda: the sampled values
 * expected below the kk-th smallest; r = lambda + 4 sqrt(lambda) + 2 leaves about 1e-4 of the rows
 * with fewer than kk values below it), or -1 when a sample does not pay: too few points, or lists
 * longer than about N / 4.
 */
static int sampleRank(int N, int kk) {
  const int S = LISTS_SAMPLE;
  if (N < 4 * S) return -1;
  const double lambda = (double)S * kk / N;
  const int rp = (int)(lambda + 4.0 * sqrt(lambda) + 2.0);
  return rp >= S / 4 ? -1 : rp;
}

TARGET static int symselLists(uint8_t *mem, uint32_t so, int B, int N, int I, int kk, uint32_t hd, uint32_t hi, uint32_t hh, int C, uint32_t rv, uint32_t hs) {
  const int S = LISTS_SAMPLE, rp = sampleRank(N, kk);
  if (rp < 0) return -1;
  const int r0 = I * B, r1 = N < r0 + B ? N : r0 + B, rows = r1 - r0, L = N / 2, step = N / S;
  const uint32_t *soT = (const uint32_t *)(mem + so);
  float *sI = (float *)(mem + soT[I]);
  const size_t wI = (size_t)(N - r0);
  float *sv = (float *)(mem + hs);
  int32_t *si = (int32_t *)(mem + hs + (((size_t)N * 4 + 15) & ~(size_t)15));
  /* scratch: pivots, counts, packed columns, the sample, the partitions' scratch, one assembled row */
  float *T = (float *)malloc((size_t)rows * 4 + (size_t)rows * 4 + ((size_t)rows + 8) * 4 + (size_t)rows * S * 4 + ((size_t)N + 8) * 8 + (size_t)N * 4);
  if (!T) return -1;
  int32_t *cnt = (int32_t *)(T + rows), *pc = cnt + rows;
  float *smp = (float *)(pc + rows + 8);
  float *tv = smp + (size_t)rows * S;
  int32_t *ti = (int32_t *)(tv + N + 8);
  float *one = (float *)(ti + N + 8);
  for (int c = 0; c < rows; c++) sI[(size_t)c * wI + c] = INFINITY;
  /* 1. the sample and the pivots */
  const int sB = (r0 + step - 1) / step; /* the samples before the block: s < sB */
  for (int s = 0; s < sB; s++) {
    const int j = s * step, J = j / B, j0 = J * B;
    const float *src = (const float *)(mem + soT[J]) + (size_t)(j - j0) * (size_t)(N - j0) + (r0 - j0);
    for (int c = 0; c < rows; c++) smp[(size_t)c * S + s] = src[c];
  }
  float *lv0 = (float *)(mem + rv);
  const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  /* 2. per row of strip I: the rest of its sample, its pivot, then its values below the pivot
   * (the row is still in the cache): the list starts with the columns r0.. */
  for (int c = 0; c < rows; c++) {
    const float *src = sI + (size_t)c * wI;
    for (int s = sB; s < S; s++) smp[(size_t)c * S + s] = src[s * step - r0];
    for (int s = 0; s < S; s++) si[s] = s;
    const float p = partitionSelect(smp + (size_t)c * S, si, S, rp, sv, si + S);
    T[c] = p;
    float *lv = lv0 + (size_t)c * N;
    int32_t *li = (int32_t *)(lv + L);
    const __m256 P = _mm256_set1_ps(p);
    int n = 0;
    size_t col = 0;
    for (; col + 8 <= wI; col += 8) {
      if (n > L - 8) break;
      const __m256 x = _mm256_loadu_ps(src + col);
      const int mask = _mm256_movemask_ps(_mm256_cmp_ps(x, P, _CMP_LT_OQ));
      const __m256i perm = _mm256_loadu_si256((const __m256i *)packIdx[mask]);
      _mm256_storeu_ps(lv + n, _mm256_permutevar8x32_ps(x, perm));
      _mm256_storeu_si256((__m256i *)(li + n), _mm256_permutevar8x32_epi32(_mm256_add_epi32(iota, _mm256_set1_epi32(r0 + (int)col)), perm));
      n += __builtin_popcount(mask);
    }
    for (; col < wI && n <= L; col++) {
      const float x = src[col];
      if (x < p) {
        if (n < L) { lv[n] = x; li[n] = r0 + (int)col; }
        n++;
      }
    }
    cnt[c] = n;
  }
  /* 3. the earlier strips' bands: each of their rows gives at most one value to each row of the block */
  for (int J = 0; J < I; J++) {
    const int j0 = J * B;
    const float *sJ = (const float *)(mem + soT[J]);
    const size_t wJ = (size_t)(N - j0);
    for (int t = 0; t < B; t++) {
      const float *src = sJ + (size_t)t * wJ + (r0 - j0);
      const int32_t j = j0 + t;
      if (t + 4 < B) for (int c = 0; c < rows; c += 16) _mm_prefetch((const char *)(src + 4 * wJ + c), _MM_HINT_T0);
      int np = 0, c = 0;
      for (; c + 8 <= rows; c += 8) {
        const int mask = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(src + c), _mm256_loadu_ps(T + c), _CMP_LT_OQ));
        const __m256i perm = _mm256_loadu_si256((const __m256i *)packIdx[mask]);
        _mm256_storeu_si256((__m256i *)(pc + np), _mm256_permutevar8x32_epi32(_mm256_add_epi32(iota, _mm256_set1_epi32(c)), perm));
        np += __builtin_popcount(mask);
      }
      for (; c < rows; c++) { pc[np] = c; np += src[c] < T[c]; }
      for (int q = 0; q < np; q++) {
        const int cc = pc[q], n = cnt[cc];
        if (n < L) {
          float *lv = lv0 + (size_t)cc * N;
          lv[n] = src[cc];
          ((int32_t *)(lv + L))[n] = j;
        }
        cnt[cc] = n + 1;
      }
    }
  }
  /* 4. each row's select, as rowSelect after its compaction */
  int alone = 0;
  for (int c = 0; c < rows; c++) {
    const int m = cnt[c];
    const size_t o = (size_t)c * C * 4;
    float *bd = (float *)(mem + hd + o);
    int32_t *bi = (int32_t *)(mem + hi + o);
    uint8_t *h = mem + hh + ((size_t)c << 4);
    if (m < kk || m > L) { /* the row assembled alone (its own value is +Inf already) */
      for (int j = 0; j < r0; j++) {
        const int J = j / B, j0 = J * B;
        one[j] = ((const float *)(mem + soT[J]))[(size_t)(j - j0) * (size_t)(N - j0) + (r0 - j0) + c];
      }
      memcpy(one + r0, sI + (size_t)c * wI, wI * 4);
      rowSelect(one, N, kk, bd, bi, h, C, sv, si, tv, ti);
      alone++;
      continue;
    }
    float *lv = lv0 + (size_t)c * N;
    int32_t *li = (int32_t *)(lv + L);
    float Tq;
    if (m <= C) {
      memcpy(bd, lv, (size_t)m * 4);
      memcpy(bi, li, (size_t)m * 4);
      Tq = partitionSelect(bd, bi, m, kk, sv, si);
    } else {
      Tq = partitionSelect(lv, li, m, kk, tv, ti);
      memcpy(bd, lv, (size_t)kk * 4);
      memcpy(bi, li, (size_t)kk * 4);
    }
    *(float *)h = Tq;
    *(int32_t *)(h + 8) = kk;
  }
  free(T);
  return alone;
}

/*
 * The fused strips: no value is stored. At 5000 x 50 the strips' select read 50 MB of stored
 * values back from memory (12 of a k = 30 table's 28 ms). Here strip I (rows of block I, columns
 * from its first row on) is formed one block X of columns at a time into a cache-resident scratch
 * and filtered at once against the pivots of every point (pivots_f32, computed beforehand):
 * bucket R(I, X) gets the values below their row's pivot (the rows' own lists), bucket C(I, X),
 * X > I, those below their column's pivot (the pair's other half, for the rows of block X). Each
 * entry is a value and a key (c << 16 | q: row c of block I, column q of block X), compacted
 * without branches and written in sequence to the worker's arena (a fill counter at `fill`); the
 * table `tab` gives each bucket's place: 6 uint32 per (I, X) (values, keys, count of R, then of C;
 * count 0xFFFFFFFF: the arena was full); an R bucket's keys are followed by its rows' counts (its
 * rows' entries are consecutive: listsSelect copies them as runs). listsSelect gathers a block's rows from C(J, X), J < X,
 * then R(X, Y), Y >= X: the same entries in the same order whatever worker formed what strip.
 */
#define BUCKET_FULL 0xFFFFFFFFu
/* The entries of the rows of S (rows x nj, stride B) below their threshold (per row: Tr[c]; per column: Tc[q]) appended at V, K; their number, or -1 past cap. */
TARGET static int64_t bucketBelow(const float *S, int rows, int nj, int B, const float *Tr, const float *Tc, float *V, uint32_t *K, int64_t at, int64_t cap, uint32_t *rc) {
  const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const int64_t start = at;
  for (int c = 0; c < rows; c++) {
    if (at + nj + 8 > cap) return -1;
    const int64_t rowStart = at;
    const float *s = S + (size_t)c * B;
    const __m256i key = _mm256_set1_epi32(c << 16);
    const __m256 P = _mm256_set1_ps(Tr ? Tr[c] : 0.0f);
    int q = 0;
    for (; q + 8 <= nj; q += 8) { /* no branch on the mask: about 1 in 4 would pass, unpredictably */
      const __m256 v = _mm256_loadu_ps(s + q);
      const int mask = _mm256_movemask_ps(_mm256_cmp_ps(v, Tr ? P : _mm256_loadu_ps(Tc + q), _CMP_LT_OQ));
      const __m256i perm = _mm256_loadu_si256((const __m256i *)packIdx[mask]);
      _mm256_storeu_ps(V + at, _mm256_permutevar8x32_ps(v, perm));
      _mm256_storeu_si256((__m256i *)(K + at), _mm256_permutevar8x32_epi32(_mm256_add_epi32(key, _mm256_add_epi32(iota, _mm256_set1_epi32(q))), perm));
      at += __builtin_popcount(mask);
    }
    for (; q < nj; q++) {
      V[at] = s[q];
      K[at] = ((uint32_t)c << 16) | (uint32_t)q;
      at += s[q] < (Tr ? Tr[c] : Tc[q]);
    }
    if (rc) rc[c] = (uint32_t)(at - rowStart);
  }
  return at - start;
}

/* bucketBelow on AVX-512: 16 values a compare, compacted in a register (a compress to memory is slow on some CPUs). The same entries in the same order. */
TARGET512 static int64_t bucketBelow512(const float *S, int rows, int nj, int B, const float *Tr, const float *Tc, float *V, uint32_t *K, int64_t at, int64_t cap, uint32_t *rc) {
  const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const int64_t start = at;
  for (int c = 0; c < rows; c++) {
    if (at + nj + 16 > cap) return -1;
    const int64_t rowStart = at;
    const float *s = S + (size_t)c * B;
    const __m512i key = _mm512_add_epi32(iota, _mm512_set1_epi32(c << 16));
    const __m512 P = _mm512_set1_ps(Tr ? Tr[c] : 0.0f);
    int q = 0;
    for (; q + 16 <= nj; q += 16) {
      const __m512 v = _mm512_loadu_ps(s + q);
      const __mmask16 m = _mm512_cmp_ps_mask(v, Tr ? P : _mm512_loadu_ps(Tc + q), _CMP_LT_OQ);
      _mm512_storeu_ps(V + at, _mm512_maskz_compress_ps(m, v));
      _mm512_storeu_si512((void *)(K + at), _mm512_maskz_compress_epi32(m, _mm512_add_epi32(key, _mm512_set1_epi32(q))));
      at += __builtin_popcount((unsigned)m);
    }
    for (; q < nj; q++) {
      V[at] = s[q];
      K[at] = ((uint32_t)c << 16) | (uint32_t)q;
      at += s[q] < (Tr ? Tr[c] : Tc[q]);
    }
    if (rc) rc[c] = (uint32_t)(at - rowStart);
  }
  return at - start;
}

TARGET static int stripLists(uint8_t *mem, uint32_t x, uint32_t nrm, int Dp, int N, int B, int I, uint32_t piv, uint32_t tab, uint32_t av, uint32_t ak, uint32_t fill, uint32_t cap) {
  const float *T = (const float *)(mem + piv);
  uint32_t *tb = (uint32_t *)(mem + tab), *at = (uint32_t *)(mem + fill);
  float *V = (float *)(mem + av);
  uint32_t *K = (uint32_t *)(mem + ak);
  const int nb = (N + B - 1) / B, r0 = I * B, rows = (N < r0 + B ? N : r0 + B) - r0;
  float *S = (float *)aligned_alloc(64, (size_t)rows * B * 4 + (size_t)rows * 4);
  if (!S) return -1;
  uint32_t *rc = (uint32_t *)(S + (size_t)rows * B); /* an R bucket's entries per row, stored after them */
  int full = 0;
  for (int X = I; X < nb; X++) {
    const int j0 = X * B, nj = (N < j0 + B ? N : j0 + B) - j0;
    uint32_t *e = tb + ((size_t)I * nb + X) * 6;
    if (full) { e[2] = BUCKET_FULL; e[5] = BUCKET_FULL; continue; }
    vals(mem, x, nrm, Dp, r0, r0 + rows, j0, j0 + nj, B, S, B);
    if (X == I) for (int c = 0; c < rows; c++) S[(size_t)c * B + c] = INFINITY; /* the row itself */
    e[0] = av + *at * 4;
    e[1] = ak + *at * 4;
    int64_t n = (hasAvx512 ? bucketBelow512 : bucketBelow)(S, rows, nj, B, T + r0, NULL, V, K, *at, cap, rc);
    if (n < 0 || *at + n + rows > cap) { full = 1; e[2] = BUCKET_FULL; e[5] = BUCKET_FULL; continue; }
    e[2] = (uint32_t)n;
    memcpy(K + *at + n, rc, (size_t)rows * 4);
    *at += (uint32_t)n + (uint32_t)rows;
    if (X == I) { e[5] = 0; continue; } /* the diagonal block's pairs are both in R(I, I) */
    e[3] = av + *at * 4;
    e[4] = ak + *at * 4;
    n = (hasAvx512 ? bucketBelow512 : bucketBelow)(S, rows, nj, B, NULL, T + j0, V, K, *at, cap, NULL);
    if (n < 0) { full = 1; e[5] = BUCKET_FULL; continue; }
    e[5] = (uint32_t)n;
    *at += (uint32_t)n;
  }
  free(S);
  return 0;
}

/*
 * symsel's outputs for the rows of block X from the buckets (stripLists): each row's entries
 * counted, placed (from C(J, X), J < X, then R(X, Y), Y >= X: increasing index), then its kk
 * smallest selected as symselLists does. A row with fewer than kk entries (ties, NaN, an unlucky
 * sample), or every row of a block whose buckets did not fit, is formed alone (its N values
 * again) and selected as symsel does. Returns the number of rows formed alone, or -1 without
 * memory for the scratch.
 */
TARGET static int listsSelect(uint8_t *mem, uint32_t x, uint32_t nrm, int Dp, int N, int B, int X, int kk, uint32_t tab, uint32_t hd, uint32_t hi, uint32_t hh, int C) {
  const uint32_t *tb = (const uint32_t *)(mem + tab);
  const int nb = (N + B - 1) / B, r0 = X * B, rows = (N < r0 + B ? N : r0 + B) - r0;
  int full = 0;
  size_t total = 0;
  for (int J = 0; J < X; J++) { const uint32_t n = tb[((size_t)J * nb + X) * 6 + 5]; full |= n == BUCKET_FULL; total += n; }
  for (int Y = X; Y < nb; Y++) { const uint32_t n = tb[((size_t)X * nb + Y) * 6 + 2]; full |= n == BUCKET_FULL; total += n; }
  if (full) total = 0; /* every row formed alone */
  float *one = (float *)malloc(((size_t)N + 8) * 4 * 5 + ((size_t)rows + 1) * 8 + total * 8);
  if (!one) return -1;
  float *sv = one + N + 8, *tv = sv + 2 * ((size_t)N + 8);
  int32_t *si = (int32_t *)(sv + N + 8), *ti = (int32_t *)(tv + N + 8);
  int32_t *cnt = ti + N + 8, *pos = cnt + rows + 1;
  float *mv = (float *)(pos + rows + 1);
  int32_t *mi = (int32_t *)(mv + total);
  if (!full) {
    /* count, place: the column side (the row is the key's column q), then the row side (its row c) */
    memset(cnt, 0, ((size_t)rows + 1) * 4);
    for (int J = 0; J < X; J++) {
      const uint32_t *e = tb + ((size_t)J * nb + X) * 6;
      const uint32_t *K = (const uint32_t *)(mem + e[4]);
      for (uint32_t t = 0; t < e[5]; t++) cnt[K[t] & 0xFFFF]++;
    }
    for (int Y = X; Y < nb; Y++) { /* the row side's counts, stored after its entries */
      const uint32_t *e = tb + ((size_t)X * nb + Y) * 6;
      const uint32_t *rc = (const uint32_t *)(mem + e[1]) + e[2];
      for (int c = 0; c < rows; c++) cnt[c] += (int32_t)rc[c];
    }
    int32_t sum = 0;
    for (int c = 0; c < rows; c++) { pos[c] = sum; sum += cnt[c]; }
    for (int J = 0; J < X; J++) {
      const uint32_t *e = tb + ((size_t)J * nb + X) * 6;
      const float *V = (const float *)(mem + e[3]);
      const uint32_t *K = (const uint32_t *)(mem + e[4]);
      for (uint32_t t = 0; t < e[5]; t++) {
        const int at = pos[K[t] & 0xFFFF]++;
        mv[at] = V[t];
        mi[at] = J * B + (int)(K[t] >> 16);
      }
    }
    for (int Y = X; Y < nb; Y++) { /* a row's entries are consecutive there: copied as runs */
      const uint32_t *e = tb + ((size_t)X * nb + Y) * 6;
      const float *V = (const float *)(mem + e[0]);
      const uint32_t *K = (const uint32_t *)(mem + e[1]), *rc = K + e[2];
      const int base = Y * B;
      uint32_t t = 0;
      for (int c = 0; c < rows; c++) {
        const int n = (int)rc[c], at = pos[c];
        pos[c] = at + n;
        for (int u = 0; u < n; u++) {
          mv[at + u] = V[t + u];
          mi[at + u] = base + (int)(K[t + u] & 0xFFFF);
        }
        t += (uint32_t)n;
      }
    }
  }
  /* the rows formed alone: a group of ALONE_GROUP rows with several of them has its values formed
   * at once (one packing of each column block for all: all-equal points, where every row is
   * alone, took 3.5 times the stored strips' time a row at a time) */
  enum { ALONE_GROUP = 32 };
  int groupAlone[(256 + ALONE_GROUP - 1) / ALONE_GROUP + 1] = { 0 };
  for (int c = 0; c < rows && rows <= 256; c++) groupAlone[c / ALONE_GROUP] += (full ? 0 : cnt[c]) < kk;
  float *grp = NULL;
  int grpAt = -1;
  int alone = 0, o0 = 0;
  for (int c = 0; c < rows; c++) {
    const int i = r0 + c, m = full ? 0 : cnt[c];
    float *lv = mv + o0;
    int32_t *li = mi + o0;
    o0 += m;
    const size_t o = (size_t)c * C * 4;
    float *bd = (float *)(mem + hd + o);
    int32_t *bi = (int32_t *)(mem + hi + o);
    uint8_t *h = mem + hh + ((size_t)c << 4);
    if (m < kk) {
      const int g = c / ALONE_GROUP;
      float *row = one;
      if (rows <= 256 && groupAlone[g] >= 4 && (grp || (grp = (float *)malloc((size_t)ALONE_GROUP * N * 4)))) {
        const int g0 = g * ALONE_GROUP, g1 = g0 + ALONE_GROUP < rows ? g0 + ALONE_GROUP : rows;
        if (grpAt != g) vals(mem, x, nrm, Dp, r0 + g0, r0 + g1, 0, N, 256, grp, N);
        grpAt = g;
        row = grp + (size_t)(c - g0) * N;
      } else vals(mem, x, nrm, Dp, i, i + 1, 0, N, 256, one, N);
      row[i] = INFINITY;
      rowSelect(row, N, kk, bd, bi, h, C, sv, si, tv, ti);
      alone++;
      continue;
    }
    float Tq;
    if (m <= C) {
      memcpy(bd, lv, (size_t)m * 4);
      memcpy(bi, li, (size_t)m * 4);
      Tq = partitionSelect(bd, bi, m, kk, sv, si);
    } else {
      Tq = partitionSelect(lv, li, m, kk, tv, ti);
      memcpy(bd, lv, (size_t)kk * 4);
      memcpy(bi, li, (size_t)kk * 4);
    }
    *(float *)h = Tq;
    *(int32_t *)(h + 8) = kk;
  }
  free(grp);
  free(one);
  return alone;
}

/* The kernel memory (argument 0) and `count` integer arguments after it; NULL after throwing. */
static uint8_t *memArgs(napi_env env, napi_callback_info info, const char *name, size_t count, int64_t *a, size_t *memLength) {
  size_t argc = 24;
  napi_value argv[24];
  if (count + 1 > 24) { napi_throw_error(env, NULL, name); return NULL; }
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < count + 1) { napi_throw_error(env, NULL, name); return NULL; }
  napi_typedarray_type type;
  size_t length, offset;
  void *data;
  napi_value ab;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &data, &ab, &offset) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, name);
    return NULL;
  }
  for (size_t t = 0; t < count; t++) napi_get_value_int64(env, argv[t + 1], &a[t]);
  *memLength = length;
  return (uint8_t *)data;
}

/* vals_f32(memory: Uint8Array, x, nrm, Dp, r0, r1, j0, j1, BJ, RV, rsv) */
static napi_value ValsF32(napi_env env, napi_callback_info info) {
  int64_t a[10];
  size_t memLength;
  uint8_t *mem = memArgs(env, info, "vals_f32(memory: Uint8Array over the kernel memory, 10 offsets and sizes)", 10, a, &memLength);
  if (mem) vals(mem, (uint32_t)a[0], (uint32_t)a[1], (int)a[2], (int)a[3], (int)a[4], (int)a[5], (int)a[6], (int)a[7], (float *)(mem + a[8]), (int)a[9]);
  return NULL;
}

/* exact_l2_f32(memory: Uint8Array, orig, D, i0, i1, kp, hi, C, ed) */
static napi_value ExactL2F32(napi_env env, napi_callback_info info) {
  int64_t a[8];
  size_t memLength;
  uint8_t *mem = memArgs(env, info, "exact_l2_f32(memory: Uint8Array over the kernel memory, 8 offsets and sizes)", 8, a, &memLength);
  if (mem && hasAvx512 && BY_CANDIDATE(a[1], 4, a[3] - a[2]) && exact512ByCandidate(mem, memLength, (uint32_t)a[0], (int)a[1], (int)a[2], (int)a[3], (int)a[4], (uint32_t)a[5], (int)a[6], (uint32_t)a[7])) return NULL;
  if (mem && hasAvx512) exact512(mem, memLength, (uint32_t)a[0], (int)a[1], (int)a[2], (int)a[3], (int)a[4], (uint32_t)a[5], (int)a[6], (uint32_t)a[7]);
  else if (mem) exact(mem, memLength, (uint32_t)a[0], (int)a[1], (int)a[2], (int)a[3], (int)a[4], (uint32_t)a[5], (int)a[6], (uint32_t)a[7]);
  return NULL;
}

/* tile_f32(memory: Uint8Array, x, nrm, Dp, i0, i1, j0, j1, kk, hd, hi, BJ, sym, hh, C) */
static napi_value TileF32(napi_env env, napi_callback_info info) {
  size_t argc = 15;
  napi_value argv[15];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 15) { napi_throw_error(env, NULL, "tile_f32: 15 arguments expected"); return NULL; }
  napi_typedarray_type type;
  size_t length, offset;
  void *data;
  napi_value ab;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &data, &ab, &offset) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "tile_f32: the first argument must be a Uint8Array over the kernel memory");
    return NULL;
  }
  int64_t a[14];
  for (int t = 0; t < 14; t++) napi_get_value_int64(env, argv[t + 1], &a[t]);
  (hasAvx512 ? tile512 : tile)((uint8_t *)data, (uint32_t)a[0], (uint32_t)a[1], (int)a[2], (int)a[3], (int)a[4], (int)a[5], (int)a[6], (int)a[7],
    (uint32_t)a[8], (uint32_t)a[9], (int)a[10], (int)a[11], (uint32_t)a[12], (int)a[13]);
  return NULL;
}

/* exact_l2_f64(memory: Uint8Array, orig, D, i0, i1, kp, hi, C, ed): AVX-512 only (exact_l2_f64_supported) */
static napi_value ExactL2F64(napi_env env, napi_callback_info info) {
  int64_t a[8];
  size_t memLength;
  uint8_t *mem = memArgs(env, info, "exact_l2_f64(memory: Uint8Array over the kernel memory, 8 offsets and sizes)", 8, a, &memLength);
  if (mem && hasAvx512 && BY_CANDIDATE(a[1], 8, a[3] - a[2]) && exact512F64ByCandidate(mem, memLength, (uint32_t)a[0], (int)a[1], (int)a[2], (int)a[3], (int)a[4], (uint32_t)a[5], (int)a[6], (uint32_t)a[7])) return NULL;
  if (mem && hasAvx512) exact512_f64(mem, memLength, (uint32_t)a[0], (int)a[1], (int)a[2], (int)a[3], (int)a[4], (uint32_t)a[5], (int)a[6], (uint32_t)a[7]);
  else if (mem) exactF64(mem, memLength, (uint32_t)a[0], (int)a[1], (int)a[2], (int)a[3], (int)a[4], (uint32_t)a[5], (int)a[6], (uint32_t)a[7]);
  return NULL;
}

/*
 * The kd-tree's self rows (lib/neighbors/kdrows.ts kdRows, which documents the arguments): the
 * same tree walk, bounds, distances and (distance, index) heap, every floating-point operation
 * the same and in the same order (subtract, multiply, add, never fused: -ffp-contract=off; the
 * eight partial sums of distance.ts; sqrt and fmod are correctly rounded / exact, as Math.sqrt
 * and % are), so the rows are the JavaScript rows bit for bit. Where it departs from kdRows the
 * result cannot change: constant loops for euclidean D = 2, 3, 4, candidates beyond the bound
 * dropped before their sqrt, and the kept pairs sorted as keys (kdSorted) instead of popped.
 * No vectors: a 2-3 D query is branches and loads.
 */
typedef struct {
  const int32_t *start, *end, *left, *right, *perm;
  const double *lo, *hi, *pts, *per;
  int D, metric, maxk, size;
  double absSlack;
  double *hd, *q;
  int32_t *hx;
  unsigned __int128 *keys; /* 2 (cap + 1): kdSorted's keys and its merge buffer, then 512 for the network's halves */
  double *cd; /* kdCollect's candidates: cap distances, cap rows (and 8 more: the vector stores) */
  int32_t *ci;
  int cap;
  int leaf512; /* kdCollect's leaves by kdLeaf512 (kdLeaf256 without AVX-512) */
} KdJob;

/* The euclidean squared distance before its sqrt: distance.ts's eight partial sums. */
static inline __attribute__((always_inline)) double kdSq(const KdJob *k, const double *a, const double *b, const int D, const int per) {
  double p[8] = { 0, 0, 0, 0, 0, 0, 0, 0 };
  if (per) {
    for (int t = 0; t < D; t++) {
      const double L = k->per[t];
      double e = fmod(fabs(a[t] - b[t]), L);
      if (e > L - e) e = L - e;
      p[t & 7] += e * e;
    }
  } else {
    for (int t = 0; t < D; t++) { const double e = a[t] - b[t]; p[t & 7] += e * e; }
  }
  return ((p[0] + p[4]) + (p[2] + p[6])) + ((p[1] + p[5]) + (p[3] + p[7]));
}

static inline __attribute__((always_inline)) double kdDist(const KdJob *k, const double *a, const double *b, const int D, const int metric, const int per) {
  if (metric == 0) return sqrt(kdSq(k, a, b, D, per));
  double s = 0;
  for (int t = 0; t < D; t++) {
    double e = fabs(a[t] - b[t]);
    if (per) { const double L = k->per[t]; e = fmod(e, L); if (e > L - e) e = L - e; }
    if (metric == 2) s += e;
    else if (e > s) s = e;
  }
  return s;
}

static inline __attribute__((always_inline)) double kdBox(const KdJob *k, const double *q, int node, const int D, const int metric, const int per) {
  const double *lo = k->lo + (size_t)node * D, *hi = k->hi + (size_t)node * D;
  double s = 0;
  for (int t = 0; t < D; t++) {
    double g;
    const double l = lo[t], h = hi[t], v = q[t];
    if (per) {
      const double L = k->per[t], wd = h - l;
      if (wd >= L) g = 0;
      else {
        double a = fmod(v - l, L);
        if (a < 0) a += L;
        g = a <= wd ? 0 : (a - wd < L - a ? a - wd : L - a);
      }
    } else {
      g = v < l ? l - v : v > h ? v - h : 0;
    }
    if (metric == 0) s += g * g;
    else if (metric == 2) s += g;
    else if (g > s) s = g;
  }
  return metric == 0 ? sqrt(s) : s;
}

/* TopK.push on the heap (hd, hx) holding *size pairs (locals of the caller, kept in registers) */
static inline __attribute__((always_inline)) void kdPush(double *hd, int32_t *hx, int *size, const int maxk, double d, int32_t index) {
  if (*size < maxk) {
    int x = (*size)++;
    while (x > 0) {
      const int par = (x - 1) >> 1;
      if (hd[par] > d || (hd[par] == d && hx[par] > index)) break;
      hd[x] = hd[par]; hx[x] = hx[par]; x = par;
    }
    hd[x] = d; hx[x] = index;
    return;
  }
  if (d > hd[0] || (d == hd[0] && index > hx[0])) return;
  const int n = *size;
  int x = 0;
  for (;;) {
    const int l = 2 * x + 1;
    if (l >= n) break;
    int m = l;
    if (l + 1 < n && (hd[l + 1] > hd[l] || (hd[l + 1] == hd[l] && hx[l + 1] > hx[l]))) m = l + 1;
    if (hd[m] < d || (hd[m] == d && hx[m] < index)) break;
    hd[x] = hd[m]; hx[x] = hx[m]; x = m;
  }
  hd[x] = d; hx[x] = index;
}

/* B^2 (1 + 1e-15): a squared sum above it has sqrt > B whatever the rounding (B^2 normal: B >= 1e-140; else +Inf, no test) */
static inline double kdBoundSq(double B) {
  return B >= 1e-140 ? B * B * (1 + 1e-15) : INFINITY;
}

/* One query from tree position p (its point `self` excluded); 0 on a stack overflow. */
static inline __attribute__((always_inline)) int kdQuery(KdJob *k, int p, int32_t self, double initBound, const int D, const int metric, const int per) {
  const int maxk = k->maxk;
  int32_t stN[4 * 64 + 8];
  double stB[4 * 64 + 8];
  /* the query and the heap's size in locals: the heap's stores cannot alias them */
  double ql[16];
  double *q = D <= 16 ? ql : k->q, *hd = k->hd;
  int32_t *hx = k->hx;
  const double *pts = k->pts;
  const int32_t *perm = k->perm;
  int size = k->size;
  (void)self;
  for (int t = 0; t < D; t++) q[t] = pts[(size_t)p * D + t];
  int sp = 0;
  stN[sp] = 0; stB[sp] = 0; sp++;
  while (sp > 0) {
    sp--;
    const int node = stN[sp];
    const double hb = size < maxk ? INFINITY : hd[0], bound = hb < initBound ? hb : initBound;
    if (stB[sp] * (1 - 1e-12) - k->absSlack > bound) continue;
    const int l = k->left[node];
    if (l < 0) {
      const int e = k->end[node];
      for (int x = k->start[node]; x < e; x++) {
        if (x == p) continue; /* tree position p is row `self` */
        const double hb2 = size < maxk ? INFINITY : hd[0];
        double d;
        if (metric == 0) {
          /* a point whose squared sum exceeds B^2 (1 + 1e-15) has sqrt > B whatever the rounding
           * (B^2 normal: B >= 1e-140), so it is dropped before the sqrt; the rest are tested as in kdRows */
          const double s = kdSq(k, q, pts + (size_t)x * D, D, per), B = hb2 < initBound ? hb2 : initBound;
          if (s > kdBoundSq(B)) continue;
          d = sqrt(s);
        } else {
          d = kdDist(k, q, pts + (size_t)x * D, D, metric, per);
        }
        if (d <= hb2 && d <= initBound) kdPush(hd, hx, &size, maxk, d, perm[x]);
      }
      continue;
    }
    const int r = k->right[node];
    const double bl = kdBox(k, q, l, D, metric, per), br = kdBox(k, q, r, D, metric, per);
    if (sp + 2 > 4 * 64 + 8) { k->size = size; return 0; }
    if (bl <= br) { stN[sp] = r; stB[sp] = br; sp++; stN[sp] = l; stB[sp] = bl; sp++; }
    else { stN[sp] = l; stB[sp] = bl; sp++; stN[sp] = r; stB[sp] = br; sp++; }
  }
  k->size = size;
  return 1;
}

/*
 * The kk-th smallest (1-based) of the n doubles at v (not NaN; v is reordered; s: scratch of
 * n + 16): three-way partitions by AVX-512 compresses (no branch on the data) down to 16 values,
 * then an insertion sort.
 */
TARGET512 static double kthF64(double *v, int n, int kk, double *s) {
  int l = 0, r = n;
  const int k = kk - 1;
  while (r - l > 16) {
    const double a = v[l], b = v[(l + r) >> 1], c = v[r - 1];
    const double p = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
    const __m512d P = _mm512_set1_pd(p);
    int nl = 0, ng = 0;
    double *sg = s + (r - l) + 8; /* the values above p, from the far end of the scratch down */
    int j = l;
    for (; j + 8 <= r; j += 8) {
      const __m512d x = _mm512_loadu_pd(v + j);
      const __mmask8 lt = _mm512_cmp_pd_mask(x, P, _CMP_LT_OQ), gt = _mm512_cmp_pd_mask(x, P, _CMP_GT_OQ);
      _mm512_storeu_pd(s + nl, _mm512_maskz_compress_pd(lt, x));
      nl += __builtin_popcount(lt);
      const int cg = __builtin_popcount(gt);
      _mm512_storeu_pd(sg - ng - 8, _mm512_maskz_expand_pd((__mmask8)(0xFF00 >> cg), _mm512_maskz_compress_pd(gt, x)));
      ng += cg;
    }
    for (; j < r; j++) {
      const double x = v[j];
      if (x < p) s[nl++] = x;
      else if (x > p) { ng++; sg[-ng] = x; }
    }
    const int ne = (r - l) - nl - ng;
    if (k - l < nl) { memcpy(v + l, s, (size_t)nl * 8); r = l + nl; }
    else if (k - l < nl + ne) return p;
    else { memcpy(v + r - ng, sg - ng, (size_t)ng * 8); l = r - ng; }
  }
  for (int i = l + 1; i < r; i++) {
    const double x = v[i];
    int j = i;
    while (j > l && v[j - 1] > x) { v[j] = v[j - 1]; j--; }
    v[j] = x;
  }
  return v[k];
}

/* kthF64 without AVX-512: the same partitions, scalar and branch-free (s: scratch of 2 n). */
static double kthScalar(double *v, int n, int kk, double *s) {
  int l = 0, r = n;
  const int k = kk - 1;
  double *g = s + n;
  while (r - l > 16) {
    const double a = v[l], b = v[(l + r) >> 1], c = v[r - 1];
    const double p = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
    int nl = 0, ng = 0;
    for (int j = l; j < r; j++) {
      const double x = v[j];
      s[nl] = x;
      nl += x < p;
      g[ng] = x;
      ng += x > p;
    }
    const int ne = (r - l) - nl - ng;
    if (k - l < nl) { memcpy(v + l, s, (size_t)nl * 8); r = l + nl; }
    else if (k - l < nl + ne) return p;
    else { memcpy(v + r - ng, g, (size_t)ng * 8); l = r - ng; }
  }
  for (int i = l + 1; i < r; i++) {
    const double x = v[i];
    int j = i;
    while (j > l && v[j - 1] > x) { v[j] = v[j - 1]; j--; }
    v[j] = x;
  }
  return v[k];
}
/* The kk-th smallest of the n doubles at v (reordered; s: scratch of 2 n + 16). */
static double kthSmallest(double *v, int n, int kk, double *s) {
  return hasAvx512 ? kthF64(v, n, kk, s) : kthScalar(v, n, kk, s);
}

/*
 * kdCollect's leaf loop for euclidean rows of D <= 8 without a periodic box, 8 points at a time
 * (AVX-512): each slot p[t] = 0 + e * e = e * e, the same sum order as kdSq and the same sqrt, so
 * the same bits, without the scalar loop's branch on the bound (mispredicted about half the time).
 * Writes up to 8 slots past the count.
 */
TARGET512 static int kdLeaf512(const double *q, const double *pts, const int32_t *perm, int s0, int e, int p, double bound, double B2, int D,
  double *cd, int32_t *ci) {
  const __m512d Bv = _mm512_set1_pd(bound), B2v = _mm512_set1_pd(B2), zero = _mm512_setzero_pd();
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  int m = 0;
  for (int x = s0; x < e; x += 8) {
    const int n = e - x < 8 ? e - x : 8;
    __mmask8 valid = (__mmask8)((1u << n) - 1);
    if (p >= x && p < x + 8) valid &= (__mmask8)~(1u << (p - x)); /* the query's own point */
    const __m256i idx = _mm256_mullo_epi32(_mm256_add_epi32(_mm256_set1_epi32(x), lane), _mm256_set1_epi32(D));
    __m512d P[8];
    for (int t = 0; t < 8; t++) P[t] = zero;
    if (D == 2) { /* the 8 points' 16 coordinates in two loads, split into x and y (no gathers) */
      const __m512d a = _mm512_maskz_loadu_pd((__mmask8)(n >= 4 ? 0xFF : (1u << (2 * n)) - 1), pts + (size_t)x * 2);
      const __m512d b = _mm512_maskz_loadu_pd((__mmask8)(n <= 4 ? 0 : n == 8 ? 0xFF : (1u << (2 * (n - 4))) - 1), pts + (size_t)x * 2 + 8);
      const __m512d x0 = _mm512_permutex2var_pd(a, _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14), b);
      const __m512d x1 = _mm512_permutex2var_pd(a, _mm512_setr_epi64(1, 3, 5, 7, 9, 11, 13, 15), b);
      const __m512d d0 = _mm512_sub_pd(_mm512_set1_pd(q[0]), x0), d1 = _mm512_sub_pd(_mm512_set1_pd(q[1]), x1);
      P[0] = _mm512_mul_pd(d0, d0);
      P[1] = _mm512_mul_pd(d1, d1);
    } else {
      for (int t = 0; t < D; t++) {
        const __m512d xt = _mm512_mask_i32gather_pd(zero, valid, idx, pts + t, 8);
        const __m512d d = _mm512_sub_pd(_mm512_set1_pd(q[t]), xt);
        P[t] = _mm512_mul_pd(d, d);
      }
    }
    const __m512d sq = _mm512_add_pd(_mm512_add_pd(_mm512_add_pd(P[0], P[4]), _mm512_add_pd(P[2], P[6])),
      _mm512_add_pd(_mm512_add_pd(P[1], P[5]), _mm512_add_pd(P[3], P[7])));
    const __m512d dist = _mm512_sqrt_pd(sq);
    const __mmask8 keep = valid & _mm512_cmp_pd_mask(sq, B2v, _CMP_LE_OQ) & _mm512_cmp_pd_mask(dist, Bv, _CMP_LE_OQ);
    _mm512_storeu_pd(cd + m, _mm512_maskz_compress_pd(keep, dist));
    const __m512i pv = _mm512_maskz_loadu_epi32((__mmask16)((1u << n) - 1), perm + x);
    _mm256_storeu_si256((__m256i *)(ci + m), _mm512_castsi512_si256(_mm512_maskz_compress_epi32((__mmask16)keep, pv)));
    m += __builtin_popcount(keep);
  }
  return m;
}

/* Left-packing permutations of four 64-bit lanes, as pairs of 32-bit lanes (for _mm256_permutevar8x32). */
static int32_t pack64Idx[16][8];
static void initPack64Idx(void) {
  for (int m = 0; m < 16; m++) {
    int q = 0;
    for (int l = 0; l < 4; l++) if (m & (1 << l)) { pack64Idx[m][2 * q] = 2 * l; pack64Idx[m][2 * q + 1] = 2 * l + 1; q++; }
    for (; q < 4; q++) { pack64Idx[m][2 * q] = 0; pack64Idx[m][2 * q + 1] = 1; }
  }
}

/* kdLeaf512 on AVX2: 4 points at a time, the same operations (so the same bits). Writes up to 4 slots past the count. */
TARGET static int kdLeaf256(const double *q, const double *pts, const int32_t *perm, int s0, int e, int p, double bound, double B2, int D,
  double *cd, int32_t *ci) {
  const __m256d Bv = _mm256_set1_pd(bound), B2v = _mm256_set1_pd(B2), zero = _mm256_setzero_pd();
  const __m128i lane = _mm_setr_epi32(0, 1, 2, 3);
  int m = 0;
  for (int x = s0; x < e; x += 4) {
    const int n = e - x < 4 ? e - x : 4;
    int valid = (1 << n) - 1;
    if (p >= x && p < x + 4) valid &= ~(1 << (p - x)); /* the query's own point */
    const __m256i vmask = _mm256_cvtepi32_epi64(_mm_cmplt_epi32(lane, _mm_set1_epi32(n)));
    const __m128i idx = _mm_mullo_epi32(_mm_add_epi32(_mm_set1_epi32(x), lane), _mm_set1_epi32(D));
    __m256d P[8];
    for (int t = 0; t < 8; t++) P[t] = zero;
    for (int t = 0; t < D; t++) {
      const __m256d xt = _mm256_mask_i32gather_pd(zero, pts + t, idx, _mm256_castsi256_pd(vmask), 8);
      const __m256d d = _mm256_sub_pd(_mm256_set1_pd(q[t]), xt);
      P[t] = _mm256_mul_pd(d, d);
    }
    const __m256d sq = _mm256_add_pd(_mm256_add_pd(_mm256_add_pd(P[0], P[4]), _mm256_add_pd(P[2], P[6])),
      _mm256_add_pd(_mm256_add_pd(P[1], P[5]), _mm256_add_pd(P[3], P[7])));
    const __m256d dist = _mm256_sqrt_pd(sq);
    const int keep = valid & _mm256_movemask_pd(_mm256_and_pd(_mm256_cmp_pd(sq, B2v, _CMP_LE_OQ), _mm256_cmp_pd(dist, Bv, _CMP_LE_OQ)));
    const __m256i pd = _mm256_loadu_si256((const __m256i *)pack64Idx[keep]);
    _mm256_storeu_pd(cd + m, _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_castpd_ps(dist), pd)));
    const __m256i pi = _mm256_loadu_si256((const __m256i *)packIdx[keep]);
    int32_t rows[8];
    for (int l = 0; l < 4; l++) rows[l] = l < n ? perm[x + l] : 0;
    rows[4] = rows[5] = rows[6] = rows[7] = 0;
    _mm_storeu_si128((__m128i *)(ci + m), _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(_mm256_loadu_si256((const __m256i *)rows), pi)));
    m += __builtin_popcount(keep);
  }
  return m;
}

/*
 * Every point x != p (tree positions) within `bound` of the query at tree position p, appended
 * (distance, row) to cd / ci (room for cap); the same pruning and distance tests as kdQuery. When
 * the room runs out, the bound drops to the maxk-th smallest distance collected (kthF64) and only
 * those up to it stay (ties included): the points beyond it cannot be among the maxk smallest. So
 * a loose first bound (higher D: the points within it grow as (bound / k-th)^D) costs a few
 * selects, like the heap's shrinking bound, instead of failing. Returns the count, -1 when ties
 * at the bound fill the room, -2 on a stack overflow.
 */
/*
 * Keeps in place (cd, ci) the m >= maxk candidates up to the maxk-th smallest distance, ties at it
 * included (the maxk smallest by (distance, row) are among them); returns their count, and that
 * distance in *T.
 */
static int kdKeepNearest(KdJob *k, double *cd, int32_t *ci, int m, double *T) {
  double *v = (double *)k->keys; /* scratch: 4 (cap + 1) doubles, kthSmallest needs 3 m */
  memcpy(v, cd, (size_t)m * 8);
  const double t = kthSmallest(v, m, k->maxk, v + m);
  int c = 0;
  for (int q = 0; q < m; q++) {
    cd[c] = cd[q];
    ci[c] = ci[q];
    c += cd[q] <= t;
  }
  *T = t;
  return c;
}

static inline __attribute__((always_inline)) int kdCollect(KdJob *k, int p, double bound, double *cd, int32_t *ci, int cap, const int D, const int metric, const int per) {
  int32_t stN[4 * 64 + 8];
  double stB[4 * 64 + 8];
  double ql[16];
  double *q = D <= 16 ? ql : k->q;
  const double *pts = k->pts;
  const int32_t *perm = k->perm;
  for (int t = 0; t < D; t++) q[t] = pts[(size_t)p * D + t];
  double B2 = kdBoundSq(bound);
  int m = 0, sp = 0;
  stN[sp] = 0; stB[sp] = 0; sp++;
  while (sp > 0) {
    sp--;
    const int node = stN[sp];
    if (stB[sp] * (1 - 1e-12) - k->absSlack > bound) continue;
    const int l = k->left[node];
    if (l < 0) {
      const int e = k->end[node], s0 = k->start[node];
      if (m + (e - s0) > cap) {
        m = kdKeepNearest(k, cd, ci, m, &bound);
        B2 = kdBoundSq(bound);
        if (m + (e - s0) > cap) return -1;
        if (stB[sp] * (1 - 1e-12) - k->absSlack > bound) continue; /* this leaf is now beyond the bound */
      }
      if (k->leaf512) {
        m += hasAvx512 ? kdLeaf512(q, pts, perm, s0, e, p, bound, B2, D, cd + m, ci + m) : kdLeaf256(q, pts, perm, s0, e, p, bound, B2, D, cd + m, ci + m);
        continue;
      }
      for (int x = s0; x < e; x++) {
        double d;
        if (metric == 0) {
          const double s = kdSq(k, q, pts + (size_t)x * D, D, per);
          d = s > B2 ? INFINITY : sqrt(s);
        } else {
          d = kdDist(k, q, pts + (size_t)x * D, D, metric, per);
        }
        cd[m] = d;
        ci[m] = perm[x];
        m += (d <= bound) & (x != p);
      }
      continue;
    }
    const int r = k->right[node];
    const double bl = kdBox(k, q, l, D, metric, per), br = kdBox(k, q, r, D, metric, per);
    if (sp + 2 > 4 * 64 + 8) return -2;
    if (bl <= br) { stN[sp] = r; stB[sp] = br; sp++; stN[sp] = l; stB[sp] = bl; sp++; }
    else { stN[sp] = l; stB[sp] = bl; sp++; stN[sp] = r; stB[sp] = br; sp++; }
  }
  return m;
}

/*
 * The heap's pairs in ascending (distance, index) order (what TopK.drainSorted writes): distances
 * are >= +0, so their bits read as an unsigned integer keep their order, and (bits << 32 | index)
 * is one 96-bit key with the lexicographic order; a bottom-up merge sort with branch-free merge
 * steps sorts the keys, and the pairs come back bit for bit. (The heap's pops mispredicted a
 * branch at almost every level: a quarter of the query's time.)
 */
typedef unsigned __int128 KdKey;

/*
 * The n two-part keys (H: distance bits, L: index code) sorted ascending by (H, L): a bitonic
 * network on AVX-512 comparing H only, 8 keys per register (n a power of 2, 8 .. 256; every
 * compare-exchange one compare and blends, no branch on the data; L rides along), then each run of
 * equal H put in L order (rare: equal distances). 128 keys: 1.2 us against 3.0 for sortKeys'
 * merges, whose steps wait on the previous step's comparison; comparing H only (one compare per
 * exchange instead of three) took the Fig1 table from 59 to 56 ms.
 */
TARGET512 static void bitonicKeys(uint64_t *H, uint64_t *L, int n) {
  const int nv = n >> 3;
  __m512i h[32], l[32];
  for (int v = 0; v < nv; v++) { h[v] = _mm512_loadu_si512(H + 8 * v); l[v] = _mm512_loadu_si512(L + 8 * v); }
  const __m512i lane = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7);
  for (int k = 2; k <= n; k <<= 1) {
    for (int j = k >> 1; j > 0; j >>= 1) {
      if (j >= 8) { /* partners in another register: v and v ^ j / 8 */
        const int jv = j >> 3;
        for (int v = 0; v < nv; v++) {
          const int w = v ^ jv;
          if (w < v) continue;
          const __m512i iv = _mm512_add_epi64(lane, _mm512_set1_epi64(8 * v));
          const __mmask8 asc = _mm512_testn_epi64_mask(iv, _mm512_set1_epi64(k)); /* (i & k) == 0: ascending */
          const __mmask8 lt = _mm512_cmplt_epu64_mask(h[v], h[w]);
          const __mmask8 keep = (__mmask8)~(lt ^ asc); /* v keeps its key where it is the one its side wants */
          const __m512i nh = _mm512_mask_blend_epi64(keep, h[w], h[v]), nl = _mm512_mask_blend_epi64(keep, l[w], l[v]);
          h[w] = _mm512_mask_blend_epi64(keep, h[v], h[w]);
          l[w] = _mm512_mask_blend_epi64(keep, l[v], l[w]);
          h[v] = nh;
          l[v] = nl;
        }
      } else { /* partners in the same register: lane ^ j */
        const __m512i pidx = _mm512_xor_si512(lane, _mm512_set1_epi64(j));
        for (int v = 0; v < nv; v++) {
          const __m512i iv = _mm512_add_epi64(lane, _mm512_set1_epi64(8 * v));
          const __mmask8 asc = _mm512_testn_epi64_mask(iv, _mm512_set1_epi64(k));
          const __mmask8 low = _mm512_testn_epi64_mask(iv, _mm512_set1_epi64(j)); /* the lower lane of its pair */
          const __m512i ph = _mm512_permutexvar_epi64(pidx, h[v]), pl = _mm512_permutexvar_epi64(pidx, l[v]);
          const __mmask8 wantMin = (__mmask8)~(low ^ asc);
          /* equal keys stay where they are in both lanes of the pair (a lane that keeps its key
           * when equal and one that takes its partner's would duplicate a payload) */
          const __mmask8 keep = (__mmask8)((wantMin & ~_mm512_cmpgt_epu64_mask(h[v], ph)) | (~wantMin & ~_mm512_cmplt_epu64_mask(h[v], ph)));
          h[v] = _mm512_mask_blend_epi64(keep, ph, h[v]);
          l[v] = _mm512_mask_blend_epi64(keep, pl, l[v]);
        }
      }
    }
  }
  for (int v = 0; v < nv; v++) { _mm512_storeu_si512(H + 8 * v, h[v]); _mm512_storeu_si512(L + 8 * v, l[v]); }
  for (int t = 1; t < n; t++) {
    if (H[t] != H[t - 1]) continue;
    const uint64_t h = H[t], x = L[t];
    int j = t;
    while (j > 0 && H[j - 1] == h && L[j - 1] > x) { L[j] = L[j - 1]; j--; }
    L[j] = x;
  }
}


/* The n keys at a sorted ascending (a bottom-up merge sort, branch-free merge steps; b: scratch of n); returns where they are (a or b). */
static KdKey *sortKeys(KdKey *a, KdKey *b, int n) {
  for (int s0 = 0; s0 < n; s0 += 8) { /* insertion sort of runs of 8 */
    const int e = s0 + 8 < n ? s0 + 8 : n;
    for (int i = s0 + 1; i < e; i++) {
      const KdKey v = a[i];
      int j = i;
      while (j > s0 && a[j - 1] > v) { a[j] = a[j - 1]; j--; }
      a[j] = v;
    }
  }
  for (int wd = 8; wd < n; wd *= 2) {
    for (int s0 = 0; s0 < n; s0 += 2 * wd) {
      const int m = s0 + wd < n ? s0 + wd : n, e = s0 + 2 * wd < n ? s0 + 2 * wd : n;
      int i = s0, j = m, o = s0;
      while (i < m && j < e) {
        const KdKey x = a[i], y = a[j];
        const int takeY = y < x;
        b[o++] = takeY ? y : x;
        j += takeY; i += 1 - takeY;
      }
      while (i < m) b[o++] = a[i++];
      while (j < e) b[o++] = a[j++];
    }
    KdKey *t = a; a = b; b = t;
  }
  return a;
}

/*
 * The n keys at a sorted ascending, returned where they are (a or b, n each): by the network
 * (bitonicKeys, on the keys' halves in hl: 512 words, padded with keys above every real one) on
 * AVX-512 up to 256 keys, else by sortKeys.
 */
/*
 * bitonicKeys on AVX2: 4 keys per register, 64-bit signed compares (the distance bits of keys >=
 * +0 are below 2^63, and the padding is 2^63 - 1, so signed is unsigned here); the same exchanges,
 * equal keys staying in both lanes, and the same runs of equal H put in L order.
 */
TARGET static void bitonicKeys256(uint64_t *H, uint64_t *L, int n) {
  const int nv = n >> 2;
  __m256i h[64], l[64];
  for (int v = 0; v < nv; v++) { h[v] = _mm256_loadu_si256((const __m256i *)(H + 4 * v)); l[v] = _mm256_loadu_si256((const __m256i *)(L + 4 * v)); }
  const __m256i lane = _mm256_setr_epi64x(0, 1, 2, 3), zero = _mm256_setzero_si256(), ones = _mm256_set1_epi64x(-1);
  for (int k = 2; k <= n; k <<= 1) {
    for (int j = k >> 1; j > 0; j >>= 1) {
      if (j >= 4) { /* partners in another register: v and v ^ j / 4 */
        const int jv = j >> 2;
        for (int v = 0; v < nv; v++) {
          const int w = v ^ jv;
          if (w < v) continue;
          const __m256i iv = _mm256_add_epi64(lane, _mm256_set1_epi64x(4 * v));
          const __m256i asc = _mm256_cmpeq_epi64(_mm256_and_si256(iv, _mm256_set1_epi64x(k)), zero);
          const __m256i lt = _mm256_cmpgt_epi64(h[w], h[v]);
          const __m256i keep = _mm256_xor_si256(_mm256_xor_si256(lt, asc), ones);
          const __m256i nh = _mm256_blendv_epi8(h[w], h[v], keep), nl = _mm256_blendv_epi8(l[w], l[v], keep);
          h[w] = _mm256_blendv_epi8(h[v], h[w], keep);
          l[w] = _mm256_blendv_epi8(l[v], l[w], keep);
          h[v] = nh;
          l[v] = nl;
        }
      } else { /* partners in the same register: lane ^ j (j = 2: the other half; j = 1: the neighbour) */
        for (int v = 0; v < nv; v++) {
          const __m256i iv = _mm256_add_epi64(lane, _mm256_set1_epi64x(4 * v));
          const __m256i asc = _mm256_cmpeq_epi64(_mm256_and_si256(iv, _mm256_set1_epi64x(k)), zero);
          const __m256i low = _mm256_cmpeq_epi64(_mm256_and_si256(iv, _mm256_set1_epi64x(j)), zero);
          const __m256i wantMin = _mm256_xor_si256(_mm256_xor_si256(low, asc), ones);
          const __m256i ph = j == 2 ? _mm256_permute4x64_epi64(h[v], 0x4E) : _mm256_permute4x64_epi64(h[v], 0xB1);
          const __m256i pl = j == 2 ? _mm256_permute4x64_epi64(l[v], 0x4E) : _mm256_permute4x64_epi64(l[v], 0xB1);
          const __m256i gt = _mm256_cmpgt_epi64(h[v], ph), lt = _mm256_cmpgt_epi64(ph, h[v]);
          /* a lane that wants the minimum keeps its key unless it is above its partner's; one that wants the maximum, unless below */
          const __m256i keep = _mm256_or_si256(_mm256_andnot_si256(gt, wantMin), _mm256_andnot_si256(_mm256_or_si256(wantMin, lt), ones));
          h[v] = _mm256_blendv_epi8(ph, h[v], keep);
          l[v] = _mm256_blendv_epi8(pl, l[v], keep);
        }
      }
    }
  }
  for (int v = 0; v < nv; v++) { _mm256_storeu_si256((__m256i *)(H + 4 * v), h[v]); _mm256_storeu_si256((__m256i *)(L + 4 * v), l[v]); }
  for (int t = 1; t < n; t++) {
    if (H[t] != H[t - 1]) continue;
    const uint64_t hv = H[t], x = L[t];
    int j = t;
    while (j > 0 && H[j - 1] == hv && L[j - 1] > x) { L[j] = L[j - 1]; j--; }
    L[j] = x;
  }
}
/* The (H, L) keys sorted by (H, L) (n a power of 2, 8 .. 256; H below 2^63, padding 2^63 - 1). */
static void sortHalves(uint64_t *H, uint64_t *L, int n) {
  if (hasAvx512) bitonicKeys(H, L, n);
  else bitonicKeys256(H, L, n);
}
#define KEY_PAD 0x7FFFFFFFFFFFFFFFull

static KdKey *sortKeysFast(KdKey *a, KdKey *b, int n, uint64_t *hl) {
  if (n > 256) return sortKeys(a, b, n);
  uint64_t *H = hl, *L = hl + 256;
  int m = 8;
  while (m < n) m <<= 1;
  for (int t = 0; t < n; t++) { H[t] = (uint64_t)(a[t] >> 32); L[t] = (uint32_t)a[t]; }
  for (int t = n; t < m; t++) { H[t] = KEY_PAD; L[t] = ~0ull; }
  sortHalves(H, L, m);
  for (int t = 0; t < n; t++) a[t] = ((KdKey)H[t] << 32) | (uint32_t)L[t];
  return a;
}

/* The maxk smallest of kdCollect's m >= maxk candidates in ascending (distance, row) order, as kdSorted writes them. */
static void kdCollectedSorted(KdJob *k, int m, double *outD, int32_t *outI) {
  int pm = 8, pk = 8; /* the network's sizes for m and for maxk keys */
  while (pm < m) pm <<= 1;
  while (pk < k->maxk) pk <<= 1;
  double T;
  if (pm > pk) m = kdKeepNearest(k, k->cd, k->ci, m, &T); /* a smaller sort */
  if (m <= 256) {
    /* (distance bits, row) halves sorted by the network (distances >= +0: the bits keep the order) */
    uint64_t *H = (uint64_t *)(k->keys + 2 * (k->cap + 1)), *L = H + 256;
    int n2 = 8;
    while (n2 < m) n2 <<= 1;
    for (int t = 0; t < m; t++) { memcpy(&H[t], &k->cd[t], 8); L[t] = (uint32_t)k->ci[t]; }
    for (int t = m; t < n2; t++) { H[t] = KEY_PAD; L[t] = ~0ull; }
    sortHalves(H, L, n2);
    for (int t = 0; t < k->maxk; t++) {
      memcpy(&outD[t], &H[t], 8);
      outI[t] = (int32_t)(uint32_t)L[t];
    }
    return;
  }
  /* more than 256 (maxk > 256, or ties at the maxk-th distance): 96-bit keys by the merge sort */
  KdKey *a = k->keys, *b = k->keys + k->cap + 1;
  for (int t = 0; t < m; t++) {
    uint64_t bits;
    memcpy(&bits, &k->cd[t], 8);
    a[t] = ((KdKey)bits << 32) | (uint32_t)k->ci[t];
  }
  a = sortKeys(a, b, m);
  for (int t = 0; t < k->maxk; t++) {
    const uint64_t bits = (uint64_t)(a[t] >> 32);
    memcpy(&outD[t], &bits, 8);
    outI[t] = (int32_t)(uint32_t)a[t];
  }
}

static void kdSorted(KdJob *k, double *outD, int32_t *outI) {
  const int n = k->size;
  KdKey *a = k->keys, *b = k->keys + k->maxk;
  for (int t = 0; t < n; t++) {
    uint64_t bits;
    memcpy(&bits, &k->hd[t], 8);
    a[t] = ((KdKey)bits << 32) | (uint32_t)k->hx[t];
  }
  a = sortKeysFast(a, b, n, (uint64_t *)(k->keys + 2 * k->maxk + 2));
  for (int t = 0; t < n; t++) {
    const uint64_t bits = (uint64_t)(a[t] >> 32);
    memcpy(&outD[t], &bits, 8);
    outI[t] = (int32_t)(uint32_t)a[t];
  }
  k->size = 0;
}


/* (d, i) below (e, j) in the engine's order (asm pairLess): by distance, ties by index. */
static inline int pairBelow(double d, int32_t i, double e, int32_t j) {
  return d < e || (d == e && i < j);
}

/*
 * asm/knn.ts sort_rows for the table's stage 2: each row's kp candidates (exact distances at ed,
 * stride kp; indices at hi, stride C) sorted in place by (distance, index), the k smallest written
 * from column c0 of output row r (stride w). The order is a strict total order (the indices of a
 * row differ), so any correct sort gives the same bytes as the WebAssembly partial sort. Rows whose
 * distances are all >= +0 (not NaN) are sorted as 96-bit keys (distance bits, index with its sign
 * bit flipped: the signed order) by sortKeys; the rest (a cosine distance of -1e-16, -0) by an
 * insertion sort on the pairs. The WebAssembly quickselect and insertion sort mispredicted most of
 * their branches: a quarter of the workers' time in a 5000 x 50 table (maxk = 100).
 */
static void sortRows(uint8_t *mem, uint32_t ed, uint32_t hi, int rows, int kp, int C, int k, uint32_t outD, uint32_t outI, int w, int c0, KdKey *keys) {
  for (int r = 0; r < rows; r++) {
    double *pd = (double *)(mem + ed) + (size_t)r * kp;
    int32_t *pi = (int32_t *)(mem + hi) + (size_t)r * C;
    int plain = 1;
    for (int t = 0; t < kp; t++) {
      uint64_t bits;
      memcpy(&bits, &pd[t], 8);
      plain &= bits <= 0x7FF0000000000000ull; /* +0 .. +Inf: the bits keep the order */
      keys[t] = ((KdKey)bits << 32) | ((uint32_t)pi[t] ^ 0x80000000u);
    }
    if (plain) {
      const KdKey *a = sortKeysFast(keys, keys + kp, kp, (uint64_t *)(keys + 2 * kp + 2));
      for (int t = 0; t < kp; t++) {
        const uint64_t bits = (uint64_t)(a[t] >> 32);
        memcpy(&pd[t], &bits, 8);
        pi[t] = (int32_t)((uint32_t)a[t] ^ 0x80000000u);
      }
    } else {
      for (int a = 1; a < kp; a++) {
        const double d = pd[a];
        const int32_t x = pi[a];
        int b = a - 1;
        while (b >= 0 && !pairBelow(pd[b], pi[b], d, x)) { pd[b + 1] = pd[b]; pi[b + 1] = pi[b]; b--; }
        pd[b + 1] = d;
        pi[b + 1] = x;
      }
    }
    double *od = (double *)(mem + outD) + (size_t)r * w + c0;
    int32_t *oi = (int32_t *)(mem + outI) + (size_t)r * w + c0;
    memcpy(od, pd, (size_t)k * 8);
    memcpy(oi, pi, (size_t)k * 4);
  }
}

/* Rows at tree positions [p0, p1) into outD / outI (stride maxk + 1); 0 on a stack overflow. */
static inline __attribute__((always_inline)) int kdRowsT(KdJob *k, int p0, int p1, double *outD, int32_t *outI, const int D, const int metric, const int per) {
  const int maxk = k->maxk, w = maxk + 1;
  double prevK = INFINITY;
  for (int p = p0; p < p1; p++) {
    const int32_t i = k->perm[p];
    k->size = 0;
    const double init = p > p0 && isfinite(prevK)
      ? (prevK + kdDist(k, k->pts + (size_t)(p - 1) * D, k->pts + (size_t)p * D, D, metric, per)) * (1 + 1e-9) + 1e-300 : INFINITY;
    const size_t o = (size_t)i * w;
    outD[o] = 0; outI[o] = i;
    /* a finite bound: the points within it collected without a heap, then sorted (the same k smallest) */
    const int m = isfinite(init) ? kdCollect(k, p, init, k->cd, k->ci, k->cap, D, metric, per) : -3;
    if (m == -2) return 0;
    if (m >= maxk) {
      kdCollectedSorted(k, m, outD + o + 1, outI + o + 1);
    } else { /* the heap: within the bound (not collected, or more than cap there), or unbounded (fewer than maxk there) */
      k->size = 0;
      if (!kdQuery(k, p, i, m < 0 ? init : INFINITY, D, metric, per)) return 0;
      if (k->size < maxk) { k->size = 0; if (!kdQuery(k, p, i, INFINITY, D, metric, per)) return 0; }
      kdSorted(k, outD + o + 1, outI + o + 1);
    }
    prevK = outD[o + maxk];
  }
  return 1;
}

/* kdRowsT specialised (constant D and metric: unrolled loops, no branch on the metric) for the
 * common cases, the generic copy for the rest; every copy does the same operations. */
static int kdRows(KdJob *k, int p0, int p1, double *outD, int32_t *outI) {
  const int per = k->per != NULL;
  if (!per && k->metric == 0) {
    if (k->D == 2) return kdRowsT(k, p0, p1, outD, outI, 2, 0, 0);
    if (k->D == 3) return kdRowsT(k, p0, p1, outD, outI, 3, 0, 0);
    if (k->D == 4) return kdRowsT(k, p0, p1, outD, outI, 4, 0, 0);
  }
  return kdRowsT(k, p0, p1, outD, outI, k->D, k->metric, per);
}

/* kd_rows(memory: Uint8Array, perm, pts, start, end, left, right, lo, hi, per (-1: none), outD, outI, D, metric, absSlack, maxk, p0, p1
 * [, out: Uint8Array]): outD and outI are offsets into `out` when it is given (the table's own shared buffer), else into memory */
static napi_value KdRows(napi_env env, napi_callback_info info) {
  size_t argc = 19;
  napi_value argv[19];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 18) { napi_throw_error(env, NULL, "kd_rows: 18 arguments expected"); return NULL; }
  napi_typedarray_type type;
  size_t length, offset;
  void *data;
  napi_value ab;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &data, &ab, &offset) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "kd_rows: the first argument must be a Uint8Array over the pool memory");
    return NULL;
  }
  double a[17];
  for (int t = 0; t < 17; t++) napi_get_value_double(env, argv[t + 1], &a[t]);
  uint8_t *mem = (uint8_t *)data;
  KdJob k;
  k.perm = (const int32_t *)(mem + (size_t)a[0]); k.pts = (const double *)(mem + (size_t)a[1]);
  k.start = (const int32_t *)(mem + (size_t)a[2]); k.end = (const int32_t *)(mem + (size_t)a[3]);
  k.left = (const int32_t *)(mem + (size_t)a[4]); k.right = (const int32_t *)(mem + (size_t)a[5]);
  k.lo = (const double *)(mem + (size_t)a[6]); k.hi = (const double *)(mem + (size_t)a[7]);
  k.per = a[8] < 0 ? NULL : (const double *)(mem + (size_t)a[8]);
  uint8_t *outMem = mem;
  if (argc >= 19) {
    napi_valuetype vt;
    napi_typeof(env, argv[18], &vt);
    if (vt == napi_object) {
      void *od;
      if (napi_get_typedarray_info(env, argv[18], &type, &length, &od, &ab, &offset) != napi_ok || type != napi_uint8_array) {
        napi_throw_type_error(env, NULL, "kd_rows: the output buffer must be a Uint8Array");
        return NULL;
      }
      outMem = (uint8_t *)od;
    }
  }
  double *outD = (double *)(outMem + (size_t)a[9]);
  int32_t *outI = (int32_t *)(outMem + (size_t)a[10]);
  k.D = (int)a[11]; k.metric = (int)a[12]; k.absSlack = a[13]; k.maxk = (int)a[14];
  k.size = 0;
  k.hd = (double *)malloc(sizeof(double) * ((size_t)k.maxk + k.D + 1));
  k.hx = (int32_t *)malloc(sizeof(int32_t) * ((size_t)k.maxk + 1));
  k.cap = 2 * k.maxk + 256;
  k.keys = (unsigned __int128 *)malloc(sizeof(unsigned __int128) * (2 * ((size_t)k.cap + 1) + 512)); /* sortKeys' 2 cap, the network's halves */
  k.cd = (double *)malloc(sizeof(double) * ((size_t)k.cap + 8));
  k.ci = (int32_t *)malloc(sizeof(int32_t) * ((size_t)k.cap + 8));
  k.leaf512 = k.metric == 0 && k.per == NULL && k.D <= 8;
  if (!k.hd || !k.hx || !k.keys || !k.cd || !k.ci) {
    free(k.hd); free(k.hx); free(k.keys); free(k.cd); free(k.ci);
    napi_throw_error(env, NULL, "kd_rows: out of memory");
    return NULL;
  }
  k.q = k.hd + k.maxk;
  const int ok = kdRows(&k, (int)a[15], (int)a[16], outD, outI);
  free(k.hd); free(k.hx); free(k.keys); free(k.cd); free(k.ci);
  if (!ok) napi_throw_error(env, NULL, "KdTree: stack overflow");
  return NULL;
}

/* The r-th smallest of v[0, n) (r <= 64, NaN counted as +Inf): the r smallest so far kept sorted in
 * registers, each value inserted without a branch (with A sorted and S = A shifted up one lane,
 * min(A, max(S, x)) is A with x in its place and the largest dropped); four such lists over the
 * values in turn (an insertion waits for the one before), then merged. partitionSelect took 2.5
 * times a row's 256 products (3 ms of a 5000 x 50 table's 23); a scalar insertion sort mispredicted
 * about 40 times a row. */
TARGET static inline __attribute__((always_inline)) void insert8(__m256 *A, const int nv, const __m256 x) {
  const __m256i rot = _mm256_setr_epi32(7, 0, 1, 2, 3, 4, 5, 6);
  __m256 prev = _mm256_set1_ps(-INFINITY);
  for (int t = 0; t < nv; t++) {
    const __m256 P = _mm256_permutevar8x32_ps(A[t], rot);
    const __m256 S = _mm256_blend_ps(P, prev, 1);
    prev = P;
    A[t] = _mm256_min_ps(A[t], _mm256_max_ps(S, x));
  }
}
TARGET static inline __attribute__((always_inline)) float kthByInsertionN(const float *v, int n, int r, const int nv) {
  __m256 A[4][8];
  for (int c = 0; c < 4; c++) for (int t = 0; t < nv; t++) A[c][t] = _mm256_set1_ps(INFINITY);
  int i = 0;
  for (; i + 4 <= n; i += 4)
    for (int c = 0; c < 4; c++) insert8(A[c], nv, _mm256_set1_ps(v[i + c] == v[i + c] ? v[i + c] : INFINITY));
  for (; i < n; i++) insert8(A[0], nv, _mm256_set1_ps(v[i] == v[i] ? v[i] : INFINITY));
  float rest[3][64];
  for (int c = 1; c < 4; c++) for (int t = 0; t < nv; t++) _mm256_storeu_ps(rest[c - 1] + 8 * t, A[c][t]);
  for (int c = 0; c < 3; c++) for (int t = 0; t < r; t++) insert8(A[0], nv, _mm256_set1_ps(rest[c][t]));
  float out[64];
  for (int t = 0; t < nv; t++) _mm256_storeu_ps(out + 8 * t, A[0][t]);
  return out[r - 1];
}
TARGET static float kthByInsertion(const float *v, int n, int r) {
  switch ((r + 7) / 8) {
    case 1: return kthByInsertionN(v, n, r, 1);
    case 2: return kthByInsertionN(v, n, r, 2);
    case 3: return kthByInsertionN(v, n, r, 3);
    case 4: return kthByInsertionN(v, n, r, 4);
    case 5: return kthByInsertionN(v, n, r, 5);
    case 6: return kthByInsertionN(v, n, r, 6);
    case 7: return kthByInsertionN(v, n, r, 7);
    default: return kthByInsertionN(v, n, r, 8);
  }
}

/*
 * The r-th smallest of v[0, n) (r <= 64, n a multiple of 64 up to 256, NaN counted as +Inf), most values
 * ruled out first: with G >= r groups (group g: v[g], v[g + G], ...), the r-th smallest of the
 * groups' minima, t, has r values at or below it, so the answer is at most t and only the values
 * up to t (a few times r) go through kthByInsertion: about 40 insertions a row instead of 256.
 */
TARGET static float kthSample(const float *v, int n, int r) {
  const int G = r <= 8 ? 8 : r <= 16 ? 16 : r <= 32 ? 32 : 64;
  if (n > 256 || n % 64) return kthByInsertion(v, n, r); /* keep[] holds 256 values and a vector's spill */
  __m256 M[8];
  for (int u = 0; u < G / 8; u++) M[u] = _mm256_set1_ps(INFINITY);
  for (int t = 0; t < n; t += G)
    for (int u = 0; u < G / 8; u++) M[u] = _mm256_min_ps(_mm256_loadu_ps(v + t + 8 * u), M[u]); /* a NaN value leaves M */
  float mins[64], keep[264];
  for (int u = 0; u < G / 8; u++) _mm256_storeu_ps(mins + 8 * u, M[u]);
  const __m256 T = _mm256_set1_ps(kthByInsertion(mins, G, r));
  int c = 0;
  for (int t = 0; t < n; t += 8) {
    const __m256 x = _mm256_loadu_ps(v + t);
    const int mask = _mm256_movemask_ps(_mm256_cmp_ps(x, T, _CMP_LE_OQ));
    _mm256_storeu_ps(keep + c, _mm256_permutevar8x32_ps(x, _mm256_loadu_si256((const __m256i *)packIdx[mask])));
    c += __builtin_popcount(mask);
  }
  return c >= r ? kthByInsertion(keep, c, r) : kthByInsertion(v, n, r);
}

/*
 * Starting thresholds for the symmetric tiles' candidate buffers, and the fused strips' pivots
 * (row i's float32 threshold at out[i stride]: the tiles' 16-byte headers, or one array; the rows
 * [i0, i1) of N): for each row the r-th smallest of its
 * values against S = 256 evenly spaced rows (values as the kernels form them, Nr[i] + Nr[j] - 2
 * x_i . x_j; its own value left out), r as in symselLists, so that about 1e-4 of the rows have
 * fewer than kk values below it. A threshold only decides which candidates are offered: every
 * value left out is at least the row's threshold (what the exact stage relies on), and a row left
 * with fewer than kk candidates is not certified and goes through the second pass. From a
 * threshold of +Inf the first tiles offered every value and filled the buffers again and again
 * (the tiles took 54 ms of a 5000 x 50 table against the strips' 35). Returns the number of rows
 * given a threshold (0: not worth it).
 */
TARGET static int pivots(uint8_t *mem, uint32_t x, uint32_t nrm, int Dp, int N, int i0, int i1, int kk, float *out, size_t stride) {
  const int S = LISTS_SAMPLE, rp = sampleRank(N, kk), R = 32;
  if (rp < 0) return 0;
  const float *X = (const float *)(mem + x), *Nr = (const float *)(mem + nrm);
  const int step = N / S;
  /* the sample rows packed column-major (P[d S + s]) and their norms, then R rows' values: the
   * strips' matrix-product kernels (a row at a time against 64 columns took twice as long) */
  float *P = (float *)aligned_alloc(64, ((size_t)Dp * S + S + (size_t)R * S) * sizeof(float));
  if (!P) return 0;
  float *NS = P + (size_t)Dp * S, *v = NS + S;
  for (int s = 0; s < S; s++) {
    const float *src = X + (size_t)(s * step) * Dp;
    for (int d = 0; d < Dp; d++) P[(size_t)d * S + s] = src[d];
    NS[s] = Nr[s * step];
  }
  for (int b = i0; b < i1; b += R) {
    const int e = b + R < i1 ? b + R : i1;
    if (hasAvx512) valsPacked512(X, Nr, Dp, b, e, P, NS, S, S, v, S);
    else valsPacked256(X, Nr, Dp, b, e, P, NS, S, S, v, S);
    for (int i = b; i < e; i++) {
      float *vi = v + (size_t)(i - b) * S;
      if (i % step == 0 && i / step < S) vi[i / step] = INFINITY; /* the row itself */
      out[(size_t)i * stride] = kthSample(vi, S, rp);
    }
  }
  free(P);
  return i1 - i0;
}

/* pivots_f32(memory: Uint8Array, x, nrm, Dp, N, i0, i1, kk, out, stride): the rows given a threshold
 * (pivots), row i's at out + 4 i stride bytes (the tiles' headers: stride 4; the lists: 1) */
static napi_value PivotsF32(napi_env env, napi_callback_info info) {
  int64_t a[9];
  size_t memLength;
  uint8_t *mem = memArgs(env, info, "pivots_f32(memory: Uint8Array over the kernel memory, 9 offsets and sizes)", 9, a, &memLength);
  if (!mem) return NULL;
  napi_value r;
  napi_create_int32(env, pivots(mem, (uint32_t)a[0], (uint32_t)a[1], (int)a[2], (int)a[3], (int)a[4], (int)a[5], (int)a[6], (float *)(mem + a[7]), (size_t)a[8]), &r);
  return r;
}

/* use_avx512([on]): whether the AVX-512 kernels run, set for the whole process when `on` is given
 * (only where the CPU has them and DADALAB_NATIVE_AVX512 is not 0): the tests run the AVX2 paths
 * on an AVX-512 machine this way, in-process */
static int canAvx512 = 0;
static napi_value UseAvx512(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], r;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  bool on;
  if (argc >= 1 && napi_get_value_bool(env, argv[0], &on) == napi_ok) hasAvx512 = on && canAvx512;
  napi_get_boolean(env, hasAvx512, &r);
  return r;
}

/* symsel_lists_f32(memory: Uint8Array, so, B, N, I, kk, hd, hi, hh, C, rv, hs): the rows assembled alone, or -1: symsel must run (symselLists) */
static napi_value SymselListsF32(napi_env env, napi_callback_info info) {
  int64_t a[11];
  size_t memLength;
  uint8_t *mem = memArgs(env, info, "symsel_lists_f32(memory: Uint8Array over the kernel memory, 11 offsets and sizes)", 11, a, &memLength);
  if (!mem) return NULL;
  const int alone = symselLists(mem, (uint32_t)a[0], (int)a[1], (int)a[2], (int)a[3], (int)a[4], (uint32_t)a[5], (uint32_t)a[6], (uint32_t)a[7], (int)a[8], (uint32_t)a[9], (uint32_t)a[10]);
  napi_value r;
  napi_create_int32(env, alone, &r);
  return r;
}

/* strip_lists_f32(memory: Uint8Array, x, nrm, Dp, N, B, I, piv, tab, av, ak, fill, cap): strip I's buckets (stripLists) */
static napi_value StripListsF32(napi_env env, napi_callback_info info) {
  int64_t a[12];
  size_t memLength;
  uint8_t *mem = memArgs(env, info, "strip_lists_f32(memory: Uint8Array over the kernel memory, 12 offsets and sizes)", 12, a, &memLength);
  if (!mem) return NULL;
  if (a[4] < 1 || a[4] > 65536) { napi_throw_range_error(env, NULL, "strip_lists_f32: blocks of 1 to 65536 rows (the keys hold 16 bits)"); return NULL; }
  const int ok = stripLists(mem, (uint32_t)a[0], (uint32_t)a[1], (int)a[2], (int)a[3], (int)a[4], (int)a[5], (uint32_t)a[6], (uint32_t)a[7], (uint32_t)a[8], (uint32_t)a[9], (uint32_t)a[10], (uint32_t)a[11]);
  if (ok < 0) napi_throw_error(env, NULL, "strip_lists_f32: out of memory for a strip's scratch");
  return NULL;
}

/* lists_select_f32(memory: Uint8Array, x, nrm, Dp, N, B, X, kk, tab, hd, hi, hh, C): the rows formed alone (listsSelect) */
static napi_value ListsSelectF32(napi_env env, napi_callback_info info) {
  int64_t a[12];
  size_t memLength;
  uint8_t *mem = memArgs(env, info, "lists_select_f32(memory: Uint8Array over the kernel memory, 12 offsets and sizes)", 12, a, &memLength);
  if (!mem) return NULL;
  const int alone = listsSelect(mem, (uint32_t)a[0], (uint32_t)a[1], (int)a[2], (int)a[3], (int)a[4], (int)a[5], (int)a[6], (uint32_t)a[7], (uint32_t)a[8], (uint32_t)a[9], (uint32_t)a[10], (int)a[11]);
  if (alone < 0) { napi_throw_error(env, NULL, "lists_select_f32: out of memory for a block's scratch"); return NULL; }
  napi_value r;
  napi_create_int32(env, alone, &r);
  return r;
}

/*
 * release_pages(memory: Uint8Array, from): the memory's pages from byte `from` (rounded up to a
 * page) to its end given back to the system; they read as zeros when touched again. The pool's
 * shared memory is shared memory of the kernel (MADV_REMOVE frees it; MADV_DONTNEED where it is
 * private). Lets the pool keep its workers (their compiled code: the first jobs after a fresh
 * start ran 2-3 times slower) while giving back what a large job grew. Returns the bytes given
 * back, or -1 when the system refused.
 */
static napi_value ReleasePages(napi_env env, napi_callback_info info) {
  int64_t a[1];
  size_t memLength;
  uint8_t *mem = memArgs(env, info, "release_pages(memory: Uint8Array over the kernel memory, from)", 1, a, &memLength);
  if (!mem) return NULL;
  const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
  const uintptr_t lo = ((uintptr_t)mem + (uintptr_t)(a[0] < 0 ? 0 : a[0]) + page - 1) & ~(page - 1), hi = ((uintptr_t)mem + memLength) & ~(page - 1);
  double released = 0;
  if (hi > lo) {
    if (madvise((void *)lo, hi - lo, MADV_REMOVE) != 0 && madvise((void *)lo, hi - lo, MADV_DONTNEED) != 0) released = -1;
    else released = (double)(hi - lo);
  }
  napi_value r;
  napi_create_double(env, released, &r);
  return r;
}

/* symsel_f32(memory: Uint8Array, so, B, N, I, kk, hd, hi, hh, C, rv, hs) */
static napi_value SymselF32(napi_env env, napi_callback_info info) {
  int64_t a[11];
  size_t memLength;
  uint8_t *mem = memArgs(env, info, "symsel_f32(memory: Uint8Array over the kernel memory, 11 offsets and sizes)", 11, a, &memLength);
  if (mem) symsel(mem, (uint32_t)a[0], (int)a[1], (int)a[2], (int)a[3], (int)a[4], (uint32_t)a[5], (uint32_t)a[6], (uint32_t)a[7], (int)a[8], (uint32_t)a[9], (uint32_t)a[10]);
  return NULL;
}


/*
 * lib/neighbors/wasm.ts prepareWasm's float32 euclidean rows, on the main thread before the
 * workers start (at 5000 x 768 the JavaScript took 30 ms of a 245 ms table, every worker idle):
 * the mean of the N reference rows of orig (float64 sums in row order, then / N), each row
 * centred, rounded to float32 into xs (Dp wide, the padding zeroed), its squared norm summed in
 * float64 (ns as float32, sqn as float64). The same operations in the same order as storeRows32
 * (compiled with -ffp-contract=off), so the same bytes. Returns [unsafe (0/1), sqnMax].
 */
static void storeRows32(const uint8_t *mem, uint32_t origOff, int origF32, int rows, int N, int D, int Dp, uint32_t xOff, uint32_t nOff, uint32_t sqnOff,
  double *mean, int *unsafe, double *sqnMax) {
  const float *o32 = (const float *)(mem + origOff);
  const double *o64 = (const double *)(mem + origOff);
  for (int t = 0; t < D; t++) mean[t] = 0;
  for (int i = 0; i < N; i++) {
    const size_t o = (size_t)i * D;
    if (origF32) for (int t = 0; t < D; t++) mean[t] += (double)o32[o + t];
    else for (int t = 0; t < D; t++) mean[t] += o64[o + t];
  }
  for (int t = 0; t < D; t++) mean[t] /= N;
  float *xs = (float *)(mem + xOff), *ns = (float *)(mem + nOff);
  double *sqn = (double *)(mem + sqnOff);
  *unsafe = 0;
  *sqnMax = 0;
  for (int r = 0; r < rows; r++) {
    const size_t o = (size_t)r * D, ox = (size_t)r * Dp;
    double s = 0;
    for (int t = 0; t < D; t++) {
      const float w = (float)((origF32 ? (double)o32[o + t] : o64[o + t]) - mean[t]);
      xs[ox + t] = w;
      s += (double)w * (double)w;
    }
    ns[r] = (float)s;
    if (!isfinite(ns[r]) || !isfinite(s)) *unsafe = 1;
    for (int t = D; t < Dp; t++) xs[ox + t] = 0;
    sqn[r] = s;
    if (r < N && s > *sqnMax) *sqnMax = s;
  }
}

/* store_rows_f32(memory: Uint8Array, origOff, origF32, rows, N, D, Dp, xOff, nOff, sqnOff): [unsafe, sqnMax] */
static napi_value StoreRowsF32(napi_env env, napi_callback_info info) {
  int64_t a[9];
  size_t memLength;
  uint8_t *mem = memArgs(env, info, "store_rows_f32(memory: Uint8Array over the kernel memory, 9 offsets and sizes)", 9, a, &memLength);
  if (!mem) return NULL;
  double *mean = (double *)malloc(sizeof(double) * ((size_t)a[4] + 1));
  if (!mean) { napi_throw_error(env, NULL, "store_rows_f32: out of memory"); return NULL; }
  int unsafe;
  double sqnMax;
  storeRows32(mem, (uint32_t)a[0], (int)a[1], (int)a[2], (int)a[3], (int)a[4], (int)a[5], (uint32_t)a[6], (uint32_t)a[7], (uint32_t)a[8], mean, &unsafe, &sqnMax);
  free(mean);
  napi_value out, v;
  napi_create_array_with_length(env, 2, &out);
  napi_create_double(env, unsafe, &v);
  napi_set_element(env, out, 0, v);
  napi_create_double(env, sqnMax, &v);
  napi_set_element(env, out, 1, v);
  return out;
}

/*
 * The kd-tree's build (lib/neighbors/kdtree.ts kdBuild / kdSplit / quickselect, operation for
 * operation, so the same perm, ranges, children and boxes): each node's box a dimension at a
 * time, the split at the median of the widest coordinate by a median-of-three quickselect (ties
 * by row index). In JavaScript the build was 12% of a Fig1 20000 x 2 table's CPU time, most of it
 * while the queries waited.
 */
typedef struct {
  int32_t *perm, *start, *end, *left, *right;
  double *lo, *hi;
  const double *src64;
  const float *src32;
  int D, leaf, err;
  int64_t nodeCap;
} KdBuilder;

/* coordinate dim of the point at tree position p (a copy of the coordinates moved with perm, read
   in sequence, was no faster: the partitions' mispredicted branches dominate) */
static inline double kbKey(const KdBuilder *b, int p, int dim) {
  const int64_t o = (int64_t)b->perm[p] * b->D + dim;
  return b->src64 ? b->src64[o] : (double)b->src32[o];
}

#define KB_LESS(a, ia, c, ic) ((a) < (c) || ((a) == (c) && (ia) < (ic)))

/* quickselect: moves the element of rank kth (by coordinate dim, ties by row index) into place */
static void kbSelect(const KdBuilder *b, int dim, int l, int r, int kth) {
  const int32_t *perm = b->perm;
  while (r > l) {
    const int m = (l + r) >> 1;
    int a = l, c = m, z = r;
    if (KB_LESS(kbKey(b, c, dim), perm[c], kbKey(b, a, dim), perm[a])) { const int t = a; a = c; c = t; }
    if (KB_LESS(kbKey(b, z, dim), perm[z], kbKey(b, c, dim), perm[c])) {
      c = z;
      if (KB_LESS(kbKey(b, c, dim), perm[c], kbKey(b, a, dim), perm[a])) c = a;
    }
    const double pv = kbKey(b, c, dim);
    const int32_t pi = perm[c];
    int i = l, j = r;
    while (i <= j) {
      while (KB_LESS(kbKey(b, i, dim), perm[i], pv, pi)) i++;
      while (KB_LESS(pv, pi, kbKey(b, j, dim), perm[j])) j--;
      if (i <= j) { const int32_t t = b->perm[i]; b->perm[i] = b->perm[j]; b->perm[j] = t; i++; j--; }
    }
    if (kth <= j) r = j;
    else if (kth >= i) l = i;
    else return;
  }
}

/* kdSplit: node's range and box, then the split; the middle, or -1 for a leaf */
static int kbSplit(KdBuilder *b, int s, int e, int node) {
  if (node < 0 || node >= b->nodeCap) { b->err = 1; return -1; }
  const int D = b->D;
  b->start[node] = s;
  b->end[node] = e;
  double *lo = b->lo + (int64_t)node * D, *hi = b->hi + (int64_t)node * D;
  for (int t = 0; t < D; t++) {
    double mn = INFINITY, mx = -INFINITY;
    for (int p = s; p < e; p++) {
      const double v = kbKey(b, p, t);
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
    lo[t] = mn;
    hi[t] = mx;
  }
  if (e - s <= b->leaf) { b->left[node] = -1; b->right[node] = -1; return -1; }
  int dim = 0;
  double width = -1;
  for (int t = 0; t < D; t++) { const double w = hi[t] - lo[t]; if (w > width) { width = w; dim = t; } }
  if (!(width > 0)) { b->left[node] = -1; b->right[node] = -1; return -1; }
  const int mid = (s + e) >> 1;
  kbSelect(b, dim, s, e - 1, mid);
  return mid;
}

/* kdBuild: the subtree of [s, e) as node, its descendants from next on in preorder; the next free node */
static int kbBuild(KdBuilder *b, int s, int e, int node, int next) {
  const int mid = kbSplit(b, s, e, node);
  if (mid < 0 || b->err) return next;
  b->left[node] = next;
  next = kbBuild(b, s, mid, next, next + 1);
  if (b->err) return next;
  b->right[node] = next;
  return kbBuild(b, mid, e, next, next + 1);
}

/* The data of a typed array argument of type `want` or `alt` (its type in *got, its length in *len), or NULL. */
static void *typedArrayArg(napi_env env, napi_value v, napi_typedarray_type want, napi_typedarray_type alt, napi_typedarray_type *got, size_t *len) {
  napi_typedarray_type type;
  size_t offset;
  void *data;
  napi_value ab;
  bool isTyped = false;
  if (napi_is_typedarray(env, v, &isTyped) != napi_ok || !isTyped) return NULL;
  if (napi_get_typedarray_info(env, v, &type, len, &data, &ab, &offset) != napi_ok || (type != want && type != alt)) return NULL;
  if (got) *got = type;
  return data;
}

/*
 * kd_build(perm, src, start, end, left, right, lo, hi, D, s, e, leaf, node, next, splitOnly):
 * kdBuild (returns the next free node), or with splitOnly kdSplit (returns the middle or -1).
 * perm, start, end, left, right: Int32Array; src: Float64Array or Float32Array (rows of D); lo,
 * hi: Float64Array. Throws when a node or a row falls outside the arrays given.
 */
static napi_value KdBuild(napi_env env, napi_callback_info info) {
  size_t argc = 15;
  napi_value argv[15];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  const char *usage = "kd_build(perm, src, start, end, left, right, lo, hi, D, s, e, leaf, node, next, splitOnly)";
  if (argc < 15) { napi_throw_type_error(env, NULL, usage); return NULL; }
  KdBuilder b;
  size_t lens[8];
  napi_typedarray_type srcType = napi_float64_array;
  b.perm = (int32_t *)typedArrayArg(env, argv[0], napi_int32_array, napi_int32_array, NULL, &lens[0]);
  void *src = typedArrayArg(env, argv[1], napi_float64_array, napi_float32_array, &srcType, &lens[1]);
  b.start = (int32_t *)typedArrayArg(env, argv[2], napi_int32_array, napi_int32_array, NULL, &lens[2]);
  b.end = (int32_t *)typedArrayArg(env, argv[3], napi_int32_array, napi_int32_array, NULL, &lens[3]);
  b.left = (int32_t *)typedArrayArg(env, argv[4], napi_int32_array, napi_int32_array, NULL, &lens[4]);
  b.right = (int32_t *)typedArrayArg(env, argv[5], napi_int32_array, napi_int32_array, NULL, &lens[5]);
  b.lo = (double *)typedArrayArg(env, argv[6], napi_float64_array, napi_float64_array, NULL, &lens[6]);
  b.hi = (double *)typedArrayArg(env, argv[7], napi_float64_array, napi_float64_array, NULL, &lens[7]);
  double a[7];
  for (int t = 0; t < 7; t++) {
    if (napi_get_value_double(env, argv[8 + t], &a[t]) != napi_ok) { napi_throw_type_error(env, NULL, usage); return NULL; }
  }
  if (!b.perm || !src || !b.start || !b.end || !b.left || !b.right || !b.lo || !b.hi) { napi_throw_type_error(env, NULL, usage); return NULL; }
  b.D = (int)a[0];
  b.leaf = (int)a[3];
  b.err = 0;
  const int s0 = (int)a[1], e0 = (int)a[2], node = (int)a[4], next = (int)a[5];
  size_t cap = lens[2];
  for (int t = 3; t < 6; t++) if (lens[t] < cap) cap = lens[t];
  if (b.D < 1) { napi_throw_range_error(env, NULL, "kd_build: D must be at least 1"); return NULL; }
  if (lens[6] / (size_t)b.D < cap) cap = lens[6] / (size_t)b.D;
  if (lens[7] / (size_t)b.D < cap) cap = lens[7] / (size_t)b.D;
  b.nodeCap = (int64_t)cap;
  // every row of perm[s0, e0) must be a row of src
  int bad = s0 < 0 || e0 < s0 || (size_t)e0 > lens[0];
  for (int p = s0; !bad && p < e0; p++) bad = b.perm[p] < 0 || ((size_t)b.perm[p] + 1) * (size_t)b.D > lens[1];
  if (bad) { napi_throw_range_error(env, NULL, "kd_build: the range or a row of perm falls outside the arrays"); return NULL; }
  b.src64 = srcType == napi_float64_array ? (const double *)src : NULL;
  b.src32 = srcType == napi_float32_array ? (const float *)src : NULL;
  const int r = a[6] != 0 ? kbSplit(&b, s0, e0, node) : kbBuild(&b, s0, e0, node, next);
  if (b.err) { napi_throw_range_error(env, NULL, "kd_build: the tree needs more nodes than its arrays hold"); return NULL; }
  napi_value out;
  napi_create_int32(env, r, &out);
  return out;
}

/*
 * overlap_counts(ia: Int32Array, wa, ib: Int32Array, wb, k, out: Float64Array): for each of the
 * out.length rows, the number of indices among columns 1..k of row i of ia (stride wa) that are
 * also among columns 1..k of row i of ib (stride wb), over k (lib/compare/overlap.ts
 * dataOverlapPerPoint; the same division, so the same bits). Every index must be in [0, rows).
 * JavaScript took 4 ms for 20000 rows at k = 30. Returns 0, or -1 when an index is out of range
 * (out is then not relied on: the caller runs its JavaScript loop instead).
 */
static napi_value OverlapCounts(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  const char *usage = "overlap_counts(ia: Int32Array, wa, ib: Int32Array, wb, k, out: Float64Array)";
  if (argc < 6) { napi_throw_type_error(env, NULL, usage); return NULL; }
  size_t la, lb, lo;
  const int32_t *ia = (const int32_t *)typedArrayArg(env, argv[0], napi_int32_array, napi_int32_array, NULL, &la);
  const int32_t *ib = (const int32_t *)typedArrayArg(env, argv[2], napi_int32_array, napi_int32_array, NULL, &lb);
  double *out = (double *)typedArrayArg(env, argv[5], napi_float64_array, napi_float64_array, NULL, &lo);
  double a[3];
  if (!ia || !ib || !out || napi_get_value_double(env, argv[1], &a[0]) != napi_ok || napi_get_value_double(env, argv[3], &a[1]) != napi_ok
    || napi_get_value_double(env, argv[4], &a[2]) != napi_ok) { napi_throw_type_error(env, NULL, usage); return NULL; }
  const int64_t wa = (int64_t)a[0], wb = (int64_t)a[1], k = (int64_t)a[2], N = (int64_t)lo;
  if (k < 1 || wa <= k || wb <= k || (int64_t)la < N * wa || (int64_t)lb < N * wb) { napi_throw_range_error(env, NULL, "overlap_counts: the tables are too short for k"); return NULL; }
  int32_t *stamp = (int32_t *)malloc(sizeof(int32_t) * (size_t)(N > 0 ? N : 1));
  if (!stamp) { napi_throw_error(env, NULL, "overlap_counts: out of memory"); return NULL; }
  for (int64_t i = 0; i < N; i++) stamp[i] = -1;
  int bad = 0;
  for (int64_t i = 0; i < N && !bad; i++) {
    const int32_t *ra = ia + i * wa, *rb = ib + i * wb;
    for (int64_t m = 1; m <= k; m++) {
      const int32_t x = ra[m];
      if (x < 0 || x >= N) { bad = 1; break; }
      stamp[x] = (int32_t)i;
    }
    int c = 0;
    for (int64_t m = 1; m <= k && !bad; m++) {
      const int32_t x = rb[m];
      if (x < 0 || x >= N) { bad = 1; break; }
      c += stamp[x] == (int32_t)i;
    }
    out[i] = (double)c / (double)k;
  }
  free(stamp);
  napi_value r;
  napi_create_int32(env, bad ? -1 : 0, &r);
  return r;
}

/* max_abs(values: Float64Array or Float32Array): the largest |value| (lib/neighbors/scale.ts maxAbs; NaN: skipped, as Math.abs(NaN) > a is false) */
static napi_value MaxAbs(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_typedarray_type type;
  size_t length, offset;
  void *data;
  napi_value ab;
  if (argc < 1 || napi_get_typedarray_info(env, argv[0], &type, &length, &data, &ab, &offset) != napi_ok || (type != napi_float64_array && type != napi_float32_array)) {
    napi_throw_type_error(env, NULL, "max_abs: a Float64Array or Float32Array expected");
    return NULL;
  }
  double m0 = 0, m1 = 0, m2 = 0, m3 = 0;
  size_t i = 0;
  if (type == napi_float64_array) {
    const double *d = (const double *)data;
    for (; i + 4 <= length; i += 4) {
      const double a0 = fabs(d[i]), a1 = fabs(d[i + 1]), a2 = fabs(d[i + 2]), a3 = fabs(d[i + 3]);
      m0 = a0 > m0 ? a0 : m0; m1 = a1 > m1 ? a1 : m1; m2 = a2 > m2 ? a2 : m2; m3 = a3 > m3 ? a3 : m3;
    }
    for (; i < length; i++) { const double a0 = fabs(d[i]); m0 = a0 > m0 ? a0 : m0; }
  } else {
    const float *d = (const float *)data;
    for (; i + 4 <= length; i += 4) {
      const double a0 = fabs((double)d[i]), a1 = fabs((double)d[i + 1]), a2 = fabs((double)d[i + 2]), a3 = fabs((double)d[i + 3]);
      m0 = a0 > m0 ? a0 : m0; m1 = a1 > m1 ? a1 : m1; m2 = a2 > m2 ? a2 : m2; m3 = a3 > m3 ? a3 : m3;
    }
    for (; i < length; i++) { const double a0 = fabs((double)d[i]); m0 = a0 > m0 ? a0 : m0; }
  }
  m0 = m1 > m0 ? m1 : m0;
  m0 = m2 > m0 ? m2 : m0;
  m0 = m3 > m0 ? m3 : m0;
  napi_value out;
  napi_create_double(env, m0, &out);
  return out;
}

/* sort_rows_f64(memory: Uint8Array, ed, hi, rows, kp, C, k, outD, outI, w, c0): asm sort_rows's arguments */
static napi_value SortRowsF64(napi_env env, napi_callback_info info) {
  int64_t a[10];
  size_t memLength;
  uint8_t *mem = memArgs(env, info, "sort_rows_f64(memory: Uint8Array over the kernel memory, 10 offsets and sizes)", 10, a, &memLength);
  if (!mem) return NULL;
  KdKey *keys = (KdKey *)malloc(sizeof(KdKey) * (2 * (size_t)a[3] + 2 + 512)); /* sortKeys' 2 kp, the network's 512 halves */
  if (!keys) { napi_throw_error(env, NULL, "sort_rows_f64: out of memory"); return NULL; }
  sortRows(mem, (uint32_t)a[0], (uint32_t)a[1], (int)a[2], (int)a[3], (int)a[4], (int)a[5], (uint32_t)a[6], (uint32_t)a[7], (int)a[8], (int)a[9], keys);
  free(keys);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value fn, ok;
  __builtin_cpu_init();
  const int supported = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const char *no512 = getenv("DADALAB_NATIVE_AVX512"); /* "0": the AVX2 kernels even where AVX-512 is there */
  hasAvx512 = canAvx512 = supported && __builtin_cpu_supports("avx512f") && !(no512 && strcmp(no512, "0") == 0);
  napi_get_boolean(env, supported, &ok);
  napi_set_named_property(env, exports, "supported", ok);
  napi_create_function(env, "tile_f32", NAPI_AUTO_LENGTH, TileF32, NULL, &fn);
  napi_set_named_property(env, exports, "tile_f32", fn);
  napi_create_function(env, "vals_f32", NAPI_AUTO_LENGTH, ValsF32, NULL, &fn);
  napi_set_named_property(env, exports, "vals_f32", fn);
  napi_create_function(env, "exact_l2_f32", NAPI_AUTO_LENGTH, ExactL2F32, NULL, &fn);
  napi_set_named_property(env, exports, "exact_l2_f32", fn);
  initPackIdx();
  initPack64Idx();
  napi_create_function(env, "symsel_f32", NAPI_AUTO_LENGTH, SymselF32, NULL, &fn);
  napi_set_named_property(env, exports, "symsel_f32", fn);
  napi_create_function(env, "pivots_f32", NAPI_AUTO_LENGTH, PivotsF32, NULL, &fn);
  napi_set_named_property(env, exports, "pivots_f32", fn);
  napi_create_function(env, "use_avx512", NAPI_AUTO_LENGTH, UseAvx512, NULL, &fn);
  napi_set_named_property(env, exports, "use_avx512", fn);
  napi_create_function(env, "symsel_lists_f32", NAPI_AUTO_LENGTH, SymselListsF32, NULL, &fn);
  napi_set_named_property(env, exports, "symsel_lists_f32", fn);
  napi_create_function(env, "strip_lists_f32", NAPI_AUTO_LENGTH, StripListsF32, NULL, &fn);
  napi_set_named_property(env, exports, "strip_lists_f32", fn);
  napi_create_function(env, "lists_select_f32", NAPI_AUTO_LENGTH, ListsSelectF32, NULL, &fn);
  napi_set_named_property(env, exports, "lists_select_f32", fn);
  napi_create_function(env, "release_pages", NAPI_AUTO_LENGTH, ReleasePages, NULL, &fn);
  napi_set_named_property(env, exports, "release_pages", fn);
  napi_create_function(env, "sort_rows_f64", NAPI_AUTO_LENGTH, SortRowsF64, NULL, &fn);
  napi_set_named_property(env, exports, "sort_rows_f64", fn);
  napi_create_function(env, "store_rows_f32", NAPI_AUTO_LENGTH, StoreRowsF32, NULL, &fn);
  napi_set_named_property(env, exports, "store_rows_f32", fn);
  napi_create_function(env, "max_abs", NAPI_AUTO_LENGTH, MaxAbs, NULL, &fn);
  napi_set_named_property(env, exports, "max_abs", fn);
  napi_create_function(env, "overlap_counts", NAPI_AUTO_LENGTH, OverlapCounts, NULL, &fn);
  napi_set_named_property(env, exports, "overlap_counts", fn);
  napi_create_function(env, "kd_build", NAPI_AUTO_LENGTH, KdBuild, NULL, &fn);
  napi_set_named_property(env, exports, "kd_build", fn);
  napi_create_function(env, "kd_rows", NAPI_AUTO_LENGTH, KdRows, NULL, &fn);
  napi_set_named_property(env, exports, "kd_rows", fn);
  napi_create_function(env, "exact_l2_f64", NAPI_AUTO_LENGTH, ExactL2F64, NULL, &fn);
  napi_set_named_property(env, exports, "exact_l2_f64", fn);
  return exports;
}
