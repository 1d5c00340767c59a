/**
 * The strips: each pair's float32 value computed once and kept in a bounded store, or, fused
 * (native kernel), filtered as it is formed and never stored, for the table and the ranks mode
 * at modest N (see stripsAsync).
 */
import type { Matrix } from '../matrix';
import { checkpoint, type ProgressHandle } from '../runtime/progress';
import { InOrder, sharedTarget, sinkOf, type RankFinisher, type RowTarget } from './inorder';
import type { Metric } from './metrics';
import { wasmMetric } from './options';
import { nativeHas } from './native';
import { getPool, pipeline } from './pool';
import {
  align16, collectFinished, countParams, loadKnnModule, prepareWasm, prepareWasmLayout, rankOutputBytes, rankPlan, rankSetup, setupMessage,
  slotLayout, type Precision,
} from './wasm';

/** Targets whose ranks are counted from the value rows of the strips (see countNeighborRanks). */
export interface RankCount { targets: Int32Array; k: number; out: Float64Array }

/**
 * The largest value store of the strips (N^2 / 2 float32 values): a bounded buffer, about N = 7000.
 * Above it the tiles (tables: candidate buffers linear in N) or the row blocks (ranks, counts) run.
 */
export const STRIPS_MAX_BYTES = 96 * 2 ** 20;

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

/** The pivot's rank among the 256 sampled values of a row (native/knn.c sampleRank), or -1 when a sample does not pay. */
function sampleRank(N: number, kk: number): number {
  const S = 256;
  if (N < 4 * S) return -1;
  const lambda = (S * kk) / N;
  const rp = Math.floor(lambda + 4 * Math.sqrt(lambda) + 2);
  return rp >= S / 4 ? -1 : rp;
}

/**
 * The fused strips' memory (native/knn.c stripLists): the points' pivots, the buckets' table (6
 * uint32 per pair of blocks), the workers' fill counters, then per worker an arena of `cap`
 * entries (float32 values, then uint32 keys). A point's share of values below its pivot (the
 * rp-th smallest of 256 sampled ones) is a Beta(rp, 257 - rp) variable: a row's entries are about
 * N (rp + 4 sqrt(rp) + 4) / 256 at most, 4 standard deviations above their mean; a worker forms
 * about 1 / W of them (its arena, with room for N more, and for the R buckets' row counts, N nb / 2
 * at most). Only the entries written are touched.
 * Null where no sample applies.
 */
export function listsLayout(N: number, kk: number, B: number, workers: number): { cap: number; tab: number; fill: number; arena: number; half: number; bytes: number } | null {
  const rp = sampleRank(N, kk);
  if (rp < 0) return null;
  const row = Math.min(N, Math.ceil((N * (rp + 4 * Math.sqrt(rp) + 4)) / 256));
  const nb = Math.ceil(N / B);
  const cap = Math.ceil((N * row) / workers) + N + Math.ceil((nb * N) / 2); // and the R buckets' row counts
  const tab = align16(N * 4), fill = tab + align16(nb * nb * 24), arena = fill + align16(workers * 4);
  const half = align16((cap + 8) * 4); // an arena's values, then as many bytes of keys
  return { cap, tab, fill, arena, half, bytes: arena + workers * 2 * half };
}

/**
 * The largest D of the fused strips: the pivots' 256 products a row grow with D while what the
 * lists save does not (5000 x 128, maxk = 30: fused 36 against stored 42 ms; x 256, maxk = 100:
 * 85 against 89; x 384, maxk = 30: 88 against 84).
 */
const LISTS_MAX_D = 256;

/** What phase 2 of the strips computes for each block: table rows (finished in the workers) or the ranks mode's windows. */
export type StripsMode =
  | { kind: 'table' }
  | { kind: 'ranks'; ranks: Int32Array; keep: number; finish: RankFinisher };

