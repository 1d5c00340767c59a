import { expect, it } from 'vitest';
import { KnnPool } from '../../lib/neighbors/pool';

it('hold keeps a memory grown past the recycling size between jobs until released; without a hold the job drops it', async () => {
  const pool = new KnnPool(1);
  const held = () => (pool as unknown as { mem: { bytes: number } }).mem.bytes;
  const big = 300 * 2 ** 20; // above RECYCLE_BYTES (256 MiB); never touched, so it costs no memory
  try {
    await pool.exclusive(async () => { pool.memoryFor(big); });
    expect(held()).toBe(0); // dropped after the job
    const release = pool.hold();
    const release2 = pool.hold();
    await pool.exclusive(async () => { pool.memoryFor(big); });
    await pool.exclusive(async () => { expect(held()).toBeGreaterThanOrEqual(big); }); // kept for the next job
    await release();
    expect(held()).toBeGreaterThanOrEqual(big); // another holder remains
    await release();
    expect(held()).toBeGreaterThanOrEqual(big); // a second call of the same release does nothing
    await release2();
    expect(held()).toBe(0);
  } finally {
    await pool.terminate();
  }
});
