/**
 * The ranks mode of the neighbour engine (forEachNeighborRankBlock): the exact distances at
 * chosen neighbour ranks only, and optionally the first `keep` columns, streamed as row blocks.
 * On the WebAssembly engine either the strips (strips.ts: each pair's float32 value computed once
 * and stored, while N^2 / 2 values fit STRIPS_MAX_BYTES) or the row blocks, with the window
 * mode of ranks.ts on the workers; other engines compute full rows and pick the columns.
 */
import { describeOptionValue } from '../options';
import { DadalabError } from '../errors';
import { asMatrix, type MatrixLike } from '../matrix';
import { startProgress } from '../runtime/progress';
import type { BlockSink } from './inorder';
import { resolveNeighborOptions, setNeighborStats, type NeighborOptions, type NeighborPath } from './options';
import { wasmAsync } from './rowblocks';
import { symAsync, symBlocks } from './tiles';
import { forEachNeighborBlock } from './search';
import { rescaleDistances, scaleForSearch } from './scale';
import { stripsAsync, type RankCount } from './strips';
import { loadKnnModule, rankOutputs, type RankPlan, type WasmPlan } from './wasm';

/**
 * The largest rank from which the automatic engine choice prefers the WebAssembly engine to the
 * kd-tree for the ranks mode: the kd-tree costs about N k 1.7e-7 s 1.5^(D - 2) (its heap work,
 * one thread), the WebAssembly engine about N^2 1.4e-9 s (2 workers) whatever the rank, so the
 * cross-over is k = 0.008 N / 1.5^(D - 2) (measured at N = 20000: D = 2 near k = 200, D = 5 near 30).
 */
export function kdFarRank(N: number, D: number): number {
  return Math.max(8, (0.008 * N) / 1.5 ** (D - 2));
}

export interface NeighborRankOptions extends Omit<NeighborOptions, 'maxk'> {
  /** The neighbour ranks wanted (1 = nearest neighbour), each between 1 and N - 1; any order, repeats allowed. */
  ranks: ArrayLike<number>;
  /** Also the first `keep` neighbours of every point, sorted (self in column 0, ties by index); default 0. */
  keep?: number;
}

/**
 * For every point, the exact distances at the given neighbour ranks only (and optionally the
 * first `keep` columns of its table), streamed as row blocks in increasing r0:
 * `cb(r0, r1, rankDistances, keepDistances, keepIndices)` with rankDistances (r1 - r0) x R
 * (R = ranks.length, in the order given) and, with keep > 0, keep x (keep + 1) tables like the
 * neighbour table's. The numbers equal the columns ranks[s] of the full table with maxk =
 * max(ranks), bit for bit: the WebAssembly engine re-ranks the candidates exactly but selects
 * the requested ranks (a cascade of selections from the largest rank down) instead of sorting
 * them, which is what estimators like Gride at rank 1024 need. Other engines compute the full
 * rows and pick the columns.
 */
export async function forEachNeighborRankBlock(data: MatrixLike, opts: NeighborRankOptions,
  cb: (r0: number, r1: number, rankDistances: Float64Array, keepDistances: Float64Array | null, keepIndices: Int32Array | null) => void | Promise<void>): Promise<void> {
  await rankBlocks(data, opts, cb);
}


/**
 * forEachNeighborRankBlock; with `count`, only through the symmetric ranks path, which also counts
 * the targets' ranks from the same value rows: returns false (nothing delivered) when it does not apply.
 */
