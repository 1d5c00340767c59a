import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { compile } from 'vega-lite';
import { Data } from '../../lib/data';
import { loadNpy } from '../../lib/io/npy';
import { decimationChart, scaleCurveChart, twoNNFitChart, curveChart, histogramChart, idCurveChart } from '../../widgets/id/charts';

const X = loadNpy(join(__dirname, '..', '..', 'parity', 'data', 'gauss_D2_N500.npy'));

describe('intrinsic-dimension charts (vega-lite v5)', () => {
  it('the ID scale curve against radius and rank, with error bars and a log axis', () => {
    const input = { ids: [2.1, 2.0, 1.9], idsErr: [0.2, 0.1, 0.05], radii: [0.1, 0.2, 0.4], ranks: [2, 4, 8] };
    const byR = scaleCurveChart(input);
    const byRank = scaleCurveChart({ ...input, x: 'rank' });
    expect(byR.spec).toMatchSnapshot();
    expect((byRank.spec as any).layer[0].encoding.x.field).toBe('rank');
    expect((byR.spec as any).layer[0].mark.type).toBe('rule');
    expect(() => compile(byR.spec as any)).not.toThrow();
  });

  it('the TwoNN fit and the decimation curve', () => {
    const fit = twoNNFitChart({ mus: [1.1, 1.5, 1.2, 2.5, 1.05, 1.3, 1.8, 1.4, 1.25, 3.5], id: 2, muFraction: 0.9 });
    expect(fit.spec).toMatchSnapshot();
    const dec = decimationChart({ ids: [2, 2.1], idsErr: [0, 0.1], radii: [0.1, 0.2], sizes: [500, 250] });
    expect(dec.spec).toMatchSnapshot();
    for (const c of [fit, dec]) expect(() => compile(c.spec as any)).not.toThrow();
  });

  it('curves and histograms compile', () => {
    for (const c of [
      curveChart({ x: [1, 2, 3], y: [0.1, 0.5, 0.1], xTitle: 'd', yTitle: 'posterior', mark: 2 }),
      histogramChart([1, 2, 2, 3, 3, 3], { xTitle: 'local ID', bins: 3 }),
      idCurveChart({ x: [0, 1, 2], ids: [5, 2.1, 2.0], idsErr: [0, 0.1, 0.1], xTitle: 'iteration' }),
    ]) {
      expect(c.spec.$schema).toBe('https://vega.github.io/schema/vega-lite/v5.json');
      expect(() => compile(c.spec as any)).not.toThrow();
    }
  });

  it('results plot themselves (Gride, TwoNN, decimation, binomial)', async () => {
    const d = new Data(X, { rng: 1 });
    await d.computeDistances({ maxk: 32 });
    const g = await d.returnIdScalingGride({ rangeMax: 32 });
    expect(g.plot().spec).toMatchSnapshot();
    const t = await d.computeId2NN();
    const fit = t.plot().spec as any;
    expect(fit.layer[0].data.values.length).toBe(499);
    expect(fit.layer[1].data.values[1].y / fit.layer[1].data.values[1].logMu).toBeCloseTo(t.id, 4);
    expect(t.plot().title).toBe(t.summary());
    const s = await d.returnIdScaling2NN({ nMin: 100 });
    expect((s.plot().spec as any).data.values.length).toBe(3);
    const b = await d.computeIdBinomialK({ k: 10, r: 0.5 });
    expect((b.plot().spec as any).layer[1].data.values[0].x).toBeCloseTo(b.id, 4);
  });
});

describe('ID profile across layers', () => {
  it('reads every layer at one rank and overlays the scale curves', async () => {
    const { idProfile } = await import('../../lib/id/profile');
    const { uniformCube, embed } = await import('../id/helpers');
    const layers = [2, 4, 3].map((d, i) => ({ name: `L${i}`, X: embed(uniformCube(400, d, i + 1), 8, i + 10) }));
    const p = await idProfile(layers, { rangeMax: 32, rank: 8 });
    expect(p.ids.length).toBe(3);
    expect(p.ids[1]).toBeGreaterThan(p.ids[0]);
    expect(p.ids[1]).toBeGreaterThan(p.ids[2]);
    const prof = p.plot().spec as any;
    expect(prof.layer[1].encoding.x.sort).toEqual(['L0', 'L1', 'L2']);
    const curves = p.plot({ kind: 'curves', x: 'rank' });
    expect((curves.spec as any).data.values.length).toBe(15);
    expect(() => compile(curves.spec as any)).not.toThrow();
    expect(() => compile(prof)).not.toThrow();
    expect(p.summary()).toMatch(/^ID profile at n2 = 8: L0 /);
  });
});

describe('intrinsic-dimension results render as notebook bundles', () => {
  it('Gride, TwoNN and decimation results give vega-lite + PNG + text', async () => {
    const { mimeBundle } = await import('../../widgets/bundle');
    const d = new Data(X, { rng: 1 });
    await d.computeDistances({ maxk: 16 });
    for (const r of [await d.returnIdScalingGride({ rangeMax: 16 }), await d.computeId2NN(), await d.returnIdScaling2NN({ nMin: 100 })]) {
      const b = await mimeBundle(r);
      expect(Buffer.from(String(b.data['image/png']), 'base64').subarray(1, 4).toString()).toBe('PNG');
      expect(b.data['text/plain']).toBe(r.summary());
    }
  });
});

describe('readable log axes', () => {
  it('the scale curve\'s x domain is the data\'s (padded), with 1-2-5 ticks that do not collide', async () => {
    const { scaleCurveChart } = await import('../../widgets/id/charts');
    const { logTicks } = await import('../../widgets/axes');
    const radii = [0.031, 0.041, 0.056, 0.077, 0.106, 0.15, 0.22, 0.35];
    const c = scaleCurveChart({ ids: radii.map(() => 2), idsErr: radii.map(() => 0.01), radii, ranks: [2, 4, 8, 16, 32, 64, 128, 256] });
    const x = (c.spec as any).layer[1].encoding.x;
    expect(x.scale.domain[0]).toBeGreaterThan(0.031 / 1.2);
    expect(x.scale.domain[1]).toBeLessThan(0.35 * 1.2);
    expect(x.scale.nice).toBe(false);
    expect(x.axis.values).toEqual([0.03, 0.05, 0.07, 0.1, 0.2, 0.3]);
    expect(logTicks(1, 1e6)).toEqual([1, 10, 100, 1000, 10000, 100000, 1000000]);
    expect(logTicks(2, 256)).toEqual([2, 5, 10, 20, 50, 100, 200]);
  });
});
