import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DadalabError } from '../errors';
import type { Matrix } from '../matrix';
import { TopK } from './heap';
import { pairDistance, sqEuclid } from './distance';
import type { KnnPool } from './pool';
import { warn } from '../runtime/warnings';
import { nativeFunction, nativeKernelPath, nativeMain } from './native';
import type { SharedRows } from './inorder';
import { duplicateRows, groupsOf, refineRows, refineScratchAt, refineScratchBytes, type GroupsOfJob, type RefineConsts, type RefineOps } from './refine';

/**
 * The WebAssembly SIMD engine for euclidean and cosine distances at high D (perf-knn.md §5.2).
 * (Cosine: the rows are scaled to unit length, not centred, and the stored norms are 0, so the
 * kernel's value is -2 x.y, monotone in 1 - x.y; a zero row stays zero, cosine distance 1 as in
 * sklearn. Its certification bound is E = 2.1 (Dp / lanes + 10) u + 4.2 u in that value.)
 *
 * Stage 1 (asm/knn.ts, in wasm memory): the mean-centred data as float32 (or float64 with
 * `precision: 'float64'`), D zero-padded to the SIMD width, and their squared norms. A fused 2x4
 * micro-kernel computes |x|^2 + |y|^2 - 2 x.y for 2 query rows x 4 reference rows and feeds
 * per-row top-k' buffers, k' = k + max(16, k/4): a value enters when it is below the row's
 * threshold T; a full buffer (capacity k' + max(32, k'/2)) is cut back to its k' smallest by a
 * quickselect, and T becomes the largest kept value (cheaper than a heap at large k; T never
 * increases, so every left-out point had a value >= the final T). No N x N or tile matrix exists.
 *
 * Stage 2 (JS, float64): the k' candidates of each row are re-ranked with exact direct
 * differences on the ORIGINAL values (`pairDistance`), so near-duplicates keep their tiny nonzero
 * distances. Each row is then certified: every point left out of the candidates had a stage-1
 * value >= T (the final threshold); with the worst-case rounding error of the kernel,
 *   E = 2.1 (Dp / lanes + 10) u (|x_i|^2 + max_j |x_j|^2)   (u the unit roundoff of the kernel type)
 * and of the conversion to the kernel type (1.02 u |x| per point), a left-out point is at exact
 * distance >= lb = sqrt(T - E) - 1.02 u (|x_i| + max|x_j|) - 2 u64(...). If the exact k-th
 * distance is strictly below lb (shrunk by the float64 rounding of the reference), no left-out
 * point can enter or tie the top k, and the row equals the exact reference bit for bit; otherwise
 * (more than k' points tied at the k-th distance, near-ties within E, an outlier that loosens E)
 * the second pass (refine.ts) recomputes the row exactly with the vectorised kernels, in the worker
 * that finished it: the exact distances of the points whose float32 values the bound cannot put
 * beyond the k-th distance, sorted by (distance, index). So the table is always exact.
 *
 * Symmetric tiles (self tables, euclidean and cosine, `symmetric` option, the default when N
 * spans >= 3 tiles): all candidate buffers stay resident; tile (I, J) with I < J feeds the buffers of both
 * blocks, so each pair is computed once (half the kernel work). The tiles come in the order of
 * a round-robin tournament (symSchedule), and a worker takes the first one none of whose row
 * blocks another worker holds (tiles.ts), so the workers never write the same heap, no locks are
 * needed, and no worker waits for a round to end.
 *
 * The kernel is called per row block or tile (about 1e9 flops per call: V8 has no on-stack
 * replacement for wasm, so one long call would stay on the baseline tier), on the worker pool
 * (async) or on this thread (sync). Each row is computed by one call whatever the thread count,
 * and the final table is the exact one, so results do not depend on the number of workers.
 */

export type Precision = 'float32' | 'float64';
/** The metrics the WebAssembly engine computes (no periodic boxes). */
export type WasmMetric = 'euclidean' | 'cosine' | 'manhattan' | 'chebyshev';
const METRIC_CODE: Record<WasmMetric, number> = { euclidean: 0, cosine: 1, manhattan: 2, chebyshev: 3 };

// The WebAssembly JS API, typed locally (the project's tsconfig has no DOM lib).
/** A compiled WebAssembly module (opaque; structured-cloneable to workers). */
export type WasmModule = object;
export interface WasmMemory { readonly buffer: ArrayBuffer }
export type WasmExports = Record<string, unknown>;
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (m: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: WasmExports };
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let cachedModule: WasmModule | null | undefined;

/** Where the build puts the kernel: dist/wasm/knn.wasm (scripts/build-wasm.mjs). */
export function wasmKernelPath(): string | null {
  const env = process.env.DADALAB_KNN_WASM;
  const candidates = [
    ...(env ? [env] : []),
    join(__dirname, '..', '..', 'wasm', 'knn.wasm'), // dist/lib/neighbors -> dist/wasm
    join(__dirname, '..', '..', 'dist', 'wasm', 'knn.wasm'), // lib/neighbors (sources, vitest)
  ];
  for (const c of candidates) if (existsSync(c)) return c;
  return null;
}

let fmaKernel = false;
let fallbackReason: string | null = null;

/**
 * The compiled kernel module, or null when WebAssembly is switched off, the kernels are not
 * built, or the runtime cannot compile them (no WebAssembly SIMD). Prefers knn-fma.wasm (the dot
 * products on relaxed-SIMD multiply-add) where the runtime compiles it as it is (V8 ships relaxed
 * SIMD from Node 22; Node 20 has it only behind a start-up flag, and no flag is changed here:
 * worker threads cannot be given V8 flags, so there the plain knn.wasm runs, about 8% slower on
 * this kind of machine), else knn.wasm. The tables are the same either way (only stage 1's
 * float32 values differ, within the same certified error bound).
 * Switches (tests, benchmarks): DADALAB_WASM=0 turns the WebAssembly engine off (the exact
 * JavaScript engines run); DADALAB_WASM_FMA=0 keeps to knn.wasm. The first search that falls
 * back to plain JavaScript says so once (warn, category 'performance').
 */
