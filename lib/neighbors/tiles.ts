/**
 * The symmetric tiles of the WebAssembly engine (self tables, euclidean and cosine): every pair
 * computed once and offered to both rows' resident candidate buffers (wasm.ts), then the exact
 * stage by row blocks. On this thread (symSync) or on the worker pool (symAsync).
 */
import type { Matrix } from '../matrix';
import { checkpoint, type ProgressHandle } from '../runtime/progress';
import { TopK } from './heap';
import { InOrder, sharedTarget, sinkOf, type RankFinisher, type RowTarget } from './inorder';
import type { Metric } from './metrics';
import { wasmMetric } from './options';
import { nativeKernelPath } from './native';
import { getPool } from './pool';
import {
  collectFinished, exactFull, finishedFallbacks, exactMessage, fillHeaps, finalizeCall, finishRowsFrom, fullViews, instantiate, prepareWasm, requireKnnModule,
  rankOutputBytes, rankPlan, rankSetup, setupMessage, symBlockRows, symSchedule, threadRefiner, tileArgs, tileFn, type Precision,
} from './wasm';

/** The ranks mode on the tiles: the requested ranks (ascending) and keep columns, and the block finisher of rankblocks.ts. */
export interface SymRanks {
  ranks: Int32Array;
  keep: number;
  finish: RankFinisher;
}


/**
 * Whether the symmetric tiles apply (self table, dot-product metrics, at least 3 row blocks):
 * every pair is computed once and feeds both rows' candidate buffers, half the work of the row-block path.
 */
export function symBlocks(N: number, D: number, k: number, metric: Metric, precision: Precision, workers: number): number {
  if (metric !== 'euclidean' && metric !== 'cosine') return 0;
  const kp = Math.min(N - 1, k + Math.max(16, k >> 2));
  if (N * kp * 24 > 1.5 * 2 ** 30) return 0; // resident buffers too large: the row-block path
  const lanes = precision === 'float64' ? 2 : 4;
  const B = symBlockRows(N, Math.ceil(D / lanes) * lanes, workers);
  return Math.ceil(N / B) >= 3 ? B : 0;
}

/** The symmetric WebAssembly engine on this thread: the whole table into dist / ind. */
export function symSync(X: Matrix, k: number, metric: Metric, precision: Precision, B: number, dist: Float64Array, ind: Int32Array): number {
  const module = requireKnnModule();
  const p = prepareWasm(X, null, k, precision, 0, wasmMetric(metric), true);
  const ex = instantiate(module, p);
  fillHeaps(p);
  const N = X.rows, nb = Math.ceil(N / B);
  const kernel = ex[tileFn(p)] as (...a: number[]) => void;
  for (const round of symSchedule(nb)) for (const [I, J, sym] of round) kernel(...tileArgs(p, B, I, J, sym));
  const fin = finalizeCall(p, 0, N);
  (ex[fin.fn] as (...a: number[]) => void)(...fin.args);
  exactFull(p, ex, 0, N);
  return finishRowsFrom(p, threadRefiner(p, ex, k), k, 0, N, fullViews(p, 0, N), dist, ind, new TopK(k));
}

/** The largest dimension for which the tiles start from sampled thresholds (see symAsync). */
const PIVOTS_MAX_D = 384;

