// The ADP explorer's latency: a Z change on 20,000 points (DADApy's Fig1, shipped in data/),
// from the frontend's comm_msg to the kernel's idle for it, everything the kernel does in between
// included (re-merging the peaks, the dendrogram, the chart's data, the status line, all sent on
// iopub). The client is the embedded one (ZeroMQ, no Python), speaking widget protocol 2.1 as
// JupyterLab does. Goal: under 200 ms.
//
// Baselines in the same run, on the same density: what a notebook without the explorer does for
// a new Z, i.e. a cell rerunning the whole ADP (`adpClustering`, peaks and saddles included),
// timed both as a cell round trip and in-process; and the in-process time of the re-merge alone.
//
//   node bench/widgets.mjs [--quick]
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lib, loadLine } from './_common.mjs';

const require = createRequire(import.meta.url);
const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const { EmbeddedKernel } = require(join(root, 'dist', 'kernel', 'client.js'));
const quick = process.argv.includes('--quick');
const zs = [];
for (let z = 0.2; z <= 4.01; z += quick ? 0.4 : 0.1) zs.push(Number(z.toFixed(2)));

const stats = (ms) => {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p95: q(0.95), max: s[s.length - 1] };
};
const fmt = (x) => `${x.toFixed(1)} ms`;

console.log(loadLine());
const kernel = await EmbeddedKernel.start({ cwd: root });
try {
  const fig1 = JSON.stringify(join(root, 'data', 'Fig1.dat.gz'));
  const setup = await kernel.execute(`const { X } = loadData(${fig1});
const d = new Data(X);
await d.computeDistances({ maxk: 100 });
await d.computeDensityPAk();
const ex = await adpExplorer(d);
ex`);
  if (setup.reply.status !== 'ok') throw new Error(JSON.stringify(setup.messages.filter((m) => m.msg_type === 'error')));
  const text = async (code) => (await kernel.execute(code)).messages.find((m) => m.msg_type === 'execute_result').content.data['text/plain'];
  const slider = (await text('ex.slider.modelId')).replace(/'/g, '');
  console.log(`Fig1: ${await text('d.N')} points, ${await text('ex.topology.centers.length')} density peaks before merging`);

  // the explorer: the frontend moves the slider, the kernel answers (until idle)
  const explorer = [];
  const kernelSide = [];
  const counts = [];
  for (const Z of zs) {
    const t0 = performance.now();
    const answer = await kernel.sendComm('comm_msg', { comm_id: slider, data: { method: 'update', state: { value: Z }, buffer_paths: [] } });
    explorer.push(performance.now() - t0);
    if (!answer.some((m) => m.msg_type === 'comm_msg')) throw new Error(`no answer for Z = ${Z}`);
    kernelSide.push(Number(await text('ex.lastUpdateMs')));
    counts.push(Number(await text('ex.nClusters')));
  }
  const check = await text(`[${zs.join(',')}].every((z, i) => adpClustering(d.nn!, d.logDen!, d.logDenErr!, d.kstar!, { Z: z }).nClusters === [${counts.join(',')}][i])`);
  if (check !== 'true') throw new Error('the explorer\'s clusterings differ from adpClustering');

  // baseline: a cell that reruns the whole ADP for the new Z
  const cell = [];
  for (const Z of zs.filter((_, i) => i % 3 === 0)) {
    const t0 = performance.now();
    await kernel.execute(`adpClustering(d.nn!, d.logDen!, d.logDenErr!, d.kstar!, { Z: ${Z} }).nClusters`);
    cell.push(performance.now() - t0);
  }
  const inproc = JSON.parse((await text(`(() => {
  const full: number[] = [], merge: number[] = [];
  for (const z of [${zs.join(',')}]) {
    let t = performance.now(); adpClustering(d.nn!, d.logDen!, d.logDenErr!, d.kstar!, { Z: z }); full.push(performance.now() - t);
    t = performance.now(); ex.topology.merge({ Z: z }); merge.push(performance.now() - t);
  }
  return JSON.stringify({ full, merge });
})()`)).slice(1, -1));

  const rows = [
    ['explorer: slider comm_msg -> kernel idle (round trip)', stats(explorer)],
    ['  of which in the kernel (merge + chart data + status)', stats(kernelSide)],
    ['  of which the re-merge alone (in-process)', stats(inproc.merge)],
    ['baseline: a cell rerunning adpClustering (round trip)', stats(cell)],
    ['baseline: adpClustering alone (in-process)', stats(inproc.full)],
  ];
  console.log(`\n${zs.length} Z values in [${zs[0]}, ${zs[zs.length - 1]}], clusters from ${Math.max(...counts)} to ${Math.min(...counts)} (all equal to adpClustering's)`);
  console.log(`${'step'.padEnd(58)} ${'median'.padStart(10)} ${'p95'.padStart(10)} ${'max'.padStart(10)}`);
  for (const [name, s] of rows) console.log(`${name.padEnd(58)} ${fmt(s.median).padStart(10)} ${fmt(s.p95).padStart(10)} ${fmt(s.max).padStart(10)}`);
  const goal = stats(explorer).p95 < 200;
  console.log(`\ngoal (a Z change answered within 200 ms, p95): ${goal ? 'met' : 'NOT met'}`);
  if (!goal) process.exitCode = 1;
} finally {
  await kernel.shutdown();
}
void lib;
