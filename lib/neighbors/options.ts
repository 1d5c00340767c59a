/**
 * Options of the neighbour engine: checking them, DADApy's defaults, the engine 'auto' picks, and
 * the statistics of the last search (lastNeighborStats).
 */
import { DadalabError } from '../errors';
import { validateCoordinates, type Matrix } from '../matrix';
import { hammingEngine, parseMetric, parsePeriod, type Metric } from './metrics';
import { defaultWorkerCount } from './pool';
import { nativeKernelPath } from './native';
import { knnKernelUsesFma, loadKnnModule, type Precision, type WasmMetric } from './wasm';

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
  fallbackRows: number;
  /** Whether the WebAssembly engine computed each pair once (strips or symmetric tiles). */
  symmetric: boolean;
  /** Which WebAssembly driver ran (null: another engine). */
  path?: NeighborPath;
  /** Which stage-1 kernel the WebAssembly engine's tiles ran: the native accelerator, relaxed-SIMD or plain WebAssembly. */
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
    : s.path === 'tiles' && s.workers > 0 && s.precision === 'float32' && nativeKernelPath() ? 'native'
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


export function parseWorkers(w: number | undefined): number {
  if (w === undefined) return defaultWorkerCount();
  if (!Number.isInteger(w) || w < 0 || w > 64) {
    throw new DadalabError(`workers = ${w} is not a whole number between 0 and 64`, 'Pass workers: 0 (this thread), 1 or 2');
  }
  return w;
}

/** Checks data and options and fills in DADApy's defaults. */
export function resolveNeighborOptions(X: Matrix, opts: NeighborOptions = {}): ResolvedNeighborOptions {
  validateCoordinates(X, 2);
  const N = X.rows;
  const maxk = opts.maxk ?? Math.min(100, N - 1);
  if (!Number.isInteger(maxk) || maxk < 1) {
    throw new DadalabError(`maxk = ${maxk} is not a positive whole number`, 'Pass maxk >= 1');
  }
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
