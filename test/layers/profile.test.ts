import { afterAll, describe, expect, it } from 'vitest';
import { layerProfile, layerMatrix, LAYER_STEPS } from '../../lib/layers';
import { computeNeighbors } from '../../lib/neighbors';
import { twoNN } from '../../lib/id/twonn';
import { grideScalingFromTable } from '../../lib/id/gride';
import { dataOverlap, labelOverlap } from '../../lib/compare/overlap';
import { imbalancePair } from '../../lib/compare/imbalance';
import { computeKstar } from '../../lib/density/kstar';
import { densityPAk } from '../../lib/density/pak';
import { adpClustering } from '../../lib/clustering/adp';
import { adjustedRandIndex } from '../../lib/clustering/metrics';
import { Matrix } from '../../lib/matrix';
import { CancelledError, setProgressSink } from '../../lib/runtime/progress';
import { collectWarnings } from '../../lib/runtime/warnings';
import { SeededRng } from '../../lib/stats/rng';
import { toyLayers } from './helpers';

describe('layerProfile: the numbers are those of the separate estimators', () => {
  const { layers, labels } = toyLayers(300, 4);
  it('2NN, Gride at the scale, label overlap, next overlap, ADP and ARI per layer; exact imbalances with the first and last layer', async () => {
    const p = await layerProfile(layers, { labels });
    expect(p.layers).toHaveLength(4);
    expect(p.settings.steps).toEqual([...LAYER_STEPS]);
    const tables = await Promise.all(layers.map((X) => computeNeighbors(X, { maxk: 100 })));
    for (let l = 0; l < 4; l++) {
      const r = p.layers[l];
      const t = tables[l];
      expect(r.duplicates).toBe(0);
      expect(r.id2nn!.id).toBe(twoNN(t).id);
      const g = grideScalingFromTable(t, { rangeMax: 64 });
      expect(Array.from(r.gride!.ids)).toEqual(Array.from(g.ids));
      expect(r.idAtScale).toBe(g.ids[Array.from(g.ranks).indexOf(16)]);
      expect(r.labelOverlap).toBe(labelOverlap(t, labels, { k: 30 }).overlap);
      if (l < 3) expect(r.nextOverlap).toBeCloseTo(dataOverlap(t, tables[l + 1], { k: 30 }).overlap as number, 14);
      else expect(r.nextOverlap).toBeNaN();
      const id = twoNN(t).id;
      const ks = computeKstar(t, id);
      const pak = densityPAk(t, id, ks.kstar);
      const adp = adpClustering(t, pak.logDen, pak.logDenErr, ks.kstar, { Z: 1.65 });
      expect(r.clusters!.nClusters).toBe(adp.nClusters);
      expect(r.clusters!.ari).toBe(adjustedRandIndex(labels, adp.clusterAssignment));
      // Delta with the first and the last layer, both directions, against the O(N^2) reference
      const [toFirst, fromFirst] = imbalancePair(layers[l], layers[0], { k: 1 });
      const [toLast, fromLast] = imbalancePair(layers[l], layers[3], { k: 1 });
      expect(r.imbalance.to[0]).toBeCloseTo(l === 0 ? 2 / 300 : toFirst, 14);
      expect(r.imbalance.from[0]).toBeCloseTo(l === 0 ? 2 / 300 : fromFirst, 14);
      expect(r.imbalance.to[1]).toBeCloseTo(l === 3 ? 2 / 300 : toLast, 14);
      expect(r.imbalance.from[1]).toBeCloseTo(l === 3 ? 2 / 300 : fromLast, 14);
    }
    // the toy network's picture: classes separate with depth
    expect(p.layers[3].labelOverlap).toBeGreaterThan(p.layers[0].labelOverlap + 0.4);
    expect(p.layers[3].clusters!.ari).toBeGreaterThan(0.5);
    const rows = p.table();
    expect(rows.map((x) => x.layer)).toEqual(['layer 0', 'layer 1', 'layer 2', 'layer 3']);
    expect(rows[3].imbToFirst).toBe(p.layers[3].imbalance.to[0]);
    expect(p.toCSV().split('\n')[0]).toContain('imbFromLast');
    expect(p.summary()).toMatch(/layer 3 +300 +0 +10/);
  });

  it.each([200, 400])('the ranks in and of the reference layers: from the tables where they hold them, counted beyond (ties, duplicates; few and most rows counted; N = %i)', async (N) => {
    // small integers: exact ties and duplicate rows in every layer. N = 400: the workers count, and
    // each later layer's search counts the ranks of the references' neighbours in the same pass;
    // N = 200 (below the engine's small-N limit, like N above the one-pass store): the table, then
    // those ranks looked up in it and the rest counted
    const rng = new SeededRng(9);
    const unrelated = Array.from({ length: 5 }, (_, l) => {
      const D = [6, 9, 4, 12, 7][l];
      return new Matrix(Float64Array.from({ length: N * D }, (_, x) => Math.floor(rng.random() * 3) + (Math.floor(x / D) % 4 === x % D ? l : 0)), N, D);
    });
    // layers that keep most neighbourhoods: one coordinate of a few rows moved per layer (few rows beyond the tables)
    const base = Float64Array.from({ length: N * 8 }, () => Math.floor(rng.random() * 3));
    const similar = Array.from({ length: 5 }, () => {
      for (let t = 0; t < 12; t++) base[Math.floor(rng.random() * N) * 8 + Math.floor(rng.random() * 8)] += 1;
      return new Matrix(Float64Array.from(base), N, 8);
    });
    for (const layers of [unrelated, similar]) {
      for (const maxk of [3, 100]) {
        const p = await layerProfile(layers, { maxk, steps: ['imbalance'] });
        for (let l = 0; l < 5; l++) {
          for (const [q, ref] of [[0, 0], [1, 4]]) {
            const [to, from] = l === ref ? [2 / N, 2 / N] : imbalancePair(layers[l], layers[ref], { k: 1 });
            expect(p.layers[l].imbalance.to[q]).toBeCloseTo(to, 14);
            expect(p.layers[l].imbalance.from[q]).toBeCloseTo(from, 14);
          }
        }
      }
    }
  });

  it('layerMatrix under a small memory budget: the references past the tables it may keep count all their rows, the same numbers', async () => {
    const { setMemoryBudget } = await import('../../lib/runtime/memory');
    const rng = new SeededRng(10);
    const N = 300;
    const grid = Array.from({ length: 4 }, (_, l) => new Matrix(Float64Array.from({ length: N * 6 }, (_, x) => Math.floor(rng.random() * 3) + (x % 6 === l ? 1 : 0)), N, 6));
    const prev = setMemoryBudget(2.4e6); // an eighth of it holds two of the four reference tables (300 x 101 indices each)
    let m: Awaited<ReturnType<typeof layerMatrix>>;
    try {
      m = await layerMatrix(grid, { kind: 'imbalance' });
    } finally {
      setMemoryBudget(prev);
    }
    for (let a = 0; a < 4; a++) {
      for (let b = 0; b < 4; b++) expect(m.imbalance![a * 4 + b]).toBeCloseTo(a === b ? 2 / N : imbalancePair(grid[a], grid[b], { k: 1 })[0], 14);
    }
  });

  it('selected steps only; a step that is not asked is not computed', async () => {
    const p = await layerProfile(layers, { steps: ['id', 'nextOverlap'] });
    expect(p.layers[0].id2nn).not.toBeNull();
    expect(p.layers[0].gride).toBeNull();
    expect(p.layers[0].clusters).toBeNull();
    expect(p.layers[0].labelOverlap).toBeNaN();
    expect(p.layers[0].imbalance.to).toHaveLength(0);
    expect(Number.isFinite(p.layers[1].nextOverlap)).toBe(true);
  });

  it('layerMatrix: every pair, the same as the pairwise functions', async () => {
    const m = await layerMatrix(layers);
    const tables = await Promise.all(layers.map((X) => computeNeighbors(X, { maxk: 30 })));
    for (let a = 0; a < 4; a++) {
      for (let b = 0; b < 4; b++) {
        if (a === b) { expect(m.imbalance![a * 4 + b]).toBeCloseTo(2 / 300, 14); continue; }
        expect(m.imbalance![a * 4 + b]).toBeCloseTo(imbalancePair(layers[a], layers[b], { k: 1 })[0], 14);
        expect(m.overlap![a * 4 + b]).toBeCloseTo(dataOverlap(tables[a], tables[b], { k: 30 }).overlap as number, 14);
      }
    }
    expect(m.plot({ kind: 'imbalance' }).spec).toHaveProperty('mark');
  });
});