/** The symmetric WebAssembly engine on the worker pool (rounds of disjoint tiles, then the exact stage by row blocks). */
export async function symAsync(X: Matrix, k: number, metric: Metric, precision: Precision, workers: number, B: number,
  signal: AbortSignal | undefined, bar: ProgressHandle, target: RowTarget, rank?: SymRanks): Promise<number> {
  const sink = sinkOf(target), out = rank ? null : sharedTarget(target);
  const module = requireKnnModule();
  const pool = getPool(workers);
  const N = X.rows, nb = Math.ceil(N / B);
  return pool.exclusive(async () => {
    const p = prepareWasm(X, null, k, precision, workers, wasmMetric(metric), rank ? 'ranks' : true, false,
      rank ? (BR) => workers * rankOutputBytes(BR, rank.ranks.length, rank.keep) : 0, (b) => pool.memoryFor(b));
    const g = rank ? rankPlan(p, rank.ranks, rank.keep, p.extraOff) : null;
    if (rank && !g) throw new Error('symAsync: the ranks mode needs float32 euclidean or cosine values');
    fillHeaps(p);
    await Promise.all(Array.from({ length: workers }, (_, i) => pool.call(i, setupMessage(module, p, g ? rankSetup(p, g) : undefined, i, out))));
    if (!rank && p.es === 4 && X.cols <= PIVOTS_MAX_D && nativeKernelPath() !== null) {
      // starting thresholds from a sample of each row's values (native pivots_f32):
      // fewer offers and selects in the first tiles (20000 x 50 table: 391 -> 314 ms; 20000 x 256:
      // 899 -> 837 ms); above PIVOTS_MAX_D the sample's products cost what they save (20000 x 768)
      const per = Math.ceil(N / workers);
      await Promise.all(Array.from({ length: workers }, (_, i) => pool.call(i, { type: 'pivots',
        args: [p.xOff, p.nOff, p.Dp, N, Math.min(N, i * per), Math.min(N, (i + 1) * per), p.kp, p.hhAll, 4] })));
    }
    const rounds = symSchedule(nb), fn = tileFn(p);
    const rowsOf = (I: number) => Math.min(N, (I + 1) * B) - I * B;
    let totalWork = 0, doneWork = 0, fallbacks = 0;
    for (const r of rounds) for (const [I, J, sym] of r) totalWork += rowsOf(I) * rowsOf(J) * (sym ? 1 : 0.5);
    let failure: unknown = null;
    try {
      // The tiles in the rounds' order, without waiting for a round to end: a worker takes the
      // first tile none of whose row blocks another worker holds (their buffers are written). The
      // rounds' barriers left a worker idle at the end of most rounds (a round of 13 tiles on 2
      // workers), about a tenth of the tiles' time; the order changes no table (certified).
      const pending = rounds.flat();
      const busy = new Uint8Array(nb);
      const waiting: (() => void)[] = [];
      const take = (): [number, number, number] | null | undefined => {
        for (let t = 0; t < pending.length; t++) {
          const [I, J] = pending[t];
          if (busy[I] === 0 && busy[J] === 0) return pending.splice(t, 1)[0];
        }
        return pending.length > 0 ? undefined : null; // undefined: all left share a block with a running tile
      };
      const loop = async (wi: number): Promise<void> => {
        while (failure === null) {
          const tile = take();
          if (tile === null) return;
          if (tile === undefined) {
            await new Promise<void>((resolve) => waiting.push(resolve));
            continue;
          }
          const [I, J, sym] = tile;
          busy[I] = 1;
          busy[J] = 1;
          try {
            await pool.call(wi, { type: 'tile', fn, args: tileArgs(p, B, I, J, sym) });
            doneWork += rowsOf(I) * rowsOf(J) * (sym ? 1 : 0.5);
            bar.update(Math.floor((0.97 * N * doneWork) / totalWork));
            await checkpoint(signal);
          } catch (e) {
            if (failure === null) failure = e;
          } finally {
            busy[I] = 0;
            busy[J] = 0;
            for (const wake of waiting.splice(0)) wake();
          }
        }
      };
      await Promise.all(Array.from({ length: workers }, (_, i) => loop(i)));
      if (failure === null && rank && g) {
        // the ranks mode: blocks of BR rows through the window mode (rankRows) on the resident buffers
        const order = new InOrder(sink, () => failure !== null);
        const free = Array.from({ length: workers }, (_, i) => i);
        let next = 0;
        const loop = async (wi: number): Promise<void> => {
          while (failure === null && next < N) {
            const r0 = next, r1 = Math.min(N, r0 + p.BR);
            next = r1;
            const slot = free.pop() as number;
            try {
              const f = finalizeCall(p, r0, r1);
              await pool.call(wi, { type: 'rankfull', fin: f.fn, finArgs: f.args,
                rank: { slot, rows: r1 - r0, i0: r0, hd: p.hdAll + r0 * p.C * 4, hi: p.hiAll + r0 * p.C * 4, hh: p.hhAll + r0 * 16 } });
              const out = rank.finish(p, g, r0, r1, slot);
              fallbacks += out.fallbacks;
              free.push(slot);
              await order.push(r0, r1, out.d, out.ix);
              await checkpoint(signal);
            } catch (e) {
              if (failure === null) failure = e;
            }
          }
        };
        await Promise.all(Array.from({ length: workers }, (_, i) => loop(i)));
        if (failure === null) await order.flush();
      } else if (failure === null) {
        const R = Math.max(64, Math.min(1024, Math.ceil(N / (8 * workers))));
        const order = new InOrder(sink, () => failure !== null);
        let next = 0;
        const loop = async (wi: number): Promise<void> => {
          while (failure === null && next < N) {
            const r0 = next, r1 = Math.min(N, r0 + R);
            next = r1;
            try {
              await pool.call(wi, exactMessage(p, r0, r1, true));
              if (out) { // the workers wrote the rows
                fallbacks += finishedFallbacks(p, r0, r1, p.finOff, N, r0);
              } else {
                const f = collectFinished(p, r0, r1, p.finOff, N, r0);
                fallbacks += f.fallbacks;
                await order.push(r0, r1, f.d, f.ix);
              }
              await checkpoint(signal);
            } catch (e) {
              if (failure === null) failure = e;
            }
          }
        };
        await Promise.all(Array.from({ length: workers }, (_, i) => loop(i)));
        if (failure === null) await order.flush();
      }
    } catch (e) {
      if (failure === null) failure = e;
    } finally {
      await Promise.all(Array.from({ length: workers }, (_, i) => pool.call(i, { type: 'release' }).catch(() => undefined)));
    }
    if (failure !== null) throw failure;
    bar.update(N);
    return fallbacks;
  });
}