export function loadKnnModule(): WasmModule | null {
  if (cachedModule !== undefined) {
    if (cachedModule === null) warnFallbackOnce();
    return cachedModule;
  }
  cachedModule = null;
  fmaKernel = false;
  if (process.env.DADALAB_WASM === '0') {
    fallbackReason = 'DADALAB_WASM=0 switches the WebAssembly neighbour engine off';
  } else {
    const p = wasmKernelPath();
    if (!p) fallbackReason = 'the WebAssembly neighbour kernel dist/wasm/knn.wasm is missing (run `npm run build`)';
    if (p && process.env.DADALAB_WASM_FMA !== '0') {
      const f = join(dirname(p), 'knn-fma.wasm');
      if (existsSync(f)) {
        try {
          cachedModule = new WA.Module(readFileSync(f));
          fmaKernel = true;
        } catch {
          cachedModule = null; // no relaxed SIMD in this runtime: the plain kernels
        }
      }
    }
    if (p && !cachedModule) {
      try {
        cachedModule = new WA.Module(readFileSync(p));
      } catch (e) {
        fallbackReason = `this runtime cannot compile the WebAssembly SIMD kernel (${String((e as Error).message ?? e).slice(0, 120)})`;
      }
    }
  }
  if (cachedModule === null) warnFallbackOnce();
  return cachedModule;
}

let warned = false;
function warnFallbackOnce(): void {
  if (warned) return;
  warned = true;
  warn(`${fallbackReason ?? 'the WebAssembly neighbour kernel is unavailable'}: the neighbour searches that would use it (D > 8, cosine) ` +
    'run in plain JavaScript: the same exact tables, about 4 (D = 50) to 13 (D = 768) times more CPU time', 'performance');
}

/** Forgets the loaded module (tests that flip the switches in-process). */
export function resetKnnModule(): void {
  cachedModule = undefined;
  fallbackReason = null;
  warned = false;
}

/** Whether the loaded kernels use relaxed-SIMD multiply-add (knn-fma.wasm). */
export function knnKernelUsesFma(): boolean {
  loadKnnModule();
  return fmaKernel;
}

export function requireKnnModule(): WasmModule {
  const m = loadKnnModule();
  if (!m) {
    throw new DadalabError('The WebAssembly neighbour kernel (dist/wasm/knn.wasm) is missing or cannot be loaded',
      "Run `npm run build` (it compiles asm/knn.ts), or pass engine: 'auto' to fall back to the exact JS engines");
  }
  return m;
}

const U32 = 2 ** -24, U64 = 2 ** -53;
const BASE = 65536; // the first 64 KiB are left to the AssemblyScript runtime

/** Everything a stage-1 job needs: the memory, its layout and the bounds used to certify rows. */
export interface WasmPlan {
  readonly memory: WasmMemory;
  readonly fn: string;
  readonly es: number; // bytes per value
  readonly nRef: number; // reference rows (0 .. nRef)
  readonly qBase: number; // query row r of the job is kernel row qBase + r
  readonly selfMode: boolean; // queries are the reference rows themselves (self excluded)
  readonly D: number;
  readonly Dp: number;
  readonly kp: number; // candidates per row
  readonly C: number; // capacity of a row's candidate buffer (> kp)
  readonly BR: number; // query rows per kernel call
  readonly BJ: number; // reference rows per cache block
  readonly xOff: number;
  readonly nOff: number;
  readonly slotOff: number;
  readonly slotBytes: number;
  readonly slots: number;
  /** Stage 1 overflowed the kernel type somewhere: no row is certified, all are recomputed exactly. */
  readonly unsafe: boolean;
  /** With full buffers: where the candidate values, indices, headers and exact distances of row 0 start. */
  readonly hdAll: number;
  readonly hiAll: number;
  readonly hhAll: number;
  readonly edAll: number;
  /** The original values (reference rows, then query rows) in the shared memory, for the exact stage. */
  readonly orig: Float64Array | Float32Array;
  readonly origOff: number;
  /** Where sqn lives in the shared memory. */
  readonly sqnOff: number;
  readonly sqn: Float64Array; // |x_i| of the stored (centred, rounded) rows, queries after references
  readonly sqnMax: number; // max over reference rows
  readonly eCoef: number; // E = eCoef * (n_i + n_max)
  readonly metric: WasmMetric;
  readonly u: number;
  /** Stage 1 by the row-select kernel (rowsel_f32): per slot a row buffer of BR x N values at rvOff and histogram scratch at hsOff. */
  readonly rowsel: boolean;
  /** Where the caller's extra bytes (prepareWasm's extraBytes) start. */
  readonly extraOff: number;
  /** Neighbours per query row (k) and output columns (w = k + 1 in self mode, k in cross mode). */
  readonly k: number;
  readonly w: number;
  /** The table rows finished in the workers (asm sort_rows, then ranks.ts certifyTableRows): per slot (row plans) or for all N rows (full plans), finishBytes apart. */
  readonly finOff: number;
  readonly finBytes: number;
  /** The second pass's scratch (refine.ts), one per thread of control (worker index, or 0 on this thread), refBytes apart. */
  readonly refOff: number;
  readonly refBytes: number;
  readonly rvOff: number;
  readonly hsOff: number;
}

/**
 * Whether the row-select kernel serves a row-block plan: float32 euclidean or cosine, k' below
 * the available points, and k' large relative to N (there the threshold buffers of knn_f32 take
 * many quickselects per row; the row kernel writes the values out and selects once per row).
 * DADALAB_ROWSEL=0 / 1 forces it off / on (benchmarks, tests).
 */
export function useRowSelect(N: number, kp: number, avail: number, precision: Precision, metric: WasmMetric): boolean {
  if (precision !== 'float32' || (metric !== 'euclidean' && metric !== 'cosine') || kp >= avail) return false;
  const env = process.env.DADALAB_ROWSEL;
  if (env === '0') return false;
  if (env === '1') return true;
  return kp * 64 >= N;
}

export function align16(n: number): number {
  return Math.ceil(n / 16) * 16;
}

/** The block rows BR prepareWasm would choose for a float32 self plan of X (no memory allocated). */
export function prepareWasmLayout(X: Matrix, k: number, slots: number, metric: WasmMetric): { BR: number } {
  const N = X.rows, Dp = Math.ceil(X.cols / 4) * 4, M = N;
  void k; void slots; void metric;
  let BR = Math.floor(1e9 / (2 * N * Dp));
  BR = Math.max(8, Math.min(256, BR, Math.ceil(M / 8)));
  BR += BR & 1;
  return { BR };
}

/** Allocates the shared memory of a plan: at least `bytes` bytes. */
export type MemoryAlloc = (bytes: number) => WasmMemory;

