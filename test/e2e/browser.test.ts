/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (page.$$eval callbacks run in the browser; the library itself is type-checked without the DOM by tsconfig.build.json)
/**
 * Headless Chromium (Debian's, driven by playwright-core) opens what users open: the HTML report of
 * `dadalab run`, the nbconvert HTML of an executed notebook, and every chart our results draw,
 * embedded with vega-embed. Every chart must draw marks, with no console error and no network.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  CHROMIUM, CHROMIUM_ARGS, CLI, describeWith, DIST, missingChromium, missingNbconvert, requireBuilt, ROOT, TEMPLATES, tempDir, spawnAsync } from '../kernel/helpers';

interface PageReport {
  errors: string[];
  requests: string[];
}

describeWith('HTML in headless Chromium', [missingChromium(), missingNbconvert()], () => {
  let context: any;
  let profile: string;
  let dir: string;

  beforeAll(async () => {
    requireBuilt();
    const { chromium } = require('playwright-core');
    profile = tempDir('dadalab-chromium-');
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    dir = tempDir('dadalab-e2e-');
    // A small notebook with a result chart, a plain chart and text, run by the embedded runner.
    const nb = {
      nbformat: 4, nbformat_minor: 5,
      metadata: { kernelspec: { name: 'dadalab', display_name: 'dadalab (TypeScript)', language: 'typescript' } },
      cells: [
        { cell_type: 'markdown', metadata: {}, source: '# Browser check\n\nA *report* with `charts`.' },
        { cell_type: 'code', metadata: {}, outputs: [], execution_count: null,
          source: `const pts = Array.from({ length: 400 }, (_, i) => [Math.cos(i * 0.7) * (1 + (i % 5) / 10), Math.sin(i * 0.7) * (1 + (i % 5) / 10), (i % 13) / 13]);
const data = new Data(pts);
await data.computeDistances({ maxk: 40 });
data.N` },
        { cell_type: 'code', metadata: {}, outputs: [], execution_count: null,
          source: "chart({ data: { values: pts.map(([x, y]) => ({ x, y })) }, mark: 'point', encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } }, 'points')" },
        { cell_type: 'code', metadata: {}, outputs: [], execution_count: null,
          source: "chart({ data: { values: [{ a: 'A', b: 2 }, { a: 'B', b: 4 }, { a: 'C', b: 3 }] }, mark: 'bar', encoding: { x: { field: 'a', type: 'nominal' }, y: { field: 'b', type: 'quantitative' } } }, 'bars')" },
      ],
    };
    writeFileSync(path.join(dir, 'check.ipynb'), JSON.stringify(nb));
    const r = await spawnAsync(process.execPath, [CLI, 'run', 'check.ipynb', '--html', 'check.html', '--quiet'], { cwd: dir, encoding: 'utf8', timeout: 180_000 });
    if (r.status !== 0) throw new Error(`dadalab run failed: ${r.stderr}`);
    const h = await spawnAsync('jupyter', ['nbconvert', '--to', 'html', `--TemplateExporter.extra_template_basedirs=${TEMPLATES}`,
      '--template', 'dadalab', '--output', 'check.nbconvert', 'check.out.ipynb'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    if (h.status !== 0) throw new Error(`nbconvert failed: ${h.stderr}`);
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  async function open(file: string): Promise<{ page: any; report: PageReport }> {
    const page = await context.newPage();
    const report: PageReport = { errors: [], requests: [] };
    page.on('console', (m: any) => { if (m.type() === 'error') report.errors.push(m.text()); });
    page.on('pageerror', (e: Error) => report.errors.push(String(e)));
    page.on('request', (req: any) => { if (/^https?:/.test(req.url())) report.requests.push(req.url()); });
    // a 2 MB page of inlined vega takes a while to load on a busy machine
    await page.goto(`file://${file}`, { timeout: 120_000 });
    return { page, report };
  }

  /** Each image's natural width and its count of non-white pixels (drawn on white). */
  const inkOfImages = (page: any, selector: string): Promise<Array<{ w: number; ink: number }>> => page.$$eval(selector,
    async (imgs: HTMLImageElement[]) => Promise.all(imgs.map(async (img) => {
      if (!img.complete) await new Promise((r) => { img.onload = r; img.onerror = r; });
      const c = document.createElement('canvas');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const g = c.getContext('2d')!;
      g.fillStyle = '#fff';
      g.fillRect(0, 0, c.width, c.height);
      g.drawImage(img, 0, 0);
      const px = g.getImageData(0, 0, c.width, c.height).data;
      let ink = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i] < 200 || px[i + 1] < 200 || px[i + 2] < 200) ink++;
      return { w: img.naturalWidth, ink };
    })));

  /** Data marks drawn by vega in each chart container (axis, legend and title parts excluded). */
  const countMarks = (page: any, selector: string): Promise<number[]> => page.$$eval(selector,
    (els: Element[]) => els.map((el) => el.querySelectorAll('svg g.role-mark > path, svg g.role-mark > line, svg g.role-mark > rect, svg g.role-mark > text').length));

  it('the report draws every chart with vega-embed, offline, with no console error', async () => {
    const { page, report } = await open(path.join(dir, 'check.html'));
    await page.waitForSelector('body[data-charts-ready="true"]', { timeout: 30_000 });
    const rendered = await page.$$eval('.chart', (els: Element[]) => els.map((e) => e.getAttribute('data-rendered')));
    expect(rendered).toEqual(['vega-embed', 'vega-embed']);
    const marks = await countMarks(page, '.chart');
    expect(marks[0]).toBe(400);
    expect(marks[1]).toBe(3);
    expect(report.errors).toEqual([]);
    expect(report.requests).toEqual([]);
    await page.close();
  });

  it('the report shows the PNG fallback where scripts do not run', async () => {
    const page = await context.newPage();
    const html = readFileSync(path.join(dir, 'check.html'), 'utf8').replace(/<script>[\s\S]*?<\/script>/g, '');
    const noScript = path.join(dir, 'noscript.html');
    writeFileSync(noScript, html);
    await page.goto(`file://${noScript}`);
    const inked = await inkOfImages(page, '.chart img');
    expect(inked.length).toBe(2);
    for (const { w, ink } of inked) {
      expect(w).toBeGreaterThan(50);
      expect(ink).toBeGreaterThan(500);
    }
    await page.close();
  });

  it('the nbconvert HTML of the dadalab template draws the charts with vega-embed, offline, with no console error', async () => {
    const { page, report } = await open(path.join(dir, 'check.nbconvert.html'));
    await page.waitForSelector('body[data-charts-ready="true"]', { timeout: 30_000 });
    const rendered = await page.$$eval('.dadalab-vegalite', (els: Element[]) => els.map((e) => e.getAttribute('data-rendered')));
    expect(rendered).toEqual(['vega-embed', 'vega-embed']);
    expect(await countMarks(page, '.dadalab-vegalite')).toEqual([400, 3]);
    // the PNG underneath is a real picture (shown where scripts do not run)
    const inked = await inkOfImages(page, '.jp-OutputArea-output img');
    expect(inked.length).toBe(2);
    for (const { w, ink } of inked) {
      expect(w).toBeGreaterThan(50);
      expect(ink).toBeGreaterThan(500);
    }
    expect(report.errors).toEqual([]);
    expect(report.requests).toEqual([]);
    await page.close();
  });

  it('every chart our results draw renders with vega-embed', async () => {
    const lib = require(path.join(DIST, 'lib', 'index.js'));
    const { vegaScripts } = require(path.join(DIST, 'kernel', 'report.js'));
    const { withoutSchema } = require(path.join(DIST, 'widgets', 'render.js'));
    const { X } = lib.loadData(path.join(ROOT, 'data', 'Fig1.dat.gz'));
    const rows: number[][] = [];
    for (let i = 0; i < X.rows; i += 40) rows.push([X.data[i * 2], X.data[i * 2 + 1]]);
    const truth = lib.loadLabels(path.join(ROOT, 'data', 'gt_F1.txt.gz'));
    const labels = rows.map((_, i) => truth[i * 40]);
    const data = new lib.Data(rows);
    const has = (m: string) => typeof data[m] === 'function';
    const makers: Array<[string, string, () => Promise<any>]> = [
      ['twoNN', 'computeId2NN', async () => (await data.computeId2NN()).plot()],
      ['twoNN decimation', 'returnIdScaling2NN', async () => (await data.returnIdScaling2NN()).plot()],
      ['gride', 'returnIdScalingGride', async () => (await data.returnIdScalingGride({ rangeMax: 64 })).plot()],
      ['binomial', 'computeIdBinomialK', async () => (await data.computeIdBinomialK({ k: 20, r: 0.5 })).plot()],
      ['kstar binomial', 'returnIdsKstarBinomial', async () => (await data.returnIdsKstarBinomial()).plot()],
      ['PAk density', 'computeDensityPAk', async () => (await data.computeDensityPAk()).plot()],
      ['kNN density', 'computeDensityKNN', async () => (await data.computeDensityKNN({ k: 10 })).plot()],
      ['kstarNN density', 'computeDensityKstarNN', async () => (await data.computeDensityKstarNN()).plot()],
      ['decision graph', 'computeDecGraph', async () => (await data.computeDecGraph()).plot()],
      ['DP clustering', 'computeClusteringDP', async () => (await data.computeClusteringDP()).plot()],
      ['k-peaks clustering', 'computeClusteringKpeaks', async () => (await data.computeClusteringKpeaks()).plot()],
      ['ADP dendrogram', 'computeClusteringADP', async () => (await data.computeClusteringADP({ Z: 1.5 })).plot()],
      ['ADP matrix', 'computeClusteringADP', async () => (await data.computeClusteringADP({ Z: 1.5 })).plot({ kind: 'matrix' })],
      ['ADP scatter', 'computeClusteringADP', async () => (await data.computeClusteringADP({ Z: 1.5 })).plot({ kind: 'scatter', coordinates: rows })],
      ['imbalance plane', 'returnInfImbFullAllCoords', async () => (await data.returnInfImbFullAllCoords()).plot()],
      ['imbalance matrix', 'returnInfImbMatrixOfCoords', async () => (await data.returnInfImbMatrixOfCoords()).plot()],
      ['greedy selection', 'greedyFeatureSelectionFull', async () => (await data.greedyFeatureSelectionFull({ nCoords: 2 })).plot()],
      ['information imbalance', 'returnInformationImbalance',
        async () => (await data.returnInformationImbalance({ coordinates: rows.map(([a, b]) => [a * a, b]), subsetSize: 200, repeats: 2 })).plot()],
      ['label overlap', 'returnLabelOverlap', async () => (await data.returnLabelOverlap({ labels, k: 5 })).plot()],
      ['data overlap', 'returnDataOverlap', async () => (await data.returnDataOverlap({ coordinates: rows.map(([a, b]) => [a + b, a - b]), k: 5 })).plot()],
    ];
    // every estimator has landed: a missing method is a failure, not a chart quietly left out
    expect(makers.filter(([, method]) => !has(method)).map(([name]) => name)).toEqual([]);
    const charts: Array<[string, any]> = [];
    for (const [name, , make] of makers) charts.push([name, await make()]);
    const specs = charts.map(([, c]) => withoutSchema(c.spec));
    const page = `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
${charts.map((_, i) => `<div class="chart" id="c${i}"></div>`).join('\n')}
${vegaScripts()}
<script>
const specs = ${JSON.stringify(specs)};
Promise.all(specs.map((s, i) => vegaEmbed('#c' + i, s, { renderer: 'svg', actions: false, mode: 'vega-lite' })))
  .then(() => document.body.setAttribute('data-ready', 'true'), (e) => console.error(String(e)));
</script></body></html>`;
    const file = path.join(dir, 'widgets.html');
    writeFileSync(file, page);
    const { page: p, report } = await open(file);
    await p.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    const marks = await countMarks(p, '.chart');
    const empty = charts.filter((_, i) => !(marks[i] > 0)).map(([name]) => name);
    expect(empty).toEqual([]);
    expect(report.errors).toEqual([]);
    await p.close();
  });
});
