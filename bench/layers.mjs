// The seed papers' layer loop at their sizes (issue 9): `layerProfile` with its default steps on
// ReLU-network activations read from an Arrow file on disk, one FixedSizeList column per layer:
//   (a) 12 layers x 5000 x 768 float32, (b) 4 layers x 5000 x 4096 float32,
//   (c) with --big: 32 layers x 5000 x 4096 float32 (2.6 GB; the peak-RSS check, under 2 GiB);
//   --only-big runs (c) alone.
// Each profile runs in a child process (its peak RSS is the child's own), beside the same
// per-layer steps in a Python pipeline (Debian's python3-sklearn + numpy: neighbours, 2NN, Gride,
// label and next-layer overlaps, exact imbalances with the first and last layer; no PAk/ADP, which
// sklearn does not have) run on the same data (.npy copies) in the same run, and DADApy's figures
// from the issue (not runnable here: no PyPI), labelled as such.
// `--quick`: N = 2000 and fewer layers. Run `npm run build` first.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLine, peakRssMiB } from './_common.mjs';

const require = createRequire(import.meta.url);
const A = require('apache-arrow');
const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const big = process.argv.includes('--big');
const keep = process.argv.includes('--keep');
const PY = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** Fast seeded uniform generator (xorshift128+ on 32-bit halves): the data need speed, not BigInt. */
function rng(seed) {
  let a = seed | 0 || 1, b = 0x9e3779b9, c = 0x85ebca6b, d = 0xc2b2ae35;
  return () => {
    const t = a ^ (a << 11);
    a = b; b = c; c = d;
    d = (d ^ (d >>> 19)) ^ (t ^ (t >>> 8));
    return (d >>> 0) / 4294967296;
  };
}
function gaussian(u) {
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/**
 * ReLU activations of a deep network on a 10-class latent: each input is a 16-D point of its class
 * cluster; layer l maps the previous layer's 32 hidden units through a random ReLU map (widening
 * to D units with a random ReLU read-out, plus a little noise). Rows are independent, so any row
 * block is generated on its own (the 2.6 GB file is written without holding it).
 */
function network(N, L, D, seed) {
  const g = gaussian(rng(seed));
  const Z = 16, H = 32;
  const centers = Array.from({ length: 10 }, () => Float64Array.from({ length: Z }, () => 2.5 * g()));
  const Win = Float64Array.from({ length: Z * H }, () => g() / Math.sqrt(Z));
  const Wh = Array.from({ length: L }, () => Float64Array.from({ length: H * H }, () => g() * Math.sqrt(2 / H)));
  const Wout = Array.from({ length: L }, () => Float32Array.from({ length: H * D }, () => g() / Math.sqrt(H)));
  const labels = Int32Array.from({ length: N }, (_, i) => i % 10);
  const noise = gaussian(rng(seed + 1));
  function block(r0, r1) {
    const n = r1 - r0;
    const out = Array.from({ length: L }, () => new Float32Array(n * D));
    const u = new Float64Array(Z), h = new Float64Array(H), h2 = new Float64Array(H);
    const zr = gaussian(rng(seed + 2 + r0));
    for (let i = 0; i < n; i++) {
      const c = centers[labels[r0 + i]];
      for (let z = 0; z < Z; z++) u[z] = c[z] + zr();
      for (let k = 0; k < H; k++) { let s = 0; for (let z = 0; z < Z; z++) s += u[z] * Win[z * H + k]; h[k] = Math.max(0, s); }
      for (let l = 0; l < L; l++) {
        for (let k = 0; k < H; k++) { let s = 0; for (let m = 0; m < H; m++) s += h[m] * Wh[l][m * H + k]; h2[k] = Math.max(0, s); }
        h.set(h2);
        const o = out[l], W = Wout[l], base = i * D;
        for (let j = 0; j < D; j++) o[base + j] = 0;
        for (let m = 0; m < H; m++) { const hm = h[m]; if (hm === 0) continue; const off = m * D; for (let j = 0; j < D; j++) o[base + j] += hm * W[off + j]; }
        for (let j = 0; j < D; j++) o[base + j] = Math.max(0, o[base + j] + 0.05 * noise());
      }
    }
    return out;
  }
  return { labels, block };
}

function npyHeader(shape) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1')]);
}