/**
 * Each pair computed once, through a bounded store of values (float32, euclidean or cosine,
 * workers > 0, N^2 / 2 values <= STRIPS_MAX_BYTES): phase 1 computes the values of strip I (rows
 * of block I against columns from its first row on) for every block, on the workers (vals_f32:
 * no candidate buffers, no thresholds); phase 2, block by block, assembles each row's N values
 * (its strip, and the earlier strips transposed), selects the k' smallest by radix histograms
 * (symsel_f32), then either finishes the table rows (exact distances, sort, certification, in
 * the workers) or runs the ranks mode's windows; `count` also counts target ranks from the same
 * value rows. Fused (listsLayout: the native kernel, D <= LISTS_MAX_D, no `count`): the pivots
 * first, phase 1 forms each strip's values a block of columns at a time and keeps only the
 * values below a pivot in the worker's buckets (strip_lists_f32), phase 2 gathers and selects
 * each block's rows from them (lists_select_f32); no value is stored. Blocks reach the target's
 * sink in row order (or the workers write the table rows into its shared rows). Returns the
 * number of fallback rows, or null when this path does not apply (nothing computed).
 */
export async function stripsAsync(X: Matrix, k: number, metric: Metric, precision: Precision, workers: number,
  signal: AbortSignal | undefined, bar: ProgressHandle, target: RowTarget, mode: StripsMode, count?: RankCount): Promise<number | null> {
  const N = X.rows;
  const kp = Math.min(N - 1, k + Math.max(16, k >> 2));
  if (workers === 0 || precision !== 'float32' || (metric !== 'euclidean' && metric !== 'cosine') || kp >= N - 1) return null;
  if (process.env.DADALAB_STRIPS === '0' || process.env.DADALAB_ROWSEL === '0') return null;
  const module = loadKnnModule();
  if (!module) return null;
  // the strip sizes depend on the block rows BR of the plan: its layout first, without memory
  const B = prepareWasmLayout(X, k, workers, metric).BR;
  const { so, bytes } = stripLayout(N, B);
  const nb = so.length;
  if (bytes > STRIPS_MAX_BYTES) return null;
  const pool = getPool(workers);
  const rank = mode.kind === 'ranks' ? mode : null;
  const out = rank ? null : sharedTarget(target);
  // the fused strips where the native kernel has them and no rank counts read the value rows;
  // never more memory than the stored strips
  const lists = !count && X.cols <= LISTS_MAX_D && process.env.DADALAB_FUSED !== '0' && nativeHas('strip_lists_f32') && nativeHas('lists_select_f32')
    ? listsLayout(N, kp, B, workers) : null;
  const fused = lists && lists.bytes <= bytes ? lists : null;
  return pool.exclusive(async () => {
    const stripBytes = fused ? fused.bytes : align16(bytes), outBytes = rank ? workers * rankOutputBytes(B, rank.ranks.length, rank.keep) : 0;
    const cnt = count ? align16(N * count.k * 4) : 0;
    const p = prepareWasm(X, null, k, precision, workers, wasmMetric(metric), false, !fused, stripBytes + outBytes + (count ? cnt + N * count.k * 8 : 0),
      (b) => pool.memoryFor(b));
    const g = rank ? rankPlan(p, rank.ranks, rank.keep, p.extraOff + stripBytes) : null;
    if ((rank && !g) || p.BR !== B || p.unsafe) return null;
    const soOff = p.extraOff;
    const tOff = p.extraOff + stripBytes + outBytes, oOff = tOff + cnt;
    if (count) {
      new Int32Array(p.memory.buffer, tOff, N * count.k).set(count.targets);
      new Float64Array(p.memory.buffer, oOff, N * count.k).fill(-1);
    }
    // the fused strips' pivots, buckets' table, fill counters and arenas (listsLayout; worker w's
    // values at arena(w), its keys `half` bytes on), or the strips' offsets
    const fz = fused && { piv: soOff, tab: soOff + fused.tab, fill: soOff + fused.fill, half: fused.half, cap: fused.cap,
      arena: (w: number): number => soOff + fused.arena + 2 * w * fused.half };
    if (fz) new Uint32Array(p.memory.buffer, fz.fill, workers).fill(0);
    else {
      const soView = new Uint32Array(p.memory.buffer, soOff, nb);
      for (let I = 0; I < nb; I++) soView[I] = soOff + so[I];
    }
    // each worker's pivots sent with its setup (a worker handles its messages in order)
    const per = Math.ceil(N / workers);
    await Promise.all(Array.from({ length: workers }, (_, i) => Promise.all([
      pool.call(i, setupMessage(module, p, g ? rankSetup(p, g) : undefined, i, out)),
      fz ? pool.call(i, { type: 'pivots', args: [p.xOff, p.nOff, p.Dp, N, Math.min(N, i * per), Math.min(N, (i + 1) * per), p.kp, fz.piv, 1] }) : null,
    ])));
    let fallbacks = 0;
    try {
      // phase 1: the strips (largest first), independent: two in flight per worker
      let doneWork = 0;
      const total = (N * (N + B)) / 2;
      await pipeline(workers, nb, 2, (wi, I) => pool.call(wi, fz
        ? { type: 'tile', fn: 'strip_lists_f32', args: [p.xOff, p.nOff, p.Dp, N, B, I, fz.piv, fz.tab, fz.arena(wi), fz.arena(wi) + fz.half, fz.fill + 4 * wi, fz.cap] }
        : { type: 'tile', fn: 'vals_f32', args: [p.xOff, p.nOff, p.Dp, I * B, Math.min(N, (I + 1) * B), I * B, N, p.BJ, soOff + so[I], N - I * B] }),
      async (I) => {
        const r0 = I * B, r1 = Math.min(N, r0 + B);
        doneWork += (r1 - r0) * (N - r0);
        bar.update(Math.floor((0.8 * N * doneWork) / total));
        await checkpoint(signal);
      });
      // phase 2: the blocks. Into shared rows, each worker finishes its blocks in its own slot and
      // counts their recomputed rows itself (two in flight per worker); else a slot per block in
      // flight, its rows collected here and delivered in row order
      const blockMessage = (I: number, slot: number, report: boolean): Record<string, unknown> => {
        const r0 = I * B, r1 = Math.min(N, r0 + B);
        const L = slotLayout(p, r0, r1, slot);
        const rv = L.hd + p.rvOff;
        return { type: 'run', ...(fz
          ? { fn: 'lists_select_f32', args: [p.xOff, p.nOff, p.Dp, N, B, I, p.kp, fz.tab, L.hd, L.hi, L.hh, p.C] }
          : { fn: 'symsel_f32', args: [soOff, B, N, I, p.kp, L.hd, L.hi, L.hh, p.C, rv, rv + p.hsOff] }),
        lists: !count, f64: false, hh: L.hh, rows: r1 - r0, exact: [r0, r1, p.kp, L.hi, p.C, L.ed],
        rank: rank ? { slot, rows: r1 - r0, i0: r0, hd: L.hd, hi: L.hi, hh: L.hh, rv } : undefined,
        finish: rank ? undefined : { base: p.finOff + slot * p.finBytes, cap: p.BR, a: 0, q0: r0, rows: r1 - r0, hh: L.hh, hi: L.hi, ed: L.ed, rv, report },
        count: count ? countParams(p, rv, r1 - r0, r0, tOff, count.k, oOff) : undefined };
      };
      const blockDone = async (I: number): Promise<void> => {
        bar.update(Math.floor(0.8 * N + (0.2 * N * Math.min(N, (I + 1) * B)) / N));
        await checkpoint(signal);
      };
      if (out && !rank) {
        await pipeline(workers, nb, 2, (wi, I) => pool.call(wi, blockMessage(I, wi, true)), async (I, v) => {
          fallbacks += v as number;
          await blockDone(I);
        });
      } else {
        const free = Array.from({ length: workers }, (_, i) => i);
        const slots = new Int32Array(nb);
        // (after a failure, no more blocks reach the sink)
        let stopped = false;
        const stop = (e: unknown): never => { stopped = true; throw e; };
        const order = new InOrder(sinkOf(target), () => stopped);
        await pipeline(workers, nb, 1, (wi, I) => {
          slots[I] = free.pop() as number;
          return pool.call(wi, blockMessage(I, slots[I], false)).catch(stop);
        }, async (I) => {
          try {
            const r0 = I * B, r1 = Math.min(N, r0 + B), slot = slots[I];
            const f = rank && g ? rank.finish(p, g, r0, r1, slot) : collectFinished(p, r0, r1, p.finOff + slot * p.finBytes, p.BR, 0);
            fallbacks += f.fallbacks;
            free.push(slot);
            await order.push(r0, r1, f.d, f.ix);
            await blockDone(I);
          } catch (e) {
            stop(e);
          }
        });
        await order.flush();
      }
      if (count) count.out.set(new Float64Array(p.memory.buffer, oOff, N * count.k));
    } finally {
      await Promise.all(Array.from({ length: workers }, (_, i) => pool.call(i, { type: 'release' }).catch(() => undefined)));
    }
    return fallbacks;
  });
}
