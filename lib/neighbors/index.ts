/**
 * The exact neighbour engine.
 *
 * - `computeNeighbors(X, opts)` (async: worker threads, progress, cancellable) and
 *   `computeNeighborsSync(X, opts)` (this thread) give the same table: `maxk + 1` columns, the
 *   point itself in column 0, then its neighbours by increasing distance, ties by ascending
 *   index, float64 distances computed with direct differences. Deterministic whatever the number
 *   of threads or the engine.
 * - Engines (`engine` option, default 'auto'): 'exact-js' (float64 brute force, the reference),
 *   'kdtree' (typed-array kd-tree: euclidean, manhattan, chebyshev, periodic boxes; chosen for
 *   D <= 8), 'wasm' (WebAssembly SIMD stage 1 in float32 or float64 (`precision`), exact float64
 *   re-rank and certification: every metric, no period; chosen for D > 8, and for cosine at any
 *   D). 'auto' uses exact-js for tiny N (<= 256) and for periodic data at D > 8.
 * - `crossNeighbors(Q, X, k, opts)`: the k nearest rows of X for each row of Q (no self
 *   exclusion), e.g. for densities at new points.
 * - `forEachNeighborBlock(X, opts, cb)`: the same table as computeNeighbors, streamed as row
 *   blocks `cb(r0, r1, distances, indices)` in increasing r0 (block arrays have (r1 - r0) rows of
 *   maxk + 1 columns; `cb` may return a Promise, which is awaited before the next block is
 *   delivered). The arrays passed to cb are the callback's to keep.
 * - `forEachNeighborRankBlock(X, { ranks, keep }, cb)`: only the exact distances at chosen ranks
 *   (and the first `keep` columns), streamed likewise: what Gride at rank 1024 needs.
 * - `countNeighborRanks(X, targets, k)` and `computeNeighborsAndRanks`: the ranks of given
 *   points among each point's neighbours (information imbalance).
 * - `shutdownNeighborPool()` terminates the worker threads (idle workers never keep the process
 *   alive anyway).
 *
 * Memory of the WebAssembly engine: the symmetric tiles keep every row's candidate buffer
 * resident (about N k' 24 bytes, k' = k + max(16, k / 4)); computeNeighbors uses them up to
 * 1.5 GiB of buffers, forEachNeighborBlock up to 512 MiB (its blocks then arrive after the whole
 * stage 1), beyond that the row blocks (a few blocks of buffers at a time). The strips
 * (strips.ts: the table, the ranks mode and rank counts at modest N) hold N^2 / 2 float32 values
 * up to STRIPS_MAX_BYTES (96 MiB, about N = 7000); no other path holds anything N^2.
 *
 * Files: options.ts (options, defaults, engine choice, statistics), search.ts (the table
 * entries), strips.ts, tiles.ts and rowblocks.ts (the WebAssembly drivers), inorder.ts (their
 * in-order block sink), rankblocks.ts (the ranks mode), count.ts (rank counting), cross.ts (cross
 * queries), wasm.ts (the kernel's memory plans, exact stage and certification), refine.ts (the
 * second pass: rows stage 1 could not certify, e.g. many points tied at the k-th distance,
 * recomputed exactly in the workers), pool.ts (the worker threads), ranks.ts (the window and count modes run in the workers), kdtree.ts and kdrows.ts (the
 * kd-tree and its self rows for the workers), brute.ts, heap.ts, distance.ts, metrics.ts,
 * native.ts (the optional C accelerator), table.ts (the table type and its checks),
 * precomputed.ts (tables from given distances), duplicates.ts (dedupe, findDuplicates).
 */
export * from './table';
export * from './metrics';
export { dedupe, findDuplicates, type Dedupe } from './duplicates';
export { fromPrecomputed, fromDistanceMatrix, type PrecomputedOptions } from './precomputed';
export { pairDistance } from './distance';
export { bruteForceCross } from './brute';
export { KdTree } from './kdtree';
export { shutdownNeighborPool } from './pool';
export { loadKnnModule, type Precision } from './wasm';
export {
  ENGINES, lastNeighborStats, resolveNeighborOptions,
  type Engine, type NeighborOptions, type NeighborStats, type ResolvedNeighborOptions,
} from './options';
export { computeNeighbors, computeNeighborsSync, forEachNeighborBlock } from './search';
export { forEachNeighborRankBlock, type NeighborRankOptions } from './rankblocks';
export { computeNeighborsAndRanks, countNeighborRanks, type CountRanksOptions } from './count';
export { crossNeighbors, type CrossNeighbors } from './cross';
