import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Matrix } from '../../lib/matrix';
import { resetNativeKernel } from '../../lib/neighbors/native';
import { listsLayout, stripLayout } from '../../lib/neighbors/strips';
import { fillHeaps, instantiate, prepareWasm, requireKnnModule, symSchedule, tileArgs } from '../../lib/neighbors/wasm';

// The optional native kernels against the WebAssembly ones they replace, called directly on the
// same memory (fallback.test.ts checks the whole tables). Both select their candidate buffers with
// partitions of their own, so which of the values equal to a row's threshold stay may differ; the
// rest must not: the same thresholds and counts, the same candidates below the threshold and the
// same kept values. The strips' row select (symsel_f32) also assembles the same rows byte for byte;
// the tiles' kernel (tile_f32) is compared on integer data, whose values both kernels compute exactly.
const root = join(__dirname, '..', '..');
const nativePath = join(root, 'dist', 'native', 'knn.node');
const wasmPath = join(root, 'dist', 'wasm', 'knn.wasm');

interface Native { supported: boolean; symsel_f32?: (mem: Uint8Array, ...a: number[]) => void; symsel_lists_f32?: (mem: Uint8Array, ...a: number[]) => number; use_avx512?: (on?: boolean) => boolean; pivots_f32?: (mem: Uint8Array, ...a: number[]) => number; strip_lists_f32?: (mem: Uint8Array, ...a: number[]) => void; lists_select_f32?: (mem: Uint8Array, ...a: number[]) => number; vals_f32?: (mem: Uint8Array, ...a: number[]) => void; tile_f32?: (mem: Uint8Array, ...a: number[]) => void; sort_rows_f64?: (mem: Uint8Array, ...a: number[]) => void; exact_l2_f32?: (mem: Uint8Array, ...a: number[]) => void; exact_l2_f64?: (mem: Uint8Array, ...a: number[]) => void }

const align16 = (n: number): number => (n + 15) & ~15;

/** A layout of the strips of N rows in blocks of B, their rows' buffers and scratch, from byte `base` on. */
function layout(N: number, B: number, C: number, base: number) {
  const nb = Math.ceil(N / B);
  const so = base;
  let at = align16(so + nb * 4);
  const strips: number[] = [];
  for (let I = 0; I < nb; I++) {
    strips.push(at);
    const rows = Math.min(N, (I + 1) * B) - I * B;
    at = align16(at + rows * (N - I * B) * 4);
  }
  const rv = at; at = align16(rv + B * N * 4);
  const hs = at; at = align16(hs + align16(N * 4) + N * 4);
  const hd = at; at = align16(hd + B * C * 4);
  const hi = at; at = align16(hi + B * C * 4);
  const hh = at; at = align16(hh + B * 16);
  return { nb, so, strips, rv, hs, hd, hi, hh, end: at };
}

// a CPU without AVX2 loads the addon with supported = false: the WebAssembly kernels run there
// (fallback.test.ts), and this comparison has nothing to compare
const nativeSupported = existsSync(nativePath) && (require(nativePath) as Native).supported;

/** A buffer's first n slots as the candidates below T (value:index, sorted) and all n values (sorted). */
function keptOf(mem: Uint8Array, hd: number, hi: number, n: number, T: number): { below: string[]; values: number[] } {
  const f = new Float32Array(mem.buffer, hd, n), ix = new Int32Array(mem.buffer, hi, n);
  const below: string[] = [];
  for (let t = 0; t < n; t++) if (f[t] < T) below.push(`${f[t]}:${ix[t]}`);
  return { below: below.sort(), values: Array.from(f).sort((x, y) => x - y) };
}