export async function rankBlocks(data: MatrixLike, opts: NeighborRankOptions,
  cb: (r0: number, r1: number, rankDistances: Float64Array, keepDistances: Float64Array | null, keepIndices: Int32Array | null) => void | Promise<void>,
  count?: RankCount): Promise<boolean> {
  const X0 = asMatrix(data);
  const N = X0.rows;
  const rk = Array.from(opts.ranks ?? [], Number);
  if (rk.length === 0) throw new DadalabError('No neighbour ranks were asked for', 'Pass ranks: e.g. [1, 2, 4, 8]');
  for (const q of rk) {
    if (!Number.isInteger(q) || q < 1 || q >= N) {
      throw new DadalabError(`Neighbour rank ${describeOptionValue(q)} is not a whole number between 1 and N - 1 = ${N - 1}`, `Pass ranks between 1 and ${N - 1}`);
    }
  }
  const maxk = Math.max(...rk);
  const keep = opts.keep ?? 0;
  if (!Number.isInteger(keep) || keep < 0 || keep > maxk) {
    throw new DadalabError(`keep = ${describeOptionValue(keep)} is not a whole number between 0 and the largest rank ${maxk}`, `Pass keep between 0 and ${maxk}`);
  }
  // Far ranks at low D: the kd-tree's heap work grows with the rank (k log k per point, on this
  // thread) while the WebAssembly engine's does not, and both give the same exact distances; so
  // unless the kd-tree was asked for, ranks from kdFarRank on run on the WebAssembly engine.
  const auto = opts.engine === undefined || opts.engine === 'auto';
  let r = resolveNeighborOptions(X0, { ...opts, maxk });
  if (auto && r.engine === 'kdtree' && maxk >= kdFarRank(N, X0.cols) && !r.period && r.metric === 'euclidean' && loadKnnModule()) {
    r = resolveNeighborOptions(X0, { ...opts, maxk, engine: 'wasm' });
  }
  // far from 1 the squares overflow or underflow: search on 2^-e X, distances back times 2^e (scale.ts)
  const s = scaleForSearch(X0, r.metric, r.period);
  const X = s.X;
  if (s.up !== 1) {
    const inner = cb;
    cb = (r0, r1, rd, kD, kI) => { rescaleDistances(rd, s.up); rescaleDistances(kD, s.up); return inner(r0, r1, rd, kD, kI); };
  }
  const R = rk.length, kw = keep + 1;
  if (count && (r.engine !== 'wasm' || opts.symmetric === false)) return false;
  if (r.engine !== 'wasm') {
    const w = maxk + 1;
    await forEachNeighborBlock(X, { ...opts, period: s.period, maxk, symmetric: false }, async (r0, r1, d, ix) => {
      const n = r1 - r0, out = new Float64Array(n * R);
      const kD = keep > 0 ? new Float64Array(n * kw) : null, kI = keep > 0 ? new Int32Array(n * kw) : null;
      for (let i = 0; i < n; i++) {
        for (let s = 0; s < R; s++) out[i * R + s] = d[i * w + rk[s]];
        if (kD && kI) { kD.set(d.subarray(i * w, i * w + kw), i * kw); kI.set(ix.subarray(i * w, i * w + kw), i * kw); }
      }
      await cb(r0, r1, out, kD, kI);
    });
    return true;
  }
  // the ranks in ascending order for the cascade, mapped back to the caller's order
  const order = rk.map((q, s) => [q, s]).sort((x, y) => x[0] - y[0]);
  const asc = order.map((o) => o[0]);
  const bar = startProgress('neighbours', N);
  let fallbackRows = 0;
  // packed for the sink: per row the R rank distances (ascending ranks), then the keep + 1 columns; the keep indices apart
  const pack = (n: number, outR: Float64Array, kD: Float64Array | null): Float64Array => {
    const d = new Float64Array(n * (R + kw));
    for (let i = 0; i < n; i++) {
      d.set(outR.subarray(i * R, (i + 1) * R), i * (R + kw));
      if (kD) d.set(kD.subarray(i * kw, (i + 1) * kw), i * (R + kw) + R);
    }
    return d;
  };
  // the window mode ran in the workers (the rows it could not certify recomputed there: status 2)
  const fromWindow = (p: WasmPlan, g: RankPlan, r0: number, r1: number, slot: number): { fallbacks: number; d: Float64Array; ix: Int32Array } => {
    const n = r1 - r0;
    const o = rankOutputs(p, g, slot, n);
    let fallbacks = 0;
    for (let i = 0; i < n; i++) {
      if (o.status[i] === 2) fallbacks++;
      else if (o.status[i] !== 0) throw new Error(`neighbour row ${r0 + i} was left unfinished (status ${o.status[i]})`);
    }
    return { fallbacks, d: pack(n, o.outR, keep > 0 ? o.keepD : null), ix: keep > 0 ? o.keepI.slice() : new Int32Array(0) };
  };
  // the block's full table rows (maxk + 1 columns): the other plans, and this thread
  const fromRows = (r0: number, r1: number, d: Float64Array, ix: Int32Array): { d: Float64Array; ix: Int32Array } => {
    const n = r1 - r0, w = maxk + 1;
    const outR = new Float64Array(n * R), kD = keep > 0 ? new Float64Array(n * kw) : null, kI = new Int32Array(keep > 0 ? n * kw : 0);
    for (let i = 0; i < n; i++) {
      for (let s = 0; s < R; s++) outR[i * R + s] = d[i * w + asc[s]];
      if (kD) { kD.set(d.subarray(i * w, i * w + kw), i * kw); kI.set(ix.subarray(i * w, i * w + kw), i * kw); }
    }
    return { d: pack(n, outR, kD), ix: kI };
  };
  const sink: BlockSink = async (r0, r1, d, ix) => {
    const n = r1 - r0, out = new Float64Array(n * R);
    for (let i = 0; i < n; i++) for (let s = 0; s < R; s++) out[i * R + order[s][1]] = d[i * (R + kw) + s];
    let kD: Float64Array | null = null;
    if (keep > 0) {
      kD = new Float64Array(n * kw);
      for (let i = 0; i < n; i++) kD.set(d.subarray(i * (R + kw) + R, (i + 1) * (R + kw)), i * kw);
    }
    await cb(r0, r1, out, kD, keep > 0 ? ix : null);
  };
  const rankSpec = { ranks: Int32Array.from(asc), keep };
  let path: NeighborPath = 'rows';
  try {
    const strips = opts.symmetric === false ? null
      : await stripsAsync(X, maxk, r.metric, r.precision, r.workers, opts.signal, bar, sink, { kind: 'ranks', ...rankSpec, finish: fromWindow }, count);
    if (count && strips === null) return false;
    const B = strips !== null || opts.symmetric === false ? 0 : rankTileRows(N, X.cols, maxk, r.metric, r.precision, r.workers);
    path = strips !== null ? 'strips' : B > 0 ? 'tiles' : 'rows';
    if (strips !== null) fallbackRows = strips;
    else if (B > 0) fallbackRows = await symAsync(X, maxk, r.metric, r.precision, r.workers, B, opts.signal, bar, sink, { ...rankSpec, finish: fromWindow });
    else {
      fallbackRows = await wasmAsync(X, null, maxk, r.metric, r.precision, r.workers, opts.signal, bar, sink, { ...rankSpec, fromWindow, fromRows });
    }
  } finally {
    bar.finish();
  }
  setNeighborStats({ engine: r.engine, precision: r.precision, workers: r.workers, fallbackRows, symmetric: path !== 'rows', path });
  return true;
}


/** Resident candidate buffers of the ranks mode on the tiles: at most this many bytes (N (k' + k'/2) 8). */
const RANK_TILES_MAX_BYTES = 512 * 2 ** 20;

/**
 * The tile rows when the ranks mode should run on the symmetric tiles (each pair once, candidate
 * buffers resident: memory linear in N), else 0 (the row blocks: twice the arithmetic, a few
 * blocks of memory). The tiles pay where the arithmetic saved outweighs their buffer upkeep: about
 * N D >= 3e6 (measured: the buffers cost ~0.1 ms a row at k' = 1280, the arithmetic N D / 30 GFLOP/s).
 */
function rankTileRows(N: number, D: number, k: number, metric: string, precision: string, workers: number): number {
  if (workers === 0 || precision !== 'float32' || (metric !== 'euclidean' && metric !== 'cosine') || N * D < 3e6) return 0;
  if (process.env.DADALAB_RANK_TILES === '0') return 0;
  const kp = Math.min(N - 1, k + Math.max(16, k >> 2));
  if (kp >= N - 1 || N * (kp + Math.max(32, kp >> 1)) * 8 > RANK_TILES_MAX_BYTES) return 0;
  return symBlocks(N, D, k, metric as 'euclidean', precision as 'float32', workers);
}
