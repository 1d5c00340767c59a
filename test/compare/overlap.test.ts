import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Data } from '../../lib/data';
import { Matrix } from '../../lib/matrix';
import { computeNeighborsSync } from '../../lib/neighbors';
import { loadNpy, loadNpyVector } from '../../lib/io';
import { SeededRng } from '../../lib/stats/rng';
import { DadalabError } from '../../lib/errors';
import { dataOverlap, labelOverlap, overlapProfile } from '../../lib/compare';

const DATA = join(__dirname, '../../parity/data');

function blobs(n: number, sep: number, seed: number): { X: Matrix; labels: Float64Array } {
  const rng = new SeededRng(seed);
  const X = new Float64Array(n * 2), labels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i < n / 2 ? 0 : 1;
    X[2 * i] = (rng.random() - 0.5) + (labels[i] ? sep : -sep);
    X[2 * i + 1] = rng.random() - 0.5;
  }
  return { X: new Matrix(X, n, 2), labels };
}

describe('neighbourhood overlaps', () => {
  it('a space overlaps fully with itself and with a rescaled copy, little with noise', async () => {
    const X = loadNpy(join(DATA, 'blobs5_D10_N2000.npy')).toFloat64();
    const d = new Data(X);
    const self = await d.returnDataOverlap({ coordinates: X, k: 10 });
    expect(self.overlap).toBe(1);
    const scaled = new Matrix(X.data.map((v) => 3 * v), X.rows, X.cols);
    expect((await d.returnDataOverlap({ coordinates: scaled, k: 10 })).overlap).toBe(1);
    const rng = new SeededRng(3);
    const noise = new Matrix(Float64Array.from({ length: 2000 * 3 }, () => rng.random()), 2000, 3);
    const r = await d.returnDataOverlap({ coordinates: noise, k: 30, avg: false });
    expect(r.mean).toBeLessThan(0.05); // chance level is k / N = 0.015
    expect((r.overlap as Float64Array).length).toBe(2000);
    expect(r.summary()).toMatch(/overlap/);
  });

  it('takes neighbour indices of the other space directly', async () => {
    const X = loadNpy(join(DATA, 'blobs5_D10_N2000.npy')).toFloat64();
    const Y = X.selectColumns([0, 1, 2, 3, 4]);
    const d = new Data(X);
    await d.computeDistances({ maxk: 30 });
    const tY = computeNeighborsSync(Y, { maxk: 30 });
    const a = await d.returnDataOverlap({ distIndices: tY, k: 30 });
    const b = await d.returnDataOverlap({ coordinates: Y, k: 30 });
    expect(a.overlap).toBe(b.overlap);
    expect(dataOverlap(d.nn!, tY, { k: 30 }).overlap).toBe(b.overlap);
  });

  it('label overlap: 1 for separated classes, lower when classes mix; class fraction and weighting', async () => {
    const { X, labels } = blobs(200, 3, 1);
    const d = new Data(X);
    expect((await d.returnLabelOverlap({ labels, k: 5 })).overlap).toBe(1);
    const mixed = blobs(200, 0.1, 1);
    const m = await new Data(mixed.X).returnLabelOverlap({ labels: mixed.labels, k: 10 });
    expect(m.overlap as number).toBeLessThan(0.8);
    // unbalanced classes: class 1 has 150 points, class 0 has 50 and is spread inside class 1
    const rng = new SeededRng(2);
    const U = new Float64Array(400), lu = new Float64Array(200);
    for (let i = 0; i < 200; i++) { lu[i] = i < 50 ? 0 : 1; U[2 * i] = rng.random(); U[2 * i + 1] = rng.random(); }
    const du = new Data(new Matrix(U, 200, 2));
    const w = (await du.returnLabelOverlap({ labels: lu, k: 10, weighted: true })).overlap as number;
    const uw = (await du.returnLabelOverlap({ labels: lu, k: 10, weighted: false })).overlap as number;
    // the plain mean is dominated by the big class; the weighted one averages the two class means
    expect(uw).toBeGreaterThan(w);
    const per = (await du.returnLabelOverlap({ labels: lu, k: 10, avg: false })).overlap as Float64Array;
    let c0 = 0, c1 = 0;
    for (let i = 0; i < 200; i++) (i < 50 ? (c0 += per[i] / 50) : (c1 += per[i] / 150));
    expect(w).toBeCloseTo((c0 + c1) / 2, 12);
    const names = Array.from(lu, (v) => (v ? 'dog' : 'cat'));
    expect((await du.returnLabelOverlap({ labels: names, k: 10 })).overlap).toBe(w);
    const cf = await du.returnLabelOverlap({ labels: lu, classFraction: 0.1 });
    expect(cf.k).toBe(15); // int(150 * 0.1)
  });

  it('matches the labels of the Fig1-free blobs fixture through the functional core', () => {
    const X = loadNpy(join(DATA, 'blobs5_D10_N2000.npy')).toFloat64();
    const labels = loadNpyVector(join(DATA, 'blobs5_D10_N2000_labels.npy'));
    const t = computeNeighborsSync(X, { maxk: 10 });
    expect(labelOverlap(t, labels, { k: 10 }).overlap).toBe(1);
  });

  it('overlap profile across layers: with the previous layer and with the labels', async () => {
    const X = loadNpy(join(DATA, 'blobs5_D10_N2000.npy')).toFloat64().selectRows(Int32Array.from({ length: 500 }, (_, i) => i));
    const labels = loadNpyVector(join(DATA, 'blobs5_D10_N2000_labels.npy')).slice(0, 500) as ArrayLike<number>;
    const rng = new SeededRng(4);
    const noisy = new Matrix(X.data.map((v) => v + 0.05 * (rng.random() - 0.5)), 500, 10);
    const random = new Matrix(Float64Array.from({ length: 500 * 4 }, () => rng.random()), 500, 4);
    const p = await overlapProfile([X, noisy, random], { k: 10, names: ['input', 'noisy', 'random'] });
    expect(p.overlaps[0]).toBe(1); // the first layer against itself
    expect(p.overlaps[1]).toBeGreaterThan(0.8);
    expect(p.overlaps[2]).toBeLessThan(0.1);
    expect(p.summary()).toMatch(/input 1.000, noisy/);
    const pl = await overlapProfile([X, random], { k: 10, reference: { labels } });
    expect(pl.overlaps[0]).toBe(1);
    expect(pl.overlaps[1]).toBeLessThan(0.5);
    expect((p.plot().spec as any).encoding.x.sort).toBeNull();
  });

  it('bad input gets a DadalabError', async () => {
    const { X, labels } = blobs(50, 3, 1);
    const d = new Data(X);
    await expect(d.returnLabelOverlap({ labels: labels.slice(0, 10) , k: 5 })).rejects.toThrow(DadalabError);
    await expect(d.returnLabelOverlap({ labels })).rejects.toThrow(/Neither k nor classFraction/);
    await expect(d.returnDataOverlap({})).rejects.toThrow(/second data set/);
  });
});