describe.runIf(nativeSupported)('native kernels = WebAssembly kernels', () => {
  /**
   * Strips of random values (continuous, or `levels` levels: ties at the k-th value; a NaN and an
   * +Inf here and there), each block selected by the WebAssembly symsel_f32 and a native select:
   * the same thresholds, counts, candidates below the threshold and kept values per row (NaN rows:
   * the count only); `rows`: the assembled value rows byte for byte too. Returns [rows, NaN rows].
   */
  function compareSymsel(select: (u8: Uint8Array, args: number[]) => void, cases: number[][], rows: boolean): [number, number] {
    const module = new WebAssembly.Module(readFileSync(wasmPath));
    let seed = 7;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32; };
    let nanRows = 0, allRows = 0;
    for (const [N, B, kp, C, levels] of cases) {
      const L = layout(N, B, C, 65536);
      const pages = Math.ceil(L.end / 65536) + 1;
      const mems = [0, 1].map(() => new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }));
      for (const mem of mems) {
        const u32 = new Uint32Array(mem.buffer);
        for (let I = 0; I < L.nb; I++) u32[L.so / 4 + I] = L.strips[I];
      }
      seed = N;
      const f0 = new Float32Array(mems[0].buffer), f1 = new Float32Array(mems[1].buffer);
      for (let I = 0; I < L.nb; I++) {
        const rowsI = Math.min(N, (I + 1) * B) - I * B, w = N - I * B;
        for (let t = 0; t < rowsI * w; t++) {
          const u = rnd();
          const v = u < 0.002 ? NaN : u < 0.004 ? Infinity : levels ? Math.floor(rnd() * levels) : rnd() * 100;
          f0[L.strips[I] / 4 + t] = v;
          f1[L.strips[I] / 4 + t] = v;
        }
      }
      const ex = new WebAssembly.Instance(module, { env: { memory: mems[0] } }).exports as unknown as Record<string, (...a: number[]) => void>;
      const u8 = new Uint8Array(mems[1].buffer);
      for (let I = 0; I < L.nb; I++) {
        for (const f of [f0, f1]) f.fill(-1, L.rv / 4, L.end / 4); // the same garbage before each block
        const args = [L.so, B, N, I, kp, L.hd, L.hi, L.hh, C, L.rv, L.hs];
        ex.symsel_f32(...args);
        select(u8, args);
        const rowsI = Math.min(N, (I + 1) * B) - I * B;
        const a = new Uint8Array(mems[0].buffer), b = u8;
        if (rows) expect(Buffer.compare(a.subarray(L.rv, L.rv + rowsI * N * 4), b.subarray(L.rv, L.rv + rowsI * N * 4))).toBe(0);
        for (let r = 0; r < rowsI; r++) {
          allRows++;
          const h = L.hh + r * 16, hd = L.hd + r * C * 4, hi = L.hi + r * C * 4;
          const T = new Float32Array(a.buffer, h, 1)[0];
          if (new Float32Array(a.buffer, hd, kp).some(Number.isNaN) || new Float32Array(b.buffer, hd, kp).some(Number.isNaN)) {
            // NaN compares false both ways: either quickselect may then keep a NaN (or a larger
            // number) in place of one of the kp smallest numbers, each its own way. The data never
            // holds NaN (matrix.ts refuses it); here only the count must agree
            nanRows++;
            expect(new Int32Array(b.buffer, h + 8, 1)[0]).toBe(kp);
            continue;
          }
          expect(Buffer.compare(a.subarray(h, h + 12), b.subarray(h, h + 12)), `N ${N} block ${I} row ${r} header`).toBe(0);
          const ka = keptOf(a, hd, hi, kp, T), kb = keptOf(b, hd, hi, kp, T);
          expect(kb, `N ${N} block ${I} row ${r}`).toEqual(ka);
        }
      }
    }
    return [allRows, nanRows];
  }

  it('symsel_f32: the strips assembled and transposed byte for byte, each row\'s kp smallest selected (ties, NaN, +Inf, ragged sizes)', () => {
    const nat = require(nativePath) as Native;
    expect(typeof nat.symsel_f32).toBe('function');
    // sizes that are and are not multiples of 8 (the transposed blocks) and of B; kp near and far from N
    const [all, nan] = compareSymsel((u8, args) => nat.symsel_f32!(u8, ...args),
      [[203, 32, 40, 64, 0], [517, 64, 125, 160, 7], [300, 40, 290, 320, 3], [64, 16, 9, 16, 2], [1031, 96, 125, 250, 0]], true);
    expect(all).toBe(2115);
    expect(nan).toBeLessThan(0.1 * all); // the NaN rows are the exception: the rest was compared in full
  });

  it('symsel_lists_f32: the same selects without the value rows (pivots from a sample, lists; ties and NaN rows through symsel)', () => {
    const nat = require(nativePath) as Native;
    expect(typeof nat.symsel_lists_f32).toBe('function');
    const alone = new Map<number, number>(); // N -> rows assembled alone
    let applied = 0;
    const select = (u8: Uint8Array, args: number[]): void => {
      const n = nat.symsel_lists_f32!(u8, ...args);
      if (n < 0) { nat.symsel_f32!(u8, ...args); return; }
      applied++;
      alone.set(args[2], (alone.get(args[2]) ?? 0) + n);
    };
    // continuous values (lists only), 9 and 3 levels (many rows with fewer than kp values below
    // their pivot: assembled alone), ragged blocks, C below and above the lists' lengths
    const [all, nan] = compareSymsel(select, [[1500, 128, 40, 80, 0], [2100, 200, 125, 187, 9], [1031, 96, 60, 92, 3], [1200, 256, 30, 400, 0]], false);
    expect(all).toBe(5831);
    expect(nan).toBeLessThan(0.1 * all);
    expect(applied).toBe(12 + 11 + 11 + 5); // every block
    // continuous values: the lists serve nearly every row (a NaN in a row's sample may spoil its pivot);
    // 3 levels: the pivot often ties with a third of the row, which is then assembled alone
    expect(alone.get(1500)).toBeLessThan(0.05 * 1500);
    expect(alone.get(1200)).toBeLessThan(0.05 * 1200);
    expect(alone.get(1031)).toBeGreaterThan(0.3 * 1031);
    // too few points (N < 1024) or kp too close to N: declined, nothing written
    const mem = new WebAssembly.Memory({ initial: 64, maximum: 64, shared: true });
    const u8 = new Uint8Array(mem.buffer);
    expect(nat.symsel_lists_f32!(u8, 0, 64, 1000, 0, 40, 0, 0, 0, 64, 0, 0)).toBe(-1);
    expect(nat.symsel_lists_f32!(u8, 0, 64, 2000, 0, 600, 0, 0, 0, 900, 0, 0)).toBe(-1);
    expect(u8.every((x) => x === 0)).toBe(true);
  });

  /**
   * The fused strips (strip_lists_f32, lists_select_f32) against the stored strips' select
   * (symsel_f32) on the values of real points (vals_f32: the same kernel forms both): the same
   * thresholds, counts, candidates below the threshold and kept values per row, whatever worker
   * took whatever strip (the strips dealt at random among W arenas, each worker's in increasing
   * order as the pool takes them). Returns the rows formed alone.
   */
  function compareFused(nat: Native, X: Matrix, k: number, B: number, W: number, capScale: number, seed0: number): { rows: number; alone: number } {
    const N = X.rows;
    const probe = prepareWasm(X, null, k, 'float32', 0, 'euclidean', false, true);
    const kp = probe.kp, C = probe.C, nb = Math.ceil(N / B);
    const st = stripLayout(N, B), fl = listsLayout(N, kp, B, W);
    expect(fl).not.toBeNull();
    const cap = Math.max(64, Math.floor(fl!.cap * capScale)), arena = align16((cap + 8) * 4);
    const hb = align16(B * C * 4);
    const extra = align16(st.bytes) + fl!.arena + W * 2 * arena + 2 * hb + align16(B * 16) + align16(B * N * 4) + 2 * align16(N * 4) + 64;
    const p = prepareWasm(X, null, k, 'float32', 0, 'euclidean', false, true, extra);
    const u8 = new Uint8Array(p.memory.buffer);
    const so = p.extraOff, lists = so + align16(st.bytes), tab = lists + fl!.tab, fill = lists + fl!.fill, av0 = lists + fl!.arena;
    const hd = av0 + W * 2 * arena, hi = hd + hb, hh = hi + hb, rv = hh + align16(B * 16), hs = rv + align16(B * N * 4);
    const soView = new Uint32Array(p.memory.buffer, so, nb);
    for (let I = 0; I < nb; I++) {
      soView[I] = so + st.so[I];
      const r0 = I * B, r1 = Math.min(N, r0 + B);
      nat.vals_f32!(u8, p.xOff, p.nOff, p.Dp, r0, r1, r0, N, p.BJ, so + st.so[I], N - r0);
    }
    expect(nat.pivots_f32!(u8, p.xOff, p.nOff, p.Dp, N, 0, N, kp, lists, 1)).toBe(N);
    new Uint32Array(p.memory.buffer, fill, W).fill(0);
    let seed = seed0;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32; };
    for (let I = 0; I < nb; I++) {
      const w = Math.floor(rnd() * W);
      nat.strip_lists_f32!(u8, p.xOff, p.nOff, p.Dp, N, B, I, lists, tab, av0 + 2 * w * arena, av0 + (2 * w + 1) * arena, fill + 4 * w, cap);
    }
    let alone = 0, rows = 0;
    for (let I = 0; I < nb; I++) {
      const rowsI = Math.min(N, (I + 1) * B) - I * B;
      u8.fill(0xff, hd, hh + B * 16);
      nat.symsel_f32!(u8, so, B, N, I, kp, hd, hi, hh, C, rv, hs);
      const want = Array.from({ length: rowsI }, (_, r) => {
        const h = hh + r * 16;
        return { head: Buffer.from(u8.subarray(h, h + 12)), kept: keptOf(u8, hd + r * C * 4, hi + r * C * 4, kp, new Float32Array(p.memory.buffer, h, 1)[0]) };
      });
      u8.fill(0xff, hd, hh + B * 16);
      alone += nat.lists_select_f32!(u8, p.xOff, p.nOff, p.Dp, N, B, I, kp, tab, hd, hi, hh, C);
      for (let r = 0; r < rowsI; r++) {
        rows++;
        const h = hh + r * 16;
        expect(Buffer.compare(u8.subarray(h, h + 12), want[r].head), `N ${N} block ${I} row ${r} header`).toBe(0);
        expect(keptOf(u8, hd + r * C * 4, hi + r * C * 4, kp, new Float32Array(p.memory.buffer, h, 1)[0]), `N ${N} block ${I} row ${r}`).toEqual(want[r].kept);
      }
    }
    return { rows, alone };
  }

  it('strip_lists_f32 + lists_select_f32: the fused strips select what the stored strips select (any worker split, ties, full arenas)', () => {
    const nat = require(nativePath) as Native;
    expect(typeof nat.strip_lists_f32).toBe('function');
    let seed = 3;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32 - 0.5; };
    // continuous points: the lists serve nearly every row, on 1, 2 or 3 workers, ragged blocks
    const cont = new Matrix(Float32Array.from({ length: 1500 * 20 }, rnd), 1500, 20);
    for (const [k, B, W] of [[30, 128, 2], [100, 96, 3], [10, 256, 1]]) {
      const r = compareFused(nat, cont, k, B, W, 1, 11 * k);
      expect(r.rows).toBe(1500);
      expect(r.alone).toBeLessThan(0.01 * 1500);
    }
    // 3 levels on 4 coordinates (81 distinct points, ties at every threshold): some rows have fewer
    // than kp values strictly below their pivot and are formed alone
    const lev = new Matrix(Float32Array.from({ length: 1300 * 4 }, () => Math.floor((rnd() + 0.5) * 3)), 1300, 4);
    expect(compareFused(nat, lev, 40, 128, 2, 1, 5).alone).toBeGreaterThan(5);
    // arenas far too small: the buckets that do not fit are marked, their blocks formed alone
    const full = compareFused(nat, cont, 30, 128, 2, 0.02, 9);
    expect(full.alone).toBeGreaterThan(0.5 * 1500);
    // the AVX2 kernels (values, pivots) where AVX-512 runs by default
    if (nat.use_avx512 && nat.use_avx512()) {
      try {
        nat.use_avx512(false);
        expect(compareFused(nat, cont, 30, 96, 2, 1, 4).alone).toBeLessThan(0.01 * 1500);
      } finally {
        nat.use_avx512(true);
      }
    }
  });

  it('vals_f32: |x_i|^2 + |x_j|^2 - 2 x_i.x_j within float32 rounding of the float64 sums (packed 8 x 8 blocks and edges, both widths)', () => {
    const nat = require(nativePath) as Native;
    let seed = 13;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32 - 0.5; };
    const widths = nat.use_avx512 && nat.use_avx512() ? [true, false] : [false];
    try {
      for (const wide of widths) {
        if (nat.use_avx512) nat.use_avx512(wide);
        // Dp = 52 (not a multiple of 8), 24, 8, 132 (AVX2: the dot-product kernel); columns ragged
        for (const [N, D, r0, r1, j0, j1] of [[300, 50, 5, 43, 0, 300], [200, 24, 17, 18, 3, 190], [150, 7, 0, 150, 0, 150], [120, 130, 8, 21, 1, 119]]) {
          const X = new Matrix(Float32Array.from({ length: N * D }, rnd), N, D);
          const p = prepareWasm(X, null, 10, 'float32', 0, 'euclidean', false, false, (r1 - r0) * (j1 - j0) * 4 + 64);
          const u8 = new Uint8Array(p.memory.buffer), out = align16(p.extraOff);
          nat.vals_f32!(u8, p.xOff, p.nOff, p.Dp, r0, r1, j0, j1, 64, out, j1 - j0);
          const x = new Float32Array(p.memory.buffer, p.xOff, N * p.Dp), v = new Float32Array(p.memory.buffer, out, (r1 - r0) * (j1 - j0));
          let worst = 0;
          for (let i = r0; i < r1; i++) {
            for (let j = j0; j < j1; j++) {
              let dot = 0, ni = 0, nj = 0;
              for (let t = 0; t < p.Dp; t++) { dot += x[i * p.Dp + t] * x[j * p.Dp + t]; ni += x[i * p.Dp + t] ** 2; nj += x[j * p.Dp + t] ** 2; }
              const e = Math.abs(v[(i - r0) * (j1 - j0) + (j - j0)] - (ni + nj - 2 * dot)) / (ni + nj);
              worst = Math.max(worst, e);
            }
          }
          expect(worst, `N ${N} D ${D} avx512 ${wide}`).toBeLessThan(2e-6);
        }
      }
    } finally {
      if (nat.use_avx512) nat.use_avx512(true);
    }
  });

  it('pivots_f32: each row\'s starting threshold is the r-th smallest of its values against 256 evenly spaced rows (itself left out)', () => {
    const nat = require(nativePath) as Native;
    let seed = 5;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32 - 0.5; };
    for (const [N, D, k] of [[1500, 20, 40], [2600, 7, 100]]) {
      const X = new Matrix(Float32Array.from({ length: N * D }, rnd), N, D);
      const p = prepareWasm(X, null, k, 'float32', 0, 'euclidean', true);
      fillHeaps(p);
      const u8 = new Uint8Array(p.memory.buffer);
      expect(nat.pivots_f32!(u8, p.xOff, p.nOff, p.Dp, N, 0, N, p.kp, p.hhAll, 4)).toBe(N);
      const x = new Float32Array(p.memory.buffer, p.xOff, N * p.Dp), nr = new Float32Array(p.memory.buffer, p.nOff, N);
      const T = new Float32Array(p.memory.buffer, p.hhAll, N * 4), S = 256, step = Math.floor(N / S);
      const lambda = (S * p.kp) / N, r = Math.floor(lambda + 4 * Math.sqrt(lambda) + 2);
      const value = (i: number, j: number): number => {
        let dot = 0;
        for (let t = 0; t < p.Dp; t++) dot += x[i * p.Dp + t] * x[j * p.Dp + t];
        return nr[i] + nr[j] - 2 * dot;
      };
      let short = 0;
      for (let i = 0; i < N; i++) {
        const v = Array.from({ length: S }, (_, s) => (s * step === i ? Infinity : value(i, s * step))).sort((a, b) => a - b);
        // the kernel's float32 sums differ from these float64 ones by rounding only
        expect(Math.abs(T[4 * i] - v[r - 1]), `row ${i}`).toBeLessThan(1e-4 * (1 + Math.abs(v[r - 1])));
        let below = 0;
        for (let j = 0; j < N; j++) if (j !== i && value(i, j) < T[4 * i]) below++;
        if (below < p.kp) short++;
      }
      expect(short).toBeLessThan(0.005 * N); // rows left with fewer than kp candidates (the second pass takes them)
    }
  });

  it('tile_f32: after every tile the same thresholds, counts and candidates as the WebAssembly kernel (integer data: the same values; many ties)', () => {
    // Integer coordinates (centred on a mean of 0) make every float32 value exact in both kernels, so their buffers must
    // agree: the same threshold and count per row, the same candidates below the threshold and the
    // same values (the native select may keep other indices among values equal to the threshold).
    const nat = require(nativePath) as Native;
    expect(typeof nat.tile_f32).toBe('function');
    const module = requireKnnModule();
    let seed = 11;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32; };
    for (const [N, D, k, levels] of [[700, 3, 30, 3], [900, 5, 100, 4], [650, 8, 20, 9], [800, 2, 60, 40]]) {
      // each point and its opposite: the column means are exactly 0, so the centred values stay integers
      const half = Float32Array.from({ length: (N / 2) * D }, () => Math.floor(rnd() * levels) - (levels >> 1));
      const X = new Matrix(Float32Array.from({ length: N * D }, (_, t) => (t < half.length ? half[t] : -half[t - half.length])), N, D);
      const p = prepareWasm(X, null, k, 'float32', 0, 'euclidean', true);
      fillHeaps(p);
      const ex = instantiate(module, p) as unknown as Record<string, (...a: number[]) => void>;
      const twin = new WebAssembly.Memory({ initial: p.memory.buffer.byteLength / 65536, maximum: p.memory.buffer.byteLength / 65536, shared: true });
      const a = new Uint8Array(p.memory.buffer), b = new Uint8Array(twin.buffer);
      b.set(a);
      const B = 128, nb = Math.ceil(N / B);
      let lowered = 0; // thresholds lowered between rounds: selects ran, several per row
      const prevT = new Float32Array(N).fill(Infinity);
      for (const round of symSchedule(nb)) {
        for (const [I, J, sym] of round) {
          const args = tileArgs(p, B, I, J, sym);
          ex.tile_f32(...args);
          nat.tile_f32!(b, ...args);
        }
        const fa = new Float32Array(a.buffer), fb = new Float32Array(b.buffer), ia = new Int32Array(a.buffer), ib = new Int32Array(b.buffer);
        for (let r = 0; r < N; r++) {
          const h = (p.hhAll + r * 16) / 4;
          const T = fa[h], n = ia[h + 2];
          expect([fb[h], ib[h + 2]], `N ${N} D ${D} row ${r}`).toEqual([T, n]);
          if (T < prevT[r]) lowered++;
          prevT[r] = T;
          const hd = p.hdAll + r * p.C * 4, hi = p.hiAll + r * p.C * 4;
          expect(keptOf(b, hd, hi, n, T), `N ${N} D ${D} row ${r}`).toEqual(keptOf(a, hd, hi, n, T));
        }
      }
      expect(lowered).toBeGreaterThan(2 * N);
    }
  });

  it('sort_rows_f64: the k smallest (distance, index) pairs in order, the same bytes as asm sort_rows (ties, -0, negative and infinite distances, holes; AVX-512 and AVX2 networks)', () => {
    const nat = require(nativePath) as Native;
    expect(typeof nat.sort_rows_f64).toBe('function');
    const module = new WebAssembly.Module(readFileSync(wasmPath));
    let seed = 5;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32; };
    const had512 = nat.use_avx512!();
    // kp below 8, a power of 2, the network's sizes and above them (the merge sort), k < kp and k = kp;
    // each case on the AVX-512 network (where the CPU has it) and on the AVX2 one
    try {
      for (const use512 of had512 ? [true, false] : [false]) {
        nat.use_avx512!(use512);
        for (const [rows, kp, k, C, levels, w, c0] of [[40, 5, 3, 9, 2, 4, 1], [60, 46, 30, 78, 0, 31, 1], [50, 125, 100, 187, 4, 100, 0], [30, 200, 160, 300, 0, 161, 1], [20, 256, 256, 300, 3, 256, 0], [25, 300, 240, 450, 5, 241, 1]]) {
          const ed = 65536, hi = ed + rows * kp * 8, outD = hi + rows * C * 4 + 64, outI = outD + rows * w * 8 + 64, end = outI + rows * w * 4 + 64;
          const pages = Math.ceil(end / 65536) + 1;
          const mems = [0, 1].map(() => new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }));
          const d0 = new Float64Array(mems[0].buffer, ed, rows * kp), i0 = new Int32Array(mems[0].buffer, hi, rows * C);
          for (let r = 0; r < rows; r++) {
            const odd = r % 5 === 0; // some rows hold -0, a small negative distance (cosine) or +Infinity with a hole (index -1)
            for (let t = 0; t < kp; t++) {
              const u = rnd();
              d0[r * kp + t] = odd && u < 0.05 ? -0 : odd && u < 0.1 ? -1e-16 : u > 0.97 ? Infinity : levels ? Math.floor(rnd() * levels) : rnd();
              i0[r * C + t] = d0[r * kp + t] === Infinity && rnd() < 0.5 ? -1 : Math.floor(rnd() * 1e6) * 64 + t; // distinct but in no order
            }
          }
          new Uint8Array(mems[1].buffer).set(new Uint8Array(mems[0].buffer));
          const ex = new WebAssembly.Instance(module, { env: { memory: mems[0] } }).exports as unknown as Record<string, (...a: number[]) => void>;
          ex.sort_rows(ed, hi, rows, kp, C, k, outD, outI, w, c0);
          nat.sort_rows_f64!(new Uint8Array(mems[1].buffer), ed, hi, rows, kp, C, k, outD, outI, w, c0);
          const a = new Uint8Array(mems[0].buffer), b = new Uint8Array(mems[1].buffer);
          expect(Buffer.compare(a.subarray(outD, outD + rows * w * 8), b.subarray(outD, outD + rows * w * 8)), `kp ${kp}: distances`).toBe(0);
          expect(Buffer.compare(a.subarray(outI, outI + rows * w * 4), b.subarray(outI, outI + rows * w * 4)), `kp ${kp}: indices`).toBe(0);
          // the candidates' first k slots hold the same pairs in order too (what the partial sort promises)
          for (let r = 0; r < rows; r++) {
            expect(Buffer.compare(a.subarray(ed + r * kp * 8, ed + (r * kp + k) * 8), b.subarray(ed + r * kp * 8, ed + (r * kp + k) * 8))).toBe(0);
            expect(Buffer.compare(a.subarray(hi + r * C * 4, hi + (r * C + k) * 4), b.subarray(hi + r * C * 4, hi + (r * C + k) * 4))).toBe(0);
          }
        }
      }
    } finally {
      nat.use_avx512!(had512);
    }
  });

  it('exact_l2_f32 / exact_l2_f64: the bits of asm exact_l2, in row order and in candidate order (long rows, repeated and stale candidates)', () => {
    const nat = require(nativePath) as Native;
    const module = new WebAssembly.Module(readFileSync(wasmPath));
    let seed = 3;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32; };
    // D x bytes >= 1024 with >= 32 rows takes the candidate order (AVX-512); the others the row order;
    // each case on the AVX-512 kernels (where the CPU has them) and on the AVX2 ones
    const had512 = nat.use_avx512!();
    const cases = [[1, 300, 300, 64, 40, 60], [1, 200, 77, 20, 30, 45], [0, 250, 200, 40, 25, 40], [0, 120, 50, 64, 20, 30], [0, 90, 13, 20, 17, 20]];
    try {
      for (const [use512, f32, N, D, rows, kp, C] of (had512 ? [true, false] : [false]).flatMap((u) => cases.map((c) => [u, ...c] as const))) {
        nat.use_avx512!(Boolean(use512));
        const fn = (f32 ? nat.exact_l2_f32 : nat.exact_l2_f64)!;
        const es = f32 ? 4 : 8, orig = 65536, hi = orig + (N + 20) * D * es + 64, ed = hi + rows * C * 4 + 64, end = ed + rows * kp * 8 + 64;
        const pages = Math.ceil(end / 65536) + 1;
        const mems = [0, 1].map(() => new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }));
        const X = f32 ? new Float32Array(mems[0].buffer, orig, N * D) : new Float64Array(mems[0].buffer, orig, N * D);
        for (let t = 0; t < N * D; t++) X[t] = (rnd() - 0.5) * 10;
        const H = new Int32Array(mems[0].buffer, hi, rows * C);
        // repeats, and stale slots (indices past the data: rows of whatever the memory holds there, the same bytes in both)
        for (let t = 0; t < rows * C; t++) { const u = rnd(); H[t] = u < 0.03 ? N + Math.floor(rnd() * 20) : Math.floor(rnd() * (u < 0.5 ? 12 : N)); }
        new Uint8Array(mems[1].buffer).set(new Uint8Array(mems[0].buffer));
        const i0 = 7;
        const ex = new WebAssembly.Instance(module, { env: { memory: mems[0] } }).exports as unknown as Record<string, (...a: number[]) => void>;
        ex.exact_l2(orig, f32, D, i0, i0 + rows, kp, hi, C, ed);
        fn(new Uint8Array(mems[1].buffer), orig, D, i0, i0 + rows, kp, hi, C, ed);
        const a = new Uint8Array(mems[0].buffer, ed, rows * kp * 8), b = new Uint8Array(mems[1].buffer, ed, rows * kp * 8);
        expect(Buffer.compare(a, b), `${f32 ? 'float32' : 'float64'} D ${D} rows ${rows} AVX-512 ${use512}`).toBe(0);
      }
    } finally {
      nat.use_avx512!(had512);
    }
  });

  it('store_rows_f32 and max_abs: the float32 rows, norms and bounds of the JavaScript, byte for byte (float64 and float32 data, query rows)', () => {
    const nat = require(nativePath) as { max_abs: (a: Float64Array | Float32Array) => number };
    let seed = 9;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32; };
    const saved = process.env.DADALAB_NATIVE;
    try {
      for (const [f32, N, D, M] of [[0, 300, 37, 0], [1, 257, 64, 0], [0, 120, 5, 30], [1, 90, 130, 11]]) {
        const make = (n: number) => { const a = f32 ? new Float32Array(n * D) : new Float64Array(n * D); for (let t = 0; t < a.length; t++) a[t] = (rnd() - 0.3) * 1e3 * rnd() ** 4; return new Matrix(a, n, D); };
        const X = make(N), Q = M ? make(M) : null;
        const plans = ['1', '0'].map((flag) => {
          process.env.DADALAB_NATIVE = flag;
          resetNativeKernel();
          const p = prepareWasm(X, Q, 10, 'float32', 0, 'euclidean');
          const rows = N + M, bytes = new Uint8Array(p.memory.buffer);
          return { p, xs: bytes.slice(p.xOff, p.xOff + rows * p.Dp * 4), ns: bytes.slice(p.nOff, p.nOff + rows * 4), sqn: bytes.slice(p.sqnOff, p.sqnOff + rows * 8) };
        });
        const [a, b] = plans;
        for (const key of ['xs', 'ns', 'sqn'] as const) expect(Buffer.compare(a[key], b[key]), `${key}: float${f32 ? 32 : 64} N ${N} D ${D} M ${M}`).toBe(0);
        expect([a.p.unsafe, a.p.sqnMax]).toEqual([b.p.unsafe, b.p.sqnMax]);
        let mx = 0;
        for (const v of X.data) if (Math.abs(v) > mx) mx = Math.abs(v);
        expect(nat.max_abs(X.data)).toBe(mx);
      }
      expect(nat.max_abs(Float64Array.of(-3, NaN, 2, -Infinity, 1))).toBe(Infinity);
      expect(nat.max_abs(Float32Array.of(-0, NaN, 0.5))).toBe(0.5);
    } finally {
      if (saved === undefined) delete process.env.DADALAB_NATIVE; else process.env.DADALAB_NATIVE = saved;
      resetNativeKernel();
    }
  });
});
