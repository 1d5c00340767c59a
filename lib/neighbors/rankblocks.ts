/**
 * The ranks mode of the neighbour engine (forEachNeighborRankBlock): the exact distances at
 * chosen neighbour ranks only, and optionally the first `keep` columns, streamed as row blocks.
 * On the WebAssembly engine either the symmetric strips (each pair's float32 value computed once
 * and stored, while N^2 / 2 values fit SYM_RANKS_MAX_BYTES) or the row blocks, with the window
 * mode of ranks.ts on the workers; other engines compute full rows and pick the columns.
 */
import { DadalabError } from '../errors';
import { asMatrix, type Matrix, type MatrixLike } from '../matrix';
import { checkpoint, startProgress, type ProgressHandle } from '../runtime/progress';
import { InOrder, type BlockSink } from './inorder';
import type { Metric } from './metrics';
import { resolveNeighborOptions, setNeighborStats, wasmMetric, type NeighborOptions } from './options';
import { getPool } from './pool';
import { wasmAsync } from './rowblocks';
import { forEachNeighborBlock } from './search';
import {
  align16, exactRankRow, finishRanksFrom, loadKnnModule, prepareWasm, prepareWasmLayout, rankOutputs, rankPlan, rankScratch,
  rankOutputBytes, rankSetup, rowViews, setupMessage, slotLayout, countParams, type Precision, type RankPlan, type WasmPlan,
} from './wasm';

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

/** Targets whose ranks are counted from the value rows of the symmetric ranks path (see countNeighborRanks). */
export interface RankCount { targets: Int32Array; k: number; out: Float64Array }

/**
 * forEachNeighborRankBlock; with `count`, only through the symmetric ranks path, which also counts
 * the targets' ranks from the same value rows: returns false (nothing delivered) when it does not apply.
 */
