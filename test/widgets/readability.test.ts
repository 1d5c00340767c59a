/**
 * Every chart kind stays readable with many layers, many points and long names (test/widgets/
 * stressCases.ts): laid out by vega in Node exactly as the notebook's PNG is drawn (text measured in
 * the PNG's font, widgets/fonts.ts), the text boxes of the scenegraph are checked: no two tick
 * labels of an axis overlap, no two data labels or annotations overlap, nothing is cut at the
 * plot's edge or the picture's, tick labels that remain tell their values apart, no legend is
 * cut short ("…51 entries"). Log axes span the data (a factor of it, not the next powers of ten).
 *
 * To look at the charts: DADALAB_CHART_DIR=/tmp/charts npx vitest run test/widgets/readability
 * writes each one's PNG there.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stressCases, type StressCase } from './stressCases';
import { capSpec, loadVega, MAX_RASTER_POINTS, renderSvg, withoutSchema } from '../../widgets/render';
import { chartPng } from '../../widgets/png';
import { logTicks, placeLabels } from '../../widgets/axes';
import { meanAndError } from '../../lib/compare/subsets';
import type { AnySpec } from '../../widgets/chart';
import { makeDensityResult } from '../../lib/density/result';

interface TextBox { text: string; role: string; angle: number; group: string; x0: number; y0: number; x1: number; y1: number; area: { x: number; y: number; w: number; h: number } | null }

/** Every visible text item of a spec's scenegraph, in picture coordinates, with the mark role and the plot area it belongs to. */
async function textBoxes(spec: AnySpec): Promise<{ boxes: TextBox[]; width: number; height: number }> {
  const { vega, vl } = await loadVega();
  const view = new vega.View(vega.parse(vl.compile(withoutSchema(spec)).spec), { renderer: 'none' });
  await view.runAsync();
  const boxes: TextBox[] = [];
  let groups = 0;
  const walk = (mark: any, ox: number, oy: number, area: TextBox['area'], group: string) => {
    for (const item of mark.items ?? []) {
      if (mark.marktype === 'group') {
        const gx = ox + (item.x ?? 0), gy = oy + (item.y ?? 0);
        const id = `${group}/${groups++}`;
        // a plot's own group (not an axis, legend or title) sets the area its data marks must stay in
        const plot = mark.role === 'scope' || mark.role === 'cell' || mark.role === 'frame';
        for (const child of item.items ?? []) walk(child, gx, gy, plot ? { x: gx, y: gy, w: item.width ?? 0, h: item.height ?? 0 } : area, id);
      } else if (mark.marktype === 'text') {
        if (item.opacity === 0 || item.fillOpacity === 0 || item.text === '' || item.text == null) continue;
        const b = item.bounds;
        boxes.push({ text: String(item.text), role: mark.role, angle: item.angle ?? 0, group: `${group}:${mark.name ?? mark.role}`, x0: ox + b.x1, y0: oy + b.y1, x1: ox + b.x2, y1: oy + b.y2, area });
      }
    }
  };
  // picture coordinates: the SVG (and the PNG) translate the scene by the view's origin
  const [ox, oy] = view.origin();
  walk(view.scenegraph().root, ox, oy, null, 'root');
  const svg: string = await view.toSVG();
  const width = Number(/<svg[^>]* width="([\d.]+)"/.exec(svg)![1]), height = Number(/<svg[^>]* height="([\d.]+)"/.exec(svg)![1]);
  view.finalize();
  return { boxes, width, height };
}

const overlap = (a: TextBox, b: TextBox, tol = 0.5) =>
  Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0) > tol && Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0) > tol;

/**
 * Pairs of overlapping boxes. Text turned by an angle other than a multiple of 90 degrees is left
 * out: its scenegraph box is the axis-aligned box around the turned text, far larger than the text.
 */
function overlapping(all: TextBox[]): string[] {
  const boxes = all.filter((b) => b.angle % 90 === 0);
  const out: string[] = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) if (overlap(boxes[i], boxes[j])) out.push(`"${boxes[i].text}" / "${boxes[j].text}"`);
  return out;
}

const byGroup = (boxes: TextBox[]) => boxes.reduce((m, b) => m.set(b.group, [...(m.get(b.group) ?? []), b]), new Map<string, TextBox[]>());

let cases: StressCase[];
const laid = new Map<string, Awaited<ReturnType<typeof textBoxes>>>();

beforeAll(async () => {
  cases = stressCases();
  const dir = process.env.DADALAB_CHART_DIR;
  if (dir) mkdirSync(dir, { recursive: true });
  for (const c of cases) {
    // what the PNG draws (up to MAX_RASTER_POINTS rows)
    const spec = capSpec(c.chart.spec, MAX_RASTER_POINTS).spec;
    laid.set(c.name, await textBoxes(spec));
    if (dir) writeFileSync(path.join(dir, `${c.name}.png`), (await chartPng(await renderSvg(spec))).bytes);
  }
}, 600_000);

