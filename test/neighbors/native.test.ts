import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The optional native kernels against the WebAssembly ones they replace, called directly on the
// same memory: the strips' row select (symsel_f32) must leave the same candidates in the same
// slots, the same thresholds and counts, byte for byte (the tables then agree whatever runs;
// fallback.test.ts checks the whole tables).
const root = join(__dirname, '..', '..');
const nativePath = join(root, 'dist', 'native', 'knn.node');
const wasmPath = join(root, 'dist', 'wasm', 'knn.wasm');

interface Native { supported: boolean; symsel_f32?: (mem: Uint8Array, ...a: number[]) => void }

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

describe.runIf(nativeSupported)('native kernels = WebAssembly kernels, byte for byte', () => {
  it('symsel_f32: the strips assembled, transposed and each row\'s kp smallest selected (ties, NaN, +Inf, ragged sizes)', () => {
    const nat = require(nativePath) as Native;
    expect(typeof nat.symsel_f32).toBe('function');
    const module = new WebAssembly.Module(readFileSync(wasmPath));
    let seed = 7;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32; };
    // sizes that are and are not multiples of 8 (the transposed blocks) and of B; kp near and far from N
    for (const [N, B, kp, C, levels] of [[203, 32, 40, 64, 0], [517, 64, 125, 160, 7], [300, 40, 290, 320, 3], [64, 16, 9, 16, 2], [1031, 96, 125, 250, 0]]) {
      const L = layout(N, B, C, 65536);
      const pages = Math.ceil(L.end / 65536) + 1;
      const mems = [0, 1].map(() => new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }));
      for (const mem of mems) {
        const u32 = new Uint32Array(mem.buffer), f32 = new Float32Array(mem.buffer);
        for (let I = 0; I < L.nb; I++) u32[L.so / 4 + I] = L.strips[I];
      }
      // strip values: continuous, or few levels (ties at the k-th value), with a NaN and an +Inf here and there
      seed = N;
      const f0 = new Float32Array(mems[0].buffer), f1 = new Float32Array(mems[1].buffer);
      for (let I = 0; I < L.nb; I++) {
        const rows = Math.min(N, (I + 1) * B) - I * B, w = N - I * B;
        for (let t = 0; t < rows * w; t++) {
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
        nat.symsel_f32!(u8, ...args);
        const rows = Math.min(N, (I + 1) * B) - I * B;
        const a = new Uint8Array(mems[0].buffer), b = u8;
        // the assembled value rows, each row's first kp slots (values and indices) and its header
        expect(Buffer.compare(a.subarray(L.rv, L.rv + rows * N * 4), b.subarray(L.rv, L.rv + rows * N * 4))).toBe(0);
        for (let r = 0; r < rows; r++) {
          for (const off of [L.hd, L.hi]) {
            const o = off + r * C * 4;
            expect(Buffer.compare(a.subarray(o, o + kp * 4), b.subarray(o, o + kp * 4)), `N ${N} block ${I} row ${r}`).toBe(0);
          }
          const h = L.hh + r * 16;
          expect(Buffer.compare(a.subarray(h, h + 12), b.subarray(h, h + 12))).toBe(0);
        }
      }
    }
  });
});
