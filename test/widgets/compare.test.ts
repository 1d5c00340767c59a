import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { compile } from 'vega-lite';
import { Data } from '../../lib/data';
import { loadNpy } from '../../lib/io/npy';
import {
  causalGraphChart, diiTrainingChart, greedyCurveChart, imbalancePlaneChart, overlapHistogramChart, overlapProfileChart,
} from '../../widgets/compare/charts';

const X = loadNpy(join(__dirname, '..', '..', 'parity', 'data', 'ii_aniso_D6_N400.npy'));

describe('comparison charts (vega-lite v5)', () => {
  it('the information-imbalance plane: diagonal, labelled regions, one point per pair', () => {
    const c = imbalancePlaneChart({ aToB: [0.16, 0.93], bToA: [0.51, 0.97], labels: ['[0]', '[5]'], nameA: 'full', nameB: 'coords' });
    expect(c.spec).toMatchSnapshot();
    const layers = (c.spec as any).layer;
    expect(layers[0].mark.strokeDash).toBeDefined();
    const regions = layers.filter((l: any) => l.mark.type === 'text' && l.mark.fontStyle === 'italic');
    expect(regions.flatMap((l: any) => l.data.values.map((v: any) => v.text)).sort()).toEqual(['coords predicts full', 'equivalent', 'full predicts coords', 'independent']);
    // region texts are aligned inwards, so none runs past an axis
    expect(regions.map((l: any) => [l.mark.align, Math.min(...l.data.values.map((v: any) => v.x))])).toEqual([['left', 0.015], ['right', 1.085]]);
    expect(() => compile(c.spec as any)).not.toThrow();
  });

  it('layer names on an axis: the part that tells them apart, the common part in the title', async () => {
    const { distinctiveNames } = await import('../../widgets/axes');
    expect(distinctiveNames(['model.encoder.layers.0.output', 'model.encoder.layers.10.output'])).toEqual({ labels: ['0', '10'], pattern: 'model.encoder.layers.*.output' });
    expect(distinctiveNames(['emb', 'l1', 'l2', 'out'])).toEqual({ labels: ['emb', 'l1', 'l2', 'out'], pattern: null });
    expect(distinctiveNames(['block1_conv', 'block12_conv'])).toEqual({ labels: ['block1', 'block12'], pattern: '*_conv' });
    expect(distinctiveNames(['a.x', 'a.y'])).toEqual({ labels: ['a.x', 'a.y'], pattern: null });
    const names = Array.from({ length: 24 }, (_, i) => `model.encoder.layers.${i}.output`);
    const c = overlapProfileChart({ overlaps: names.map((_, i) => i / 24), labels: names });
    const spec = c.spec as any;
    expect(spec.encoding.x.title).toBe('layer (model.encoder.layers.*.output)');
    expect(spec.data.values.map((v: any) => v.label)).toEqual(names.map((_, i) => String(i)));
    expect(spec.data.values[3].name).toBe(names[3]);
  });

  it('the plane places crowded labels with long names apart, inside the plot', () => {
    const n = 14;
    const names = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? `transformer.layer.${i}.attention.output` : `layer ${i}`));
    const c = imbalancePlaneChart({ aToB: names.map((_, i) => 0.12 + 0.004 * i), bToA: names.map((_, i) => 0.6 + 0.003 * (i % 4)), labels: names });
    const text = (c.spec as any).layer.at(-1);
    const rows = text.data.values;
    // the labels that fit are drawn (the first and the last always); the others are left out, and the subtitle says how many
    expect(rows.length).toBeGreaterThanOrEqual(6);
    expect(rows.map((v: any) => v.label)).toEqual(expect.arrayContaining([names[0], names[n - 1]]));
    expect((c.spec as any).title.subtitle).toBe(`${n - rows.length} of ${n} labels left out where they would overlap`);
    // every point keeps its full name for the tooltip
    expect((c.spec as any).layer.find((l: any) => l.mark.type === 'point').data.values.map((v: any) => v.label)).toEqual(names);
    expect(rows.every((v: any) => v.text.length <= 24)).toBe(true);
    const px = (v: number) => (v / 1.1) * 300;
    const boxes = rows.map((v: any) => {
      const w = v.text.length * 10 * 0.56;
      return { x0: px(v.lx) - w / 2, x1: px(v.lx) + w / 2, y0: 300 - px(v.ly) - 5, y1: 300 - px(v.ly) + 5 };
    });
    for (const b of boxes) {
      expect(b.x0).toBeGreaterThanOrEqual(-0.5);
      expect(b.x1).toBeLessThanOrEqual(300.5);
    }
    for (let i = 0; i < rows.length; i++) {
      for (let j = i + 1; j < rows.length; j++) {
        const a = boxes[i], b = boxes[j];
        const ov = Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0)) * Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0));
        expect(ov, `${rows[i].label} / ${rows[j].label}`).toBe(0);
      }
    }
    // labels moved away from their points get a leader line
    expect((c.spec as any).layer.some((l: any) => l.mark.type === 'rule')).toBe(true);
  });

  it('the greedy curve, overlap profile and histogram, DII training curves, causal graph', () => {
    const charts = [
      greedyCurveChart({ tuples: [[0], [0, 1], [0, 1, 2]], imbalances: [[0.163, 0.508], [0.042, 0.207], [0.014, 0.046]] }),
      overlapProfileChart({ overlaps: [0.9, 0.6, 0.4, 0.5], labels: ['emb', 'l1', 'l2', 'out'] }),
      overlapHistogramChart({ overlaps: [0.1, 0.2, 0.2, 0.3], k: 10 }),
      diiTrainingChart({ weights: [[0.1, 0.1], [0.12, 0.08], [0.14, 0.03]], imbalances: [0.5, 0.3, 0.2] }),
      causalGraphChart({ adjacency: [[0, 1, 0], [0, 0, 1], [0, 0, 0]], strengths: [[0, 0.2, 0], [0, 0, 0.15], [0, 0, 0]], names: ['A', 'B', 'C'] }),
    ];
    for (const c of charts) {
      expect(c.spec).toMatchSnapshot();
      expect(c.spec.$schema).toBe('https://vega.github.io/schema/vega-lite/v5.json');
      expect(() => compile(c.spec as any)).not.toThrow();
    }
    const graph = charts[4].spec as any;
    expect(graph.layer[0].data.values.map((e: any) => `${e.source}->${e.target}`)).toEqual(['A->B', 'B->C']);
  });

  it('results plot themselves', async () => {
    const d = new Data(X, { maxk: 399 });
    const all = await d.returnInfImbFullAllCoords();
    const spec = all.plot().spec as any;
    expect(spec.layer.find((l: any) => l.mark.type === 'point').data.values.map((v: any) => v.label)).toEqual(['[0]', '[1]', '[2]', '[3]', '[4]', '[5]']);
    expect(() => compile(spec)).not.toThrow();
    const ov = await d.returnDataOverlap({ coordinates: X.toFloat64().selectColumns([0, 1]), k: 10 });
    expect(() => compile(ov.plot().spec as any)).not.toThrow();
  });
});
