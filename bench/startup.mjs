// Kernel start-up (issue 13): how long from spawning the kernel, as Jupyter does (the kernelspec's
// argv: node dist/kernel/launcher.js --config-path <connection file>), until
//   (a) its kernel_info_reply,
//   (b) the execute_reply of a first cell `1 + 1`,
//   (c) the execute_reply of a first cell that uses the library (a typed Data, TwoNN on 200 points),
// each in a fresh kernel, over several rounds (median, min-max). The requests are sent at spawn
// (ZeroMQ queues them until the kernel binds), as a frontend that connects at once does; the
// client's reconnect interval is 10 ms (Jupyter's default is 100 ms) so that the figure is the
// kernel's, not the polling's.
// The breakdown comes from the kernel's own marks (DADALAB_STARTUP_TIMES=1: ms since its process
// started): node + modules, library, tslab's compiler (watch program) creation, the prelude's type
// check + run, binding, the first cell's compile and run.
// Usage: node bench/startup.mjs [--rounds N] [--cwd DIR] [--cpu-prof DIR] (one profiled run of (c) into DIR)
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLine, median } from './_common.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const { encode, decode, header, newId } = require('../dist/kernel/wire.js');
const { loadZeromq } = require('../dist/kernel/receive.js');
const { LAUNCHER } = require('../dist/kernel/kernelspec.js');
const { freePort } = require('../dist/kernel/client.js');

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const rounds = Number(opt('--rounds', 5));
const profDir = opt('--cpu-prof', null);
// The kernel's folder (the notebook's): a fresh empty one by default; `--cwd notebooks` is a
// notebook inside this project (whose node_modules/@types holds some 40 packages).
const kernelCwd = opt('--cwd', null);

const CELLS = {
  plain: '1 + 1',
  library: [
    'const pts: number[][] = Array.from({ length: 200 }, (_, i) => [Math.cos(i * 0.37), Math.sin(i * 0.37), (i % 13) * 0.05]);',
    'const d: Data = new Data(pts);',
    'const r = await d.computeId2NN();',
    'r.id.toFixed(3)',
  ].join('\n'),
};