function pagesFor(bytes: number): number {
  const pages = Math.ceil(bytes / 65536);
  if (pages > 65536) {
    throw new DadalabError(`The WebAssembly engine needs ${(bytes / 2 ** 30).toFixed(1)} GiB, over the 4 GiB of wasm32 memory`,
      "Use precision: 'float32' (half the memory), or engine: 'exact-js'");
  }
  return pages;
}

/** A new shared memory of exactly the pages needed (plans on this thread). */
export const freshMemory: MemoryAlloc = (bytes) => {
  const pages = pagesFor(bytes);
  return new WA.Memory({ initial: pages, maximum: pages, shared: true });
};

/**
 * A shared memory kept between jobs and grown as needed (the worker pool's: the workers keep
 * their instances on it, and no job leaves a copy of its data in an idle worker).
 */
export class GrowingMemory {
  private mem: (WasmMemory & { grow(pages: number): number }) | null = null;
  /** Bytes currently held. */
  get bytes(): number {
    return this.mem ? this.mem.buffer.byteLength : 0;
  }
  get(bytes: number): WasmMemory {
    const pages = pagesFor(bytes);
    if (!this.mem) {
      this.mem = new WA.Memory({ initial: pages, maximum: 65536, shared: true }) as WasmMemory & { grow(pages: number): number };
    } else {
      const have = this.mem.buffer.byteLength / 65536;
      if (pages > have) this.mem.grow(pages - have);
    }
    return this.mem;
  }
  drop(): void {
    this.mem = null;
  }
  /**
   * Gives the pages from byte `from` on back to the system, keeping the memory (and so the workers
   * that hold it), where the native kernel can (release_pages); false: drop the memory instead.
   */
  release(from: number): boolean {
    const releasePages = nativeFunction<(mem: Uint8Array, from: number) => number>('release_pages');
    return this.mem !== null && releasePages !== null && releasePages(new Uint8Array(this.mem.buffer), from) >= 0;
  }
}

/**
 * Lays out the data (reference rows X, then optional query rows Q) in a shared memory from
 * `alloc`: the kernel's values (centred, rounded to the kernel type, D padded to the SIMD width),
 * their squared norms, the original values (for the exact stage), the |x|^2 used by the
 * certification, the candidate buffers (`slots` row blocks' worth, or every row's with `full`),
 * the finished rows, the second pass's scratch (one per thread of control: max(1, slots), about
 * 28 N bytes each), then `extraBytes` for the caller (a number, or a function of the block rows
 * BR). `k` is the number of neighbours wanted per query row (excluding self in self mode).
 */
export function prepareWasm(X: Matrix, Q: Matrix | null, k: number, precision: Precision, slots: number,
  metric: WasmMetric = 'euclidean', full: boolean | 'ranks' = false, rowBuffers = false, extraBytes: number | ((BR: number) => number) = 0,
  alloc: MemoryAlloc = freshMemory): WasmPlan {
  const cosine = metric === 'cosine';
  const direct = metric === 'manhattan' || metric === 'chebyshev'; // raw values, no norms
  const N = X.rows, D = X.cols, M = Q ? Q.rows : N;
  const f64 = precision === 'float64';
  const es = f64 ? 8 : 4, lanes = f64 ? 2 : 4;
  const Dp = Math.ceil(D / lanes) * lanes;
  const avail = Q ? N : N - 1;
  const kp = Math.min(avail, k + Math.max(16, k >> 2));
  const C = kp + Math.max(32, kp >> 1);
  const rowsel = !full && useRowSelect(N, kp, avail, precision, metric);
  const rb = Dp * es;
  const BJ = Math.max(16, Math.floor(131072 / rb) & ~3);
  const target = 1e9;
  let BR = Math.floor(target / (2 * N * Dp));
  BR = Math.max(8, Math.min(256, BR, Math.ceil(M / 8)));
  BR += BR & 1;
  const totalRows = Q ? N + M : N;
  const origF32 = X.data instanceof Float32Array && (!Q || Q.data instanceof Float32Array);
  const xOff = BASE;
  const nOff = align16(xOff + totalRows * rb);
  const origOff = align16(nOff + totalRows * es);
  const sqnOff = align16(origOff + totalRows * D * (origF32 ? 4 : 8));
  const slotOff = align16(sqnOff + totalRows * 8);
  const rvBytes = rowsel || rowBuffers ? align16(BR * N * 4) + 2 * align16(N * 4) : 0; // the row buffer, then rowSelect_f32's scratch
  const slotBytes = align16(align16(BR * C * es) + align16(BR * C * 4) + BR * 16 + BR * kp * 8) + rvBytes;
  // full: the buffers (and exact distances) of every row stay resident, for the symmetric tiles
  // (full = 'ranks': no exact distances nor finished rows: the window mode works per block)
  const fullBytes = full ? align16(N * C * es) + align16(N * C * 4) + N * 16 + (full === 'ranks' ? 0 : N * kp * 8) : 0;
  const w = Q ? k : k + 1;
  const finOff = align16(slotOff + (full ? fullBytes : slots * slotBytes));
  const finBytes = full === 'ranks' ? 0 : finishBytes(full ? N : BR, w);
  // the second pass (refine.ts): a scratch per thread of control (slots: the workers, or 1 on this thread)
  const refOff = align16(finOff + (full ? finBytes : slots * finBytes));
  const refBytes = refineScratchBytes(N, k);
  const extraOff = align16(refOff + Math.max(1, slots) * refBytes);
  const bytes = extraOff + (typeof extraBytes === 'function' ? extraBytes(BR) : extraBytes);
  const memory = alloc(bytes);
  const buf = memory.buffer;
  const xd = X.data;
  const orig: Float32Array | Float64Array = origF32 ? new Float32Array(buf, origOff, totalRows * D) : new Float64Array(buf, origOff, totalRows * D);
  orig.set(xd);
  if (Q) orig.set(Q.data, N * D);
  // centre on the mean of the reference rows (in float64), then round to the kernel type (float32
  // euclidean: the native kernel where built, the same operations in the same order)
  const sqn = new Float64Array(buf, sqnOff, totalRows);
  const nat = !f64 && metric === 'euclidean' ? nativeMain() : null;
  let rowStats: RowStats;
  if (nat) {
    const [unsafeN, sqnMaxN] = nat.store_rows_f32(new Uint8Array(buf), origOff, origF32 ? 1 : 0, totalRows, N, D, Dp, xOff, nOff, sqnOff);
    rowStats = { unsafe: unsafeN !== 0, sqnMax: sqnMaxN };
  } else {
    const mean = new Float64Array(D);
    if (!cosine && !direct) {
      for (let i = 0; i < N; i++) { const o = i * D; for (let t = 0; t < D; t++) mean[t] += orig[o + t]; }
      for (let t = 0; t < D; t++) mean[t] /= N;
    }
    rowStats = f64
      ? storeRows64(orig, new Float64Array(buf, xOff, totalRows * Dp), new Float64Array(buf, nOff, totalRows), sqn, totalRows, N, D, Dp, mean, metric)
      : storeRows32(orig, new Float32Array(buf, xOff, totalRows * Dp), new Float32Array(buf, nOff, totalRows), sqn, totalRows, N, D, Dp, mean, metric);
  }
  const unsafe = rowStats.unsafe, sqnMax = rowStats.sqnMax;
  const u = f64 ? U64 : U32;
  const fn = rowsel ? 'rowsel_f32' : (metric === 'manhattan' ? 'knn_l1_' : metric === 'chebyshev' ? 'knn_linf_' : 'knn_') + (f64 ? 'f64' : 'f32');
  // euclidean/cosine: absolute bound factor (see above); manhattan: relative error of the lane
  // sums; chebyshev: one rounding of the difference
  const eCoef = metric === 'manhattan' ? 1.05 * (Dp / lanes + 4) * u : metric === 'chebyshev' ? 1.05 * u : 2.1 * (Dp / lanes + 10) * u;
  return {
    orig, origOff, sqnOff,
    memory, fn, es, nRef: N, qBase: Q ? N : 0, selfMode: !Q, D, Dp, kp, C, BR, BJ,
    xOff, nOff, slotOff, slotBytes, slots, sqn,
    unsafe,
    hdAll: slotOff, hiAll: slotOff + align16(N * C * es), hhAll: slotOff + align16(N * C * es) + align16(N * C * 4),
    edAll: slotOff + align16(N * C * es) + align16(N * C * 4) + N * 16, sqnMax, eCoef, u, metric,
    extraOff, rowsel, rvOff: align16(align16(BR * C * es) + align16(BR * C * 4) + BR * 16 + BR * kp * 8), hsOff: align16(BR * N * 4),
    k, w, finOff, finBytes, refOff, refBytes,
  };
}

