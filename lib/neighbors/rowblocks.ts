/**
 * The row blocks of the WebAssembly engine (self tables and cross queries, every metric): each
 * block of query rows against all reference rows, its candidates re-ranked exactly, blocks
 * delivered in row order. On this thread (wasmSync) or on the worker pool (wasmAsync).
 */
import type { Matrix } from '../matrix';
import { checkpoint, type ProgressHandle } from '../runtime/progress';
import { TopK } from './heap';
import { InOrder, sharedTarget, sinkOf, type BlockSink, type RankFinisher, type RowTarget } from './inorder';
import type { Metric } from './metrics';
import { wasmMetric } from './options';
import { getPool } from './pool';
import {
  collectFinished, finishedFallbacks, finishRows, instantiate, prepareWasm, rankOutputBytes, rankPlan, rankSetup, requireKnnModule, runKernelOn, runKernelSync, setupMessage, type Precision,
} from './wasm';


/** The WebAssembly engine on this thread. */
export function wasmSync(X: Matrix, Q: Matrix | null, k: number, metric: Metric, precision: Precision, sink: BlockSink): number {
  const module = requireKnnModule();
  const p = prepareWasm(X, Q, k, precision, 1, wasmMetric(metric));
  const ex = instantiate(module, p);
  const M = Q ? Q.rows : X.rows, w = Q ? k : k + 1;
  const heap = new TopK(k);
  let fallbacks = 0;
  for (let r0 = 0; r0 < M; r0 += p.BR) {
    const r1 = Math.min(M, r0 + p.BR);
    runKernelSync(p, ex, r0, r1, 0);
    const d = new Float64Array((r1 - r0) * w), ix = new Int32Array((r1 - r0) * w);
    fallbacks += finishRows(p, ex, k, r0, r1, 0, d, ix, heap);
    void sink(r0, r1, d, ix);
  }
  return fallbacks;
}

/**
 * The ranks mode on the row blocks: the requested ranks (ascending) and keep columns, with the
 * block finishers of rankblocks.ts: from the window mode's outputs in the workers (float32
 * euclidean or cosine), or from the block's full table rows (k + 1 columns: the other plans,
 * and this thread).
 */
export interface RowRanks {
  ranks: Int32Array;
  keep: number;
  fromWindow: RankFinisher;
  fromRows: (r0: number, r1: number, d: Float64Array, ix: Int32Array) => { d: Float64Array; ix: Int32Array };
}

/** The WebAssembly engine on the worker pool (or this thread with workers = 0), blocks delivered in order. */
export async function wasmAsync(X: Matrix, Q: Matrix | null, k: number, metric: Metric, precision: Precision, workers: number,
  signal: AbortSignal | undefined, bar: ProgressHandle, target: RowTarget, rank?: RowRanks): Promise<number> {
  const sink = sinkOf(target), out = rank ? null : sharedTarget(target);
  const module = requireKnnModule();
  const M = Q ? Q.rows : X.rows, w = Q ? k : k + 1;
  if (workers === 0) {
    const p = prepareWasm(X, Q, k, precision, 1, wasmMetric(metric));
    const ex = instantiate(module, p);
    const heap = new TopK(k);
    let fallbacks = 0;
    for (let r0 = 0; r0 < M; r0 += p.BR) {
      const r1 = Math.min(M, r0 + p.BR);
      runKernelSync(p, ex, r0, r1, 0);
      const d = new Float64Array((r1 - r0) * w), ix = new Int32Array((r1 - r0) * w);
      fallbacks += finishRows(p, ex, k, r0, r1, 0, d, ix, heap);
      const f = rank ? rank.fromRows(r0, r1, d, ix) : { d, ix };
      await sink(r0, r1, f.d, f.ix);
      bar.update(r1);
      await checkpoint(signal);
    }
    return fallbacks;
  }
  const pool = getPool(workers);
  return pool.exclusive(async () => {
    const p = prepareWasm(X, Q, k, precision, workers, wasmMetric(metric), false, false,
      rank ? (BR) => workers * rankOutputBytes(BR, rank.ranks.length, rank.keep) : 0, (b) => pool.memoryFor(b));
    const g = rank ? rankPlan(p, rank.ranks, rank.keep, p.extraOff) : null;
    await Promise.all(Array.from({ length: workers }, (_, i) => pool.call(i, setupMessage(module, p, g ? rankSetup(p, g) : undefined, i, out))));
    let next = 0, done = 0, fallbacks = 0;
    let failure: unknown = null;
    const free = Array.from({ length: workers }, (_, i) => i);
    const order = new InOrder(sink, () => failure !== null);
    const loop = async (wi: number): Promise<void> => {
      while (failure === null && next < M) {
        const r0 = next, r1 = Math.min(M, r0 + p.BR);
        next = r1;
        const slot = free.pop() as number;
        try {
          // the window mode of the ranks, or the table rows finished in the worker
          await runKernelOn(pool, wi, p, r0, r1, slot, g !== null, g === null);
          let f: { fallbacks: number; d: Float64Array; ix: Int32Array };
          if (out) { // the workers wrote the rows
            fallbacks += finishedFallbacks(p, r0, r1, p.finOff + slot * p.finBytes, p.BR, 0);
            free.push(slot);
            done += r1 - r0;
            bar.update(done);
            await checkpoint(signal);
            continue;
          }
          if (rank && g) {
            f = rank.fromWindow(p, g, r0, r1, slot);
          } else {
            f = collectFinished(p, r0, r1, p.finOff + slot * p.finBytes, p.BR, 0);
            if (rank) f = { ...rank.fromRows(r0, r1, f.d, f.ix), fallbacks: f.fallbacks };
          }
          fallbacks += f.fallbacks;
          free.push(slot);
          await order.push(r0, r1, f.d, f.ix);
          done += r1 - r0;
          bar.update(done);
          await checkpoint(signal);
        } catch (e) {
          if (failure === null) failure = e;
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: workers }, (_, i) => loop(i)));
      if (failure === null) await order.flush();
    } catch (e) {
      if (failure === null) failure = e;
    } finally {
      await Promise.all(Array.from({ length: workers }, (_, i) => pool.call(i, { type: 'release' }).catch(() => undefined)));
    }
    if (failure !== null) throw failure;
    return fallbacks;
  });
}
