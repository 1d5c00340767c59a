/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (page.$$eval callbacks run in the browser; the library itself is type-checked without the DOM by tsconfig.build.json)
/**
 * The layer-profile charts in headless Chromium, as vega-embed draws them: every kind draws marks,
 * and with 80 layers and long layer names the axis labels that are shown never overlap while a
 * good share of the layer names is still on the axis.
 */
import { rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS, describeWith, DIST, missingChromium, requireBuilt, tempDir } from '../kernel/helpers';

describeWith('layer charts in headless Chromium', [missingChromium()], () => {
  let context: any;
  let profile: string;
  let dir: string;
  beforeAll(async () => {
    requireBuilt();
    const { chromium } = require('playwright-core');
    profile = tempDir('dadalab-chromium-');
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    dir = tempDir('dadalab-e2e-layers-');
  });
  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('every kind draws, and 80 long layer names stay readable (no overlapping labels)', async () => {
    const lib = require(path.join(DIST, 'lib', 'index.js'));
    const { vegaScripts } = require(path.join(DIST, 'kernel', 'report.js'));
    const { withoutSchema } = require(path.join(DIST, 'widgets', 'render.js'));
    // a real profile of 6 small layers, every plot kind
    const rng = new lib.SeededRng(4);
    const N = 200;
    const labels = Int32Array.from({ length: N }, (_, i) => i % 4);
    const layers = Array.from({ length: 6 }, (_, l) => lib.Matrix.fromRows(Array.from({ length: N }, (_, i) =>
      Array.from({ length: 8 }, (_, j) => rng.random() + (j === labels[i] ? 0.4 * l : 0)))));
    const p = await lib.layerProfile(layers, { labels });
    const m = await lib.layerMatrix(layers);
    const charts: [string, any][] = ['overview', 'id', 'overlap', 'imbalance', 'clusters', 'curves', 'overlapMatrix'].map((kind) => [kind, p.plot({ kind })]);
    charts.push(['imbalance matrix', m.plot({ kind: 'imbalance' })]);
    // 80 layers with long names, the charts alone
    const names = Array.from({ length: 80 }, (_, i) => `model.layers.${i}.mlp.down_proj`);
    const wave = (f: number) => names.map((_, i) => 5 + Math.sin(i / f) * 3);
    charts.push(['80 layers: overview', lib.layerOverviewChart({ names, title: 'many layers', panels: [
      { title: 'ID', yTitle: 'ID', series: [{ name: 'Gride', values: wave(9), errors: names.map(() => 0.2) }, { name: '2NN', values: wave(7) }] },
      { title: 'overlap', yTitle: 'χ', domain: [0, 1], series: [{ name: 'labels', values: wave(5).map((v) => v / 10) }] }] })]);
    charts.push(['80 layers: heatmap', lib.layerMatrixChart({ names, values: Float64Array.from({ length: 6400 }, (_, t) => (t % 81) / 81), title: 'pairs', legend: 'χ' })]);
    charts.push(['80 layers: curves', lib.layerCurvesChart({ names, title: 'curves', curves: names.map((_, l) => ({ ids: [9, 8, 7 - l / 40, 6], idsErr: [0.1, 0.1, 0.1, 0.1], ranks: [2, 4, 8, 16] })) })]);
    const specs = charts.map(([, c]) => withoutSchema(c.spec));
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (msg: any) => { if (msg.type() === 'error') errors.push(msg.text()); });
    page.on('pageerror', (e: Error) => errors.push(String(e)));
    const file = path.join(dir, 'layers.html');
    writeFileSync(file, `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
${charts.map((_, i) => `<div class="chart" id="c${i}"></div>`).join('\n')}
${vegaScripts()}
<script>
const specs = ${JSON.stringify(specs)};
Promise.all(specs.map((s, i) => vegaEmbed('#c' + i, s, { renderer: 'svg', actions: false, mode: 'vega-lite' })))
  .then(() => document.body.setAttribute('data-ready', 'true'), (e) => console.error(String(e)));
</script></body></html>`);
    await page.goto(`file://${file}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    const stats = await page.$$eval('.chart', (els: Element[]) => els.map((el) => {
      const marks = el.querySelectorAll('svg g.role-mark > path, svg g.role-mark > line, svg g.role-mark > rect, svg g.role-mark > text').length;
      // per axis: the labels drawn (opacity not 0) and whether any two of them overlap
      const axes = [...el.querySelectorAll('g.role-axis-label')].map((g) => {
        const boxes = [...g.querySelectorAll('text')]
          .filter((t) => (t.getAttribute('opacity') ?? '1') !== '0' && t.textContent)
          .map((t) => t.getBoundingClientRect());
        let overlaps = 0;
        for (let a = 0; a < boxes.length; a++) {
          for (let b = a + 1; b < boxes.length; b++) {
            const A = boxes[a], B = boxes[b];
            const w = Math.min(A.right, B.right) - Math.max(A.left, B.left), h = Math.min(A.bottom, B.bottom) - Math.max(A.top, B.top);
            if (w > 1 && h > 1) overlaps++;
          }
        }
        return { shown: boxes.length, overlaps };
      });
      return { marks, axes };
    }));
    expect(errors).toEqual([]);
    charts.forEach(([name], i) => {
      expect(stats[i].marks, name).toBeGreaterThan(0);
      for (const a of stats[i].axes) expect(a.overlaps, `${name}: overlapping axis labels`).toBe(0);
    });
    // the 80-layer charts still name a good share of the layers on their axes
    for (const i of [charts.length - 3, charts.length - 2]) {
      expect(Math.max(...stats[i].axes.map((a: { shown: number }) => a.shown)), charts[i][0]).toBeGreaterThanOrEqual(20);
    }
    await page.close();
  });
});