/**
 * Bytes of a finished-rows region with room for `cap` rows of w columns: the distances of every
 * row, then the indices, then a status per row (1 = not certified).
 */
export function finishBytes(cap: number, w: number): number {
  return align16(cap * w * 8) + align16(cap * w * 4) + align16(cap * 4);
}

/** Views of rows [a, a + rows) of the finished-rows region at `base` with room for `cap` rows. */
export function finishViews(p: WasmPlan, base: number, cap: number, a: number, rows: number): { d: Float64Array; ix: Int32Array; status: Int32Array } {
  const buf = p.memory.buffer, w = p.w, iOff = base + align16(cap * w * 8), sOff = iOff + align16(cap * w * 4);
  return { d: new Float64Array(buf, base + a * w * 8, rows * w), ix: new Int32Array(buf, iOff + a * w * 4, rows * w),
    status: new Int32Array(buf, sOff + a * 4, rows) };
}

/**
 * What the workers need to finish table rows (asm sort_rows, then ranks.ts certifyTableRows), sent
 * with the setup message; with `out`, each worker also copies the rows it finished there (row q0 on).
 */
export function finishSetup(p: WasmPlan, out?: SharedRows | null): Record<string, unknown> {
  return { k: p.k, w: p.w, selfMode: p.selfMode, qBase: p.qBase, avail: p.selfMode ? p.nRef - 1 : p.nRef, sqnMax: p.sqnMax, eCoef: p.eCoef,
    u: p.u, unsafe: p.unsafe, kp: p.kp, C: p.C, es: p.es, out: out ? { buf: out.buf, iOff: out.iOff } : null };
}

/**
 * The rows [r0, r1) the workers finished into a region (finishViews), copied into new arrays
 * (the rows stage 1 could not certify were recomputed there: status 2, counted).
 */
export function collectFinished(p: WasmPlan, r0: number, r1: number, base: number, cap: number, a: number): { d: Float64Array; ix: Int32Array; fallbacks: number } {
  const fallbacks = finishedFallbacks(p, r0, r1, base, cap, a), v = finishViews(p, base, cap, a, r1 - r0);
  return { d: v.d.slice(), ix: v.ix.slice(), fallbacks };
}
/** The number of rows among [r0, r1) (finished into a region) that were recomputed (status 2); throws on a row left unfinished. */
export function finishedFallbacks(p: WasmPlan, r0: number, r1: number, base: number, cap: number, a: number): number {
  return countRecomputed(finishViews(p, base, cap, a, r1 - r0).status, r1 - r0, r0);
}
/**
 * The rows of a finished block's status (rows r0 on) that the second pass recomputed (status 2);
 * throws on a row left unfinished. Standalone: the pool's workers run its source too (a worker that
 * reuses its slot for its next block counts its blocks itself).
 */
export function countRecomputed(status: Int32Array, rows: number, r0: number): number {
  let n = 0;
  for (let r = 0; r < rows; r++) {
    if (status[r] === 2) n++;
    else if (status[r] !== 0) throw new Error(`neighbour row ${r0 + r} was left unfinished (status ${status[r]})`);
  }
  return n;
}

/** The plan's constants of the second pass (refine.ts). */
export function refineConsts(p: WasmPlan): RefineConsts {
  return { N: p.nRef, selfMode: p.selfMode, qBase: p.qBase, metric: METRIC_CODE[p.metric], D: p.D, sqnMax: p.sqnMax, eCoef: p.eCoef, u: p.u,
    vals: p.es === 4 && (p.metric === 'euclidean' || p.metric === 'cosine') && !p.unsafe };
}

/** What a pool worker needs for the second pass (sent with its setup message): thread t's scratch, the values kernel's arguments. */
export function refineSetup(p: WasmPlan, t: number): Record<string, unknown> {
  return { g: refineConsts(p), sc: refineScratchAt(p.refOff + t * p.refBytes, p.nRef, p.k), x: p.xOff, nrm: p.nOff, Dp: p.Dp, BJ: p.BJ };
}

