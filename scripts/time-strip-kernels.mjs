// A developer's timer for the fused strips' native kernels (native/knn.c), one thread, no pool:
// the pivots of every row, the values of every strip's blocks alone (vals_f32), the fused strips
// (values and buckets, strip_lists_f32, the strips dealt between two arenas), then every block's
// select (lists_select_f32), each the minimum over `reps` runs, on 5000 x 50 float32 normal data.
// For A/B work on the kernels (bench/strips.mjs measures whole tables against the stored strips).
//   node scripts/time-strip-kernels.mjs [root (default: this checkout)] [k = 30] [reps = 15]
// Run `npm run build` first.
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const root = process.argv[2] || new URL('..', import.meta.url).pathname.replace(/\/$/, ''), k = +process.argv[3] || 30, R = +process.argv[4] || 15;
const { Matrix } = require(`${root}/dist/lib/matrix.js`);
const { prepareWasm } = require(`${root}/dist/lib/neighbors/wasm.js`);
const { listsLayout } = require(`${root}/dist/lib/neighbors/strips.js`);
const nat = require(`${root}/dist/native/knn.node`);
const { gaussianSampler } = await import(`${root}/bench/_common.mjs`);
const N = 5000, D = 50, g = gaussianSampler(5050);
const X = new Matrix(Float32Array.from({ length: N * D }, g), N, D);
const probe = prepareWasm(X, null, k, 'float32', 0, 'euclidean', false, false);
const B = probe.BR, kp = probe.kp, C = probe.C, nb = Math.ceil(N / B), W = 2;
const fl = listsLayout(N, kp, B, W);
const a16 = (n) => (n + 15) & ~15;
const arena = a16((fl.cap + 8) * 4);
const extra = fl.arena + W * 2 * arena + 2 * a16(B * C * 4) + a16(B * 16) + 64 + a16(B * N * 4);
const p = prepareWasm(X, null, k, 'float32', 0, 'euclidean', false, false, extra);
const u8 = new Uint8Array(p.memory.buffer);
const lists = p.extraOff, tab = lists + fl.tab, fill = lists + fl.fill, av0 = lists + fl.arena;
const hd = av0 + W * 2 * arena, hi = hd + a16(B * C * 4), hh = hi + a16(B * C * 4);
const best = { piv: 1e9, vals: 1e9, strips: 1e9, select: 1e9 };
const scr = hh + a16(B * 16) + 64;
let alone = 0;
for (let r = 0; r < R; r++) {
  let t0 = performance.now();
  nat.pivots_f32(u8, p.xOff, p.nOff, p.Dp, N, 0, N, kp, lists, 1);
  best.piv = Math.min(best.piv, performance.now() - t0);
  t0 = performance.now();
  for (let I = 0; I < nb; I++) for (let X = I; X < nb; X++) nat.vals_f32(u8, p.xOff, p.nOff, p.Dp, I * B, Math.min(N, I * B + B), X * B, Math.min(N, X * B + B), B, scr, B);
  best.vals = Math.min(best.vals, performance.now() - t0);
  new Uint32Array(p.memory.buffer, fill, W).fill(0);
  t0 = performance.now();
  for (let I = 0; I < nb; I++) nat.strip_lists_f32(u8, p.xOff, p.nOff, p.Dp, N, B, I, lists, tab, av0 + 2 * (I % 2) * arena, av0 + (2 * (I % 2) + 1) * arena, fill + 4 * (I % 2), fl.cap);
  best.strips = Math.min(best.strips, performance.now() - t0);
  t0 = performance.now();
  alone = 0;
  for (let I = 0; I < nb; I++) alone += nat.lists_select_f32(u8, p.xOff, p.nOff, p.Dp, N, B, I, kp, tab, hd, hi, hh, C);
  best.select = Math.min(best.select, performance.now() - t0);
}
console.log(root.padEnd(11), `k ${k} B ${B}`, Object.entries(best).map(([a, b]) => `${a} ${b.toFixed(2)}`).join('  '), 'alone', alone);
