// Shared by the benches (the runner skips files starting with _): the built package, the
// standard-normal generator every bench uses (xorshift64* + Box-Muller, so data are the same in
// every run), and a timer giving wall seconds and the CPU seconds of all threads (on a shared
// 2-core machine the wall time depends on the load, the CPU time much less).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

export const lib = createRequire(import.meta.url)('../dist/lib/index.js');

/**
 * This process's peak resident memory in MiB: VmHWM of /proc/self/status. Not
 * process.resourceUsage().maxRSS: Linux carries the parent's RSS at fork into a spawned child's
 * maxRSS (a bench parent holding 2 GB made a 450 MiB child report 2.4 GB).
 */
export function peakRssMiB() {
  const m = /^VmHWM:\s*(\d+)\s*kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  if (!m) throw new Error('no VmHWM in /proc/self/status: peak RSS needs Linux');
  return Number(m[1]) / 1024;
}

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

/** Fast seeded uniform generator (xorshift128 on 32-bit words): for the large data sets. */
export function uniform(seed) {
  let a = seed | 0 || 1, b = 0x9e3779b9, c = 0x85ebca6b, d = 0xc2b2ae35;
  return () => {
    const t = a ^ (a << 11);
    a = b; b = c; c = d;
    d = (d ^ (d >>> 19)) ^ (t ^ (t >>> 8));
    return (d >>> 0) / 4294967296;
  };
}

/** A standard-normal sampler on `uniform` (Box-Muller, one value a call). */
export function gaussianSampler(seed) {
  const u = uniform(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/**
 * Activations of two consecutive hidden layers of a random ReLU network (float32, N x D each):
 * inputs are 16-D points of 10 class clusters, 4 hidden ReLU layers of 32 units, and each of
 * the last two read out to D units through a random ReLU map plus a little noise (the shape of
 * the hidden representations DADApy is used on: low intrinsic dimension, many exact zeros).
 */
export function reluLayers(N, D, seed) {
  const g = gaussianSampler(seed), noise = gaussianSampler(seed + 1), z = gaussianSampler(seed + 2);
  const Z = 16, H = 32, L = 4;
  const centers = Array.from({ length: 10 }, () => Float64Array.from({ length: Z }, () => 2.5 * g()));
  const Win = Float64Array.from({ length: Z * H }, () => g() / Math.sqrt(Z));
  const Wh = Array.from({ length: L }, () => Float64Array.from({ length: H * H }, () => g() * Math.sqrt(2 / H)));
  const Wout = Array.from({ length: 2 }, () => Float64Array.from({ length: H * D }, () => g() / Math.sqrt(H)));
  const out = [new Float32Array(N * D), new Float32Array(N * D)];
  const labels = Int32Array.from({ length: N }, (_, i) => i % 10);
  const u = new Float64Array(Z), h = new Float64Array(H), h2 = new Float64Array(H), o = new Float64Array(D);
  for (let i = 0; i < N; i++) {
    const c = centers[labels[i]];
    for (let t = 0; t < Z; t++) u[t] = c[t] + z();
    for (let k = 0; k < H; k++) { let s = 0; for (let t = 0; t < Z; t++) s += u[t] * Win[t * H + k]; h[k] = Math.max(0, s); }
    for (let l = 0; l < L; l++) {
      for (let k = 0; k < H; k++) { let s = 0; for (let m = 0; m < H; m++) s += h[m] * Wh[l][m * H + k]; h2[k] = Math.max(0, s); }
      h.set(h2);
      if (l < L - 2) continue;
      const W = Wout[l - (L - 2)], dst = out[l - (L - 2)];
      o.fill(0);
      for (let m = 0; m < H; m++) { const hm = h[m]; if (hm === 0) continue; for (let j = 0; j < D; j++) o[j] += hm * W[m * D + j]; }
      for (let j = 0; j < D; j++) dst[i * D + j] = Math.max(0, o[j] + 0.05 * noise());
    }
  }
  return { X: out[0], Y: out[1], labels };
}

/** The .npy bytes (C order) of a Float32Array or Float64Array of the given shape. */
export function npyBytes(data, shape) {
  const descr = data instanceof Float32Array ? '<f4' : '<f8';
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

/** The median of an array of numbers. */
export function median(a) {
  const s = [...a].sort((x, y) => x - y), n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** The machine, for the header of every bench: CPU model, cores, load average, Node. */
export function machineLine() {
  const c = cpus();
  return `${c[0]?.model ?? 'unknown CPU'}, ${c.length} cores; load average ${loadavg().map((v) => v.toFixed(1)).join(' ')}; Node ${process.version}`;
}

/**
 * A persistent Python process running bench/workflows_baseline.py (Debian's python3-sklearn):
 * `ask(request)` sends one JSON request and resolves with its JSON answer. null when python3 or
 * sklearn is missing (the caller prints how to install it).
 */
export async function startBaseline() {
  const { spawn, spawnSync } = await import('node:child_process');
  const { existsSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const py = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const probe = spawnSync(py, ['-c', 'import sklearn, numpy, scipy'], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  const script = fileURLToPath(new URL('./workflows_baseline.py', import.meta.url));
  const child = spawn(py, [script], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, OPENBLAS_NUM_THREADS: '2' } });
  let buf = '';
  const waiting = [];
  child.stdout.on('data', (d) => {
    buf += d;
    let n;
    while ((n = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, n);
      buf = buf.slice(n + 1);
      waiting.shift()?.(JSON.parse(line));
    }
  });
  return {
    ask: (req) => new Promise((resolve) => { waiting.push(resolve); child.stdin.write(JSON.stringify(req) + '\n'); }),
    close: () => { child.stdin.end(); },
  };
}
