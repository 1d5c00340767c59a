/**
 * The widgets in Debian's classic Notebook (6.4, with ipywidgets 6's extension: widget protocol
 * version 1), in headless Chromium, driven as a person would: drag a slider, click a button,
 * drag a box on the decision graph, move ADP's Z slider, click a layer. Each time the kernel's
 * side is read back (a request from the page, as a cell would run) and checked against what the
 * page shows.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS, describeWith, missingChromium, requireBuilt, ROOT, tempDir } from '../kernel/helpers';
import { ClassicNotebook, kernelText, missingClassicNotebook } from './notebookServer';

const cell = (source: string) => ({ cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source });
const FIG1 = path.join(ROOT, 'data', 'Fig1.dat.gz');

describeWith('widgets in the classic Notebook (widget protocol 1)', [missingChromium(), missingClassicNotebook()], () => {
  let server: ClassicNotebook;
  let browser: any;
  let page: any;
  const errors: string[] = [];

  beforeAll(async () => {
    requireBuilt();
    const dir = tempDir('dadalab-classic-');
    const nb = {
      nbformat: 4, nbformat_minor: 5,
      metadata: { kernelspec: { name: 'dadalab', display_name: 'dadalab (TypeScript)', language: 'typescript' } },
      cells: [
        cell(`const { X } = loadData(${JSON.stringify(FIG1)});
const rows: number[][] = [];
for (let i = 0; i < X.rows; i += 20) rows.push([X.data[2 * i], X.data[2 * i + 1]]);
const d = new Data(rows);
await d.computeDistances({ maxk: 60 });
await d.computeDensityPAk();
d.N`),
        cell(`const s = new widgets.IntSlider({ value: 10, min: 0, max: 100, description: 'k' });
const out = new widgets.Output();
const b = new widgets.Button({ description: 'add' });
let clicks = 0;
b.onClick(async () => { clicks++; await out.append(\`clicked at k = \${s.value}\`); });
const dd = new widgets.Dropdown({ options: ['red', 'green', 'blue'], value: 'green', description: 'colour' });
new widgets.VBox([s, new widgets.HBox([b, dd]), out])`),
        cell('const dg = await decisionGraphExplorer(d);\ndg'),
        cell('const ex = await adpExplorer(d);\nex'),
        cell(`const layers = [0, 1, 2].map((l) => rows.filter((_, i) => i % 2 === 0).map(([x, y]) => [x, y, Math.sin(x * (l + 1) / 5), Math.cos(y * (l + 1) / 5)]));
const profile = await layerProfile(layers, { names: ['a', 'b', 'c'], steps: ['id', 'gride', 'nextOverlap', 'clusters'], rangeMax: 16, scale: 8 });
const lx = layerExplorer(profile, { layer: 0 });
lx`),
      ],
    };
    writeFileSync(path.join(dir, 'widgets.ipynb'), JSON.stringify(nb));
    server = await ClassicNotebook.start(dir);
    const { chromium } = require('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
    page.on('pageerror', (e: Error) => errors.push(String(e)));
    page.on('console', (m: any) => {
      // Debian's widget extension carries a truncated data: URL ("data:image/gif;base64,R0lGO...") in its CSS
      if (m.type() === 'error' && !String(m.location()?.url ?? '').startsWith('data:image/gif;base64,R0lGO...')) errors.push(m.text());
    });
    await page.goto(server.url('widgets.ipynb'));
    await page.waitForFunction(() => (window as any).Jupyter?.notebook?.kernel?.is_connected?.(), null, { timeout: 120_000 });
    // the frontend announces protocol 1 on connect; then every cell runs
    await page.waitForFunction(() => (window as any).Jupyter.notebook.kernel.info_reply?.status === 'ok', null, { timeout: 120_000 });
    await page.evaluate(() => (window as any).Jupyter.notebook.execute_all_cells());
    await page.waitForFunction(() => document.querySelectorAll('.dadalab-vegachart[data-rendered="vega-embed"]').length === 3, null, { timeout: 240_000 });
  }, 360_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** The widget area of the n-th code cell. */
  const area = (n: number) => page.locator('.cell.code_cell').nth(n).locator('.widget-area');

  async function drag(locator: any, dx: number, dy = 0): Promise<void> {
    await locator.scrollIntoViewIfNeeded();
    const box = await locator.boundingBox();
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    await page.mouse.move(x, y);
    await page.mouse.down();
    for (let t = 1; t <= 8; t++) await page.mouse.move(x + (dx * t) / 8, y + (dy * t) / 8);
    await page.mouse.up();
  }

  /** Waits until the chart of a widget area has taken `n` data updates from the kernel. */
  async function updates(cellIndex: number): Promise<number> {
    return Number(await area(cellIndex).locator('.dadalab-vegachart').getAttribute('data-updates') ?? 0);
  }
  async function waitForUpdate(cellIndex: number, before: number): Promise<void> {
    await page.waitForFunction(({ i, before }: { i: number; before: number }) => {
      const el = document.querySelectorAll('.cell.code_cell')[i].querySelector('.dadalab-vegachart');
      return Number(el?.getAttribute('data-updates') ?? 0) > before;
    }, { i: cellIndex, before }, { timeout: 30_000 });
  }

  it('the kernel speaks protocol 1 to this frontend, which validated the version', async () => {
    expect(await kernelText(page, 'JSON.stringify(widgets.widgetFrontend())')).toBe('\'{"protocol":1,"frontendVersion":"2.1.4","validated":true}\'');
  });

  it('standard controls: a dragged slider, a clicked button, a chosen option reach the kernel; the Output shows what it appended', async () => {
    const a = area(1);
    await drag(a.locator('.ui-slider-handle'), 60);
    await page.waitForTimeout(500);
    const shown = Number(await a.locator('.widget-readout').first().innerText());
    expect(shown).toBeGreaterThan(10);
    expect(await kernelText(page, 's.value')).toBe(String(shown));
    await a.locator('button', { hasText: 'add' }).click();
    await page.waitForFunction(() => /clicked at k = \d+/.test(document.querySelectorAll('.cell.code_cell')[1].querySelector('.widget-area')!.textContent ?? ''), null, { timeout: 30_000 });
    expect(await kernelText(page, 'clicks')).toBe('1');
    expect(await a.innerText()).toContain(`clicked at k = ${shown}`);
    await a.locator('select').selectOption('blue');
    await page.waitForTimeout(500);
    expect(await kernelText(page, '`${dd.value} ${dd.index}`')).toBe("'blue 2'");
  });

  it('decision graph: a box dragged over the top of the graph makes those points the centres; DP is recomputed and the scatter recolours', async () => {
    const a = area(2);
    await a.locator('svg').first().scrollIntoViewIfNeeded();
    const frame = await a.locator('svg .concat_0_group path.background').first().boundingBox();
    const before = await updates(2);
    // from the right part of the top edge, down to the middle: the points of large delta and density
    await page.mouse.move(frame.x + frame.width * 0.45, frame.y + 3);
    await page.mouse.down();
    for (let t = 1; t <= 8; t++) await page.mouse.move(frame.x + frame.width * (0.45 + 0.54 * t / 8), frame.y + 3 + (frame.height * 0.6 * t) / 8);
    await page.mouse.up();
    await waitForUpdate(2, before);
    // the brush reaches the kernel as it grows: wait for the last box (the centres follow each one)
    let last = '';
    await expect.poll(async () => { const b = await kernelText(page, 'JSON.stringify(dg.chart.param(\'centres\'))'); const same = b === last; last = b; return same; }, { timeout: 30_000, interval: 500 }).toBe(true);
    const check = JSON.parse((await kernelText(page, `(() => {
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
    // the scatter: one colour per cluster
    const fills = await a.locator('svg .concat_1_group g.mark-symbol path').evaluateAll((els: Element[]) => [...new Set(els.map((e) => e.getAttribute('fill')).filter((f) => f && f !== 'none' && f !== 'transparent'))]);
    expect(fills.length).toBe(check.n);
    expect(await a.innerText()).toContain(`${check.n} cluster`);
  });

  it('ADP: moving Z re-merges the peaks in the kernel; the count, the dendrogram and the scatter follow', async () => {
    const a = area(3);
    const n0 = Number(await kernelText(page, 'ex.nClusters'));
    await drag(a.locator('.ui-slider-handle'), -120);
    const z = Number(await a.locator('.widget-readout').first().innerText());
    expect(z).toBeLessThan(1.65);
    // the kernel has the slider's value (the chart's data change only if the clustering does)
    await expect.poll(async () => Number(await kernelText(page, 'ex.Z')), { timeout: 30_000 }).toBeCloseTo(z, 2);
    await page.waitForTimeout(500);
    const state = JSON.parse((await kernelText(page, 'JSON.stringify({ Z: ex.Z, n: ex.nClusters, same: adpClustering(d.nn!, d.logDen!, d.logDenErr!, d.kstar!, { Z: ex.Z }).nClusters })')).slice(1, -1));
    expect(state.Z).toBeCloseTo(z, 2);
    expect(state.n).toBe(state.same);
    expect(state.n).toBeGreaterThanOrEqual(n0);
    expect(await a.innerText()).toContain(`${state.n} cluster`);
    // the chart's own count (a text mark drawn from the kernel's data)
    await expect.poll(() => a.locator('svg .concat_0_group g.mark-text text').evaluateAll((els: Element[]) => els.map((e) => e.textContent).join('|')), { timeout: 15_000 })
      .toMatch(new RegExp(`(^|\\|)${state.n} clusters?, `));
    // the halo toggle: the kernel's result carries the halo, the scatter greys those points
    await a.locator('button', { hasText: 'halo' }).click();
    await expect.poll(() => kernelText(page, 'ex.result.halo'), { timeout: 20_000 }).toBe('true');
    const greyed = () => a.locator('svg .concat_1_group g.mark-symbol path').evaluateAll((els: Element[]) => els.filter((e) => e.getAttribute('fill') === '#c8c8c8').length);
    await expect.poll(greyed, { timeout: 15_000 }).toBeGreaterThan(0);
    // the dendrogram has one leaf per cluster
    expect(await a.locator('svg .concat_0_group path.mark-symbol, svg .concat_0_group g.mark-symbol path').count()).toBeGreaterThanOrEqual(state.n);
  });

  it('layer explorer: clicking a layer selects it in the kernel and shows its rows', async () => {
    const a = area(4);
    const before = await updates(4);
    const points = a.locator('svg .concat_0_group g.mark-symbol path');
    expect(await points.count()).toBe(3);
    await points.nth(2).click();
    await waitForUpdate(4, before);
    expect(await kernelText(page, 'lx.layer + " " + lx.selected.name')).toBe("'2 c'");
    expect(await a.locator('select').inputValue()).toBe(await a.locator('select option', { hasText: 'c' }).getAttribute('value'));
  });

  it('no errors in the page', () => {
    expect(errors).toEqual([]);
  });
});
