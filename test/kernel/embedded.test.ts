/**
 * The kernel through the embedded client (no Python): one kernel, started in a folder outside the
 * project (so @types/node and the library must come from the package, not the folder).
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, DIST, executeStarted, printed, progressShown, requireBuilt, tempDir, spawnAsync, underLoad } from './helpers';

requireBuilt();
const { EmbeddedKernel } = require(path.join(DIST, 'kernel', 'client.js'));

type Msg = { msg_type: string; content: any };
const VL = 'application/vnd.vegalite.v5+json';

let kernel: any;
let dir: string;

beforeAll(async () => {
  dir = tempDir('dadalab-nb-');
  kernel = await EmbeddedKernel.start({ cwd: dir });
});
afterAll(async () => {
  await kernel?.shutdown();
});

async function run(code: string): Promise<{ reply: any; messages: Msg[] }> {
  return kernel.execute(code);
}
const of = (r: { messages: Msg[] }, type: string) => r.messages.filter((m) => m.msg_type === type);

describe('the dadalab kernel (embedded client)', () => {
  it('sends execute_input and the last expression as execute_result with its execution count', async () => {
    const a = await run('const xs = [1, 2, 3].map((v) => v * 2);\nxs');
    const b = await run('xs.length');
    expect(a.reply.status).toBe('ok');
    expect(b.reply.execution_count).toBe(a.reply.execution_count + 1);
    expect(of(a, 'execute_input')[0].content.execution_count).toBe(a.reply.execution_count);
    const res = of(a, 'execute_result');
    expect(res.length).toBe(1);
    expect(res[0].content.execution_count).toBe(a.reply.execution_count);
    expect(res[0].content.data['text/plain']).toBe('[ 2, 4, 6 ]');
    expect(of(b, 'execute_result')[0].content.data['text/plain']).toBe('3');
  });

  it('batches printed lines into few stream messages, in order with other outputs', async () => {
    const r = await run("for (let i = 0; i < 20000; i++) console.log('line ' + i);\nconsole.error('warned');\nconsole.log('last');\n'end'");
    const streams = of(r, 'stream');
    expect(streams.length).toBeLessThan(200);
    const stdout = streams.filter((m) => m.content.name === 'stdout').map((m) => m.content.text).join('');
    expect(stdout.split('\n').length).toBe(20002);
    expect(stdout.endsWith('line 19999\nlast\n')).toBe(true);
    const types = r.messages.map((m) => m.msg_type).filter((t) => t !== 'execute_input');
    expect(types[types.length - 1]).toBe('execute_result');
  });

  it('shorthand properties see variables of earlier cells (a tslab bug, worked around)', async () => {
    await run("const layerNames = ['a', 'b'];\nconst kk = 3;");
    const r = await run('const opts = { layerNames, kk, extra: 1 };\nlet layerNames2: string[] = [];\n({ layerNames: layerNames2 } = opts);\n`${opts.layerNames.join()} ${opts.kk} ${layerNames2.length}`');
    expect(r.reply.status).toBe('ok');
    expect(of(r, 'execute_result')[0].content.data['text/plain']).toBe("'a,b 3 2'");
  });

  it('importESM loads an ES module with top-level await (vega), and names a missing one', async () => {
    const r = await run("const vegaModule = await importESM('vega');\ntypeof vegaModule.View");
    expect(of(r, 'execute_result')[0].content.data['text/plain']).toBe("'function'");
    const missing = await run("await importESM('no-such-package-here')");
    expect(of(missing, 'error')[0].content.evalue).toMatch(/Cannot find the module 'no-such-package-here'/);
  });

  it('has the library preloaded and typed, in a folder outside the project', async () => {
    const r = await run('console.log(typeof Data, typeof loadData, typeof show, typeof dadalab.Matrix); process.cwd()');
    expect(of(r, 'stream').map((m) => m.content.text).join('')).toBe('function function function function\n');
    expect(of(r, 'execute_result')[0].content.data['text/plain']).toContain(path.basename(dir));
    const typed = await run('const nPoints: string = new Data([[0, 0], [1, 0], [0, 1]]).N');
    expect(typed.reply.status).toBe('error');
    expect(of(typed, 'error')[0].content.ename).toBe('TypeScriptError');
    expect(of(typed, 'error')[0].content.evalue).toMatch(/^line 1, column 7: Type 'number' is not assignable to type 'string'/);
  });

  it('renders a chart that ends a cell as one bundle, before the cell reports done', async () => {
    const r = await run(`chart({ data: { values: [{ a: 'A', b: 2 }, { a: 'B', b: 5 }] }, mark: 'bar',
      encoding: { x: { field: 'a', type: 'nominal' }, y: { field: 'b', type: 'quantitative' } } }, 'two bars')`);
    const res = of(r, 'execute_result');
    expect(res.length).toBe(1);
    expect(Object.keys(res[0].content.data).sort()).toEqual([VL, 'image/png', 'text/plain'].sort());
    expect(Buffer.from(res[0].content.data['image/png'], 'base64').subarray(1, 4).toString()).toBe('PNG');
    expect(res[0].content.metadata['image/png'].width).toBeGreaterThan(50);
    expect(res[0].content.data['text/plain']).toBe('two bars');
  });

  it('thins a 100k-point scatter so the notebook stays small', async () => {
    const r = await run(`chart({ data: { values: Array.from({ length: 100000 }, (_, i) => ({ x: Math.cos(i), y: Math.sin(1.1 * i) })) },
      mark: 'point', encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } }, title: 'many' })`);
    const data = of(r, 'execute_result')[0].content.data;
    expect(data[VL].data.format).toEqual({ type: 'csv', parse: { x: 'number', y: 'number' } });
    expect(data[VL].data.values.split('\n').length).toBe(2000 + 1);
    expect(JSON.stringify(data[VL].title)).toContain('2,000 of 100,000 points shown');
    expect(JSON.stringify(data).length).toBeLessThan(300_000);
  });

  it('renders a result (summary + plot) and show() anywhere in a cell', async () => {
    const r = await run(`const d = new Data([[0, 0], [1, 0.1], [0.2, 1], [1.1, 1], [2, 2.1], [3, 1], [2.5, 0.3], [0.7, 2.2]]);
await d.computeDistances({ maxk: 4 });
const fake = { summary: () => 'ID 6.3 ± 0.2 at r = 1.4', plot: () => chart({ data: { values: [{ x: 1, y: 2 }] }, mark: 'point',
  encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } }) };
await show(fake);
fake`);
    expect(r.reply.status).toBe('ok');
    const shown = of(r, 'display_data').filter((m) => m.content.data[VL]);
    expect(shown.length).toBe(1);
    expect(shown[0].content.data['text/plain']).toBe('ID 6.3 ± 0.2 at r = 1.4');
    expect(of(r, 'execute_result')[0].content.data['text/plain']).toBe('ID 6.3 ± 0.2 at r = 1.4');
  });

  it('a cell ending in a promise shows what it resolves to (or its error)', async () => {
    const r = await run('Promise.resolve(6 * 7)');
    expect(of(r, 'execute_result')[0].content.data['text/plain']).toBe('42');
    const bad = await run("new Data([[0, 0], [1, 1], [2, 3]]).computeDistances({ metric: 'no-such-metric' })");
    expect(bad.reply.status).toBe('error');
    expect(of(bad, 'error')[0].content.evalue).toMatch(/no-such-metric/);
  });

  it('completes names from the preloaded library', async () => {
    const reply = await kernel.call('complete_request', { code: 'Data.prototype.computeId', cursor_pos: 24 });
    expect(reply.status).toBe('ok');
    expect(reply.matches).toEqual(expect.arrayContaining(['computeId2NN']));
  });

  it('reports an exception as an error message, and the next cell runs at once', async () => {
    const bad = await run('throw new RangeError("boom")');
    const next = await run('"still here"');
    expect(bad.reply.status).toBe('error');
    const err = of(bad, 'error')[0].content;
    expect(err.ename).toBe('RangeError');
    expect(err.evalue).toBe('boom');
    expect(err.traceback[0]).toBe('RangeError: boom');
    expect(err.traceback.join('\n')).not.toMatch(/node_modules|node:internal/);
    expect(next.reply.status).toBe('ok');
    expect(of(next, 'execute_result')[0].content.data['text/plain']).toBe("'still here'");
  });

  it('skips, visibly, only the cells queued before a failure (stop_on_error, as ipykernel)', async () => {
    const [failed, queued] = await Promise.all([run('await new Promise((r) => setTimeout(r, 300));\nthrow new Error("first")'), run('"queued"')]);
    expect(failed.reply.status).toBe('error');
    expect(queued.reply.status).toBe('aborted');
    expect(of(queued, 'stream')[0].content.text).toMatch(/not run, because a cell queued before it failed/);
    const later = await run('"sent after the failure"');
    expect(later.reply.status).toBe('ok');
  });

  it('says what was wrong with bad input, and which path a missing file was looked for at', async () => {
    const rows = await run('new Data([[1, 2], [1]])');
    const e1 = of(rows, 'error')[0].content;
    expect(e1.ename).toBe('InputError');
    expect(e1.evalue).toMatch(/Row 1 has 1 values but row 0 has 2/);
    expect(e1.traceback).toEqual([`InputError: ${e1.evalue}`]);
    const missing = await run("loadData('measurements/missing.csv')");
    const e2 = of(missing, 'error')[0].content;
    expect(e2.evalue).toContain(path.join(dir, 'measurements', 'missing.csv'));
    const after = await run('1 + 1');
    expect(after.reply.status).toBe('ok');
  });

  it('shows progress that updates in place', async () => {
    const r = await run(`const pts = Array.from({ length: 2500 }, (_, i) => [Math.sin(i), Math.cos(1.3 * i), (i % 17) / 17]);
const dp = new Data(pts);
await dp.computeDistances({ maxk: 50 });
dp.nn!.maxk`);
    expect(r.reply.status).toBe('ok');
    const first = of(r, 'display_data').find((m) => m.content.transient?.display_id?.startsWith('dadalab-progress'));
    expect(first).toBeDefined();
    const id = first!.content.transient.display_id;
    const updates = of(r, 'update_display_data').filter((m) => m.content.transient.display_id === id);
    expect(updates.length).toBeGreaterThan(0);
    expect(updates[updates.length - 1].content.data['text/plain']).toMatch(/: done \(/);
  });

  it('stops a long computation within 2 s of SIGINT and stays usable', async () => {
    const { started, done } = executeStarted<any>(kernel, `let rounds = 0;
const bar = startProgress('endless', 1e9);
for (;;) { rounds++; bar.update(rounds); await checkpoint(); }`, progressShown);
    await started;
    const t0 = Date.now();
    await kernel.interrupt();
    const r = await done;
    expect(Date.now() - t0).toBeLessThan(underLoad(2000));
    expect(r.reply.status).toBe('error');
    expect(of(r, 'error')[0].content.ename).toBe('Interrupted');
    const next = await run('typeof Data');
    expect(of(next, 'execute_result')[0].content.data['text/plain']).toBe("'function'");
  });

  it('stops a real neighbour search within 2 s of SIGINT', async () => {
    await run('const rngBig = new SeededRng(1);\nconst big = Array.from({ length: 40000 }, () => Array.from({ length: 40 }, () => rngBig.random()));');
    const { started, done } = executeStarted<any>(kernel, 'const bigData = new Data(big);\nawait bigData.computeDistances({ maxk: 100 });\n"finished"', progressShown);
    await started;
    const t0 = Date.now();
    await kernel.interrupt();
    const r = await done;
    expect(Date.now() - t0).toBeLessThan(underLoad(2000));
    expect(of(r, 'error')[0]?.content.ename).toBe('Interrupted');
    expect((await run('big.length')).reply.status).toBe('ok');
  });

  it('stops a synchronous loop (SIGINT) and an async one (interrupt_request on control)', async () => {
    // A spinning cell cannot send anything: its execute_input says the kernel has it, which is enough.
    const sync = executeStarted<any>(kernel, 'let spins = 0; while (true) { spins++; }', (m) => m.msg_type === 'execute_input');
    await sync.started;
    await kernel.interrupt();
    expect(of(await sync.done, 'error')[0].content.ename).toBe('Interrupted');
    const loop = executeStarted<any>(kernel, 'console.log("looping");\nfor (;;) { await checkpoint(); }', printed('looping'));
    await loop.started;
    const t0 = Date.now();
    await kernel.interruptRequest();
    const r = await loop.done;
    expect(Date.now() - t0).toBeLessThan(underLoad(2000));
    expect(of(r, 'error')[0].content.ename).toBe('Interrupted');
    expect((await run('2 * 21')).reply.status).toBe('ok');
  });
});

describe('dadalab run (CLI)', () => {
  it('stops at the first failing cell with the cell and the error, exit code 1, input untouched', async () => {
    const nbDir = tempDir('dadalab-run-');
    const nb = {
      nbformat: 4, nbformat_minor: 5, metadata: {},
      cells: [
        { cell_type: 'code', metadata: {}, source: 'const a = 1;\na', outputs: [], execution_count: null },
        { cell_type: 'code', metadata: {}, source: "loadData('nowhere.npy')", outputs: [], execution_count: null },
        { cell_type: 'code', metadata: {}, source: 'a + 1', outputs: [], execution_count: null },
      ],
    };
    const input = path.join(nbDir, 'fails.ipynb');
    const text = JSON.stringify(nb);
    writeFileSync(input, text);
    const r = await spawnAsync(process.execPath, [CLI, 'run', input, '--html', path.join(nbDir, 'fails.html')], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('cell 2 failed');
    expect(r.stderr).toContain("loadData('nowhere.npy')");
    expect(r.stderr).toContain(path.join(nbDir, 'nowhere.npy'));
    expect(readFileSync(input, 'utf8')).toBe(text);
    const out = JSON.parse(readFileSync(path.join(nbDir, 'fails.out.ipynb'), 'utf8'));
    expect(out.cells[0].execution_count).toBe(1);
    expect(out.cells[1].outputs[0].output_type).toBe('error');
    expect(out.cells[2].execution_count).toBeNull();
    expect(existsSync(path.join(nbDir, 'fails.html'))).toBe(true);

    const same = await spawnAsync(process.execPath, [CLI, 'run', input, '--out', input], { encoding: 'utf8', timeout: 60_000 });
    expect(same.status).toBe(1);
    expect(same.stderr).toMatch(/is the input notebook.*--in-place/);
    expect(readFileSync(input, 'utf8')).toBe(text);
  });

  it('a cell that kills the kernel is reported as the failing cell', async () => {
    const nbDir = tempDir('dadalab-die-');
    const cell = (source: string) => ({ cell_type: 'code', metadata: {}, source, outputs: [], execution_count: null });
    writeFileSync(path.join(nbDir, 'dies.ipynb'), JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [cell('1'), cell('process.exit(3)'), cell('2')] }));
    const r = await spawnAsync(process.execPath, [CLI, 'run', 'dies.ipynb', '--quiet'], { cwd: nbDir, encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('cell 2 failed');
    expect(r.stderr).toMatch(/KernelDied: The kernel died while running a cell: it exited with code 3/);
    const out = JSON.parse(readFileSync(path.join(nbDir, 'dies.out.ipynb'), 'utf8'));
    expect(out.cells[1].outputs[0].ename).toBe('KernelDied');
  });

  it('--timeout interrupts a cell that runs too long', async () => {
    const nbDir = tempDir('dadalab-timeout-');
    const cell = (source: string) => ({ cell_type: 'code', metadata: {}, source, outputs: [], execution_count: null });
    writeFileSync(path.join(nbDir, 'slow.ipynb'), JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [cell('for (;;) { await checkpoint(); }')] }));
    const r = await spawnAsync(process.execPath, [CLI, 'run', 'slow.ipynb', '--timeout', '1', '--quiet'], { cwd: nbDir, encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('CellTimeout: the cell ran longer than the 1 s timeout and was interrupted');
  });

  it('a library that cannot load leaves a working kernel that says why', async () => {
    const nbDir = tempDir('dadalab-nolib-');
    const cell = (source: string) => ({ cell_type: 'code', metadata: {}, source, outputs: [], execution_count: null });
    writeFileSync(path.join(nbDir, 'plain.ipynb'), JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [cell('const two: number = 1 + 1;\ntwo')] }));
    const r = await spawnAsync(process.execPath, [CLI, 'run', 'plain.ipynb', '--quiet'], {
      cwd: nbDir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, DADALAB_LIB: path.join(nbDir, 'missing', 'index.js') },
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(readFileSync(path.join(nbDir, 'plain.out.ipynb'), 'utf8'));
    const outputs = out.cells[0].outputs;
    expect(outputs[0].text).toMatch(/the library .*missing.*index\.js failed to load/);
    expect(outputs[1].data['text/plain']).toBe('2');
  });

  it('runs several notebooks in one call, reports into a folder', async () => {
    const nbDir = tempDir('dadalab-many-');
    const cell = (source: string) => ({ cell_type: 'code', metadata: {}, source, outputs: [], execution_count: null });
    for (const n of ['a', 'b']) writeFileSync(path.join(nbDir, `${n}.ipynb`), JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [cell(`'${n}'`)] }));
    const r = await spawnAsync(process.execPath, [CLI, 'run', 'a.ipynb', 'b.ipynb', '--html-dir', 'reports', '--quiet'], { cwd: nbDir, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    for (const n of ['a', 'b']) {
      expect(existsSync(path.join(nbDir, `${n}.out.ipynb`))).toBe(true);
      expect(existsSync(path.join(nbDir, 'reports', `${n}.html`))).toBe(true);
    }
    const bad = await spawnAsync(process.execPath, [CLI, 'run', 'a.ipynb', 'b.ipynb', '--out', 'x.ipynb'], { cwd: nbDir, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--out and --html name one file/);
  });

  it('install and uninstall with --prefix', async () => {
    const prefix = tempDir('dadalab-prefix-');
    const i = await spawnAsync(process.execPath, [CLI, 'install', '--prefix', prefix], { encoding: 'utf8' });
    expect(i.status).toBe(0);
    const spec = path.join(prefix, 'share', 'jupyter', 'kernels', 'dadalab', 'kernel.json');
    expect(JSON.parse(readFileSync(spec, 'utf8')).argv[1]).toBe(path.join(DIST, 'kernel', 'launcher.js'));
    // the widgets' views for the classic Notebook (requirejs module nbextensions/dadalab/widgets)
    const views = path.join(prefix, 'share', 'jupyter', 'nbextensions', 'dadalab', 'widgets.js');
    expect(readFileSync(views, 'utf8')).toMatch(/VegaChartView/);
    const u = await spawnAsync(process.execPath, [CLI, 'uninstall', '--prefix', prefix], { encoding: 'utf8' });
    expect(u.status).toBe(0);
    expect(existsSync(spec)).toBe(false);
    expect(existsSync(views)).toBe(false);
  });
});

describe('the kernel in a folder with its own @types (the compiler includes @types/node only)', () => {
  let k: any;
  let folder: string;
  beforeAll(async () => {
    folder = tempDir('dadalab-types-');
    const pkg = path.join(folder, 'node_modules', '@types', 'shapes');
    require('node:fs').mkdirSync(pkg, { recursive: true });
    writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: '@types/shapes', version: '1.0.0', types: 'index.d.ts' }));
    writeFileSync(path.join(pkg, 'index.d.ts'), 'export interface Square { side: number }\n');
    k = await EmbeddedKernel.start({ cwd: folder });
  });
  afterAll(async () => {
    await k?.shutdown();
  });

  it('has the library typed in the first cell, reports type errors, and types what a cell imports from @types', async () => {
    const first = await k.execute('const d: Data = new Data([[0, 0], [1, 0.1], [0.2, 1], [1.1, 1], [2, 2.1], [3, 1]]);\nconst m: Matrix = d.X!;\nm.rows');
    expect(first.reply.status).toBe('ok');
    expect(of(first, 'execute_result')[0].content.data['text/plain']).toBe('6');
    const bad = await k.execute('const nPoints: string = d.N;');
    expect(bad.reply.status).toBe('error');
    expect(of(bad, 'error')[0].content.evalue).toMatch(/^line 1, column 7: Type 'number' is not assignable to type 'string'/);
    const imported = await k.execute("import type { Square } from 'shapes';\nconst s: Square = { side: 'two' };");
    expect(imported.reply.status).toBe('error');
    expect(of(imported, 'error')[0].content.evalue).toMatch(/Type 'string' is not assignable to type 'number'/);
  });
});
