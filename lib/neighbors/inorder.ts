/** Row blocks finished in any order, delivered in row order (the drivers' common sink). */
import type { RankPlan, WasmPlan } from './wasm';

/** Receives a block of rows [r0, r1) (its distances and indices, the receiver's to keep). */
export type BlockSink = (r0: number, r1: number, d: Float64Array, ix: Int32Array) => void | Promise<void>;
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

