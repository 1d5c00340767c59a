/**
 * Options of the neighbour engine: checking them, DADApy's defaults, the engine 'auto' picks, and
 * the statistics of the last search (lastNeighborStats).
 */
import { refineScratchBytes } from './refine';
import { numberInRange, positiveInteger } from '../options';
import { DadalabError } from '../errors';
import { validateCoordinates, type Matrix } from '../matrix';
import { hammingEngine, parseMetric, parsePeriod, type Metric } from './metrics';
import { defaultWorkerCount } from './pool';
import { nativeKernelPath } from './native';
import { knnKernelUsesFma, loadKnnModule, type Precision, type WasmMetric } from './wasm';
import { ensureArrayLength, ensureMemory } from '../runtime/memory';

export type Engine = 'auto' | 'exact-js' | 'kdtree' | 'wasm';
export const ENGINES: readonly Engine[] = ['auto', 'exact-js', 'kdtree', 'wasm'];

export interface NeighborOptions {
  /** Neighbours per point beyond the point itself; DADApy's default min(100, N - 1). */
  maxk?: number;
  metric?: Metric | string;
  /** Box length per coordinate (or one for all) for periodic data: euclidean and manhattan only. */
  period?: number | ArrayLike<number> | null;
  /** Stops the async computation at its next block. */
  signal?: AbortSignal;
  /** Which engine computes the table (all give the same exact table); default 'auto'. */
  engine?: Engine;
  /** Arithmetic of the WebAssembly stage 1 (the final distances are exact float64 either way). */
  precision?: Precision;
  /** Worker threads for the async WebAssembly engine (default 2; 0 = this thread). */
  workers?: number;
  /**
   * WebAssembly engine, euclidean and cosine tables: compute each pair once and feed both rows
   * (symmetric tiles, about half the work; the default when N spans >= 3 tiles). false: the
   * row-block path (what forEachNeighborBlock and crossNeighbors use). Same table either way.
   */
  symmetric?: boolean;
}

export interface ResolvedNeighborOptions {
  maxk: number;
  metric: Metric;
  period: Float64Array | null;
  engine: Exclude<Engine, 'auto'>;
  precision: Precision;
  workers: number;
}

/** Which engine computed the last table, and how many rows the WebAssembly engine had to recompute exactly. */
export interface NeighborStats {
  engine: Exclude<Engine, 'auto'>;
  precision: Precision;
  workers: number;
  /**
   * Rows the WebAssembly engine's stage 1 could not certify (ties or near-ties at the k-th
   * distance, an outlier that loosens the bound), recomputed exactly by its second pass
   * (refine.ts: in the workers, or on this thread without them).
   */
  fallbackRows: number;
  /** Whether the WebAssembly engine computed each pair once (strips or symmetric tiles). */
  symmetric: boolean;
  /** Which WebAssembly driver ran (null: another engine). */
  path?: NeighborPath;
  /** Which stage-1 kernel the WebAssembly engine's tiles or strips ran: the native accelerator, relaxed-SIMD or plain WebAssembly. */
  kernel?: 'native' | 'wasm-relaxed-simd' | 'wasm' | null;
}
/** The WebAssembly drivers: strips.ts, tiles.ts, rowblocks.ts. */
export type NeighborPath = 'strips' | 'tiles' | 'rows' | null;
let stats: NeighborStats | null = null;
export function lastNeighborStats(): NeighborStats | null {
  return stats;
}

/** Records the engine statistics of the search just finished. */
export function setNeighborStats(s: NeighborStats): void {
  const kernel = s.engine !== 'wasm' ? null
    : (s.path === 'tiles' || s.path === 'strips') && s.workers > 0 && s.precision === 'float32' && nativeKernelPath() ? 'native'
      : knnKernelUsesFma() ? 'wasm-relaxed-simd' : 'wasm';
  stats = { ...s, kernel };
}

export const KD_MAX_DIM = 8;
export const TINY_N = 256;

export function pickEngine(N: number, D: number, metric: Metric, period: Float64Array | null, requested: Engine | undefined): Exclude<Engine, 'auto'> {
  const e = requested ?? 'auto';
  if (!(ENGINES as readonly string[]).includes(e)) {
    throw new DadalabError(`Unknown neighbour engine '${e}'`, `Use one of ${ENGINES.join(', ')}`);
  }
  if (metric === 'hamming') return hammingEngine(e);
  if (e === 'wasm' && period) {
    throw new DadalabError(`engine 'wasm' computes distances without a period, not periodic ${metric}`,
      "Use engine 'auto' (or 'kdtree' / 'exact-js') for this metric");
  }
  if (e === 'kdtree' && metric === 'cosine') {
    throw new DadalabError("engine 'kdtree' does not support the cosine metric", "Use engine 'auto' or 'exact-js' for cosine");
  }
  if (e !== 'auto') return e;
  if (N <= TINY_N) return 'exact-js';
  if (metric === 'cosine') return loadKnnModule() ? 'wasm' : 'exact-js';
  if (D <= KD_MAX_DIM) return 'kdtree';
  if (!period && loadKnnModule()) return 'wasm';
  return 'exact-js';
}


