/**
 * The widgets with the current protocol (2.1.0, ipywidgets 8) and without a kernel:
 * - live: a page running @jupyter-widgets/html-manager (the npm widget manager, on the same
 *   base-manager as JupyterLab 4's) connected through @jupyterlab/services to a real Jupyter
 *   server's dadalab kernel, in headless Chromium;
 * - a notebook run by `dadalab run`, its saved widget state drawn by the same manager with no
 *   kernel at all;
 * - its HTML report and its nbconvert HTML, with the network cut (an offline browser context that
 *   aborts any http(s) request): the explorers' static charts keep their Z slider and layer selector.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  CHROMIUM, CHROMIUM_ARGS, CLI, describeWith, DIST, missingChromium, missingJupyterServer, missingNbconvert, requireBuilt, ROOT, TEMPLATES, tempDir, spawnAsync } from '../kernel/helpers';

const cell = (source: string) => ({ cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source });
const FIG1 = path.join(ROOT, 'data', 'Fig1.dat.gz');
const VIEW = 'application/vnd.jupyter.widget-view+json';
const STATE = 'application/vnd.jupyter.widget-state+json';

/** A small notebook with the three explorers and a slider, each changed after it is shown. */
function notebook(): unknown {
  return {
    nbformat: 4, nbformat_minor: 5,
    metadata: { kernelspec: { name: 'dadalab', display_name: 'dadalab (TypeScript)', language: 'typescript' } },
    cells: [
      cell(`const { X } = loadData(${JSON.stringify(FIG1)});
const rows: number[][] = [];
for (let i = 0; i < X.rows; i += 40) rows.push([X.data[2 * i], X.data[2 * i + 1]]);
const d = new Data(rows);
await d.computeDistances({ maxk: 50 });
await d.computeDensityPAk();
d.N`),
      cell("const k = new widgets.IntSlider({ value: 3, max: 20, description: 'k' });\nconst dd = new widgets.Dropdown({ options: ['x', 'y', 'z'], value: 'y' });\nnew widgets.VBox([k, dd])"),
      cell("k.value = 7;\ndd.value = 'z';"),
      cell('const ex = await adpExplorer(d);\nex'),
      cell('await ex.setZ(2.5);\nex.nClusters'),
      cell('const dg = await decisionGraphExplorer(d);\ndg'),
      cell(`const layers = [0, 1, 2].map((l) => rows.map(([x, y]) => [x, y, Math.sin(x * (l + 1) / 5), Math.cos(y * (l + 1) / 5)]));
const profile = await layerProfile(layers, { names: ['a', 'b', 'c'], steps: ['id', 'gride', 'nextOverlap', 'clusters'], rangeMax: 16, scale: 8 });
const lx = layerExplorer(profile, { layer: 0 });
lx`),
    ],
  };
}