/** Writes the Arrow file (one FixedSizeList column per layer + label) and, with npyDir, one .npy per layer. */
async function writeData(path, npyDir, N, L, D, seed) {
  const net = network(N, L, D, seed);
  const names = Array.from({ length: L }, (_, l) => `layer_${String(l).padStart(2, '0')}`);
  const elem = new A.Float32();
  const fields = names.map((n) => new A.Field(n, new A.FixedSizeList(D, new A.Field('item', elem, false)), false));
  fields.push(new A.Field('label', new A.Int32(), false));
  const schema = new A.Schema(fields);
  const writer = new A.RecordBatchFileWriter();
  const out = require('node:fs').createWriteStream(path);
  const done = new Promise((resolve, reject) => { out.on('finish', resolve); out.on('error', reject); });
  const ns = writer.toNodeStream();
  ns.pipe(out);
  const fds = npyDir ? names.map((n) => { const fd = openSync(join(npyDir, `${n}.npy`), 'w'); writeSync(fd, npyHeader([N, D])); return fd; }) : null;
  if (npyDir) { const fd = openSync(join(npyDir, 'labels.npy'), 'w'); const h = npyHeader([N]).toString('latin1').replace('<f4', '<i4'); writeSync(fd, Buffer.from(h, 'latin1')); writeSync(fd, Buffer.from(net.labels.buffer)); closeSync(fd); }
  const B = 250;
  for (let r0 = 0; r0 < N; r0 += B) {
    const r1 = Math.min(N, r0 + B);
    const blocks = net.block(r0, r1);
    const children = blocks.map((v, l) => A.makeData({ type: fields[l].type, length: r1 - r0, nullCount: 0, child: A.makeData({ type: elem, length: v.length, nullCount: 0, data: v }) }));
    children.push(A.makeData({ type: new A.Int32(), length: r1 - r0, nullCount: 0, data: net.labels.subarray(r0, r1) }));
    writer.write(new A.RecordBatch(schema, A.makeData({ type: new A.Struct(fields), length: r1 - r0, nullCount: 0, children })));
    if (fds) blocks.forEach((v, l) => writeSync(fds[l], Buffer.from(v.buffer, v.byteOffset, v.byteLength)));
    // bounded: the file takes each batch before the next is built
    do await new Promise((r) => setTimeout(r, 1));
    while (ns.readableLength + out.writableLength > 64 * 2 ** 20);
  }
  writer.finish();
  await done;
  if (fds) fds.forEach((fd) => closeSync(fd));
}

// the child: profile the file, print timings and peak RSS as JSON
if (process.argv[2] === '--child') {
  const { layerProfile, shutdownNeighborPool, silenceWarnings } = require('../dist/lib/index.js');
  silenceWarnings?.();
  const t0 = performance.now();
  const p = await layerProfile(process.argv[3]);
  const wall = (performance.now() - t0) / 1000;
  const steps = {};
  for (const l of p.layers) for (const [k, v] of Object.entries(l.seconds)) steps[k] = (steps[k] ?? 0) + v;
  const rows = p.table().map((r) => ({ layer: r.layer, id: r.idGride, ov: r.overlapLabels, next: r.overlapNext, tf: r.imbToFirst, tl: r.imbToLast, c: r.clusters, ari: r.ari }));
  // the reference layers: how many rows had a later layer's nearest neighbour beyond their table (counted, not looked up)
  const refs = p.layers.filter((l) => Number.isFinite(l.rowsCounted)).map((l) => ({ name: l.name, rowsCounted: l.rowsCounted, n: l.n }));
  await shutdownNeighborPool();
  console.log(JSON.stringify({ wall, steps, maxRssMiB: peakRssMiB(), rows, refs }));
  process.exit(0);
}

function runChild(path) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', path], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`the profile child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function runPython(dir) {
  const r = spawnSync(PY, [join(here, 'layers_baseline.py'), dir], { encoding: 'utf8' });
  if (r.status !== 0) return { error: (r.stderr || '').trim().split('\n').pop() };
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const cases = quick
  ? [{ name: '(a) quick', L: 4, N: 2000, D: 768, dadapy: null }, { name: '(b) quick', L: 3, N: 2000, D: 4096, dadapy: null }]
  : [{ name: '(a)', L: 12, N: 5000, D: 768, dadapy: 2.4, goal: 0.8 }, { name: '(b)', L: 4, N: 5000, D: 4096, dadapy: 7.3, goal: 2.5 }];