export function parsePrecision(p: string | undefined): Precision {
  const v = p ?? 'float32';
  if (v !== 'float32' && v !== 'float64') {
    throw new DadalabError(`Unknown precision '${v}'`, "Use 'float32' (default) or 'float64'");
  }
  return v;
}


export function parseWorkers(w: unknown): number {
  if (w === undefined) return defaultWorkerCount();
  return numberInRange(w, 'workers', 0, 64, { integer: true });
}

/** Checks data and options and fills in DADApy's defaults. */
export function resolveNeighborOptions(X: Matrix, opts: NeighborOptions = {}): ResolvedNeighborOptions {
  validateCoordinates(X, 2);
  const N = X.rows;
  const maxk = opts.maxk === undefined ? Math.min(100, N - 1) : positiveInteger(opts.maxk, 'maxk');
  if (maxk >= N) {
    throw new DadalabError(`maxk = ${maxk} but there are only N = ${N} points: each point has at most N - 1 = ${N - 1} neighbours`,
      `Pass maxk <= ${N - 1}`);
  }
  const metric = parseMetric(opts.metric);
  const period = parsePeriod(opts.period, X.cols, metric);
  const engine = pickEngine(N, X.cols, metric, period, opts.engine);
  return { maxk, metric, period, engine, precision: parsePrecision(opts.precision), workers: parseWorkers(opts.workers) };
}

export const BLOCK_ROWS = 256;

/**
 * Bytes an exact search of N points in D dimensions needs besides the coordinates themselves:
 * the table (N x (maxk + 1) float64 distances and int32 indices) when `withTable`, plus the
 * engine's working memory: the WebAssembly engine's copy of the data (kernel values, norms, the
 * float64 originals; wasm.ts prepareWasm) and its resident candidate buffers (about N k' (es + 4 + 8)
 * with C = 1.5 k' slots, k' = k + max(16, k / 4)), the strips (<= 96 MiB) and the second pass's
 * scratch per worker (refine.ts); the kd-tree's copy of the data and its index arrays. An estimate
 * for refusing early, not an exact account.
 */
export function neighborSearchBytes(N: number, D: number, r: Pick<ResolvedNeighborOptions, 'maxk' | 'engine' | 'precision'> & { workers?: number },
  withTable: boolean): number {
  const table = withTable ? N * (r.maxk + 1) * 12 : 0;
  if (r.engine === 'wasm') {
    const es = r.precision === 'float64' ? 8 : 4;
    const Dp = Math.ceil(D / 4) * 4;
    const kp = Math.min(N - 1, r.maxk + Math.max(16, r.maxk >> 2));
    const C = kp + Math.max(32, kp >> 1);
    const data = N * (Dp * es + es + D * 8 + 8);
    // resident for the symmetric tiles, which the drivers use only up to 1.5 GiB (tables) or 512 MiB (streamed blocks)
    const buffers = Math.min(N * (C * (es + 4) + 16 + kp * 8), withTable ? 1.5 * 2 ** 30 : 2 ** 29);
    const refine = Math.max(1, r.workers ?? 2) * refineScratchBytes(N, r.maxk);
    return table + data + buffers + Math.min(N * N * 2, 96 * 2 ** 20) + refine;
  }
  if (r.engine === 'kdtree') return table + N * (D * 8 + 8);
  return table;
}

/**
 * Refuses, before anything is allocated, a search whose table or working memory cannot fit the
 * memory budget (lib/runtime/memory.ts), or whose table exceeds one typed array.
 */
export function ensureNeighborMemory(N: number, D: number, r: ResolvedNeighborOptions, withTable: boolean, where: string): void {
  const alternative = withTable
    ? `Lower maxk (now ${r.maxk}), reduce D first (e.g. PCA), stream the rows with forEachNeighborBlock, or work on a subsample`
    : 'Reduce D first (e.g. PCA), lower maxk, or work on a subsample';
  if (withTable) {
    ensureArrayLength(N * (r.maxk + 1), `${where} on ${N} points with maxk = ${r.maxk} needs a ${N} x ${r.maxk + 1} neighbour table`, alternative);
  }
  ensureMemory(neighborSearchBytes(N, D, r, withTable),
    `${where} on ${N} points x ${D} coordinates with maxk = ${r.maxk} (${r.engine} engine${withTable ? `, a ${N} x ${r.maxk + 1} table` : ''})`, alternative);
}

/** Rows per block of the exact JS brute force: about 5e7 pair-coordinates (~50-100 ms), so interrupts land quickly. */
export function bruteBlockRows(N: number, D: number): number {
  return Math.max(1, Math.min(BLOCK_ROWS, Math.floor(5e7 / (N * D))));
}

export function kdBlockRows(N: number, k: number): number {
  return Math.max(64, Math.min(4096, Math.floor(2e6 / Math.max(1, k))));
}

export function wasmMetric(m: Metric): WasmMetric {
  return m as WasmMetric;
}