describe('the per-point overlap counts', () => {
  // native/knn.c overlap_counts where the accelerator is built, the JavaScript loop otherwise (and
  // when the tables are not Int32Array): both against a plain set intersection, on tables of random
  // rows with repeats across rows, different widths and k from 1 to the narrower table's maxk.
  it('are the sizes of the sets\' intersections over k, with and without the native kernel', async () => {
    const { dataOverlapPerPoint } = await import('../../lib/compare/overlap');
    const { resetNativeKernel } = await import('../../lib/neighbors/native');
    const rng = new SeededRng(91);
    const N = 3000;
    const table = (maxk: number) => {
      const ix = new Int32Array(N * (maxk + 1));
      for (let i = 0; i < N; i++) {
        ix[i * (maxk + 1)] = i;
        const row = new Set<number>();
        while (row.size < maxk) row.add(Math.floor(rng.random() * 60) + (i % 50)); // small sets: many shared indices
        let m = 1;
        for (const v of row) ix[i * (maxk + 1) + m++] = v;
      }
      return { n: N, maxk, indices: ix };
    };
    const a = table(40), b = table(25);
    const saved = process.env.DADALAB_NATIVE;
    try {
      for (const mode of ['native', 'js']) {
        process.env.DADALAB_NATIVE = mode === 'js' ? '0' : '';
        resetNativeKernel();
        for (const k of [1, 7, 25]) {
          const got = dataOverlapPerPoint(a, b, k);
          for (let i = 0; i < N; i++) {
            const sa = new Set(a.indices.subarray(i * 41 + 1, i * 41 + 1 + k));
            let c = 0;
            for (const v of b.indices.subarray(i * 26 + 1, i * 26 + 1 + k)) if (sa.has(v)) c++;
            expect(got[i], `${mode} k ${k} row ${i}`).toBe(c / k);
          }
        }
      }
    } finally {
      if (saved === undefined) delete process.env.DADALAB_NATIVE; else process.env.DADALAB_NATIVE = saved;
      resetNativeKernel();
    }
  });
});