if (big) cases.push({ name: '(c) memory', L: 32, N: 5000, D: 4096, dadapy: 7.3, goal: 2.5, noPython: true });
// --only-big: case (c) alone (the peak-RSS check, about 15 minutes on 2 cores)
if (process.argv.includes('--only-big')) cases.splice(0, cases.length, { name: '(c) memory', L: 32, N: 5000, D: 4096, dadapy: 7.3, goal: 2.5, noPython: true });

console.log(`layerProfile, default steps (dedupe, 2NN, Gride to rank 64 read at n2 = 16, label overlap and next-layer overlap at k = 30,`);
console.log(`imbalance with the first and last layer both ways, k* + PAk + ADP Z = 1.65 with ARI/AMI), from an Arrow file on disk`);
console.log(`${cpus()[0]?.model ?? 'unknown CPU'} x ${cpus().length}; ${loadLine()}`);
const work = mkdtempSync(join(tmpdir(), 'dadalab-bench-layers-'));
try {
  for (const c of cases) {
    const path = join(work, `${c.name.replace(/\W+/g, '_')}.arrow`);
    const npyDir = c.noPython ? null : join(work, `${c.name.replace(/\W+/g, '_')}_npy`);
    if (npyDir) mkdirSync(npyDir);
    const tg = performance.now();
    await writeData(path, npyDir, c.N, c.L, c.D, 11);
    const gb = statSync(path).size / 2 ** 30;
    console.log(`\n${c.name} ${c.L} layers x ${c.N} x ${c.D} float32: ${gb.toFixed(2)} GiB file, written in ${((performance.now() - tg) / 1000).toFixed(0)} s`);
    const ours = runChild(path);
    const perLayer = ours.wall / c.L;
    console.log(`  dadalab layerProfile: ${ours.wall.toFixed(1)} s = ${perLayer.toFixed(2)} s per layer${c.goal ? ` (goal <= ${c.goal} s)` : ''}; peak RSS ${ours.maxRssMiB.toFixed(0)} MiB (file ${(gb * 1024).toFixed(0)} MiB)`);
    console.log(`    time by step (all layers): ${Object.entries(ours.steps).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}; the rest (overlaps, setup) ${(ours.wall - Object.values(ours.steps).reduce((a, b) => a + b, 0)).toFixed(1)}`);
    console.log(`    reference ranks (referenceRanks): rows counted beyond the reference's table ${ours.refs.map((r) => `${r.name} ${r.rowsCounted} of ${r.n} (${(100 * r.rowsCounted / r.n).toFixed(0)}%)`).join(', ')}; the others looked up in it`);
    console.log(`    ID at n2 = 16: ${ours.rows.map((r) => r.id.toFixed(1)).join(' ')}`);
    console.log(`    label overlap: ${ours.rows.map((r) => r.ov.toFixed(2)).join(' ')}; ARI: ${ours.rows.map((r) => (Number.isFinite(r.ari) ? r.ari.toFixed(2) : '-')).join(' ')}`);
    if (npyDir) {
      const py = runPython(npyDir);
      if (py.error) console.log(`  Python pipeline: not run (${py.error}; apt-get install python3-sklearn)`);
      else {
        console.log(`  Python pipeline (sklearn ${py.sklearn} brute kNN, n_jobs=2, + numpy formulas; no PAk/ADP): ${py.wall.toFixed(1)} s = ${(py.wall / c.L).toFixed(2)} s per layer; peak RSS ${py.maxRssMiB.toFixed(0)} MiB`);
        console.log(`    ratio dadalab / Python: ${(ours.wall / py.wall).toFixed(2)} (dadalab also runs k*, PAk and ADP)`);
        console.log(`    Python ID (Gride n2 = 16): ${py.ids.map((x) => x.toFixed(1)).join(' ')}`);
      }
    }
    if (c.dadapy) console.log(`  DADApy (issue 9's figure, measured elsewhere, not run here): ${c.dadapy} s per layer for Gride, the table, the next overlap, 2NN, PAk and ADP (no imbalance): ratio ${(perLayer / c.dadapy).toFixed(2)}`);
  }
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}