/** The second pass on this thread (no pool): refineRows with this thread's instance and scratch 0. */
export interface ThreadRefiner { run(q0: number, rows: number, need: Int32Array, K: Float64Array, rv: number, emit: (r: number, d: Float64Array, ix: Int32Array) => void): number }
const refiners = new WeakMap<WasmPlan, ThreadRefiner>();
export function threadRefiner(p: WasmPlan, exports: WasmExports, k: number): ThreadRefiner {
  let t = refiners.get(p);
  if (!t) { t = newThreadRefiner(p, exports, k); refiners.set(p, t); } // one per plan: the groups of identical rows are found once
  return t;
}
function newThreadRefiner(p: WasmPlan, exports: WasmExports, k: number): ThreadRefiner {
  const g = refineConsts(p), sc = refineScratchAt(p.refOff, p.nRef, k), N = p.nRef;
  const values = exports.values_f32 as (...a: number[]) => void, countBand = exports.count_band as (...a: number[]) => number;
  const sortRows = exports.sort_rows as (...a: number[]) => void;
  let dups: GroupsOfJob | null | undefined;
  const ops: RefineOps = {
    values: (i0, i1, rv) => values(p.xOff, p.nOff, N, p.Dp, i0, i1, p.BJ, rv),
    band: (row, hi, list) => { countBand(row, N, -Infinity, hi, list); return new Int32Array(p.memory.buffer, list + N * 4, 1)[0]; },
    exact: (i, n, list, ed) => {
      if (p.metric === 'euclidean') (exports.exact_l2 as (...a: number[]) => void)(p.origOff, p.orig instanceof Float32Array ? 1 : 0, p.D, i, i + 1, n, list, n, ed);
      else exactCandidates(p.orig, p.D, n, i, i + 1, new Int32Array(p.memory.buffer, list, n), new Float64Array(p.memory.buffer, ed, n), METRIC_CODE[p.metric], n);
    },
    sort: (ed, list, n, kk, outD, outI) => sortRows(ed, list, 1, n, n, kk, outD, outI, kk, 0),
    dups: () => {
      if (dups === undefined) {
        const W = p.orig instanceof Float32Array ? p.D : 2 * p.D;
        dups = groupsOf(duplicateRows(new Int32Array(p.memory.buffer, p.origOff, N * W), N, W));
      }
      return dups;
    },
  };
  return {
    run: (q0, rows, need, K, rv, emit) => refineRows(p.memory.buffer, ops, g, p.sqn, sc, k, q0, rows, need, K, rv,
      (r) => emit(r, new Float64Array(p.memory.buffer, sc.d, k), new Int32Array(p.memory.buffer, sc.i, k))),
  };
}

interface RowStats { unsafe: boolean; sqnMax: number }

/**
 * The kernel's float32 rows: centred (euclidean) or unit (cosine) or raw (manhattan, chebyshev)
 * values rounded to float32, their squared norms, and sqn: |x|^2 of the stored row (euclidean,
 * cosine) or |x|_1 / |x|_inf of the original (manhattan, chebyshev). unsafe: a value or a norm
 * beyond the kernel type (then no row is certified).
 */
function storeRows32(src: Float32Array | Float64Array, xs: Float32Array, ns: Float32Array, sqn: Float64Array, rows: number, N: number,
  D: number, Dp: number, mean: Float64Array, metric: WasmMetric): RowStats {
  let unsafe = false, sqnMax = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * D, ox = r * Dp;
    let s = 0, chk = 0;
    if (metric === 'euclidean') {
      for (let t = 0; t < D; t++) { const w = Math.fround(src[o + t] - mean[t]); xs[ox + t] = w; s += w * w; }
      chk = s;
      ns[r] = s;
      if (!Number.isFinite(ns[r])) unsafe = true;
    } else if (metric === 'cosine') {
      let xx = 0;
      for (let t = 0; t < D; t++) xx += src[o + t] * src[o + t];
      const scale = xx > 0 ? 1 / Math.sqrt(xx) : 0;
      if (!Number.isFinite(xx)) unsafe = true; // |x|^2 overflows float64
      for (let t = 0; t < D; t++) { const w = Math.fround(src[o + t] * scale); xs[ox + t] = w; s += w * w; }
      chk = s;
      ns[r] = 0;
    } else {
      const l1 = metric === 'manhattan';
      for (let t = 0; t < D; t++) {
        const v = src[o + t], w = Math.fround(v);
        xs[ox + t] = w;
        chk += w * w;
        const a = Math.abs(v);
        if (l1) s += a; else if (a > s) s = a;
      }
      ns[r] = 0;
    }
    for (let t = D; t < Dp; t++) xs[ox + t] = 0; // the padding (the memory may hold an earlier job's values)
    if (!Number.isFinite(chk)) unsafe = true;
    sqn[r] = s;
    if (r < N && s > sqnMax) sqnMax = s;
  }
  return { unsafe, sqnMax };
}

/** storeRows32 for the float64 kernels (no rounding of the stored values). */
function storeRows64(src: Float32Array | Float64Array, xs: Float64Array, ns: Float64Array, sqn: Float64Array, rows: number, N: number,
  D: number, Dp: number, mean: Float64Array, metric: WasmMetric): RowStats {
  let unsafe = false, sqnMax = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * D, ox = r * Dp;
    let s = 0, chk = 0;
    if (metric === 'euclidean') {
      for (let t = 0; t < D; t++) { const w = src[o + t] - mean[t]; xs[ox + t] = w; s += w * w; }
      chk = s;
      ns[r] = s;
    } else if (metric === 'cosine') {
      let xx = 0;
      for (let t = 0; t < D; t++) xx += src[o + t] * src[o + t];
      const scale = xx > 0 ? 1 / Math.sqrt(xx) : 0;
      if (!Number.isFinite(xx)) unsafe = true;
      for (let t = 0; t < D; t++) { const w = src[o + t] * scale; xs[ox + t] = w; s += w * w; }
      chk = s;
      ns[r] = 0;
    } else {
      const l1 = metric === 'manhattan';
      for (let t = 0; t < D; t++) {
        const v = src[o + t];
        xs[ox + t] = v;
        chk += v * v;
        const a = Math.abs(v);
        if (l1) s += a; else if (a > s) s = a;
      }
      ns[r] = 0;
    }
    for (let t = D; t < Dp; t++) xs[ox + t] = 0; // the padding (the memory may hold an earlier job's values)
    if (!Number.isFinite(chk)) unsafe = true;
    sqn[r] = s;
    if (r < N && s > sqnMax) sqnMax = s;
  }
  return { unsafe, sqnMax };
}

