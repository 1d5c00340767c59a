// Peak memory of Gride from coordinates (issue 13: memory linear in N on every path; Gride used to
// hold N^2 / 2 float32 values below about 22,000 points, 987 MiB at 20000 x 256). Each run is a
// child process (its peak RSS is its own): returnIdScalingGride({ rangeMax: 1024 }) on a fresh
// Data object, standard-normal float32 data, D = 256, N = 10000, 20000 and 50000 (`--quick`:
// 5000 and 10000). Prints wall seconds, GFLOP/s of the distance arithmetic (N^2 D: each pair once)
// over the whole call, the neighbour engine's path, peak RSS, the data's size.
// Run `npm run build` first.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gaussianSampler, lib, machineLine, peakRssMiB } from './_common.mjs';

const D = 256;
if (process.argv[2] === '--child') {
  const N = Number(process.argv[3]);
  const g = gaussianSampler(N + D);
  const X = new lib.Matrix(Float32Array.from({ length: N * D }, g), N, D);
  lib.silenceWarnings();
  const t0 = performance.now();
  const r = await new lib.Data(X).returnIdScalingGride({ rangeMax: 1024 });
  const wall = (performance.now() - t0) / 1000;
  const stats = lib.lastNeighborStats();
  await lib.shutdownNeighborPool();
  console.log(JSON.stringify({ wall, path: stats?.path, ids: Array.from(r.ids).map((v) => +v.toFixed(2)), maxRssMiB: peakRssMiB() }));
  process.exit(0);
}
const quick = process.argv.includes('--quick');
console.log(`Gride scale curve (rangeMax 1024) from coordinates, float32 standard normal, D = ${D}; one child process per N`);
console.log(`machine: ${machineLine()}`);
for (const N of quick ? [5000, 10000] : [10000, 20000, 50000]) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', String(N)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) { console.log(`N = ${N}: failed\n${r.stderr}`); continue; }
  const o = JSON.parse(r.stdout.trim().split('\n').pop());
  const dataMiB = (N * D * 4) / 2 ** 20;
  // the distance arithmetic of the pass, each pair once (N^2 / 2 pairs x 2 D flops), over the whole call's wall time
  const gflops = (N * N * D) / o.wall / 1e9;
  console.log(`N = ${String(N).padStart(6)}: ${o.wall.toFixed(1)} s, ${gflops.toFixed(1)} GFLOP/s (N^2 D over the call's time), path ${o.path}, peak RSS ${o.maxRssMiB.toFixed(0)} MiB (data ${dataMiB.toFixed(0)} MiB; an N^2/2 float32 store would be ${((N * N * 2) / 2 ** 20).toFixed(0)} MiB); ids ${o.ids.slice(0, 4).join(' ')} ...`);
}
console.log(`machine at the end: ${machineLine()}`);
