/**
 * The widgets in JupyterLab 4's own widget manager (widget protocol 2.1.0): a page running
 * @jupyter-widgets/jupyterlab-manager's plugins in a Lumino Application, its KernelWidgetManager,
 * WidgetRenderer and Output view with @jupyter-widgets/base 6 and controls 5
 * (test/e2e/widgets-page/jupyterlab.ts), connected through
 * @jupyterlab/services to a real Jupyter server's dadalab kernel, in headless Chromium, driven as
 * a person would: drag a slider, pick an option, click a toggle and a button, drag a box on the
 * decision graph, drag ADP's Z slider, click a layer. The kernel's side is read back each time.
 *
 * dadalab's chart view reaches JupyterLab through its prebuilt labextension (built by
 * scripts/build-labextension.mjs with @jupyterlab/builder): `dadalab install` (--prefix here) puts
 * it in the data folder's labextensions/, the Jupyter server serves that folder, and the page loads
 * it as JupyterLab 4 does (remoteEntry, share scope, `./extension`, its plugin started beside
 * jupyterlab-manager's, which provides the registry token; see the page). The explorers are driven with it, and, separately, as JupyterLab 4
 * shows them without it. Not tested: the JupyterLab application itself (not installable here: not
 * in Debian, PyPI unreachable), i.e. its server extension listing labextensions in the page config,
 * its own share scope and plugin set, the notebook's WidgetManager.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS, describeWith, DIST, missingChromium, missingJupyterServer, requireBuilt, ROOT, tempDir } from '../kernel/helpers';
import { buildJupyterLabPage } from './jupyterlab/build';

const FIG1 = path.join(ROOT, 'data', 'Fig1.dat.gz');
const DATA = `const { X } = loadData(${JSON.stringify(FIG1)});
const rows: number[][] = [];
for (let i = 0; i < X.rows; i += 25) rows.push([X.data[2 * i], X.data[2 * i + 1]]);
const d = new Data(rows);
await d.computeDistances({ maxk: 50 });
await d.computeDensityPAk();
d.N`;

describeWith('widgets in JupyterLab 4\'s widget manager (protocol 2.1.0)', [missingChromium(), missingJupyterServer()], () => {
  let server: any;
  let browser: any;
  let page: any;
  let kernelId = '';
  let labext: { name: string; load: string; extension: string; url: string };
  let installed: any;
  const ids: Record<string, string> = {};
  const errors: string[] = [];
  /** Every answer the pages got from the labextension's folder: status and file name. */
  const served: string[] = [];

  beforeAll(async () => {
    requireBuilt();
    const dir = tempDir('dadalab-lab-widgets-');
    await buildJupyterLabPage(dir, '../widgets-page/jupyterlab.ts', 'labwidgets');
    expect(readFileSync(path.join(dir, 'labwidgets.html'), 'utf8')).toContain('labPage');
    // dadalab install, as a user runs it: the labextension goes to <prefix>/share/jupyter/labextensions/dadalab
    const prefix = tempDir('dadalab-lab-prefix-');
    require(path.join(DIST, 'kernel', 'kernelspec.js')).installKernelspec({ prefix });
    const labextensions = path.join(prefix, 'share', 'jupyter', 'labextensions');
    installed = JSON.parse(readFileSync(path.join(labextensions, 'dadalab', 'package.json'), 'utf8'));
    const { JupyterServer } = require(path.join(DIST, 'kernel', 'server.js'));
    // the page is served from /files/, whose answers are sandboxed (origin null): let it reach the API;
    // the labextensions folder is served as static files (JupyterLab serves it at /lab/extensions/)
    server = await JupyterServer.start({ rootDir: dir, extraArgs: ['--ServerApp.allow_origin=*', `--ServerApp.extra_static_paths=${JSON.stringify([labextensions])}`] });
    // the extension's entry in JupyterLab's page config (jupyterlab_server reads it from the installed package.json)
    labext = { name: installed.name, load: installed.jupyterlab._build.load, extension: installed.jupyterlab._build.extension, url: `${server.baseUrl}/static/` };
    const { chromium } = require('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function labPage(query = ''): Promise<any> {
    const p = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    p.on('pageerror', (e: Error) => errors.push(String(e)));
    p.on('response', (r: any) => {
      const m = /\/static\/dadalab\/(.*?)(\?|$)/.exec(r.url());
      if (m) served.push(`${r.status()} ${m[1]}`);
    });
    await p.goto(`${server.baseUrl}/files/labwidgets.html?token=${server.token}${query}`);
    await p.waitForSelector('body[data-page-ready]', { state: 'attached', timeout: 60_000 });
    return p;
  }
  const run = (p: any, code: string, show = true) => p.evaluate(([c, s]: [string, boolean]) => (window as any).labPage.run(c, s), [code, show]);
  /** The kernel's answer to an expression (its text/plain), run as a cell that is not put on the page. */
  const kernel = async (p: any, code: string): Promise<string> => {
    const r = await run(p, code, false);
    if (r.status !== 'ok') throw new Error(`${code}: ${r.text.join(' ')}`);
    return r.text[r.text.length - 1];
  };
  /** The n-th cell's output area. */
  const cell = (p: any, n: number) => p.locator('.lab-cell').nth(n);

  async function drag(p: any, locator: any, dx: number, dy = 0): Promise<void> {
    await locator.scrollIntoViewIfNeeded();
    const box = await locator.boundingBox();
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    await p.mouse.move(x, y);
    await p.mouse.down();
    for (let t = 1; t <= 8; t++) await p.mouse.move(x + (dx * t) / 8, y + (dy * t) / 8);
    await p.mouse.up();
  }

  it('the standard controls render from the kernel; a person\'s drag, choice and clicks reach it; its changes reach the views', async () => {
    page = await labPage();
    kernelId = await page.evaluate(() => (window as any).labPage.connect());
    const r = await run(page, `const s = new widgets.IntSlider({ value: 10, max: 100, description: 'k' });
const dd = new widgets.Dropdown({ options: ['a', 'b', 'c'], value: 'b', description: 'pick' });
const t = new widgets.ToggleButton({ description: 'on' });
const b = new widgets.Button({ description: 'add' });
const out = new widgets.Output();
let clicks = 0;
b.onClick(async () => { clicks++; await out.append(\`clicked at k = \${s.value}\`); });
new widgets.VBox([s, new widgets.HBox([dd, t, b]), out])`);
    expect(r.status).toBe('ok');
    // JupyterLab's rendermime picks the widget view (its WidgetRenderer), not the text
    expect(r.mimes).toEqual(['application/vnd.jupyter.widget-view+json']);
    const area = cell(page, 0);
    await area.locator('.widget-slider .noUi-handle').waitFor({ timeout: 30_000 });
    await drag(page, area.locator('.noUi-handle').first(), 80);
    await expect.poll(async () => Number(await area.locator('.widget-readout').first().innerText()), { timeout: 10_000 }).toBeGreaterThan(10);
    const shown = Number(await area.locator('.widget-readout').first().innerText());
    await expect.poll(() => kernel(page, 's.value'), { timeout: 20_000 }).toBe(String(shown));
    await area.locator('select').selectOption('c');
    await area.locator('button', { hasText: 'on' }).click();
    await expect.poll(() => kernel(page, '`${dd.value} ${dd.index} ${t.value}`'), { timeout: 20_000 }).toBe("'c 2 true'");
    await area.locator('button', { hasText: 'add' }).click();
    await expect.poll(() => area.innerText(), { timeout: 20_000 }).toContain(`clicked at k = ${shown}`);
    expect(await kernel(page, 'clicks')).toBe('1');
    // from the kernel: the slider's readout and handle move, the option changes
    await run(page, "s.value = 3;\ndd.value = 'a';", false);
    await expect.poll(() => area.locator('.widget-readout').first().innerText(), { timeout: 20_000 }).toBe('3');
    await expect.poll(() => area.locator('select').inputValue(), { timeout: 20_000 }).toBe('a');
    for (const name of ['s', 'dd', 't', 'out']) ids[name] = (await kernel(page, `${name}.modelId`)).replace(/'/g, '');
  });

  it('a reloaded page: JupyterLab\'s manager restores every widget from the kernel (control comm) and drives it', async () => {
    const p = await labPage();
    await p.evaluate((id: string) => (window as any).labPage.connect(id), kernelId);
    // restored before any cell runs: the models and their current values
    for (const id of Object.values(ids)) expect(await p.evaluate((m: string) => (window as any).labPage.hasModel(m), id)).toBe(true);
    expect((await p.evaluate((m: string) => (window as any).labPage.state(m), ids.s)).value).toBe(3);
    expect((await p.evaluate((m: string) => (window as any).labPage.state(m), ids.dd)).index).toBe(0);
    expect((await p.evaluate((m: string) => (window as any).labPage.state(m), ids.out)).outputs.map((o: any) => o.text).join('')).toContain('clicked at k = ');
    // shown again, dragged: the kernel follows
    await run(p, 's');
    const area = cell(p, 0);
    await area.locator('.noUi-handle').waitFor({ timeout: 30_000 });
    expect(await area.locator('.widget-readout').innerText()).toBe('3');
    await drag(p, area.locator('.noUi-handle'), 120);
    await expect.poll(async () => Number(await area.locator('.widget-readout').innerText()), { timeout: 10_000 }).toBeGreaterThan(3);
    const shown = await area.locator('.widget-readout').innerText();
    await expect.poll(() => kernel(p, 's.value'), { timeout: 20_000 }).toBe(shown);
    // and the first page, on the same kernel, follows too
    await expect.poll(() => cell(page, 0).locator('.widget-readout').first().innerText(), { timeout: 20_000 }).toBe(shown);
    await p.close();
  });

  it('dadalab\'s labextension, installed and loaded as JupyterLab 4 loads it, registers the chart view with the widget registry', async () => {
    // the installed metadata is JupyterLab's federated-extension format
    expect(installed.name).toBe('dadalab');
    expect(installed.version).toBe(require(path.join(ROOT, 'package.json')).version);
    expect(installed.jupyterlab._build).toEqual({ load: expect.stringMatching(/^static\/remoteEntry\.[0-9a-f]{20}\.js$/), extension: './extension' });
    expect(installed.jupyterlab.sharedPackages['@jupyter-widgets/base']).toEqual({ bundled: false, singleton: true });
    const p = await labPage(`&labext=${encodeURIComponent(JSON.stringify(labext))}`);
    const ext = await p.evaluate(() => (window as any).labPage.extension);
    expect(ext.error).toBeUndefined();
    expect(ext.core).toEqual([true, true, true]);
    // its plugin asked for the registry token and Lumino's plugin registry resolved it to
    // jupyterlab-manager's managerPlugin (the same token object: base is shared, not bundled)
    expect(ext.plugins).toEqual([{ id: 'dadalab:widgets', activated: true, requires: ['jupyter.extensions.jupyterWidgetRegistry'] }]);
    expect(served).toContain(`200 ${installed.jupyterlab._build.load}`);
    // the manager jupyterlab-manager makes for a kernel has the module, beside base, controls and output
    await p.evaluate(() => (window as any).labPage.connect());
    const modules = await p.evaluate(() => (window as any).labPage.modules());
    expect(modules['nbextensions/dadalab/widgets']).toEqual([installed.version]);
    expect(Object.keys(modules).sort()).toEqual(['@jupyter-widgets/base', '@jupyter-widgets/controls', '@jupyter-widgets/output', 'nbextensions/dadalab/widgets']);
    await p.close();
  });

  it('without jupyterlab_widgets\' @jupyter-widgets/base in the share scope, the extension does not start (it brings no copy of its own)', async () => {
    const p = await labPage(`&labext=${encodeURIComponent(JSON.stringify(labext))}&scope=empty`);
    const ext = await p.evaluate(() => (window as any).labPage.extension);
    expect(ext.error).toMatch(/Shared module @jupyter-widgets\/base doesn't exist in shared scope default/);
    expect(ext.plugins).toEqual([]);
    await p.close();
  });

  it('the explorers, with dadalab\'s labextension: the charts render (not an error box); drag a box, drag Z, toggle the halo, click a layer', async () => {
    const p = await labPage(`&labext=${encodeURIComponent(JSON.stringify(labext))}`);
    expect((await p.evaluate(() => (window as any).labPage.extension)).plugins[0].activated).toBe(true);
    await p.evaluate(() => (window as any).labPage.connect());
    expect((await run(p, DATA)).status).toBe('ok');
    const chunksBefore = new Set(served);
    // decision graph: a box over the top right of the graph makes those points the centres
    expect((await run(p, 'const dg = await decisionGraphExplorer(d);\ndg')).status).toBe('ok');
    const g = cell(p, 1);
    await g.locator('.dadalab-vegachart[data-rendered="vega-embed"]').waitFor({ timeout: 60_000 });
    // drawn by vega from the extension's views chunk, fetched when the first chart was shown
    expect(await g.locator('svg .concat_0_group g.mark-symbol path').count()).toBe(Number(await kernel(p, 'd.N')));
    expect(await g.innerText()).not.toMatch(/Failed to load|javascript error/i);
    const fetched = served.filter((r) => !chunksBefore.has(r));
    expect(fetched.length).toBeGreaterThan(0);
    for (const r of served) expect(r).toMatch(/^200 /);
    await g.locator('svg').first().scrollIntoViewIfNeeded();
    const frame = await g.locator('svg .concat_0_group path.background').first().boundingBox();
    const updates = async () => Number(await g.locator('.dadalab-vegachart').getAttribute('data-updates') ?? 0);
    const before = await updates();
    await p.mouse.move(frame.x + frame.width * 0.45, frame.y + 3);
    await p.mouse.down();
    for (let t = 1; t <= 8; t++) await p.mouse.move(frame.x + frame.width * (0.45 + 0.54 * t / 8), frame.y + 3 + (frame.height * 0.6 * t) / 8);
    await p.mouse.up();
    await expect.poll(updates, { timeout: 30_000 }).toBeGreaterThan(before);
    // the brush reaches the kernel as it grows: wait for the last box (the centres follow each one)
    const boxOf = async () => kernel(p, 'JSON.stringify(dg.chart.param(\'centres\'))');
    let last = '';
    await expect.poll(async () => { const b = await boxOf(); const same = b === last; last = b; return same; }, { timeout: 30_000, interval: 500 }).toBe(true);
    const check = JSON.parse((await kernel(p, `(() => {
  const box = dg.chart.param('centres') as any;
  const inside: number[] = [];
  for (let i = 0; i < d.N; i++) {
    const r = dg.graph.logDen[i], e = dg.graph.delta[i];
    if (r >= Math.min(...box.rho) && r <= Math.max(...box.rho) && e >= Math.min(...box.delta) && e <= Math.max(...box.delta)) inside.push(i);
  }
  return JSON.stringify({ inside, centers: Array.from(dg.centers), n: dg.result.nClusters, added: Array.from((dg.result as any).addedCenters ?? []) });
})()`)).slice(1, -1));
    expect(check.inside.length).toBeGreaterThan(0);
    expect(check.centers).toEqual([...check.inside, ...check.added].sort((x: number, y: number) => x - y));
    expect(check.n).toBe(check.centers.length);
    const fills = await g.locator('svg .concat_1_group g.mark-symbol path').evaluateAll((els: Element[]) => [...new Set(els.map((e) => e.getAttribute('fill')).filter((f) => f && f !== 'none' && f !== 'transparent'))]);
    expect(fills.length).toBe(check.n);

    // ADP: drag Z down; the kernel re-merges at the slider's Z; the chart's count follows
    expect((await run(p, 'const ex = await adpExplorer(d);\nex')).status).toBe('ok');
    const a = cell(p, 2);
    await a.locator('.dadalab-vegachart[data-rendered="vega-embed"]').waitFor({ timeout: 60_000 });
    await drag(p, a.locator('.noUi-handle'), -150);
    await expect.poll(async () => Number(await a.locator('.widget-readout').first().innerText()), { timeout: 10_000 }).toBeLessThan(1.65);
    const z = Number(await a.locator('.widget-readout').first().innerText());
    await expect.poll(async () => Number(await kernel(p, 'ex.Z')), { timeout: 20_000 }).toBeCloseTo(z, 2);
    const state = JSON.parse((await kernel(p, 'JSON.stringify({ n: ex.nClusters, same: adpClustering(d.nn!, d.logDen!, d.logDenErr!, d.kstar!, { Z: ex.Z }).nClusters })')).slice(1, -1));
    expect(state.n).toBe(state.same);
    await expect.poll(() => a.locator('svg .concat_0_group g.mark-text text').evaluateAll((els: Element[]) => els.map((e) => e.textContent).join('|')), { timeout: 15_000 })
      .toMatch(new RegExp(`(^|\\|)${state.n} clusters?, `));
    await expect.poll(() => a.locator('.widget-label', { hasText: 'core points' }).innerText(), { timeout: 15_000 }).toContain(`${state.n} cluster`);
    // halo on: the kernel's result has it, the scatter greys those points; off again: none grey
    const greyed = () => a.locator('svg .concat_1_group g.mark-symbol path').evaluateAll((els: Element[]) => els.filter((e) => e.getAttribute('fill') === '#c8c8c8').length);
    expect(await greyed()).toBe(0);
    await a.locator('button', { hasText: 'halo' }).click();
    await expect.poll(() => kernel(p, 'ex.result.halo'), { timeout: 20_000 }).toBe('true');
    await expect.poll(greyed, { timeout: 15_000 }).toBeGreaterThan(0);
    const haloCount = Number(await kernel(p, 'Array.from(ex.result.clusterAssignment).filter((c) => c === -1).length'));
    expect(haloCount).toBeGreaterThan(0);
    await a.locator('button', { hasText: 'halo' }).click();
    await expect.poll(() => kernel(p, 'ex.result.halo'), { timeout: 20_000 }).toBe('false');
    await expect.poll(greyed, { timeout: 15_000 }).toBe(0);

    // layers: a click on a layer's point; the detail shows that layer's overlap row
    expect((await run(p, `const layers = [0, 1, 2].map((l) => rows.filter((_, i) => i % 2 === 0).map(([x, y]) => [x, y, Math.sin(x * (l + 1) / 5), Math.cos(y * (l + 1) / 5)]));
const profile = await layerProfile(layers, { names: ['a', 'b', 'c'], steps: ['id', 'gride', 'nextOverlap', 'clusters'], rangeMax: 16, scale: 8 });
const lx = layerExplorer(profile, { layer: 0 });
lx`)).status).toBe('ok');
    const l = cell(p, 3);
    await l.locator('.dadalab-vegachart[data-rendered="vega-embed"]').waitFor({ timeout: 60_000 });
    const lUpdates = async () => Number(await l.locator('.dadalab-vegachart').getAttribute('data-updates') ?? 0);
    const lBefore = await lUpdates();
    await l.locator('svg .concat_0_group g.mark-symbol path').nth(1).click();
    await expect.poll(lUpdates, { timeout: 30_000 }).toBeGreaterThan(lBefore);
    expect(await kernel(p, 'lx.layer + " " + lx.selected.name')).toBe("'1 b'");
    expect(await l.locator('select').inputValue()).toBe(await l.locator('select option', { hasText: 'b' }).getAttribute('value'));
    // what the detail charts draw is layer b's: its scale curve, its clusters, its overlap row (red at b itself)
    const want = JSON.parse((await kernel(p, `JSON.stringify({ ranks: lx.selected.gride!.ranks.length, n: lx.selected.clusters!.assignment.length,
  row: Array.from(profile.overlapMatrix().values.slice(3, 6)) })`)).slice(1, -1));
    const labels = (group: string, mark: string) => l.locator(`svg .${group} g.mark-${mark} path`).evaluateAll((els: Element[]) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    expect(await l.locator('svg .concat_1_concat_0_group g.mark-symbol path').count()).toBe(want.ranks);
    const sizes = (await labels('concat_1_concat_1_group', 'rect')).map((t: string) => Number(/(?:count|points): ([\d,]+)/.exec(t)![1].replace(/,/g, '')));
    expect(sizes.reduce((x: number, y: number) => x + y, 0)).toBe(want.n);
    const bars = await labels('concat_1_concat_2_group', 'rect');
    expect(bars.map((t: string) => /layer: (\w+)/.exec(t)![1])).toEqual(['a', 'b', 'c']);
    bars.forEach((t: string, m: number) => expect(Number(/χ: ([\d.]+)/.exec(t)![1])).toBeCloseTo(want.row[m], 2));
    const red = await l.locator('svg .concat_1_concat_2_group g.mark-rect path').evaluateAll((els: Element[]) => els.map((e) => e.getAttribute('fill')));
    expect(red.indexOf('#d62728')).toBe(1);
    await p.close();
  });

  it('JupyterLab 4 as shipped (no dadalab extension): the explorer\'s controls work, its chart is an error view', async () => {
    const p = await labPage();
    await p.evaluate(() => (window as any).labPage.connect());
    expect((await run(p, DATA)).status).toBe('ok');
    expect((await run(p, 'const ex = await adpExplorer(d);\nex')).status).toBe('ok');
    const a = cell(p, 1);
    await a.locator('.noUi-handle').waitFor({ timeout: 30_000 });
    await drag(p, a.locator('.noUi-handle'), -150);
    const z = Number(await a.locator('.widget-readout').first().innerText());
    expect(z).toBeLessThan(1.65);
    await expect.poll(async () => Number(await kernel(p, 'ex.Z')), { timeout: 20_000 }).toBeCloseTo(z, 2);
    const n = await kernel(p, 'ex.nClusters');
    await expect.poll(() => a.locator('.widget-label', { hasText: 'core points' }).innerText(), { timeout: 15_000 }).toContain(`${n} cluster`);
    // the chart: ipywidgets' error view, whose message names the missing view module
    expect(await a.locator('.dadalab-vegachart').count()).toBe(0);
    await a.getByText('Click to show javascript error.').click();
    await expect.poll(() => a.innerText(), { timeout: 10_000 }).toMatch(/nbextensions\/dadalab\/widgets/);
    await p.close();
  });

  it('no errors in the pages', () => {
    expect(served.length).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });
});