describe('every chart kind with 80 layers, 20,000 points and 40-character names', () => {
  it('covers the chart kinds, and finds their texts', () => {
    expect(cases.length).toBeGreaterThanOrEqual(35);
    for (const c of cases) {
      const roles = new Set(laid.get(c.name)!.boxes.map((b) => b.role));
      expect([...roles], c.name).toContain('title-text');
    }
    const plane = laid.get('imbalance-plane-80-layers')!.boxes;
    expect(plane.filter((b) => b.role === 'axis-label').length).toBeGreaterThan(10);
    expect(plane.filter((b) => b.role === 'mark').length).toBeGreaterThan(4);
  });

  it('no two tick labels of an axis overlap, and the ones shown tell their values apart', () => {
    const bad: string[] = [];
    for (const c of cases) {
      for (const [, boxes] of byGroup(laid.get(c.name)!.boxes.filter((b) => b.role === 'axis-label'))) {
        for (const o of overlapping(boxes)) bad.push(`${c.name}: ${o}`);
        const texts = boxes.map((b) => b.text);
        if (new Set(texts).size !== texts.length) bad.push(`${c.name}: repeated tick labels ${texts.slice(0, 4).join(' | ')} ...`);
      }
    }
    if (bad.length) console.log(bad.join("\n"));
    expect(bad).toEqual([]);
  });

  it('no two data labels or annotations overlap, and none is cut at the plot\'s edge', () => {
    const bad: string[] = [];
    for (const c of cases) {
      const marks = laid.get(c.name)!.boxes.filter((b) => b.role === 'mark');
      for (const o of overlapping(marks)) bad.push(`${c.name}: ${o}`);
      for (const b of marks) {
        const a = b.area;
        if (a && (b.x0 < a.x - 0.5 || b.y0 < a.y - 0.5 || b.x1 > a.x + a.w + 0.5 || b.y1 > a.y + a.h + 0.5)) bad.push(`${c.name}: "${b.text}" cut at the plot's edge`);
      }
    }
    if (bad.length) console.log(bad.join("\n"));
    expect(bad).toEqual([]);
  });

  it('every text lies inside the picture; data labels inside their plot', () => {
    const bad: string[] = [];
    for (const c of cases) {
      const { boxes, width, height } = laid.get(c.name)!;
      for (const b of boxes) {
        if (b.x0 < -0.5 || b.y0 < -0.5 || b.x1 > width + 0.5 || b.y1 > height + 0.5) bad.push(`${c.name}: "${b.text}" (${b.role}) outside the picture`);
      }
    }
    if (bad.length) console.log(bad.join("\n"));
    expect(bad).toEqual([]);
  });

  it('no legend is cut short, and legend labels do not overlap', () => {
    const bad: string[] = [];
    for (const c of cases) {
      const legend = laid.get(c.name)!.boxes.filter((b) => b.role === 'legend-label');
      for (const b of legend) if (/^…\d+ entries$/.test(b.text)) bad.push(`${c.name}: legend cut ("${b.text}")`);
      for (const [, boxes] of byGroup(legend)) for (const o of overlapping(boxes)) bad.push(`${c.name}: ${o}`);
    }
    if (bad.length) console.log(bad.join("\n"));
    expect(bad).toEqual([]);
  });
});

describe('log axes and error bars', () => {
  it('a log x domain spans the data within a factor 1.2 on each side (not the next powers of ten), ticks included', () => {
    for (const c of cases.filter((k) => /^gride|^twonn-decimation|^id-curve-log|^scale-curves/.test(k.name))) {
      const spec = c.chart.spec as any;
      const layers = spec.layer ?? [spec];
      const x = layers.map((l: any) => l.encoding?.x).find((e: any) => e?.scale?.type === 'log');
      expect(x, c.name).toBeDefined();
      const rows: any[] = spec.data?.values ?? layers.flatMap((l: any) => l.data?.values ?? []);
      const xs = rows.map((v) => v[x.field]).filter((v) => v > 0);
      const lo = Math.min(...xs), hi = Math.max(...xs);
      expect(x.scale.domain[0], c.name).toBeGreaterThanOrEqual(lo / 1.2);
      expect(x.scale.domain[1], c.name).toBeLessThanOrEqual(hi * 1.2);
      expect(x.scale.nice, c.name).toBe(false);
      expect(x.axis.values.length, `${c.name}: ticks`).toBeGreaterThanOrEqual(2);
      for (const t of x.axis.values) {
        expect(t, c.name).toBeGreaterThanOrEqual(x.scale.domain[0]);
        expect(t, c.name).toBeLessThanOrEqual(x.scale.domain[1]);
      }
    }
  });

  it('a narrow log range still gets at least three round ticks', () => {
    expect(logTicks(0.041 / 1.12, 0.058 * 1.12)).toEqual([0.04, 0.045, 0.05, 0.055, 0.06]);
  });

  it('one subset: the mean alone, never "± 0.000"; several: the standard error to 2 digits', () => {
    expect(meanAndError([0.4213, 0], 1)).toBe('0.421');
    expect(meanAndError([0.4213, 0.0123], 1)).toBe('0.421');
    expect(meanAndError([0.4213, 0], 3)).toBe('0.421');
    expect(meanAndError([0.4213, 0.0123], 3)).toBe('0.421 ± 0.012');
    // the same rule in the density summaries: an estimator with no errors shows none
    const none = makeDensityResult('kNN', Float64Array.from([-1, -2]), new Float64Array(2), new Float64Array(2), new Int32Array(2), 2);
    expect(none.summary()).toBe('kNN log density of 2 points at ID 2.00: mean -1.500 (range -2.00 to -1.00)');
    const some = makeDensityResult('PAk', Float64Array.from([-1, -2]), Float64Array.from([0.02, 0.04]), new Float64Array(2), new Int32Array(2), 2);
    expect(some.summary()).toContain('mean -1.500 ± 0.03 (');
  });
});

describe('label placement', () => {
  it('labels that find no free spot are marked, not piled up', () => {
    const points = Array.from({ length: 40 }, (_, i) => ({ x: 0.5 + 0.001 * i, y: 0.5, label: `a long label number ${i}` }));
    const placed = placeLabels(points, { width: 200, height: 200, xDomain: [0, 1], yDomain: [0, 1], maxDistance: 42 });
    expect(placed.filter((p) => p.fits).length).toBeGreaterThan(2);
    expect(placed.filter((p) => !p.fits).length).toBeGreaterThan(10);
  });
});
