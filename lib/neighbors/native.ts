import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The optional native accelerator (native/knn.c, built by scripts/build-native.mjs where a C
 * compiler and Node's headers exist): the symmetric tile kernel (tile_f32) and the strip values
 * (vals_f32) with AVX2 + FMA, and the exact float64 distances of float32 candidates
 * (exact_l2_f32, pairDistance's bits), run by the pool's workers on the WebAssembly memory, and
 * the kd-tree's self rows (kd_rows, kdrows.ts kdRows's bytes) on the row jobs' shared memory;
 * on the main thread (nativeMain), the float32 rows' preparation and the data's largest |value|.
 * Used when dist/native/knn.node exists, loads,
 * and reports a CPU with AVX2 and FMA; DADALAB_NATIVE=0 turns it off. Stage 1 (the float32
 * candidate values) changes within the certified bound and the exact distances are the same bits,
 * so the certified tables are identical either way.
 */
let cached: string | null | undefined;

/** The path of a usable native kernel for the workers, or null. */
export function nativeKernelPath(): string | null {
  if (cached !== undefined) return cached;
  cached = null;
  if (process.env.DADALAB_NATIVE === '0') return cached;
  const candidates = [
    join(__dirname, '..', '..', 'native', 'knn.node'), // dist/lib/neighbors -> dist/native
    join(__dirname, '..', '..', 'dist', 'native', 'knn.node'), // lib/neighbors (sources, vitest)
  ];
  for (const c of candidates) {
    if (!existsSync(c)) continue;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const m = require(c) as { supported?: boolean; tile_f32?: unknown; vals_f32?: unknown; exact_l2_f32?: unknown };
      if (m.supported === true && typeof m.tile_f32 === 'function' && typeof m.vals_f32 === 'function' && typeof m.exact_l2_f32 === 'function') cached = c;
    } catch {
      // not loadable here (another platform's build, a missing symbol): the WebAssembly kernels
    }
    break;
  }
  return cached;
}

/** The main thread's use of the native kernel: the float32 rows' preparation and the largest |value| (the same results as the JavaScript). */
export interface NativeMain {
  store_rows_f32(mem: Uint8Array, origOff: number, origF32: number, rows: number, N: number, D: number, Dp: number, xOff: number, nOff: number, sqnOff: number): [number, number];
  max_abs(values: Float64Array | Float32Array): number;
}
let mainCached: NativeMain | null | undefined;

/** The native kernel loaded on this thread when it is usable and has the main thread's functions, or null. */
export function nativeMain(): NativeMain | null {
  if (mainCached !== undefined) return mainCached;
  const path = nativeKernelPath();
  mainCached = null;
  if (path) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const m = require(path) as Partial<NativeMain>;
    if (typeof m.store_rows_f32 === 'function' && typeof m.max_abs === 'function') mainCached = m as NativeMain;
  }
  return mainCached;
}

/** Forgets the decision (tests that flip DADALAB_NATIVE in-process). */
export function resetNativeKernel(): void {
  cached = undefined;
  mainCached = undefined;
}

/** The usable native kernel's function `name` on this thread, or null (a build older than the sources may lack the newest ones). */
export function nativeFunction<F extends (...args: never[]) => unknown>(name: string): F | null {
  const path = nativeKernelPath();
  if (!path) return null;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const f = (require(path) as Record<string, unknown>)[name];
  return typeof f === 'function' ? (f as F) : null;
}

/** Whether the usable native kernel has the function `name`. */
export function nativeHas(name: string): boolean {
  return nativeFunction(name) !== null;
}
