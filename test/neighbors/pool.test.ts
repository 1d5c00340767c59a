import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { nativeHas } from '../../lib/neighbors/native';
import { KnnPool } from '../../lib/neighbors/pool';

// After a job that grew the pool's memory past RECYCLE_BYTES (256 MiB) the memory past it goes back
// to the system: with the native kernel its pages (release_pages: the memory and the workers stay,
// what lies past 256 MiB reads as zeros, what lies below is kept), without it the whole memory.
const RECYCLE = 256 * 2 ** 20;
const big = RECYCLE + 64 * 2 ** 20;
const released = nativeHas('release_pages');
const rssBytes = (): number => Number(readFileSync('/proc/self/statm', 'utf8').split(' ')[1]) * 4096;

it('hold keeps a memory grown past the recycling size between jobs until released; without a hold the job gives it back', async () => {
  const pool = new KnnPool(1);
  const mem = () => (pool as unknown as { mem: { bytes: number; get(b: number): WebAssembly.Memory } }).mem;
  // a byte below the recycling size and one in every page of the 64 MiB past it
  const touch = (): void => {
    const u8 = new Uint8Array(pool.memoryFor(big).buffer);
    u8[RECYCLE - 1] = 5;
    for (let o = RECYCLE; o < big; o += 4096) u8[o] = 7;
  };
  const given = (): boolean => (released ? new Uint8Array(mem().get(big).buffer)[RECYCLE + 4096] === 0 : mem().bytes === 0);
  try {
    const before = rssBytes();
    await pool.exclusive(async () => { touch(); expect(rssBytes() - before).toBeGreaterThan(48 * 2 ** 20); });
    // the 64 MiB went back at once (without the native kernel, once the collector frees the memory)
    if (released) expect(rssBytes() - before).toBeLessThan(16 * 2 ** 20);
    expect(given()).toBe(true);
    if (released) expect(new Uint8Array(mem().get(big).buffer)[RECYCLE - 1]).toBe(5); // below RECYCLE_BYTES: kept
    const release = pool.hold();
    const release2 = pool.hold();
    await pool.exclusive(async () => { touch(); });
    await pool.exclusive(async () => { expect(mem().bytes).toBeGreaterThanOrEqual(big); expect(given()).toBe(false); }); // kept for the next job
    await release();
    expect(given()).toBe(false); // another holder remains
    await release();
    expect(given()).toBe(false); // a second call of the same release does nothing
    await release2();
    expect(given()).toBe(true);
  } finally {
    await pool.terminate();
  }
});