export async function rankBlocks(data: MatrixLike, opts: NeighborRankOptions,
  cb: (r0: number, r1: number, rankDistances: Float64Array, keepDistances: Float64Array | null, keepIndices: Int32Array | null) => void | Promise<void>,
  count?: RankCount): Promise<boolean> {
  const X = asMatrix(data);
  const N = X.rows;
  const rk = Array.from(opts.ranks ?? [], Number);
  if (rk.length === 0) throw new DadalabError('No neighbour ranks were asked for', 'Pass ranks: e.g. [1, 2, 4, 8]');
  for (const q of rk) {
    if (!Number.isInteger(q) || q < 1 || q >= N) {
      throw new DadalabError(`Neighbour rank ${q} is not a whole number between 1 and N - 1 = ${N - 1}`, `Pass ranks between 1 and ${N - 1}`);
    }
  }
  const maxk = Math.max(...rk);
  const keep = opts.keep ?? 0;
  if (!Number.isInteger(keep) || keep < 0 || keep > maxk) {
    throw new DadalabError(`keep = ${keep} is not a whole number between 0 and the largest rank ${maxk}`, `Pass keep between 0 and ${maxk}`);
  }
  const r = resolveNeighborOptions(X, { ...opts, maxk });
  const R = rk.length, kw = keep + 1;
  if (count && (r.engine !== 'wasm' || opts.symmetric === false)) return false;
  if (r.engine !== 'wasm') {
    const w = maxk + 1;
    await forEachNeighborBlock(X, { ...opts, maxk, symmetric: false }, async (r0, r1, d, ix) => {
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
  const scratch = new Map<number, ReturnType<typeof rankScratch>>();
  const finishRankBlock = (p: WasmPlan, g: RankPlan | null, r0: number, r1: number, slot: number): { fallbacks: number; d: Float64Array; ix: Int32Array } => {
    let sc = scratch.get(p.kp);
    if (!sc) { sc = rankScratch(p.kp, maxk, keep); scratch.set(p.kp, sc); }
    const n = r1 - r0;
    const outR = new Float64Array(n * R), kD = keep > 0 ? new Float64Array(n * kw) : null, kI = new Int32Array(keep > 0 ? n * kw : 0);
    let fallbacks = 0;
    if (g) {
      // the workers ran the window mode: copy their outputs, recompute the rows they could not certify
      const o = rankOutputs(p, g, slot, n);
      outR.set(o.outR);
      if (kD) { kD.set(o.keepD); kI.set(o.keepI); }
      for (let i = 0; i < n; i++) {
        if (o.status[i] === 0) continue;
        fallbacks++;
        exactRankRow(p, X, r0 + i, asc, keep, outR, i * R, kD, keep > 0 ? kI : null, i * kw, sc);
      }
    } else {
      const L = slotLayout(p, r0, r1, slot);
      fallbacks = finishRanksFrom(p, X, maxk, asc, keep, r0, r1, rowViews(p, r1 - r0, L.hh, L.hi, L.ed), outR, kD, keep > 0 ? kI : null, sc);
    }
    // packed for the sink: per row the R rank distances (ascending ranks), then the keep + 1 columns
    const d = new Float64Array(n * (R + kw));
    for (let i = 0; i < n; i++) {
      d.set(outR.subarray(i * R, (i + 1) * R), i * (R + kw));
      if (kD) d.set(kD.subarray(i * kw, (i + 1) * kw), i * (R + kw) + R);
    }
    return { fallbacks, d, ix: kI };
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
  let symmetric = false;
  try {
    const sym = opts.symmetric === false ? null
      : await symRanksAsync(X, maxk, r.metric, r.precision, r.workers, opts.signal, bar, sink, rankSpec, finishRankBlock, count);
    symmetric = sym !== null;
    if (count && sym === null) return false;
    fallbackRows = sym ?? await wasmAsync(X, null, maxk, r.metric, r.precision, r.workers, opts.signal, bar, sink,
      (p, r0, r1, slot, g) => finishRankBlock(p, g, r0, r1, slot), rankSpec);
  } finally {
    bar.finish();
  }
  setNeighborStats({ engine: r.engine, precision: r.precision, workers: r.workers, fallbackRows, symmetric });
  return true;
}

/** The largest value store of the symmetric ranks path (N^2 / 2 float32 values). */
export const SYM_RANKS_MAX_BYTES = 1.5 * 2 ** 30;

/** The strips of blocks of B rows: strip I (rows of block I, columns from I B on) at so[I] bytes after the table of offsets. */
export function stripLayout(N: number, B: number): { B: number; so: number[]; bytes: number } {
  const nb = Math.ceil(N / B);
  const so: number[] = [];
  let bytes = align16(nb * 4);
  for (let I = 0; I < nb; I++) {
    so.push(bytes);
    const rows = Math.min(N, (I + 1) * B) - I * B;
    bytes += align16(rows * (N - I * B) * 4);
  }
  return { B, so, bytes };
}

/**
 * The ranks mode with each pair computed once (float32, euclidean or cosine, workers > 0, N^2 / 2
 * values <= 1.5 GiB): phase 1 computes the values of strip I (rows of block I against columns
 * from its first row on) for every block, on the workers (vals_f32); phase 2, block by block in
 * order, assembles each row's N values (its strip, and the earlier strips transposed), selects
 * the k' smallest (symsel_f32) and runs the window mode of the ranks. Returns the number of
 * fallback rows, or null when this path does not apply (the caller uses the row blocks).
 */
async function symRanksAsync(X: Matrix, k: number, metric: Metric, precision: Precision, workers: number,
  signal: AbortSignal | undefined, bar: ProgressHandle, sink: BlockSink, rank: { ranks: Int32Array; keep: number },
  finish: (p: WasmPlan, g: RankPlan | null, r0: number, r1: number, slot: number) => { fallbacks: number; d: Float64Array; ix: Int32Array },
  count?: RankCount): Promise<number | null> {
  const N = X.rows;
  const kp = Math.min(N - 1, k + Math.max(16, k >> 2));
  if (workers === 0 || precision !== 'float32' || (metric !== 'euclidean' && metric !== 'cosine') || kp >= N - 1) return null;
  if (process.env.DADALAB_SYMRANKS === '0') return null;
  const module = loadKnnModule();
  if (!module) return null;
  // the strip sizes depend on the block rows BR of the plan: a plan without the store first
  const probe = prepareWasmLayout(X, k, workers, metric);
  const B = probe.BR, nb = Math.ceil(N / B);
  const so: number[] = [];
  let bytes = align16(nb * 4);
  for (let I = 0; I < nb; I++) {
    so.push(bytes);
    const rows = Math.min(N, (I + 1) * B) - I * B;
    bytes += align16(rows * (N - I * B) * 4);
  }
  if (bytes > SYM_RANKS_MAX_BYTES) return null;
  const pool = getPool(workers);
  return pool.exclusive(async () => {
    const stripBytes = align16(bytes), outBytes = workers * rankOutputBytes(B, rank.ranks.length, rank.keep);
    const cnt = count ? align16(N * count.k * 4) : 0;
    const p = prepareWasm(X, null, k, precision, workers, wasmMetric(metric), false, true, stripBytes + outBytes + (count ? cnt + N * count.k * 8 : 0),
      (b) => pool.memoryFor(b));
    const g = rankPlan(p, rank.ranks, rank.keep, p.extraOff + stripBytes);
    if (!g || p.BR !== B || !p.rowsel) return null;
    const soOff = p.extraOff;
    const tOff = p.extraOff + stripBytes + outBytes, oOff = tOff + cnt;
    if (count) {
      new Int32Array(p.memory.buffer, tOff, N * count.k).set(count.targets);
      new Float64Array(p.memory.buffer, oOff, N * count.k).fill(-1);
    }
    const soView = new Uint32Array(p.memory.buffer, soOff, nb);
    for (let I = 0; I < nb; I++) soView[I] = soOff + so[I];
    await Promise.all(Array.from({ length: workers }, (_, i) => pool.call(i, setupMessage(module, p, rankSetup(p, g)))));
    let failure: unknown = null, fallbacks = 0;
    try {
      // phase 1: the strips (largest first)
      let q = 0, doneWork = 0;
      const total = (N * (N + B)) / 2;
      const loopA = async (wi: number): Promise<void> => {
        while (failure === null && q < nb) {
          const I = q++;
          const r0 = I * B, r1 = Math.min(N, r0 + B);
          try {
            await pool.call(wi, { type: 'tile', fn: 'vals_f32', args: [p.xOff, p.nOff, p.Dp, r0, r1, r0, N, p.BJ, soOff + so[I], N - r0] });
            doneWork += (r1 - r0) * (N - r0);
            bar.update(Math.floor((0.8 * N * doneWork) / total));
            await checkpoint(signal);
          } catch (e) {
            if (failure === null) failure = e;
          }
        }
      };
      await Promise.all(Array.from({ length: workers }, (_, i) => loopA(i)));
      // phase 2: the blocks in order
      if (failure === null) {
        let next = 0;
        const free = Array.from({ length: workers }, (_, i) => i);
        const order = new InOrder(sink, () => failure !== null);
        const loopB = async (wi: number): Promise<void> => {
          while (failure === null && next < nb) {
            const I = next++;
            const r0 = I * B, r1 = Math.min(N, r0 + B);
            const slot = free.pop() as number;
            const L = slotLayout(p, r0, r1, slot);
            const rv = L.hd + p.rvOff, hs = rv + p.hsOff;
            try {
              await pool.call(wi, { type: 'run', fn: 'symsel_f32', args: [soOff, B, N, I, p.kp, L.hd, L.hi, L.hh, p.C, rv, hs],
                f64: false, hh: L.hh, rows: r1 - r0, rank: { slot, rows: r1 - r0, i0: r0, hd: L.hd, hi: L.hi, hh: L.hh },
                count: count ? countParams(p, rv, r1 - r0, r0, tOff, count.k, oOff) : undefined });
              const f = finish(p, g, r0, r1, slot);
              fallbacks += f.fallbacks;
              free.push(slot);
              await order.push(r0, r1, f.d, f.ix);
              bar.update(Math.floor(0.8 * N + (0.2 * N * r1) / N));
              await checkpoint(signal);
            } catch (e) {
              if (failure === null) failure = e;
            }
          }
        };
        await Promise.all(Array.from({ length: workers }, (_, i) => loopB(i)));
        if (failure === null) await order.flush();
        if (failure === null && count) count.out.set(new Float64Array(p.memory.buffer, oOff, N * count.k));
      }
    } finally {
      await Promise.all(Array.from({ length: workers }, (_, i) => pool.call(i, { type: 'release' }).catch(() => undefined)));
    }
    if (failure !== null) throw failure;
    return fallbacks;
  });
}