/** Where the buffers of a slot are, and the kernel arguments for query rows [r0, r1) into it. */
export function slotLayout(p: WasmPlan, r0: number, r1: number, slot: number): { args: number[]; hd: number; hi: number; hh: number; ed: number } {
  const hd = p.slotOff + slot * p.slotBytes;
  const hi = hd + align16(p.BR * p.C * p.es);
  const hh = hi + align16(p.BR * p.C * 4);
  const ed = hh + p.BR * 16;
  const args = [p.xOff, p.nOff, p.nRef, p.Dp, p.qBase + r0, p.qBase + r1, p.kp, hd, hi, p.BJ, hh, p.C];
  if (p.rowsel) args.push(hd + p.rvOff, hd + p.rvOff + p.hsOff);
  return { args, hd, hi, hh, ed };
}

/** Sets the headers of `rows` rows at hh to T = +Infinity, n = 0. */
export function initHeaders(buf: ArrayBuffer, hh: number, rows: number, f64: boolean): void {
  const n = new Int32Array(buf, hh, rows * 4);
  if (f64) { const t = new Float64Array(buf, hh, rows * 2); for (let r = 0; r < rows; r++) { t[2 * r] = Infinity; n[4 * r + 2] = 0; } }
  else { const t = new Float32Array(buf, hh, rows * 4); for (let r = 0; r < rows; r++) { t[4 * r] = Infinity; n[4 * r + 2] = 0; } }
}

/** Runs stage 1 (and the exact distances of the candidates) for rows [r0, r1) on this thread. */
export function runKernelSync(p: WasmPlan, exports: WasmExports, r0: number, r1: number, slot: number): void {
  const L = slotLayout(p, r0, r1, slot), buf = p.memory.buffer, rows = r1 - r0;
  initHeaders(buf, L.hh, rows, p.es === 8);
  (exports[p.fn] as (...args: number[]) => void)(...L.args);
  exactOn(p, exports, p.qBase + r0, p.qBase + r1, L.hi, L.ed);
}

/**
 * Stage 2a: the exact float64 distance of each candidate of kernel rows [i0, i1), with the same
 * operations as `pairDistance` (so the same bits). The workers run this same function (its source
 * is inlined into WORKER_SRC in pool.ts), so it must not refer to anything outside itself.
 */
export function exactCandidates(orig: ArrayLike<number>, D: number, kp: number, i0: number, i1: number, hi: Int32Array, ed: Float64Array,
  metric: number, stride: number): void {
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
  for (let i = i0; i < i1; i++) {
    const oa = i * D, o = (i - i0) * kp, oh = (i - i0) * stride;
    for (let c = 0; c < kp; c++) {
      const ob = hi[oh + c] * D;
      if (metric === 0) {
        ed[o + c] = Math.sqrt(sq8(orig, oa, ob, D));
      } else if (metric === 1) {
        let xy = 0, xx = 0, yy = 0;
        for (let t = 0; t < D; t++) {
          const x = orig[oa + t], y = orig[ob + t];
          xy += x * y; xx += x * x; yy += y * y;
        }
        const nx = xx === 0 ? 1 : Math.sqrt(xx), ny = yy === 0 ? 1 : Math.sqrt(yy);
        const dist = 1 - xy / (nx * ny);
        ed[o + c] = dist < 0 ? 0 : dist > 2 ? 2 : dist;
      } else if (metric === 2) {
        let s = 0;
        for (let t = 0; t < D; t++) s += Math.abs(orig[oa + t] - orig[ob + t]);
        ed[o + c] = s;
      } else {
        let s = 0;
        for (let t = 0; t < D; t++) { const e = Math.abs(orig[oa + t] - orig[ob + t]); if (e > s) s = e; }
        ed[o + c] = s;
      }
    }
  }
}

/** Runs stage 1 for rows [r0, r1) on pool worker `w` (which has been set up with this plan). */
export function runKernelOn(pool: KnnPool, w: number, p: WasmPlan, r0: number, r1: number, slot: number, rankMode = false, finish = false): Promise<unknown> {
  const L = slotLayout(p, r0, r1, slot);
  const rv = p.rowsel ? L.hd + p.rvOff : -1; // the row-select kernel leaves the rows' values for the second pass
  return pool.call(w, { type: 'run', fn: p.fn, args: L.args, f64: p.es === 8, hh: L.hh, rows: r1 - r0,
    exact: [p.qBase + r0, p.qBase + r1, p.kp, L.hi, p.C, L.ed],
    rank: rankMode ? { slot, rows: r1 - r0, i0: p.qBase + r0, hd: L.hd, hi: L.hi, hh: L.hh, rv } : undefined,
    finish: finish ? { base: p.finOff + slot * p.finBytes, cap: p.BR, a: 0, q0: r0, rows: r1 - r0, hh: L.hh, hi: L.hi, ed: L.ed, rv } : undefined });
}

/**
 * The window mode of the ranks (lib/neighbors/ranks.ts) on the pool: float32 stage 1, euclidean
 * or cosine, self tables. Per slot an output region of the plan's memory (rank distances, keep
 * columns, row status), rankOutputBytes(BR, R, keep) bytes, from `outOff` on.
 */
export interface RankPlan { ranks: Int32Array; keep: number; outOff: number; outBytes: number }
export function rankOutputBytes(BR: number, R: number, keep: number): number {
  return align16(BR * (R * 8 + (keep + 1) * 12 + 4));
}
export function rankPlan(p: WasmPlan, ranks: Int32Array, keep: number, outOff: number): RankPlan | null {
  if (p.es !== 4 || (p.metric !== 'euclidean' && p.metric !== 'cosine') || !p.selfMode || p.unsafe) return null;
  return { ranks, keep, outOff, outBytes: rankOutputBytes(p.BR, ranks.length, keep) };
}
export function rankSetup(p: WasmPlan, g: RankPlan): Record<string, unknown> {
  return { ranks: g.ranks, keep: g.keep, outOff: g.outOff, outBytes: g.outBytes, kp: p.kp, C: p.C, BR: p.BR, sqnMax: p.sqnMax, eCoef: p.eCoef, u: p.u,
    all: p.kp >= p.nRef - 1 };
}
/** Views of a slot's rank outputs for `rows` rows. */
export function rankOutputs(p: WasmPlan, g: RankPlan, slot: number, rows: number): { outR: Float64Array; keepD: Float64Array; keepI: Int32Array; status: Int32Array } {
  const R = g.ranks.length, kw = g.keep + 1, o = g.outOff + slot * g.outBytes, buf = p.memory.buffer;
  return { outR: new Float64Array(buf, o, rows * R), keepD: new Float64Array(buf, o + p.BR * R * 8, rows * kw),
    keepI: new Int32Array(buf, o + p.BR * R * 8 + p.BR * kw * 8, rows * kw), status: new Int32Array(buf, o + p.BR * R * 8 + p.BR * kw * 12, rows) };
}

