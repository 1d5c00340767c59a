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
    expect(layers[1].data.values.map((v: any) => v.text)).toEqual(['equivalent', 'full predicts coords', 'coords predicts full', 'independent']);
    expect(() => compile(c.spec as any)).not.toThrow();
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
    expect(spec.layer[2].data.values.map((v: any) => v.label)).toEqual(['[0]', '[1]', '[2]', '[3]', '[4]', '[5]']);
    expect(() => compile(spec)).not.toThrow();
    const ov = await d.returnDataOverlap({ coordinates: X.toFloat64().selectColumns([0, 1]), k: 10 });
    expect(() => compile(ov.plot().spec as any)).not.toThrow();
  });
});