describe('layerProfile: bad input', () => {
  const { layers, labels } = toyLayers(120, 3);
  it('layers with different N name the layer and say the rows must be the same inputs', async () => {
    const short = new Matrix(layers[1].data.subarray(0, 110 * 10), 110, 10);
    await expect(layerProfile([layers[0], short, layers[2]])).rejects.toThrow(/Layer 'layer 1' has 110 rows but layer 'layer 0' has 120.*same inputs/);
  });
  it('labels of the wrong length', async () => {
    await expect(layerProfile(layers, { labels: labels.subarray(0, 100) })).rejects.toThrow(/100 labels for 120 inputs/);
  });
  it('unknown options and DADApy spellings are refused with the right name', async () => {
    await expect(layerProfile(layers, { range_max: 32 } as never)).rejects.toThrow(/range_max.*rangeMax/);
    await expect(layerProfile(layers, { steps: ['ids'] } as never)).rejects.toThrow(/Unknown step 'ids'/);
    await expect(layerProfile(layers, { k: '30' } as never)).rejects.toThrow(/k .*'30'.*string/);
  });
  it('a constant (dead) layer and a layer with NaN get a warning in their row; the rest is computed', async () => {
    const dead = new Matrix(new Float64Array(120 * 10), 120, 10);
    const nan = new Matrix(Float64Array.from(layers[1].data), 120, 10);
    nan.data[7 * 10 + 3] = NaN;
    nan.data[50 * 10] = NaN;
    const { value: p, warnings } = await collectWarnings(() => layerProfile([layers[0], dead, nan, layers[2]], { labels }));
    expect(p.layers[1].warnings.join(' ')).toMatch(/constant.*dead layer/);
    expect(p.layers[1].id2nn).toBeNull();
    expect(p.layers[2].warnings.join(' ')).toMatch(/NaN.*7, 50|rows 7, 50/);
    expect(warnings.length).toBeGreaterThan(0);
    for (const l of [0, 3]) {
      expect(Number.isFinite(p.layers[l].id2nn!.id)).toBe(true);
      expect(Number.isFinite(p.layers[l].imbalance.to[1])).toBe(true);
      expect(p.layers[l].warnings).toEqual([]);
    }
    expect(p.layers[1].nextOverlap).toBeNaN();
    expect(p.summary()).toMatch(/! layer 1: .*constant/);
  });
  it('duplicate rows are removed for the per-layer estimates, counted, and the labels stay aligned', async () => {
    const X = Float64Array.from(layers[2].data);
    for (let i = 0; i < 5; i++) X.copyWithin((100 + i) * 10, i * 10, i * 10 + 10); // rows 100..104 copy rows 0..4
    const dup = new Matrix(X, 120, 10);
    const p = await layerProfile([layers[0], dup], { labels, steps: ['id', 'labelOverlap', 'clusters'] });
    expect(p.layers[1].duplicates).toBe(5);
    expect(p.layers[1].nUnique).toBe(115);
    expect(p.layers[1].clusters!.kept).toHaveLength(115);
    expect(p.layers[1].clusters!.assignment).toHaveLength(115);
    expect(p.layers[1].warnings.join(' ')).toMatch(/5 duplicate rows removed for the per-layer estimates \(5 groups, 5 with different labels\)/);
  });
  it('an interrupt stops the profile and keeps what was computed', async () => {
    const ac = new AbortController();
    let seen = 0;
    const err = await layerProfile(layers, { signal: ac.signal, onLayer: () => { if (++seen === 2) ac.abort(); } }).catch((e) => e);
    expect(err).toBeInstanceOf(CancelledError);
    const partial = (err as { partial: { partial: boolean; layers: { id2nn: unknown }[] } }).partial;
    expect(partial.partial).toBe(true);
    expect(partial.layers.filter((l) => l.id2nn).length).toBe(2);
  });
  it('reports progress per layer', async () => {
    const seen: string[] = [];
    const prev = setProgressSink({ start: (label, total) => { seen.push(`${label}/${total}`); return { update() {}, finish() {} }; } });
    try {
      await layerProfile(layers, { steps: ['id'] });
    } finally {
      setProgressSink(prev);
    }
    expect(seen[0]).toBe('layer profile (3 layers)/3');
  });
});
