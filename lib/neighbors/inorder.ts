/** Row blocks finished in any order, delivered in row order (the drivers' common sink). */
import type { RankPlan, WasmPlan } from './wasm';

/** Receives a block of rows [r0, r1) (its distances and indices, the receiver's to keep). */
export type BlockSink = (r0: number, r1: number, d: Float64Array, ix: Int32Array) => void | Promise<void>;

/**
 * A table's rows (n rows of w columns) over one SharedArrayBuffer, the distances at 0 and the
 * indices at iOff, which the workers write directly: the rows are not copied out of the pool's
 * memory on the main thread, which on 2 cores takes its time from the workers (two copies of
 * 12 w n bytes took 8 ms of a 45 ms 5000 x 50 table).
 */
export interface SharedRows { readonly buf: SharedArrayBuffer; readonly iOff: number; readonly dist: Float64Array; readonly ind: Int32Array }
export function sharedRows(n: number, w: number): SharedRows {
  const iOff = Math.ceil((n * w * 8) / 16) * 16;
  const buf = new SharedArrayBuffer(iOff + n * w * 4);
  return { buf, iOff, dist: new Float64Array(buf, 0, n * w), ind: new Int32Array(buf, iOff, n * w) };
}
/**
 * Where a driver delivers the finished rows: a sink, in row order, or shared rows, which the
 * workers write directly where the driver can (else it copies each block there, as a sink).
 */
export type RowTarget = BlockSink | SharedRows;
/** The shared rows of a target, or null (a sink). */
export function sharedTarget(t: RowTarget): SharedRows | null {
  return typeof t === 'function' ? null : t;
}
/** The sink of a target (shared rows: a copy of each block into them). */
export function sinkOf(t: RowTarget): BlockSink {
  if (typeof t === 'function') return t;
  return (r0, r1, d, ix) => {
    const w = d.length / (r1 - r0);
    t.dist.set(d, r0 * w);
    t.ind.set(ix, r0 * w);
  };
}
/** The ranks mode's outputs of a row block of a wasm plan, from the window mode the workers ran in `slot` (rankblocks.ts). */
export type RankFinisher = (p: WasmPlan, g: RankPlan, r0: number, r1: number, slot: number) => { fallbacks: number; d: Float64Array; ix: Int32Array };

/**
 * Delivers blocks finished in any order to `sink` in row order, one drain at a time; `push`
 * resolves once the blocks ready in order have been delivered (backpressure on the producers).
 */
export class InOrder {
  private readonly ready = new Map<number, { r1: number; d: Float64Array; ix: Int32Array }>();
  private next = 0;
  private chain: Promise<void> = Promise.resolve();
  constructor(private readonly sink: BlockSink, private readonly stopped: () => boolean) {}
  private async drain(): Promise<void> {
    while (!this.stopped() && this.ready.has(this.next)) {
      const b = this.ready.get(this.next) as { r1: number; d: Float64Array; ix: Int32Array };
      this.ready.delete(this.next);
      await this.sink(this.next, b.r1, b.d, b.ix);
      this.next = b.r1;
    }
  }
  push(r0: number, r1: number, d: Float64Array, ix: Int32Array): Promise<void> {
    this.ready.set(r0, { r1, d, ix });
    return this.flush();
  }
  flush(): Promise<void> {
    this.chain = this.chain.then(() => this.drain());
    return this.chain;
  }
}