/** One fresh kernel: ms from spawn to the kernel_info_reply and (if `code`) to the cell's execute_reply, with the kernel's marks. */
async function startOnce(code, extraNodeArgs = []) {
  const zmq = loadZeromq();
  const ports = [];
  for (let i = 0; i < 5; i++) ports.push(await freePort());
  const conn = {
    transport: 'tcp', ip: '127.0.0.1', shell_port: ports[0], iopub_port: ports[1], stdin_port: ports[2],
    control_port: ports[3], hb_port: ports[4], key: randomBytes(32).toString('hex'), signature_scheme: 'hmac-sha256',
  };
  const dir = mkdtempSync(join(tmpdir(), 'dadalab-startup-'));
  const file = join(dir, 'connection.json');
  writeFileSync(file, JSON.stringify(conn), { mode: 0o600 });
  const shell = new zmq.Dealer({ reconnectInterval: 10 });
  shell.connect(`tcp://127.0.0.1:${conn.shell_port}`);
  const session = newId();
  const send = (type, content) => {
    const msg = { identities: [], header: header(type, session), parent_header: {}, metadata: {}, content, buffers: [] };
    void shell.send(encode(conn.key, msg));
    return msg.header.msg_id;
  };
  const t0 = performance.now();
  const proc = spawn(process.execPath, [...extraNodeArgs, LAUNCHER, '--config-path', file], {
    cwd: kernelCwd ?? dir, env: { ...process.env, DADALAB_STARTUP_TIMES: '1', DADALAB_PARENT_PID: String(process.pid) }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  proc.stderr.on('data', (b) => { log += b; });
  proc.stdout.on('data', () => {});
  const infoId = send('kernel_info_request', {});
  const execId = code ? send('execute_request', { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true }) : null;
  const times = {};
  let reply = null;
  let exited = false;
  const exit = new Promise((r) => proc.once('exit', () => { exited = true; r(); }));
  void exit.then(() => { if (times.info === undefined || (execId && times.cell === undefined)) shell.close(); });
  for await (const frames of shell) {
    const msg = decode(conn.key, frames);
    const parent = msg.parent_header.msg_id;
    if (parent === infoId) times.info = performance.now() - t0;
    if (parent === execId) { times.cell = performance.now() - t0; reply = msg.content; }
    if (times.info !== undefined && (!execId || times.cell !== undefined)) break;
  }
  if (exited) throw new Error(`the kernel exited during start-up:\n${log}`);
  send('shutdown_request', { restart: false });
  await exit;
  shell.close();
  rmSync(dir, { recursive: true, force: true });
  if (reply && reply.status !== 'ok') throw new Error(`the first cell failed: ${reply.ename}: ${reply.evalue}\n${log}`);
  const marks = {};
  const converts = [];
  for (const m of log.matchAll(/^\[dadalab\] startup (\S+) ([\d.]+)$/gm)) {
    if (m[1] === 'convert-ms') converts.push(Number(m[2]));
    else marks[m[1]] ??= Number(m[2]);
  }
  // The marks after 'ready' of the first cell's run (the prelude also has cell-start/ran only if it goes through runCell).
  const cellMarks = [...log.matchAll(/^\[dadalab\] startup (cell-start|cell-ran) ([\d.]+)$/gm)].map((m) => [m[1], Number(m[2])]);
  return { times, marks, converts, cellMarks, log };
}

const fmt = (a) => a.length ? `${median(a).toFixed(0).padStart(5)} ms  (${Math.min(...a).toFixed(0)}-${Math.max(...a).toFixed(0)})` : '   -';

console.log(machineLine());
console.log(`node ${process.version}; ${rounds} rounds, each a fresh kernel (median, min-max); kernel folder: ${kernelCwd ?? 'a fresh empty folder'}`);

// A warm-up start (disk cache) that is not counted.
await startOnce(null);

const total = { info: [], plain: [], library: [] };
const phases = {};
const addPhase = (k, v) => { if (Number.isFinite(v)) (phases[k] ??= []).push(v); };
for (let r = 0; r < rounds; r++) {
  for (const [what, code] of [['info', null], ['plain', CELLS.plain], ['library', CELLS.library]]) {
    const { times, marks, converts, cellMarks } = await startOnce(code);
    total[what].push(what === 'info' ? times.info : times.cell);
    if (what !== 'plain') continue;
    // The breakdown, from the `1 + 1` runs.
    const m = marks;
    const beforeConv = m['converter-start'] ?? m['library-loaded'];
    addPhase('node start-up + launcher modules', m['launcher-module']);
    addPhase('tslab + TypeScript modules', m['tslab-modules'] - m['launcher-module']);
    addPhase('library require()', m['library-loaded'] - m['tslab-modules']);
    addPhase('(other, before the compiler)', beforeConv - m['library-loaded']);
    addPhase('compiler creation (watch program)', m['converter-created'] - m['converter-start']);
    addPhase('prelude (type check + emit + run)', m['prelude-done'] - (m['converter-created'] ?? beforeConv));
    addPhase('zeromq + binding', m['ready'] - m['prelude-done']);
    const cs = cellMarks.find(([k, v]) => k === 'cell-start' && v > m['ready']);
    const cr = cellMarks.find(([k, v]) => k === 'cell-ran' && v > m['ready']);
    addPhase('ready -> first cell starts', cs?.[1] - m['ready']);
    addPhase('first cell compile (convert)', converts.at(-1));
    addPhase('first cell compile + run', cr?.[1] - cs?.[1]);
    addPhase('kernel total at first cell ran', cr?.[1]);
  }
}

console.log('\nspawn ->');
console.log(`  kernel_info_reply                      ${fmt(total.info)}`);
console.log(`  first cell \`1 + 1\` execute_reply        ${fmt(total.plain)}`);
console.log(`  first cell using the library (Data)    ${fmt(total.library)}`);
console.log('\nwhere the time goes (the `1 + 1` runs; the kernel\'s marks, ms since its process started):');
for (const [k, v] of Object.entries(phases)) console.log(`  ${k.padEnd(38)} ${fmt(v)}`);

if (profDir) {
  const { log } = await startOnce(CELLS.library, ['--cpu-prof', '--cpu-prof-dir', profDir]);
  console.log(`\nCPU profile of one start + library cell written to ${profDir}`);
  void log;
}
