import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IdDiscrete } from '../../lib/data/idDiscrete';
import { Matrix } from '../../lib/matrix';
import { computeNeighborsSync } from '../../lib/neighbors';
import { InputError, StateError } from '../../lib/errors';

// DADApy's tests/test_id_discrete/test_discrete_id.py input: default_rng(12345).integers(0, 20, (500, 5)).
const X = Matrix.fromRows(readFileSync(join(__dirname, 'fixtures', 'lattice_rng12345_500x5.txt'), 'utf8').trim().split('\n')
  .map((l) => l.trim().split(/\s+/).map(Number)));
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe("IdDiscrete against DADApy's recorded values (test_discrete_id.py)", () => {
  it('condensed counts: k = 25, local density, shells k = 4, lk = 10 / ln = 5, the scalings, the continuum fit', async () => {
    const d = new IdDiscrete(X, { condensed: true });
    await d.computeDistances({ period: 20, dMax: 100 });
    const r = await d.computeIdBinomialKDiscrete({ k: 25, ratio: 0.5 });
    expect(rel(r.id, 5.018707133975087)).toBeLessThan(1e-6);
    expect(d.k!.length).toBe(500);
    expect((d.lk as Float64Array).length).toBe(500);
    const { n, m } = d.computeLocalDensity();
    const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(rel(mean(n), 0.0003806227)).toBeLessThan(1e-6);
    expect(rel(mean(m), 0.00015221269)).toBeLessThan(1e-6);
    const sh = await d.computeIdBinomialKDiscrete({ k: 4, ratio: 0.5, shell: true });
    expect(rel(sh.id, 5.602713972478171)).toBeLessThan(1e-6);
    const lk = await d.computeIdBinomialLk({ lk: 10, ln: 5 });
    expect(rel(lk.id, 5.0210151347136245)).toBeLessThan(1e-9);
    expect(d.lk).toBe(10);
    expect(d.ln).toBe(5);
    const sc = await d.returnIdScaling({ Lks: [3, 4, 5, 6, 7, 8, 9], method: 'mle' });
    [2.69, 4.57, 5.78, 5.55, 4.72, 4.85, 5.03].forEach((v, i) => expect(Math.abs(sc.ids[i] - v)).toBeLessThan(1e-2));
    const sk = await d.returnIdScalingK({ Ks: [5, 10, 15, 20, 25, 30] });
    [5.148287, 4.976629, 5.049483, 5.01851, 5.018707, 4.990721].forEach((v, i) => expect(rel(sk.ids[i], v)).toBeLessThan(1e-6));
    const fc = await d.returnIdFitContinuum({ R: [6, 7, 8, 9, 10, 11, 12, 13, 14] });
    expect(Array.from(fc.scales)).toEqual([7, 8, 9, 10, 11, 12, 13, 14]);
    [4.59, 4.71, 4.73, 4.73, 4.75, 4.77, 4.79, 4.8].forEach((v, i) => expect(Math.abs(fc.ids[i] - v)).toBeLessThan(1e-2));
    // return_id_fit(np.arange(6, 15)): DADApy's values come from counts truncated to integers (its N(r) takes the scales' dtype)
    const fit = await d.returnIdFit({ scales: [6, 7, 8, 9, 10, 11, 12, 13, 14], truncateCounts: true });
    expect(Array.from(fit.scales)).toEqual([7, 8, 9, 10, 11, 12, 13, 14]);
    [5.14, 3.92, 3.28, 3.49, 3.86, 4.44, 4.63, 4.71].forEach((v, i) => expect(Math.abs(fit.ids[i] - v)).toBeLessThan(1e-2));
    // the condensed counts are DADApy's `distances`: N x (R + 1), cumulative, self included
    expect(d.distances!.length).toBe(500 * 96); // R = min(dMax, D max|x|) = 95
    expect(d.distIndices).toBeNull();
  });

  it('table mode (maxk = N, periodic manhattan): k = 25, shells k = 4, lk = 10 on a subset, local density at fixed radius', async () => {
    const d = new IdDiscrete(X, { maxk: 500, condensed: false });
    await d.computeDistances({ metric: 'manhattan', period: 20 });
    // maxk = N: columns beyond N - 1 are Infinity / index N, as DADApy's cKDTree returns them
    expect(d.distances!.length).toBe(500 * 501);
    expect(d.distances![500]).toBe(Infinity);
    const r = await d.computeIdBinomialKDiscrete({ k: 25, ratio: 0.5 });
    expect(rel(r.id, 5.018707133975087)).toBeLessThan(1e-6);
    const sh = await d.computeIdBinomialKDiscrete({ k: 4, shell: true });
    expect(rel(sh.id, 5.602713972478171)).toBeLessThan(1e-6);
    const lk = await d.computeIdBinomialLk({ lk: 10, ln: 5, method: 'bayes', subset: Array.from({ length: 100 }, (_, i) => i) });
    expect(rel(lk.id, 4.906996203360682)).toBeLessThan(1e-6);
    expect(lk.n).toBe(100);
    const { n, m } = d.computeLocalDensity();
    const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(n)).toBeCloseTo(1, 12);
    expect(mean(m)).toBeCloseTo(1, 12);
  });

  it('the shell estimator differs from the k-neighbour one, and agrees between the two modes', async () => {
    const a = new IdDiscrete(X);
    await a.computeDistances({ period: 20, dMax: 50 });
    const b = new IdDiscrete(X, { maxk: 499, condensed: false });
    await b.computeDistances({ period: 20 });
    for (const k of [3, 4, 6]) {
      const ra = await a.computeIdBinomialKDiscrete({ k, shell: true });
      const rb = await b.computeIdBinomialKDiscrete({ k, shell: true });
      expect(ra.id).toBeCloseTo(rb.id, 10);
      const plain = await a.computeIdBinomialKDiscrete({ k, shell: false });
      expect(plain.id).not.toBeCloseTo(ra.id, 3);
    }
    // a fixed number of shells: every point's lk is the radius of its k-th non-empty shell
    await a.computeIdBinomialKDiscrete({ k: 2, shell: true });
    const C = a.counts!.counts, w = a.counts!.R + 1;
    for (let i = 0; i < 500; i++) {
      const lk = (a.lk as Float64Array)[i];
      let shells = 0;
      for (let r = 1; r <= lk; r++) if (C[i * w + r] !== C[i * w + r - 1]) shells++;
      expect(shells).toBe(2);
      expect(C[i * w + lk]).toBeGreaterThan(C[i * w + lk - 1]);
    }
  });

  it('return_id_fit: the table and the counts give the same fits; the fitted d recovers a lattice of known dimension', async () => {
    const scales = [6, 7, 8, 9, 10, 11, 12, 13, 14];
    const a = new IdDiscrete(X);
    await a.computeDistances({ period: 20, dMax: 50 });
    const b = new IdDiscrete(X, { maxk: 499, condensed: false });
    await b.computeDistances({ period: 20 });
    const fa = await a.returnIdFit({ scales }), fb = await b.returnIdFit({ scales });
    fa.ids.forEach((v, i) => expect(fb.ids[i]).toBeCloseTo(v, 8));
    fa.idsLog.forEach((v, i) => expect(fb.idsLog[i]).toBeCloseTo(v, 8));
    // untruncated means differ from DADApy's truncated ones (5.14 at the first scale)
    expect(Math.abs(fa.ids[0] - 5.14)).toBeGreaterThan(0.5);
    // the full periodic lattice {0..9}^3: N(r) = V(r, 3) exactly below the half box, so d = 3 at every scale
    const L: number[][] = [];
    for (let x = 0; x < 10; x++) for (let y = 0; y < 10; y++) for (let z = 0; z < 10; z++) L.push([x, y, z]);
    const c = new IdDiscrete(Matrix.fromRows(L));
    await c.computeDistances({ period: 10, dMax: 10 });
    const fc = await c.returnIdFit({ scales: [1, 2, 3, 4] });
    for (const v of [...fc.ids, ...fc.idsLog]) expect(v).toBeCloseTo(3, 6);
    // a table that does not reach the radius is refused, not silently cut
    const short = new IdDiscrete(X, { maxk: 20, condensed: false });
    await short.computeDistances({ period: 20 });
    await expect(short.returnIdFit({ scales })).rejects.toThrow(/does not reach radius 12 for 30 of the 500 points/);
    await expect(a.returnIdFit({ scales: [6] })).rejects.toThrow(/at least 2 radii/);
    // DADApy's plot keyword: refused, with what to do instead
    const refused = await a.returnIdFit({ scales, plot: true } as never).then(() => null, (e: unknown) => e);
    expect((refused as Error).message).toMatch(/returnIdFit has no option 'plot'/);
    expect((refused as InputError).fix).toMatch(/draws nothing as a side effect: drop it and call \.plot\(\) on the result/);
  });

  it('hamming tables and counts agree', async () => {
    const B = new Matrix(Float64Array.from(X.data, (v) => v % 3), 500, 5);
    const a = new IdDiscrete(B);
    await a.computeDistances({ metric: 'hamming' });
    const t = computeNeighborsSync(B, { maxk: 499, metric: 'hamming' });
    for (let i = 0; i < 5; i++) {
      const row = t.distances.subarray(i * 500, (i + 1) * 500);
      for (let r = 0; r <= 5; r++) expect(row.filter((v) => v <= r).length).toBe(a.counts!.counts[i * 6 + r]);
    }
  });

  it('refuses what it cannot do, with the fix', async () => {
    const d = new IdDiscrete(X);
    await expect(d.computeIdBinomialKDiscrete({ k: 5 })).rejects.toThrow(StateError);
    expect(() => d.computeLocalDensity()).toThrow(/Estimate the ID first/);
    await expect(d.computeDistances({ metric: 'euclidean' as never })).rejects.toThrow(InputError);
    expect(() => new IdDiscrete(X, { weights: [1] } as never)).toThrow(/new IdDiscrete has no option 'weights'/);
    await d.computeDistances({ period: 20, dMax: 20 });
    await expect(d.computeIdBinomialKDiscrete({ k: 25, shell: true })).rejects.toThrow(/only radii 0..20 were counted/);
    await expect(d.computeIdBinomialLk({ lk: 30, ln: 10 })).rejects.toThrow(/dMax >= 30/);
  });
});