/** The parameters of rank counting (countRanks in the workers) for rows [i0, i0 + rows) with value rows at rv. */
export function countParams(p: WasmPlan, rv: number, rows: number, i0: number, targetsOff: number, k: number, outOff: number): Record<string, unknown> {
  // amb: the row select's scratch after the row buffer (N values and N indices: room for N + 1 indices), free once the select is done
  return { rv, rows, N: p.nRef, i0, tOff: targetsOff, k, sqnMax: p.sqnMax, eCoef: p.eCoef, u: p.u, oOff: outOff, amb: p.hsOff > 0 ? rv + p.hsOff : 0 };
}

const ids = new WeakMap<object, number>();
let nextId = 1;
/** The number that names a memory in messages to the workers. */
export function memoryId(m: WasmMemory): number {
  return idOf(m);
}

/** A number that names a memory or module object (the workers re-instantiate only when it changes). */
function idOf(o: object): number {
  let id = ids.get(o);
  if (id === undefined) { id = nextId++; ids.set(o, id); }
  return id;
}

/** The setup message of a pool worker for this plan (everything it reads lives in the plan's memory). */
export function setupMessage(module: WasmModule, p: WasmPlan, rk: Record<string, unknown> | undefined, worker: number,
  out?: SharedRows | null): Record<string, unknown> {
  return { type: 'setup', module, modId: idOf(module), memory: p.memory, memId: idOf(p.memory), origOff: p.origOff, origLen: p.orig.length,
    origF32: p.orig instanceof Float32Array, sqnOff: p.sqnOff, sqnLen: p.sqn.length, D: p.D, metric: METRIC_CODE[p.metric], rk,
    fin: rk ? undefined : finishSetup(p, out), ref: refineSetup(p, worker), native: p.es === 4 ? nativeKernelPath() : null };
}

export function instantiate(module: WasmModule, p: WasmPlan): WasmExports {
  return new WA.Instance(module, { env: { memory: p.memory } }).exports;
}

/** Exact float64 euclidean distance, the same operations as `pairDistance` (so the same bits). */
function euclid(a: ArrayLike<number>, oa: number, b: ArrayLike<number>, ob: number, D: number): number {
  return Math.sqrt(sqEuclid(a, oa, b, ob, D));
}

/** Views of the buffers of rows [r0, r1) (row r0 first): thresholds, counts, candidate indices (stride C), exact distances (stride kp). */
export interface RowViews { T: Float32Array | Float64Array; tStride: number; n: Int32Array; hi: Int32Array; ed: Float64Array }

export function rowViews(p: WasmPlan, rows: number, hh: number, hi: number, ed: number): RowViews {
  const buf = p.memory.buffer;
  return {
    T: p.es === 8 ? new Float64Array(buf, hh, rows * 2) : new Float32Array(buf, hh, rows * 4), tStride: 16 / p.es,
    n: new Int32Array(buf, hh, rows * 4), hi: new Int32Array(buf, hi, rows * p.C), ed: new Float64Array(buf, ed, rows * p.kp),
  };
}

/**
 * Stage 2 for query rows [r0, r1) on this thread: exact re-rank of the candidates in `slot`,
 * certification, and the second pass (refine.ts) for the rows not certified. Writes row r at
 * `outD/outI[(r - r0) * w ...]` with w = k + 1 (self mode: self in column 0) or w = k (cross
 * mode). Returns the number of rows the second pass recomputed.
 */
export function finishRows(p: WasmPlan, exports: WasmExports, k: number, r0: number, r1: number, slot: number,
  outD: Float64Array, outI: Int32Array, heap: TopK): number {
  const L = slotLayout(p, r0, r1, slot);
  return finishRowsFrom(p, threadRefiner(p, exports, k), k, r0, r1, rowViews(p, r1 - r0, L.hh, L.hi, L.ed), outD, outI, heap,
    p.rowsel ? L.hd + p.rvOff : -1);
}

/** Views of the resident buffers of rows [r0, r1) (full plans, after finalize). */
export function fullViews(p: WasmPlan, r0: number, r1: number): RowViews {
  return rowViews(p, r1 - r0, p.hhAll + r0 * 16, p.hiAll + r0 * p.C * 4, p.edAll + r0 * p.kp * 8);
}

/** finishRows on given views (row r0 first); rv: the rows' float32 values (rows of N) when the row-select kernel left them, else -1. */
export function finishRowsFrom(p: WasmPlan, refiner: ThreadRefiner, k: number, r0: number, r1: number,
  v: RowViews, outD: Float64Array, outI: Int32Array, heap: TopK, rv = -1): number {
  const D = p.D, N = p.nRef, rows = r1 - r0;
  const w = p.selfMode ? k + 1 : k, c0 = p.selfMode ? 1 : 0;
  const avail = p.selfMode ? N - 1 : N;
  const relRef = 1 - (D + 8) * 2.3e-16;
  const rootMax = Math.sqrt(p.sqnMax);
  const need = new Int32Array(rows), K = new Float64Array(rows).fill(Infinity);
  let fallbacks = 0;
  for (let r = r0; r < r1; r++) {
    const o = (r - r0) * p.kp, oh = (r - r0) * p.C, out = (r - r0) * w;
    heap.reset();
    // fewer than kp candidates: stage 1 overflowed (values beyond the kernel type) and left holes
    const filled = v.n[(r - r0) * 4 + 2] >= p.kp;
    if (filled) for (let c = 0; c < p.kp; c++) heap.push(v.ed[o + c], v.hi[oh + c]);
    if (p.selfMode) { outD[out] = 0; outI[out] = r; }
    const T = v.T[(r - r0) * v.tStride]; // every left-out point had a stage-1 value >= T
    if (filled && Number.isFinite(T) && !p.unsafe) {
      heap.drainSorted(outD, outI, out + c0);
      if (p.kp >= avail) continue; // every point was a candidate
      if (rowCertified(p, r, T, outD[out + w - 1], D, relRef, rootMax)) continue;
      K[r - r0] = outD[out + w - 1]; // the k-th exact distance among the candidates: >= the row's
    }
    need[r - r0] = 1;
    fallbacks++;
  }
  if (fallbacks > 0) {
    refiner.run(r0, rows, need, K, rv, (r, d, ix) => { outD.set(d, r * w + c0); outI.set(ix, r * w + c0); });
  }
  return fallbacks;
}

