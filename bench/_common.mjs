// Shared by the benches (the runner skips files starting with _): the built package, the
// standard-normal generator every bench uses (xorshift64* + Box-Muller, so data are the same in
// every run), and a timer giving wall seconds and the CPU seconds of all threads (on a shared
// 2-core machine the wall time depends on the load, the CPU time much less).
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';

export const lib = createRequire(import.meta.url)('../dist/lib/index.js');

export function normal(n, seed) {
  let s = BigInt(seed) | 1n;
  const next = () => { // xorshift64*
    s ^= s >> 12n; s ^= (s << 25n) & 0xffffffffffffffffn; s ^= s >> 27n;
    return Number(((s * 2685821657736338717n) & 0xffffffffffffffffn) >> 11n) / 2 ** 53;
  };
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = next() || 1e-300, v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** [result, wall seconds, CPU seconds of the process] */
export async function time(f) {
  const c0 = process.cpuUsage(), t0 = performance.now();
  const r = await f();
  const c = process.cpuUsage(c0);
  return [r, (performance.now() - t0) / 1000, (c.user + c.system) / 1e6];
}

/** Runs f with console.warn silenced (DADApy-style warnings would interleave with the tables). */
export const silence = (f) => async () => {
  const w = console.warn;
  console.warn = () => {};
  try { return await f(); } finally { console.warn = w; }
};

export const loadLine = () => `load average at start: ${loadavg().map((v) => v.toFixed(1)).join(' ')} (2 cores)`;
