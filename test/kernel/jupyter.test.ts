/**
 * The kernel under a real Jupyter server (Debian's jupyter server, our kernelspec on JUPYTER_PATH)
 * driven from Node by @jupyterlab/services; and under nbconvert/nbclient.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWith, DIST, executeStarted, underLoad, missingJupyterServer, missingNbconvert, requireBuilt, ROOT, TEMPLATES, tempDir, spawnAsync } from './helpers';

const VL = 'application/vnd.vegalite.v5+json';
type Msg = { msg_type: string; content: any };
const of = (r: { messages: Msg[] }, type: string) => r.messages.filter((m) => m.msg_type === type);

describeWith('the dadalab kernel in a Jupyter server', [missingJupyterServer()], () => {
  let server: any;
  let kernel: any;
  let root: string;

  beforeAll(async () => {
    requireBuilt();
    const { JupyterServer } = require(path.join(DIST, 'kernel', 'server.js'));
    root = tempDir('dadalab-jupyter-');
    mkdirSync(path.join(root, 'analysis'));
    server = await JupyterServer.start({ rootDir: root });
    kernel = await server.session('analysis/session.ipynb');
  });
  afterAll(async () => {
    await kernel?.shutdown();
    await server?.stop();
  });

  it('lists the dadalab kernelspec', async () => {
    const specs = await server.kernelspecs();
    expect((specs.dadalab as { spec: { display_name: string } }).spec.display_name).toBe('dadalab (TypeScript)');
  });

  it('runs cells: execute_result, counts, the bundle of a chart, the library preloaded', async () => {
    const a = await kernel.execute('const n = 21 * 2;\nn');
    expect(a.reply.status).toBe('ok');
    const res = of(a, 'execute_result')[0].content;
    expect(res.data['text/plain']).toBe('42');
    expect(res.execution_count).toBe(a.reply.execution_count);
    expect(of(a, 'execute_input')[0].content.execution_count).toBe(a.reply.execution_count);
    const b = await kernel.execute(`chart({ data: { values: [{ x: 1, y: 2 }, { x: 2, y: 3 }] }, mark: 'line',
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } }, 'a line')`);
    expect(b.reply.execution_count).toBe(a.reply.execution_count + 1);
    const bundle = of(b, 'execute_result')[0].content.data;
    expect(Object.keys(bundle).sort()).toEqual([VL, 'image/png', 'text/plain'].sort());
    expect(bundle[VL].$schema).toContain('/v5.json');
    const cwd = await kernel.execute('process.cwd()');
    expect(of(cwd, 'execute_result')[0].content.data['text/plain']).toContain(path.join(path.basename(root), 'analysis'));
  });

  it('sends errors with ename and evalue, and answers the next cell', async () => {
    const bad = await kernel.execute("new Data([[0, 0], [Number.NaN, 1], [2, 2]])");
    expect(bad.reply.status).toBe('error');
    const err = of(bad, 'error')[0].content;
    expect(err.ename).toBe('InputError');
    expect(err.evalue.length).toBeGreaterThan(10);
    const next = await kernel.execute('"answered"');
    expect(next.reply.status).toBe('ok');
  });

  it('updates progress in place and stops a long computation on interrupt', async () => {
    const { started, done } = executeStarted<any>(kernel, `const bar = startProgress('long work', 1e9);
let i = 0;
for (;;) { bar.update(++i); await checkpoint(); }`, (m) => m.msg_type === 'update_display_data');
    await started;
    const t0 = Date.now();
    await kernel.interrupt();
    const r = await done;
    expect(Date.now() - t0).toBeLessThan(underLoad(2500)); // the REST round trip included
    expect(of(r, 'error')[0].content.ename).toBe('Interrupted');
    const shown = of(r, 'display_data').find((m) => m.content.transient?.display_id);
    expect(shown).toBeDefined();
    expect(of(r, 'update_display_data').filter((m) => m.content.transient.display_id === shown!.content.transient.display_id).length)
      .toBeGreaterThan(0);
    expect((await kernel.execute('1')).reply.status).toBe('ok');
  });

  it('restarts with the library still there and the variables gone', async () => {
    await kernel.execute('const mine = 5');
    await kernel.restart();
    const lib = await kernel.execute('typeof Data + " " + typeof loadData');
    expect(of(lib, 'execute_result')[0].content.data['text/plain']).toBe("'function function'");
    const gone = await kernel.execute('mine');
    expect(gone.reply.status).toBe('error');
  });
});

describeWith('dadalab run --server', [missingJupyterServer()], () => {
  it('runs a notebook through a Jupyter server it starts itself', async () => {
    requireBuilt();
    const { runNotebook } = require(path.join(DIST, 'kernel', 'run.js'));
    const dir = tempDir('dadalab-server-run-');
    const nb = {
      nbformat: 4, nbformat_minor: 5, metadata: {},
      cells: [
        { cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source: "const here = process.cwd();\nhere" },
        { cell_type: 'code', metadata: {}, outputs: [], execution_count: null,
          source: "chart({ data: { values: [{ x: 1, y: 1 }, { x: 2, y: 4 }] }, mark: 'point', encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } }, 'two points')" },
        { cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source: 'throw new Error("stop here")' },
        { cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source: '"never run"' },
      ],
    };
    writeFileSync(path.join(dir, 'server.ipynb'), JSON.stringify(nb));
    const r = await runNotebook(path.join(dir, 'server.ipynb'), { server: true });
    expect(r.ok).toBe(false);
    expect(r.failure.index).toBe(2);
    expect(r.failure.evalue).toBe('stop here');
    const cells = r.notebook.cells;
    expect(cells[0].outputs[0].data['text/plain']).toContain(path.basename(dir));
    expect(Object.keys(cells[1].outputs[0].data)).toContain(VL);
    expect(cells.map((c: { execution_count: number | null }) => c.execution_count)).toEqual([1, 2, 3, null]);
  });
});

describeWith('nbconvert with the dadalab kernel and template', [missingNbconvert()], () => {
  it('executes a notebook (execution counts recorded) and its HTML shows the chart', async () => {
    requireBuilt();
    const dir = tempDir('dadalab-nbconvert-');
    const nb = {
      nbformat: 4, nbformat_minor: 5,
      metadata: { kernelspec: { name: 'dadalab', display_name: 'dadalab (TypeScript)', language: 'typescript' } },
      cells: [
        { cell_type: 'markdown', metadata: {}, source: '# nbconvert check' },
        { cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source: 'const k = 3;\nk' },
        { cell_type: 'code', metadata: {}, outputs: [], execution_count: null,
          source: "chart({ data: { values: [{ a: 'A', b: 2 }, { a: 'B', b: 4 }] }, mark: 'bar', encoding: { x: { field: 'a', type: 'nominal' }, y: { field: 'b', type: 'quantitative' } } }, 'bars')" },
      ],
    };
    writeFileSync(path.join(dir, 'check.ipynb'), JSON.stringify(nb));
    const env = { ...process.env, JUPYTER_PATH: path.join(ROOT, 'kernel', 'jupyter') };
    const ex = await spawnAsync('jupyter', ['nbconvert', '--to', 'notebook', '--execute', 'check.ipynb', '--output', 'check.out.ipynb'],
      { cwd: dir, env, encoding: 'utf8', timeout: 180_000 });
    expect(ex.status, ex.stderr).toBe(0);
    const out = JSON.parse(readFileSync(path.join(dir, 'check.out.ipynb'), 'utf8'));
    expect(out.cells[1].execution_count).toBe(1);
    expect(out.cells[1].outputs[0].output_type).toBe('execute_result');
    expect(Object.keys(out.cells[2].outputs[0].data)).toContain(VL);
    const html = await spawnAsync('jupyter', ['nbconvert', '--to', 'html', `--TemplateExporter.extra_template_basedirs=${TEMPLATES}`,
      '--template', 'dadalab', 'check.out.ipynb'], { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
    expect(html.status, html.stderr).toBe(0);
    const page = readFileSync(path.join(dir, 'check.out.html'), 'utf8');
    // the interactive chart: its spec for vega-embed (inlined), over its PNG
    const spec = /<script type="application\/json" class="dadalab-spec">([^<]+)<\/script>/.exec(page);
    expect(spec).not.toBeNull();
    expect(JSON.parse(spec![1]).mark).toBe('bar');
    expect(page).toMatch(/<img src="data:image\/png;base64,iVBOR/);
    expect(page).toContain('vegaEmbed');
    expect(page).not.toMatch(/<script[^>]+src="https?:/);

    // `dadalab html` is nbconvert with the template.
    const viaCli = await spawnAsync(process.execPath, [path.join(DIST, 'kernel', 'cli.js'), 'html', 'check.out.ipynb', '--output', 'check.cli'],
      { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
    expect(viaCli.status, viaCli.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'check.cli.html'), 'utf8')).toContain('class="dadalab-spec"');

    // After `dadalab install --prefix P`, plain `--template dadalab` finds the template.
    const prefix = tempDir('dadalab-prefix-');
    expect((await spawnAsync(process.execPath, [path.join(DIST, 'kernel', 'cli.js'), 'install', '--prefix', prefix])).status).toBe(0);
    const installed = await spawnAsync('jupyter', ['nbconvert', '--to', 'html', '--template', 'dadalab', '--output', 'check.installed', 'check.out.ipynb'],
      { cwd: dir, env: { ...env, JUPYTER_PATH: path.join(prefix, 'share', 'jupyter') }, encoding: 'utf8', timeout: 120_000 });
    expect(installed.status, installed.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'check.installed.html'), 'utf8')).toContain('class="dadalab-spec"');
  });
});