/**
 * Whether the exact k-th distance K of query row r (kernel row qBase + r) is certified: every
 * point left out of the candidates had a stage-1 value >= T, which bounds its exact distance from
 * below (see the module comment); K strictly below that bound means no left-out point can enter
 * or tie the top k.
 */
function rowCertified(p: WasmPlan, r: number, T: number, K: number, D: number, relRef: number, rootMax: number): boolean {
  if (p.metric === 'cosine') {
    // every left-out j: -2 x^.y^ >= T - E, so 1 - x^.y^ >= 1 + (T - E) / 2, minus the float64
    // rounding of the reference's 1 - xy / (|x| |y|)
    const lb = 1 + (T - p.eCoef - 4.2 * p.u) / 2 - 8 * (D + 10) * U64;
    return K < lb;
  }
  if (p.metric === 'manhattan' || p.metric === 'chebyshev') {
    // every left-out j: value >= T, so |x~ - y~| >= T / (1 + eCoef), and the rounding of the
    // values to the kernel type moves the distance by at most 1.02 u (|x_i| + max |x_j|)
    const lb = T / (1 + p.eCoef) - (1.02 * p.u + 4 * U64) * (p.sqn[p.qBase + r] + p.sqnMax);
    return K < lb * relRef;
  }
  const ni = p.sqn[p.qBase + r];
  const lb2 = T - p.eCoef * (ni + p.sqnMax);
  const lb = (lb2 > 0 ? Math.sqrt(lb2) : 0) - (1.02 * p.u + 4 * U64) * (Math.sqrt(ni) + rootMax);
  return K < lb * relRef;
}

/** The tile size of the symmetric schedule: about 1e9 flops per kernel call, >= 2 tiles per worker and round. */
export function symBlockRows(N: number, Dp: number, workers: number): number {
  const B = Math.round(Math.sqrt(1e9 / (2 * Dp)));
  return Math.max(32, Math.min(B, Math.ceil(N / (2 * Math.max(1, workers) + 1))));
}

/**
 * The rounds of the symmetric schedule over `nb` row blocks (round-robin tournament, circle
 * method): in each round the tiles touch disjoint blocks, so workers can run them concurrently
 * without sharing a heap. Every pair of blocks I < J appears once as a symmetric tile [I, J, 1]
 * and every block once as its diagonal tile [I, I, 0].
 */
export function symSchedule(nb: number): [number, number, number][][] {
  const m = nb % 2 === 0 ? nb : nb + 1; // with a dummy block nb when odd (its partner does its diagonal)
  const ring = Array.from({ length: m }, (_, i) => i);
  const rounds: [number, number, number][][] = [];
  for (let r = 0; r < m - 1; r++) {
    const round: [number, number, number][] = [];
    for (let t = 0; t < m / 2; t++) {
      const a = ring[t], b = ring[m - 1 - t];
      if (a >= nb || b >= nb) { const c = a >= nb ? b : a; round.push([c, c, 0]); } else round.push([Math.min(a, b), Math.max(a, b), 1]);
    }
    rounds.push(round);
    ring.splice(1, 0, ring.pop() as number); // rotate all but the first
  }
  if (nb % 2 === 0) rounds.push(Array.from({ length: nb }, (_, i) => [i, i, 0] as [number, number, number]));
  return rounds;
}

/** Arguments of the tile kernel for blocks I and J (rows [I*B, ...) and [J*B, ...)). */
export function tileArgs(p: WasmPlan, B: number, I: number, J: number, sym: number): number[] {
  const N = p.nRef;
  return [p.xOff, p.nOff, p.Dp, I * B, Math.min(N, (I + 1) * B), J * B, Math.min(N, (J + 1) * B), p.kp, p.hdAll, p.hiAll, p.BJ, sym, p.hhAll, p.C];
}
export function tileFn(p: WasmPlan): string {
  return p.es === 8 ? 'tile_f64' : 'tile_f32';
}
export function fillHeaps(p: WasmPlan): void {
  initHeaders(p.memory.buffer, p.hhAll, p.nRef, p.es === 8);
}
/** The finalize kernel and its arguments for rows [r0, r1) of a full plan. */
export function finalizeCall(p: WasmPlan, r0: number, r1: number): { fn: string; args: number[] } {
  return { fn: p.es === 8 ? 'finalize_f64' : 'finalize_f32', args: [p.hdAll, p.hiAll, p.hhAll, r0, r1, p.C, p.kp] };
}
/** The exact distances of the candidates of rows [r0, r1) of a full plan (after finalize). */
export function exactFull(p: WasmPlan, exports: WasmExports, r0: number, r1: number): void {
  exactOn(p, exports, r0, r1, p.hiAll + r0 * p.C * 4, p.edAll + r0 * p.kp * 8);
}

/** Stage 2a on this thread for kernel rows [i0, i1) with candidate indices at hi and distances to ed (byte offsets). */
function exactOn(p: WasmPlan, exports: WasmExports, i0: number, i1: number, hi: number, ed: number): void {
  const rows = i1 - i0, buf = p.memory.buffer;
  if (p.metric === 'euclidean') {
    (exports.exact_l2 as (...a: number[]) => void)(p.origOff, p.orig instanceof Float32Array ? 1 : 0, p.D, i0, i1, p.kp, hi, p.C, ed);
  } else {
    exactCandidates(p.orig, p.D, p.kp, i0, i1, new Int32Array(buf, hi, rows * p.C), new Float64Array(buf, ed, rows * p.kp), METRIC_CODE[p.metric], p.C);
  }
}
/** The worker message of the exact stage for rows [r0, r1) of a full plan. */
export function exactMessage(p: WasmPlan, r0: number, r1: number, finish = false): Record<string, unknown> {
  const f = finalizeCall(p, r0, r1);
  const hh = p.hhAll + r0 * 16, hi = p.hiAll + r0 * p.C * 4, ed = p.edAll + r0 * p.kp * 8;
  return { type: 'exact', fin: f.fn, finArgs: f.args, exact: [r0, r1, p.kp, hi, p.C, ed],
    finish: finish ? { base: p.finOff, cap: p.nRef, a: r0, q0: r0, rows: r1 - r0, hh, hi, ed } : undefined };
}
export function metricCode(p: WasmPlan): number {
  return METRIC_CODE[p.metric];
}