describeWith('widgets: protocol 2.1 in a widget-manager page, saved state, offline HTML', [missingChromium(), missingJupyterServer(), missingNbconvert()], () => {
  let dir: string;
  let server: any;
  let browser: any;
  let page: any;
  let saved: any;
  const lib = () => require(path.join(DIST, 'lib', 'index.js'));

  beforeAll(async () => {
    requireBuilt();
    dir = tempDir('dadalab-widgets-e2e-');
    writeFileSync(path.join(dir, 'explore.ipynb'), JSON.stringify(notebook()));
    const run = await spawnAsync(process.execPath, [CLI, 'run', 'explore.ipynb', '--html', 'explore.html', '--quiet'], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
    if (run.status !== 0) throw new Error(`dadalab run failed: ${run.stderr}`);
    saved = JSON.parse(readFileSync(path.join(dir, 'explore.out.ipynb'), 'utf8'));
    const conv = await spawnAsync('jupyter', ['nbconvert', '--to', 'html', `--TemplateExporter.extra_template_basedirs=${TEMPLATES}`, '--template', 'dadalab',
      '--output', 'explore.nbconvert', 'explore.out.ipynb'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    if (conv.status !== 0) throw new Error(`nbconvert failed: ${conv.stderr}`);
    // the test page: html-manager + services + our views, bundled
    const esbuild = require('esbuild');
    await esbuild.build({
      entryPoints: [path.join(__dirname, 'widgets-page', 'page.ts')], bundle: true, format: 'iife', platform: 'browser', target: 'es2020',
      outfile: path.join(dir, 'page.js'), minify: true, logLevel: 'error',
      loader: { '.css': 'empty', '.woff': 'empty', '.woff2': 'empty', '.ttf': 'empty', '.eot': 'empty', '.svg': 'empty' },
      define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
      banner: { js: 'var __webpack_public_path__ = "";' },
    });
    writeFileSync(path.join(dir, 'page.html'), '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><div id="out"></div>'
      + '<script>var s = document.createElement("script"); s.src = "page.js" + location.search; document.body.appendChild(s);</script></body></html>');
    const { JupyterServer } = require(path.join(DIST, 'kernel', 'server.js'));
    // the page is served from /files/, whose answers are sandboxed (origin null): let it reach the API
    server = await JupyterServer.start({ rootDir: dir, extraArgs: ['--ServerApp.allow_origin=*'] });
    const { chromium } = require('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  }, 600_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.stop();
  });

  /** The offline pages' browser contexts: closed before the browser. */
  const contexts: any[] = [];

  /** A page with the network cut: the browser context is offline and any http(s) request is aborted. */
  async function offlinePage(): Promise<any> {
    const context = await browser.newContext({ viewport: { width: 1300, height: 1000 }, offline: true });
    await context.route((url: URL) => /^https?:$/.test(url.protocol), (route: any) => route.abort('internetdisconnected'));
    contexts.push(context);
    return context.newPage();
  }

  async function widgetPage(): Promise<any> {
    const p = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    await p.goto(`${server.baseUrl}/files/page.html?token=${server.token}`);
    await p.waitForSelector('body[data-page-ready]', { state: 'attached', timeout: 60_000 });
    return p;
  }

  it('live, protocol 2.1: controls render, frontend changes reach the kernel and kernel changes the views', async () => {
    page = await widgetPage();
    await page.evaluate(() => (window as any).widgetPage.connect());
    const r = await page.evaluate(() => (window as any).widgetPage.execute(`const s = new widgets.IntSlider({ value: 3, max: 10, description: 'k' });
const dd = new widgets.Dropdown({ options: ['a', 'b', 'c'], value: 'b' });
const t = new widgets.ToggleButton({ description: 'on' });
const out = new widgets.Output();
new widgets.VBox([s, dd, t, out])`));
    expect(r.status).toBe('ok');
    expect(r.data[0]['text/plain']).toBe('VBox()');
    await page.waitForSelector('#out .widget-slider', { timeout: 30_000 });
    const ids = (await page.evaluate(() => (window as any).widgetPage.execute('[s.modelId, dd.modelId, t.modelId, out.modelId].join()'))).text[0].replace(/'/g, '').split(',');
    await page.evaluate(([a, b, c]: string[]) => {
      const w = (window as any).widgetPage;
      return Promise.all([w.change(a, { value: 8 }), w.change(b, { index: 2 }), w.change(c, { value: true })]);
    }, ids);
    await expect.poll(async () => (await page.evaluate(() => (window as any).widgetPage.execute('`${s.value} ${dd.value} ${t.value}`'))).text[0], { timeout: 20_000 })
      .toBe("'8 c true'");
    await page.evaluate(() => (window as any).widgetPage.execute("s.value = 2;\nawait out.append('from the kernel');"));
    await expect.poll(() => page.evaluate((id: string) => (window as any).widgetPage.state(id).then((st: any) => st.value), ids[0]), { timeout: 20_000 }).toBe(2);
    await expect.poll(() => page.locator('#out').innerText(), { timeout: 20_000 }).toContain('from the kernel');
    expect(await page.locator('#out .widget-readout').first().innerText()).toBe('2');
  });

  it('live, protocol 2.1: the ADP explorer answers a Z change from the frontend, and a layer click', async () => {
    const setup = await page.evaluate((fig1: string) => (window as any).widgetPage.execute(`const { X } = loadData(${JSON.stringify(fig1)});
const rows: number[][] = [];
for (let i = 0; i < X.rows; i += 40) rows.push([X.data[2 * i], X.data[2 * i + 1]]);
const d = new Data(rows);
await d.computeDistances({ maxk: 50 });
const ex = await adpExplorer(d);
ex`), FIG1);
    expect(setup.status).toBe('ok');
    await page.waitForSelector('#out .dadalab-vegachart[data-rendered="vega-embed"]', { timeout: 60_000 });
    const sliderId = (await page.evaluate(() => (window as any).widgetPage.execute('ex.slider.modelId'))).text[0].replace(/'/g, '');
    await page.evaluate((id: string) => (window as any).widgetPage.change(id, { value: 0.5 }), sliderId);
    await expect.poll(async () => (await page.evaluate(() => (window as any).widgetPage.execute('ex.Z'))).text[0], { timeout: 20_000 }).toBe('0.5');
    const n = Number((await page.evaluate(() => (window as any).widgetPage.execute('adpClustering(d.nn!, d.logDen!, d.logDenErr!, d.kstar!, { Z: 0.5 }).nClusters'))).text[0]);
    expect(Number((await page.evaluate(() => (window as any).widgetPage.execute('ex.nClusters'))).text[0])).toBe(n);
    await expect.poll(() => page.locator('#out .dadalab-vegachart svg g.mark-text text').evaluateAll((els: Element[]) => els.map((e) => e.textContent).join('|')), { timeout: 20_000 })
      .toMatch(new RegExp(`(^|\\|)${n} clusters?, `));
    // a click on the layer chart: the view reports its selection, the kernel selects the layer
    const lx = await page.evaluate(() => (window as any).widgetPage.execute(`const layers = [0, 1, 2].map((l) => rows.map(([x, y]) => [x, y, Math.sin(x * (l + 1) / 5), Math.cos(y * (l + 1) / 5)]));
const profile = await layerProfile(layers, { names: ['a', 'b', 'c'], steps: ['id', 'gride', 'clusters'], rangeMax: 16, scale: 8 });
const lx = layerExplorer(profile, { layer: 0 });
lx`));
    expect(lx.status).toBe('ok');
    const chart = page.locator('#out .dadalab-vegachart').last();
    await expect.poll(() => chart.getAttribute('data-rendered'), { timeout: 30_000 }).toBe('vega-embed');
    await chart.locator('svg .concat_0_group g.mark-symbol path').nth(1).click();
    await expect.poll(async () => (await page.evaluate(() => (window as any).widgetPage.execute('lx.selected.name'))).text[0], { timeout: 20_000 }).toBe("'b'");
  });

  it('a notebook saved by dadalab run keeps the standard widgets\' last state, and the explorers as their static charts', () => {
    const state = saved.metadata.widgets[STATE];
    expect([state.version_major, state.version_minor]).toEqual([2, 0]);
    const box = saved.cells[1].outputs.find((o: any) => o.data?.[VIEW]).data[VIEW].model_id;
    const children = state.state[box].state.children.map((c: string) => state.state[c.replace('IPY_MODEL_', '')]);
    expect(children.map((m: any) => [m.model_name, m.state.value ?? m.state.index])).toEqual([['IntSliderModel', 7], ['DropdownModel', 2]]);
    // the explorers need dadalab's chart view, which JupyterLab, nbviewer and nbconvert do not have: their outputs
    // keep the static chart (vega-lite with its parameters, PNG) and their models are not saved
    for (const i of [3, 5, 6]) {
      const out = saved.cells[i].outputs.find((o: any) => o.output_type === 'execute_result');
      expect(Object.keys(out.data).sort()).toEqual(['application/vnd.vegalite.v5+json', 'image/png', 'text/plain']);
    }
    expect(Object.values(state.state).filter((m: any) => m.state._view_module === 'nbextensions/dadalab/widgets')).toEqual([]);
  });

  it('the saved notebook renders without a kernel: the widgets with their last values', async () => {
    const p = await widgetPage();
    const errors: string[] = [];
    p.on('pageerror', (e: Error) => errors.push(String(e)));
    const ids = await p.evaluate((nb: unknown) => (window as any).widgetPage.renderSaved(nb), saved);
    expect(ids.length).toBe(1);
    await p.waitForSelector('.widget-readout', { timeout: 30_000 });
    expect(await p.locator('.widget-readout').first().innerText()).toBe('7');
    expect(await p.locator('select option:checked').innerText()).toBe('z');
    expect(errors).toEqual([]);
    await p.close();
  });

  it('the HTML report works offline: the ADP chart\'s Z slider re-merges, the layer selector switches layers', async () => {
    const p = await offlinePage();
    const requests: string[] = [];
    const errors: string[] = [];
    p.on('request', (r: any) => { if (/^https?:/.test(r.url())) requests.push(r.url()); });
    p.on('pageerror', (e: Error) => errors.push(String(e)));
    p.on('console', (m: any) => { if (m.type() === 'error') errors.push(m.text()); });
    await p.goto(`file://${path.join(dir, 'explore.html')}`);
    await p.waitForSelector('body[data-charts-ready="true"]', { state: 'attached', timeout: 60_000 });
    const adp = p.locator('.chart').filter({ has: p.locator('input[type="range"]') }).first();
    const countText = () => adp.locator('svg g.mark-text text').evaluateAll((els: Element[]) => els.map((e) => e.textContent).join('|'));
    // the static chart is the explorer as it was displayed (Z = 1.65; the widget state has the later Z = 2.5)
    const { Data, loadData, adpClustering } = lib();
    const { X } = loadData(FIG1);
    const rows: number[][] = [];
    for (let i = 0; i < X.rows; i += 40) rows.push([X.data[2 * i], X.data[2 * i + 1]]);
    const d = new Data(rows);
    await d.computeDistances({ maxk: 50 });
    await d.computeDensityPAk();
    const at = (Z: number) => adpClustering(d.nn, d.logDen, d.logDenErr, d.kstar, { Z }).nClusters;
    expect(await countText()).toMatch(new RegExp(`(^|\\|)${at(1.65)} clusters?, `));
    await adp.locator('input[type="range"]').evaluate((el: HTMLInputElement) => { el.value = '0.5'; el.dispatchEvent(new Event('input', { bubbles: true })); });
    await expect.poll(countText, { timeout: 10_000 }).toMatch(new RegExp(`(^|\\|)${at(0.5)} clusters?, `));
    expect(at(0.5)).not.toBe(at(1.65));
    // the halo checkbox greys the halo points of that clustering, and only with it ticked
    const greyed = () => adp.locator('svg .concat_1_group g.mark-symbol path').evaluateAll((els: Element[]) => els.filter((e) => e.getAttribute('fill') === '#c8c8c8').length);
    expect(await greyed()).toBe(0);
    await adp.locator('input[type="checkbox"]').check();
    await expect.poll(greyed, { timeout: 10_000 }).toBeGreaterThan(0);
    await adp.locator('input[type="checkbox"]').uncheck();
    await expect.poll(greyed, { timeout: 10_000 }).toBe(0);
    // the layer explorer: the selector changes the detail charts
    const layers = p.locator('.chart').filter({ has: p.locator('select') }).last();
    const detail = () => layers.locator('svg .concat_1_group path').evaluateAll((els: Element[]) => els.map((e) => e.getAttribute('d')).join(''));
    const before = await detail();
    await layers.locator('select').selectOption({ label: 'c' });
    await expect.poll(detail, { timeout: 10_000 }).not.toBe(before);
    // the overlap row drawn is layer c's: one bar per layer, c's own in red
    const bars = layers.locator('svg .concat_1_concat_2_group g.mark-rect path');
    expect((await bars.evaluateAll((els: Element[]) => els.map((e) => /layer: (\w+)/.exec(e.getAttribute('aria-label') ?? '')?.[1])))).toEqual(['a', 'b', 'c']);
    expect((await bars.evaluateAll((els: Element[]) => els.map((e) => e.getAttribute('fill')))).indexOf('#d62728')).toBe(2);
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    await p.close();
  });

  it('the nbconvert HTML (dadalab template) draws the explorers offline, with their parameters', async () => {
    const p = await offlinePage();
    const requests: string[] = [];
    p.on('request', (r: any) => { if (/^https?:/.test(r.url())) requests.push(r.url()); });
    await p.goto(`file://${path.join(dir, 'explore.nbconvert.html')}`);
    await p.waitForSelector('body[data-charts-ready="true"]', { state: 'attached', timeout: 60_000 });
    expect(await p.locator('.dadalab-vegalite[data-rendered="vega-embed"]').count()).toBe(3);
    expect(await p.locator('.dadalab-vegalite input[type="range"]').count()).toBeGreaterThanOrEqual(1);
    expect(await p.locator('.dadalab-vegalite select').count()).toBeGreaterThanOrEqual(1);
    expect(requests).toEqual([]);
    await p.close();
  });
});

